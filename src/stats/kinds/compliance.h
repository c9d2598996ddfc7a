/*
 * compliance.h — the facts of a compliance stats: its referentials and their
 * categories.
 */
#ifndef STATS_KINDS_COMPLIANCE_H
#define STATS_KINDS_COMPLIANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats/doc_read.h"
#include "util/decimal.h"
#include "util/ids.h"

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

#endif
