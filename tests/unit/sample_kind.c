/*
 * sample_kind.c — a small test-only stats kind, written like those of
 * src/stats/kinds/: its `data` is {"n": <non-negative integer>}, and it has no
 * facts of its own.  test_kinds registers it through kinds.def's list
 * (sample_kind.def) and drives it through the stats layer's entry points.
 */
#include "stats/extract.h"
#include "stats/kind.h"
#include "stats/shape.h"

static void check_sample(struct shape *s, struct json_object *data)
{
    if (shape_expect_object(s, data))
        shape_member(s, data, "n", true, shape_count);
}

static bool extract_sample(struct json_object *data, struct stats_facts *out)
{
    struct json_object *n;
    return json_object_is_type(data, json_type_object) && json_object_object_get_ex(data, "n", &n);
}

const struct stats_kind stats_kind_sample = {
    .name = "sample",
    .type = STATS_SAMPLE,
    .check = check_sample,
    .extract = extract_sample,
    .free_facts = NULL,
};
