/*
 * extract.h — the figures processors need, taken out of a stats `data` once.
 *
 * At ingestion the store turns each document into "facts" (per threat or
 * vulnerability: its uuid, labels and three metrics; per risk stats: 12 level
 * values; per cartography: its scales and non-zero matrix cells; per
 * compliance: its referentials and categories) and keeps them in indexed
 * tables, so processors aggregate rows in SQL instead of parsing documents.
 *
 * Numbers are kept as exact decimals (struct decimal, util/decimal.h), so
 * that their sums are exact whatever the order rows are added in.
 *
 * Each kind extracts its own part (kind.h; its fact structs are in
 * kinds/<kind>.h); struct stats_facts holds them all for the store.
 *
 * Pure functions: no SQL, no I/O.  Extraction accepts any JSON (it is fuzzed);
 * a document that does not have the shape of its type is refused (false), as
 * validation (stats.h) would have refused it.
 */
#ifndef STATS_EXTRACT_H
#define STATS_EXTRACT_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats/doc_read.h"
#include "stats/kinds/cartography.h"
#include "stats/kinds/compliance.h"
#include "stats/kinds/objects.h"
#include "stats/kinds/risk.h"
#include "stats/stats.h"

/* The facts of one stats; only the part of its type is filled. */
struct stats_facts {
    enum stats_type type;
    struct json_object *doc;        /* holds the strings the labels borrow */
    struct object_fact *objects;    /* threat, vulnerability: distinct uuids, last one wins */
    size_t n_objects;
    struct risk_fact risk;
    struct carto_fact carto;
    struct compliance_referential *referentials;
    size_t n_referentials;
};

/* Extracts the facts of `data` (a reference is taken). False, with nothing to
 * free, when data does not have the shape of its type. */
bool stats_extract(enum stats_type type, struct json_object *data, struct stats_facts *out);
/* The same from JSON text (as stored). */
bool stats_extract_text(enum stats_type type, const char *text, size_t len, struct stats_facts *out);
void stats_facts_free(struct stats_facts *f);

#endif
