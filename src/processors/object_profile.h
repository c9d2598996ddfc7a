/*
 * object_profile.h — one threat or vulnerability as the public landscape
 * shows it (object_profile.c): its type, labels, means, sample sizes and rank.
 * The object pages (/stats/object/<uuid>.json, /object/<uuid>) read it.
 */
#ifndef PROCESSORS_OBJECT_PROFILE_H
#define PROCESSORS_OBJECT_PROFILE_H

#include "processors/processor.h"

/* The metric the landscape ranks by default (its "averageRate", descending;
 * ties by uuid), and the means an object is ranked on. */
struct object_means {
    double count, max_risk, rate;
};

struct object_profile {
    enum stats_type type;          /* STATS_THREAT or STATS_VULNERABILITY */
    struct labels labels;          /* of its most recent occurrence, owned */
    struct object_means averages;  /* over its occurrences in the selection */
    struct support support;
    size_t rank;                   /* 1 = the highest averageRate of its type */
    size_t ranked;                 /* objects of its type shown, ranked together */
};

void object_profile_free(struct object_profile *p);

/*
 * Finds `object` (a lower-case uuid) among the threats, then the
 * vulnerabilities, of the selection `f` (its type is set here) as the public
 * view shows them: STORE_NOT_FOUND when no shown item of either type is it —
 * never listed, or resting on fewer organisations or analyses than `view`
 * asks (the privacy floor: such an object is not told from an unknown one).
 * `view` needs no `whole`, `items` nor previous period: they are read here.
 */
enum store_rc object_profile_find(struct store *s, const struct stats_filter *f,
                                  const struct public_view *view, const char *object,
                                  struct object_profile *out);

#endif
