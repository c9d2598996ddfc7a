/*
 * extract.h — the figures processors need, taken out of a stats `data` once.
 *
 * At ingestion the store turns each document into "facts", the figures of
 * its kind (kinds/<kind>.h), and keeps them in indexed tables, so processors
 * aggregate rows in SQL instead of parsing documents.
 *
 * Numbers are kept as exact decimals (struct decimal, util/decimal.h), so
 * that their sums are exact whatever the order rows are added in.
 *
 * Each kind extracts its own part (kind.h); struct stats_facts
 * (kinds/kinds.h) holds them all for the store.
 *
 * Kinds with big documents also take their facts out while ingestion scans
 * them (kind.h: scan_extract), so that the store need not parse them again.
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

#include "stats/kinds/kinds.h"
#include "stats/stats.h"

/* Extracts the facts of `data` (a reference is taken). False, with nothing to
 * free, when data does not have the shape of its type. */
bool stats_extract(enum stats_type type, struct json_object *data, struct stats_facts *out);
/* The same from JSON text (as stored). */
bool stats_extract_text(enum stats_type type, const char *text, size_t len, struct stats_facts *out);
void stats_facts_free(struct stats_facts *f);

#endif
