/*
 * fuzz_params.c — libFuzzer target: params_parse() over both sources.
 *
 * The input is "<query string>\n<JSON body>": the query string is split into
 * name=value pairs (percent-decoding is libmicrohttpd's job, not ours: the
 * values arrive as they are), the rest is parsed as a JSON body when it is
 * an object.  The specs cover every parameter kind the handlers use.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/params.h"
#include "util/buf.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 32

struct query {
    char *names[MAX_ARGS];
    char *values[MAX_ARGS];
    size_t n;
};

static const char *query_lookup(void *ctx, const char *name)
{
    struct query *q = ctx;
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->names[i], name) == 0)
            return q->values[i];
    return NULL;
}

static void query_names(void *ctx, void (*fn)(void *arg, const char *name), void *arg)
{
    struct query *q = ctx;
    for (size_t i = 0; i < q->n; i++)
        fn(arg, q->names[i]);
}

/* Splits "a=1&b=2" (NUL bytes end the text, as they would in C strings). */
static void split_query(struct query *q, const char *text)
{
    while (*text && q->n < MAX_ARGS) {
        size_t len = strcspn(text, "&");
        const char *eq = memchr(text, '=', len);
        size_t name_len = eq ? (size_t)(eq - text) : len;
        q->names[q->n] = xstrndup(text, name_len);
        q->values[q->n] = eq ? xstrndup(eq + 1, len - name_len - 1) : xstrdup("");
        q->n++;
        text += len + (text[len] == '&');
    }
}

static const struct param_spec specs[] = {
    {"type", PARAM_STATS_TYPE},   {"anr", PARAM_UUID},        {"anrs", PARAM_UUID_LIST},
    {"date_from", PARAM_DATE},    {"date_to", PARAM_DATE},    {"get_last", PARAM_BOOL},
    {"offset", PARAM_INT},        {"limit", PARAM_INT},       {"processor", PARAM_STRING},
    {"processor_params", PARAM_JSON},
};
#define N_SPECS (sizeof specs / sizeof specs[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t query_len = nl ? (size_t)(nl - data) : size;
    char *query_text = xstrndup((const char *)data, query_len);
    struct query q = {{0}, {0}, 0};
    split_query(&q, query_text);

    struct json_object *body = NULL;
    if (nl) {
        char err[160];
        body = json_parse_strict((const char *)nl + 1, size - query_len - 1, err, sizeof err);
        if (body && !json_object_is_type(body, json_type_object)) {
            json_object_put(body);
            body = NULL;
        }
    }
    struct param_source src = {body, query_lookup, query_names, &q};
    struct param_value values[N_SPECS];
    memset(values, 0, sizeof values);
    struct error_list errs = ERROR_LIST_INIT;
    bool ok = params_parse(&src, specs, N_SPECS, values, &errs);
    if (ok == (errs.count != 0))
        abort(); /* the result and the problems listed must agree */
    buf out = BUF_INIT;
    struct json_writer w;
    jw_init(&w, &out);
    error_list_to_json(&errs, &w);
    buf_free(&out);
    error_list_free(&errs);
    params_free(values, N_SPECS);

    json_object_put(body);
    for (size_t i = 0; i < q.n; i++) {
        free(q.names[i]);
        free(q.values[i]);
    }
    free(query_text);
    return 0;
}
