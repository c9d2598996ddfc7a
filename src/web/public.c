/*
 * public.c — the public stats JSON (stats_bp): /stats/<kind>.json, a
 * processor over the stats of every client that shares them, no
 * authentication, served from the answer cache (answer_cache.h).
 *
 * Parameters: processor (one made for the route's type), days (the stats
 * dated today − days … today; 365 by default), last_stats (instead of days:
 * the latest stats of every analysis), local_stats_only.  The answer is the
 * processor's output; processors only ever write aggregates, so no client
 * name, token or analysis id can appear in it.
 */
#include <stdio.h>
#include <string.h>

#include "processors/processor.h"
#include "web/answer_cache.h"
#include "web/web.h"

#define DEFAULT_DAYS 365
#define MAX_DAYS 36500

enum public_param { P_PROCESSOR, P_DAYS, P_LAST_STATS, P_LOCAL_STATS_ONLY, P_COUNT };

static const struct param_spec public_params[P_COUNT] = {
    [P_PROCESSOR] = {"processor", PARAM_STRING},
    [P_DAYS] = {"days", PARAM_INT},
    [P_LAST_STATS] = {"last_stats", PARAM_BOOL},
    [P_LOCAL_STATS_ONLY] = {"local_stats_only", PARAM_BOOL},
};

/* The processor asked for, or the route's default; NULL with a 400 answer. */
static const struct processor *chosen_processor(struct request *req, const struct param_value *v,
                                                enum stats_type type, const char *default_name)
{
    const char *name = v[P_PROCESSOR].present ? v[P_PROCESSOR].string : default_name;
    const struct processor *p = processor_find(name);
    if (p && p->type == type)
        return p;
    buf names = BUF_INIT;
    processor_names_of_type(type, &names);
    if (p)
        reply_errorf(req, 400, "Processor '%s' can not be used with type '%s'.", p->name,
                     stats_type_name(type));
    else
        reply_errorf(req, 400, "Unknown processor '%.64s'. Processors for type '%s': %s.", name,
                     stats_type_name(type), names.data ? names.data : "none");
    buf_free(&names);
    return NULL;
}

static void serve_public(struct request *req, enum stats_type type, const char *default_processor)
{
    struct param_value v[P_COUNT] = {0};
    const struct processor *p;
    if (!request_params(req, public_params, P_COUNT, v) ||
        !(p = chosen_processor(req, v, type, default_processor)))
        goto out;
    int64_t days = v[P_DAYS].present ? v[P_DAYS].integer : DEFAULT_DAYS;
    if (days > MAX_DAYS) {
        reply_errorf(req, 400, "days must be at most %d.", MAX_DAYS);
        goto out;
    }

    struct stats_filter f = {0};
    f.sharing_only = true;
    f.local_only = v[P_LOCAL_STATS_ONLY].present && v[P_LOCAL_STATS_ONLY].boolean;
    f.get_last = v[P_LAST_STATS].present && v[P_LAST_STATS].boolean;
    f.has_type = true;
    f.type = type;
    date_today(f.date_to);
    date_add_days(f.date_to, (int)-days, f.date_from);

    /* The key names what the answer depends on; "today" moves a window of days. */
    buf key = BUF_INIT;
    if (f.get_last)
        buf_printf(&key, "%s|%s|last|%d", req->path, p->name, f.local_only);
    else
        buf_printf(&key, "%s|%s|%s|%lld|%d", req->path, p->name, f.date_to, (long long)days, f.local_only);
    struct stats_versions versions;
    struct processor_args args;
    processor_args_default(&args);
    if (store_stats_versions(req->store, &versions) != STORE_OK) {
        reply_store_error(req, "public stats versions");
    } else if (!answer_cache_serve(req, key.data, ANSWER_TYPE(type), &versions)) {
        struct json_writer w;
        reply_json_begin(req, &w);
        if (p->run(req->store, &f, &args, &w) != STORE_OK) {
            reply_store_error(req, "public stats");
        } else {
            reply_json_end(req, &w, 200);
            answer_cache_store(req, key.data, &versions);
        }
    }
    buf_free(&key);
out:
    params_free(v, P_COUNT);
}

static void threats(struct request *req)
{
    serve_public(req, STATS_THREAT, "threat_average_on_date");
}

static void vulnerabilities(struct request *req)
{
    serve_public(req, STATS_VULNERABILITY, "vulnerability_average_on_date");
}

static void risks(struct request *req)
{
    serve_public(req, STATS_RISK, "risk_averages");
}

static void cartography(struct request *req)
{
    serve_public(req, STATS_CARTOGRAPHY, "cartography_totals");
}

static void compliance(struct request *req)
{
    serve_public(req, STATS_COMPLIANCE, "compliance_averages");
}

const struct route web_public_routes[] = {
    {"GET", "/stats/threats.json", threats, ROUTE_PUBLIC},
    {"GET", "/stats/vulnerabilities.json", vulnerabilities, ROUTE_PUBLIC},
    {"GET", "/stats/risks.json", risks, ROUTE_PUBLIC},
    {"GET", "/stats/cartography.json", cartography, ROUTE_PUBLIC},
    {"GET", "/stats/compliance.json", compliance, ROUTE_PUBLIC},
};
const size_t web_public_routes_count = sizeof web_public_routes / sizeof web_public_routes[0];
