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

/* ---- the check and the facts without a tree (scan.h) ------------------------ */

enum { CATEGORY_CONTROLS = SCAN_LABELS, CATEGORY_VALUE };
enum { REFERENTIAL_UUID = SCAN_LABELS, REFERENTIAL_CURRENT, REFERENTIAL_TARGET };

/* A category as read, before `current` and `target` are paired. */
struct category_read {
    struct fact_labels labels;
    struct decimal value;
    int64_t controls;
};

struct category_list {
    struct category_read *items;
    size_t n, cap;
};

struct category_reader {
    struct stats_facts *facts; /* owns the labels' texts */
    struct category_read *category;
};

struct referential_reader {
    struct stats_facts *facts;
    struct compliance_referential *referential;
    struct category_list lists[2]; /* current, target */
};

/* A control, an object (unchecked): only the number of them is kept. */
static bool count_control(void *ctx, struct json_pull *p, enum jp_token first)
{
    int64_t *n = ctx;
    if (!scan_any_object(p, first))
        return false;
    (*n)++;
    return true;
}

static bool scan_category_member(void *ctx, size_t index, struct json_pull *p, enum jp_token value)
{
    const struct category_reader *r = ctx;
    struct category_read *c = r->category;
    if (index < SCAN_LABELS)
        return scan_label_value(p, value, r->facts, &c->labels.label[index]);
    return index == CATEGORY_CONTROLS ? scan_each(p, value, count_control, &c->controls)
                                      : scan_num_value(p, value, &c->value);
}

/* The categories of a list, each appended to it. */
struct categories_reader {
    struct stats_facts *facts;
    struct category_list *list;
};

static bool scan_category(void *ctx, struct json_pull *p, enum jp_token first)
{
    static const char *const names[] = {SCAN_LABEL_NAMES, "controls", "value"};
    const struct categories_reader *r = ctx;
    struct category_list *list = r->list;
    if (list->n == list->cap) {
        list->cap = list->cap ? 2 * list->cap : 16;
        list->items = xrealloc(list->items, list->cap * sizeof *list->items);
    }
    struct category_read *c = &list->items[list->n++];
    *c = (struct category_read){.labels.label = {"", "", "", ""}};
    struct category_reader member = {r->facts, c};
    return scan_members(p, first, names, sizeof names / sizeof *names,
                        1u << CATEGORY_CONTROLS | 1u << CATEGORY_VALUE, scan_category_member, &member);
}

static bool scan_referential_member(void *ctx, size_t index, struct json_pull *p,
                                    enum jp_token value)
{
    struct referential_reader *r = ctx;
    if (index < SCAN_LABELS)
        return scan_label_value(p, value, r->facts, &r->referential->labels.label[index]);
    if (index == REFERENTIAL_UUID)
        return scan_uuid_value(p, value, r->referential->uuid);
    struct categories_reader categories = {r->facts, &r->lists[index - REFERENTIAL_CURRENT]};
    return scan_each(p, value, scan_category, &categories);
}

/* The i-th category of `current` with the i-th of `target`, as read_categories pairs them. */
static void pair_categories(const struct category_list *current, const struct category_list *target,
                            struct compliance_referential *r)
{
    size_t n = current->n > target->n ? current->n : target->n;
    r->categories = xcalloc(n ? n : 1, sizeof *r->categories);
    r->n_categories = n;
    for (size_t i = 0; i < n; i++) {
        struct compliance_category *c = &r->categories[i];
        c->has_current = i < current->n;
        c->has_target = i < target->n;
        if (c->has_current) {
            c->labels = current->items[i].labels;
            c->current = current->items[i].value;
            c->controls = current->items[i].controls;
        } else {
            c->labels = target->items[i].labels;
        }
        if (c->has_target) {
            c->target = target->items[i].value;
            if (target->items[i].controls > c->controls)
                c->controls = target->items[i].controls;
        }
    }
}

/* The referentials of the list, into the facts (their array `cap` long). */
struct referentials_reader {
    struct stats_facts *facts;
    size_t cap;
};

static bool scan_referential(void *ctx, struct json_pull *p, enum jp_token first)
{
    static const char *const names[] = {SCAN_LABEL_NAMES, "referential", "current", "target"};
    const uint32_t required = 1u << REFERENTIAL_UUID | 1u << REFERENTIAL_CURRENT |
                              1u << REFERENTIAL_TARGET;
    struct referentials_reader *list = ctx;
    struct stats_facts *facts = list->facts;
    if (facts->n_referentials == list->cap) {
        list->cap = list->cap ? 2 * list->cap : 4;
        facts->referentials = xrealloc(facts->referentials, list->cap * sizeof *facts->referentials);
    }
    /* Counted first, so that free_compliance frees what this one gets. */
    struct compliance_referential *referential = &facts->referentials[facts->n_referentials++];
    *referential = (struct compliance_referential){.labels.label = {"", "", "", ""}};
    struct referential_reader r = {facts, referential, {{0}, {0}}};
    bool ok = scan_members(p, first, names, sizeof names / sizeof *names, required,
                           scan_referential_member, &r);
    if (ok)
        pair_categories(&r.lists[0], &r.lists[1], referential);
    free(r.lists[0].items);
    free(r.lists[1].items);
    return ok;
}

static bool scan_extract_compliance(struct json_pull *p, enum jp_token first, struct stats_facts *out)
{
    struct referentials_reader list = {out, 0};
    return scan_each(p, first, scan_referential, &list);
}

const struct stats_kind stats_kind_compliance = {
    .name = "compliance",
    .type = STATS_COMPLIANCE,
    .public_name = "compliance",
    .public_order = 4,
    .check = check_compliance,
    .scan_extract = scan_extract_compliance,
    .extract = extract_compliance,
    .free_facts = free_compliance,
};
