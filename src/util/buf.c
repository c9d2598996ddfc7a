/*
 * buf.c — growable byte buffer and aborting allocators (see buf.h).
 */
#include "util/buf.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t n)
{
    fprintf(stderr, "stats-service: out of memory (%zu bytes)\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* The invariants of buf.h, checked on the way in and out of every operation. */
#define BUF_CHECK(b)                                                                         \
    assert(((b)->data ? (b)->len < (b)->cap && (b)->data[(b)->len] == '\0'                   \
                      : (b)->len == 0 && (b)->cap == 0) &&                                   \
           ((b)->max == 0 || ((b)->len <= (b)->max && (b)->cap <= (b)->max + 1)))

void buf_init(buf *b)
{
    buf_init_bounded(b, 0);
}

void buf_init_bounded(buf *b, size_t max)
{
    assert(max < SIZE_MAX / 2); /* max + 1, the most memory, must not wrap */
    *b = (buf){.max = max};
}

void buf_free(buf *b)
{
    BUF_CHECK(b);
    free(b->data);
    buf_init_bounded(b, b->max);
}

void buf_reset(buf *b)
{
    BUF_CHECK(b);
    b->len = 0;
    b->overflow = false;
    if (b->data)
        b->data[0] = '\0';
}

void buf_truncate(buf *b, size_t len)
{
    BUF_CHECK(b);
    assert(len <= b->len);
    if (b->data) {
        b->len = len;
        b->data[len] = '\0';
    }
}

bool buf_grow(buf *b, size_t extra)
{
    BUF_CHECK(b);
    if (b->overflow)
        return false;
    if (extra >= SIZE_MAX / 2 - b->len) /* no bound of ours comes near; the sum would wrap */
        out_of_memory(extra);
    if (b->max && b->len + extra > b->max) {
        b->overflow = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    if (b->max && cap > b->max + 1)
        cap = b->max + 1;
    b->data = xrealloc(b->data, cap);
    if (b->cap == 0)
        b->data[0] = '\0';
    b->cap = cap;
    BUF_CHECK(b);
    return true;
}

bool buf_append(buf *b, const void *data, size_t len)
{
    /* Bytes of b itself would be read after xrealloc may have freed them. */
    assert(!b->data || len == 0 || (uintptr_t)data + len <= (uintptr_t)b->data ||
           (uintptr_t)data >= (uintptr_t)b->data + b->cap);
    if (!buf_grow(b, len))
        return false;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    BUF_CHECK(b);
    return true;
}

bool buf_puts(buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

bool buf_putc(buf *b, char c)
{
    return buf_append(b, &c, 1);
}

bool buf_vprintf(buf *b, const char *fmt, va_list ap)
{
    if (!fmt) /* never true; tells GCC's -Wformat-truncation so under UBSan */
        return false;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return !b->overflow;
    if (!buf_grow(b, (size_t)n))
        return false;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    BUF_CHECK(b);
    return true;
}

bool buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool ok = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return ok;
}

bool buf_json_string(buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!s)
        return buf_puts(b, "null");
    size_t start = b->len;
    buf_putc(b, '"');
    const char *run = s;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *esc = NULL;
        char ubuf[7];
        switch (*p) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default:
            if (*p < 0x20) {
                ubuf[0] = '\\'; ubuf[1] = 'u'; ubuf[2] = '0'; ubuf[3] = '0';
                ubuf[4] = hex[*p >> 4]; ubuf[5] = hex[*p & 15]; ubuf[6] = '\0';
                esc = ubuf;
            }
        }
        if (esc) {
            buf_append(b, run, (size_t)((const char *)p - run));
            buf_puts(b, esc);
            run = (const char *)p + 1;
        }
    }
    buf_puts(b, run);
    buf_putc(b, '"');
    if (!b->overflow)
        return true;
    buf_truncate(b, start); /* all or nothing, like the other appends */
    return false;
}

char *buf_detach(buf *b, size_t *len)
{
    BUF_CHECK(b);
    char *data = b->data ? b->data : xstrdup("");
    if (len)
        *len = b->len;
    buf_init_bounded(b, b->max);
    return data;
}
