/*
 * areas.h — positioned organisations grouped into areas of at least k of
 * them, so that nothing drawn on the public map rests on fewer organisations
 * than the privacy floor (MIN_ORGANISATIONS, docs/privacy.md).
 *
 * Points are grouped on grids of growing cells: first the points at the very
 * same position, then cells of 0.1°, 0.25°, 0.5°, 1°, 2°, 5°, 10°, 20°, 45°,
 * 90°, then the whole world.  On each grid, every cell holding at least k of
 * the points not yet in an area becomes an area; the others go on to the next,
 * coarser grid.  Points still fewer than k at the end are in no area.  Fine
 * grids first keep areas as small as the floor allows; a fixed grid (rather
 * than distances between points) makes the grouping independent of the order
 * the points come in, and the same on every instance.
 */
#ifndef PROCESSORS_AREAS_H
#define PROCESSORS_AREAS_H

#include <stddef.h>

struct area_point {
    double latitude, longitude;
};

struct area {
    size_t *members;            /* indexes into the points, ascending, owned */
    size_t n_members;           /* ≥ k */
    double latitude, longitude; /* one member: its position; more: their mean, to 0.01° */
};

struct area_list {
    struct area *items;         /* by first member */
    size_t count;
};

/* Groups points[0..n) into areas of at least k (≥ 1) points. */
void areas_group(const struct area_point *points, size_t n, size_t k, struct area_list *out);
void area_list_free(struct area_list *l);

#endif
