/*
 * object_profile.c — one threat or vulnerability as the public landscape
 * shows it: found among the shown items of its type (the privacy floor and
 * min_analyses applied as on /stats/<kind>.json), its means computed like
 * object_average_on_date's "averages", and its rank among the shown items of
 * its type by the landscape's default order (averageRate, highest first, ties
 * by uuid), so that the object page and the landscape's list agree.
 */
#include "processors/object_profile.h"

#include <string.h>

#include "store/facts/objects.h"

void object_profile_free(struct object_profile *p)
{
    labels_free(&p->labels);
}

/* Means of the run of rows of one object, days->items[from, to). */
static struct object_means run_means(const struct object_days *days, size_t from, size_t to)
{
    struct decimal count = {0, 0}, max_risk = {0, 0}, rate = {0, 0};
    int64_t n = 0;
    for (size_t i = from; i < to; i++) {
        decimal_add(&count, days->items[i].count);
        decimal_add(&max_risk, days->items[i].max_risk);
        decimal_add(&rate, days->items[i].rate);
        n += days->items[i].n;
    }
    return (struct object_means){decimal_mean(count, n), decimal_mean(max_risk, n), decimal_mean(rate, n)};
}

static size_t run_end(const struct object_days *days, size_t from)
{
    size_t to = from + 1;
    while (to < days->count && strcmp(days->items[to].object, days->items[from].object) == 0)
        to++;
    return to;
}

/* Ranks `object` among the shown objects of `days` and reads its labels;
 * STORE_NOT_FOUND when its rows are gone (removed between the two reads). */
static enum store_rc rank_object(struct store *s, const struct stats_filter *f,
                                 const struct processor_args *args, const struct object_days *days,
                                 const char *object, struct object_profile *out)
{
    size_t at = days->count, at_end = 0;
    for (size_t from = 0, to; from < days->count; from = to) {
        to = run_end(days, from);
        if (strcmp(days->items[from].object, object) == 0) {
            at = from;
            at_end = to;
        }
    }
    if (at == days->count)
        return STORE_NOT_FOUND;
    out->averages = run_means(days, at, at_end);
    out->rank = 1;
    out->ranked = 0;
    for (size_t from = 0, to; from < days->count; from = to) {
        to = run_end(days, from);
        const char *other = days->items[from].object;
        if (!processor_item_shown(args, other))
            continue;
        out->ranked++;
        double rate = run_means(days, from, to).rate;
        if (rate > out->averages.rate || (rate == out->averages.rate && strcmp(other, object) < 0))
            out->rank++;
    }
    /* Its labels: those of its most recent occurrence, the last date of its run. */
    struct object_latest latest = {object, days->items[at_end - 1].date};
    return store_object_labels(s, f, &latest, 1, &out->labels);
}

enum store_rc object_profile_find(struct store *s, const struct stats_filter *f,
                                  const struct public_view *view, const char *object,
                                  struct object_profile *out)
{
    static const enum stats_type types[] = {STATS_THREAT, STATS_VULNERABILITY};
    *out = (struct object_profile){0};
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        struct stats_filter of_type = *f;
        of_type.has_type = true;
        of_type.type = types[t];
        struct item_supports items = {0};
        enum store_rc rc = store_item_support(s, &of_type, &items);
        struct public_view seen = *view;
        seen.items = &items;
        struct processor_args args;
        processor_args_default(&args);
        args.view = &seen;
        if (rc == STORE_OK && processor_item_shown(&args, object)) {
            struct object_days days = {0};
            out->type = types[t];
            out->support = *item_supports_find(&items, object);
            rc = store_object_days(s, &of_type, &days);
            if (rc == STORE_OK)
                rc = rank_object(s, &of_type, &args, &days, object, out);
            object_days_free(&days);
            item_supports_free(&items);
            if (rc != STORE_OK)
                object_profile_free(out);
            return rc;
        }
        item_supports_free(&items);
        if (rc != STORE_OK)
            return rc;
    }
    return STORE_NOT_FOUND;
}
