/*
 * buf.h — a growable byte buffer, the one way this code base builds strings.
 *
 * Every response body, SQL fragment and log line is assembled in a buf.  Out of
 * memory aborts the process (like git's xmalloc): a half-built response is never
 * better than a restart, and it keeps every caller free of OOM branches.
 *
 * A buffer that grows from what a client, a remote server or a file sends is
 * given a bound (buf_init_bounded): an append that would take it past the
 * bound is refused instead, the buffer keeps what it held, and it stays
 * refused (`overflow`) until buf_reset or buf_free, so a caller may make
 * several appends and check once.  Buffers of text the program writes itself
 * have no bound (max 0): their appends always succeed.
 *
 * What every operation keeps, asserted in debug builds: data is NULL with
 * len = cap = 0, or len < cap and data[len] is NUL; with a bound, len ≤ max
 * and the memory never exceeds max + 1 bytes.
 */
#ifndef UTIL_BUF_H
#define UTIL_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct buf {
    char *data;    /* NULL until something is appended, then NUL-terminated */
    size_t len;
    size_t cap;
    size_t max;    /* most bytes it may hold; 0: no bound */
    bool overflow; /* an append was refused for the bound (cleared by reset, free) */
} buf;

#define BUF_INIT {NULL, 0, 0, 0, false}

void buf_init(buf *b);
/* An empty buffer that refuses to hold more than max bytes (max ≥ 1). */
void buf_init_bounded(buf *b, size_t max);
/* Releases the memory; the bound stays. */
void buf_free(buf *b);
void buf_reset(buf *b);                       /* len = 0, keeps the memory */
/* Cuts the content to its first len bytes (len ≤ b->len). */
void buf_truncate(buf *b, size_t len);
/* The appending functions return false, appending nothing, when the bound
 * refuses them (see above); without a bound they always return true. */
bool buf_grow(buf *b, size_t extra);
bool buf_append(buf *b, const void *data, size_t len);
bool buf_puts(buf *b, const char *s);
bool buf_putc(buf *b, char c);
bool buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal (quotes included); NULL appends null. */
bool buf_json_string(buf *b, const char *s);
/* Returns the data (caller frees) and leaves b empty (the bound stays). Never NULL. */
char *buf_detach(buf *b, size_t *len);

/* Allocation helpers that abort on failure: they never return NULL. */
void *xmalloc(size_t n) __attribute__((returns_nonnull));
void *xcalloc(size_t n, size_t size) __attribute__((returns_nonnull));
void *xrealloc(void *p, size_t n) __attribute__((returns_nonnull));
char *xstrdup(const char *s) __attribute__((returns_nonnull));
char *xstrndup(const char *s, size_t n) __attribute__((returns_nonnull));

#endif
