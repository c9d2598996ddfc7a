/*
 * processed.c — /api/v1/stats/processed: a processor run over the caller's
 * stats (an admin's: everyone's), and /processed/list, the processors known.
 *
 * The processor and its parameters are checked against the registry
 * (src/processors/registry.c) before anything is read.
 */
#include <string.h>

#include "api/api.h"
#include "processors/processor.h"
#include "util/json.h"

enum processed_param {
    P_TYPE, P_PROCESSOR, P_PROCESSOR_PARAMS, P_ANRS, P_DATE_FROM, P_DATE_TO, P_LOCAL_STATS_ONLY,
    P_COUNT
};

static const struct param_spec processed_params[P_COUNT] = {
    [P_TYPE] = {"type", PARAM_STATS_TYPE},
    [P_PROCESSOR] = {"processor", PARAM_STRING},
    [P_PROCESSOR_PARAMS] = {"processor_params", PARAM_JSON},
    [P_ANRS] = {"anrs", PARAM_UUID_LIST},
    [P_DATE_FROM] = {"date_from", PARAM_DATE},
    [P_DATE_TO] = {"date_to", PARAM_DATE},
    [P_LOCAL_STATS_ONLY] = {"local_stats_only", PARAM_BOOL},
};

/* The processor named by the request, made for its type; NULL with a 400 answer otherwise. */
static const struct processor *requested_processor(struct request *req, const struct param_value *v)
{
    struct error_list errs = ERROR_LIST_INIT;
    if (!v[P_TYPE].present)
        error_list_add(&errs, "type", "Is required.");
    if (!v[P_PROCESSOR].present)
        error_list_add(&errs, "processor", "Is required.");
    if (errs.count) {
        reply_error(req, 400, "Invalid parameters.", &errs);
        error_list_free(&errs);
        return NULL;
    }
    enum stats_type type = v[P_TYPE].type;
    const struct processor *p = processor_find(v[P_PROCESSOR].string);
    if (!p) {
        buf names = BUF_INIT;
        processor_names_of_type(type, &names);
        reply_errorf(req, 400, "Unknown processor '%.64s'. Processors for type '%s': %s.",
                     v[P_PROCESSOR].string, stats_type_name(type), names.data ? names.data : "none");
        buf_free(&names);
        return NULL;
    }
    if (p->type != type) {
        reply_errorf(req, 400, "Processor '%s' can not be used with type '%s'.", p->name,
                     stats_type_name(type));
        return NULL;
    }
    return p;
}

static void get_processed(struct request *req)
{
    struct param_value v[P_COUNT] = {0};
    struct error_list errs = ERROR_LIST_INIT;
    struct processor_args args;
    const struct processor *p;
    if (!request_params(req, processed_params, P_COUNT, v) || !(p = requested_processor(req, v)))
        goto out;
    if (!processor_parse_args(p, v[P_PROCESSOR_PARAMS].json, &args, &errs)) {
        reply_error(req, 400, "Invalid processor_params.", &errs);
        goto out;
    }

    struct stats_filter f = {0};
    f.client_id = req->client.role == CLIENT_ROLE_ADMIN ? 0 : req->client.id;
    f.local_only = v[P_LOCAL_STATS_ONLY].present && v[P_LOCAL_STATS_ONLY].boolean;
    f.has_type = true;
    f.type = p->type;
    f.anrs = (const char *const *)v[P_ANRS].list;
    f.n_anrs = v[P_ANRS].list_len;
    if (v[P_DATE_FROM].present)
        memcpy(f.date_from, v[P_DATE_FROM].date, DATE_STR_LEN);
    if (v[P_DATE_TO].present)
        memcpy(f.date_to, v[P_DATE_TO].date, DATE_STR_LEN);

    struct json_writer w;
    reply_json_begin(req, &w);
    jw_object_begin(&w);
    jw_member_string(&w, "type", stats_type_name(p->type));
    jw_member_string(&w, "processor", p->name);
    jw_key(&w, "data");
    enum store_rc rc = store_read_begin(req->store);
    if (rc == STORE_OK) {
        rc = p->run(req->store, &f, &args, &w);
        store_read_end(req->store);
    }
    if (rc != STORE_OK) {
        reply_store_error(req, "processed stats");
        goto out;
    }
    jw_object_end(&w);
    reply_json_end(req, &w, 200);
out:
    error_list_free(&errs);
    params_free(v, P_COUNT);
}

static void list_processors(struct request *req)
{
    struct json_writer w;
    reply_json_begin(req, &w);
    processor_list_json(&w);
    reply_json_end(req, &w, 200);
}

const struct route api_processed_routes[] = {
    {"GET", "/api/v1/stats/processed", get_processed, ROUTE_UA_GATE | ROUTE_AUTH},
    {"GET", "/api/v1/stats/processed/list", list_processors, ROUTE_UA_GATE},
};
const size_t api_processed_routes_count = sizeof api_processed_routes / sizeof api_processed_routes[0];
