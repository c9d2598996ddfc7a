/*
 * static.c — /static/<dir>/<file>: the embedded assets (assets.h).
 *
 * Only keys of the embedded table can be answered, so no request can reach a
 * file of the machine, whatever it contains; dot segments and backslashes are
 * refused outright all the same, so that a traversal attempt is answered as
 * one.  There are no folders to list.  URLs carrying the file's content
 * version (?v=…, as the pages write them) may be cached for a year; others
 * revalidate with the ETag.  A client that takes gzip gets the form
 * compressed at build time, with its own ETag.
 */
#include <stdlib.h>
#include <string.h>

#include "http/encoding.h"
#include "web/assets.h"
#include "web/web.h"

#define STATIC_CSP "default-src 'none'; img-src 'self' data:; style-src 'self'; " \
                   "font-src 'self'; frame-ancestors 'none'; sandbox"
#define CACHE_VERSIONED "public, max-age=31536000, immutable"
#define CACHE_UNVERSIONED "public, max-age=3600, must-revalidate"

static int compare_key(const void *key, const void *item)
{
    return strcmp(key, ((const struct web_asset *)item)->key);
}

const struct web_asset *web_asset_find(const char *key)
{
    return bsearch(key, web_assets, web_assets_count, sizeof web_assets[0], compare_key);
}

/* True when every segment after /static/ is a plain name: not empty, not "."
 * or "..", no backslash (a path separator elsewhere). */
static bool plain_segments(const char *path)
{
    if (strchr(path, '\\'))
        return false;
    for (const char *seg = path; *seg;) {
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return false;
        seg += len + (end ? 1 : 0);
    }
    return true;
}

static void serve_static(struct request *req)
{
    const char *rel = req->path + strlen("/static/");
    if (!plain_segments(rel)) {
        reply_error(req, 400, "Bad Request - Invalid path.", NULL);
        return;
    }
    buf key = BUF_INIT;
    buf_printf(&key, "static/%s", rel);
    const struct web_asset *asset = web_asset_find(key.data);
    buf_free(&key);
    if (!asset) {
        reply_not_found(req);
        return;
    }
    const char *v = request_query(req, "v");
    reply_header(req, "Cache-Control",
                 v && strcmp(v, asset->version) == 0 ? CACHE_VERSIONED : CACHE_UNVERSIONED);
    /* The gzip form, made at build time, has its own ETag: a cache keeps both. */
    bool gzip = request_choose_coding(req, asset->gz != NULL, asset->len) == CODING_GZIP;
    const char *etag = gzip ? asset->gz_etag : asset->etag;
    reply_header(req, "ETag", etag);
    if (asset->gz)
        reply_vary(req, "Accept-Encoding");
    reply_header(req, "X-Content-Type-Options", "nosniff");
    reply_header(req, "Content-Security-Policy", STATIC_CSP);
    if (request_etag_matches(req, etag)) {
        reply_empty(req, 304);
    } else if (gzip) {
        reply_text(req, 200, asset->mime, asset->gz, asset->gz_len);
        reply_header(req, "Content-Encoding", "gzip");
    } else {
        reply_text(req, 200, asset->mime, asset->data, asset->len);
    }
}

const struct route web_static_routes[] = {
    {"GET", "/static/<dir>/<file>", serve_static, ROUTE_PUBLIC},
};
const size_t web_static_routes_count = sizeof web_static_routes / sizeof web_static_routes[0];
