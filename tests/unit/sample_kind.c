/*
 * sample_kind.c — a small test-only stats kind, written like those of
 * src/stats/kinds/: its `data` is {"n": <non-negative integer>}, and its fact
 * is that n (kept in stats_facts.own, as a kind with facts of its own struct
 * does).  test_kinds registers it through kinds.def's list (sample_kind.def)
 * and drives it through the stats layer's entry points; its storage is
 * sample_facts.c.
 */
#include "sample_kind.h"

#include <stdlib.h>

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
    if (!json_object_is_type(data, json_type_object) || !json_object_object_get_ex(data, "n", &n) ||
        !json_object_is_type(n, json_type_int) || json_object_get_int64(n) < 0)
        return false;
    struct sample_fact *fact = malloc(sizeof *fact);
    if (!fact)
        return false;
    fact->n = json_object_get_int64(n);
    out->own = fact;
    return true;
}

static void free_sample(struct stats_facts *f)
{
    free(f->own);
    f->own = NULL;
}

const struct stats_kind stats_kind_sample = {
    .name = "sample",
    .type = STATS_SAMPLE,
    .check = check_sample,
    .extract = extract_sample,
    .free_facts = free_sample,
};
