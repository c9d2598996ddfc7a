/*
 * areas.c — grouping positioned organisations into areas of at least k (the
 * grids and why: areas.h).
 */
#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "processors/areas.h"
#include "util/buf.h"

/* Cell sizes in degrees, finest first; 0 = the exact position.  After the
 * last one, whatever is left forms one world-wide cell. */
static const double grid_sizes[] = {0, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 45, 90};
#define N_GRIDS (sizeof grid_sizes / sizeof grid_sizes[0])

/* A point not yet in an area, with its cell on the current grid. */
struct pending {
    size_t index;
    double cell_lat, cell_lon;  /* the cell's coordinates (or the position itself) */
};

static void cell_of(struct pending *p, const struct area_point *pt, double size)
{
    if (size == 0) {
        p->cell_lat = pt->latitude;
        p->cell_lon = pt->longitude;
    } else {
        p->cell_lat = floor((pt->latitude + 90) / size);
        p->cell_lon = floor((pt->longitude + 180) / size);
    }
}

static int compare_pending(const void *a, const void *b)
{
    const struct pending *x = a, *y = b;
    if (x->cell_lat != y->cell_lat)
        return x->cell_lat < y->cell_lat ? -1 : 1;
    if (x->cell_lon != y->cell_lon)
        return x->cell_lon < y->cell_lon ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static double round_to_hundredths(double v)
{
    return round(v * 100) / 100;
}

/* out->items has room for one area per point. */
static void add_area(struct area_list *out, const struct area_point *points, const struct pending *run,
                     size_t n)
{
    struct area *a = &out->items[out->count++];
    a->members = xcalloc(n, sizeof *a->members);
    a->n_members = n;
    double lat = 0, lon = 0;
    for (size_t i = 0; i < n; i++) {
        a->members[i] = run[i].index;
        lat += points[run[i].index].latitude;
        lon += points[run[i].index].longitude;
    }
    if (n == 1) {
        a->latitude = points[run[0].index].latitude;
        a->longitude = points[run[0].index].longitude;
    } else {
        a->latitude = round_to_hundredths(lat / (double)n);
        a->longitude = round_to_hundredths(lon / (double)n);
    }
}

static int compare_areas(const void *a, const void *b)
{
    const struct area *x = a, *y = b;
    return x->members[0] < y->members[0] ? -1 : x->members[0] > y->members[0];
}

void areas_group(const struct area_point *points, size_t n, size_t k, struct area_list *out)
{
    assert(k >= 1);
    *out = (struct area_list){.items = xcalloc(n ? n : 1, sizeof *out->items)};
    struct pending *pending = xcalloc(n ? n : 1, sizeof *pending);
    size_t n_pending = n;
    for (size_t i = 0; i < n; i++)
        pending[i].index = i;

    for (size_t g = 0; g <= N_GRIDS && n_pending >= k; g++) {
        bool world = g == N_GRIDS;
        for (size_t i = 0; i < n_pending; i++) {
            if (world)
                pending[i].cell_lat = pending[i].cell_lon = 0;
            else
                cell_of(&pending[i], &points[pending[i].index], grid_sizes[g]);
        }
        qsort(pending, n_pending, sizeof *pending, compare_pending);
        size_t kept = 0;
        for (size_t start = 0, end; start < n_pending; start = end) {
            for (end = start + 1; end < n_pending && pending[end].cell_lat == pending[start].cell_lat &&
                                  pending[end].cell_lon == pending[start].cell_lon;
                 end++)
                ;
            if (end - start >= k) {
                add_area(out, points, &pending[start], end - start);
            } else {
                for (size_t i = start; i < end; i++)
                    pending[kept++] = pending[i];
            }
        }
        n_pending = kept;
    }
    free(pending);
    if (out->count)
        qsort(out->items, out->count, sizeof *out->items, compare_areas);
}

void area_list_free(struct area_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i].members);
    free(l->items);
    *l = (struct area_list){0};
}
