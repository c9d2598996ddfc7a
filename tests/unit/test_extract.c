/*
 * test_extract.c — facts taken out of stats documents (src/stats/extract.h):
 * exact decimals, each type's figures from the MONARC fixtures and from edge
 * cases, and refusal of documents without the shape of their type.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"
#include "stats/extract.h"
#include "util/buf.h"
#include "util/json.h"

static struct json_object *parse(const char *text)
{
    char err[128];
    struct json_object *j = json_parse_strict(text, strlen(text), err, sizeof err);
    if (!j)
        fail_msg("%s: %s", err, text);
    return j;
}

/* The `data` of the first item of type `type` in a fixture file of
 * $STATS_FIXTURES (set by meson), else of tests/fixtures/monarc/ in the source tree. */
static struct json_object *fixture_data(const char *file, const char *type)
{
    const char *dir = getenv("STATS_FIXTURES");
    buf path = BUF_INIT;
    if (dir && *dir)
        buf_printf(&path, "%s/%s", dir, file);
    else
        buf_printf(&path, "%s/tests/fixtures/monarc/%s", STATS_SOURCE_ROOT, file);
    struct json_object *all = json_object_from_file(path.data);
    if (!all) {
        char msg[600];
        snprintf(msg, sizeof msg, "fixture %s: %s", path.data, json_util_get_last_err());
        buf_free(&path);
        fail_msg("%s", msg);
    }
    buf_free(&path);
    struct json_object *found = NULL;
    for (size_t i = 0; i < json_object_array_length(all) && !found; i++) {
        struct json_object *item = json_object_array_get_idx(all, i), *t, *d;
        if (json_object_object_get_ex(item, "type", &t) && strcmp(json_object_get_string(t), type) == 0 &&
            json_object_object_get_ex(item, "data", &d))
            found = json_object_get(d);
    }
    json_object_put(all);
    if (!found)
        fail_msg("fixture %s: no item of type %s", file, type);
    return found;
}

static void assert_decimal(struct decimal d, int64_t units, int64_t nanos)
{
    d = decimal_normalize(d);
    assert_int_equal(d.units, units);
    assert_int_equal(d.nanos, nanos);
}

static void test_decimals(void **state)
{
    assert_decimal(decimal_from_double(2.82), 2, 820000000);
    assert_decimal(decimal_from_double(0.1), 0, 100000000);
    assert_decimal(decimal_from_double(-2.5), -3, 500000000);
    assert_decimal(decimal_from_double(3), 3, 0);
    assert_decimal(decimal_from_double(1e300), 1000000000000LL, 0);
    assert_decimal(decimal_from_double(0.9999999999), 1, 0);
    struct decimal sum = {0, 0};
    decimal_add(&sum, decimal_from_double(2.5));
    decimal_add(&sum, decimal_from_double(3.5));
    decimal_add(&sum, decimal_from_double(2.4));
    assert_decimal(sum, 8, 400000000);
    assert_true(decimal_mean(sum, 3) == 8.4 / 3);
    assert_true(decimal_to_double(decimal_from_double(1.84)) == 1.84);
    assert_true(decimal_to_double(decimal_from_double(-0.25)) == -0.25);
    assert_true(decimal_mean(sum, 0) == 0.0);
}

static void test_threats_from_fixture(void **state)
{
    struct json_object *data = fixture_data("threat.json", "threat");
    struct stats_facts f;
    assert_true(stats_extract(STATS_THREAT, data, &f));
    json_object_put(data); /* the facts hold their own reference */
    assert_int_equal(f.n_objects, 6);
    /* sorted by uuid */
    assert_string_equal(f.objects[0].uuid, "b402d4e0-4576-11e9-9173-0800277f0571");
    assert_string_equal(f.objects[0].labels.label[1], "Error in use");
    assert_decimal(f.objects[0].count, 9, 0);
    assert_decimal(f.objects[0].max_risk, 32, 0);
    assert_decimal(f.objects[0].rate, 2, 640000000);
    /* b402d557 (Eavesdropping), listed fifth: averageRate "1" */
    assert_string_equal(f.objects[2].uuid, "b402d557-4576-11e9-9173-0800277f0571");
    assert_string_equal(f.objects[2].labels.label[0], "\xc3\x89" "coute passive");
    assert_decimal(f.objects[2].rate, 1, 0);
    assert_decimal(f.objects[2].max_risk, 8, 0);
    for (size_t i = 1; i < f.n_objects; i++)
        assert_true(strcmp(f.objects[i - 1].uuid, f.objects[i].uuid) < 0);
    stats_facts_free(&f);
}

static void test_edge_cases(void **state)
{
    struct json_object *data = fixture_data("edge-cases.json", "threat");
    struct stats_facts f;
    assert_true(stats_extract(STATS_THREAT, data, &f));
    assert_int_equal(f.n_objects, 2);
    assert_string_equal(f.objects[0].labels.label[0], "Vol / destruction de supports");
    assert_string_equal(f.objects[0].labels.label[2], "");
    assert_string_equal(f.objects[1].labels.label[0], "Abus de droits d'acc\xc3\xa8s \xf0\x9f\x94\x92");
    assert_string_equal(f.objects[1].labels.label[3], "");
    assert_decimal(f.objects[1].max_risk, 0, 0);
    assert_decimal(f.objects[1].rate, 0, 700000000);
    stats_facts_free(&f);
    json_object_put(data);

    data = fixture_data("edge-cases.json", "cartography");
    assert_true(stats_extract(STATS_CARTOGRAPHY, data, &f));
    assert_int_equal(f.carto.n_cells, 0);
    assert_int_equal(f.carto.n_scales[0], 0);
    stats_facts_free(&f);
    json_object_put(data);

    data = fixture_data("edge-cases.json", "compliance");
    assert_true(stats_extract(STATS_COMPLIANCE, data, &f));
    assert_int_equal(f.n_referentials, 0);
    stats_facts_free(&f);
    json_object_put(data);
}

static void test_duplicate_objects_last_wins(void **state)
{
    const char *text = "[{\"uuid\":\"B402D4E0-4576-11E9-9173-0800277F0571\",\"count\":1,\"maxRisk\":1,"
                       "\"averageRate\":1},{\"uuid\":\"b402d4e0-4576-11e9-9173-0800277f0571\",\"count\":\"2\","
                       "\"maxRisk\":2,\"averageRate\":\"2.5\"}]";
    struct stats_facts f;
    assert_true(stats_extract_text(STATS_VULNERABILITY, text, strlen(text), &f));
    assert_int_equal(f.n_objects, 1);
    assert_decimal(f.objects[0].count, 2, 0);
    assert_string_equal(f.objects[0].labels.label[3], "");
    stats_facts_free(&f);
}

static void test_risk_cells(void **state)
{
    struct json_object *data = fixture_data("risk.json", "risk");
    struct stats_facts f;
    assert_true(stats_extract(STATS_RISK, data, &f));
    /* current/informational: 26, 15, 4; current/operational: 9, 3, 3;
     * residual/operational: 14, 1, 0 */
    assert_decimal(f.risk.value[0], 26, 0);
    assert_decimal(f.risk.value[1], 15, 0);
    assert_decimal(f.risk.value[2], 4, 0);
    assert_decimal(f.risk.value[3], 9, 0);
    assert_decimal(f.risk.value[9], 14, 0);
    assert_decimal(f.risk.value[10], 1, 0);
    assert_decimal(f.risk.value[11], 0, 0);
    stats_facts_free(&f);
    json_object_put(data);
}

static void test_cartography_cells(void **state)
{
    const char *text = "{\"scales\":{\"impact\":[3,1,3],\"probability\":[],\"likelihood\":[\"2\",0]},"
                       "\"risks\":{\"current\":{\"informational\":{\"1\":[8,0,6],\"10\":{\"2\":\"3\"}},"
                       "\"operational\":[]},\"residual\":{\"informational\":[[0],[5]],\"operational\":{}}}}";
    struct stats_facts f;
    assert_true(stats_extract_text(STATS_CARTOGRAPHY, text, strlen(text), &f));
    assert_int_equal(f.carto.n_scales[0], 2);
    assert_int_equal(f.carto.scales[0][0], 1);
    assert_int_equal(f.carto.scales[0][1], 3);
    assert_int_equal(f.carto.n_scales[2], 2);
    assert_int_equal(f.carto.scales[2][1], 2);
    const struct carto_cell expected[] = {{0, 1, 0, 8}, {0, 1, 2, 6}, {0, 10, 2, 3}, {2, 1, 0, 5}};
    assert_int_equal(f.carto.n_cells, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(f.carto.cells[i].matrix, expected[i].matrix);
        assert_int_equal(f.carto.cells[i].row, expected[i].row);
        assert_int_equal(f.carto.cells[i].col, expected[i].col);
        assert_int_equal(f.carto.cells[i].value, expected[i].value);
    }
    stats_facts_free(&f);
}

static void test_compliance_pairs(void **state)
{
    struct json_object *data = fixture_data("compliance.json", "compliance");
    struct stats_facts f;
    assert_true(stats_extract(STATS_COMPLIANCE, data, &f));
    assert_true(f.n_referentials >= 1);
    const struct compliance_referential *r = &f.referentials[0];
    assert_string_equal(r->uuid, "98ca84fb-db87-11e8-ac77-0800279aaa2b");
    assert_string_equal(r->labels.label[0], "ISO 27002");
    assert_true(r->n_categories >= 1);
    assert_string_equal(r->categories[0].labels.label[1], "Information security policies");
    assert_true(r->categories[0].has_current && r->categories[0].has_target);
    assert_decimal(r->categories[0].current, 0, 500000000);
    assert_decimal(r->categories[0].target, 1, 0);
    assert_int_equal(r->categories[0].controls, 2);
    assert_int_equal(r->n_categories, 3);
    assert_decimal(r->categories[1].current, 0, 480000000);
    assert_decimal(r->categories[1].target, 0, 710000000);
    assert_int_equal(r->categories[1].controls, 7);
    stats_facts_free(&f);
    json_object_put(data);

    const char *uneven = "[{\"referential\":\"98ca84fb-db87-11e8-ac77-0800279aaa2b\",\"current\":[],"
                         "\"target\":[{\"label1\":\"T\",\"controls\":[{},{},{}],\"value\":1}]}]";
    assert_true(stats_extract_text(STATS_COMPLIANCE, uneven, strlen(uneven), &f));
    assert_int_equal(f.referentials[0].n_categories, 1);
    assert_false(f.referentials[0].categories[0].has_current);
    assert_string_equal(f.referentials[0].categories[0].labels.label[0], "T");
    assert_int_equal(f.referentials[0].categories[0].controls, 3);
    stats_facts_free(&f);
}

static void test_refuses_wrong_shapes(void **state)
{
    static const struct {
        enum stats_type type;
        const char *text;
    } cases[] = {
        {STATS_THREAT, "{}"},
        {STATS_THREAT, "[{\"uuid\":\"nope\",\"count\":1,\"maxRisk\":1,\"averageRate\":1}]"},
        {STATS_THREAT, "[{\"uuid\":\"b402d4e0-4576-11e9-9173-0800277f0571\",\"count\":\"x\",\"maxRisk\":1,"
                       "\"averageRate\":1}]"},
        {STATS_THREAT, "[{\"uuid\":\"b402d4e0-4576-11e9-9173-0800277f0571\",\"label1\":3,\"count\":1,"
                       "\"maxRisk\":1,\"averageRate\":1}]"},
        {STATS_RISK, "{\"risks\":{}}"},
        {STATS_RISK, "[]"},
        {STATS_CARTOGRAPHY, "{\"scales\":{\"impact\":[],\"probability\":[],\"likelihood\":[]},"
                            "\"risks\":{\"current\":{\"informational\":{\"01\":[1]},\"operational\":[]},"
                            "\"residual\":{\"informational\":[],\"operational\":[]}}}"},
        {STATS_CARTOGRAPHY, "{\"scales\":{\"impact\":[1.5],\"probability\":[],\"likelihood\":[]},"
                            "\"risks\":{\"current\":{\"informational\":[],\"operational\":[]},"
                            "\"residual\":{\"informational\":[],\"operational\":[]}}}"},
        {STATS_CARTOGRAPHY, "{\"scales\":{\"impact\":[],\"probability\":[],\"likelihood\":[]},"
                            "\"risks\":{\"current\":{\"informational\":[[-1]],\"operational\":[]},"
                            "\"residual\":{\"informational\":[],\"operational\":[]}}}"},
        {STATS_COMPLIANCE, "[{\"referential\":\"98ca84fb-db87-11e8-ac77-0800279aaa2b\",\"current\":"
                           "[{\"controls\":{},\"value\":1}],\"target\":[]}]"},
        {STATS_COMPLIANCE, "[{\"current\":[],\"target\":[]}]"},
        {STATS_RISK, "not json"},
        {(enum stats_type)99, "[]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct stats_facts f;
        if (stats_extract_text(cases[i].type, cases[i].text, strlen(cases[i].text), &f))
            fail_msg("accepted %s", cases[i].text);
    }
    struct json_object *empty = parse("[]");
    struct stats_facts f;
    assert_true(stats_extract(STATS_THREAT, empty, &f));
    assert_int_equal(f.n_objects, 0);
    stats_facts_free(&f);
    json_object_put(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimals),
        cmocka_unit_test(test_threats_from_fixture),
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_duplicate_objects_last_wins),
        cmocka_unit_test(test_risk_cells),
        cmocka_unit_test(test_cartography_cells),
        cmocka_unit_test(test_compliance_pairs),
        cmocka_unit_test(test_refuses_wrong_shapes),
    };
    return cmocka_run_group_tests_name("extract", tests, NULL, NULL);
}
