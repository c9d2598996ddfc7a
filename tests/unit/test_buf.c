/*
 * test_buf.c — unit tests of util/buf.c (appending, bounds), util/strmap.c and
 * util/shared_bytes.c (taken without a copy, freed by the last of its holders).
 *
 * The invariants both keep are asserted inside them in debug builds, which
 * this test runs as; here, what callers see: bounded buffers refuse what
 * would pass their bound and keep what they held, maps find every key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/shared_bytes.h"
#include "util/strmap.h"

static void test_unbounded_appends(void **state)
{
    buf b = BUF_INIT;
    assert_null(b.data);
    assert_true(buf_puts(&b, "abc"));
    assert_true(buf_putc(&b, '-'));
    assert_true(buf_printf(&b, "%d", 42));
    assert_true(buf_append(&b, "xyz", 2));
    assert_string_equal(b.data, "abc-42xy");
    assert_int_equal(b.len, 8);
    for (int i = 0; i < 10000; i++)
        assert_true(buf_puts(&b, "0123456789"));
    assert_int_equal(b.len, 100008);
    assert_int_equal(b.data[b.len], '\0');
    assert_false(b.overflow);
    buf_truncate(&b, 3);
    assert_string_equal(b.data, "abc");
    buf_reset(&b);
    assert_string_equal(b.data, "");
    size_t len = 99;
    char *s = buf_detach(&b, &len);
    assert_string_equal(s, "");
    assert_int_equal(len, 0);
    free(s);
    assert_null(b.data);
    s = buf_detach(&b, NULL); /* never NULL, even with nothing appended */
    assert_string_equal(s, "");
    free(s);
    buf_truncate(&b, 0);
    buf_free(&b);
    buf_free(&b);
}

static void test_grow_leaves_a_string(void **state)
{
    buf b = BUF_INIT;
    assert_true(buf_grow(&b, 100));
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    assert_true(b.cap > 100);
    buf_free(&b);
}

static void test_json_string(void **state)
{
    buf b = BUF_INIT;
    assert_true(buf_json_string(&b, "a\"b\\c\n\x01"));
    assert_true(buf_putc(&b, ' '));
    assert_true(buf_json_string(&b, NULL));
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001\" null");
    buf_free(&b);
}

static void test_bound_refuses_and_keeps(void **state)
{
    buf b;
    buf_init_bounded(&b, 10);
    assert_true(buf_puts(&b, "12345"));
    assert_true(buf_puts(&b, "67890")); /* exactly the bound */
    assert_false(b.overflow);
    assert_false(buf_putc(&b, 'x'));
    assert_true(b.overflow);
    assert_string_equal(b.data, "1234567890");
    assert_true(b.cap <= 11); /* never more memory than the bound and its NUL */
    buf_free(&b);

    /* A refused append leaves the content as it was, and later ones are refused too. */
    buf_init_bounded(&b, 10);
    assert_true(buf_puts(&b, "1234"));
    assert_false(buf_puts(&b, "5678901"));
    assert_string_equal(b.data, "1234");
    assert_int_equal(b.len, 4);
    assert_false(buf_putc(&b, '5'));
    assert_false(buf_printf(&b, "%s", ""));
    assert_false(buf_grow(&b, 0));
    assert_string_equal(b.data, "1234");

    /* Reset starts over, with the same bound. */
    buf_reset(&b);
    assert_false(b.overflow);
    assert_true(buf_puts(&b, "abcdefghij"));
    assert_false(buf_putc(&b, 'k'));
    buf_free(&b);
    assert_false(b.overflow);
    assert_int_equal(b.max, 10); /* the bound outlives the memory */
    assert_false(buf_puts(&b, "abcdefghijk"));
    assert_null(b.data);
    buf_reset(&b);
    assert_true(buf_puts(&b, "abcdefghij"));
    size_t len;
    char *s = buf_detach(&b, &len);
    assert_string_equal(s, "abcdefghij");
    assert_int_equal(len, 10);
    free(s);
    assert_int_equal(b.max, 10);
    assert_false(buf_puts(&b, "abcdefghijk"));
    buf_free(&b);
}

static void test_bound_on_printf_and_json(void **state)
{
    buf b;
    buf_init_bounded(&b, 8);
    assert_true(buf_printf(&b, "%d", 1234));
    assert_false(buf_printf(&b, "%d", 12345));
    assert_string_equal(b.data, "1234");
    buf_reset(&b);
    assert_true(buf_putc(&b, '['));
    assert_false(buf_json_string(&b, "a\nb\nc")); /* "a\nb\nc" is 11 bytes */
    assert_string_equal(b.data, "["); /* all or nothing */
    buf_reset(&b);
    assert_true(buf_json_string(&b, "a\nb"));
    assert_string_equal(b.data, "\"a\\nb\"");
    buf_free(&b);
}

/* A bound as large as MAX_BODY_SIZE allows: appending up to it works in steps. */
static void test_large_bound(void **state)
{
    buf b;
    buf_init_bounded(&b, 100000);
    char chunk[1000];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 100; i++)
        assert_true(buf_append(&b, chunk, sizeof chunk));
    assert_int_equal(b.len, 100000);
    assert_int_equal(b.cap, 100001);
    assert_false(buf_append(&b, chunk, 1));
    assert_int_equal(b.len, 100000);
    buf_free(&b);
}

static void test_strmap(void **state)
{
    struct strmap m;
    strmap_init(&m);
    char key[32];
    for (size_t i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "key-%zu", i);
        assert_null(strmap_find(&m, key));
        strmap_add(&m, key, i * 3);
        assert_true(m.cap >= 2 * m.used && (m.cap & (m.cap - 1)) == 0);
    }
    assert_int_equal(m.used, 5000);
    for (size_t i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "key-%zu", i);
        const size_t *v = strmap_find(&m, key);
        assert_non_null(v);
        assert_int_equal(*v, i * 3);
    }
    assert_null(strmap_find(&m, "key-5000"));
    assert_null(strmap_find(&m, ""));
    strmap_add(&m, "", 7);
    assert_int_equal(*strmap_find(&m, ""), 7);
    strmap_free(&m);
    assert_null(m.slots);
}

/* One copy per text, which stays where it is while the map grows. */
static void test_strmap_intern(void **state)
{
    struct strmap m;
    strmap_init(&m);
    const char *first = strmap_intern(&m, "Vol de supports");
    assert_string_equal(first, "Vol de supports");
    const char *kept[300];
    char key[32];
    for (size_t i = 0; i < 1200; i++) { /* the map grows from 64 slots meanwhile */
        snprintf(key, sizeof key, "label-%zu", i % 300);
        const char *k = strmap_intern(&m, key);
        assert_string_equal(k, key);
        if (i < 300)
            kept[i] = k;
        else
            assert_ptr_equal(k, kept[i % 300]);
    }
    assert_int_equal(m.used, 301);
    assert_ptr_equal(strmap_intern(&m, "Vol de supports"), first);
    strmap_free(&m);
}

/* Holders on other threads take and let go of references all at once. */
static void *hold_and_release(void *arg)
{
    struct shared_bytes *s = arg;
    for (int i = 0; i < 10000; i++) {
        struct shared_bytes *mine = shared_bytes_ref(s);
        assert_int_equal(shared_bytes_data(mine)[0], 'a');
        shared_bytes_unref(mine);
    }
    shared_bytes_unref(s); /* the reference main gave this thread */
    return NULL;
}

static void test_shared_bytes(void **state)
{
    buf b = BUF_INIT;
    buf_puts(&b, "an answer");
    const char *bytes = b.data;
    struct shared_bytes *s = shared_bytes_take(&b);
    assert_ptr_equal(shared_bytes_data(s), bytes); /* taken, not copied */
    assert_int_equal(shared_bytes_len(s), 9);
    assert_null(b.data);
    assert_int_equal(b.len, 0);

    pthread_t threads[4];
    for (int t = 0; t < 4; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, hold_and_release, shared_bytes_ref(s)), 0);
    shared_bytes_unref(s); /* the threads' references keep the bytes (ASan: no use after free) */
    for (int t = 0; t < 4; t++)
        pthread_join(threads[t], NULL);
    /* The last unref freed them: ASan's leak check sees no leak. */

    struct shared_bytes *empty = shared_bytes_take(&b);
    assert_string_equal(shared_bytes_data(empty), "");
    assert_int_equal(shared_bytes_len(empty), 0);
    shared_bytes_unref(empty);
    shared_bytes_unref(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unbounded_appends),
        cmocka_unit_test(test_grow_leaves_a_string),
        cmocka_unit_test(test_json_string),
        cmocka_unit_test(test_bound_refuses_and_keeps),
        cmocka_unit_test(test_bound_on_printf_and_json),
        cmocka_unit_test(test_large_bound),
        cmocka_unit_test(test_strmap),
        cmocka_unit_test(test_strmap_intern),
        cmocka_unit_test(test_shared_bytes),
    };
    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
