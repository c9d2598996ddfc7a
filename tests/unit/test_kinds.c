/*
 * test_kinds.c — the table of stats kinds (src/stats/kind.h): complete and in
 * the order of kinds.def (the order of answers), names and their parsing, and
 * a kind added the way a real one is.
 *
 * This test is built with one more kind, "sample" (sample_kind.c), appended to
 * the list of src/stats/kinds/kinds.def through STATS_KINDS_EXTRA
 * (tests/unit/meson.build): the enum, the table (its own copy of kind.c, so
 * the core's is not linked) and every list of names then include it, and the
 * core's validation and extraction reach it through the table — what adding a
 * kind to kinds.def does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "stats/extract.h"
#include "stats/kind.h"
#include "stats/stats.h"
#include "util/buf.h"
#include "util/json.h"

/* The production kinds, in the order answers list them, then the test's. */
static const char *const expected[] = {"risk", "threat", "vulnerability", "cartography",
                                       "compliance", "sample"};

static struct json_object *parse(const char *text)
{
    char err[128];
    struct json_object *j = json_parse_strict(text, strlen(text), err, sizeof err);
    if (!j)
        fail_msg("%s: %s", err, text);
    return j;
}

static void test_table_complete_and_ordered(void **state)
{
    (void)state;
    assert_int_equal(STATS_RISK, 0);
    assert_int_equal(STATS_THREAT, 1);
    assert_int_equal(STATS_VULNERABILITY, 2);
    assert_int_equal(STATS_CARTOGRAPHY, 3);
    assert_int_equal(STATS_COMPLIANCE, 4);
    assert_int_equal(STATS_SAMPLE, 5);
    assert_int_equal(stats_kind_count(), STATS_TYPE_COUNT);
    assert_int_equal(stats_kind_count(), sizeof expected / sizeof *expected);
    for (size_t i = 0; i < stats_kind_count(); i++) {
        const struct stats_kind *k = stats_kind_at(i);
        assert_non_null(k);
        assert_int_equal(k->type, i);
        assert_ptr_equal(stats_kind_of(k->type), k);
        assert_string_equal(k->name, expected[i]);
        assert_non_null(k->check);
        assert_non_null(k->extract);
        assert_string_equal(stats_type_name(k->type), expected[i]);
        enum stats_type parsed;
        assert_true(stats_type_parse(expected[i], &parsed));
        assert_int_equal(parsed, k->type);
    }
    assert_null(stats_kind_at(stats_kind_count()));
    assert_null(stats_kind_of(STATS_TYPE_COUNT));
    assert_null(stats_type_name(STATS_TYPE_COUNT));
    enum stats_type parsed;
    assert_false(stats_type_parse("Risk", &parsed));
    assert_false(stats_type_parse(NULL, &parsed));
}

static void test_type_name_lists(void **state)
{
    (void)state;
    buf names = BUF_INIT;
    stats_type_names(&names, ", ", " or ");
    assert_string_equal(names.data, "risk, threat, vulnerability, cartography, compliance or sample");
    buf_truncate(&names, 0);
    stats_type_names(&names, ", ", ", ");
    assert_string_equal(names.data, "risk, threat, vulnerability, cartography, compliance, sample");
    buf_free(&names);
}

/* Every kind refuses a `data` of the wrong JSON type, with the path given. */
static void test_every_kind_checks(void **state)
{
    (void)state;
    struct json_object *wrong = parse("\"text\"");
    for (size_t i = 0; i < stats_kind_count(); i++) {
        struct error_list errs = ERROR_LIST_INIT;
        stats_validate_data(stats_kind_at(i)->type, wrong, "[2].data", &errs);
        assert_int_equal(errs.count, 1);
        assert_string_equal(errs.items[0].field, "[2].data");
        error_list_free(&errs);
        struct stats_facts f;
        assert_false(stats_extract(stats_kind_at(i)->type, wrong, &f));
    }
    json_object_put(wrong);
}

/* An item of type "sample": validated by its kind, with paths; unknown types name it. */
static void test_sample_item(void **state)
{
    (void)state;
    static const char *const head = "{\"anr\": \"6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f\", "
                                    "\"date\": \"2026-05-18\", ";
    buf text = BUF_INIT;
    struct stats_item item;
    struct error_list errs = ERROR_LIST_INIT;

    buf_printf(&text, "%s\"type\": \"sample\", \"data\": {\"n\": 3}}", head);
    struct json_object *good = parse(text.data);
    assert_true(stats_item_from_json(good, 0, &item, &errs));
    assert_int_equal(item.type, STATS_SAMPLE);
    stats_item_free(&item);

    buf_truncate(&text, 0);
    buf_printf(&text, "%s\"type\": \"sample\", \"data\": {\"n\": -1}}", head);
    struct json_object *bad = parse(text.data);
    assert_false(stats_item_from_json(bad, 4, &item, &errs));
    assert_int_equal(errs.count, 1);
    assert_string_equal(errs.items[0].field, "[4].data.n");
    assert_string_equal(errs.items[0].message, "Must be a non-negative integer.");
    error_list_free(&errs);

    buf_truncate(&text, 0);
    buf_printf(&text, "%s\"type\": \"other\", \"data\": {}}", head);
    struct json_object *unknown = parse(text.data);
    errs = (struct error_list)ERROR_LIST_INIT;
    assert_false(stats_item_from_json(unknown, 1, &item, &errs));
    assert_int_equal(errs.count, 1);
    assert_string_equal(errs.items[0].field, "[1].type");
    assert_string_equal(errs.items[0].message,
                        "Must be one of risk, threat, vulnerability, cartography, compliance, sample.");
    error_list_free(&errs);

    json_object_put(good);
    json_object_put(bad);
    json_object_put(unknown);
    buf_free(&text);
}

static void test_sample_extracts(void **state)
{
    (void)state;
    struct json_object *data = parse("{\"n\": 3}");
    struct stats_facts f;
    assert_true(stats_extract(STATS_SAMPLE, data, &f));
    assert_int_equal(f.type, STATS_SAMPLE);
    assert_ptr_equal(f.doc, data);
    stats_facts_free(&f);
    assert_true(stats_extract_text(STATS_SAMPLE, "{\"n\": 1}", 8, &f));
    stats_facts_free(&f);
    assert_false(stats_extract_text(STATS_SAMPLE, "[]", 2, &f));
    json_object_put(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_complete_and_ordered),
        cmocka_unit_test(test_type_name_lists),
        cmocka_unit_test(test_every_kind_checks),
        cmocka_unit_test(test_sample_item),
        cmocka_unit_test(test_sample_extracts),
    };
    return cmocka_run_group_tests_name("kinds", tests, NULL, NULL);
}
