/*
 * test_params.c — request parameters (http/params.c), path normalisation and
 * version comparison: the pure parts of the HTTP layer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/auth.h"
#include "http/params.h"
#include "http/router.h"
#include "util/json.h"

/* A fake query string: "name=value" pairs. */
struct query {
    const char *pairs[8][2];
};

static const char *query_get(void *ctx, const char *name)
{
    struct query *q = ctx;
    for (int i = 0; i < 8 && q->pairs[i][0]; i++)
        if (strcmp(q->pairs[i][0], name) == 0)
            return q->pairs[i][1];
    return NULL;
}

static void query_names(void *ctx, void (*fn)(void *, const char *), void *arg)
{
    struct query *q = ctx;
    for (int i = 0; i < 8 && q->pairs[i][0]; i++)
        fn(arg, q->pairs[i][0]);
}

enum { T_TYPE, T_ANRS, T_FROM, T_LAST, T_LIMIT, T_PARAMS, T_NAME, T_N };
static const struct param_spec specs[T_N] = {
    {"type", PARAM_STATS_TYPE}, {"anrs", PARAM_UUID_LIST}, {"date_from", PARAM_DATE},
    {"get_last", PARAM_BOOL}, {"limit", PARAM_INT}, {"processor_params", PARAM_JSON},
    {"name", PARAM_STRING},
};

#define U1 "6F1C2B4E-8D3A-4F5B-9E7C-1A2B3C4D5E6F"
#define U1_LOWER "6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f"
#define U2 "0b8e2a71-3c5d-4e9f-a1b2-c3d4e5f60718"

static struct json_object *parse(const char *text)
{
    char err[128];
    struct json_object *o = json_parse_strict(text, strlen(text), err, sizeof err);
    assert_non_null(o);
    return o;
}

static void test_body_values(void **state)
{
    struct json_object *body = parse("{\"type\":\"risk\",\"anrs\":[\"" U1 "\",\"" U2 "\"],"
                                     "\"date_from\":\"2026-05-18\",\"get_last\":true,"
                                     "\"limit\":\"10\",\"processor_params\":[],\"name\":\"x\"}");
    struct param_source src = {body, NULL, NULL, NULL};
    struct param_value v[T_N] = {0};
    struct error_list errs = ERROR_LIST_INIT;
    assert_true(params_parse(&src, specs, T_N, v, &errs));
    assert_int_equal(v[T_TYPE].type, STATS_RISK);
    assert_int_equal(v[T_ANRS].list_len, 2);
    assert_string_equal(v[T_ANRS].list[0], U1_LOWER);
    assert_string_equal(v[T_FROM].date, "2026-05-18");
    assert_true(v[T_LAST].boolean);
    assert_int_equal(v[T_LIMIT].integer, 10);
    assert_true(json_object_is_type(v[T_PARAMS].json, json_type_array));
    assert_string_equal(v[T_NAME].string, "x");
    params_free(v, T_N);
    json_object_put(body);
    error_list_free(&errs);
}

static void test_query_values_and_body_wins(void **state)
{
    struct json_object *body = parse("{\"type\":\"threat\"}");
    struct query q = {{{"type", "risk"}, {"anrs", U1 "," U2}, {"get_last", "YES"},
                       {"limit", "0"}, {"processor_params", "{\"a\":1}"}}};
    struct param_source src = {body, query_get, query_names, &q};
    struct param_value v[T_N] = {0};
    struct error_list errs = ERROR_LIST_INIT;
    assert_true(params_parse(&src, specs, T_N, v, &errs));
    assert_int_equal(v[T_TYPE].type, STATS_THREAT); /* the body wins */
    assert_int_equal(v[T_ANRS].list_len, 2);
    assert_string_equal(v[T_ANRS].list[1], U2);
    assert_true(v[T_LAST].boolean);
    assert_true(v[T_LIMIT].present);
    assert_int_equal(v[T_LIMIT].integer, 0);
    assert_true(json_object_is_type(v[T_PARAMS].json, json_type_object));
    assert_false(v[T_FROM].present);
    params_free(v, T_N);
    json_object_put(body);
    error_list_free(&errs);
}

static void test_every_problem_reported(void **state)
{
    struct json_object *body = parse("{\"type\":\"risks\",\"anrs\":[\"nope\"],\"date_from\":"
                                     "\"2026-02-30\",\"get_last\":\"maybe\",\"limit\":-1,"
                                     "\"name\":3,\"typo\":1}");
    struct query q = {{{"other", "1"}}};
    struct param_source src = {body, query_get, query_names, &q};
    struct param_value v[T_N] = {0};
    struct error_list errs = ERROR_LIST_INIT;
    assert_false(params_parse(&src, specs, T_N, v, &errs));
    assert_int_equal(errs.count, 8);
    const char *fields[] = {"typo", "other", "type", "anrs", "date_from", "get_last", "limit",
                            "name"};
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(errs.items[i].field, fields[i]);
    params_free(v, T_N);
    json_object_put(body);
    error_list_free(&errs);
}

static void test_empty_list_and_null(void **state)
{
    struct json_object *body = parse("{\"anrs\":[],\"type\":null}");
    struct query q = {{{"type", "compliance"}}};
    struct param_source src = {body, query_get, query_names, &q};
    struct param_value v[T_N] = {0};
    struct error_list errs = ERROR_LIST_INIT;
    assert_true(params_parse(&src, specs, T_N, v, &errs));
    assert_true(v[T_ANRS].present);
    assert_int_equal(v[T_ANRS].list_len, 0);
    /* null in the body means "not given": the query string applies */
    assert_int_equal(v[T_TYPE].type, STATS_COMPLIANCE);
    params_free(v, T_N);
    json_object_put(body);
    error_list_free(&errs);
}

static void test_bool_words(void **state)
{
    bool b;
    const char *yes[] = {"true", "TRUE", "1", "yes", "Yes"};
    const char *no[] = {"false", "False", "0", "no", "NO"};
    for (size_t i = 0; i < 5; i++) {
        assert_true(params_parse_bool_word(yes[i], &b));
        assert_true(b);
        assert_true(params_parse_bool_word(no[i], &b));
        assert_false(b);
    }
    assert_false(params_parse_bool_word("", &b));
    assert_false(params_parse_bool_word("2", &b));
    assert_false(params_parse_bool_word("on", &b));
}

static void test_normalize_path(void **state)
{
    const char *cases[][2] = {
        {"/api/v1/stats/", "/api/v1/stats"}, {"//api/v1/stats/", "/api/v1/stats"},
        {"/api//v1///client/me", "/api/v1/client/me"}, {"/", "/"}, {"//", "/"}, {"", "/"},
        {"/stats/threats.json", "/stats/threats.json"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[64];
        strcpy(path, cases[i][0]);
        router_normalize_path(path);
        assert_string_equal(path, cases[i][1]);
    }
}

static void test_compare_version(void **state)
{
    int cmp;
    assert_true(auth_compare_version("2.10.1", "2.10.2", &cmp));
    assert_true(cmp < 0);
    assert_true(auth_compare_version("2.10.2", "2.10.2", &cmp));
    assert_int_equal(cmp, 0);
    assert_true(auth_compare_version("2.14.1 (php)", "2.10.2", &cmp));
    assert_true(cmp > 0);
    assert_true(auth_compare_version("2.9", "2.10.2", &cmp));
    assert_true(cmp < 0);
    assert_true(auth_compare_version("3", "2.10.2", &cmp));
    assert_true(cmp > 0);
    assert_false(auth_compare_version("x.y", "2.10.2", &cmp));
    assert_false(auth_compare_version("", "2.10.2", &cmp));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_values),
        cmocka_unit_test(test_query_values_and_body_wins),
        cmocka_unit_test(test_every_problem_reported),
        cmocka_unit_test(test_empty_list_and_null),
        cmocka_unit_test(test_bool_words),
        cmocka_unit_test(test_normalize_path),
        cmocka_unit_test(test_compare_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
