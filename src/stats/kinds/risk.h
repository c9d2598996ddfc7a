/*
 * risk.h — the facts of a risk stats: its 12 level values.
 */
#ifndef STATS_KINDS_RISK_H
#define STATS_KINDS_RISK_H

#include "util/decimal.h"

/* Risk cells: state (current, residual) × kind (informational, operational) ×
 * level (Low, Medium, High), numbered state * 6 + kind * 3 + level. */
#define RISK_CELLS 12

struct risk_fact {
    struct decimal value[RISK_CELLS];
};

#endif
