/*
 * objects.h — the aggregates of threats and vulnerabilities (facts/objects.c)
 * their processors and the map read.
 */
#ifndef STORE_FACTS_OBJECTS_H
#define STORE_FACTS_OBJECTS_H

#include "store/store.h"

/* A threat or vulnerability on one date: sums over the selected stats of that
 * date that contain it. */
struct object_day {
    char object[UUID_STR_LEN];
    char date[DATE_STR_LEN];
    int64_t n;                              /* stats containing it */
    struct decimal count, max_risk, rate;   /* sums */
};

struct object_days {
    struct object_day *items;               /* by object, then date */
    size_t count;
};
void object_days_free(struct object_days *d);

/* f->type: threat or vulnerability. */
enum store_rc store_object_days(struct store *s, const struct stats_filter *f, struct object_days *out);

/* An object and the latest date it occurs on in the selection. */
struct object_latest {
    const char *object;
    const char *date;
};

/* out[i] = the labels of objects[i]'s most recent occurrence in the selection
 * (latest date, then last stored); objects sorted by uuid, distinct. */
enum store_rc store_object_labels(struct store *s, const struct stats_filter *f,
                                  const struct object_latest *objects, size_t n, struct labels *out);

/* Per client and object, over the selected stats: how many contain it, and the
 * sum of its count.  For the map. */
struct object_client_total {
    int64_t client_id;
    char object[UUID_STR_LEN];
    int64_t n;
    struct decimal count;
};

struct object_client_totals {
    struct object_client_total *items;      /* by client, then object */
    size_t count;
};
void object_client_totals_free(struct object_client_totals *t);
enum store_rc store_object_client_totals(struct store *s, const struct stats_filter *f,
                                         struct object_client_totals *out);

/*
 * The evolution (processors/evolution.c): the figures of a stats stand for its
 * analysis from its date until the date of the analysis' next stats of the
 * type (SPAN_OPEN, facts.h, while it has none).  A span sums the facts of one object
 * from the stats of one client and date that stand until the same date.
 */
struct object_span {
    int64_t client_id;
    char date[DATE_STR_LEN];
    char until[DATE_STR_LEN];               /* SPAN_OPEN: still standing */
    int64_t n;                              /* facts (one per analysis) */
    struct decimal sum[3];                  /* of count, maxRisk, averageRate */
};

struct object_spans {
    struct object_span *items;              /* in no particular order */
    size_t count;
};
void object_spans_free(struct object_spans *x);

/* The spans of one object whose date is in f's dates (f: a type, client
 * flags, dates; no ANRs, no get_last). */
enum store_rc store_object_spans(struct store *s, const struct stats_filter *f, const char *object,
                                 struct object_spans *out);

#endif
