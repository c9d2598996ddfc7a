/*
 * public.c — the public stats JSON (stats_bp): /stats/<kind>.json, a
 * processor over the stats of every client that shares them, no
 * authentication, served from the answer cache (answer_cache.h).
 *
 * The routes come from the table of stats kinds: one per kind with a public
 * name (kind.h), in their public order, and the processor run by default is
 * the one of the kind's type marked public_default (processors/registry.c).
 *
 * Parameters: processor (one made for the route's type), days (the stats
 * dated today − days … today; 365 by default), last_stats (instead of days:
 * the latest stats of every analysis), local_stats_only, min_analyses (items
 * of a list resting on fewer analyses are left out; MIN_ORGANISATIONS by
 * default).  The answer is the processor's output seen through the public
 * view (processor.h, docs/privacy.md): nothing resting on fewer than
 * MIN_ORGANISATIONS organisations, sample sizes on every item and figure.
 * Processors only ever write aggregates, so no client name, token or
 * analysis id can appear in it.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "processors/processor.h"
#include "stats/kind.h"
#include "web/answer_cache.h"
#include "web/web.h"

#define DEFAULT_DAYS 365
#define MAX_DAYS 36500

/* min_analyses: an item of a list resting on fewer analyses is left out. */
#define MAX_MIN_ANALYSES 1000000

enum public_param { P_PROCESSOR, P_DAYS, P_LAST_STATS, P_LOCAL_STATS_ONLY, P_MIN_ANALYSES, P_COUNT };

static const struct param_spec public_params[P_COUNT] = {
    [P_PROCESSOR] = {"processor", PARAM_STRING},
    [P_DAYS] = {"days", PARAM_INT},
    [P_LAST_STATS] = {"last_stats", PARAM_BOOL},
    [P_LOCAL_STATS_ONLY] = {"local_stats_only", PARAM_BOOL},
    [P_MIN_ANALYSES] = {"min_analyses", PARAM_INT},
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

/* The routes, built once from the kinds' table: patterns and the kind each serves. */
#define PUBLIC_PATTERN_LEN 64
static struct route routes[STATS_TYPE_COUNT];
static char patterns[STATS_TYPE_COUNT][PUBLIC_PATTERN_LEN];
static enum stats_type types[STATS_TYPE_COUNT];
static size_t n_routes;
static pthread_once_t routes_once = PTHREAD_ONCE_INIT;

static void serve_public(struct request *req);

static void build_routes(void)
{
    const struct stats_kind *sorted[STATS_TYPE_COUNT];
    size_t n = 0;
    for (size_t i = 0; i < stats_kind_count() && n < STATS_TYPE_COUNT; i++) {
        const struct stats_kind *k = stats_kind_at(i);
        if (!k->public_name)
            continue;
        size_t at = n++; /* insertion in public order: a handful of kinds */
        while (at > 0 && sorted[at - 1]->public_order > k->public_order) {
            sorted[at] = sorted[at - 1];
            at--;
        }
        sorted[at] = k;
    }
    for (size_t i = 0; i < n; i++) {
        int len = snprintf(patterns[i], PUBLIC_PATTERN_LEN, "/stats/%s.json", sorted[i]->public_name);
        assert(len > 0 && len < PUBLIC_PATTERN_LEN);
        (void)len;
        types[i] = sorted[i]->type;
        routes[i] = (struct route){"GET", patterns[i], serve_public, ROUTE_PUBLIC};
    }
    n_routes = n;
}

const struct route *web_public_routes(size_t *count)
{
    pthread_once(&routes_once, build_routes);
    *count = n_routes;
    return routes;
}

enum store_rc web_public_run(struct request *req, const struct processor *p, const struct stats_filter *f,
                             int64_t days, int64_t min_analyses, struct json_writer *w)
{
    struct item_supports items = {0}, previous_items = {0};
    struct public_view view = {.min_organisations = req->cfg->min_organisations,
                               .min_analyses = min_analyses, .items = &items};
    /* Trends: the days + 1 dates just before the selection's (none for last_stats). */
    struct stats_filter previous = *f;
    if (!f->get_last) {
        date_add_days(f->date_from, -1, previous.date_to);
        date_add_days(previous.date_to, (int)-days, previous.date_from);
        view.previous = &previous;
        view.previous_items = &previous_items;
    }
    struct processor_args args;
    processor_args_default(&args);
    args.view = &view;
    /* One snapshot: the sample sizes and the floor are those of the figures. */
    enum store_rc rc = store_read_begin(req->store);
    if (rc != STORE_OK)
        return rc;
    rc = store_selection_support(req->store, f, &view.whole);
    if (rc == STORE_OK)
        rc = store_item_support(req->store, f, &items);
    if (rc == STORE_OK && view.previous)
        rc = store_item_support(req->store, &previous, &previous_items);
    if (rc == STORE_OK)
        rc = p->run(req->store, f, &args, w);
    store_read_end(req->store);
    item_supports_free(&items);
    item_supports_free(&previous_items);
    return rc;
}

static void serve_public(struct request *req)
{
    /* The router hands over the pattern it matched: one of ours. */
    size_t route = 0;
    while (route < n_routes && req->route != patterns[route])
        route++;
    assert(route < n_routes);
    enum stats_type type = types[route];
    const struct processor *default_processor = processor_public_default(type);
    assert(default_processor); /* a kind with a public name has one */
    struct param_value v[P_COUNT] = {0};
    const struct processor *p;
    if (!request_params(req, public_params, P_COUNT, v) ||
        !(p = chosen_processor(req, v, type, default_processor->name)))
        goto out;
    int64_t days = v[P_DAYS].present ? v[P_DAYS].integer : DEFAULT_DAYS;
    if (days > MAX_DAYS) {
        reply_errorf(req, 400, "days must be at most %d.", MAX_DAYS);
        goto out;
    }
    /* By default an item needs as many analyses as the floor needs organisations:
     * no more than the floor asks already (each organisation has one at least). */
    int64_t min_analyses = v[P_MIN_ANALYSES].present ? v[P_MIN_ANALYSES].integer : req->cfg->min_organisations;
    if (min_analyses < 1 || min_analyses > MAX_MIN_ANALYSES) {
        reply_errorf(req, 400, "min_analyses must be between 1 and %d.", MAX_MIN_ANALYSES);
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
        buf_printf(&key, "%s|%s|last|%d|%lld", req->path, p->name, f.local_only, (long long)min_analyses);
    else
        buf_printf(&key, "%s|%s|%s|%lld|%d|%lld", req->path, p->name, f.date_to, (long long)days, f.local_only,
                   (long long)min_analyses);
    struct stats_versions versions;
    if (!req->store || store_stats_versions(req->store, &versions) != STORE_OK) {
        reply_store_error(req, "public stats versions");
    } else if (!answer_cache_serve(req, key.data, ANSWER_TYPE(type), &versions)) {
        struct json_writer w;
        reply_json_begin(req, &w);
        if (web_public_run(req, p, &f, days, min_analyses, &w) != STORE_OK) {
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
