/*
 * compliance.h — the referentials and categories of compliance stats
 * summed (facts/compliance.c), which compliance_averages reads.
 */
#ifndef STORE_FACTS_COMPLIANCE_H
#define STORE_FACTS_COMPLIANCE_H

#include "store/store.h"

/* Over the latest compliance stats of each (client, ANR) in the selection: */
struct compliance_referential_total {
    char referential[UUID_STR_LEN];
    int64_t analyses;                       /* selected stats that contain it */
    struct labels labels;                   /* of the latest of them */
};

/* A category: a referential and the labels of one of its categories. */
struct compliance_category_total {
    char referential[UUID_STR_LEN];
    struct labels labels;
    int64_t n_current, n_target;            /* occurrences in current / target */
    struct decimal current, target;         /* sums of their values */
    int64_t controls;                       /* the largest number of controls */
};

struct compliance_totals {
    struct compliance_referential_total *referentials; /* by referential */
    size_t n_referentials;
    struct compliance_category_total *categories;      /* by referential, then first seen
                                                          (stats insertion, then position) */
    size_t n_categories;
};
void compliance_totals_free(struct compliance_totals *t);
enum store_rc store_compliance_totals(struct store *s, const struct stats_filter *f,
                                      struct compliance_totals *out);

#endif
