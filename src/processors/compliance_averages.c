/*
 * compliance_averages.c — per referential of the latest compliance stats of
 * each ANR in the selection: how many analyses have it, and per category
 * (matched by its labels) the mean current and target values over the
 * analyses that have it, and its number of controls.  A mean over no value
 * (a category met only in `target`, say) is null.
 */
#include "processors/processor.h"
#include "store/facts/compliance.h"

#include <string.h>

static void write_category(struct json_writer *out, const struct compliance_category_total *c)
{
    jw_object_begin(out);
    jw_key(out, "labels");
    processor_labels_json(out, &c->labels);
    jw_key(out, "current");
    processor_mean_json(out, c->current, c->n_current);
    jw_key(out, "target");
    processor_mean_json(out, c->target, c->n_target);
    jw_member_int(out, "controls", c->controls);
    jw_object_end(out);
}

static enum store_rc run(struct store *s, const struct stats_filter *f, const struct processor_args *args,
                         struct json_writer *out)
{
    struct compliance_totals t;
    enum store_rc rc = store_compliance_totals(s, f, &t);
    if (rc != STORE_OK)
        return rc;
    size_t c = 0; /* categories come sorted by referential, like the referentials */
    jw_array_begin(out);
    for (size_t i = 0; i < t.n_referentials; i++) {
        const struct compliance_referential_total *r = &t.referentials[i];
        if (!processor_item_shown(args, r->referential))
            continue;
        jw_object_begin(out);
        jw_member_string(out, "referential", r->referential);
        jw_key(out, "labels");
        processor_labels_json(out, &r->labels);
        jw_member_int(out, "analyses", r->analyses);
        jw_key(out, "categories");
        jw_array_begin(out);
        while (c < t.n_categories && strcmp(t.categories[c].referential, r->referential) < 0)
            c++;
        for (; c < t.n_categories && strcmp(t.categories[c].referential, r->referential) == 0; c++)
            write_category(out, &t.categories[c]);
        jw_array_end(out);
        processor_item_support_json(out, args, r->referential, false); /* "analyses" is written above */
        jw_object_end(out);
    }
    jw_array_end(out);
    compliance_totals_free(&t);
    return STORE_OK;
}

const struct processor processor_compliance_averages = {
    .name = "compliance_averages",
    .type = STATS_COMPLIANCE,
    .public_default = true,
    .description = "Per referential, over the most recent compliance stats of each analysis in the "
                   "selection: the number of analyses that have it, and per category (matched by its "
                   "labels) the mean current and target compliance over the analyses that have it and "
                   "its number of controls.",
    .run = run,
};
