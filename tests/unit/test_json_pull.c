/*
 * test_json_pull.c — unit tests of the ingestion fast path: the pull
 * tokenizer (util/json_pull.c) writes json-c's compact text, refuses what
 * json_parse_strict refuses, says which valid texts it leaves to json-c; and
 * stats_upload_read (stats/upload.c) reads a plain valid upload and leaves
 * the rest.  fuzz/fuzz_pull.c checks the same against json-c on any input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/extract.h"
#include "stats/stats.h"
#include "util/json.h"
#include "util/json_pull.h"
#include "util/strmap.h"

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* Pulls the whole text; true when it is one value and nothing else.  With
 * out, its compact form goes there, and *in_text says whether the capture
 * left it in the text. */
static bool pull_all(const char *text, buf *out, bool *in_text, bool *unsupported)
{
    struct json_pull p;
    jp_init(&p, text, strlen(text));
    if (out)
        jp_capture_begin(&p, out);
    bool ok = jp_skip(&p, jp_next(&p)) && jp_finish(&p);
    size_t offset, len;
    if (out && (*in_text = jp_capture_end(&p, &offset, &len)))
        buf_append(out, text + offset, len);
    if (unsupported)
        *unsupported = p.unsupported;
    jp_free(&p);
    return ok;
}

/* What the pull writes is what json-c writes (json_text), case by case. */
static void test_compact_text_is_json_c_s(void **state)
{
    static const struct { const char *in, *out; } cases[] = {
        {"[1.50,1e5,1E+05,-0.0,2.820,0.5e-3]", "[1.50,1e5,1E+05,-0.0,2.820,0.5e-3]"},
        {"{ \"a\" : [ 1 , 2 ] ,\n \"b\" : { } }", "{\"a\":[1,2],\"b\":{}}"},
        {"\"\\u00e9t\\u00E9\"", "\"\xc3\xa9t\xc3\xa9\""},
        {"\"Erreur d'utilisation \\/ saisie\"", "\"Erreur d'utilisation / saisie\""},
        {"\"\\ud835\\udd38\"", "\"\xf0\x9d\x94\xb8\""},
        /* json-c 0.16 stores U+FFFD for a pair whose code point ends in D800–DFFF. */
        {"\"\\ud836\\udd38\\ud800\\udc00\"", "\"\xef\xbf\xbd\xf0\x90\x80\x80\""},
        {"\"q\\\"b\\\\\\n\\t\\u0001\\u0008\\u000A\\u001F\\u0022\\u005c\\u002F\\u007f\"",
         "\"q\\\"b\\\\\\n\\t\\u0001\\b\\n\\u001f\\\"\\\\/\x7f\""},
        {"[9223372036854775807,-9223372036854775808,0,-0]", "[9223372036854775807,-9223372036854775808,0,0]"},
        {"[true,false,null,\"\",[],{}]", "[true,false,null,\"\",[],{}]"},
        {"{\"a\":\"q\\\"b\\\\\\n\\t\"}", "{\"a\":\"q\\\"b\\\\\\n\\t\"}"}, /* escapes json-c keeps */
        {" \t\r\n[ ] \n", "[]"},
    };
    char err[200];
    for (size_t i = 0; i < COUNT(cases); i++) {
        buf out = BUF_INIT;
        bool in_text;
        if (!pull_all(cases[i].in, &out, &in_text, NULL))
            fail_msg("case %zu refused: %s", i, cases[i].in);
        assert_string_equal(out.data, cases[i].out);
        /* Left in the text exactly when the text is compact already. */
        assert_int_equal(in_text, strcmp(cases[i].in, cases[i].out) == 0);
        struct json_object *obj = json_parse_strict(cases[i].in, strlen(cases[i].in), err, sizeof err);
        assert_non_null(obj);
        assert_string_equal(json_text(obj), out.data);
        json_object_put(obj);
        buf_free(&out);
    }
}

/* Every text json_parse_strict refuses, the pull refuses, as an error of the text. */
static void test_refuses_what_strict_parsing_refuses(void **state)
{
    static const char *const cases[] = {
        "NaN", "[Infinity]", "[-Infinity]", "1e400", "[99999999999999999999]",
        "[9223372036854775808]", "[-9223372036854775809]", "[1.]", "[01]", "[.5]", "[+1]",
        "[1] x", "1 2", "[1,]", "{\"a\":1,}", "['a']", "{'a':1}", "[\"\\u0000\"]",
        "[\"\\ud800\"]", "[\"\\udc00\"]", "[\"\\ud800\\u0041\"]", "[\"a\x01\"]", "[\"\\x\"]",
        "[\"\xc0\xaf\"]", "[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]", "[\"\xe9\"]",
        "[tru]", "[nul]", "[1 2]", "{\"a\" 1}", "{1:2}", "[", "{", "\"abc", "", " ",
        "[1]\f", "/* c */ 1", "[1,//\n2]",
    };
    char err[200];
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct json_object *obj = json_parse_strict(cases[i], strlen(cases[i]), err, sizeof err);
        if (obj)
            fail_msg("case %zu: json_parse_strict accepts %s", i, cases[i]);
        bool unsupported = true;
        if (pull_all(cases[i], NULL, NULL, &unsupported) || unsupported)
            fail_msg("case %zu: the pull does not refuse %s", i, cases[i]);
    }
}

/* Valid texts the pull leaves to json-c, saying so. */
static void test_leaves_to_json_c(void **state)
{
    buf many = BUF_INIT;
    buf_putc(&many, '{');
    for (int i = 0; i <= JP_MAX_MEMBERS; i++)
        buf_printf(&many, "%s\"m%d\":%d", i ? "," : "", i, i);
    buf_putc(&many, '}');
    const char *cases[] = {
        "{\"a\":1,\"b\":2,\"a\":3}",    /* json-c: first place, last value */
        "[{\"x\":{\"a\":1,\"a\":1}}]",
        "{\"\\u0061\":1}",              /* a name with an escape */
        many.data,                      /* JP_MAX_MEMBERS + 1 members */
    };
    char err[200];
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct json_object *obj = json_parse_strict(cases[i], strlen(cases[i]), err, sizeof err);
        assert_non_null(obj);
        json_object_put(obj);
        bool unsupported = false;
        if (pull_all(cases[i], NULL, NULL, &unsupported) || !unsupported)
            fail_msg("case %zu: not left to json-c: %s", i, cases[i]);
    }
    /* One member fewer is the pull's. */
    buf_reset(&many);
    buf_putc(&many, '{');
    for (int i = 0; i < JP_MAX_MEMBERS; i++)
        buf_printf(&many, "%s\"m%d\":%d", i ? "," : "", i, i);
    buf_putc(&many, '}');
    assert_true(pull_all(many.data, NULL, NULL, NULL));
    buf_free(&many);
}

/* JSON_MAX_DEPTH nested containers are read, one more is refused (as json-c does). */
/* A string's escapes decoded as json-c decodes them: the same bytes as its tree holds. */
static void test_string_decode(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "\"plain\"", "\"Vol \\u00e9 \\u00C9t\\u00e9\"", "\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\"",
        "\"\\ud83d\\ude00 pair\"", "\"\\ud834\\udc00 ends in D800\"", "\"raw \xc3\xa9 \xe2\x82\xac\"", "\"\"",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct json_pull p;
        jp_init(&p, cases[i], strlen(cases[i]));
        enum jp_token t = jp_next(&p);
        char out[64];
        assert_true(jp_string_decode(&p, t, out, sizeof out));
        char err[128];
        struct json_object *doc = json_parse_strict(cases[i], strlen(cases[i]), err, sizeof err);
        assert_non_null(doc);
        assert_string_equal(out, json_object_get_string(doc));
        assert_false(jp_string_decode(&p, t, out, p.str_len)); /* the raw text must fit */
        json_object_put(doc);
        jp_free(&p);
    }
}

static void test_depth(void **state)
{
    buf text = BUF_INIT;
    for (int i = 0; i < JSON_MAX_DEPTH; i++)
        buf_putc(&text, '[');
    for (int i = 0; i < JSON_MAX_DEPTH; i++)
        buf_putc(&text, ']');
    assert_true(pull_all(text.data, NULL, NULL, NULL));
    buf_reset(&text);
    for (int i = 0; i <= JSON_MAX_DEPTH; i++)
        buf_putc(&text, '[');
    for (int i = 0; i <= JSON_MAX_DEPTH; i++)
        buf_putc(&text, ']');
    bool unsupported = true;
    assert_false(pull_all(text.data, NULL, NULL, &unsupported));
    assert_false(unsupported);
    buf_free(&text);
}

#define ANR "\"anr\":\"6F1C2B4E-8D3A-4F5B-9E7C-1A2B3C4D5E6F\""
#define THREAT "[{\"uuid\":\"b402d4b8-4576-11e9-9173-0800277f0571\",\"label1\":\"Vol \\u00e9\",\"label2\":null," \
               "\"maxRisk\":53,\"count\":\"13\",\"averageRate\":\"2.84\",\"extra\":[1, {}]}]"

/* Whether json_parse_strict reads a and b alike: both refused, or the same value. */
static bool same_json(const char *a, const char *b)
{
    char err[200];
    struct json_object *x = json_parse_strict(a, strlen(a), err, sizeof err);
    struct json_object *y = json_parse_strict(b, strlen(b), err, sizeof err);
    bool same = x && y ? strcmp(json_text(x), json_text(y)) == 0 : !x && !y;
    json_object_put(x);
    json_object_put(y);
    return same;
}

/* Reads a copy of text (the read writes into it), kept in *copy for the items
 * that point into it; on failure, checks the copy is the same JSON, of the
 * same length, for the json-c path. */
static struct strmap labels; /* the uploads' label pool */

static int labels_init(void **state)
{
    strmap_init(&labels);
    return 0;
}

static int labels_free(void **state)
{
    strmap_free(&labels);
    return 0;
}

static bool read_upload(const char *text, struct stats_item **items, size_t *n, char **copy)
{
    *copy = strdup(text);
    bool ok = stats_upload_read(*copy, strlen(text), &labels, items, n);
    if (!ok) {
        assert_int_equal(strlen(*copy), strlen(text));
        assert_true(same_json(*copy, text));
    }
    return ok;
}

/* A plain valid upload: every item, its fields as stats_item_from_json gives them. */
static void test_upload_read(void **state)
{
    const char *upload =
        "[{" ANR ",\"type\":\"threat\",\"date\":\"2026-05-18T10:00:00Z\",\"data\": " THREAT "},\n"
        " {\"uuid\":null," ANR ",\"type\":\"risk\",\"date\":\"2026-05-18\",\"data\":{\"risks\":{"
        "\"current\":{\"informational\":[{\"level\":\"Low risks\",\"value\":1},{\"level\":\"Medium risks\","
        "\"value\":2},{\"level\":\"High risks\",\"value\":\"3\"}],\"operational\":[{\"level\":\"Low risks\","
        "\"value\":0},{\"level\":\"Medium risks\",\"value\":0},{\"level\":\"High risks\",\"value\":0}]},"
        "\"residual\":{\"informational\":[{\"level\":\"Low risks\",\"value\":1},{\"level\":\"Medium risks\","
        "\"value\":2},{\"level\":\"High risks\",\"value\":3}],\"operational\":[{\"level\":\"Low risks\","
        "\"value\":0},{\"level\":\"Medium risks\",\"value\":0},{\"level\":\"High risks\",\"value\":0}]}}}}]";
    struct stats_item *items;
    size_t n;
    char *text;
    assert_true(read_upload(upload, &items, &n, &text));
    assert_int_equal(n, 2);
    assert_string_equal(items[0].anr, "6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f");
    assert_int_equal(items[0].type, STATS_THREAT);
    assert_string_equal(items[0].date, "2026-05-18");
    assert_string_equal(items[0].uuid, "");
    /* Its facts, taken out by the scan: labels decoded, absent or null ones "". */
    assert_non_null(items[0].facts);
    assert_int_equal(items[0].facts->n_objects, 1);
    const struct object_fact *o = &items[0].facts->objects[0];
    assert_string_equal(o->uuid, "b402d4b8-4576-11e9-9173-0800277f0571");
    assert_string_equal(o->labels.label[0], "Vol \xc3\xa9");
    assert_ptr_equal(o->labels.label[0], strmap_intern(&labels, "Vol \xc3\xa9")); /* the pool's */
    assert_string_equal(o->labels.label[1], "");
    assert_string_equal(o->labels.label[3], "");
    assert_true(o->max_risk.units == 53 && o->max_risk.nanos == 0);
    assert_true(o->count.units == 13 && o->count.nanos == 0); /* a numeric string */
    assert_true(o->rate.units == 2 && o->rate.nanos == 840000000);
    assert_null(items[1].facts); /* risk documents are small: the store extracts them */
    assert_string_equal(items[0].data,
                        "[{\"uuid\":\"b402d4b8-4576-11e9-9173-0800277f0571\",\"label1\":\"Vol \xc3\xa9\","
                        "\"label2\":null,\"maxRisk\":53,\"count\":\"13\",\"averageRate\":\"2.84\","
                        "\"extra\":[1,{}]}]");
    /* Spaces and an escape: its compact form written over it in the upload. */
    assert_true(items[0].data_in_upload);
    assert_true(items[0].data > text && items[0].data < text + strlen(upload));
    assert_int_equal(items[1].type, STATS_RISK);
    /* Compact in the upload already: left there as it is, NUL-terminated. */
    assert_true(items[1].data_in_upload);
    assert_true(items[1].data > text && items[1].data < text + strlen(upload));
    const char *risk_data = strstr(upload, "{\"risks\""); /* to the item's "}]" */
    assert_int_equal(strlen(items[1].data), strlen(risk_data) - 2);
    assert_memory_equal(items[1].data, risk_data, strlen(risk_data) - 2);
    for (size_t i = 0; i < n; i++)
        stats_item_free(&items[i]);
    free(items);
    free(text);

    assert_true(read_upload("[]", &items, &n, &text));
    assert_int_equal(n, 0);
    free(items);
    free(text);
}

#define COMPACTED_THEN_LEFT                                                                     \
    "[{" ANR ",\"type\":\"threat\",\"date\":\"2026-05-18\",\"data\":  " THREAT " },"              \
    " {" ANR ",\"type\":\"threat\",\"date\":\"2026-05-19\",\"data\":[{\"uuid\":\"x\"}]}]"

/* What the fast path leaves to the json-c path, which answers for it (and
 * read_upload checks it is the same JSON). */
static void test_upload_left_to_json_c(void **state)
{
    static const char *const cases[] = {
        "{}",                                                             /* not a list */
        "[{" ANR ",\"type\":\"threat\",\"date\":\"2026-05-18\"}]",        /* no data */
        "[{" ANR ",\"data\":" THREAT ",\"type\":\"threat\",\"date\":\"2026-05-18\"}]", /* data first */
        "[{" ANR ",\"type\":\"threat\",\"date\":\"2026-05-18\",\"data\":" THREAT ",\"x\":1}]",
        "[{" ANR ",\"type\":\"vulnerability\",\"date\":\"2026-02-30\",\"data\":[]}]",
        "[{" ANR ",\"type\":\"threat\",\"date\":\"2026-05-18\",\"data\":[{\"uuid\":\"x\"}]}]",
        "[{" ANR ",\"type\":\"thr\\u0065at\",\"date\":\"2026-05-18\",\"data\":[]}]",
        "[{" ANR ",\"type\":\"threat\",\"date\":\"2026-05-18\",\"data\":[]},1]",
        "[{" ANR ",\"type\":\"risk\",\"date\":\"2026-05-18\",\"data\":{\"risks\":{}}}]",
        "[{" ANR ",\"type\":\"threat\",\"date\":\"2026-05-18\",\"data\":[]}] x",
        /* The first item's data compacted in place, then one the fast path leaves. */
        COMPACTED_THEN_LEFT,
        "[{" ANR ",\"type\":\"threat\",\"date\":\"2026-05-18\",\"data\":" THREAT "},{]",
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct stats_item *items = NULL;
        size_t n = 0;
        char *text;
        if (read_upload(cases[i], &items, &n, &text))
            fail_msg("case %zu read by the fast path: %s", i, cases[i]);
        if (strcmp(cases[i], COMPACTED_THEN_LEFT) == 0) /* the same JSON, yet written over */
            assert_string_not_equal(text, cases[i]);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compact_text_is_json_c_s),
        cmocka_unit_test(test_refuses_what_strict_parsing_refuses),
        cmocka_unit_test(test_leaves_to_json_c),
        cmocka_unit_test(test_string_decode),
        cmocka_unit_test(test_depth),
        cmocka_unit_test_setup_teardown(test_upload_read, labels_init, labels_free),
        cmocka_unit_test_setup_teardown(test_upload_left_to_json_c, labels_init, labels_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
