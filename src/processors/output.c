/*
 * output.c — JSON pieces several processors write, and the public view's
 * floor and sample sizes (processor.h, docs/privacy.md).
 */
#include "processors/processor.h"

#include <assert.h>

void processor_labels_json(struct json_writer *out, const struct labels *l)
{
    static const char *const keys[] = {"label1", "label2", "label3", "label4"};
    _Static_assert(sizeof keys / sizeof *keys == FACT_LABELS, "one key per label");
    jw_object_begin(out);
    for (int i = 0; i < FACT_LABELS; i++)
        jw_member_string(out, keys[i], l->label[i] ? l->label[i] : "");
    jw_object_end(out);
}

void processor_mean_json(struct json_writer *out, struct decimal sum, int64_t n)
{
    if (n > 0)
        jw_double(out, decimal_mean(sum, n));
    else
        jw_null(out);
}

static void support_json(struct json_writer *out, const struct support *support, bool with_analyses)
{
    if (with_analyses)
        jw_member_int(out, "analyses", support->analyses);
    jw_member_int(out, "organisations", support->organisations);
    if (support->newest[0]) {
        jw_member_string(out, "data_up_to", support->newest);
    } else {
        jw_key(out, "data_up_to");
        jw_null(out);
    }
}

static const struct support *item_support(const struct processor_args *args, const char *key)
{
    static const struct support none = {0};
    assert(args->view && args->view->items);
    const struct support *found = item_supports_find(args->view->items, key);
    return found ? found : &none;
}

static bool above_floor(const struct public_view *view, const struct support *support)
{
    return support->organisations >= view->min_organisations && support->analyses >= view->min_analyses;
}

bool processor_item_shown(const struct processor_args *args, const char *key)
{
    return !args->view || above_floor(args->view, item_support(args, key));
}

bool processor_previous_shown(const struct processor_args *args, const char *key)
{
    if (!args->view || !args->view->previous)
        return false;
    assert(args->view->previous_items);
    const struct support *support = item_supports_find(args->view->previous_items, key);
    return support && above_floor(args->view, support);
}

void processor_item_support_json(struct json_writer *out, const struct processor_args *args,
                                 const char *key, bool with_analyses)
{
    if (args->view)
        support_json(out, item_support(args, key), with_analyses);
}

bool processor_figure_shown(const struct processor_args *args)
{
    return !args->view || args->view->whole.organisations == 0 ||
           args->view->whole.organisations >= args->view->min_organisations;
}

void processor_figure_support_json(struct json_writer *out, const struct processor_args *args,
                                   bool with_analyses)
{
    if (args->view)
        support_json(out, &args->view->whole, with_analyses);
}

void processor_figure_hidden_json(struct json_writer *out, const struct processor_args *args)
{
    assert(args->view);
    jw_object_begin(out);
    support_json(out, &args->view->whole, true);
    jw_object_end(out);
}
