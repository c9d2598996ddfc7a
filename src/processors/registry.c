/*
 * registry.c — the one list of processors, and what is derived from it:
 * look-up by name, discovery JSON, validation of processor_params.
 */
#include "processors/processor.h"

#include <assert.h>
#include <string.h>

#include "util/json.h"

extern const struct processor processor_risk_averages;
extern const struct processor processor_risk_averages_on_date;
extern const struct processor processor_threat_average_on_date;
extern const struct processor processor_vulnerability_average_on_date;
extern const struct processor processor_cartography_totals;
extern const struct processor processor_compliance_averages;

/* NULL-terminated, in the order /processed/list shows them. */
static const struct processor *const registry[] = {
    &processor_risk_averages,
    &processor_risk_averages_on_date,
    &processor_threat_average_on_date,
    &processor_vulnerability_average_on_date,
    &processor_cartography_totals,
    &processor_compliance_averages,
    NULL,
};

size_t processor_count(void)
{
    size_t n = 0;
    while (registry[n])
        n++;
    return n;
}

const struct processor *processor_at(size_t i)
{
    return i < processor_count() ? registry[i] : NULL;
}

const struct processor *processor_find(const char *name)
{
    for (size_t i = 0; i < processor_count(); i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

const struct processor *processor_public_default(enum stats_type type)
{
    const struct processor *found = NULL;
    for (size_t i = 0; i < processor_count(); i++) {
        if (registry[i]->type == type && registry[i]->public_default) {
            assert(!found); /* one default per type */
            found = registry[i];
        }
    }
    return found;
}

void processor_names_of_type(enum stats_type type, buf *out)
{
    bool first = true;
    for (size_t i = 0; i < processor_count(); i++) {
        if (registry[i]->type != type)
            continue;
        buf_puts(out, first ? "" : ", ");
        buf_puts(out, registry[i]->name);
        first = false;
    }
}

static void param_json(struct json_writer *out, const struct processor_param *p)
{
    jw_object_begin(out);
    jw_member_string(out, "name", p->name);
    jw_key(out, "values");
    jw_array_begin(out);
    for (size_t j = 0; p->values[j]; j++)
        jw_string(out, p->values[j]);
    jw_array_end(out);
    jw_member_string(out, "description", p->description);
    jw_object_end(out);
}

void processor_list_json(struct json_writer *out)
{
    jw_array_begin(out);
    for (size_t i = 0; i < processor_count(); i++) {
        const struct processor *p = registry[i];
        jw_object_begin(out);
        jw_member_string(out, "name", p->name);
        jw_member_string(out, "type", stats_type_name(p->type));
        jw_member_string(out, "description", p->description);
        jw_key(out, "params");
        jw_array_begin(out);
        for (size_t j = 0; j < p->n_params; j++)
            param_json(out, &p->params[j]);
        jw_array_end(out);
        jw_object_end(out);
    }
    jw_array_end(out);
}

/* --- processor_params --- */

static int value_index(const struct processor_param *p, const char *word, size_t len)
{
    for (int j = 0; p->values[j]; j++)
        if (strlen(p->values[j]) == len && strncmp(p->values[j], word, len) == 0)
            return j;
    return -1;
}

static void allowed_words(const struct processor_param *p, buf *out)
{
    for (size_t j = 0; p->values[j]; j++) {
        buf_puts(out, j ? ", " : "");
        buf_puts(out, p->values[j]);
    }
}

static void word_problem(const struct processor_param *p, const char *word, size_t len,
                         struct error_list *errs)
{
    buf field = BUF_INIT, allowed = BUF_INIT;
    buf_printf(&field, "processor_params.%s", p->name);
    allowed_words(p, &allowed);
    error_list_add(errs, field.data, "'%.*s' is not one of: %s.", (int)(len > 64 ? 64 : len), word,
                   allowed.data);
    buf_free(&field);
    buf_free(&allowed);
}

/* Adds one word (surrounding spaces ignored) to *chosen; false if it isn't allowed. */
static bool choose_word(const struct processor_param *p, const char *word, size_t len, unsigned *chosen,
                        struct error_list *errs)
{
    while (len && *word == ' ')
        word++, len--;
    while (len && word[len - 1] == ' ')
        len--;
    int j = value_index(p, word, len);
    if (j < 0) {
        word_problem(p, word, len, errs);
        return false;
    }
    *chosen |= 1u << j;
    return true;
}

/* A value: "a,b" or ["a", "b"]; at least one word. */
static void parse_param_value(const struct processor_param *p, struct json_object *v, unsigned *chosen,
                              struct error_list *errs)
{
    size_t before = errs->count;
    *chosen = 0;
    if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        while (*s) {
            const char *end = strchr(s, ',');
            size_t len = end ? (size_t)(end - s) : strlen(s);
            choose_word(p, s, len, chosen, errs);
            s += len + (end ? 1 : 0);
        }
    } else if (json_object_is_type(v, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            struct json_object *w = json_object_array_get_idx(v, i);
            if (json_object_is_type(w, json_type_string))
                choose_word(p, json_object_get_string(w), (size_t)json_object_get_string_len(w), chosen,
                            errs);
            else
                word_problem(p, "(not a string)", 14, errs);
        }
    }
    if (*chosen == 0 && errs->count == before) {
        buf field = BUF_INIT, allowed = BUF_INIT;
        buf_printf(&field, "processor_params.%s", p->name);
        allowed_words(p, &allowed);
        error_list_add(errs, field.data, "Must name at least one of: %s (a comma-separated string or a list).",
                       allowed.data);
        buf_free(&field);
        buf_free(&allowed);
    }
}

static int param_index(const struct processor *p, const char *name)
{
    for (size_t i = 0; i < p->n_params; i++)
        if (strcmp(p->params[i].name, name) == 0)
            return (int)i;
    return -1;
}

static void parse_object(const struct processor *p, struct json_object *obj, struct processor_args *args,
                         struct error_list *errs)
{
    json_object_object_foreach(obj, key, value) {
        int i = param_index(p, key);
        if (i < 0)
            error_list_add(errs, "processor_params", "Unknown parameter '%.64s' for processor %s.", key,
                           p->name);
        else if (value && !json_object_is_type(value, json_type_null))
            parse_param_value(&p->params[i], value, &args->chosen[i], errs);
    }
}

void processor_args_default(struct processor_args *args)
{
    for (size_t i = 0; i < PROCESSOR_MAX_PARAMS; i++)
        args->chosen[i] = ~0u;
    args->view = NULL;
}

bool processor_parse_args(const struct processor *p, struct json_object *params,
                          struct processor_args *args, struct error_list *errs)
{
    size_t before = errs->count;
    processor_args_default(args);
    struct json_object *parsed = NULL;
    if (json_object_is_type(params, json_type_string) && json_object_get_string_len(params) > 0) {
        /* JSON text of the object, e.g. from a query string. */
        char err[128];
        parsed = json_parse_strict(json_object_get_string(params),
                                   (size_t)json_object_get_string_len(params), err, sizeof err);
        if (parsed && !json_object_is_type(parsed, json_type_string))
            params = parsed;
    }
    if (json_object_is_type(params, json_type_object))
        parse_object(p, params, args, errs);
    else if (!(params == NULL || json_object_is_type(params, json_type_null) ||
               (json_object_is_type(params, json_type_array) && json_object_array_length(params) == 0) ||
               (json_object_is_type(params, json_type_string) && json_object_get_string_len(params) == 0)))
        error_list_add(errs, "processor_params", "Must be an object of parameters (or [] for none).");
    json_object_put(parsed);
    return errs->count == before;
}
