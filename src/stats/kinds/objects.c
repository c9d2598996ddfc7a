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

/* The same check without a tree (scan.h). */
enum summary_member { SUMMARY_UUID = SCAN_LABELS, SUMMARY_MAX_RISK, SUMMARY_COUNT, SUMMARY_RATE };

static bool scan_summary_member(void *ctx, size_t index, struct json_pull *p, enum jp_token value)
{
    (void)ctx;
    if (index < SCAN_LABELS)
        return scan_label(p, value);
    return index == SUMMARY_UUID ? scan_uuid(p, value) : scan_num(p, value);
}

static bool scan_object_summary(struct json_pull *p, enum jp_token first)
{
    static const char *const names[] = {SCAN_LABEL_NAMES, "uuid", "maxRisk", "count", "averageRate"};
    const uint32_t required = 1u << SUMMARY_UUID | 1u << SUMMARY_MAX_RISK | 1u << SUMMARY_COUNT |
                              1u << SUMMARY_RATE;
    return scan_members(p, first, names, sizeof names / sizeof *names, required, scan_summary_member,
                        NULL);
}

static bool scan_summaries(struct json_pull *p, enum jp_token first)
{
    return scan_list_of(p, first, scan_object_summary);
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
    qsort(ranked, n, sizeof *ranked, compare_ranked);
    f->objects = xcalloc(n ? n : 1, sizeof *f->objects);
    for (size_t i = 0; i < n; i++)
        if (i + 1 == n || strcmp(ranked[i].fact.uuid, ranked[i + 1].fact.uuid) != 0)
            f->objects[f->n_objects++] = ranked[i].fact;
    free(ranked);
    return true;
}

static void free_objects(struct stats_facts *f)
{
    free(f->objects);
}

/* ---- the two kinds ----------------------------------------------------------- */

const struct stats_kind stats_kind_threat = {
    .name = "threat",
    .type = STATS_THREAT,
    .public_name = "threats",
    .public_order = 0,
    .check = check_summaries,
    .scan = scan_summaries,
    .extract = extract_objects,
    .free_facts = free_objects,
};

const struct stats_kind stats_kind_vulnerability = {
    .name = "vulnerability",
    .type = STATS_VULNERABILITY,
    .public_name = "vulnerabilities",
    .public_order = 1,
    .check = check_summaries,
    .scan = scan_summaries,
    .extract = extract_objects,
    .free_facts = free_objects,
};
