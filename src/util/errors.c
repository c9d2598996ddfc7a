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

void error_list_to_json(const struct error_list *l, struct json_writer *w)
{
    jw_array_begin(w);
    for (size_t i = 0; i < l->count; i++) {
        jw_object_begin(w);
        jw_member_string(w, "field", l->items[i].field);
        jw_member_string(w, "message", l->items[i].message);
        jw_object_end(w);
    }
    jw_array_end(w);
}
