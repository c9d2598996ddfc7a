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

#include "stats/stats.h"
#include "util/decimal.h"
#include "util/ids.h"

#define FACT_LABELS 4 /* label1..label4: fr, en, de, nl */

/* Labels borrowed from the document; null or absent labels are "". */
struct fact_labels {
    const char *label[FACT_LABELS];
};

/* One threat or vulnerability of a stats (the uuid lower-cased). */
struct object_fact {
    char uuid[UUID_STR_LEN];
    struct fact_labels labels;
    struct decimal count, max_risk, rate;
};

/* Risk cells: state (current, residual) × kind (informational, operational) ×
 * level (Low, Medium, High), numbered state * 6 + kind * 3 + level. */
#define RISK_CELLS 12

struct risk_fact {
    struct decimal value[RISK_CELLS];
};

/* Cartography matrices, numbered state * 2 + kind like the risk cells. */
#define CARTO_MATRICES 4
#define CARTO_SCALES 3 /* impact, probability, likelihood */
/* Matrix keys and scale values are at most 9 digits (validation); counts are clamped here. */
#define CARTO_COUNT_MAX 1000000000000LL

struct carto_cell {
    int matrix;
    int64_t row, col;
    int64_t value; /* > 0: zero cells are left out */
};

/* qsort orders shared by extraction and the store's cartography totals:
 * cells by (matrix, row, col), scale values ascending. */
int carto_cell_compare(const void *a, const void *b);
int carto_value_compare(const void *a, const void *b);

struct carto_fact {
    int64_t *scales[CARTO_SCALES];  /* sorted, distinct */
    size_t n_scales[CARTO_SCALES];
    struct carto_cell *cells;       /* sorted by matrix, row, col */
    size_t n_cells;
};

/* The i-th category of `current` paired with the i-th of `target`. */
struct compliance_category {
    struct fact_labels labels;      /* from `current`, or `target` when current has no i-th */
    bool has_current, has_target;
    struct decimal current, target;
    int64_t controls;               /* the larger of the two lists of controls */
};

struct compliance_referential {
    char uuid[UUID_STR_LEN];
    struct fact_labels labels;
    struct compliance_category *categories;
    size_t n_categories;
};

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
