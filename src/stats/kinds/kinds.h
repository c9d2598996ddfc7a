/*
 * kinds.h — the facts of every stats kind together: each kind's header
 * (kinds/<kind>.h, its fact structs) and struct stats_facts, which holds the
 * part of each (extract.h reads it through this header).  A new kind with
 * facts of its own adds its header here and its member to struct stats_facts.
 */
#ifndef STATS_KINDS_KINDS_H
#define STATS_KINDS_KINDS_H

#include <json-c/json.h>
#include <stddef.h>

#include "stats/doc_read.h"
#include "stats/kinds/cartography.h"
#include "stats/kinds/compliance.h"
#include "stats/kinds/objects.h"
#include "stats/kinds/risk.h"
#include "stats/stats.h"

struct strmap;

/* The facts of one stats; only the part of its type is filled. */
struct stats_facts {
    enum stats_type type;
    struct json_object *doc;        /* holds the strings the labels borrow, or NULL */
    struct strmap *label_pool;      /* or holds them, for facts a scan took out: borrowed,
                                       it outlives the facts (stats_upload_read) */
    struct object_fact *objects;    /* threat, vulnerability: distinct uuids, last one wins */
    size_t n_objects;
    struct risk_fact risk;
    struct carto_fact carto;
    struct compliance_referential *referentials;
    size_t n_referentials;
    /* A kind whose facts have no member above (a test's kind) keeps them
     * here: allocated by its extract, freed by its free_facts. */
    void *own;
};

#endif
