/*
 * errors.h — the list of precise problems behind a 400 answer.
 *
 * Validators do not stop at the first problem: they append every one they find
 * ({"field": "[3].date", "message": "..."}) so a sender can fix a batch in one go.
 */
#ifndef UTIL_ERRORS_H
#define UTIL_ERRORS_H

#include <stddef.h>

#include "util/buf.h"
#include "util/json_writer.h"

struct field_error {
    char *field;
    char *message;
};

struct error_list {
    struct field_error *items;
    size_t count;
    size_t cap;
};

#define ERROR_LIST_INIT {NULL, 0, 0}

/* Stops recording after this many problems, so a hostile batch can't balloon memory. */
#define ERROR_LIST_MAX 1000

void error_list_add(struct error_list *l, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void error_list_free(struct error_list *l);
/* Writes [{"field":…,"message":…},…]. */
void error_list_to_json(const struct error_list *l, struct json_writer *w);

#endif
