/*
 * test_json_writer.c — unit tests of util/json_writer.c: commas and nesting,
 * the exact bytes of strings and doubles (those the answers have always had),
 * raw values, writing a stream page by page, and that misuse is asserted
 * while normal use never is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/json.h"
#include "util/json_writer.h"

static void test_scalars_at_top(void **state)
{
    buf b = BUF_INIT;
    struct json_writer w;
    jw_init(&w, &b);
    assert_false(jw_done(&w));
    jw_int(&w, INT64_MIN);
    assert_true(jw_done(&w));
    assert_string_equal(b.data, "-9223372036854775808");

    buf_reset(&b);
    jw_init(&w, &b);
    jw_null(&w);
    assert_string_equal(b.data, "null");
    buf_reset(&b);
    jw_init(&w, &b);
    jw_string(&w, NULL);
    assert_string_equal(b.data, "null");
    buf_reset(&b);
    jw_init(&w, &b);
    jw_bool(&w, false);
    assert_string_equal(b.data, "false");
    buf_free(&b);
}

/* Integers as printf writes them: both ends, around the powers of ten, a walk between. */
static void test_integers(void **state)
{
    (void)state;
    int64_t values[200];
    size_t n = 0;
    values[n++] = INT64_MIN;
    values[n++] = INT64_MAX;
    values[n++] = INT64_MIN + 1;
    for (int64_t p = 1; p <= INT64_MAX / 10; p *= 10) {
        values[n++] = p - 1;
        values[n++] = p;
        values[n++] = -p;
        values[n++] = -(p - 1);
    }
    for (uint64_t x = 1; n < sizeof values / sizeof *values; x = x * 6364136223846793005ULL + 1442695040888963407ULL)
        values[n++] = (int64_t)(x >> (x % 64));
    for (size_t i = 0; i < n; i++) {
        buf b = BUF_INIT;
        struct json_writer w;
        jw_init(&w, &b);
        jw_int(&w, values[i]);
        char expected[32];
        snprintf(expected, sizeof expected, "%" PRId64, values[i]);
        assert_string_equal(b.data, expected);
        buf_free(&b);
    }
}

static void test_empty_containers(void **state)
{
    buf b = BUF_INIT;
    struct json_writer w;
    jw_init(&w, &b);
    jw_array_begin(&w);
    jw_object_begin(&w);
    jw_object_end(&w);
    jw_array_begin(&w);
    jw_array_end(&w);
    jw_object_begin(&w);
    jw_object_end(&w);
    assert_false(jw_done(&w));
    jw_array_end(&w);
    assert_true(jw_done(&w));
    assert_string_equal(b.data, "[{},[],{}]");
    buf_free(&b);
}

/* Commas between elements and members at every level, never after an opening. */
static void test_nesting_and_commas(void **state)
{
    buf b = BUF_INIT;
    struct json_writer w;
    jw_init(&w, &b);
    jw_object_begin(&w);
    jw_member_int(&w, "a", 1);
    jw_key(&w, "b");
    jw_array_begin(&w);
    jw_int(&w, 2);
    jw_object_begin(&w);
    jw_member_bool(&w, "c", true);
    jw_key(&w, "d");
    jw_null(&w);
    jw_member_string(&w, "e", "f");
    jw_object_end(&w);
    jw_array_begin(&w);
    jw_array_begin(&w);
    jw_double(&w, 1.5);
    jw_array_end(&w);
    jw_array_end(&w);
    jw_string(&w, "g");
    jw_array_end(&w);
    jw_member_double(&w, "h", 3);
    jw_key(&w, "i");
    jw_object_begin(&w);
    jw_object_end(&w);
    jw_member_raw(&w, "j", "{\"k\": [1, 2]}");
    jw_object_end(&w);
    assert_true(jw_done(&w));
    assert_string_equal(b.data,
                        "{\"a\":1,\"b\":[2,{\"c\":true,\"d\":null,\"e\":\"f\"},[[1.5]],\"g\"],\"h\":3.0,"
                        "\"i\":{},\"j\":{\"k\": [1, 2]}}");
    buf_free(&b);
}

/* The deepest nesting allowed, opened and closed. */
static void test_max_depth(void **state)
{
    buf b = BUF_INIT;
    struct json_writer w;
    jw_init(&w, &b);
    for (int i = 0; i < JW_MAX_DEPTH; i++) {
        if (i % 2) {
            jw_array_begin(&w);
        } else {
            jw_object_begin(&w);
            jw_key(&w, "k");
        }
    }
    jw_int(&w, 0);
    for (int i = JW_MAX_DEPTH - 1; i >= 0; i--) {
        if (i % 2)
            jw_array_end(&w);
        else
            jw_object_end(&w);
    }
    assert_true(jw_done(&w));
    assert_int_equal(b.len, (size_t)JW_MAX_DEPTH / 2 * (strlen("{\"k\":[") + strlen("]}")) + 1);
    buf_free(&b);
}

/* Keys and strings: buf_json_string's bytes — the two-letter escapes, \u00XX
 * for other control characters, everything else (/, DEL, UTF-8) as it is. */
static void test_escaping(void **state)
{
    buf b = BUF_INIT;
    struct json_writer w;
    jw_init(&w, &b);
    jw_object_begin(&w);
    jw_member_string(&w, "q\"uo\\te", "\"\\/\b\f\n\r\t\x01\x1f\x7f");
    jw_member_string(&w, "é", "Ünïcødé € 😀");
    jw_object_end(&w);
    assert_string_equal(b.data, "{\"q\\\"uo\\\\te\":\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\","
                                "\"é\":\"Ünïcødé € 😀\"}");
    buf_free(&b);
}

/* Keys of every length and content: the same bytes as buf_json_string writes. */
static void test_keys_as_strings(void **state)
{
    static const char *const keys[] = {"", "a", "label1", "Low risks", "tab\there", "\x1f", "q\"", "\\",
                                       "é€😀"};
    char long_key[200];
    for (size_t len = 55; len < sizeof long_key; len++) {
        memset(long_key, 'k', len);
        long_key[len] = '\0';
        long_key[len / 2] = len % 3 ? 'x' : '"';
        for (size_t i = 0; i <= sizeof keys / sizeof *keys; i++) {
            const char *key = i < sizeof keys / sizeof *keys ? keys[i] : long_key;
            buf got = BUF_INIT, want = BUF_INIT;
            struct json_writer w;
            jw_init(&w, &got);
            jw_object_begin(&w);
            jw_member_int(&w, "first", 1);
            jw_member_int(&w, key, 2);
            jw_object_end(&w);
            buf_puts(&want, "{\"first\":1,");
            buf_json_string(&want, key);
            buf_puts(&want, ":2}");
            assert_string_equal(got.data, want.data);
            buf_free(&got);
            buf_free(&want);
        }
    }
}

static void assert_double(double d, const char *want)
{
    buf b = BUF_INIT;
    struct json_writer w;
    jw_init(&w, &b);
    jw_array_begin(&w);
    jw_double(&w, d);
    jw_array_end(&w);
    buf expected = BUF_INIT;
    buf_printf(&expected, "[%s]", want);
    if (strcmp(b.data, expected.data) != 0)
        fail_msg("%.17g written as %s, want %s", d, b.data, expected.data);
    buf_free(&expected);
    buf_free(&b);
}

/* The shortest form that reads back; integral values keep ".0"; no NaN. */
static void test_doubles(void **state)
{
    assert_double(0.1, "0.1");
    assert_double(1.84, "1.84");
    assert_double(3.0900000000000003, "3.0900000000000003");
    assert_double(1e21, "1e+21");
    assert_double(1e17, "1e+17");
    assert_double(99999999999999984.0, "99999999999999984.0");
    assert_double(-0.0, "-0.0");
    assert_double(0, "0.0");
    assert_double(8, "8.0");
    assert_double(-1e-300, "-1e-300");
    assert_double(NAN, "null");
    assert_double(-INFINITY, "null");
}

/* Stored documents are spliced in byte for byte, whatever their spacing. */
static void test_raw_values(void **state)
{
    buf b = BUF_INIT;
    struct json_writer w;
    jw_init(&w, &b);
    jw_array_begin(&w);
    jw_raw(&w, "{\"x\":1.50}");
    jw_raw(&w, "[ 1 ,2 ]");
    jw_raw(&w, "\"s\"");
    jw_array_end(&w);
    assert_string_equal(b.data, "[{\"x\":1.50},[ 1 ,2 ],\"s\"]");
    buf_free(&b);
}

/* An object written elsewhere gets more members (the OpenAPI document's "servers"). */
static void test_object_resume(void **state)
{
    static const char doc[] = "{\"openapi\":\"3.1.0\",\"paths\":{}}";
    buf b = BUF_INIT;
    struct json_writer w;
    jw_init(&w, &b);
    jw_object_resume(&w, doc, strlen(doc) - 1);
    jw_key(&w, "servers");
    jw_array_begin(&w);
    jw_object_begin(&w);
    jw_member_string(&w, "url", "/api/v1");
    jw_object_end(&w);
    jw_array_end(&w);
    jw_object_end(&w);
    assert_true(jw_done(&w));
    assert_string_equal(b.data, "{\"openapi\":\"3.1.0\",\"paths\":{},\"servers\":[{\"url\":\"/api/v1\"}]}");
    buf_free(&b);
}

/* The buf emptied between elements (output flushed page by page): commas continue. */
static void test_stream_in_pages(void **state)
{
    buf b = BUF_INIT;
    struct json_writer w;
    jw_init(&w, &b);
    jw_array_begin(&w);
    jw_int(&w, 1);
    assert_string_equal(b.data, "[1");
    buf_reset(&b);
    jw_int(&w, 2);
    jw_array_end(&w);
    assert_string_equal(b.data, ",2]");
    buf_free(&b);
}

/* A writer on a nested position of another document: the values a caller splices. */
static void test_writer_into_existing_text(void **state)
{
    buf b = BUF_INIT;
    buf_puts(&b, "prefix ");
    struct json_writer w;
    jw_init(&w, &b);
    jw_object_begin(&w);
    jw_member_int(&w, "n", 42);
    jw_object_end(&w);
    assert_string_equal(b.data, "prefix {\"n\":42}");
    buf_free(&b);
}

enum misuse {
    KEY_OUTSIDE_OBJECT,
    KEY_AT_TOP,
    VALUE_WITHOUT_KEY,
    TWO_KEYS,
    KEY_WITHOUT_VALUE,
    END_WITHOUT_BEGIN,
    WRONG_END,
    TWO_VALUES,
    TOO_DEEP,
};

static void misuse(enum misuse m)
{
    buf b = BUF_INIT;
    struct json_writer w;
    jw_init(&w, &b);
    switch (m) {
    case KEY_OUTSIDE_OBJECT:
        jw_array_begin(&w);
        jw_key(&w, "k");
        break;
    case KEY_AT_TOP:
        jw_key(&w, "k");
        break;
    case VALUE_WITHOUT_KEY:
        jw_object_begin(&w);
        jw_int(&w, 1);
        break;
    case TWO_KEYS:
        jw_object_begin(&w);
        jw_key(&w, "a");
        jw_key(&w, "b");
        break;
    case KEY_WITHOUT_VALUE:
        jw_object_begin(&w);
        jw_key(&w, "a");
        jw_object_end(&w);
        break;
    case END_WITHOUT_BEGIN:
        jw_array_end(&w);
        break;
    case WRONG_END:
        jw_array_begin(&w);
        jw_object_end(&w);
        break;
    case TWO_VALUES:
        jw_int(&w, 1);
        jw_int(&w, 2);
        break;
    case TOO_DEEP:
        for (int i = 0; i <= JW_MAX_DEPTH; i++)
            jw_array_begin(&w);
        break;
    }
    buf_free(&b);
}

/* Each misuse stops the process on its assertion (run in a child, its message silenced). */
static void test_misuse_asserts(void **state)
{
#ifdef NDEBUG
    skip();
#else
    for (int m = KEY_OUTSIDE_OBJECT; m <= TOO_DEEP; m++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            if (!freopen("/dev/null", "w", stderr))
                _exit(2);
            misuse((enum misuse)m);
            _exit(0);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
            fail_msg("misuse %d was not asserted (status %d)", m, status);
    }
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars_at_top),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_empty_containers),
        cmocka_unit_test(test_nesting_and_commas),
        cmocka_unit_test(test_max_depth),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_keys_as_strings),
        cmocka_unit_test(test_doubles),
        cmocka_unit_test(test_raw_values),
        cmocka_unit_test(test_object_resume),
        cmocka_unit_test(test_stream_in_pages),
        cmocka_unit_test(test_writer_into_existing_text),
        cmocka_unit_test(test_misuse_asserts),
    };
    return cmocka_run_group_tests_name("json_writer", tests, NULL, NULL);
}
