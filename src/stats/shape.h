/*
 * shape.h — the checker the kinds' shape checks are written with: it walks one
 * `data` value keeping the path of the value being checked, and reports each
 * problem with that path ("[3].data.risks.current.informational[1].value").
 *
 * A check is a shape_fn; checks of members and list items nest through
 * shape_member and shape_each, which extend the path and restore it.
 * Labels may be absent or null; numbers may be JSON numbers or numeric strings.
 */
#ifndef STATS_SHAPE_H
#define STATS_SHAPE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/errors.h"

struct shape {
    buf path;                /* names the value being checked */
    struct error_list *errs; /* where problems go */
};

typedef void (*shape_fn)(struct shape *s, struct json_object *v);

/* Adds a problem at the current path. */
void shape_problem(struct shape *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Path steps return the previous length, which shape_leave() restores. */
size_t shape_enter_key(struct shape *s, const char *key);
size_t shape_enter_index(struct shape *s, size_t index);
void shape_leave(struct shape *s, size_t mark);

/* True when v is an object (a list); else reports it. */
bool shape_expect_object(struct shape *s, struct json_object *v);
bool shape_expect_list(struct shape *s, struct json_object *v);

/* Value checks. */
void shape_num(struct shape *s, struct json_object *v);
void shape_integer(struct shape *s, struct json_object *v);
void shape_count(struct shape *s, struct json_object *v);   /* a non-negative integer */
void shape_label(struct shape *s, struct json_object *v);   /* a string or null */
void shape_uuid(struct shape *s, struct json_object *v);

/* Checks obj.key with fn; a missing member is a problem only when required. */
void shape_member(struct shape *s, struct json_object *obj, const char *key, bool required,
                  shape_fn fn);
/* label1..label4, each optional. */
void shape_labels(struct shape *s, struct json_object *obj);
/* Each item of a list (known to be one) with fn. */
void shape_each(struct shape *s, struct json_object *list, shape_fn fn);
/* A list, each item checked with fn. */
void shape_list_of(struct shape *s, struct json_object *v, shape_fn fn);
/* {current, residual} × {informational, operational}, each leaf checked by leaf. */
void shape_state_kind_grid(struct shape *s, struct json_object *v, shape_fn leaf);

#endif
