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

/* The sums of the object whose days are items[from, to). */
struct object_sums {
    struct decimal count, max_risk, rate;
    int64_t n;
};

static struct object_sums sum_days(const struct object_day *items, size_t from, size_t to)
{
    struct object_sums sums = {{0, 0}, {0, 0}, {0, 0}, 0};
    for (size_t i = from; i < to; i++) {
        decimal_add(&sums.count, items[i].count);
        decimal_add(&sums.max_risk, items[i].max_risk);
        decimal_add(&sums.rate, items[i].rate);
        sums.n += items[i].n;
    }
    return sums;
}

static void write_averages(struct json_writer *out, const struct object_sums *sums)
{
    jw_object_begin(out);
    write_metrics(out, sums->count, sums->max_risk, sums->rate, sums->n);
    jw_object_end(out);
}

/* Writes the object whose days are items[from, to); with a public view over
 * two periods, its averages over the previous one (`previous`, or NULL when
 * it has none there) too. */
static void write_object(struct json_writer *out, const struct object_day *items, size_t from,
                         size_t to, const struct labels *labels, const struct processor_args *args,
                         const struct object_sums *previous)
{
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
    }
    jw_array_end(out);
    jw_key(out, "averages");
    struct object_sums all = sum_days(items, from, to);
    write_averages(out, &all);
    if (args->view && args->view->previous) {
        jw_key(out, "previous");
        if (previous)
            write_averages(out, previous);
        else
            jw_null(out);
    }
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

/* The sums of `object` over the previous period's days (sorted by object),
 * when it may be shown there. */
static bool previous_sums(const struct object_days *previous, const struct processor_args *args,
                          const char *object, struct object_sums *out)
{
    if (!processor_previous_shown(args, object))
        return false;
    size_t lo = 0, hi = previous->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(previous->items[mid].object, object) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == previous->count || strcmp(previous->items[lo].object, object) != 0)
        return false;
    *out = sum_days(previous->items, lo, run_end(previous, lo));
    return true;
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
    struct object_days previous = {0};
    rc = store_object_labels(s, f, latest, n_objects, labels);
    if (rc == STORE_OK && args->view && args->view->previous)
        rc = store_object_days(s, args->view->previous, &previous);
    if (rc == STORE_OK) {
        jw_array_begin(out);
        size_t k = 0;
        for (size_t from = 0, to; from < days.count; from = to) {
            to = run_end(&days, from);
            const char *object = days.items[from].object;
            if (!processor_item_shown(args, object))
                continue;
            struct object_sums before;
            bool has_before = previous_sums(&previous, args, object, &before);
            write_object(out, days.items, from, to, &labels[k++], args, has_before ? &before : NULL);
        }
        jw_array_end(out);
    }
    for (size_t k = 0; k < n_objects; k++)
        labels_free(&labels[k]);
    free(labels);
    free(latest);
    object_days_free(&days);
    object_days_free(&previous);
    return rc;
}
