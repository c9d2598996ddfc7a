/*
 * cartography_totals.c — the risk map across analyses: the latest cartography
 * stats of each ANR in the selection, their count matrices summed cell by
 * cell, with the sorted unions of their scales.  Matrices are written as
 * objects with numeric-string keys sorted numerically, zero cells left out.
 */
#include "processors/processor.h"
#include "processors/risk_cells.h"

static void write_scales(buf *out, const struct cartography_totals *t)
{
    static const char *const names[CARTO_SCALES] = {"impact", "probability", "likelihood"};
    for (int i = 0; i < CARTO_SCALES; i++) {
        buf_printf(out, "%s\"%s\":[", i ? "," : "{", names[i]);
        for (size_t j = 0; j < t->n_scales[i]; j++)
            buf_printf(out, "%s%lld", j ? "," : "", (long long)t->scales[i][j]);
        buf_putc(out, ']');
    }
    buf_putc(out, '}');
}

/* Writes matrix m from the cells at *next (sorted by matrix, row, column). */
static void write_matrix(buf *out, const struct cartography_totals *t, int m, size_t *next)
{
    size_t i = *next;
    buf_putc(out, '{');
    for (bool first_row = true; i < t->n_cells && t->cells[i].matrix == m; first_row = false) {
        int64_t row = t->cells[i].row;
        buf_printf(out, "%s\"%lld\":{", first_row ? "" : ",", (long long)row);
        for (bool first = true; i < t->n_cells && t->cells[i].matrix == m && t->cells[i].row == row;
             i++, first = false)
            buf_printf(out, "%s\"%lld\":%lld", first ? "" : ",", (long long)t->cells[i].col,
                       (long long)t->cells[i].value);
        buf_putc(out, '}');
    }
    buf_putc(out, '}');
    *next = i;
}

static enum store_rc run(struct store *s, const struct stats_filter *f, const struct processor_args *args,
                         buf *out)
{
    struct cartography_totals t;
    enum store_rc rc = store_cartography_totals(s, f, &t);
    if (rc != STORE_OK)
        return rc;
    buf_printf(out, "{\"analyses\":%lld,\"scales\":", (long long)t.analyses);
    write_scales(out, &t);
    buf_puts(out, ",\"risks\":");
    size_t next = 0;
    for (int state = 0; state < 2; state++) {
        buf_printf(out, "%s\"%s\":", state ? "," : "{", RISK_STATES[state]);
        for (int kind = 0; kind < 2; kind++) {
            buf_printf(out, "%s\"%s\":", kind ? "," : "{", RISK_KINDS[kind]);
            write_matrix(out, &t, state * 2 + kind, &next);
        }
        buf_putc(out, '}');
    }
    buf_puts(out, "}}");
    cartography_totals_free(&t);
    return STORE_OK;
}

const struct processor processor_cartography_totals = {
    .name = "cartography_totals",
    .type = STATS_CARTOGRAPHY,
    .description = "The risk map across analyses: for each analysis its most recent cartography in the "
                   "selection, the count matrices summed cell by cell (row = impact, column = likelihood "
                   "or probability), with the number of analyses and the union of their scales.",
    .run = run,
};
