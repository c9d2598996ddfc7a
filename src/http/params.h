/*
 * params.h — request parameters from a JSON body or the query string.
 *
 * MONARC sends GET parameters as a JSON body; browsers and scripts use the
 * query string.  A handler declares the parameters it takes (name and kind);
 * params_parse() reads both sources (the body wins, key by key), converts each
 * value to its kind, and reports every problem — including unknown names, so a
 * typo never silently widens a query.
 */
#ifndef HTTP_PARAMS_H
#define HTTP_PARAMS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "stats/stats.h"
#include "util/date.h"
#include "util/errors.h"
#include "util/ids.h"

enum param_kind {
    PARAM_STRING,
    PARAM_UUID,        /* lower-cased into .uuid */
    PARAM_UUID_LIST,   /* JSON list or comma-separated; lower-cased into .list */
    PARAM_DATE,        /* into .date */
    PARAM_BOOL,        /* JSON bool/0/1 or true/false/1/0/yes/no */
    PARAM_INT,         /* ≥ 0: JSON integer or numeric string, into .integer */
    PARAM_STATS_TYPE,  /* into .type */
    PARAM_JSON,        /* any JSON value, kept as .json (query string: parsed as JSON,
                          or kept as a JSON string when it isn't JSON) */
};

struct param_spec {
    const char *name;
    enum param_kind kind;
};

struct param_value {
    bool present;
    char *string;                /* PARAM_STRING, owned */
    char uuid[UUID_STR_LEN];
    char date[DATE_STR_LEN];
    bool boolean;
    int64_t integer;
    enum stats_type type;
    char **list;                 /* PARAM_UUID_LIST, owned */
    size_t list_len;
    struct json_object *json;    /* PARAM_JSON, owned reference */
};

/* Where the values come from: a JSON object body (may be NULL) and a
 * function that looks up a query-string argument (may be NULL). */
struct param_source {
    struct json_object *body;
    const char *(*query)(void *ctx, const char *name);
    /* Calls fn(name) for every query-string argument name. */
    void (*query_names)(void *ctx, void (*fn)(void *arg, const char *name), void *arg);
    void *ctx;
};

/*
 * Fills values[i] for specs[i].  Every problem (unknown name, wrong kind) is
 * appended to errs with the parameter's name as field.  Returns true when
 * there was none.  values must be zeroed by the caller and freed with
 * params_free() in every case.
 */
bool params_parse(const struct param_source *src, const struct param_spec *specs, size_t n,
                  struct param_value *values, struct error_list *errs);
void params_free(struct param_value *values, size_t n);

/* Parses a boolean word: true/false/1/0/yes/no, any case. */
bool params_parse_bool_word(const char *s, bool *out);

#endif
