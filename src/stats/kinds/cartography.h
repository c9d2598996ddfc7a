/*
 * cartography.h — the facts of a cartography stats: its scales and its
 * non-zero matrix cells.
 */
#ifndef STATS_KINDS_CARTOGRAPHY_H
#define STATS_KINDS_CARTOGRAPHY_H

#include <stddef.h>
#include <stdint.h>

/* Cartography matrices, numbered state * 2 + kind like the risk cells. */
#define CARTO_MATRICES 4
#define CARTO_SCALES 3 /* impact, probability, likelihood */
/* Matrix keys and scale values are at most 9 digits (validation); counts are clamped here. */
#define CARTO_COUNT_MAX 1000000000000LL

struct carto_cell {
    int matrix;
    int64_t row, col;
    int64_t value; /* > 0: zero cells are left out */
};

/* qsort orders shared by extraction and the store's cartography totals:
 * cells by (matrix, row, col), scale values ascending. */
int carto_cell_compare(const void *a, const void *b);
int carto_value_compare(const void *a, const void *b);

struct carto_fact {
    int64_t *scales[CARTO_SCALES];  /* sorted, distinct */
    size_t n_scales[CARTO_SCALES];
    struct carto_cell *cells;       /* sorted by matrix, row, col */
    size_t n_cells;
};

#endif
