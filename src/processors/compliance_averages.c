/*
 * compliance_averages.c — per referential of the latest compliance stats of
 * each ANR in the selection: how many analyses have it, and per category
 * (matched by its labels) the mean current and target values over the
 * analyses that have it, and its number of controls.  A mean over no value
 * (a category met only in `target`, say) is null.
 */
#include "processors/processor.h"

#include <string.h>

static void write_category(buf *out, const struct compliance_category_total *c)
{
    buf_puts(out, "{\"labels\":");
    processor_labels_json(out, &c->labels);
    buf_puts(out, ",\"current\":");
    processor_mean_json(out, c->current, c->n_current);
    buf_puts(out, ",\"target\":");
    processor_mean_json(out, c->target, c->n_target);
    buf_printf(out, ",\"controls\":%lld}", (long long)c->controls);
}

static enum store_rc run(struct store *s, const struct stats_filter *f, const struct processor_args *args,
                         buf *out)
{
    struct compliance_totals t;
    enum store_rc rc = store_compliance_totals(s, f, &t);
    if (rc != STORE_OK)
        return rc;
    size_t c = 0; /* categories come sorted by referential, like the referentials */
    buf_putc(out, '[');
    for (size_t i = 0; i < t.n_referentials; i++) {
        const struct compliance_referential_total *r = &t.referentials[i];
        buf_puts(out, i ? ",{\"referential\":" : "{\"referential\":");
        buf_json_string(out, r->referential);
        buf_puts(out, ",\"labels\":");
        processor_labels_json(out, &r->labels);
        buf_printf(out, ",\"analyses\":%lld,\"categories\":[", (long long)r->analyses);
        while (c < t.n_categories && strcmp(t.categories[c].referential, r->referential) < 0)
            c++;
        for (bool first = true; c < t.n_categories && strcmp(t.categories[c].referential, r->referential) == 0;
             c++, first = false) {
            if (!first)
                buf_putc(out, ',');
            write_category(out, &t.categories[c]);
        }
        buf_puts(out, "]}");
    }
    buf_putc(out, ']');
    compliance_totals_free(&t);
    return STORE_OK;
}

const struct processor processor_compliance_averages = {
    .name = "compliance_averages",
    .type = STATS_COMPLIANCE,
    .description = "Per referential, over the most recent compliance stats of each analysis in the "
                   "selection: the number of analyses that have it, and per category (matched by its "
                   "labels) the mean current and target compliance over the analyses that have it and "
                   "its number of controls.",
    .run = run,
};
