/*
 * evolution.c — the public evolution JSON (stats_bp):
 * /stats/evolution/threat.json and /stats/evolution/vulnerability.json, the
 * landscape of the objects asked for as of each date of a period, and
 * /stats/evolution/risk.json, that of the risk levels (processors/evolution.h,
 * docs/api.md), from the answer cache.
 *
 * Parameters: objects (threats, vulnerabilities: 1 … 20 uuids, required),
 * risks_type and risks_state (risks: the kinds and states written, both by
 * default), date_from and date_to (a year up to today by default), step (day,
 * week or month; week by default), local_stats_only.  The window
 * (EVOLUTION_WINDOW) and the privacy floor (MIN_ORGANISATIONS) come from the
 * configuration.
 */
#include <stdlib.h>
#include <string.h>

#include "processors/evolution.h"
#include "processors/risk_cells.h"
#include "web/answer_cache.h"
#include "web/web.h"

/* A year of points by default, the last one today. */
#define DEFAULT_DAYS 364

enum evolution_param {
    P_OBJECTS, P_DATE_FROM, P_DATE_TO, P_STEP, P_LOCAL_STATS_ONLY, P_RISKS_TYPE, P_RISKS_STATE, P_COUNT
};

/* The objects' routes read the first five, the risks' route all but objects. */
static const struct param_spec evolution_params[P_COUNT] = {
    [P_OBJECTS] = {"objects", PARAM_UUID_LIST},
    [P_DATE_FROM] = {"date_from", PARAM_DATE},
    [P_DATE_TO] = {"date_to", PARAM_DATE},
    [P_STEP] = {"step", PARAM_STRING},
    [P_LOCAL_STATS_ONLY] = {"local_stats_only", PARAM_BOOL},
    [P_RISKS_TYPE] = {"risks_type", PARAM_STRING},
    [P_RISKS_STATE] = {"risks_state", PARAM_STRING},
};

static int compare_uuids(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool read_period(struct request *req, struct param_value *v, struct evolution_query *q);

/* The risks' kinds and states (both of each by default); false with a 400 answer. */
static bool read_risk_words(struct request *req, struct param_value *v, struct evolution_query *q)
{
    q->risk_kinds = q->risk_states = 3u;
    if (v[P_RISKS_TYPE].present && !evolution_risk_words(v[P_RISKS_TYPE].string, RISK_KINDS, &q->risk_kinds)) {
        reply_errorf(req, 400, "risks_type: informational, operational, or both separated by a comma.");
        return false;
    }
    if (v[P_RISKS_STATE].present && !evolution_risk_words(v[P_RISKS_STATE].string, RISK_STATES, &q->risk_states)) {
        reply_errorf(req, 400, "risks_state: current, residual, or both separated by a comma.");
        return false;
    }
    return true;
}

/* The query the parameters ask for; false with a 400 answer. */
static bool read_query(struct request *req, struct param_value *v, enum stats_type type,
                       struct evolution_query *q)
{
    *q = (struct evolution_query){.type = type, .step = EVOLUTION_WEEK,
                                  .window_days = req->cfg->evolution_window,
                                  .min_organisations = req->cfg->min_organisations};
    if (type == STATS_RISK)
        return read_risk_words(req, v, q) && read_period(req, v, q);
    if (!v[P_OBJECTS].present || v[P_OBJECTS].list_len == 0) {
        reply_errorf(req, 400, "objects is required: 1 to %d %s uuids separated by commas "
                               "(the landscape, /stats/%s.json, lists them).",
                     EVOLUTION_MAX_OBJECTS, stats_type_name(type),
                     type == STATS_THREAT ? "threats" : "vulnerabilities");
        return false;
    }
    /* Sorted and distinct: the answer and its cache key do not depend on the order asked. */
    qsort(v[P_OBJECTS].list, v[P_OBJECTS].list_len, sizeof *v[P_OBJECTS].list, compare_uuids);
    size_t n = 0;
    for (size_t i = 0; i < v[P_OBJECTS].list_len; i++)
        if (n == 0 || strcmp(v[P_OBJECTS].list[n - 1], v[P_OBJECTS].list[i]) != 0)
            v[P_OBJECTS].list[n++] = v[P_OBJECTS].list[i];
        else
            free(v[P_OBJECTS].list[i]);
    v[P_OBJECTS].list_len = n;
    if (n > EVOLUTION_MAX_OBJECTS) {
        reply_errorf(req, 400, "objects: at most %d at once.", EVOLUTION_MAX_OBJECTS);
        return false;
    }
    q->objects = (const char *const *)v[P_OBJECTS].list;
    q->n_objects = n;
    return read_period(req, v, q);
}

/* The period, its step and the clients; false with a 400 answer. */
static bool read_period(struct request *req, struct param_value *v, struct evolution_query *q)
{
    if (v[P_STEP].present && !evolution_step_parse(v[P_STEP].string, &q->step)) {
        reply_errorf(req, 400, "step must be day, week or month.");
        return false;
    }
    if (v[P_DATE_TO].present)
        memcpy(q->date_to, v[P_DATE_TO].date, DATE_STR_LEN);
    else
        date_today(q->date_to);
    if (v[P_DATE_FROM].present)
        memcpy(q->date_from, v[P_DATE_FROM].date, DATE_STR_LEN);
    else
        date_add_days(q->date_to, -DEFAULT_DAYS, q->date_from);
    if (strcmp(q->date_from, q->date_to) > 0) {
        reply_errorf(req, 400, "date_from (%s) is after date_to (%s).", q->date_from, q->date_to);
        return false;
    }
    if (evolution_points(q, NULL, EVOLUTION_MAX_POINTS) > EVOLUTION_MAX_POINTS) {
        reply_errorf(req, 400, "At most %d points: a shorter period or a longer step.",
                     EVOLUTION_MAX_POINTS);
        return false;
    }
    q->local_only = v[P_LOCAL_STATS_ONLY].present && v[P_LOCAL_STATS_ONLY].boolean;
    return true;
}

static void serve_evolution(struct request *req)
{
    enum stats_type type = strstr(req->route, "/threat.json")  ? STATS_THREAT
                           : strstr(req->route, "/risk.json") ? STATS_RISK
                                                              : STATS_VULNERABILITY;
    struct param_value v[P_COUNT] = {0};
    struct evolution_query q;
    /* Each route knows its own parameters only: objects is unknown to the risks', risks_* to the others'. */
    size_t first = type == STATS_RISK ? P_DATE_FROM : P_OBJECTS;
    size_t count = type == STATS_RISK ? P_COUNT - P_DATE_FROM : P_RISKS_TYPE;
    if (!request_params(req, evolution_params + first, count, v + first) || !read_query(req, v, type, &q)) {
        params_free(v, P_COUNT);
        return;
    }
    /* The key names what the answer depends on, objects or cells included. */
    buf key = BUF_INIT;
    buf_printf(&key, "%s|%s|%s|%d|%d|%u|%u", req->path, q.date_from, q.date_to, (int)q.step, q.local_only,
               q.risk_states, q.risk_kinds);
    for (size_t i = 0; i < q.n_objects; i++)
        buf_printf(&key, "|%s", q.objects[i]);
    struct stats_versions versions;
    if (!req->store || store_stats_versions(req->store, &versions) != STORE_OK) {
        reply_store_error(req, "evolution versions");
    } else if (!answer_cache_serve(req, key.data, ANSWER_TYPE(type), &versions)) {
        struct json_writer w;
        reply_json_begin(req, &w);
        enum store_rc rc = type == STATS_RISK ? evolution_risk_write(req->store, &q, &w)
                                              : evolution_write(req->store, &q, &w);
        if (rc != STORE_OK) {
            reply_store_error(req, "evolution");
        } else {
            reply_json_end(req, &w, 200);
            answer_cache_store(req, key.data, &versions);
        }
    }
    buf_free(&key);
    params_free(v, P_COUNT);
}

const struct route web_evolution_routes[] = {
    {"GET", "/stats/evolution/threat.json", serve_evolution, ROUTE_PUBLIC},
    {"GET", "/stats/evolution/vulnerability.json", serve_evolution, ROUTE_PUBLIC},
    {"GET", "/stats/evolution/risk.json", serve_evolution, ROUTE_PUBLIC},
};
const size_t web_evolution_routes_count = sizeof web_evolution_routes / sizeof web_evolution_routes[0];
