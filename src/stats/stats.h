/*
 * stats.h — the statistics documents MONARC sends: types, items, validation.
 *
 * A stats item is {uuid?, anr, type, date, data}.  This module knows the shapes
 * of `data` for each type (input shapes: docs/processors.md; each type is a
 * kind, kind.h, listed in kinds/kinds.def) and turns a JSON item into a
 * validated struct stats_item, reporting every problem with its path.  It
 * knows nothing of HTTP or storage.
 */
#ifndef STATS_STATS_H
#define STATS_STATS_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/date.h"
#include "util/errors.h"
#include "util/ids.h"
#include "util/json_writer.h"

/* STATS_RISK, STATS_THREAT, … from 0, in the order of kinds/kinds.def, which is
 * the order of GET /stats/<anr>. */
enum stats_type {
#define STATS_KIND(ID, name) STATS_##ID,
#include "stats/kinds/kinds.def"
#undef STATS_KIND
    STATS_TYPE_COUNT
};

/* "risk", "threat", … (NULL outside the enum); read from the kinds' table (kind.c). */
const char *stats_type_name(enum stats_type t);
bool stats_type_parse(const char *s, enum stats_type *out);
/* Appends every type name in order, joined by separator and, before the last,
 * by last_separator: ", " and " or " give "risk, threat, … or <the last>".
 * Messages build their list with it rather than typing names. */
void stats_type_names(buf *out, const char *separator, const char *last_separator);

struct stats_facts;
struct strmap;

/* One validated item of an upload. */
struct stats_item {
    char uuid[UUID_STR_LEN];  /* "" when the sender gave none */
    char anr[UUID_STR_LEN];   /* lower-case */
    enum stats_type type;
    char date[DATE_STR_LEN];
    char *data;               /* compact JSON text of `data`: owned, or in the upload's text */
    bool data_in_upload;      /* data points into the text stats_upload_read read, which
                                 outlives the item; not freed with it */
    struct stats_facts *facts; /* the facts of `data` (extract.h; owned), or NULL: the store
                                  takes them from the text.  Saves it parsing `data` again. */
};

/*
 * Checks `data` against the shape of its type and appends every problem to
 * errs, each field prefixed with `path` (e.g. "[3].data").  Unknown extra
 * members are allowed; numbers may be JSON numbers or numeric strings; labels
 * may be null.
 */
void stats_validate_data(enum stats_type type, struct json_object *data,
                         const char *path, struct error_list *errs);

/*
 * Validates one upload item (keys: uuid, anr, type, date, data — nothing else)
 * found at position `index` of the batch ("[index]." prefixes its fields).
 * On success fills *out (out->data allocated) and returns true; otherwise
 * appends to errs and returns false, leaving nothing to free.
 */
bool stats_item_from_json(struct json_object *obj, size_t index, struct stats_item *out,
                          struct error_list *errs);

void stats_item_free(struct stats_item *item);
/* Frees the item's facts once the store has them (the rest of it is kept). */
void stats_item_free_facts(struct stats_item *item);

/*
 * The fast path of an upload (upload.c): reads the whole body text[0..len), a
 * JSON list of items, in one pass without a tree.  True, with *items (n of
 * them, each with its data text; the caller frees them with stats_item_free
 * and the array with free) when every item is valid and read exactly as
 * json_parse_strict and stats_item_from_json would read it.  False, with
 * nothing to free, for anything else: that path then gives the answer.
 *
 * Each item's data stays in text (data_in_upload), where it was: its compact
 * form written over it, blank-padded, then NUL-terminated once the whole text
 * is read.  So the memory of a 30 MB upload stays that of its text.  text must
 * outlive the items, and is no longer the upload after a true; after a false
 * it is the same JSON as before (its values unchanged, at the same offsets),
 * for the json-c path to read.  The labels of the facts the scans take out are
 * kept in `labels` (strmap_intern: the labels of a few catalogues, repeated by
 * every analysis), which must outlive the facts.
 */
bool stats_upload_read(char *text, size_t len, struct strmap *labels, struct stats_item **items,
                       size_t *n);

/*
 * Writes {"uuid", "anr", "type", "date", "data"}, the one shape of a stats in
 * answers, exports and pushes; data, JSON text as stored, is spliced in as it
 * is, never parsed again.
 */
void stats_json(struct json_writer *w, const char *uuid, const char *anr, enum stats_type type,
                const char *date, const char *data);

#endif
