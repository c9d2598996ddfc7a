/*
 * gzip.c — gzip compression of an answer in memory (see gzip.h).
 */
#include "util/gzip.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>

#define ZLIB_CONST /* next_in is then a pointer to const: the input is only read */
#include <zlib.h>

#define GZIP_LEVEL 6
#define GZIP_WINDOW_BITS (15 + 16) /* a 32 KiB window, with the gzip header and trailer */
#define GZIP_MEM_LEVEL 8

void gzip_compress(const char *data, size_t len, buf *out)
{
    z_stream z = {0};
    int rc = deflateInit2(&z, GZIP_LEVEL, Z_DEFLATED, GZIP_WINDOW_BITS, GZIP_MEM_LEVEL,
                          Z_DEFAULT_STRATEGY);
    if (rc == Z_MEM_ERROR)
        abort(); /* out of memory aborts, as everywhere (buf.h) */
    assert(rc == Z_OK);
    /* deflateBound: the whole output in one call, so a single Z_FINISH completes it. */
    size_t bound = deflateBound(&z, (uLong)len);
    assert(len <= UINT_MAX && bound <= UINT_MAX);
    bool room = buf_grow(out, bound);
    assert(room); /* answers go into buffers without a bound */
    (void)room;
    z.next_in = (const Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out->data + out->len;
    z.avail_out = (uInt)bound;
    rc = deflate(&z, Z_FINISH);
    assert(rc == Z_STREAM_END);
    (void)rc;
    out->len += z.total_out;
    out->data[out->len] = '\0';
    deflateEnd(&z);
}
