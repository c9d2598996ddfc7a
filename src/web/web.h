/*
 * web.h — the web front: dashboard pages, static files, about and text files,
 * the OpenAPI document and its Swagger UI page; the public stats JSON and the
 * map's data; the admin and operations endpoints.
 *
 * Its route tables, below, are put together with the API's by
 * src/service/routes.c, each group only when ACTIVE_BLUEPRINTS switches it on.
 * Every URL these generate honours the reverse proxy (FIX_PROXY).
 */
#ifndef WEB_WEB_H
#define WEB_WEB_H

#include <stddef.h>

#include "http/request.h"
#include "http/router.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/json_writer.h"

struct processor;

/* root_bp: /, /evolution, /help, /about, /about/more (pages.c). */
extern const struct route web_page_routes[];
extern const size_t web_page_routes_count;
/* root_bp: /about.json, /robots.txt, /human.txt, /.well-known/security.txt (about.c). */
extern const struct route web_about_routes[];
extern const size_t web_about_routes_count;
/* map_bp: /map/ (pages.c). */
extern const struct route web_map_routes[];
extern const size_t web_map_routes_count;
/* map_bp: /map/clients.json (map.c). */
extern const struct route web_map_data_routes[];
extern const size_t web_map_data_routes_count;
/* stats_bp: /stats/object/<uuid>.json, a threat or vulnerability (objects.c). */
extern const struct route web_object_data_routes[];
extern const size_t web_object_data_routes_count;
/* root_bp: /object/<uuid>, its page (objects.c). */
extern const struct route web_object_page_routes[];
extern const size_t web_object_page_routes_count;
/* stats_bp: the public stats JSON, /stats/<name>.json (public.c): one route per
 * stats kind with a public name, built from the kinds' table on first call. */
const struct route *web_public_routes(size_t *count);
/*
 * Writes with w the public answer of processor p over f, as /stats/<name>.json
 * gives it (public.c): the privacy floor and min_analyses applied, sample
 * sizes on every item and figure, and over a period (not f->get_last) the
 * previous period of `days` + 1 dates for trends.  The open data (open_data.c)
 * is made from the same answers.
 */
enum store_rc web_public_run(struct request *req, const struct processor *p, const struct stats_filter *f,
                             int64_t days, int64_t min_analyses, struct json_writer *w);
/* stats_bp: /open-data/<name>.csv, the public answers as CSV; root_bp: the
 * /open-data page that lists every dataset under DATA_LICENSE (open_data.c). */
extern const struct route web_open_data_routes[];
extern const size_t web_open_data_routes_count;
extern const struct route web_open_data_page_routes[];
extern const size_t web_open_data_page_routes_count;
/* evolution.c: /stats/evolution/<type>.json. */
extern const struct route web_evolution_routes[];
extern const size_t web_evolution_routes_count;
/* admin_bp: /admin/… (admin.c). */
extern const struct route web_admin_routes[];
extern const size_t web_admin_routes_count;
/* Always: /static/<dir>/<file> (static.c; the API page needs them too). */
extern const struct route web_static_routes[];
extern const size_t web_static_routes_count;
/* Always: /api/v1/ (Swagger UI), /api/v1/swagger.json, /api/v1/openapi.json (openapi.c). */
extern const struct route web_api_routes[];
extern const size_t web_api_routes_count;
/* Always: /healthz, /metrics (ops.c). */
extern const struct route web_ops_routes[];
extern const size_t web_ops_routes_count;

/* root_bp: a path no route matches.  A page in the site's layout and the
 * visitor's language, except where a program asks (/api/…, *.json, a request
 * that does not accept HTML): the JSON error there (pages.c). */
void web_not_found_page(struct request *req);

/* A value of a page template's {{=name}} placeholder. */
struct web_var {
    const char *name;
    const char *value;
};

/*
 * Appends the path prefix under which the client sees the service: the
 * X-Forwarded-Prefix header when FIX_PROXY is on and the header is a sane
 * path ("/stats", never a trailing slash), else nothing.
 */
void web_prefix(struct request *req, buf *out);

/*
 * Appends the public base URL of the service, no trailing slash: with
 * FIX_PROXY and X-Forwarded-Host, "<X-Forwarded-Proto or http>://<host>"
 * followed by the prefix; else INSTANCE_URL followed by the prefix.
 */
void web_base_url(struct request *req, buf *out);

/*
 * Answers with the page template `name` ("index", "map" …) in the reader's
 * language (?lang=, then the "lang" cookie, then Accept-Language; English by
 * default), its {{=name}} placeholders filled from vars (HTML-escaped) plus
 * "prefix".  Sets the page headers (CSP, no-cache, Vary, Content-Language).
 */
void web_page(struct request *req, const char *name, const struct web_var *vars, size_t n_vars);

#endif
