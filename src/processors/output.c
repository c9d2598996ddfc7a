/*
 * output.c — JSON pieces several processors write.
 */
#include "processors/processor.h"

#include "util/json.h"

void processor_labels_json(buf *out, const struct labels *l)
{
    for (int i = 0; i < FACT_LABELS; i++) {
        buf_printf(out, "%s\"label%d\":", i ? "," : "{", i + 1);
        buf_json_string(out, l->label[i] ? l->label[i] : "");
    }
    buf_putc(out, '}');
}

void processor_mean_json(buf *out, struct decimal sum, int64_t n)
{
    if (n > 0)
        buf_json_double(out, decimal_mean(sum, n));
    else
        buf_puts(out, "null");
}
