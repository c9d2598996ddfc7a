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

/* The three means of {count, maxRisk, averageRate}, in MONARC's member order. */
static void write_metrics(struct json_writer *out, struct decimal count, struct decimal max_risk,
                          struct decimal rate, int64_t n)
{
    jw_member_double(out, "count", decimal_mean(count, n));
    jw_member_double(out, "maxRisk", decimal_mean(max_risk, n));
    jw_member_double(out, "averageRate", decimal_mean(rate, n));
}

/* Writes the object whose days are items[from, to). */
static void write_object(struct json_writer *out, const struct object_day *items, size_t from,
                         size_t to, const struct labels *labels, const struct processor_args *args)
{
    struct decimal count = {0, 0}, max_risk = {0, 0}, rate = {0, 0};
    int64_t n = 0;
    jw_object_begin(out);
    jw_member_string(out, "object", items[from].object);
    jw_key(out, "labels");
    processor_labels_json(out, labels);
    jw_key(out, "values");
    jw_array_begin(out);
    for (size_t i = from; i < to; i++) {
        const struct object_day *d = &items[i];
        jw_object_begin(out);
        write_metrics(out, d->count, d->max_risk, d->rate, d->n);
        jw_member_string(out, "date", d->date);
        jw_object_end(out);
        decimal_add(&count, d->count);
        decimal_add(&max_risk, d->max_risk);
        decimal_add(&rate, d->rate);
        n += d->n;
    }
    jw_array_end(out);
    jw_key(out, "averages");
    jw_object_begin(out);
    write_metrics(out, count, max_risk, rate, n);
    jw_object_end(out);
    processor_item_support_json(out, args, items[from].object, true);
    jw_object_end(out);
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
                                     const struct processor_args *args, struct json_writer *out)
{
    struct object_days days;
    enum store_rc rc = store_object_days(s, f, &days);
    if (rc != STORE_OK)
        return rc;
    /* Each object shown with the last date of its run, i.e. its latest occurrence. */
    struct object_latest *latest = xcalloc(days.count ? days.count : 1, sizeof *latest);
    size_t n_objects = 0;
    for (size_t from = 0, to; from < days.count; from = to) {
        to = run_end(&days, from);
        if (processor_item_shown(args, days.items[from].object))
            latest[n_objects++] = (struct object_latest){days.items[from].object, days.items[to - 1].date};
    }
    struct labels *labels = xcalloc(n_objects ? n_objects : 1, sizeof *labels);
    rc = store_object_labels(s, f, latest, n_objects, labels);
    if (rc == STORE_OK) {
        jw_array_begin(out);
        size_t k = 0;
        for (size_t from = 0, to; from < days.count; from = to) {
            to = run_end(&days, from);
            if (!processor_item_shown(args, days.items[from].object))
                continue;
            write_object(out, days.items, from, to, &labels[k], args);
            labels_free(&labels[k++]);
        }
        jw_array_end(out);
    }
    free(labels);
    free(latest);
    object_days_free(&days);
    return rc;
}
