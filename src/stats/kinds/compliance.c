/*
 * compliance.c — the compliance kind: the shape of its `data` (referentials,
 * each with current and target categories) and its facts.
 *
 * Controls must be objects; their members are not checked (only their number
 * is used).
 */
#include <stdlib.h>

#include "stats/doc_read.h"
#include "stats/extract.h"
#include "stats/kind.h"
#include "stats/scan.h"
#include "stats/shape.h"
#include "util/buf.h"

/* ---- shape ----------------------------------------------------------------- */

static void check_control(struct shape *s, struct json_object *v)
{
    shape_expect_object(s, v);
}

static void check_controls(struct shape *s, struct json_object *v)
{
    shape_list_of(s, v, check_control);
}

static void check_category(struct shape *s, struct json_object *v)
{
    if (!shape_expect_object(s, v))
        return;
    shape_labels(s, v);
    shape_member(s, v, "controls", true, check_controls);
    shape_member(s, v, "value", true, shape_num);
}

static void check_categories(struct shape *s, struct json_object *v)
{
    shape_list_of(s, v, check_category);
}

static void check_referential(struct shape *s, struct json_object *v)
{
    if (!shape_expect_object(s, v))
        return;
    shape_member(s, v, "referential", true, shape_uuid);
    shape_labels(s, v);
    shape_member(s, v, "current", true, check_categories);
    shape_member(s, v, "target", true, check_categories);
}

static void check_compliance(struct shape *s, struct json_object *data)
{
    shape_list_of(s, data, check_referential);
}

/* The same check without a tree (scan.h). */
enum { CATEGORY_CONTROLS = SCAN_LABELS, CATEGORY_VALUE };
enum { REFERENTIAL_UUID = SCAN_LABELS, REFERENTIAL_CURRENT, REFERENTIAL_TARGET };

static bool scan_controls(struct json_pull *p, enum jp_token first)
{
    return scan_list_of(p, first, scan_any_object);
}

static bool scan_category_member(void *ctx, size_t index, struct json_pull *p, enum jp_token value)
{
    (void)ctx;
    if (index < SCAN_LABELS)
        return scan_label(p, value);
    return index == CATEGORY_CONTROLS ? scan_controls(p, value) : scan_num(p, value);
}

static bool scan_category(struct json_pull *p, enum jp_token first)
{
    static const char *const names[] = {SCAN_LABEL_NAMES, "controls", "value"};
    return scan_members(p, first, names, sizeof names / sizeof *names,
                        1u << CATEGORY_CONTROLS | 1u << CATEGORY_VALUE, scan_category_member, NULL);
}

static bool scan_referential_member(void *ctx, size_t index, struct json_pull *p,
                                    enum jp_token value)
{
    (void)ctx;
    if (index < SCAN_LABELS)
        return scan_label(p, value);
    if (index == REFERENTIAL_UUID)
        return scan_uuid(p, value);
    return scan_list_of(p, value, scan_category);
}

static bool scan_referential(struct json_pull *p, enum jp_token first)
{
    static const char *const names[] = {SCAN_LABEL_NAMES, "referential", "current", "target"};
    const uint32_t required = 1u << REFERENTIAL_UUID | 1u << REFERENTIAL_CURRENT |
                              1u << REFERENTIAL_TARGET;
    return scan_members(p, first, names, sizeof names / sizeof *names, required,
                        scan_referential_member, NULL);
}

static bool scan_compliance(struct json_pull *p, enum jp_token first)
{
    return scan_list_of(p, first, scan_referential);
}

/* ---- facts ----------------------------------------------------------------- */

static bool read_category(struct json_object *v, struct fact_labels *labels, struct decimal *value,
                          int64_t *controls)
{
    struct json_object *list = doc_list_member(v, "controls");
    if (!list || !doc_labels(v, labels) || !doc_num_member(v, "value", value))
        return false;
    *controls = (int64_t)json_object_array_length(list);
    return true;
}

static bool read_categories(struct json_object *current, struct json_object *target,
                            struct compliance_referential *r)
{
    size_t n_current = json_object_array_length(current);
    size_t n_target = json_object_array_length(target);
    size_t n = n_current > n_target ? n_current : n_target;
    r->categories = xcalloc(n ? n : 1, sizeof *r->categories);
    r->n_categories = n;
    for (size_t i = 0; i < n; i++) {
        struct compliance_category *c = &r->categories[i];
        struct fact_labels target_labels;
        int64_t controls = 0;
        c->has_current = i < n_current;
        c->has_target = i < n_target;
        if (c->has_current &&
            !read_category(json_object_array_get_idx(current, i), &c->labels, &c->current, &c->controls))
            return false;
        if (c->has_target &&
            !read_category(json_object_array_get_idx(target, i), &target_labels, &c->target, &controls))
            return false;
        if (!c->has_current)
            c->labels = target_labels;
        if (controls > c->controls)
            c->controls = controls;
    }
    return true;
}

static bool extract_compliance(struct json_object *data, struct stats_facts *f)
{
    if (!json_object_is_type(data, json_type_array))
        return false;
    size_t n = json_object_array_length(data);
    f->referentials = xcalloc(n ? n : 1, sizeof *f->referentials);
    for (size_t i = 0; i < n; i++) {
        struct json_object *v = json_object_array_get_idx(data, i);
        struct compliance_referential *r = &f->referentials[i];
        struct json_object *current = doc_list_member(v, "current");
        struct json_object *target = doc_list_member(v, "target");
        f->n_referentials = i + 1; /* so that a failure frees this one's categories too */
        if (!doc_uuid_member(v, "referential", r->uuid) || !doc_labels(v, &r->labels) || !current ||
            !target || !read_categories(current, target, r))
            return false;
    }
    return true;
}

static void free_compliance(struct stats_facts *f)
{
    for (size_t i = 0; i < f->n_referentials; i++)
        free(f->referentials[i].categories);
    free(f->referentials);
}

const struct stats_kind stats_kind_compliance = {
    .name = "compliance",
    .type = STATS_COMPLIANCE,
    .public_name = "compliance",
    .public_order = 4,
    .check = check_compliance,
    .scan = scan_compliance,
    .extract = extract_compliance,
    .free_facts = free_compliance,
};
