/*
 * scan.c — the value checks and walks the kinds' streaming shape checks share
 * (see scan.h); each matches its counterpart of shape.c.
 */
#include "stats/scan.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/extract.h"
#include "util/ids.h"
#include "util/strmap.h"

/* Labels up to this long are decoded on the stack. */
#define SCAN_LABEL_SMALL 512

bool scan_num(struct json_pull *p, enum jp_token first)
{
    double d;
    return jp_number_value(p, first, &d);
}

bool scan_integer(struct json_pull *p, enum jp_token first)
{
    double d;
    return jp_number_value(p, first, &d) && d == trunc(d);
}

bool scan_count(struct json_pull *p, enum jp_token first)
{
    double d;
    return jp_number_value(p, first, &d) && d == trunc(d) && d >= 0;
}

bool scan_label_value(struct json_pull *p, enum jp_token first, struct stats_facts *f, const char **out)
{
    if (first == JP_NULL) {
        *out = "";
        return true;
    }
    if (first != JP_STRING)
        return false;
    assert(f->label_pool); /* set by stats_upload_read for the scans that take facts out */
    /* Decoded here first: most labels are those of a few catalogues, which the
     * pool keeps once for the whole upload. */
    char small[SCAN_LABEL_SMALL];
    char *text = p->str_len < sizeof small ? small : xmalloc(p->str_len + 1);
    bool ok = jp_string_decode(p, first, text, p->str_len + 1);
    if (ok)
        *out = strmap_intern(f->label_pool, text);
    if (text != small)
        free(text);
    return ok;
}

bool scan_uuid_value(struct json_pull *p, enum jp_token first, char out[UUID_STR_LEN])
{
    char text[UUID_STR_LEN]; /* a longer string is no UUID either */
    return jp_string_copy(p, first, text, sizeof text) && uuid_normalize(text, out);
}

bool scan_num_value(struct json_pull *p, enum jp_token first, struct decimal *out)
{
    double d;
    if (!jp_number_value(p, first, &d))
        return false;
    *out = decimal_from_double(d);
    return true;
}

bool scan_any_object(struct json_pull *p, enum jp_token first)
{
    return first == JP_OBJECT && jp_skip(p, first);
}

bool scan_each(struct json_pull *p, enum jp_token first, scan_item_fn fn, void *ctx)
{
    if (first != JP_ARRAY)
        return false;
    for (;;) {
        enum jp_token t = jp_next(p);
        if (t == JP_ARRAY_END)
            return true;
        if (t == JP_FAIL || !fn(ctx, p, t))
            return false;
    }
}

static bool scan_item_with(void *ctx, struct json_pull *p, enum jp_token first)
{
    const scan_fn *fn = ctx;
    return (*fn)(p, first);
}

bool scan_list_of(struct json_pull *p, enum jp_token first, scan_fn fn)
{
    return scan_each(p, first, scan_item_with, &fn);
}

bool scan_members(struct json_pull *p, enum jp_token first, const char *const *names, size_t n,
                  uint32_t required, scan_member_fn fn, void *ctx)
{
    if (first != JP_OBJECT)
        return false;
    uint32_t seen = 0;
    for (;;) {
        enum jp_token t = jp_next(p);
        if (t == JP_OBJECT_END)
            return (seen & required) == required;
        if (t != JP_KEY)
            return false;
        size_t index = n;
        for (size_t i = 0; i < n && index == n; i++)
            if (strlen(names[i]) == p->str_len && memcmp(names[i], p->str, p->str_len) == 0)
                index = i;
        t = jp_next(p);
        if (index == n ? !jp_skip(p, t) : t == JP_FAIL || !fn(ctx, index, p, t))
            return false;
        if (index < n)
            seen |= UINT32_C(1) << index;
    }
}

/* ---- the state × kind grid -------------------------------------------------- */

struct grid_leaf {
    scan_fn fn;
};

static bool scan_grid_kind(void *ctx, size_t index, struct json_pull *p, enum jp_token value)
{
    (void)index;
    const struct grid_leaf *leaf = ctx;
    return leaf->fn(p, value);
}

static bool scan_grid_state(void *ctx, size_t index, struct json_pull *p, enum jp_token value)
{
    (void)index;
    static const char *const kinds[] = {"informational", "operational"};
    return scan_members(p, value, kinds, 2, 3, scan_grid_kind, ctx);
}

bool scan_state_kind_grid(struct json_pull *p, enum jp_token first, scan_fn leaf)
{
    static const char *const states[] = {"current", "residual"};
    struct grid_leaf l = {leaf};
    return scan_members(p, first, states, 2, 3, scan_grid_state, &l);
}
