/*
 * assets.h — the files embedded into the executable at build time.
 *
 * web/embed_assets.py writes web_assets.c from web/, docs/openapi.json and the
 * pinned npm packages: a table sorted by key, so that a lookup is a binary
 * search and the service needs no file next to it at run time.  Keys:
 * "static/<dir>/<file>" (served under /static/), "page/<lang>/<name>" (page
 * templates, already translated), "api/openapi.json".
 */
#ifndef WEB_ASSETS_H
#define WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
    const char *key;
    const char *mime;        /* Content-Type */
    const char *data;
    size_t len;
    const char *etag;        /* "\"<version>\"" */
    const char *version;     /* first hex digits of the SHA-256 of data */
    const char *gz;          /* data gzip-compressed at build time, or NULL (not worth it) */
    size_t gz_len;
    const char *gz_etag;     /* "\"<version>-gzip\"": each form its own ETag */
};

extern const struct web_asset web_assets[];
extern const size_t web_assets_count;

/* The asset of that key, or NULL. */
const struct web_asset *web_asset_find(const char *key);

#endif
