/*
 * buf.h — a growable byte buffer, the one way this code base builds strings.
 *
 * Every response body, SQL fragment and log line is assembled in a buf.  Out of
 * memory aborts the process (like git's xmalloc): a half-built response is never
 * better than a restart, and it keeps every caller free of OOM branches.
 */
#ifndef UTIL_BUF_H
#define UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char *data;   /* always NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
} buf;

#define BUF_INIT {NULL, 0, 0}

void buf_init(buf *b);
void buf_free(buf *b);
void buf_reset(buf *b);                       /* len = 0, keeps the memory */
void buf_grow(buf *b, size_t extra);
void buf_append(buf *b, const void *data, size_t len);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Appends s as a JSON string literal (quotes included); NULL appends null. */
void buf_json_string(buf *b, const char *s);
/* Returns the data (caller frees) and leaves b empty. Never NULL. */
char *buf_detach(buf *b, size_t *len);

/* Allocation helpers that abort on failure: they never return NULL. */
void *xmalloc(size_t n) __attribute__((returns_nonnull));
void *xcalloc(size_t n, size_t size) __attribute__((returns_nonnull));
void *xrealloc(void *p, size_t n) __attribute__((returns_nonnull));
char *xstrdup(const char *s) __attribute__((returns_nonnull));
char *xstrndup(const char *s, size_t n) __attribute__((returns_nonnull));

#endif
