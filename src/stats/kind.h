/*
 * kind.h — a stats type as one unit: its name, the shape of its `data` and the
 * facts taken out of it.
 *
 * kinds/kinds.def lists the kinds; enum stats_type (stats.h) and the table
 * that kind.c reads are both generated from it, so they cannot disagree.  Each
 * kind is a `const struct stats_kind stats_kind_<name>` defined in kinds/ —
 * pure code: no SQL, no I/O.  Like the processors' registry, the list is
 * explicit: with a static library, an object that registers itself but that
 * nothing references would not be linked.
 */
#ifndef STATS_KIND_H
#define STATS_KIND_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "stats/stats.h"
#include "util/json_pull.h"

struct shape;
struct stats_facts;

struct stats_kind {
    const char *name;          /* as in uploads, answers and parameters */
    enum stats_type type;      /* its place in the table */
    /* Its public JSON, /stats/<public_name>.json (src/web/public.c), NULL for
     * none; public_order places it among them (the dashboard's order, which is
     * not that of the table). */
    const char *public_name;
    int public_order;
    /* Reports every problem of `data`, whose path the shape holds (shape.h). */
    void (*check)(struct shape *s, struct json_object *data);
    /* The same check on the fast path of ingestion (stats/scan.h): reads `data`
     * from the pull, its first token given, and returns true only for what
     * check accepts; false sends the upload back to json-c and check.  NULL
     * for a kind that has none (with no scan_extract either, its uploads
     * always go through json-c). */
    bool (*scan)(struct json_pull *p, enum jp_token first);
    /* Or the same scan taking the facts out as it reads (*out as extract
     * fills it, type set; the caller frees it either way), for kinds whose
     * documents are big enough that parsing them again for their facts would
     * show.  A kind with scan has its facts extracted by the store from the
     * stored text. */
    bool (*scan_extract)(struct json_pull *p, enum jp_token first, struct stats_facts *out);
    /* Fills this kind's part of *out (type and doc already set); false when
     * data does not have the shape.  The caller frees *out either way. */
    bool (*extract)(struct json_object *data, struct stats_facts *out);
    /* Frees what extract allocated in *f; NULL when it allocates nothing. */
    void (*free_facts)(struct stats_facts *f);
};

/* The table, in the order of kinds.def: stats_kind_at(t)->type == t. */
size_t stats_kind_count(void);
const struct stats_kind *stats_kind_at(size_t i);
/* NULL for a type outside the table. */
const struct stats_kind *stats_kind_of(enum stats_type type);

#endif
