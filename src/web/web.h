/*
 * web.h — the web front: dashboard pages, static files, about and text files,
 * the OpenAPI document and its Swagger UI page.
 *
 * Route tables (declared in src/api/routes.h, registered by routes.c):
 *   web_page_routes    root_bp: /, /evolution, /help, /about, /about/more
 *   web_about_routes   root_bp: /about.json, /robots.txt, /human.txt,
 *                      /.well-known/security.txt
 *   web_map_routes     map_bp: /map/
 *   web_static_routes  always: /static/<dir>/<file> (the API page needs them too)
 *   web_api_routes     always: /api/v1/ (Swagger UI), /api/v1/swagger.json,
 *                      /api/v1/openapi.json
 *
 * Every URL these generate honours the reverse proxy (FIX_PROXY).
 */
#ifndef WEB_WEB_H
#define WEB_WEB_H

#include "http/request.h"
#include "util/buf.h"

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
