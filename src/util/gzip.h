/*
 * gzip.h — gzip compression of an answer in memory (zlib).
 *
 * The web front sends pages and public JSON gzip-compressed to clients that
 * take it; static files are compressed at build time by web/embed_assets.py
 * instead.  Compression at run time uses a middle level: the answers that are
 * made per request (pages) are small, and those that are kept (the answer
 * cache) are compressed once per change.
 */
#ifndef UTIL_GZIP_H
#define UTIL_GZIP_H

#include <stddef.h>

#include "util/buf.h"

/* Appends the gzip form of data[0..len) to out (no file name, no time stamp,
 * so equal inputs give equal bytes). */
void gzip_compress(const char *data, size_t len, buf *out);

#endif
