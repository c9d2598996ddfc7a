/*
 * risk_averages_on_date.c — the risk_averages cells, one mean per date:
 * each level maps to [{"date", "value"}, …] sorted by date.  Parameters choose
 * the kinds and states written (always in the order current, residual /
 * informational, operational).
 */
#include "processors/processor.h"
#include "processors/risk_cells.h"

#include "util/json.h"

enum { PARAM_RISKS_TYPE, PARAM_RISKS_STATE };

static const struct processor_param params[] = {
    [PARAM_RISKS_TYPE] = {"risks_type", RISK_KINDS,
                          "Kinds of risks to include: informational, operational, or both "
                          "(comma-separated or a list; default both)."},
    [PARAM_RISKS_STATE] = {"risks_state", RISK_STATES,
                           "States of risks to include: current, residual, or both "
                           "(comma-separated or a list; default both)."},
};

static void write_level(buf *out, const struct risk_days *days, int cell)
{
    buf_putc(out, '[');
    bool first = true;
    for (size_t d = 0; d < days->count; d++) {
        const struct risk_day *day = &days->items[d];
        buf_printf(out, "%s{\"date\":\"%s\",\"value\":", first ? "" : ",", day->date);
        buf_json_double(out, decimal_mean(day->sum[cell], day->n));
        buf_putc(out, '}');
        first = false;
    }
    buf_putc(out, ']');
}

static void write_state(buf *out, const struct risk_days *days, int state, unsigned chosen_kinds)
{
    bool first = true;
    buf_putc(out, '{');
    for (int kind = 0; kind < 2; kind++) {
        if (!(chosen_kinds & (1u << kind)))
            continue;
        buf_printf(out, "%s\"%s\":", first ? "" : ",", RISK_KINDS[kind]);
        for (int level = 0; level < 3; level++) {
            buf_printf(out, "%s\"%s\":", level ? "," : "{", RISK_LEVELS[level]);
            write_level(out, days, risk_cell(state, kind, level));
        }
        buf_putc(out, '}');
        first = false;
    }
    buf_putc(out, '}');
}

static enum store_rc run(struct store *s, const struct stats_filter *f, const struct processor_args *args,
                         buf *out)
{
    struct risk_days days;
    enum store_rc rc = store_risk_days(s, f, &days);
    if (rc != STORE_OK)
        return rc;
    bool first = true;
    buf_putc(out, '{');
    for (int state = 0; state < 2; state++) {
        if (!(args->chosen[PARAM_RISKS_STATE] & (1u << state)))
            continue;
        buf_printf(out, "%s\"%s\":", first ? "" : ",", RISK_STATES[state]);
        write_state(out, &days, state, args->chosen[PARAM_RISKS_TYPE]);
        first = false;
    }
    buf_putc(out, '}');
    risk_days_free(&days);
    return STORE_OK;
}

const struct processor processor_risk_averages_on_date = {
    .name = "risk_averages_on_date",
    .type = STATS_RISK,
    .description = "For every state, kind and level of risks, the mean number of risks per date "
                   "([{date, value}] sorted by date).",
    .params = params,
    .n_params = sizeof params / sizeof *params,
    .run = run,
};
