/*
 * risk.h — the risk cells summed per date (facts/risk.c), which the risk
 * processors read, and the spans of the risks' evolution.
 */
#ifndef STORE_FACTS_RISK_H
#define STORE_FACTS_RISK_H

#include "store/store.h"

/* Risk cells (extract.h numbering) on one date, over the selected stats of that date. */
struct risk_day {
    char date[DATE_STR_LEN];
    int64_t n;                              /* stats of that date */
    struct decimal sum[RISK_CELLS];
};

struct risk_days {
    struct risk_day *items;                 /* by date */
    size_t count;
};
void risk_days_free(struct risk_days *d);
enum store_rc store_risk_days(struct store *s, const struct stats_filter *f, struct risk_days *out);

/*
 * The evolution (processors/evolution.c): the figures of a risk stats stand
 * for its analysis from its date until the date of the analysis' next risk
 * stats (9999-12-31 while it has none).  A span sums the facts of the stats
 * of one client and date that stand until the same date.
 */
struct risk_span {
    int64_t client_id;
    char date[DATE_STR_LEN];
    char until[DATE_STR_LEN];
    int64_t n;                              /* facts (one per analysis) */
    struct decimal sum[RISK_CELLS];
};

struct risk_spans {
    struct risk_span *items;                /* in no particular order */
    size_t count;
};
void risk_spans_free(struct risk_spans *x);

/* The spans whose date is in f's dates (f: client flags, dates; its type,
 * if any, is not read; no ANRs, no get_last). */
enum store_rc store_risk_spans(struct store *s, const struct stats_filter *f, struct risk_spans *out);

#endif
