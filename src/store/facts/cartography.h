/*
 * cartography.h — the cartographies summed (facts/cartography.c), which
 * cartography_totals reads.
 */
#ifndef STORE_FACTS_CARTOGRAPHY_H
#define STORE_FACTS_CARTOGRAPHY_H

#include "store/store.h"

/* The latest cartography stats of each (client, ANR) in the selection, summed. */
struct cartography_totals {
    int64_t analyses;
    int64_t *scales[CARTO_SCALES];          /* sorted unions */
    size_t n_scales[CARTO_SCALES];
    struct carto_cell *cells;               /* sums > 0, by matrix, row, column */
    size_t n_cells;
};
void cartography_totals_free(struct cartography_totals *t);
enum store_rc store_cartography_totals(struct store *s, const struct stats_filter *f,
                                       struct cartography_totals *out);

#endif
