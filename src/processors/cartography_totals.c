/*
 * cartography_totals.c — the risk map across analyses: the latest cartography
 * stats of each ANR in the selection, their count matrices summed cell by
 * cell, with the sorted unions of their scales.  Matrices are written as
 * objects with numeric-string keys sorted numerically, zero cells left out.
 */
#include "processors/processor.h"
#include "processors/risk_cells.h"
#include "store/facts/cartography.h"

#include <inttypes.h>
#include <stdio.h>

static void write_scales(struct json_writer *out, const struct cartography_totals *t)
{
    static const char *const names[CARTO_SCALES] = {"impact", "probability", "likelihood"};
    jw_object_begin(out);
    for (int i = 0; i < CARTO_SCALES; i++) {
        jw_key(out, names[i]);
        jw_array_begin(out);
        for (size_t j = 0; j < t->n_scales[i]; j++)
            jw_int(out, t->scales[i][j]);
        jw_array_end(out);
    }
    jw_object_end(out);
}

/* A row or column number as the key of a matrix's member. */
static void number_key(struct json_writer *out, int64_t n)
{
    char key[24];
    snprintf(key, sizeof key, "%" PRId64, n);
    jw_key(out, key);
}

/* Writes matrix m from the cells at *next (sorted by matrix, row, column). */
static void write_matrix(struct json_writer *out, const struct cartography_totals *t, int m, size_t *next)
{
    size_t i = *next;
    jw_object_begin(out);
    while (i < t->n_cells && t->cells[i].matrix == m) {
        int64_t row = t->cells[i].row;
        number_key(out, row);
        jw_object_begin(out);
        for (; i < t->n_cells && t->cells[i].matrix == m && t->cells[i].row == row; i++) {
            number_key(out, t->cells[i].col);
            jw_int(out, t->cells[i].value);
        }
        jw_object_end(out);
    }
    jw_object_end(out);
    *next = i;
}

static enum store_rc run(struct store *s, const struct stats_filter *f, const struct processor_args *args,
                         struct json_writer *out)
{
    if (!processor_figure_shown(args)) {
        processor_figure_hidden_json(out, args);
        return STORE_OK;
    }
    struct cartography_totals t;
    enum store_rc rc = store_cartography_totals(s, f, &t);
    if (rc != STORE_OK)
        return rc;
    jw_object_begin(out);
    jw_member_int(out, "analyses", t.analyses);
    jw_key(out, "scales");
    write_scales(out, &t);
    jw_key(out, "risks");
    jw_object_begin(out);
    size_t next = 0;
    for (int state = 0; state < 2; state++) {
        jw_key(out, RISK_STATES[state]);
        jw_object_begin(out);
        for (int kind = 0; kind < 2; kind++) {
            jw_key(out, RISK_KINDS[kind]);
            write_matrix(out, &t, state * 2 + kind, &next);
        }
        jw_object_end(out);
    }
    jw_object_end(out);
    processor_figure_support_json(out, args, false); /* its own "analyses" is the same count */
    jw_object_end(out);
    cartography_totals_free(&t);
    return STORE_OK;
}

const struct processor processor_cartography_totals = {
    .name = "cartography_totals",
    .type = STATS_CARTOGRAPHY,
    .public_default = true,
    .description = "The risk map across analyses: for each analysis its most recent cartography in the "
                   "selection, the count matrices summed cell by cell (row = impact, column = likelihood "
                   "or probability), with the number of analyses and the union of their scales.",
    .run = run,
};
