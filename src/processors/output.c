/*
 * output.c — JSON pieces several processors write.
 */
#include "processors/processor.h"

#include <stdio.h>

void processor_labels_json(struct json_writer *out, const struct labels *l)
{
    jw_object_begin(out);
    for (int i = 0; i < FACT_LABELS; i++) {
        char key[16];
        snprintf(key, sizeof key, "label%d", i + 1);
        jw_member_string(out, key, l->label[i] ? l->label[i] : "");
    }
    jw_object_end(out);
}

void processor_mean_json(struct json_writer *out, struct decimal sum, int64_t n)
{
    if (n > 0)
        jw_double(out, decimal_mean(sum, n));
    else
        jw_null(out);
}
