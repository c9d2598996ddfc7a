/*
 * objects.c — the threat and vulnerability kinds, which have the same `data`:
 * a list of object summaries {uuid, label1..4, maxRisk, count, averageRate}.
 * Their shape check and facts are written once here; the two kinds differ
 * only in name.  Labels may be absent, like null.
 */
#include <stdlib.h>
#include <string.h>

#include "stats/doc_read.h"
#include "stats/extract.h"
#include "stats/kind.h"
#include "stats/scan.h"
#include "stats/shape.h"
#include "util/buf.h"

/* ---- shape ----------------------------------------------------------------- */

static void check_object_summary(struct shape *s, struct json_object *v)
{
    if (!shape_expect_object(s, v))
        return;
    shape_member(s, v, "uuid", true, shape_uuid);
    shape_labels(s, v);
    shape_member(s, v, "maxRisk", true, shape_num);
    shape_member(s, v, "count", true, shape_num);
    shape_member(s, v, "averageRate", true, shape_num);
}

static void check_summaries(struct shape *s, struct json_object *data)
{
    shape_list_of(s, data, check_object_summary);
}

/* ---- facts ----------------------------------------------------------------- */

/* Sorts by uuid, then by position, so the last occurrence of a uuid ends its run. */
struct ranked_object {
    struct object_fact fact;
    size_t position;
};

static int compare_ranked(const void *a, const void *b)
{
    const struct ranked_object *x = a, *y = b;
    int c = strcmp(x->fact.uuid, y->fact.uuid);
    if (c)
        return c;
    return x->position < y->position ? -1 : x->position > y->position;
}

/* The facts of the n objects read, in list order: one per uuid, the last one. */
static void keep_last_of_each(struct ranked_object *ranked, size_t n, struct stats_facts *f)
{
    if (n) /* qsort() must not be given NULL, even for nothing */
        qsort(ranked, n, sizeof *ranked, compare_ranked);
    f->objects = xcalloc(n ? n : 1, sizeof *f->objects);
    for (size_t i = 0; i < n; i++)
        if (i + 1 == n || strcmp(ranked[i].fact.uuid, ranked[i + 1].fact.uuid) != 0)
            f->objects[f->n_objects++] = ranked[i].fact;
}

static bool read_object(struct json_object *v, struct object_fact *out)
{
    return doc_uuid_member(v, "uuid", out->uuid) && doc_labels(v, &out->labels) &&
           doc_num_member(v, "count", &out->count) && doc_num_member(v, "maxRisk", &out->max_risk) &&
           doc_num_member(v, "averageRate", &out->rate);
}

static bool extract_objects(struct json_object *data, struct stats_facts *f)
{
    if (!json_object_is_type(data, json_type_array))
        return false;
    size_t n = json_object_array_length(data);
    struct ranked_object *ranked = xcalloc(n ? n : 1, sizeof *ranked);
    for (size_t i = 0; i < n; i++) {
        ranked[i].position = i;
        if (!read_object(json_object_array_get_idx(data, i), &ranked[i].fact)) {
            free(ranked);
            return false;
        }
    }
    keep_last_of_each(ranked, n, f);
    free(ranked);
    return true;
}

static void free_objects(struct stats_facts *f)
{
    free(f->objects);
}

/* ---- the check and the facts without a tree (scan.h) ------------------------ */

enum summary_member { SUMMARY_UUID = SCAN_LABELS, SUMMARY_MAX_RISK, SUMMARY_COUNT, SUMMARY_RATE };

/* Where the members of the summary being read go. */
struct summary_reader {
    struct stats_facts *facts; /* owns the labels' texts */
    struct object_fact *fact;
};

static bool scan_summary_member(void *ctx, size_t index, struct json_pull *p, enum jp_token value)
{
    const struct summary_reader *r = ctx;
    struct object_fact *x = r->fact;
    switch (index) {
    case SUMMARY_UUID: return scan_uuid_value(p, value, x->uuid);
    case SUMMARY_MAX_RISK: return scan_num_value(p, value, &x->max_risk);
    case SUMMARY_COUNT: return scan_num_value(p, value, &x->count);
    case SUMMARY_RATE: return scan_num_value(p, value, &x->rate);
    default: return scan_label_value(p, value, r->facts, &x->labels.label[index]);
    }
}

/* The summaries read so far, in list order. */
struct summaries_reader {
    struct stats_facts *facts;
    struct ranked_object *ranked;
    size_t n, cap;
};

static bool scan_object_summary(void *ctx, struct json_pull *p, enum jp_token first)
{
    static const char *const names[] = {SCAN_LABEL_NAMES, "uuid", "maxRisk", "count", "averageRate"};
    const uint32_t required = 1u << SUMMARY_UUID | 1u << SUMMARY_MAX_RISK | 1u << SUMMARY_COUNT |
                              1u << SUMMARY_RATE;
    struct summaries_reader *list = ctx;
    if (list->n == list->cap) {
        list->cap = list->cap ? 2 * list->cap : 64;
        list->ranked = xrealloc(list->ranked, list->cap * sizeof *list->ranked);
    }
    struct ranked_object *x = &list->ranked[list->n];
    *x = (struct ranked_object){.position = list->n++, .fact.labels.label = {"", "", "", ""}};
    struct summary_reader r = {list->facts, &x->fact};
    return scan_members(p, first, names, sizeof names / sizeof *names, required, scan_summary_member, &r);
}

static bool scan_extract_summaries(struct json_pull *p, enum jp_token first, struct stats_facts *out)
{
    struct summaries_reader list = {out, NULL, 0, 0};
    bool ok = scan_each(p, first, scan_object_summary, &list);
    if (ok)
        keep_last_of_each(list.ranked, list.n, out);
    free(list.ranked);
    return ok;
}

/* ---- the two kinds ----------------------------------------------------------- */

const struct stats_kind stats_kind_threat = {
    .name = "threat",
    .type = STATS_THREAT,
    .public_name = "threats",
    .public_order = 0,
    .check = check_summaries,
    .scan_extract = scan_extract_summaries,
    .extract = extract_objects,
    .free_facts = free_objects,
};

const struct stats_kind stats_kind_vulnerability = {
    .name = "vulnerability",
    .type = STATS_VULNERABILITY,
    .public_name = "vulnerabilities",
    .public_order = 1,
    .check = check_summaries,
    .scan_extract = scan_extract_summaries,
    .extract = extract_objects,
    .free_facts = free_objects,
};
