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
 * kind to kinds.def does.  Its storage (sample_facts.c) is reached the same
 * way, through the store's table of kinds (src/store/facts/table.c, its own
 * copy too): its table is created by the migration, its facts written at
 * ingestion and replaced with the data, its aggregate read back, on SQLite
 * and on PostgreSQL ($STATS_TEST_DATABASE_URI, store_fixture.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "processors/processor.h"
#include "sample_kind.h"
#include "stats/extract.h"
#include "stats/kind.h"
#include "stats/stats.h"
#include "store/facts/facts.h"
#include "store_fixture.h"
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
    assert_int_equal(((const struct sample_fact *)f.own)->n, 3);
    stats_facts_free(&f);
    assert_true(stats_extract_text(STATS_SAMPLE, "{\"n\": 1}", 8, &f));
    stats_facts_free(&f);
    assert_false(stats_extract_text(STATS_SAMPLE, "[]", 2, &f));
    json_object_put(data);
}

/* Each kind with a public JSON has its route's default processor, of its
 * type; the sample kind has no public JSON. */
static void test_public_defaults(void **state)
{
    (void)state;
    size_t n_public = 0;
    for (size_t i = 0; i < stats_kind_count(); i++) {
        const struct stats_kind *k = stats_kind_at(i);
        const struct processor *p = processor_public_default(k->type);
        if (!k->public_name) {
            assert_null(p);
            continue;
        }
        n_public++;
        assert_non_null(p);
        assert_int_equal(p->type, k->type);
    }
    assert_int_equal(n_public, stats_kind_count() - 1);
    assert_null(stats_kind_of(STATS_SAMPLE)->public_name);
    assert_string_equal(processor_public_default(STATS_THREAT)->name, "threat_average_on_date");
}

/* --- its storage --- */

#define ANR_A "6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f"
#define ANR_B "0b8e4a6d-2c1f-4e3b-8a9d-7f6e5d4c3b2a"

/* The schema with the sample kind's table is dropped after each test, so the
 * suites sharing the database (built without that kind) start clean. */
static int drop_and_close(void **state)
{
    struct store *s = *state;
    int rc = store_drop_all(s) == STORE_OK ? 0 : -1;
    store_close(s);
    return rc;
}

static struct stats_item sample_item(const char *anr, const char *date, const char *data)
{
    buf text = BUF_INIT;
    buf_printf(&text, "{\"anr\": \"%s\", \"type\": \"sample\", \"date\": \"%s\", \"data\": %s}", anr,
               date, data);
    struct json_object *j = parse(text.data);
    struct stats_item it;
    struct error_list errs = ERROR_LIST_INIT;
    assert_true(stats_item_from_json(j, 0, &it, &errs));
    json_object_put(j);
    buf_free(&text);
    return it;
}

static void upsert(struct store *s, int64_t client, struct stats_item *items, size_t n)
{
    struct upsert_result r;
    assert_int_equal(store_stats_upsert(s, client, items, n, &r), STORE_OK);
    for (size_t i = 0; i < n; i++)
        stats_item_free(&items[i]);
}

static struct sample_total total(struct store *s, const char *const *anrs, size_t n_anrs)
{
    struct stats_filter f = {.has_type = true, .type = STATS_SAMPLE, .anrs = anrs, .n_anrs = n_anrs};
    struct sample_total t;
    assert_int_equal(store_sample_total(s, &f, &t), STORE_OK);
    return t;
}

static void test_sample_storage(void **state)
{
    struct store *s = *state;
    int64_t version;
    assert_int_equal(sql_int_value(s, "SELECT version FROM stats_versions WHERE type = ?",
                                   &(struct sql_value){.kind = SQL_INT, .i = STATS_SAMPLE}, 1, &version),
                     STORE_OK);
    struct client c = {0};
    c.name = xstrdup("sample owner");
    token_hash("sample owner", c.token_hash);
    c.role = CLIENT_ROLE_USER;
    c.is_sharing_enabled = c.local = true;
    assert_int_equal(store_client_create(s, &c), STORE_OK);
    client_free(&c);

    /* Written at ingestion, in the upload's transaction. */
    struct stats_item batch[] = {sample_item(ANR_A, "2026-05-17", "{\"n\": 3}"),
                                 sample_item(ANR_A, "2026-05-18", "{\"n\": 4}"),
                                 sample_item(ANR_B, "2026-05-18", "{\"n\": 5}")};
    upsert(s, c.id, batch, 3);
    struct sample_total t = total(s, NULL, 0);
    assert_int_equal(t.stats, 3);
    assert_int_equal(t.sum, 12);
    const char *only_a[] = {ANR_A};
    t = total(s, only_a, 1);
    assert_int_equal(t.stats, 2);
    assert_int_equal(t.sum, 7);

    /* New data replaces the facts; the kind's change counter moves. */
    struct stats_item again[] = {sample_item(ANR_B, "2026-05-18", "{\"n\": 40}")};
    upsert(s, c.id, again, 1);
    t = total(s, NULL, 0);
    assert_int_equal(t.stats, 3);
    assert_int_equal(t.sum, 47);
    int64_t moved;
    assert_int_equal(sql_int_value(s, "SELECT version FROM stats_versions WHERE type = ?",
                                   &(struct sql_value){.kind = SQL_INT, .i = STATS_SAMPLE}, 1, &moved),
                     STORE_OK);
    /* Two writing transactions: PostgreSQL bumps once per transaction and
     * type, at commit; SQLite once per stats row written (4). */
    assert_int_equal(moved, version + (s->ops->dialect == SQL_DIALECT_POSTGRES ? 2 : 4));

    /* Deleting the stats deletes their facts (cascade). */
    int64_t deleted;
    assert_int_equal(store_stats_delete_anr(s, c.id, ANR_A, &deleted), STORE_OK);
    assert_int_equal(deleted, 2);
    t = total(s, NULL, 0);
    assert_int_equal(t.stats, 1);
    assert_int_equal(t.sum, 40);
}

/* The table of the store reads the same list: every kind has its storage. */
static void test_store_table(void **state)
{
    (void)state;
    assert_int_equal(store_kind_count(), stats_kind_count());
    for (size_t i = 0; i < store_kind_count(); i++) {
        assert_int_equal(store_kind_at(i)->type, i);
        assert_ptr_equal(store_kind_of(store_kind_at(i)->type), store_kind_at(i));
        assert_non_null(store_kind_at(i)->tables->ddl[SQL_DIALECT_SQLITE]);
        assert_non_null(store_kind_at(i)->tables->ddl[SQL_DIALECT_POSTGRES]);
    }
    /* Threat and vulnerability share their tables: created and dropped once. */
    assert_true(store_kind_owns_tables(STATS_THREAT));
    assert_false(store_kind_owns_tables(STATS_VULNERABILITY));
    assert_true(store_kind_owns_tables(STATS_SAMPLE));
    assert_null(store_kind_at(store_kind_count()));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_complete_and_ordered),
        cmocka_unit_test(test_type_name_lists),
        cmocka_unit_test(test_every_kind_checks),
        cmocka_unit_test(test_sample_item),
        cmocka_unit_test(test_sample_extracts),
        cmocka_unit_test(test_public_defaults),
        cmocka_unit_test(test_store_table),
        cmocka_unit_test_setup_teardown(test_sample_storage, fixture_store_setup, drop_and_close),
    };
    return cmocka_run_group_tests_name("kinds", tests, fixture_group_setup, fixture_group_teardown);
}
