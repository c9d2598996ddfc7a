/*
 * test_json.c — unit tests of util/json.c: what strict parsing accepts and
 * refuses (with which message), depth limits, text round trips, reading
 * "num" values and printing doubles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* A text with explicit length (0 = strlen), and the exact error expected (NULL = accepted). */
struct parse_case {
    const char *text;
    size_t len;
    const char *error;
};

static void run_parse_cases(const struct parse_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *text = cases[i].text;
        size_t len = cases[i].len ? cases[i].len : strlen(text);
        char err[200] = "";
        struct json_object *obj = json_parse_strict(text, len, err, sizeof err);
        if (cases[i].error && obj)
            fail_msg("case %zu accepted: %s", i, text);
        if (!cases[i].error && !obj)
            fail_msg("case %zu refused: %s -> %s", i, text, err);
        if (cases[i].error && strcmp(err, cases[i].error) != 0)
            fail_msg("case %zu (%s): got \"%s\", want \"%s\"", i, text, err, cases[i].error);
        json_object_put(obj);
    }
}

static void test_parse_accepts(void **state)
{
    static const struct parse_case cases[] = {
        {"0", 0, NULL},
        {"-0", 0, NULL},
        {"9223372036854775807", 0, NULL},
        {"[-9223372036854775808]", 0, NULL},
        {"[1.50,1e5,1E+05,-0.0,0.5e-3]", 0, NULL},
        {"1e-400", 0, NULL}, /* underflows to 0: finite */
        {"\"text\"", 0, NULL},
        {"true", 0, NULL},
        {"[true,false,null]", 0, NULL},
        {" \t\r\n[1] \n", 0, NULL},
        {"{}", 0, NULL},
        {"[]", 0, NULL},
        {"{\"a\":{\"b\":[{\"c\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}]}}", 0, NULL},
        {"\"\\ud835\\udd38\"", 0, NULL},          /* surrogate pair */
        {"\"\\uD835\\uDD38\"", 0, NULL},
        {"\"\xf0\x9d\x94\xb8 \xc3\xa9 \xef\xbf\xbf\"", 0, NULL}, /* raw UTF-8, 4/2/3 bytes */
        {"\"\\u00e9\\u0001\"", 0, NULL},
        {"{\"a\":1,\"a\":2}", 0, NULL},
        {"[123456789012345678, -1.7976931348623157e308]", 0, NULL},
    };
    run_parse_cases(cases, COUNT(cases));
}

static void test_parse_refuses(void **state)
{
    static const struct parse_case cases[] = {
        /* Non-finite numbers, in every form json-c knows. */
        {"NaN", 0, "Invalid JSON at offset 0: NaN and Infinity are not JSON numbers."},
        {"[NaN]", 0, "Invalid JSON at offset 1: NaN and Infinity are not JSON numbers."},
        {"Infinity", 0, "Invalid JSON at offset 0: NaN and Infinity are not JSON numbers."},
        {"[1,Infinity]", 0, "Invalid JSON at offset 3: NaN and Infinity are not JSON numbers."},
        {"-Infinity", 0, "Invalid JSON at offset 0: malformed number."},
        {"{\"a\":-Infinity}", 0, "Invalid JSON at offset 5: malformed number."},
        {"[nan]", 0, "Invalid JSON at offset 2: null expected."},
        {"[inf]", 0, "Invalid JSON at offset 1: unexpected character."},
        {"1e400", 0, "Number out of range at offset 0."},
        {"[-1e400]", 0, "Number out of range at offset 1."},
        {"[0.1e99999]", 0, "Number out of range at offset 1."},
        /* Integers beyond int64, which json-c clamps. */
        {"99999999999999999999", 0, "Number out of range at offset 0."},
        {"[1,99999999999999999999]", 0, "Number out of range at offset 3."},
        {"[9223372036854775808]", 0, "Number out of range at offset 1."},
        {"[-9223372036854775809]", 0, "Number out of range at offset 1."},
        {"[18446744073709551615]", 0, "Number out of range at offset 1."},
        /* Number grammar. */
        {"[1.]", 0, "Invalid JSON at offset 1: malformed number."},
        {"[01]", 0, "Invalid JSON at offset 3: number expected."},
        {"[.5]", 0, "Invalid JSON at offset 1: unexpected character."},
        {"[+1]", 0, "Invalid JSON at offset 1: unexpected character."},
        /* Syntax json-c's strict mode refuses. */
        {"[1] x", 0, "Invalid JSON at offset 4: unexpected character."},
        {"1 2", 0, "Invalid JSON at offset 2: unexpected character."},
        {"{\"a\":1}{}", 0, "Invalid JSON at offset 7: unexpected character."},
        {"'a'", 0, "Invalid JSON at offset 0: unexpected character."},
        {"{'a':1}", 0, "Invalid JSON at offset 1: single quotes are not JSON."},
        {"{\"k\":{'a\"b':1}}", 0, "Invalid JSON at offset 6: single quotes are not JSON."},
        {"{\"a\":'b'}", 0, "Invalid JSON at offset 5: unexpected character."},
        {"['a']", 0, "Invalid JSON at offset 1: unexpected character."},
        {"[1/*c*/]", 0, "Invalid JSON at offset 2: array value separator ',' expected."},
        {"[1]//c", 0, "Invalid JSON at offset 3: unexpected character."},
        {"[1,]", 0, "Invalid JSON at offset 3: unexpected character."},
        {"{\"a\":1,}", 0, "Invalid JSON at offset 7: unexpected character."},
        {"[True]", 0, "Invalid JSON at offset 1: boolean expected."},
        {"   ", 0, "Invalid JSON at offset 3: unexpected end of data."},
        {"[1,", 0, "Invalid JSON at offset 3: unexpected end of data."},
        {"tru", 0, "Invalid JSON at offset 3: unexpected end of data."},
        {"\"abc", 0, "Invalid JSON at offset 4: unexpected end of data."},
        {"null", 0, "Invalid JSON: a bare null is not accepted here."},
        /* Strings. */
        {"\"a\tb\"", 0, "Invalid JSON at offset 2: control character in a string."},
        {"[\"a\nb\"]", 0, "Invalid JSON at offset 3: control character in a string."},
        {"\"\\ud800\"", 0, "Invalid JSON at offset 1: lone surrogate escape."},
        {"\"ab\\udc00\"", 0, "Invalid JSON at offset 3: lone surrogate escape."},
        {"\"\\ud800x\"", 0, "Invalid JSON at offset 1: lone surrogate escape."},
        {"\"\\ud800\\u0041\"", 0, "Invalid JSON at offset 1: lone surrogate escape."},
        {"\"\\ud800\\ud800\"", 0, "Invalid JSON at offset 1: lone surrogate escape."},
        {"\"\\u0000\"", 0, "Invalid JSON at offset 1: \\u0000 is not accepted."},
        {"{\"\\u0000\":1}", 0, "Invalid JSON at offset 2: \\u0000 is not accepted."},
        /* UTF-8. */
        {"\"\xff\"", 0, "Invalid UTF-8 at offset 1."},
        {"\"\xc3\"", 0, "Invalid UTF-8 at offset 1."},              /* truncated */
        {"\"\xc3\xa9\xa9\"", 0, "Invalid UTF-8 at offset 3."},      /* stray continuation */
        {"\"\xc0\x80\"", 0, "Invalid UTF-8 at offset 1."},          /* overlong NUL */
        {"\"\xc1\xbf\"", 0, "Invalid UTF-8 at offset 1."},          /* overlong */
        {"\"\xe0\x80\xaf\"", 0, "Invalid UTF-8 at offset 1."},      /* overlong '/' */
        {"\"\xf0\x80\x80\xaf\"", 0, "Invalid UTF-8 at offset 1."},  /* overlong '/' */
        {"\"\xed\xa0\x80\"", 0, "Invalid UTF-8 at offset 1."},      /* UTF-16 surrogate */
        {"\"\xf4\x90\x80\x80\"", 0, "Invalid UTF-8 at offset 1."},  /* above U+10FFFF */
        {"\"\xf8\x88\x80\x80\x80\"", 0, "Invalid UTF-8 at offset 1."},
        /* NUL bytes, with the length given explicitly. */
        {"[1]\0", 4, "Invalid JSON at offset 3: NUL byte."},
        {"\"a\0b\"", 5, "Invalid JSON at offset 2: NUL byte."},
        {"\0[1]", 4, "Invalid JSON at offset 0: NUL byte."},
    };
    run_parse_cases(cases, COUNT(cases));

    char err[200];
    assert_null(json_parse_strict("", 0, err, sizeof err));
    assert_string_equal(err, "Invalid JSON at offset 0: unexpected end of data.");
}

static void test_parse_error_buffer(void **state)
{
    char small[8];
    assert_null(json_parse_strict("[1,", 3, small, sizeof small));
    assert_string_equal(small, "Invalid"); /* truncated, terminated */
    assert_null(json_parse_strict("[1,", 3, NULL, 0));
}

/* A text of `depth` nested arrays, or objects {"a":…} when `objects`. */
static char *nested(size_t depth, bool objects)
{
    buf b = BUF_INIT;
    for (size_t i = 0; i < depth; i++)
        buf_puts(&b, objects ? "{\"a\":" : "[");
    buf_puts(&b, "0");
    for (size_t i = 0; i < depth; i++)
        buf_putc(&b, objects ? '}' : ']');
    return buf_detach(&b, NULL);
}

static void test_parse_depth(void **state)
{
    char err[200];
    for (int objects = 0; objects <= 1; objects++) {
        char *ok = nested(JSON_MAX_DEPTH, objects);
        struct json_object *obj = json_parse_strict(ok, strlen(ok), err, sizeof err);
        assert_non_null(obj);
        json_object_put(obj);
        free(ok);

        char *deep = nested(JSON_MAX_DEPTH + 1, objects);
        assert_null(json_parse_strict(deep, strlen(deep), err, sizeof err));
        assert_string_equal(err, "JSON nested deeper than 64 levels.");
        free(deep);
    }
    /* Empty containers: the limit counts arrays and objects, not values. */
    for (size_t depth = JSON_MAX_DEPTH; depth <= JSON_MAX_DEPTH + 1; depth++) {
        buf b = BUF_INIT;
        for (size_t i = 0; i + 1 < depth; i++)
            buf_puts(&b, i % 2 ? "{\"k\":" : "[");
        buf_puts(&b, depth % 2 ? "[]" : "{}");
        for (size_t i = depth - 1; i-- > 0;)
            buf_putc(&b, i % 2 ? '}' : ']');
        struct json_object *obj = json_parse_strict(b.data, b.len, err, sizeof err);
        if (depth == JSON_MAX_DEPTH)
            assert_non_null(obj);
        else
            assert_string_equal(err, "JSON nested deeper than 64 levels.");
        json_object_put(obj);
        buf_free(&b);
    }
    /* Hostile nesting fails cleanly, without recursion. */
    char *hostile = nested(10000, false);
    assert_null(json_parse_strict(hostile, strlen(hostile), err, sizeof err));
    assert_string_equal(err, "JSON nested deeper than 64 levels.");
    free(hostile);

    char unclosed[10001];
    memset(unclosed, '[', 10000);
    assert_null(json_parse_strict(unclosed, 10000, err, sizeof err));
    assert_string_equal(err, "JSON nested deeper than 64 levels.");
}

static void test_duplicate_members_last_wins(void **state)
{
    const char *text = "{\"a\":1,\"b\":{\"x\":true},\"a\":\"two\",\"b\":3}";
    char err[200];
    struct json_object *obj = json_parse_strict(text, strlen(text), err, sizeof err);
    assert_non_null(obj);
    assert_int_equal(json_object_object_length(obj), 2);
    struct json_object *a, *b;
    assert_true(json_object_object_get_ex(obj, "a", &a));
    assert_string_equal(json_object_get_string(a), "two");
    assert_true(json_object_object_get_ex(obj, "b", &b));
    assert_int_equal(json_object_get_int(b), 3);
    assert_string_equal(json_text(obj), "{\"a\":\"two\",\"b\":3}");
    json_object_put(obj);
}

/* ---- output ------------------------------------------------------------- */

static void test_round_trip_texts(void **state)
{
    static const struct { const char *in, *out; } cases[] = {
        {"[1.50,1e5,1E+05,-0.0,2.820,0.5e-3]", "[1.50,1e5,1E+05,-0.0,2.820,0.5e-3]"},
        {"{ \"a\" : [ 1 , 2 ] ,\n \"b\" : { } }", "{\"a\":[1,2],\"b\":{}}"},
        {"\"\\u00e9t\\u00E9\"", "\"\xc3\xa9t\xc3\xa9\""},
        {"\"Erreur d'utilisation \\/ saisie\"", "\"Erreur d'utilisation / saisie\""},
        {"\"\\ud835\\udd38\"", "\"\xf0\x9d\x94\xb8\""},
        {"\"a/b\"", "\"a/b\""},
        {"\"q\\\"b\\\\\\n\\t\\u0001\"", "\"q\\\"b\\\\\\n\\t\\u0001\""},
        {"[9223372036854775807,-9223372036854775808,0,-0]", "[9223372036854775807,-9223372036854775808,0,0]"},
        {"[true,false,null,\"\"]", "[true,false,null,\"\"]"},
    };
    char err[200];
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct json_object *obj = json_parse_strict(cases[i].in, strlen(cases[i].in), err, sizeof err);
        if (!obj)
            fail_msg("case %zu refused: %s", i, err);
        assert_string_equal(json_text(obj), cases[i].out);

        buf b = BUF_INIT;
        buf_puts(&b, "x=");
        buf_json_value(&b, obj);
        assert_string_equal(b.data + 2, cases[i].out);
        buf_free(&b);

        /* The output is itself strict JSON and prints the same again. */
        struct json_object *again = json_parse_strict(json_text(obj), strlen(json_text(obj)), err, sizeof err);
        assert_non_null(again);
        assert_string_equal(json_text(again), cases[i].out);
        json_object_put(again);
        json_object_put(obj);
    }
}

static void test_parsed_decimals_keep_value(void **state)
{
    char err[200];
    struct json_object *obj = json_parse_strict("1.50", 4, err, sizeof err);
    assert_non_null(obj);
    assert_true(json_object_get_double(obj) == 1.5);
    assert_string_equal(json_text(obj), "1.50");
    json_object_put(obj);
}

/* ---- json_get_num --------------------------------------------------------- */

static void test_get_num(void **state)
{
    static const struct { const char *json; bool ok; double value; } cases[] = {
        {"3", true, 3},
        {"-1", true, -1},
        {"2.5", true, 2.5},
        {"1e3", true, 1000},
        {"\"2.82\"", true, 2.82},
        {"\"3\"", true, 3},
        {"\"-1\"", true, -1},
        {"\"0.50\"", true, 0.5},
        {"\"1e3\"", true, 1000},
        {"\"1.5E-2\"", true, 0.015},
        {"\"007\"", false, 0}, /* the JSON number grammar, leading zeros excluded */
        {"\" 4\"", false, 0},
        {"\"4 \"", false, 0},
        {"\"\"", false, 0},
        {"\"nan\"", false, 0},
        {"\"NaN\"", false, 0},
        {"\"inf\"", false, 0},
        {"\"-Infinity\"", false, 0},
        {"\"0x10\"", false, 0},
        {"\"1e400\"", false, 0},
        {"\"+1\"", false, 0},
        {"\".5\"", false, 0},
        {"\"1.\"", false, 0},
        {"\"1,5\"", false, 0},
        {"\"abc\"", false, 0},
        {"\"1e\"", false, 0},
        {"true", false, 0},
        {"false", false, 0},
        {"[1]", false, 0},
        {"{\"v\":1}", false, 0},
    };
    char err[200];
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct json_object *obj = json_parse_strict(cases[i].json, strlen(cases[i].json), err, sizeof err);
        if (!obj)
            fail_msg("case %zu refused: %s", i, err);
        double d = -12345;
        bool ok = json_get_num(obj, &d);
        if (ok != cases[i].ok)
            fail_msg("case %zu (%s): json_get_num returned %d", i, cases[i].json, ok);
        if (ok && d != cases[i].value)
            fail_msg("case %zu (%s): got %.17g", i, cases[i].json, d);
        json_object_put(obj);
    }
    double d;
    assert_false(json_get_num(NULL, &d)); /* JSON null */

    struct json_object *inf = json_object_new_double(INFINITY);
    assert_false(json_get_num(inf, &d));
    json_object_put(inf);
    struct json_object *nan = json_object_new_double(NAN);
    assert_false(json_get_num(nan, &d));
    json_object_put(nan);
    struct json_object *big = json_object_new_uint64(UINT64_MAX);
    assert_true(json_get_num(big, &d));
    assert_true(d == 18446744073709551615.0);
    json_object_put(big);
}

/* ---- buf_json_double ------------------------------------------------------- */

static void assert_prints(double d, const char *want)
{
    buf b = BUF_INIT;
    buf_json_double(&b, d);
    if (strcmp(b.data, want) != 0)
        fail_msg("%.17g printed as %s, want %s", d, b.data, want);
    buf_free(&b);
}

static void test_json_double(void **state)
{
    assert_prints(20.333333333333332, "20.333333333333332");
    assert_prints(61.0 / 3, "20.333333333333332");
    assert_prints(0.1, "0.1");
    assert_prints(0.1 + 0.2, "0.30000000000000004");
    assert_prints(2.8000000000000003, "2.8000000000000003");
    assert_prints(6.666666666666667, "6.666666666666667");
    assert_prints(20.0 / 3, "6.666666666666667");
    assert_prints(33.333333333333336, "33.333333333333336");
    assert_prints(2.4, "2.4");
    assert_prints(27.5, "27.5");
    assert_prints(-2.5, "-2.5");
    assert_prints(0.925, "0.925");
    assert_prints(8, "8.0");
    assert_prints(0, "0.0");
    assert_prints(-3, "-3.0");
    assert_prints(1e16, "10000000000000000.0");
    assert_prints(123456789012345.0, "123456789012345.0");
    assert_prints(1e20, "1e+20");
    assert_prints(0.0001, "0.0001");
    assert_prints(1.5e-7, "1.5e-07");
    assert_prints(1.7976931348623157e308, "1.7976931348623157e+308");
    assert_prints(5e-324, "5e-324");
    assert_prints(NAN, "null");
    assert_prints(INFINITY, "null");
    assert_prints(-INFINITY, "null");
}

/* Every finite double prints as strict JSON that reads back to itself. */
static void test_json_double_round_trips(void **state)
{
    uint64_t x = 0x9E3779B97F4A7C15u;
    char err[200];
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13; /* xorshift64: a reproducible spread of bit patterns */
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        memcpy(&d, &x, sizeof d);
        if (!isfinite(d))
            continue;
        buf b = BUF_INIT;
        buf_json_double(&b, d);
        assert_true(strtod(b.data, NULL) == d);
        struct json_object *obj = json_parse_strict(b.data, b.len, err, sizeof err);
        if (!obj)
            fail_msg("%s: %s", b.data, err);
        assert_true(json_object_get_double(obj) == d);
        json_object_put(obj);
        buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_accepts),
        cmocka_unit_test(test_parse_refuses),
        cmocka_unit_test(test_parse_error_buffer),
        cmocka_unit_test(test_parse_depth),
        cmocka_unit_test(test_duplicate_members_last_wins),
        cmocka_unit_test(test_round_trip_texts),
        cmocka_unit_test(test_parsed_decimals_keep_value),
        cmocka_unit_test(test_get_num),
        cmocka_unit_test(test_json_double),
        cmocka_unit_test(test_json_double_round_trips),
    };
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
