/*
 * openapi.c — the description of the API: /api/v1/swagger.json (also as
 * /api/v1/openapi.json), the OpenAPI 3 document written in docs/openapi.json,
 * and /api/v1/, the Swagger UI page that shows it.
 *
 * The document is embedded at build time without its "servers" member; each
 * answer appends it with the proxy prefix the client sees, so "Try it out"
 * works behind a reverse proxy too.
 */
#include "util/log.h"
#include "web/assets.h"
#include "web/web.h"

static void openapi_document(struct request *req)
{
    const struct web_asset *doc = web_asset_find("api/openapi.json");
    if (!doc || doc->len < 2) {
        log_error("stats.web", "the OpenAPI document is not embedded");
        reply_error(req, 500, "Internal server error.", NULL);
        return;
    }
    buf prefix = BUF_INIT, url = BUF_INIT;
    web_prefix(req, &prefix);
    buf_printf(&url, "%s/api/v1", prefix.data);
    struct json_writer w;
    reply_json_begin(req, &w);
    jw_object_resume(&w, doc->data, doc->len - 1); /* all but the closing brace */
    jw_key(&w, "servers");
    jw_array_begin(&w);
    jw_object_begin(&w);
    jw_member_string(&w, "url", url.data);
    jw_member_string(&w, "description", "this instance");
    jw_object_end(&w);
    jw_array_end(&w);
    jw_object_end(&w);
    reply_json_end(req, &w, 200);
    reply_header(req, "Cache-Control", "no-cache");
    reply_header(req, "Access-Control-Allow-Origin", "*");
    req->compressible = true; /* ~45 KB; not MONARC's: it never asks for the document */
    buf_free(&prefix);
    buf_free(&url);
}

static void api_docs_page(struct request *req)
{
    web_page(req, "api-docs", NULL, 0);
}

const struct route web_api_routes[] = {
    {"GET", "/api/v1", api_docs_page, ROUTE_UA_GATE},
    {"GET", "/api/v1/swagger.json", openapi_document, ROUTE_UA_GATE},
    {"GET", "/api/v1/openapi.json", openapi_document, ROUTE_UA_GATE},
};
const size_t web_api_routes_count = sizeof web_api_routes / sizeof web_api_routes[0];
