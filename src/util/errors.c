/*
 * errors.c — list of field problems reported in 400 answers (see errors.h).
 */
#include "util/errors.h"

#include <stdarg.h>
#include <stdlib.h>

void error_list_add(struct error_list *l, const char *field, const char *fmt, ...)
{
    if (l->count >= ERROR_LIST_MAX)
        return;
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = xrealloc(l->items, l->cap * sizeof *l->items);
    }
    buf msg = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    l->items[l->count].field = xstrdup(field ? field : "");
    l->items[l->count].message = buf_detach(&msg, NULL);
    l->count++;
}

void error_list_free(struct error_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->items[i].field);
        free(l->items[i].message);
    }
    free(l->items);
    l->items = NULL;
    l->count = l->cap = 0;
}

void error_list_to_json(const struct error_list *l, buf *b)
{
    buf_putc(b, '[');
    for (size_t i = 0; i < l->count; i++) {
        if (i)
            buf_putc(b, ',');
        buf_puts(b, "{\"field\":");
        buf_json_string(b, l->items[i].field);
        buf_puts(b, ",\"message\":");
        buf_json_string(b, l->items[i].message);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
}
