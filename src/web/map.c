/*
 * map.c — /map/clients.json (map_bp): one marker per client that has
 * coordinates, shares its stats, and has threat and vulnerability stats.
 *
 * Over the latest stats of each of the client's analyses, its top threat and
 * top vulnerability are those with the highest mean `count` (ties: the
 * smallest uuid), given as [mean count, uuid] with their labels.  No client
 * name or analysis id is written.  Served from the answer cache.
 */
#include <stdlib.h>
#include <string.h>

#include "processors/processor.h"
#include "web/answer_cache.h"
#include "web/web.h"

#define MAP_KEY "map|clients"

/* A client's top object of one type. */
struct top {
    int64_t client_id;
    const char *object;  /* borrowed from the totals */
    double mean;
};

/* The top object of each client, from totals sorted by client then object. */
static struct top *tops_of(const struct object_client_totals *t, size_t *n_out)
{
    struct top *tops = xcalloc(t->count ? t->count : 1, sizeof *tops);
    size_t n = 0;
    for (size_t i = 0; i < t->count; i++) {
        const struct object_client_total *x = &t->items[i];
        double mean = decimal_mean(x->count, x->n);
        if (n == 0 || tops[n - 1].client_id != x->client_id)
            tops[n++] = (struct top){x->client_id, x->object, mean};
        else if (mean > tops[n - 1].mean) /* strictly: the first (smallest uuid) wins ties */
            tops[n - 1] = (struct top){x->client_id, x->object, mean};
    }
    *n_out = n;
    return tops;
}

static const struct top *top_of_client(const struct top *tops, size_t n, int64_t client_id)
{
    for (size_t i = 0; i < n; i++)
        if (tops[i].client_id == client_id)
            return &tops[i];
    return NULL;
}

/* The selection of one client's latest stats of a type. */
static struct stats_filter latest_of(int64_t client_id, enum stats_type type)
{
    struct stats_filter f = {0};
    f.client_id = client_id;
    f.sharing_only = true;
    f.has_type = true;
    f.type = type;
    f.get_last = true;
    return f;
}

/* The labels of a client's top object, from its most recent occurrence in the selection. */
static enum store_rc top_labels(struct store *s, enum stats_type type, const struct top *top,
                                struct labels *out)
{
    struct stats_filter f = latest_of(top->client_id, type);
    struct object_latest object = {top->object, ""};
    return store_object_labels(s, &f, &object, 1, out);
}

/* [mean, uuid] */
static void write_top(struct json_writer *out, const struct top *top)
{
    jw_array_begin(out);
    jw_double(out, top->mean);
    jw_string(out, top->object);
    jw_array_end(out);
}

static enum store_rc write_marker(struct store *s, struct json_writer *out, const struct client *c,
                                  const struct top *threat, const struct top *vulnerability)
{
    struct labels threat_labels, vulnerability_labels;
    enum store_rc rc = top_labels(s, STATS_THREAT, threat, &threat_labels);
    if (rc != STORE_OK)
        return rc;
    rc = top_labels(s, STATS_VULNERABILITY, vulnerability, &vulnerability_labels);
    if (rc != STORE_OK) {
        labels_free(&threat_labels);
        return rc;
    }
    jw_object_begin(out);
    jw_member_double(out, "latitude", c->latitude);
    jw_member_double(out, "longitude", c->longitude);
    jw_key(out, "max_threat");
    write_top(out, threat);
    jw_key(out, "max_vulnerability");
    write_top(out, vulnerability);
    jw_key(out, "max_threat_labels");
    processor_labels_json(out, &threat_labels);
    jw_key(out, "max_vulnerability_labels");
    processor_labels_json(out, &vulnerability_labels);
    jw_object_end(out);
    labels_free(&threat_labels);
    labels_free(&vulnerability_labels);
    return STORE_OK;
}

struct map_data {
    struct client_list clients;
    struct object_client_totals threats, vulnerabilities;
};

static enum store_rc load(struct store *s, struct map_data *m)
{
    struct stats_filter threats = latest_of(0, STATS_THREAT);
    struct stats_filter vulnerabilities = latest_of(0, STATS_VULNERABILITY);
    enum store_rc rc = store_client_list(s, &m->clients);
    if (rc == STORE_OK)
        rc = store_object_client_totals(s, &threats, &m->threats);
    if (rc == STORE_OK)
        rc = store_object_client_totals(s, &vulnerabilities, &m->vulnerabilities);
    return rc;
}

static enum store_rc write_markers(struct store *s, const struct map_data *m, struct json_writer *out)
{
    size_t n_threats, n_vulnerabilities;
    struct top *threats = tops_of(&m->threats, &n_threats);
    struct top *vulnerabilities = tops_of(&m->vulnerabilities, &n_vulnerabilities);
    enum store_rc rc = STORE_OK;
    jw_array_begin(out);
    for (size_t i = 0; i < m->clients.count && rc == STORE_OK; i++) {
        const struct client *c = &m->clients.items[i];
        const struct top *t = top_of_client(threats, n_threats, c->id);
        const struct top *v = top_of_client(vulnerabilities, n_vulnerabilities, c->id);
        if (!c->has_coordinates || !c->is_sharing_enabled || !t || !v)
            continue;
        rc = write_marker(s, out, c, t, v);
    }
    jw_array_end(out);
    free(threats);
    free(vulnerabilities);
    return rc;
}

static void map_clients(struct request *req)
{
    if (!request_params(req, NULL, 0, NULL))
        return;
    struct stats_versions versions;
    unsigned types = ANSWER_TYPE(STATS_THREAT) | ANSWER_TYPE(STATS_VULNERABILITY);
    if (store_stats_versions(req->store, &versions) != STORE_OK) {
        reply_store_error(req, "map versions");
        return;
    }
    if (answer_cache_serve(req, MAP_KEY, types, &versions))
        return;
    struct map_data m = {0};
    struct json_writer w;
    reply_json_begin(req, &w);
    enum store_rc rc = load(req->store, &m);
    if (rc == STORE_OK)
        rc = write_markers(req->store, &m, &w);
    if (rc != STORE_OK) {
        reply_store_error(req, "map clients");
    } else {
        reply_json_end(req, &w, 200);
        answer_cache_store(req, MAP_KEY, &versions);
    }
    client_list_free(&m.clients);
    object_client_totals_free(&m.threats);
    object_client_totals_free(&m.vulnerabilities);
}

const struct route web_map_data_routes[] = {
    {"GET", "/map/clients.json", map_clients, ROUTE_PUBLIC},
};
const size_t web_map_data_routes_count = sizeof web_map_data_routes / sizeof web_map_data_routes[0];
