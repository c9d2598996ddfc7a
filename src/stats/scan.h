/*
 * scan.h — what the kinds' streaming shape checks share: the fast path of
 * ingestion reads each `data` once from a JSON pull (util/json_pull.h) and
 * asks its kind whether it has the shape, without a tree.
 *
 * A scan_fn reads one whole value, whose first token the caller has already
 * pulled, and returns true only when the kind's shape check (shape.h) would
 * accept it.  It says no more than that: on false, ingestion goes back to
 * json-c and the shape check, which name every problem with its path.  So a
 * scan may refuse more than the check (an escaped uuid, say), never less.
 */
#ifndef STATS_SCAN_H
#define STATS_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/decimal.h"
#include "util/ids.h"
#include "util/json_pull.h"

struct stats_facts;

typedef bool (*scan_fn)(struct json_pull *p, enum jp_token first);

/* Value checks, as shape_num, shape_integer, shape_count. */
bool scan_num(struct json_pull *p, enum jp_token first);
bool scan_integer(struct json_pull *p, enum jp_token first);
bool scan_count(struct json_pull *p, enum jp_token first);
/* Checks keeping the value, as shape_label, shape_uuid and shape_num check it and the
 * kinds' extract reads it (doc_read.h): a label decoded, kept in f's label pool
 * ("" for null), a lower-case UUID, an exact decimal. */
bool scan_label_value(struct json_pull *p, enum jp_token first, struct stats_facts *f, const char **out);
bool scan_uuid_value(struct json_pull *p, enum jp_token first, char out[UUID_STR_LEN]);
bool scan_num_value(struct json_pull *p, enum jp_token first, struct decimal *out);
/* An object, its members unchecked. */
bool scan_any_object(struct json_pull *p, enum jp_token first);

/* A list, each item read by fn. */
bool scan_list_of(struct json_pull *p, enum jp_token first, scan_fn fn);
/* The same for scans that keep what they read: fn gets ctx with each item's first token. */
typedef bool (*scan_item_fn)(void *ctx, struct json_pull *p, enum jp_token first);
bool scan_each(struct json_pull *p, enum jp_token first, scan_item_fn fn, void *ctx);

/*
 * An object read member by member: fn gets the index in names[0..n) (n ≤ 32) of
 * each member named there, with its value's first token; other members are
 * skipped.  The members whose bit is set in `required` must all be there.
 * (The pull refuses repeated names, so each member comes once.)
 */
typedef bool (*scan_member_fn)(void *ctx, size_t index, struct json_pull *p, enum jp_token value);
bool scan_members(struct json_pull *p, enum jp_token first, const char *const *names, size_t n,
                  uint32_t required, scan_member_fn fn, void *ctx);

/* label1..label4 (each optional, scan_label_value): a member list for scan_members
 * that starts with SCAN_LABEL_NAMES has them at indexes 0..SCAN_LABELS-1. */
#define SCAN_LABELS 4
#define SCAN_LABEL_NAMES "label1", "label2", "label3", "label4"

/* {current, residual} × {informational, operational}, each leaf read by leaf. */
bool scan_state_kind_grid(struct json_pull *p, enum jp_token first, scan_fn leaf);

#endif
