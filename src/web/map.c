/*
 * map.c — /map/clients.json (map_bp): the organisations that share their
 * stats, have coordinates and threat and vulnerability stats, grouped into
 * areas of at least MIN_ORGANISATIONS of them (processors/areas.h): one
 * marker per area, never per organisation unless the floor is 1.
 *
 * Over the latest stats of each analysis of the area's organisations, its top
 * threat and top vulnerability are those with the highest mean `count` (ties:
 * the smallest uuid) among the objects at least MIN_ORGANISATIONS of them
 * name, given as [mean count, uuid] with the labels of the organisation whose
 * mean for it is highest; null when no object is named by enough of them.
 * No client name, position of a single organisation (below a floor of 1) or
 * analysis id is written.  Served from the answer cache.
 */
#include <stdlib.h>
#include <string.h>

#include "processors/areas.h"
#include "processors/processor.h"
#include "store/facts/objects.h"
#include "web/answer_cache.h"
#include "web/web.h"

#define MAP_KEY "map|clients"

/* Where a client's rows are in per-client totals (sorted by client, then object). */
struct client_rows {
    size_t begin, end;
};

/* rows[i] = the range of clients->items[i]'s rows in t; clients in any order. */
static void rows_of_clients(const struct object_client_totals *t, const struct client_list *clients,
                            struct client_rows *rows)
{
    for (size_t i = 0; i < clients->count; i++) {
        int64_t id = clients->items[i].id;
        size_t lo = 0, hi = t->count;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (t->items[mid].client_id < id)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t end = lo;
        while (end < t->count && t->items[end].client_id == id)
            end++;
        rows[i] = (struct client_rows){lo, end};
    }
}

/* One organisation's figures for one object. */
struct member_row {
    const struct object_client_total *row;
    double mean;
};

static int compare_member_rows(const void *a, const void *b)
{
    const struct member_row *x = a, *y = b;
    int c = strcmp(x->row->object, y->row->object);
    if (c)
        return c;
    if (x->mean != y->mean)
        return x->mean > y->mean ? -1 : 1;   /* the highest mean first: its labels are shown */
    return x->row->client_id < y->row->client_id ? -1 : x->row->client_id > y->row->client_id;
}

/* An area's top object of one type: the object, its mean over the area, and
 * the organisation whose labels name it.  object NULL: none qualifies. */
struct area_top {
    const char *object;         /* borrowed from the totals */
    double mean;
    int64_t labels_client_id;
};

static struct area_top top_of_area(const struct object_client_totals *t, const struct client_rows *rows,
                                   const struct area *a, size_t min_organisations)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n_members; i++) {
        const struct client_rows *r = &rows[a->members[i]];
        n += r->end - r->begin;
    }
    struct member_row *m = xcalloc(n ? n : 1, sizeof *m);
    n = 0;
    for (size_t i = 0; i < a->n_members; i++) {
        const struct client_rows *r = &rows[a->members[i]];
        for (size_t j = r->begin; j < r->end; j++)
            m[n++] = (struct member_row){&t->items[j], decimal_mean(t->items[j].count, t->items[j].n)};
    }
    qsort(m, n, sizeof *m, compare_member_rows);
    struct area_top top = {0};
    for (size_t start = 0, end; start < n; start = end) {
        struct decimal count = {0};
        int64_t stats = 0;
        for (end = start; end < n && strcmp(m[end].row->object, m[start].row->object) == 0; end++) {
            decimal_add(&count, m[end].row->count);
            stats += m[end].row->n;
        }
        if (end - start < min_organisations)  /* one row per organisation and object */
            continue;
        double mean = decimal_mean(count, stats);
        if (!top.object || mean > top.mean) /* strictly: the first (smallest uuid) wins ties */
            top = (struct area_top){m[start].row->object, mean, m[start].row->client_id};
    }
    free(m);
    return top;
}

/* The selection of the latest stats of a type: of one client, or of all (0). */
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

/* [mean, uuid], or null when no object qualifies. */
static void write_top(struct json_writer *out, const struct area_top *top)
{
    if (!top->object) {
        jw_null(out);
        return;
    }
    jw_array_begin(out);
    jw_double(out, top->mean);
    jw_string(out, top->object);
    jw_array_end(out);
}

/* The labels of the top object's most recent occurrence in the latest stats
 * of the organisation chosen for it; null when there is no top. */
static enum store_rc write_top_labels(struct store *s, struct json_writer *out, enum stats_type type,
                                      const struct area_top *top)
{
    if (!top->object) {
        jw_null(out);
        return STORE_OK;
    }
    struct stats_filter f = latest_of(top->labels_client_id, type);
    struct object_latest object = {top->object, ""};
    struct labels labels;
    enum store_rc rc = store_object_labels(s, &f, &object, 1, &labels);
    if (rc != STORE_OK)
        return rc;
    processor_labels_json(out, &labels);
    labels_free(&labels);
    return STORE_OK;
}

struct map_data {
    struct client_list clients;
    struct object_client_totals threats, vulnerabilities;
    /* The clients on the map (sharing, positioned, with both types of stats): */
    size_t n_shown;
    struct area_point *shown_points;
    struct client_rows *threat_rows, *vulnerability_rows;
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

static void select_shown(struct map_data *m)
{
    size_t n = m->clients.count;
    m->shown_points = xcalloc(n ? n : 1, sizeof *m->shown_points);
    m->threat_rows = xcalloc(n ? n : 1, sizeof *m->threat_rows);
    m->vulnerability_rows = xcalloc(n ? n : 1, sizeof *m->vulnerability_rows);
    struct client_rows *t = xcalloc(n ? n : 1, sizeof *t), *v = xcalloc(n ? n : 1, sizeof *v);
    rows_of_clients(&m->threats, &m->clients, t);
    rows_of_clients(&m->vulnerabilities, &m->clients, v);
    for (size_t i = 0; i < n; i++) {
        const struct client *c = &m->clients.items[i];
        if (!c->has_coordinates || !c->is_sharing_enabled || t[i].begin == t[i].end || v[i].begin == v[i].end)
            continue;
        size_t k = m->n_shown++;
        m->shown_points[k] = (struct area_point){c->latitude, c->longitude};
        m->threat_rows[k] = t[i];
        m->vulnerability_rows[k] = v[i];
    }
    free(t);
    free(v);
}

static void map_data_free(struct map_data *m)
{
    client_list_free(&m->clients);
    object_client_totals_free(&m->threats);
    object_client_totals_free(&m->vulnerabilities);
    free(m->shown_points);
    free(m->threat_rows);
    free(m->vulnerability_rows);
}

static enum store_rc write_areas(struct store *s, struct map_data *m, size_t min_organisations,
                                 struct json_writer *out)
{
    select_shown(m);
    struct area_list areas;
    areas_group(m->shown_points, m->n_shown, min_organisations, &areas);
    enum store_rc rc = STORE_OK;
    jw_array_begin(out);
    /* On a store error the answer is dropped half-written: nothing more goes in. */
    for (size_t i = 0; i < areas.count && rc == STORE_OK; i++) {
        const struct area *a = &areas.items[i];
        struct area_top threat = top_of_area(&m->threats, m->threat_rows, a, min_organisations);
        struct area_top vulnerability = top_of_area(&m->vulnerabilities, m->vulnerability_rows, a,
                                                    min_organisations);
        jw_object_begin(out);
        jw_member_double(out, "latitude", a->latitude);
        jw_member_double(out, "longitude", a->longitude);
        jw_key(out, "max_threat");
        write_top(out, &threat);
        jw_key(out, "max_vulnerability");
        write_top(out, &vulnerability);
        jw_key(out, "max_threat_labels");
        rc = write_top_labels(s, out, STATS_THREAT, &threat);
        if (rc != STORE_OK)
            break;
        jw_key(out, "max_vulnerability_labels");
        rc = write_top_labels(s, out, STATS_VULNERABILITY, &vulnerability);
        if (rc != STORE_OK)
            break;
        jw_member_int(out, "organisations", (int64_t)a->n_members);
        jw_object_end(out);
    }
    if (rc == STORE_OK)
        jw_array_end(out);
    area_list_free(&areas);
    return rc;
}

static void map_clients(struct request *req)
{
    if (!request_params(req, NULL, 0, NULL))
        return;
    struct stats_versions versions;
    unsigned types = ANSWER_TYPE(STATS_THREAT) | ANSWER_TYPE(STATS_VULNERABILITY);
    if (!req->store || store_stats_versions(req->store, &versions) != STORE_OK) {
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
        rc = write_areas(req->store, &m, (size_t)req->cfg->min_organisations, &w);
    if (rc != STORE_OK) {
        reply_store_error(req, "map clients");
    } else {
        reply_json_end(req, &w, 200);
        answer_cache_store(req, MAP_KEY, &versions);
    }
    map_data_free(&m);
}

const struct route web_map_data_routes[] = {
    {"GET", "/map/clients.json", map_clients, ROUTE_PUBLIC},
};
const size_t web_map_data_routes_count = sizeof web_map_data_routes / sizeof web_map_data_routes[0];
