/*
 * risk_averages.c — for every state × kind × level, the mean of `value` over
 * all selected risk stats (0 without stats).
 */
#include "processors/processor.h"
#include "processors/risk_cells.h"

#include "util/json.h"

static enum store_rc run(struct store *s, const struct stats_filter *f, const struct processor_args *args,
                         buf *out)
{
    struct risk_days days;
    enum store_rc rc = store_risk_days(s, f, &days);
    if (rc != STORE_OK)
        return rc;
    struct decimal sum[RISK_CELLS] = {{0, 0}};
    int64_t n[RISK_CELLS] = {0};
    for (size_t d = 0; d < days.count; d++) {
        for (int c = 0; c < RISK_CELLS; c++) {
            decimal_add(&sum[c], days.items[d].sum[c]);
            n[c] += days.items[d].n;
        }
    }
    risk_days_free(&days);
    for (int state = 0; state < 2; state++) {
        buf_printf(out, "%s\"%s\":", state ? "," : "{", RISK_STATES[state]);
        for (int kind = 0; kind < 2; kind++) {
            buf_printf(out, "%s\"%s\":", kind ? "," : "{", RISK_KINDS[kind]);
            for (int level = 0; level < 3; level++) {
                int c = risk_cell(state, kind, level);
                buf_printf(out, "%s\"%s\":", level ? "," : "{", RISK_LEVELS[level]);
                buf_json_double(out, decimal_mean(sum[c], n[c]));
            }
            buf_putc(out, '}');
        }
        buf_putc(out, '}');
    }
    buf_putc(out, '}');
    return STORE_OK;
}

const struct processor processor_risk_averages = {
    .name = "risk_averages",
    .type = STATS_RISK,
    .description = "For every state (current, residual), kind (informational, operational) and level "
                   "(Low, Medium, High risks), the mean number of risks over the selected stats.",
    .run = run,
};
