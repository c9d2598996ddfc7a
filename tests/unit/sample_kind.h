/*
 * sample_kind.h — the test-only kind "sample" (sample_kind.c, its storage
 * sample_facts.c): its fact, and the aggregate its storage gives.
 */
#ifndef TESTS_SAMPLE_KIND_H
#define TESTS_SAMPLE_KIND_H

#include <stdint.h>

#include "store/store.h"

struct sample_fact {
    int64_t n;
};

/* Over the selected sample stats: how many, and the sum of their n. */
struct sample_total {
    int64_t stats;
    int64_t sum;
};
enum store_rc store_sample_total(struct store *s, const struct stats_filter *f, struct sample_total *out);

#endif
