/*
 * test_areas.c — unit tests of processors/areas.c: areas of at least k points,
 * finest grid first, exact positions for single points, order-independent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "processors/areas.h"

static const struct area_point luxembourg = {49.61, 6.13}, luxembourg_2 = {49.62, 6.14},
                               metz = {49.12, 6.18}, paris = {48.85, 2.35}, cape_town = {-33.9, 18.4},
                               lima = {-12.05, -77.04};

static void assert_members(const struct area *a, const size_t *expected, size_t n)
{
    assert_int_equal(a->n_members, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(a->members[i], expected[i]);
}

static void test_floor_of_one_keeps_each_position(void **state)
{
    (void)state;
    struct area_point points[] = {metz, luxembourg, luxembourg, paris};
    struct area_list areas;
    areas_group(points, 4, 1, &areas);
    /* The two at the very same position share an area; the others stand alone, exactly placed. */
    assert_int_equal(areas.count, 3);
    assert_members(&areas.items[0], (size_t[]){0}, 1);
    assert_members(&areas.items[1], (size_t[]){1, 2}, 2);
    assert_members(&areas.items[2], (size_t[]){3}, 1);
    assert_true(areas.items[0].latitude == 49.12 && areas.items[0].longitude == 6.18);
    assert_true(areas.items[1].latitude == 49.61 && areas.items[1].longitude == 6.13);
    area_list_free(&areas);
}

static void test_neighbours_merge_on_the_finest_grid_that_holds_k(void **state)
{
    (void)state;
    /* Luxembourg's two share a 0.1° cell but are two; with Metz they fill a 1° cell. */
    struct area_point points[] = {luxembourg, cape_town, luxembourg_2, metz};
    struct area_list areas;
    areas_group(points, 4, 3, &areas);
    assert_int_equal(areas.count, 1);
    assert_members(&areas.items[0], (size_t[]){0, 2, 3}, 3);
    assert_true(areas.items[0].latitude == 49.45 && areas.items[0].longitude == 6.15);
    area_list_free(&areas);

    /* With k = 2, Luxembourg's two make an area of their own at 0.1°, and Metz joins
     * nobody until Paris is there (10° cell). */
    struct area_point more[] = {luxembourg, metz, luxembourg_2, paris};
    areas_group(more, 4, 2, &areas);
    assert_int_equal(areas.count, 2);
    assert_members(&areas.items[0], (size_t[]){0, 2}, 2);
    assert_members(&areas.items[1], (size_t[]){1, 3}, 2);
    area_list_free(&areas);
}

static void test_the_world_is_the_last_cell(void **state)
{
    (void)state;
    struct area_point points[] = {cape_town, luxembourg, lima};
    struct area_list areas;
    areas_group(points, 3, 3, &areas);
    assert_int_equal(areas.count, 1);
    assert_members(&areas.items[0], (size_t[]){0, 1, 2}, 3);
    area_list_free(&areas);
    /* Fewer points than the floor: no area at all. */
    areas_group(points, 3, 4, &areas);
    assert_int_equal(areas.count, 0);
    area_list_free(&areas);
    areas_group(NULL, 0, 3, &areas);
    assert_int_equal(areas.count, 0);
    area_list_free(&areas);
}

static void test_grouping_does_not_depend_on_the_order(void **state)
{
    (void)state;
    struct area_point a[] = {luxembourg, metz, paris, luxembourg_2, cape_town, lima};
    /* The same points reversed: index i here is index 5 - i there. */
    struct area_point b[] = {lima, cape_town, luxembourg_2, paris, metz, luxembourg};
    struct area_list x, y;
    areas_group(a, 6, 2, &x);
    areas_group(b, 6, 2, &y);
    assert_int_equal(x.count, y.count);
    for (size_t i = 0; i < x.count; i++) {
        /* Find y's area holding the mirror of x's first member and compare member sets. */
        const struct area *ax = &x.items[i], *ay = NULL;
        for (size_t j = 0; j < y.count && !ay; j++)
            for (size_t m = 0; m < y.items[j].n_members; m++)
                if (y.items[j].members[m] == 5 - ax->members[0])
                    ay = &y.items[j];
        assert_non_null(ay);
        assert_int_equal(ax->n_members, ay->n_members);
        for (size_t m = 0; m < ax->n_members; m++)
            assert_int_equal(ax->members[m], 5 - ay->members[ay->n_members - 1 - m]);
        assert_true(ax->latitude == ay->latitude && ax->longitude == ay->longitude);
    }
    area_list_free(&x);
    area_list_free(&y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_floor_of_one_keeps_each_position),
        cmocka_unit_test(test_neighbours_merge_on_the_finest_grid_that_holds_k),
        cmocka_unit_test(test_the_world_is_the_last_cell),
        cmocka_unit_test(test_grouping_does_not_depend_on_the_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
