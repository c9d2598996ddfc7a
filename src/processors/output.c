/*
 * output.c — JSON pieces several processors write.
 */
#include "processors/processor.h"

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
