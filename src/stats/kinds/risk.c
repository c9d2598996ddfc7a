/*
 * risk.c — the risk kind: the shape of its `data` and its facts (12 values).
 *
 * `total` may be absent (processors don't read it); when present it has the
 * full current/residual × informational/operational shape of nums.
 */
#include <string.h>

#include "stats/doc_read.h"
#include "stats/extract.h"
#include "stats/kind.h"
#include "stats/scan.h"
#include "stats/shape.h"

static const char *const levels[3] = {"Low risks", "Medium risks", "High risks"};

/* ---- shape ----------------------------------------------------------------- */

static void check_risk_levels(struct shape *s, struct json_object *v)
{
    if (!shape_expect_list(s, v))
        return;
    size_t n = json_object_array_length(v);
    if (n != 3)
        shape_problem(s, "Must be a list of exactly 3 levels (Low, Medium, High risks).");
    for (size_t i = 0; i < n && i < 3; i++) {
        size_t mark = shape_enter_index(s, i);
        struct json_object *level = json_object_array_get_idx(v, i), *name;
        if (shape_expect_object(s, level)) {
            size_t name_mark = shape_enter_key(s, "level");
            if (!json_object_object_get_ex(level, "level", &name))
                shape_problem(s, "Missing required member.");
            else if (!json_object_is_type(name, json_type_string) ||
                     strcmp(json_object_get_string(name), levels[i]) != 0)
                shape_problem(s, "Must be \"%s\".", levels[i]);
            shape_leave(s, name_mark);
            shape_member(s, level, "value", true, shape_num);
        }
        shape_leave(s, mark);
    }
}

static void check_risk_grid(struct shape *s, struct json_object *v)
{
    shape_state_kind_grid(s, v, check_risk_levels);
}

static void check_total_grid(struct shape *s, struct json_object *v)
{
    shape_state_kind_grid(s, v, shape_num);
}

static void check_risk(struct shape *s, struct json_object *data)
{
    if (!shape_expect_object(s, data))
        return;
    shape_member(s, data, "total", false, check_total_grid);
    shape_member(s, data, "risks", true, check_risk_grid);
}

/* The same check without a tree (scan.h). */
struct level_scan {
    size_t position; /* of the level in its list */
};

static bool scan_level_member(void *ctx, size_t index, struct json_pull *p, enum jp_token value)
{
    const struct level_scan *l = ctx;
    return index == 0 ? jp_string_is(p, value, levels[l->position]) : scan_num(p, value);
}

static bool scan_risk_levels(struct json_pull *p, enum jp_token first)
{
    static const char *const names[] = {"level", "value"};
    if (first != JP_ARRAY)
        return false;
    for (struct level_scan l = {0};; l.position++) {
        enum jp_token t = jp_next(p);
        if (t == JP_ARRAY_END)
            return l.position == 3;
        if (l.position == 3 || !scan_members(p, t, names, 2, 3, scan_level_member, &l))
            return false;
    }
}

static bool scan_risk_member(void *ctx, size_t index, struct json_pull *p, enum jp_token value)
{
    (void)ctx;
    return scan_state_kind_grid(p, value, index == 0 ? scan_num : scan_risk_levels);
}

static bool scan_risk(struct json_pull *p, enum jp_token first)
{
    static const char *const names[] = {"total", "risks"};
    return scan_members(p, first, names, 2, 1u << 1, scan_risk_member, NULL);
}

/* ---- facts ----------------------------------------------------------------- */

static bool extract_risk(struct json_object *data, struct stats_facts *f)
{
    struct json_object *grid = doc_member(data, "risks");
    for (int state = 0; state < 2; state++) {
        for (int kind = 0; kind < 2; kind++) {
            struct json_object *list = doc_state_kind(grid, state, kind);
            if (!json_object_is_type(list, json_type_array) || json_object_array_length(list) != 3)
                return false;
            for (int level = 0; level < 3; level++) {
                struct json_object *item = json_object_array_get_idx(list, (size_t)level);
                struct json_object *name = doc_member(item, "level");
                if (!json_object_is_type(name, json_type_string) ||
                    strcmp(json_object_get_string(name), levels[level]) != 0 ||
                    !doc_num_member(item, "value", &f->risk.value[state * 6 + kind * 3 + level]))
                    return false;
            }
        }
    }
    return true;
}

const struct stats_kind stats_kind_risk = {
    .name = "risk",
    .type = STATS_RISK,
    .public_name = "risks",
    .public_order = 2,
    .check = check_risk,
    .scan = scan_risk,
    .extract = extract_risk,
    .free_facts = NULL, /* the 12 values live in struct stats_facts itself */
};
