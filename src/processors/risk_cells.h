/*
 * risk_cells.h — names of the risk cells (extract.h numbering), shared by the
 * two risk processors.
 */
#ifndef PROCESSORS_RISK_CELLS_H
#define PROCESSORS_RISK_CELLS_H

/* NULL-terminated: they are also the words of risk_averages_on_date's parameters. */
static const char *const RISK_STATES[3] = {"current", "residual", NULL};
static const char *const RISK_KINDS[3] = {"informational", "operational", NULL};
static const char *const RISK_LEVELS[3] = {"Low risks", "Medium risks", "High risks"};

static inline int risk_cell(int state, int kind, int level)
{
    return state * 6 + kind * 3 + level;
}

#endif
