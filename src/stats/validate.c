/*
 * validate.c — checks the `data` of a stats item against the shape of its type
 * (the input shapes of docs/processors.md; see stats.h).
 *
 * The rule is "strict about what processors read, silent about the rest":
 * every member a processor uses must be there with a usable type, extra
 * members are kept.  Every problem is reported with its full path
 * ("[3].data.risks.current.informational[1].value"), not just the first.
 *
 * Choices where MONARC is stricter than the spec needs:
 * - risk `total` may be absent (processors don't read it); when present it has
 *   the full current/residual × informational/operational shape of nums;
 * - labels label1..label4 may be absent, like null;
 * - cartography keys are canonical non-negative integers ("0", "12"; not
 *   "012" or "-1"), at most 9 digits; counts are non-negative integral nums;
 * - compliance controls must be objects, their members are not checked (only
 *   their number is used).
 */
#include "stats/stats.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "util/json.h"

/* Walks one `data` value; `path` always names the value being checked. */
struct checker {
    buf path;
    struct error_list *errs;
};

typedef void (*check_fn)(struct checker *c, struct json_object *v);

static void problem(struct checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct checker *c, const char *fmt, ...)
{
    buf msg = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    error_list_add(c->errs, c->path.data, "%s", msg.data);
    buf_free(&msg);
}

/* Path steps return the previous length, which leave() restores.  They run
 * for every value of every upload, so they avoid printf. */
static size_t enter_key(struct checker *c, const char *key)
{
    size_t mark = c->path.len;
    buf_putc(&c->path, '.');
    buf_puts(&c->path, key);
    return mark;
}

static size_t enter_index(struct checker *c, size_t index)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + index % 10);
        index /= 10;
    } while (index);
    size_t mark = c->path.len;
    buf_putc(&c->path, '[');
    while (n)
        buf_putc(&c->path, digits[--n]);
    buf_putc(&c->path, ']');
    return mark;
}

static void leave(struct checker *c, size_t mark)
{
    buf_truncate(&c->path, mark);
}

/* ---- value checks --------------------------------------------------------- */

static bool expect_object(struct checker *c, struct json_object *v)
{
    if (json_object_is_type(v, json_type_object))
        return true;
    problem(c, "Must be an object.");
    return false;
}

static bool expect_list(struct checker *c, struct json_object *v)
{
    if (json_object_is_type(v, json_type_array))
        return true;
    problem(c, "Must be a list.");
    return false;
}

static void check_num(struct checker *c, struct json_object *v)
{
    double d;
    if (!json_get_num(v, &d))
        problem(c, "Must be a number or a numeric string.");
}

static bool num_is_integer(struct json_object *v, double *d)
{
    return json_get_num(v, d) && *d == trunc(*d);
}

static void check_integer(struct checker *c, struct json_object *v)
{
    double d;
    if (!num_is_integer(v, &d))
        problem(c, "Must be an integer.");
}

static void check_count(struct checker *c, struct json_object *v)
{
    double d;
    if (!num_is_integer(v, &d) || d < 0)
        problem(c, "Must be a non-negative integer.");
}

static void check_label(struct checker *c, struct json_object *v)
{
    if (!json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_null))
        problem(c, "Must be a string or null.");
}

static void check_uuid(struct checker *c, struct json_object *v)
{
    if (!json_object_is_type(v, json_type_string) || !uuid_is_valid(json_object_get_string(v)))
        problem(c, "Must be a UUID.");
}

/* Checks obj.key with fn; a missing member is a problem only when required. */
static void check_member(struct checker *c, struct json_object *obj, const char *key, bool required,
                         check_fn fn)
{
    size_t mark = enter_key(c, key);
    struct json_object *v;
    if (json_object_object_get_ex(obj, key, &v))
        fn(c, v);
    else if (required)
        problem(c, "Missing required member.");
    leave(c, mark);
}

static void check_labels(struct checker *c, struct json_object *obj)
{
    static const char *const labels[] = {"label1", "label2", "label3", "label4"};
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
        check_member(c, obj, labels[i], false, check_label);
}

static void check_each(struct checker *c, struct json_object *list, check_fn fn)
{
    size_t n = json_object_array_length(list);
    for (size_t i = 0; i < n; i++) {
        size_t mark = enter_index(c, i);
        fn(c, json_object_array_get_idx(list, i));
        leave(c, mark);
    }
}

static void check_list_of(struct checker *c, struct json_object *v, check_fn fn)
{
    if (expect_list(c, v))
        check_each(c, v, fn);
}

/* {current, residual} × {informational, operational}, each leaf checked by fn. */
static void check_state_kind_grid(struct checker *c, struct json_object *v, check_fn leaf)
{
    static const char *const states[] = {"current", "residual"};
    static const char *const kinds[] = {"informational", "operational"};
    if (!expect_object(c, v))
        return;
    for (size_t s = 0; s < 2; s++) {
        size_t mark = enter_key(c, states[s]);
        struct json_object *state;
        if (!json_object_object_get_ex(v, states[s], &state))
            problem(c, "Missing required member.");
        else if (expect_object(c, state))
            for (size_t k = 0; k < 2; k++)
                check_member(c, state, kinds[k], true, leaf);
        leave(c, mark);
    }
}

/* ---- risk ------------------------------------------------------------------ */

static void check_risk_levels(struct checker *c, struct json_object *v)
{
    static const char *const levels[] = {"Low risks", "Medium risks", "High risks"};
    if (!expect_list(c, v))
        return;
    size_t n = json_object_array_length(v);
    if (n != 3)
        problem(c, "Must be a list of exactly 3 levels (Low, Medium, High risks).");
    for (size_t i = 0; i < n && i < 3; i++) {
        size_t mark = enter_index(c, i);
        struct json_object *level = json_object_array_get_idx(v, i), *name;
        if (expect_object(c, level)) {
            size_t name_mark = enter_key(c, "level");
            if (!json_object_object_get_ex(level, "level", &name))
                problem(c, "Missing required member.");
            else if (!json_object_is_type(name, json_type_string) ||
                     strcmp(json_object_get_string(name), levels[i]) != 0)
                problem(c, "Must be \"%s\".", levels[i]);
            leave(c, name_mark);
            check_member(c, level, "value", true, check_num);
        }
        leave(c, mark);
    }
}

static void check_risk_grid(struct checker *c, struct json_object *v)
{
    check_state_kind_grid(c, v, check_risk_levels);
}

static void check_total_grid(struct checker *c, struct json_object *v)
{
    check_state_kind_grid(c, v, check_num);
}

static void check_risk(struct checker *c, struct json_object *data)
{
    if (!expect_object(c, data))
        return;
    check_member(c, data, "total", false, check_total_grid);
    check_member(c, data, "risks", true, check_risk_grid);
}

/* ---- threat, vulnerability ------------------------------------------------- */

static void check_object_summary(struct checker *c, struct json_object *v)
{
    if (!expect_object(c, v))
        return;
    check_member(c, v, "uuid", true, check_uuid);
    check_labels(c, v);
    check_member(c, v, "maxRisk", true, check_num);
    check_member(c, v, "count", true, check_num);
    check_member(c, v, "averageRate", true, check_num);
}

static void check_summaries(struct checker *c, struct json_object *data)
{
    check_list_of(c, data, check_object_summary);
}

/* ---- cartography ----------------------------------------------------------- */

#define MATRIX_KEY_MAX_DIGITS 9 /* keys fit an int wherever they are read */

static bool is_matrix_key(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > MATRIX_KEY_MAX_DIGITS || (k[0] == '0' && n > 1))
        return false;
    return strspn(k, "0123456789") == n;
}

/* Object with non-negative integer keys, each value checked by fn. */
static void check_keyed(struct checker *c, struct json_object *obj, check_fn fn)
{
    json_object_object_foreach(obj, key, value) {
        size_t mark = enter_key(c, key);
        if (is_matrix_key(key))
            fn(c, value);
        else
            problem(c, "Key must be a non-negative integer.");
        leave(c, mark);
    }
}

/* A matrix level: a list (index = key) or an object with integer keys. */
static void check_sparse(struct checker *c, struct json_object *v, check_fn fn, const char *what)
{
    if (json_object_is_type(v, json_type_array))
        check_each(c, v, fn);
    else if (json_object_is_type(v, json_type_object))
        check_keyed(c, v, fn);
    else
        problem(c, "Must be %s: an object with integer keys or a list.", what);
}

static void check_matrix_row(struct checker *c, struct json_object *v)
{
    check_sparse(c, v, check_count, "a row");
}

static void check_matrix(struct checker *c, struct json_object *v)
{
    check_sparse(c, v, check_matrix_row, "a matrix");
}

static void check_matrix_grid(struct checker *c, struct json_object *v)
{
    check_state_kind_grid(c, v, check_matrix);
}

static void check_scale(struct checker *c, struct json_object *v)
{
    check_list_of(c, v, check_integer);
}

static void check_scales(struct checker *c, struct json_object *v)
{
    if (!expect_object(c, v))
        return;
    check_member(c, v, "impact", true, check_scale);
    check_member(c, v, "probability", true, check_scale);
    check_member(c, v, "likelihood", true, check_scale);
}

static void check_cartography(struct checker *c, struct json_object *data)
{
    if (!expect_object(c, data))
        return;
    check_member(c, data, "scales", true, check_scales);
    check_member(c, data, "risks", true, check_matrix_grid);
}

/* ---- compliance ------------------------------------------------------------ */

static void check_control(struct checker *c, struct json_object *v)
{
    expect_object(c, v);
}

static void check_controls(struct checker *c, struct json_object *v)
{
    check_list_of(c, v, check_control);
}

static void check_category(struct checker *c, struct json_object *v)
{
    if (!expect_object(c, v))
        return;
    check_labels(c, v);
    check_member(c, v, "controls", true, check_controls);
    check_member(c, v, "value", true, check_num);
}

static void check_categories(struct checker *c, struct json_object *v)
{
    check_list_of(c, v, check_category);
}

static void check_referential(struct checker *c, struct json_object *v)
{
    if (!expect_object(c, v))
        return;
    check_member(c, v, "referential", true, check_uuid);
    check_labels(c, v);
    check_member(c, v, "current", true, check_categories);
    check_member(c, v, "target", true, check_categories);
}

static void check_compliance(struct checker *c, struct json_object *data)
{
    check_list_of(c, data, check_referential);
}

/* ---- entry point ----------------------------------------------------------- */

void stats_validate_data(enum stats_type type, struct json_object *data, const char *path,
                         struct error_list *errs)
{
    static const check_fn checks[STATS_TYPE_COUNT] = {
        [STATS_RISK] = check_risk,
        [STATS_THREAT] = check_summaries,
        [STATS_VULNERABILITY] = check_summaries,
        [STATS_CARTOGRAPHY] = check_cartography,
        [STATS_COMPLIANCE] = check_compliance,
    };
    struct checker c = {BUF_INIT, errs};
    buf_puts(&c.path, path);
    if ((unsigned)type < STATS_TYPE_COUNT)
        checks[type](&c, data);
    else
        problem(&c, "Unknown stats type.");
    buf_free(&c.path);
}
