/*
 * risk_averages_on_date.c — the risk_averages cells, one mean per date:
 * each level maps to [{"date", "value"}, …] sorted by date.  Parameters choose
 * the kinds and states written (always in the order current, residual /
 * informational, operational).
 */
#include "processors/processor.h"
#include "processors/risk_cells.h"
#include "store/facts/risk.h"

enum { PARAM_RISKS_TYPE, PARAM_RISKS_STATE };

static const struct processor_param params[] = {
    [PARAM_RISKS_TYPE] = {"risks_type", RISK_KINDS,
                          "Kinds of risks to include: informational, operational, or both "
                          "(comma-separated or a list; default both)."},
    [PARAM_RISKS_STATE] = {"risks_state", RISK_STATES,
                           "States of risks to include: current, residual, or both "
                           "(comma-separated or a list; default both)."},
};

static void write_level(struct json_writer *out, const struct risk_days *days, int cell)
{
    jw_array_begin(out);
    for (size_t d = 0; d < days->count; d++) {
        const struct risk_day *day = &days->items[d];
        jw_object_begin(out);
        jw_member_string(out, "date", day->date);
        jw_member_double(out, "value", decimal_mean(day->sum[cell], day->n));
        jw_object_end(out);
    }
    jw_array_end(out);
}

static void write_state(struct json_writer *out, const struct risk_days *days, int state,
                        unsigned chosen_kinds)
{
    jw_object_begin(out);
    for (int kind = 0; kind < 2; kind++) {
        if (!(chosen_kinds & (1u << kind)))
            continue;
        jw_key(out, RISK_KINDS[kind]);
        jw_object_begin(out);
        for (int level = 0; level < 3; level++) {
            jw_key(out, RISK_LEVELS[level]);
            write_level(out, days, risk_cell(state, kind, level));
        }
        jw_object_end(out);
    }
    jw_object_end(out);
}

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
    jw_object_begin(out);
    for (int state = 0; state < 2; state++) {
        if (!(args->chosen[PARAM_RISKS_STATE] & (1u << state)))
            continue;
        jw_key(out, RISK_STATES[state]);
        write_state(out, &days, state, args->chosen[PARAM_RISKS_TYPE]);
    }
    processor_figure_support_json(out, args, true);
    jw_object_end(out);
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
