/*
 * extract.c — turns a stats `data` into the facts processors aggregate (see extract.h).
 *
 * Each type has one walker that reads exactly the members processors use and
 * refuses (returns false) anything that does not have the validated shape, so
 * that any JSON can be thrown at it.  Strings are not copied: labels point
 * into the document, which the facts keep a reference to.
 */
#include "stats/extract.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/json.h"

/* --- reading members --- */

static struct json_object *member(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;
    if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v))
        return NULL;
    return v;
}

static struct json_object *list_member(struct json_object *obj, const char *key)
{
    struct json_object *v = member(obj, key);
    return json_object_is_type(v, json_type_array) ? v : NULL;
}

static bool num_member(struct json_object *obj, const char *key, struct decimal *out)
{
    double d;
    struct json_object *v = member(obj, key);
    if (!v || !json_get_num(v, &d))
        return false;
    *out = decimal_from_double(d);
    return true;
}

static bool read_labels(struct json_object *obj, struct fact_labels *out)
{
    static const char *const names[FACT_LABELS] = {"label1", "label2", "label3", "label4"};
    for (int i = 0; i < FACT_LABELS; i++) {
        struct json_object *v = member(obj, names[i]);
        if (v && !json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_null))
            return false;
        out->label[i] = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
    }
    return true;
}

static bool uuid_member(struct json_object *obj, const char *key, char out[UUID_STR_LEN])
{
    struct json_object *v = member(obj, key);
    return json_object_is_type(v, json_type_string) && uuid_normalize(json_object_get_string(v), out);
}

/* --- threat, vulnerability --- */

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
    return uuid_member(v, "uuid", out->uuid) && read_labels(v, &out->labels) &&
           num_member(v, "count", &out->count) && num_member(v, "maxRisk", &out->max_risk) &&
           num_member(v, "averageRate", &out->rate);
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

/* --- risk --- */

static const char *const STATES[2] = {"current", "residual"};
static const char *const KINDS[2] = {"informational", "operational"};

static struct json_object *state_kind(struct json_object *grid, int state, int kind)
{
    return member(member(grid, STATES[state]), KINDS[kind]);
}

static bool extract_risk(struct json_object *data, struct stats_facts *f)
{
    static const char *const levels[3] = {"Low risks", "Medium risks", "High risks"};
    struct json_object *grid = member(data, "risks");
    for (int state = 0; state < 2; state++) {
        for (int kind = 0; kind < 2; kind++) {
            struct json_object *list = state_kind(grid, state, kind);
            if (!json_object_is_type(list, json_type_array) || json_object_array_length(list) != 3)
                return false;
            for (int level = 0; level < 3; level++) {
                struct json_object *item = json_object_array_get_idx(list, (size_t)level);
                struct json_object *name = member(item, "level");
                if (!json_object_is_type(name, json_type_string) ||
                    strcmp(json_object_get_string(name), levels[level]) != 0 ||
                    !num_member(item, "value", &f->risk.value[state * 6 + kind * 3 + level]))
                    return false;
            }
        }
    }
    return true;
}

/* --- cartography --- */

/* A canonical non-negative integer of at most 9 digits ("0", "12"; not "012"). */
static bool matrix_key(const char *k, int64_t *out)
{
    size_t n = strlen(k);
    if (n == 0 || n > 9 || (k[0] == '0' && n > 1) || strspn(k, "0123456789") != n)
        return false;
    *out = strtoll(k, NULL, 10);
    return true;
}

static bool integral(struct json_object *v, double *out)
{
    return json_get_num(v, out) && *out == trunc(*out);
}

int carto_cell_compare(const void *a, const void *b)
{
    const struct carto_cell *x = a, *y = b;
    if (x->matrix != y->matrix)
        return x->matrix < y->matrix ? -1 : 1;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return x->col < y->col ? -1 : x->col > y->col;
}

int carto_value_compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

struct cell_list {
    struct carto_cell *items;
    size_t count, cap;
};

static bool add_cell(struct cell_list *cells, int matrix, int64_t row, int64_t col,
                     struct json_object *v)
{
    double d;
    if (!integral(v, &d) || d < 0)
        return false;
    if (d == 0)
        return true;
    if (cells->count == cells->cap) {
        cells->cap = cells->cap ? cells->cap * 2 : 32;
        cells->items = xrealloc(cells->items, cells->cap * sizeof *cells->items);
    }
    int64_t value = d > (double)CARTO_COUNT_MAX ? CARTO_COUNT_MAX : (int64_t)d;
    cells->items[cells->count++] = (struct carto_cell){matrix, row, col, value};
    return true;
}

static bool add_row(struct cell_list *cells, int matrix, int64_t row, struct json_object *v)
{
    if (json_object_is_type(v, json_type_array)) {
        size_t n = json_object_array_length(v);
        for (size_t col = 0; col < n; col++)
            if (!add_cell(cells, matrix, row, (int64_t)col, json_object_array_get_idx(v, col)))
                return false;
        return true;
    }
    if (!json_object_is_type(v, json_type_object))
        return false;
    json_object_object_foreach(v, key, value) {
        int64_t col;
        if (!matrix_key(key, &col) || !add_cell(cells, matrix, row, col, value))
            return false;
    }
    return true;
}

/* A level is a list (row = index) or an object with integer keys. */
static bool add_matrix(struct cell_list *cells, int matrix, struct json_object *v)
{
    if (json_object_is_type(v, json_type_array)) {
        size_t n = json_object_array_length(v);
        for (size_t row = 0; row < n; row++)
            if (!add_row(cells, matrix, (int64_t)row, json_object_array_get_idx(v, row)))
                return false;
        return true;
    }
    if (!json_object_is_type(v, json_type_object))
        return false;
    json_object_object_foreach(v, key, value) {
        int64_t row;
        if (!matrix_key(key, &row) || !add_row(cells, matrix, row, value))
            return false;
    }
    return true;
}

/* A scale: sorted distinct integers (clamped to ±10^15, far beyond any real scale). */
static bool read_scale(struct json_object *list, int64_t **out, size_t *n_out)
{
    if (!json_object_is_type(list, json_type_array))
        return false;
    size_t n = json_object_array_length(list), kept = 0;
    int64_t *values = xcalloc(n ? n : 1, sizeof *values);
    for (size_t i = 0; i < n; i++) {
        double d;
        if (!integral(json_object_array_get_idx(list, i), &d)) {
            free(values);
            return false;
        }
        values[i] = (int64_t)fmin(fmax(d, -1e15), 1e15);
    }
    qsort(values, n, sizeof *values, carto_value_compare);
    for (size_t i = 0; i < n; i++)
        if (kept == 0 || values[kept - 1] != values[i])
            values[kept++] = values[i];
    *out = values;
    *n_out = kept;
    return true;
}

static bool extract_cartography(struct json_object *data, struct stats_facts *f)
{
    static const char *const scales[CARTO_SCALES] = {"impact", "probability", "likelihood"};
    struct json_object *scale_obj = member(data, "scales"), *grid = member(data, "risks");
    for (int i = 0; i < CARTO_SCALES; i++)
        if (!read_scale(member(scale_obj, scales[i]), &f->carto.scales[i], &f->carto.n_scales[i]))
            return false;
    struct cell_list cells = {0};
    for (int state = 0; state < 2; state++) {
        for (int kind = 0; kind < 2; kind++) {
            struct json_object *m = state_kind(grid, state, kind);
            if (!m || !add_matrix(&cells, state * 2 + kind, m)) {
                free(cells.items);
                return false;
            }
        }
    }
    if (cells.count) /* qsort() must not be given NULL, even for nothing */
        qsort(cells.items, cells.count, sizeof *cells.items, carto_cell_compare);
    f->carto.cells = cells.items;
    f->carto.n_cells = cells.count;
    return true;
}

/* --- compliance --- */

static bool read_category(struct json_object *v, struct fact_labels *labels, struct decimal *value,
                          int64_t *controls)
{
    struct json_object *list = list_member(v, "controls");
    if (!list || !read_labels(v, labels) || !num_member(v, "value", value))
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
        struct json_object *current = list_member(v, "current"), *target = list_member(v, "target");
        f->n_referentials = i + 1; /* so that a failure frees this one's categories too */
        if (!uuid_member(v, "referential", r->uuid) || !read_labels(v, &r->labels) || !current ||
            !target || !read_categories(current, target, r))
            return false;
    }
    return true;
}

/* --- entry points --- */

bool stats_extract(enum stats_type type, struct json_object *data, struct stats_facts *out)
{
    *out = (struct stats_facts){.type = type};
    if (!data)
        return false;
    out->doc = json_object_get(data);
    bool ok = false;
    switch (type) {
    case STATS_RISK:
        ok = extract_risk(data, out);
        break;
    case STATS_THREAT:
    case STATS_VULNERABILITY:
        ok = extract_objects(data, out);
        break;
    case STATS_CARTOGRAPHY:
        ok = extract_cartography(data, out);
        break;
    case STATS_COMPLIANCE:
        ok = extract_compliance(data, out);
        break;
    case STATS_TYPE_COUNT:
        break;
    }
    if (!ok)
        stats_facts_free(out);
    return ok;
}

bool stats_extract_text(enum stats_type type, const char *text, size_t len, struct stats_facts *out)
{
    char err[128];
    struct json_object *data = json_parse_strict(text, len, err, sizeof err);
    bool ok = stats_extract(type, data, out);
    json_object_put(data);
    return ok;
}

void stats_facts_free(struct stats_facts *f)
{
    free(f->objects);
    for (int i = 0; i < CARTO_SCALES; i++)
        free(f->carto.scales[i]);
    free(f->carto.cells);
    for (size_t i = 0; i < f->n_referentials; i++)
        free(f->referentials[i].categories);
    free(f->referentials);
    json_object_put(f->doc);
    *f = (struct stats_facts){.type = f->type};
}
