/*
 * doc_read.h — what the kinds' fact extraction shares: reading the members of
 * a document that may have any shape (a missing or mistyped member reads as
 * NULL or false), and labels.
 */
#ifndef STATS_DOC_READ_H
#define STATS_DOC_READ_H

#include <json-c/json.h>
#include <stdbool.h>

#include "util/decimal.h"
#include "util/ids.h"

#define FACT_LABELS 4 /* label1..label4: fr, en, de, nl */

/* Labels borrowed from the document; null or absent labels are "". */
struct fact_labels {
    const char *label[FACT_LABELS];
};

/* obj.key, or NULL when obj is not an object or has no such member. */
struct json_object *doc_member(struct json_object *obj, const char *key);
/* obj.key when it is a list, else NULL. */
struct json_object *doc_list_member(struct json_object *obj, const char *key);
/* obj.key as an exact decimal (a number or a numeric string). */
bool doc_num_member(struct json_object *obj, const char *key, struct decimal *out);
/* obj.key as a lower-case UUID. */
bool doc_uuid_member(struct json_object *obj, const char *key, char out[UUID_STR_LEN]);
/* label1..label4 of obj; false when one is neither a string, null nor absent. */
bool doc_labels(struct json_object *obj, struct fact_labels *out);
/* grid.<current|residual>.<informational|operational> for state, kind in 0..1. */
struct json_object *doc_state_kind(struct json_object *grid, int state, int kind);
/* v as an integral number. */
bool doc_integral(struct json_object *v, double *out);

#endif
