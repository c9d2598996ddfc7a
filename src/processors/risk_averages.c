/*
 * risk_averages.c — for every state × kind × level, the mean of `value` over
 * all selected risk stats (0 without stats).
 */
#include "processors/processor.h"
#include "processors/risk_cells.h"
#include "store/facts/risk.h"

static enum store_rc run(struct store *s, const struct stats_filter *f, const struct processor_args *args,
                         struct json_writer *out)
{
    if (!processor_figure_shown(args)) {
        processor_figure_hidden_json(out, args);
        return STORE_OK;
    }
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
    jw_object_begin(out);
    for (int state = 0; state < 2; state++) {
        jw_key(out, RISK_STATES[state]);
        jw_object_begin(out);
        for (int kind = 0; kind < 2; kind++) {
            jw_key(out, RISK_KINDS[kind]);
            jw_object_begin(out);
            for (int level = 0; level < 3; level++) {
                int c = risk_cell(state, kind, level);
                jw_member_double(out, RISK_LEVELS[level], decimal_mean(sum[c], n[c]));
            }
            jw_object_end(out);
        }
        jw_object_end(out);
    }
    processor_figure_support_json(out, args, true);
    jw_object_end(out);
    return STORE_OK;
}

const struct processor processor_risk_averages = {
    .name = "risk_averages",
    .type = STATS_RISK,
    .public_default = true,
    .description = "For every state (current, residual), kind (informational, operational) and level "
                   "(Low, Medium, High risks), the mean number of risks over the selected stats.",
    .run = run,
};
