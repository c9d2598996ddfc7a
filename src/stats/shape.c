/*
 * shape.c — the path-tracking checker and the value checks the kinds share
 * (see shape.h).
 */
#include "stats/shape.h"

#include <math.h>
#include <stdarg.h>

#include "util/ids.h"
#include "util/json.h"

void shape_problem(struct shape *s, const char *fmt, ...)
{
    buf msg = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    error_list_add(s->errs, s->path.data, "%s", msg.data);
    buf_free(&msg);
}

/* The path steps run for every value of every upload, so they avoid printf. */
size_t shape_enter_key(struct shape *s, const char *key)
{
    size_t mark = s->path.len;
    buf_putc(&s->path, '.');
    buf_puts(&s->path, key);
    return mark;
}

size_t shape_enter_index(struct shape *s, size_t index)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + index % 10);
        index /= 10;
    } while (index);
    size_t mark = s->path.len;
    buf_putc(&s->path, '[');
    while (n)
        buf_putc(&s->path, digits[--n]);
    buf_putc(&s->path, ']');
    return mark;
}

void shape_leave(struct shape *s, size_t mark)
{
    buf_truncate(&s->path, mark);
}

/* ---- value checks --------------------------------------------------------- */

bool shape_expect_object(struct shape *s, struct json_object *v)
{
    if (json_object_is_type(v, json_type_object))
        return true;
    shape_problem(s, "Must be an object.");
    return false;
}

bool shape_expect_list(struct shape *s, struct json_object *v)
{
    if (json_object_is_type(v, json_type_array))
        return true;
    shape_problem(s, "Must be a list.");
    return false;
}

void shape_num(struct shape *s, struct json_object *v)
{
    double d;
    if (!json_get_num(v, &d))
        shape_problem(s, "Must be a number or a numeric string.");
}

static bool num_is_integer(struct json_object *v, double *d)
{
    return json_get_num(v, d) && *d == trunc(*d);
}

void shape_integer(struct shape *s, struct json_object *v)
{
    double d;
    if (!num_is_integer(v, &d))
        shape_problem(s, "Must be an integer.");
}

void shape_count(struct shape *s, struct json_object *v)
{
    double d;
    if (!num_is_integer(v, &d) || d < 0)
        shape_problem(s, "Must be a non-negative integer.");
}

void shape_label(struct shape *s, struct json_object *v)
{
    if (!json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_null))
        shape_problem(s, "Must be a string or null.");
}

void shape_uuid(struct shape *s, struct json_object *v)
{
    if (!json_object_is_type(v, json_type_string) || !uuid_is_valid(json_object_get_string(v)))
        shape_problem(s, "Must be a UUID.");
}

/* ---- structure ------------------------------------------------------------- */

void shape_member(struct shape *s, struct json_object *obj, const char *key, bool required,
                  shape_fn fn)
{
    size_t mark = shape_enter_key(s, key);
    struct json_object *v;
    if (json_object_object_get_ex(obj, key, &v))
        fn(s, v);
    else if (required)
        shape_problem(s, "Missing required member.");
    shape_leave(s, mark);
}

void shape_labels(struct shape *s, struct json_object *obj)
{
    static const char *const labels[] = {"label1", "label2", "label3", "label4"};
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
        shape_member(s, obj, labels[i], false, shape_label);
}

void shape_each(struct shape *s, struct json_object *list, shape_fn fn)
{
    size_t n = json_object_array_length(list);
    for (size_t i = 0; i < n; i++) {
        size_t mark = shape_enter_index(s, i);
        fn(s, json_object_array_get_idx(list, i));
        shape_leave(s, mark);
    }
}

void shape_list_of(struct shape *s, struct json_object *v, shape_fn fn)
{
    if (shape_expect_list(s, v))
        shape_each(s, v, fn);
}

void shape_state_kind_grid(struct shape *s, struct json_object *v, shape_fn leaf)
{
    static const char *const states[] = {"current", "residual"};
    static const char *const kinds[] = {"informational", "operational"};
    if (!shape_expect_object(s, v))
        return;
    for (size_t st = 0; st < 2; st++) {
        size_t mark = shape_enter_key(s, states[st]);
        struct json_object *state;
        if (!json_object_object_get_ex(v, states[st], &state))
            shape_problem(s, "Missing required member.");
        else if (shape_expect_object(s, state))
            for (size_t k = 0; k < 2; k++)
                shape_member(s, state, kinds[k], true, leaf);
        shape_leave(s, mark);
    }
}
