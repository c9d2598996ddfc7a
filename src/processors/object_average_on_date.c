/*
 * object_average_on_date.c — per threat or vulnerability: the mean of each
 * metric per date (over the stats of that date that contain it), the mean over
 * all its occurrences, and the labels of its most recent occurrence.
 *
 * The store returns one row per (object, date) with sums and counts, sorted by
 * object then date; a run of rows is one object.  Averages over all
 * occurrences are the runs' sums over their counts: one occurrence is one
 * stats containing the object.
 */
#include "processors/object_average.h"

#include <stdlib.h>
#include <string.h>

#include "util/json.h"

/* The three means of {count, maxRisk, averageRate}, in MONARC's member order. */
static void write_metrics(buf *out, struct decimal count, struct decimal max_risk, struct decimal rate,
                          int64_t n)
{
    buf_puts(out, "\"count\":");
    buf_json_double(out, decimal_mean(count, n));
    buf_puts(out, ",\"maxRisk\":");
    buf_json_double(out, decimal_mean(max_risk, n));
    buf_puts(out, ",\"averageRate\":");
    buf_json_double(out, decimal_mean(rate, n));
}

/* Writes the object whose days are items[from, to). */
static void write_object(buf *out, const struct object_day *items, size_t from, size_t to,
                         const struct labels *labels)
{
    struct decimal count = {0, 0}, max_risk = {0, 0}, rate = {0, 0};
    int64_t n = 0;
    buf_puts(out, "{\"object\":");
    buf_json_string(out, items[from].object);
    buf_puts(out, ",\"labels\":");
    processor_labels_json(out, labels);
    buf_puts(out, ",\"values\":[");
    for (size_t i = from; i < to; i++) {
        const struct object_day *d = &items[i];
        buf_puts(out, i > from ? ",{" : "{");
        write_metrics(out, d->count, d->max_risk, d->rate, d->n);
        buf_printf(out, ",\"date\":\"%s\"}", d->date);
        decimal_add(&count, d->count);
        decimal_add(&max_risk, d->max_risk);
        decimal_add(&rate, d->rate);
        n += d->n;
    }
    buf_puts(out, "],\"averages\":{");
    write_metrics(out, count, max_risk, rate, n);
    buf_puts(out, "}}");
}

/* End of the run of rows of the object at items[from]. */
static size_t run_end(const struct object_days *days, size_t from)
{
    size_t to = from + 1;
    while (to < days->count && strcmp(days->items[to].object, days->items[from].object) == 0)
        to++;
    return to;
}

enum store_rc object_average_on_date(struct store *s, const struct stats_filter *f,
                                     const struct processor_args *args, buf *out)
{
    struct object_days days;
    enum store_rc rc = store_object_days(s, f, &days);
    if (rc != STORE_OK)
        return rc;
    /* Each object with the last date of its run, i.e. its latest occurrence. */
    struct object_latest *latest = xcalloc(days.count ? days.count : 1, sizeof *latest);
    size_t n_objects = 0;
    for (size_t from = 0, to; from < days.count; from = to) {
        to = run_end(&days, from);
        latest[n_objects++] = (struct object_latest){days.items[from].object, days.items[to - 1].date};
    }
    struct labels *labels = xcalloc(n_objects ? n_objects : 1, sizeof *labels);
    rc = store_object_labels(s, f, latest, n_objects, labels);
    if (rc == STORE_OK) {
        buf_putc(out, '[');
        size_t k = 0;
        for (size_t from = 0, to; from < days.count; from = to, k++) {
            to = run_end(&days, from);
            if (k)
                buf_putc(out, ',');
            write_object(out, days.items, from, to, &labels[k]);
            labels_free(&labels[k]);
        }
        buf_putc(out, ']');
    }
    free(labels);
    free(latest);
    object_days_free(&days);
    return rc;
}
