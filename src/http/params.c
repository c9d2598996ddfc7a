/*
 * params.c — typed request parameters from a JSON body or a query string
 * (see params.h).
 */
#include "http/params.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/json.h"

bool params_parse_bool_word(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "1", "yes"};
    static const char *const no[] = {"false", "0", "no"};
    for (size_t i = 0; i < 3; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* A non-negative decimal integer that fits in int64, nothing else around it. */
static bool parse_count(const char *s, int64_t *out)
{
    if (!*s)
        return false;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE)
        return false;
    *out = v;
    return true;
}

static void add_list_item(struct param_value *v, const char *s, size_t len)
{
    v->list = xrealloc(v->list, (v->list_len + 1) * sizeof *v->list);
    v->list[v->list_len++] = xstrndup(s, len);
}

/* Splits "a,b,c" into the list; empty items (",,") are skipped. */
static void split_comma_list(struct param_value *v, const char *s)
{
    while (*s) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len)
            add_list_item(v, s, len);
        s += len + (end ? 1 : 0);
    }
}

/* Lower-cases every item of v->list, or names the first that isn't a UUID. */
static bool normalize_uuid_list(struct param_value *v, const char *name, struct error_list *errs)
{
    bool ok = true;
    for (size_t i = 0; i < v->list_len; i++) {
        char norm[UUID_STR_LEN];
        if (!uuid_normalize(v->list[i], norm)) {
            error_list_add(errs, name, "'%.64s' is not a UUID.", v->list[i]);
            ok = false;
            continue;
        }
        memcpy(v->list[i], norm, UUID_STR_LEN);
    }
    return ok;
}

/* Converts a body value (JSON) or a query value (text) for one parameter. */
static void convert(const struct param_spec *spec, struct json_object *jv, const char *text,
                    struct param_value *v, struct error_list *errs)
{
    const char *name = spec->name;
    enum json_type jt = jv ? json_object_get_type(jv) : json_type_string;
    const char *s = jv ? (jt == json_type_string ? json_object_get_string(jv) : NULL) : text;

    v->present = true;
    switch (spec->kind) {
    case PARAM_STRING:
        if (!s)
            error_list_add(errs, name, "Must be a string.");
        else
            v->string = xstrdup(s);
        return;
    case PARAM_UUID:
        if (!s || !uuid_normalize(s, v->uuid))
            error_list_add(errs, name, "Must be a UUID.");
        return;
    case PARAM_UUID_LIST:
        if (jv && jt == json_type_array) {
            size_t n = json_object_array_length(jv);
            for (size_t i = 0; i < n; i++) {
                struct json_object *item = json_object_array_get_idx(jv, i);
                if (!json_object_is_type(item, json_type_string)) {
                    error_list_add(errs, name, "Must be a list of UUIDs.");
                    return;
                }
                add_list_item(v, json_object_get_string(item),
                              (size_t)json_object_get_string_len(item));
            }
        } else if (s) {
            split_comma_list(v, s);
        } else {
            error_list_add(errs, name, "Must be a list of UUIDs.");
            return;
        }
        normalize_uuid_list(v, name, errs);
        return;
    case PARAM_DATE:
        if (!s || !date_parse(s, v->date))
            error_list_add(errs, name, "Must be a date (YYYY-MM-DD).");
        return;
    case PARAM_BOOL:
        if (jv && jt == json_type_boolean)
            v->boolean = json_object_get_boolean(jv);
        else if (jv && jt == json_type_int && json_object_get_int64(jv) >= 0 &&
                 json_object_get_int64(jv) <= 1)
            v->boolean = json_object_get_int64(jv) == 1;
        else if (!s || !params_parse_bool_word(s, &v->boolean))
            error_list_add(errs, name, "Must be a boolean (true/false/1/0/yes/no).");
        return;
    case PARAM_INT:
        if (jv && jt == json_type_int && json_object_get_int64(jv) >= 0)
            v->integer = json_object_get_int64(jv);
        else if (!s || !parse_count(s, &v->integer))
            error_list_add(errs, name, "Must be a non-negative integer.");
        return;
    case PARAM_STATS_TYPE:
        if (!s || !stats_type_parse(s, &v->type)) {
            buf types = BUF_INIT;
            stats_type_names(&types, ", ", ", ");
            error_list_add(errs, name, "Must be one of %s.", types.data);
            buf_free(&types);
        }
        return;
    case PARAM_JSON:
        if (jv) {
            v->json = json_object_get(jv);
        } else {
            char err[128];
            v->json = json_parse_strict(text, strlen(text), err, sizeof err);
            if (!v->json)
                v->json = json_object_new_string(text);
        }
        return;
    }
}

struct unknown_check {
    const struct param_spec *specs;
    size_t n;
    struct error_list *errs;
};

static bool is_known(const struct param_spec *specs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(specs[i].name, name) == 0)
            return true;
    return false;
}

static void check_query_name(void *arg, const char *name)
{
    struct unknown_check *c = arg;
    if (!is_known(c->specs, c->n, name))
        error_list_add(c->errs, name, "Unknown parameter '%.64s'.", name);
}

bool params_parse(const struct param_source *src, const struct param_spec *specs, size_t n,
                  struct param_value *values, struct error_list *errs)
{
    size_t before = errs->count;
    struct unknown_check check = {specs, n, errs};

    if (src->body) {
        json_object_object_foreach(src->body, key, val) {
            (void)val;
            check_query_name(&check, key);
        }
    }
    if (src->query_names)
        src->query_names(src->ctx, check_query_name, &check);

    for (size_t i = 0; i < n; i++) {
        struct json_object *jv = NULL;
        if (src->body && json_object_object_get_ex(src->body, specs[i].name, &jv) && jv) {
            convert(&specs[i], jv, NULL, &values[i], errs);
            continue;
        }
        /* A JSON null in the body means "not given", as PHP sends for unset values. */
        const char *text = src->query ? src->query(src->ctx, specs[i].name) : NULL;
        if (text)
            convert(&specs[i], NULL, text, &values[i], errs);
    }
    return errs->count == before;
}

void params_free(struct param_value *values, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < values[i].list_len; j++)
            free(values[i].list[j]);
        free(values[i].list);
        json_object_put(values[i].json);
        free(values[i].string);
        values[i].string = NULL;
        values[i].list = NULL;
        values[i].list_len = 0;
        values[i].json = NULL;
    }
}
