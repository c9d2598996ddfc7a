/*
 * objects.h — the facts of a threat or vulnerability stats: one per object.
 */
#ifndef STATS_KINDS_OBJECTS_H
#define STATS_KINDS_OBJECTS_H

#include "stats/doc_read.h"
#include "util/decimal.h"
#include "util/ids.h"

/* One threat or vulnerability of a stats (the uuid lower-cased). */
struct object_fact {
    char uuid[UUID_STR_LEN];
    struct fact_labels labels;
    struct decimal count, max_risk, rate;
};

#endif
