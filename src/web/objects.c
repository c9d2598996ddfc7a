/*
 * objects.c — the object pages: GET /stats/object/<uuid>.json (stats_bp), one
 * threat or vulnerability as the landscape shows it, and GET /object/<uuid>
 * (root_bp), the page that draws it (web/pages/object.html, web/js/object.js).
 *
 * The figures are those of the landscape's default view — the latest stats of
 * each analysis of the clients that share their stats — under the privacy
 * floor (processors/object_profile.h): an object named by fewer than
 * MIN_ORGANISATIONS organisations (or analyses) answers 404 exactly like an
 * unknown uuid, so the answer never tells that some organisation named it.
 * The JSON is served from the answer cache (answer_cache.h) like the other
 * public answers; a 404 is not kept (it costs two sample-size reads).
 */
#include <assert.h>
#include <string.h>

#include "processors/object_profile.h"
#include "web/answer_cache.h"
#include "web/web.h"

/* The landscape's default scope: the latest stats of each sharing client's analyses. */
static void landscape_filter(struct stats_filter *f)
{
    *f = (struct stats_filter){0};
    f->sharing_only = true;
    f->get_last = true;
}

/* The 404 of an object not shown: the same for an unknown uuid and for one
 * under the floor.  The JSON names the object route (not "no such resource"),
 * a browser gets the 404 page. */
static void object_not_found(struct request *req, bool page)
{
    if (page)
        web_not_found_page(req);
    else
        reply_error(req, 404, "No public statistics for this object.", NULL);
}

/* The object a request names (the path's segment, any case), or false after a 404. */
static bool requested_object(struct request *req, bool page, char uuid[UUID_STR_LEN])
{
    if (uuid_normalize(req->path_params[0], uuid))
        return true;
    object_not_found(req, page);
    return false;
}

/* The profile of `uuid` in the landscape; false after answering (404 or 500). */
static bool find_profile(struct request *req, bool page, const char *uuid, struct object_profile *profile)
{
    if (!req->store) {
        reply_store_error(req, "object profile");
        return false;
    }
    struct stats_filter f;
    landscape_filter(&f);
    /* min_analyses at its default, as on the landscape: the floor itself. */
    struct public_view view = {.min_organisations = req->cfg->min_organisations,
                               .min_analyses = req->cfg->min_organisations};
    enum store_rc rc = object_profile_find(req->store, &f, &view, uuid, profile);
    if (rc == STORE_NOT_FOUND)
        object_not_found(req, page);
    else if (rc != STORE_OK)
        reply_store_error(req, "object profile");
    return rc == STORE_OK;
}

/* <MOSP_URL>/object/<uuid>, MOSP's page of the object (MOSP_URL is always
 * an http(s) URL: the configuration refuses anything else). */
static void mosp_link(const struct config *cfg, const char *uuid, buf *out)
{
    assert(cfg->mosp_url);
    size_t len = strlen(cfg->mosp_url);
    while (len > 0 && cfg->mosp_url[len - 1] == '/')
        len--;
    buf_printf(out, "%.*s/object/%s", (int)len, cfg->mosp_url, uuid);
}

static void write_profile(struct json_writer *w, const struct config *cfg, const char *uuid,
                          const struct object_profile *p)
{
    jw_object_begin(w);
    jw_member_string(w, "object", uuid);
    jw_member_string(w, "type", stats_type_name(p->type));
    jw_key(w, "labels");
    processor_labels_json(w, &p->labels);
    jw_key(w, "averages");
    jw_object_begin(w);
    jw_member_double(w, "count", p->averages.count);
    jw_member_double(w, "maxRisk", p->averages.max_risk);
    jw_member_double(w, "averageRate", p->averages.rate);
    jw_object_end(w);
    jw_member_int(w, "rank", (int64_t)p->rank);
    jw_member_int(w, "ranked", (int64_t)p->ranked);
    jw_member_int(w, "analyses", p->support.analyses);
    jw_member_int(w, "organisations", p->support.organisations);
    jw_member_string(w, "data_up_to", p->support.newest);
    buf mosp = BUF_INIT;
    mosp_link(cfg, uuid, &mosp);
    jw_member_string(w, "mosp_url", mosp.data);
    buf_free(&mosp);
    jw_object_end(w);
}

static void object_json(struct request *req)
{
    char uuid[UUID_STR_LEN];
    if (!request_params(req, NULL, 0, NULL) || !requested_object(req, false, uuid))
        return;
    buf key = BUF_INIT;
    buf_printf(&key, "object|%s", uuid);
    struct stats_versions versions;
    unsigned types = ANSWER_TYPE(STATS_THREAT) | ANSWER_TYPE(STATS_VULNERABILITY);
    struct object_profile profile;
    if (!req->store || store_stats_versions(req->store, &versions) != STORE_OK) {
        reply_store_error(req, "object versions");
    } else if (!answer_cache_serve(req, key.data, types, &versions) &&
               find_profile(req, false, uuid, &profile)) {
        struct json_writer w;
        reply_json_begin(req, &w);
        write_profile(&w, req->cfg, uuid, &profile);
        reply_json_end(req, &w, 200);
        answer_cache_store(req, key.data, &versions);
        object_profile_free(&profile);
    }
    buf_free(&key);
}

/* The page knows the object exists (else the 404 page); its figures are
 * drawn from the JSON above, in the reader's language. */
static void object_page(struct request *req)
{
    char uuid[UUID_STR_LEN];
    struct object_profile profile;
    if (!requested_object(req, true, uuid) || !find_profile(req, true, uuid, &profile))
        return;
    buf mosp = BUF_INIT;
    mosp_link(req->cfg, uuid, &mosp);
    struct web_var vars[] = {{"object", uuid},
                             {"object_type", stats_type_name(profile.type)},
                             {"mosp_url", mosp.data}};
    web_page(req, "object", vars, sizeof vars / sizeof vars[0]);
    buf_free(&mosp);
    object_profile_free(&profile);
}

const struct route web_object_data_routes[] = {
    {"GET", "/stats/object/<object>.json", object_json, ROUTE_PUBLIC},
};
const size_t web_object_data_routes_count = sizeof web_object_data_routes / sizeof web_object_data_routes[0];

const struct route web_object_page_routes[] = {
    {"GET", "/object/<object>", object_page, ROUTE_PUBLIC},
};
const size_t web_object_page_routes_count = sizeof web_object_page_routes / sizeof web_object_page_routes[0];
