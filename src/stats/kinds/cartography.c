/*
 * cartography.c — the cartography kind: the shape of its `data` (scales and
 * four risk matrices) and its facts (scales, non-zero cells).
 *
 * Matrix keys are canonical non-negative integers ("0", "12"; not "012" or
 * "-1"), at most 9 digits, so that they fit an int wherever they are read;
 * counts are non-negative integral nums.  A matrix level is a list (index =
 * key) or an object with integer keys.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/doc_read.h"
#include "stats/extract.h"
#include "stats/kind.h"
#include "stats/scan.h"
#include "stats/shape.h"
#include "util/buf.h"

#define MATRIX_KEY_MAX_DIGITS 9

static const char *const scale_names[CARTO_SCALES] = {"impact", "probability", "likelihood"};

/* ---- shape ----------------------------------------------------------------- */

static bool is_matrix_key(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > MATRIX_KEY_MAX_DIGITS || (k[0] == '0' && n > 1))
        return false;
    return strspn(k, "0123456789") == n;
}

/* Object with non-negative integer keys, each value checked by fn. */
static void check_keyed(struct shape *s, struct json_object *obj, shape_fn fn)
{
    json_object_object_foreach(obj, key, value) {
        size_t mark = shape_enter_key(s, key);
        if (is_matrix_key(key))
            fn(s, value);
        else
            shape_problem(s, "Key must be a non-negative integer.");
        shape_leave(s, mark);
    }
}

/* A matrix level: a list (index = key) or an object with integer keys. */
static void check_sparse(struct shape *s, struct json_object *v, shape_fn fn, const char *what)
{
    if (json_object_is_type(v, json_type_array))
        shape_each(s, v, fn);
    else if (json_object_is_type(v, json_type_object))
        check_keyed(s, v, fn);
    else
        shape_problem(s, "Must be %s: an object with integer keys or a list.", what);
}

static void check_matrix_row(struct shape *s, struct json_object *v)
{
    check_sparse(s, v, shape_count, "a row");
}

static void check_matrix(struct shape *s, struct json_object *v)
{
    check_sparse(s, v, check_matrix_row, "a matrix");
}

static void check_matrix_grid(struct shape *s, struct json_object *v)
{
    shape_state_kind_grid(s, v, check_matrix);
}

static void check_scale(struct shape *s, struct json_object *v)
{
    shape_list_of(s, v, shape_integer);
}

static void check_scales(struct shape *s, struct json_object *v)
{
    if (!shape_expect_object(s, v))
        return;
    for (size_t i = 0; i < CARTO_SCALES; i++)
        shape_member(s, v, scale_names[i], true, check_scale);
}

static void check_cartography(struct shape *s, struct json_object *data)
{
    if (!shape_expect_object(s, data))
        return;
    shape_member(s, data, "scales", true, check_scales);
    shape_member(s, data, "risks", true, check_matrix_grid);
}

/* The same check without a tree (scan.h). */
static bool is_matrix_key_text(const char *k, size_t n)
{
    char key[MATRIX_KEY_MAX_DIGITS + 1];
    if (n > MATRIX_KEY_MAX_DIGITS)
        return false;
    memcpy(key, k, n);
    key[n] = '\0';
    return is_matrix_key(key);
}

/* A matrix level without a tree: a list, or an object with integer keys. */
static bool scan_sparse(struct json_pull *p, enum jp_token first, scan_fn fn)
{
    if (first == JP_ARRAY)
        return scan_list_of(p, first, fn);
    if (first != JP_OBJECT)
        return false;
    for (;;) {
        enum jp_token t = jp_next(p);
        if (t == JP_OBJECT_END)
            return true;
        if (t != JP_KEY || !is_matrix_key_text(p->str, p->str_len))
            return false;
        t = jp_next(p);
        if (t == JP_FAIL || !fn(p, t))
            return false;
    }
}

static bool scan_matrix_row(struct json_pull *p, enum jp_token first)
{
    return scan_sparse(p, first, scan_count);
}

static bool scan_matrix(struct json_pull *p, enum jp_token first)
{
    return scan_sparse(p, first, scan_matrix_row);
}

static bool scan_scale(void *ctx, size_t index, struct json_pull *p, enum jp_token value)
{
    (void)ctx;
    (void)index;
    return scan_list_of(p, value, scan_integer);
}

static bool scan_carto_member(void *ctx, size_t index, struct json_pull *p, enum jp_token value)
{
    (void)ctx;
    if (index == 0)
        return scan_members(p, value, scale_names, CARTO_SCALES, 7, scan_scale, NULL);
    return scan_state_kind_grid(p, value, scan_matrix);
}

static bool scan_cartography(struct json_pull *p, enum jp_token first)
{
    static const char *const names[] = {"scales", "risks"};
    return scan_members(p, first, names, 2, 3, scan_carto_member, NULL);
}

/* ---- facts ----------------------------------------------------------------- */

/* A matrix key, as validation accepts it. */
static bool matrix_key(const char *k, int64_t *out)
{
    if (!is_matrix_key(k))
        return false;
    *out = strtoll(k, NULL, 10);
    return true;
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
    if (!doc_integral(v, &d) || d < 0)
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
        if (!doc_integral(json_object_array_get_idx(list, i), &d)) {
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
    struct json_object *scale_obj = doc_member(data, "scales"), *grid = doc_member(data, "risks");
    for (int i = 0; i < CARTO_SCALES; i++)
        if (!read_scale(doc_member(scale_obj, scale_names[i]), &f->carto.scales[i],
                        &f->carto.n_scales[i]))
            return false;
    struct cell_list cells = {0};
    for (int state = 0; state < 2; state++) {
        for (int kind = 0; kind < 2; kind++) {
            struct json_object *m = doc_state_kind(grid, state, kind);
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

static void free_cartography(struct stats_facts *f)
{
    for (int i = 0; i < CARTO_SCALES; i++)
        free(f->carto.scales[i]);
    free(f->carto.cells);
}

const struct stats_kind stats_kind_cartography = {
    .name = "cartography",
    .type = STATS_CARTOGRAPHY,
    .public_name = "cartography",
    .public_order = 3,
    .check = check_cartography,
    .scan = scan_cartography,
    .extract = extract_cartography,
    .free_facts = free_cartography,
};
