/*
 * risk.h — the risk cells summed per date (facts/risk.c), which the risk
 * processors read.
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

#endif
