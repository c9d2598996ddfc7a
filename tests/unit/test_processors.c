/*
 * test_processors.c — every processor against a real store, with expected
 * outputs computed by hand (processors.md's worked examples included).
 *
 * Runs on the database of store_fixture.h: PostgreSQL when
 * $STATS_TEST_DATABASE_URI is set, else a fresh SQLite file; every test starts
 * from an empty, freshly migrated schema.  Outputs are compared byte for byte:
 * sums are exact, so both backends and both query paths (daily totals, fact
 * rows) must give the same text.
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
#include <unistd.h>

#include "processors/processor.h"
#include "store/backend.h"
#include "store/store.h"
#include "store_fixture.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/ids.h"
#include "util/json.h"

#define ANR_A "aaaaaaaa-0000-4000-8000-000000000001"
#define ANR_B "aaaaaaaa-0000-4000-8000-000000000002"
#define ANR_C "aaaaaaaa-0000-4000-8000-000000000003"
#define T1 "b402d4e0-4576-11e9-9173-0800277f0571"
#define T2 "b402d523-4576-11e9-9173-0800277f0571"
#define REF "98ca84fb-db87-11e8-ac77-0800279aaa2b"

/* --- helpers --- */

static int64_t add_client(struct store *s, const char *name, bool sharing, bool local)
{
    struct client c = {0};
    c.name = xstrdup(name);
    token_hash(name, c.token_hash);
    c.role = CLIENT_ROLE_USER;
    c.is_sharing_enabled = sharing;
    c.local = local;
    assert_int_equal(store_client_create(s, &c), STORE_OK);
    client_free(&c);
    return c.id;
}

static void put(struct store *s, int64_t client, const char *anr, enum stats_type type, const char *date,
                const char *data)
{
    struct stats_item it = {0};
    snprintf(it.anr, sizeof it.anr, "%s", anr);
    it.type = type;
    snprintf(it.date, sizeof it.date, "%s", date);
    it.data = xstrdup(data);
    struct upsert_result r;
    assert_int_equal(store_stats_upsert(s, client, &it, 1, &r), STORE_OK);
    free(it.data);
}

/* {"uuid", labels…, "maxRisk", "count", "averageRate"} with numbers as given (JSON text). */
static void object_json(buf *b, const char *uuid, const char *label1, const char *count,
                        const char *max_risk, const char *rate)
{
    buf_printf(b, "{\"uuid\":\"%s\",\"label1\":%s,\"label2\":\"en %s\",\"label3\":null,"
                  "\"maxRisk\":%s,\"count\":%s,\"averageRate\":%s}",
               uuid, label1, uuid, max_risk, count, rate);
}

/* A threat stats holding one object. */
static char *one_object(const char *uuid, const char *label1, const char *count, const char *max_risk,
                        const char *rate)
{
    buf b = BUF_INIT;
    buf_putc(&b, '[');
    object_json(&b, uuid, label1, count, max_risk, rate);
    buf_putc(&b, ']');
    return buf_detach(&b, NULL);
}

/* A risk stats whose 12 cells (extract.h numbering) are v[0..11]. */
static char *risk_json(const int v[RISK_CELLS])
{
    static const char *const states[] = {"current", "residual"};
    static const char *const kinds[] = {"informational", "operational"};
    static const char *const levels[] = {"Low risks", "Medium risks", "High risks"};
    buf b = BUF_INIT;
    buf_puts(&b, "{\"risks\":{");
    for (int s = 0; s < 2; s++) {
        buf_printf(&b, "%s\"%s\":{", s ? "," : "", states[s]);
        for (int k = 0; k < 2; k++) {
            buf_printf(&b, "%s\"%s\":[", k ? "," : "", kinds[k]);
            for (int l = 0; l < 3; l++)
                buf_printf(&b, "%s{\"level\":\"%s\",\"value\":%d}", l ? "," : "", levels[l],
                           v[s * 6 + k * 3 + l]);
            buf_putc(&b, ']');
        }
        buf_putc(&b, '}');
    }
    buf_puts(&b, "}}");
    return buf_detach(&b, NULL);
}

/* Runs a processor over f (its type set here) with params given as JSON text (or NULL). */
static char *run_with(struct store *s, const char *name, struct stats_filter f, const char *params)
{
    const struct processor *p = processor_find(name);
    assert_non_null(p);
    struct json_object *jp = NULL;
    if (params) {
        char err[128];
        jp = json_parse_strict(params, strlen(params), err, sizeof err);
        assert_non_null(jp);
    }
    struct processor_args args;
    struct error_list errs = ERROR_LIST_INIT;
    assert_true(processor_parse_args(p, jp, &args, &errs));
    json_object_put(jp);
    f.has_type = true;
    f.type = p->type;
    buf out = BUF_INIT;
    struct json_writer w;
    jw_init(&w, &out);
    assert_int_equal(p->run(s, &f, &args, &w), STORE_OK);
    assert_true(jw_done(&w));
    return buf_detach(&out, NULL);
}

static char *run(struct store *s, const char *name)
{
    return run_with(s, name, (struct stats_filter){0}, NULL);
}

static void expect_output(struct store *s, const char *name, struct stats_filter f, const char *params,
                          const char *expected)
{
    char *got = run_with(s, name, f, params);
    assert_string_equal(got, expected);
    free(got);
}

/* The same processor through the fact rows (an explicit list of every ANR) and
 * through the daily totals gives the same text. */
static void expect_same_on_both_paths(struct store *s, const char *name)
{
    const char *all[] = {ANR_A, ANR_B, ANR_C};
    struct stats_filter by_anrs = {.anrs = all, .n_anrs = 3};
    char *rollup = run(s, name);
    char *facts = run_with(s, name, by_anrs, NULL);
    assert_string_equal(rollup, facts);
    free(rollup);
    free(facts);
}

/* --- threat_average_on_date, vulnerability_average_on_date --- */

/* processors.md: A and B on 2026-05-18 with (6, 30, "2.5") and (10, 40, "3.5"); A on
 * 2026-05-19 with (4, 30, "2.4"). */
static void put_worked_example(struct store *s, int64_t c)
{
    char *a18 = one_object(T1, "\"old\"", "6", "30", "\"2.5\"");
    char *b18 = one_object(T1, "\"older\"", "10", "40", "\"3.5\"");
    char *a19 = one_object(T1, "\"Erreur\"", "4", "30", "\"2.4\"");
    put(s, c, ANR_A, STATS_THREAT, "2026-05-18", a18);
    put(s, c, ANR_B, STATS_THREAT, "2026-05-18", b18);
    put(s, c, ANR_A, STATS_THREAT, "2026-05-19", a19);
    free(a18);
    free(b18);
    free(a19);
}

#define WORKED_EXAMPLE                                                                                \
    "[{\"object\":\"" T1 "\",\"labels\":{\"label1\":\"Erreur\",\"label2\":\"en " T1 "\","           \
    "\"label3\":\"\",\"label4\":\"\"},\"values\":[{\"count\":8.0,\"maxRisk\":35.0,\"averageRate\":3.0," \
    "\"date\":\"2026-05-18\"},{\"count\":4.0,\"maxRisk\":30.0,\"averageRate\":2.4,\"date\":"          \
    "\"2026-05-19\"}],\"averages\":{\"count\":6.666666666666667,\"maxRisk\":33.333333333333336,"       \
    "\"averageRate\":2.8000000000000003}}]"

static void test_threat_worked_example(void **state)
{
    struct store *s = *state;
    put_worked_example(s, add_client(s, "c", true, true));
    expect_output(s, "threat_average_on_date", (struct stats_filter){0}, NULL, WORKED_EXAMPLE);
    expect_same_on_both_paths(s, "threat_average_on_date");
}

static void test_threat_empty_and_wrong_type(void **state)
{
    struct store *s = *state;
    int64_t c = add_client(s, "c", true, true);
    expect_output(s, "threat_average_on_date", (struct stats_filter){0}, NULL, "[]");
    put(s, c, ANR_A, STATS_VULNERABILITY, "2026-05-18", "[{\"uuid\":\"" T1 "\",\"count\":1,"
        "\"maxRisk\":1,\"averageRate\":1}]");
    put(s, c, ANR_B, STATS_THREAT, "2026-05-18", "[]");
    expect_output(s, "threat_average_on_date", (struct stats_filter){0}, NULL, "[]");
    expect_output(s, "vulnerability_average_on_date", (struct stats_filter){0}, NULL,
                  "[{\"object\":\"" T1 "\",\"labels\":{\"label1\":\"\",\"label2\":\"\",\"label3\":\"\","
                  "\"label4\":\"\"},\"values\":[{\"count\":1.0,\"maxRisk\":1.0,\"averageRate\":1.0,"
                  "\"date\":\"2026-05-18\"}],\"averages\":{\"count\":1.0,\"maxRisk\":1.0,"
                  "\"averageRate\":1.0}}]");
}

/* Numbers as strings or JSON numbers, null labels, objects ordered by uuid,
 * an upper-case uuid folded, a uuid listed twice (the last one counts). */
static void test_threat_encodings(void **state)
{
    struct store *s = *state;
    int64_t c = add_client(s, "c", true, true);
    buf b = BUF_INIT;
    buf_putc(&b, '[');
    object_json(&b, T2, "null", "\"3\"", "\"12.5\"", "1.25");
    buf_putc(&b, ',');
    object_json(&b, "B402D4E0-4576-11E9-9173-0800277F0571", "\"first\"", "100", "100", "100");
    buf_putc(&b, ',');
    object_json(&b, T1, "\"x\"", "2", "1e1", "\"0.10\"");
    buf_putc(&b, ']');
    put(s, c, ANR_A, STATS_THREAT, "2026-05-18", b.data);
    buf_free(&b);
    expect_output(s, "threat_average_on_date", (struct stats_filter){0}, NULL,
                  "[{\"object\":\"" T1 "\",\"labels\":{\"label1\":\"x\",\"label2\":\"en " T1 "\","
                  "\"label3\":\"\",\"label4\":\"\"},\"values\":[{\"count\":2.0,\"maxRisk\":10.0,"
                  "\"averageRate\":0.1,\"date\":\"2026-05-18\"}],\"averages\":{\"count\":2.0,"
                  "\"maxRisk\":10.0,\"averageRate\":0.1}},"
                  "{\"object\":\"" T2 "\",\"labels\":{\"label1\":\"\",\"label2\":\"en " T2 "\","
                  "\"label3\":\"\",\"label4\":\"\"},\"values\":[{\"count\":3.0,\"maxRisk\":12.5,"
                  "\"averageRate\":1.25,\"date\":\"2026-05-18\"}],\"averages\":{\"count\":3.0,"
                  "\"maxRisk\":12.5,\"averageRate\":1.25}}]");
}

/* Labels come from the latest date; on one date, from the last stored. */
static void test_threat_labels_latest(void **state)
{
    struct store *s = *state;
    int64_t c = add_client(s, "c", true, true);
    char *newest = one_object(T1, "\"newest\"", "1", "1", "1");
    char *same_day_first = one_object(T1, "\"same day, first\"", "1", "1", "1");
    char *same_day_last = one_object(T1, "\"same day, last\"", "1", "1", "1");
    put(s, c, ANR_A, STATS_THREAT, "2026-05-20", newest);
    put(s, c, ANR_B, STATS_THREAT, "2026-05-10", same_day_first);
    put(s, c, ANR_C, STATS_THREAT, "2026-05-10", same_day_last);
    char *out = run(s, "threat_average_on_date");
    assert_non_null(strstr(out, "\"label1\":\"newest\""));
    free(out);
    struct stats_filter until = {.date_to = "2026-05-15"};
    out = run_with(s, "threat_average_on_date", until, NULL);
    assert_non_null(strstr(out, "\"label1\":\"same day, last\""));
    free(out);
    const char *two[] = {ANR_B, ANR_C};
    struct stats_filter anrs = {.anrs = two, .n_anrs = 2};
    out = run_with(s, "threat_average_on_date", anrs, NULL);
    assert_non_null(strstr(out, "\"label1\":\"same day, last\""));
    free(out);
    free(newest);
    free(same_day_first);
    free(same_day_last);
}

/* Many dates and analyses, then replaced and deleted data: the daily totals
 * follow exactly (the same text as a fresh computation over the fact rows). */
static void test_threat_many_dates_and_changes(void **state)
{
    struct store *s = *state;
    int64_t c = add_client(s, "c", true, true);
    const char *anrs[] = {ANR_A, ANR_B, ANR_C};
    for (int day = 1; day <= 28; day++) {
        for (int a = 0; a < 3; a++) {
            char date[DATE_STR_LEN], count[16], max_risk[16], rate[16];
            snprintf(date, sizeof date, "2026-02-%02d", day);
            snprintf(count, sizeof count, "%d", day * (a + 1));
            snprintf(max_risk, sizeof max_risk, "\"%d.%d\"", day, a);
            snprintf(rate, sizeof rate, "\"0.%02d\"", (day * 7 + a) % 100);
            char *data = one_object(a == 1 ? T2 : T1, "\"l\"", count, max_risk, rate);
            put(s, c, anrs[a], STATS_THREAT, date, data);
            free(data);
        }
    }
    expect_same_on_both_paths(s, "threat_average_on_date");
    char *before = run(s, "threat_average_on_date");
    char *changed = one_object(T1, "\"l\"", "999", "\"0.333\"", "\"0.777\"");
    put(s, c, ANR_A, STATS_THREAT, "2026-02-03", changed);
    char *during = run(s, "threat_average_on_date");
    assert_string_not_equal(before, during);
    char *original = one_object(T1, "\"l\"", "3", "\"3.0\"", "\"0.21\"");
    put(s, c, ANR_A, STATS_THREAT, "2026-02-03", original);
    char *after = run(s, "threat_average_on_date");
    assert_string_equal(before, after);
    expect_same_on_both_paths(s, "threat_average_on_date");
    int64_t deleted;
    assert_int_equal(store_stats_delete_anr(s, c, ANR_B, &deleted), STORE_OK);
    assert_int_equal(deleted, 28);
    char *without_b = run(s, "threat_average_on_date");
    assert_null(strstr(without_b, T2));
    expect_same_on_both_paths(s, "threat_average_on_date");
    struct stats_filter window = {.date_from = "2026-02-10", .date_to = "2026-02-11"};
    char *two_days = run_with(s, "threat_average_on_date", window, NULL);
    assert_string_equal(two_days,
                        "[{\"object\":\"" T1 "\",\"labels\":{\"label1\":\"l\",\"label2\":\"en " T1 "\","
                        "\"label3\":\"\",\"label4\":\"\"},\"values\":[{\"count\":20.0,\"maxRisk\":10.1,"
                        "\"averageRate\":0.71,\"date\":\"2026-02-10\"},{\"count\":22.0,\"maxRisk\":11.1,"
                        "\"averageRate\":0.78,\"date\":\"2026-02-11\"}],\"averages\":{\"count\":21.0,"
                        "\"maxRisk\":10.6,\"averageRate\":0.745}}]");
    free(two_days);
    free(without_b);
    free(before);
    free(during);
    free(after);
    free(changed);
    free(original);
}

/* --- risk_averages, risk_averages_on_date --- */

#define EMPTY_RISK_LEVELS "{\"Low risks\":[],\"Medium risks\":[],\"High risks\":[]}"

static void test_risk_empty(void **state)
{
    struct store *s = *state;
    expect_output(s, "risk_averages", (struct stats_filter){0}, NULL,
                  "{\"current\":{\"informational\":{\"Low risks\":0.0,\"Medium risks\":0.0,"
                  "\"High risks\":0.0},\"operational\":{\"Low risks\":0.0,\"Medium risks\":0.0,"
                  "\"High risks\":0.0}},\"residual\":{\"informational\":{\"Low risks\":0.0,"
                  "\"Medium risks\":0.0,\"High risks\":0.0},\"operational\":{\"Low risks\":0.0,"
                  "\"Medium risks\":0.0,\"High risks\":0.0}}}");
    expect_output(s, "risk_averages_on_date", (struct stats_filter){0}, NULL,
                  "{\"current\":{\"informational\":" EMPTY_RISK_LEVELS ",\"operational\":"
                  EMPTY_RISK_LEVELS "},\"residual\":{\"informational\":" EMPTY_RISK_LEVELS
                  ",\"operational\":" EMPTY_RISK_LEVELS "}}");
    expect_output(s, "risk_averages_on_date", (struct stats_filter){0},
                  "{\"risks_type\":\"operational\",\"risks_state\":[\"residual\"]}",
                  "{\"residual\":{\"operational\":" EMPTY_RISK_LEVELS "}}");
}

/* processors.md: current/informational Low = 20 and 35 on 2026-05-18, 12 on 2026-05-19. */
static void test_risk_worked_example(void **state)
{
    struct store *s = *state;
    int64_t c = add_client(s, "c", true, true);
    const int a[RISK_CELLS] = {20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    const int b[RISK_CELLS] = {35, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12};
    const int a19[RISK_CELLS] = {12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    char *ja = risk_json(a), *jb = risk_json(b), *ja19 = risk_json(a19);
    put(s, c, ANR_A, STATS_RISK, "2026-05-18", ja);
    put(s, c, ANR_B, STATS_RISK, "2026-05-18", jb);
    put(s, c, ANR_A, STATS_RISK, "2026-05-19", ja19);
    expect_output(s, "risk_averages_on_date", (struct stats_filter){0},
                  "{\"risks_type\":\"informational\",\"risks_state\":\"current\"}",
                  "{\"current\":{\"informational\":{\"Low risks\":[{\"date\":\"2026-05-18\",\"value\":27.5},"
                  "{\"date\":\"2026-05-19\",\"value\":12.0}],\"Medium risks\":[{\"date\":\"2026-05-18\","
                  "\"value\":1.5},{\"date\":\"2026-05-19\",\"value\":0.0}],\"High risks\":[{\"date\":"
                  "\"2026-05-18\",\"value\":2.0},{\"date\":\"2026-05-19\",\"value\":0.0}]}}}");
    /* Both states, both kinds, in the fixed order, whatever order they are asked in. */
    char *both = run_with(s, "risk_averages_on_date", (struct stats_filter){0},
                          "{\"risks_type\":\"operational,informational\",\"risks_state\":[\"residual\",\"current\"]}");
    char *dflt = run_with(s, "risk_averages_on_date", (struct stats_filter){0}, "[]");
    assert_string_equal(both, dflt);
    assert_true(strstr(both, "\"current\"") < strstr(both, "\"residual\""));
    assert_true(strstr(both, "\"informational\"") < strstr(both, "\"operational\""));
    expect_output(s, "risk_averages", (struct stats_filter){0}, NULL,
                  "{\"current\":{\"informational\":{\"Low risks\":22.333333333333332,\"Medium risks\":1.0,"
                  "\"High risks\":1.3333333333333333},\"operational\":{\"Low risks\":2.0,"
                  "\"Medium risks\":2.6666666666666665,\"High risks\":3.3333333333333335}},\"residual\":"
                  "{\"informational\":{\"Low risks\":4.0,\"Medium risks\":4.666666666666667,"
                  "\"High risks\":5.333333333333333},\"operational\":{\"Low risks\":6.0,"
                  "\"Medium risks\":6.666666666666667,\"High risks\":7.666666666666667}}}");
    expect_same_on_both_paths(s, "risk_averages");
    expect_same_on_both_paths(s, "risk_averages_on_date");
    free(both);
    free(dflt);
    free(ja);
    free(jb);
    free(ja19);
}

/* A batch naming one analysis, type and date twice stores the second document:
 * its row is rewritten while the first one's figures are still pending in the
 * writer, and the daily totals must hold the second's figures only. */
static void test_batch_naming_a_key_twice(void **state)
{
    struct store *s = *state;
    int64_t c = add_client(s, "c", true, true);
    const int first[RISK_CELLS] = {20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    const int second[RISK_CELLS] = {12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    char *data[4] = {risk_json(first), risk_json(second), one_object(T1, "\"a\"", "6", "30", "\"2.5\""),
                     one_object(T1, "\"b\"", "10", "40", "\"3.5\"")};
    const enum stats_type types[4] = {STATS_RISK, STATS_RISK, STATS_THREAT, STATS_THREAT};
    struct stats_item items[4];
    for (int i = 0; i < 4; i++) {
        items[i] = (struct stats_item){.type = types[i], .data = data[i]};
        snprintf(items[i].anr, sizeof items[i].anr, "%s", ANR_A);
        snprintf(items[i].date, sizeof items[i].date, "%s", "2026-05-18");
    }
    struct upsert_result r;
    assert_int_equal(store_stats_upsert(s, c, items, 4, &r), STORE_OK);
    assert_int_equal(r.created, 2);
    assert_int_equal(r.updated, 2);
    expect_output(s, "risk_averages", (struct stats_filter){0}, NULL,
                  "{\"current\":{\"informational\":{\"Low risks\":12.0,\"Medium risks\":0.0,"
                  "\"High risks\":0.0},\"operational\":{\"Low risks\":0.0,\"Medium risks\":0.0,"
                  "\"High risks\":0.0}},\"residual\":{\"informational\":{\"Low risks\":0.0,"
                  "\"Medium risks\":0.0,\"High risks\":0.0},\"operational\":{\"Low risks\":0.0,"
                  "\"Medium risks\":0.0,\"High risks\":1.0}}}");
    expect_same_on_both_paths(s, "risk_averages");
    char *threats = run(s, "threat_average_on_date");
    assert_non_null(strstr(threats, "\"values\":[{\"count\":10.0,\"maxRisk\":40.0,\"averageRate\":3.5,"));
    free(threats);
    expect_same_on_both_paths(s, "threat_average_on_date");
    for (int i = 0; i < 4; i++)
        free(data[i]);
}

static void test_processor_params(void **state)
{
    const struct processor *p = processor_find("risk_averages_on_date");
    const char *good[] = {"{}", "[]", "\"\"", "null", "{\"risks_type\":\"informational\"}",
                          "{\"risks_type\":[\"operational\"]}", "{\"risks_state\":\" current , residual\"}",
                          "\"{\\\"risks_type\\\":\\\"operational\\\"}\"", "\"[]\""};
    const char *bad[] = {"{\"risks_type\":\"both\"}", "{\"risks_type\":\"\"}", "{\"risks_type\":[]}",
                         "{\"risks_type\":[1]}", "{\"risks_typo\":\"current\"}", "[1]", "\"nonsense\"",
                         "3", "{\"risks_state\":\"informational\"}"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        struct json_object *j = json_parse_strict(good[i], strlen(good[i]), NULL, 0);
        struct processor_args args;
        struct error_list errs = ERROR_LIST_INIT;
        if (!processor_parse_args(p, j, &args, &errs))
            fail_msg("refused %s: %s", good[i], errs.items[0].message);
        json_object_put(j);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct json_object *j = json_parse_strict(bad[i], strlen(bad[i]), NULL, 0);
        struct processor_args args;
        struct error_list errs = ERROR_LIST_INIT;
        if (processor_parse_args(p, j, &args, &errs))
            fail_msg("accepted %s", bad[i]);
        assert_non_null(strstr(errs.items[0].field, "processor_params"));
        error_list_free(&errs);
        json_object_put(j);
    }
    /* The chosen words as bits; a processor without parameters takes none. */
    const char *operational = "{\"risks_type\":\"operational\"}";
    struct json_object *j = json_parse_strict(operational, strlen(operational), NULL, 0);
    struct processor_args args;
    struct error_list errs = ERROR_LIST_INIT;
    assert_true(processor_parse_args(p, j, &args, &errs));
    assert_int_equal(args.chosen[0], 2u);
    assert_false(processor_parse_args(processor_find("risk_averages"), j, &args, &errs));
    assert_string_equal(errs.items[0].field, "processor_params");
    error_list_free(&errs);
    json_object_put(j);
}

/* --- cartography_totals --- */

static const char CARTO_A[] =
    "{\"scales\":{\"impact\":[0,1,2],\"probability\":[0,1],\"likelihood\":[0,2,4]},\"risks\":{"
    "\"current\":{\"informational\":{\"1\":[8,6],\"2\":{\"10\":1,\"2\":3,\"3\":0}},\"operational\":[]},"
    "\"residual\":{\"informational\":[[0,1]],\"operational\":{\"3\":{\"1\":\"2\"}}}}}";
static const char CARTO_B[] =
    "{\"scales\":{\"impact\":[3,1],\"probability\":[],\"likelihood\":[9]},\"risks\":{"
    "\"current\":{\"informational\":{\"1\":{\"1\":4}},\"operational\":[]},"
    "\"residual\":{\"informational\":[],\"operational\":[]}}}";

static void test_cartography(void **state)
{
    struct store *s = *state;
    expect_output(s, "cartography_totals", (struct stats_filter){0}, NULL,
                  "{\"analyses\":0,\"scales\":{\"impact\":[],\"probability\":[],\"likelihood\":[]},"
                  "\"risks\":{\"current\":{\"informational\":{},\"operational\":{}},"
                  "\"residual\":{\"informational\":{},\"operational\":{}}}}");
    int64_t c = add_client(s, "c", true, true);
    put(s, c, ANR_A, STATS_CARTOGRAPHY, "2026-05-01", CARTO_B); /* older: replaced by the next */
    put(s, c, ANR_A, STATS_CARTOGRAPHY, "2026-05-18", CARTO_A);
    put(s, c, ANR_B, STATS_CARTOGRAPHY, "2026-05-02", CARTO_B);
    const char *both =
        "{\"analyses\":2,\"scales\":{\"impact\":[0,1,2,3],\"probability\":[0,1],\"likelihood\":[0,2,4,9]},"
        "\"risks\":{\"current\":{\"informational\":{\"1\":{\"0\":8,\"1\":10},\"2\":{\"2\":3,\"10\":1}},"
        "\"operational\":{}},\"residual\":{\"informational\":{\"0\":{\"1\":1}},"
        "\"operational\":{\"3\":{\"1\":2}}}}}";
    expect_output(s, "cartography_totals", (struct stats_filter){0}, NULL, both);
    expect_same_on_both_paths(s, "cartography_totals");
    /* Within a date range, an ANR's latest stats in the range. */
    struct stats_filter early = {.date_to = "2026-05-10"};
    expect_output(s, "cartography_totals", early, NULL,
                  "{\"analyses\":2,\"scales\":{\"impact\":[1,3],\"probability\":[],\"likelihood\":[9]},"
                  "\"risks\":{\"current\":{\"informational\":{\"1\":{\"1\":8}},\"operational\":{}},"
                  "\"residual\":{\"informational\":{},\"operational\":{}}}}");
    struct stats_filter last = {.get_last = true, .date_to = "2026-05-10"}; /* dates ignored */
    expect_output(s, "cartography_totals", last, NULL, both);
}

/* --- compliance_averages --- */

static char *compliance_json(const char *current_values[2], const char *target_values[2], int n_target)
{
    buf b = BUF_INIT;
    buf_puts(&b, "[{\"referential\":\"" REF "\",\"label1\":\"ISO\",\"label2\":\"ISO 27002\",\"current\":[");
    for (int i = 0; i < 2; i++)
        buf_printf(&b, "%s{\"label1\":\"Cat %d\",\"label2\":null,\"controls\":[{},{}%s],\"value\":%s}",
                   i ? "," : "", i, i ? ",{}" : "", current_values[i]);
    buf_puts(&b, "],\"target\":[");
    for (int i = 0; i < n_target; i++)
        buf_printf(&b, "%s{\"label1\":\"Cat %d\",\"controls\":[],\"value\":%s}", i ? "," : "", i,
                   target_values[i]);
    buf_puts(&b, "]}]");
    return buf_detach(&b, NULL);
}

static void test_compliance(void **state)
{
    struct store *s = *state;
    expect_output(s, "compliance_averages", (struct stats_filter){0}, NULL, "[]");
    int64_t c = add_client(s, "c", true, true);
    const char *a_cur[2] = {"\"0.80\"", "0.5"}, *a_tgt[2] = {"1", "\"0.85\""};
    const char *b_cur[2] = {"\"0.32\"", "\"0.25\""}, *b_tgt[2] = {"\"1.00\"", "0"};
    const char *old[2] = {"1", "1"};
    char *a = compliance_json(a_cur, a_tgt, 2), *b = compliance_json(b_cur, b_tgt, 1);
    char *older = compliance_json(old, old, 2);
    put(s, c, ANR_A, STATS_COMPLIANCE, "2026-05-01", older);
    put(s, c, ANR_A, STATS_COMPLIANCE, "2026-05-18", a);
    put(s, c, ANR_B, STATS_COMPLIANCE, "2026-05-18", b);
    put(s, c, ANR_C, STATS_COMPLIANCE, "2026-05-18", "[]");
    expect_output(s, "compliance_averages", (struct stats_filter){0}, NULL,
                  "[{\"referential\":\"" REF "\",\"labels\":{\"label1\":\"ISO\",\"label2\":\"ISO 27002\","
                  "\"label3\":\"\",\"label4\":\"\"},\"analyses\":2,\"categories\":["
                  "{\"labels\":{\"label1\":\"Cat 0\",\"label2\":\"\",\"label3\":\"\",\"label4\":\"\"},"
                  "\"current\":0.56,\"target\":1.0,\"controls\":2},"
                  "{\"labels\":{\"label1\":\"Cat 1\",\"label2\":\"\",\"label3\":\"\",\"label4\":\"\"},"
                  "\"current\":0.375,\"target\":0.85,\"controls\":3}]}]");
    expect_same_on_both_paths(s, "compliance_averages");
    free(a);
    free(b);
    free(older);
}

/* --- selection: scope, flags, migration --- */

static void test_scope_and_client_flags(void **state)
{
    struct store *s = *state;
    int64_t mine = add_client(s, "mine", true, true);
    int64_t other = add_client(s, "other", false, true);
    int64_t pulled = add_client(s, "pulled", true, false);
    char *one = one_object(T1, "\"a\"", "1", "1", "1");
    char *two = one_object(T2, "\"b\"", "2", "2", "2");
    char *three = one_object(T1, "\"c\"", "3", "3", "3");
    put(s, mine, ANR_A, STATS_THREAT, "2026-05-18", one);
    put(s, other, ANR_A, STATS_THREAT, "2026-05-18", two); /* same ANR id, another client */
    put(s, pulled, ANR_B, STATS_THREAT, "2026-05-18", three);
    char *out = run_with(s, "threat_average_on_date", (struct stats_filter){.client_id = mine}, NULL);
    assert_null(strstr(out, T2));
    assert_non_null(strstr(out, "\"count\":1.0"));
    free(out);
    out = run_with(s, "threat_average_on_date", (struct stats_filter){.sharing_only = true}, NULL);
    assert_null(strstr(out, T2));
    assert_non_null(strstr(out, "\"count\":2.0")); /* mean of 1 and 3 */
    free(out);
    out = run_with(s, "threat_average_on_date", (struct stats_filter){.local_only = true}, NULL);
    assert_non_null(strstr(out, T2));
    assert_non_null(strstr(out, "\"label1\":\"a\""));
    free(out);
    const char *anr_a[] = {ANR_A};
    out = run_with(s, "threat_average_on_date",
                   (struct stats_filter){.client_id = other, .anrs = anr_a, .n_anrs = 1}, NULL);
    assert_null(strstr(out, T1));
    free(out);
    free(one);
    free(two);
    free(three);
}

static void test_versions(void **state)
{
    struct store *s = *state;
    struct stats_versions v0, v1, v2, v3, v4;
    assert_int_equal(store_stats_versions(s, &v0), STORE_OK);
    int64_t c = add_client(s, "c", true, true);
    char *data = one_object(T1, "\"a\"", "1", "1", "1");
    put(s, c, ANR_A, STATS_THREAT, "2026-05-18", data);
    assert_int_equal(store_stats_versions(s, &v1), STORE_OK);
    assert_true(v1.of_type[STATS_THREAT] > v0.of_type[STATS_THREAT]);
    assert_true(v1.global > v0.global);
    assert_int_equal(v1.of_type[STATS_RISK], v0.of_type[STATS_RISK]);
    put(s, c, ANR_A, STATS_THREAT, "2026-05-18", data); /* unchanged: no change */
    assert_int_equal(store_stats_versions(s, &v2), STORE_OK);
    assert_int_equal(v2.global, v1.global);
    struct client cl;
    assert_int_equal(store_client_by_name(s, "c", &cl), STORE_OK);
    cl.is_sharing_enabled = false;
    assert_int_equal(store_client_update(s, &cl), STORE_OK);
    assert_int_equal(store_stats_versions(s, &v3), STORE_OK);
    for (int t = 0; t < STATS_TYPE_COUNT; t++)
        assert_true(v3.of_type[t] > v2.of_type[t]);
    assert_int_equal(store_client_update(s, &cl), STORE_OK); /* nothing changed */
    assert_int_equal(store_client_touch(s, c, 0), STORE_OK);
    assert_int_equal(store_stats_versions(s, &v4), STORE_OK);
    assert_int_equal(v4.global, v3.global);
    int64_t deleted;
    assert_int_equal(store_stats_delete_anr(s, 0, ANR_A, &deleted), STORE_OK);
    assert_int_equal(store_stats_versions(s, &v4), STORE_OK);
    assert_true(v4.of_type[STATS_THREAT] > v3.of_type[STATS_THREAT]);
    assert_int_equal(store_client_delete(s, c), STORE_OK);
    client_free(&cl);
    free(data);
}

static void assert_spans_match_facts(struct store *s);

/* A database at version 1 holding stats gets their facts when migrated. */
static void test_migration_backfills_facts(void **state)
{
    struct store *s = *state;
    assert_int_equal(store_drop_all(s), STORE_OK);
    assert_int_equal(s->ops->exec_script(s, s->ops->migrations[0]), STORE_OK);
    assert_int_equal(s->ops->exec_script(s, "CREATE TABLE schema_version (version INTEGER NOT NULL);"
                                            "INSERT INTO schema_version (version) VALUES (1)"),
                     STORE_OK);
    s->ops->forget_statements(s);
    struct client cl = {0};
    cl.name = xstrdup("c");
    token_hash("c", cl.token_hash);
    cl.role = CLIENT_ROLE_USER;
    cl.is_sharing_enabled = true;
    assert_int_equal(store_client_create(s, &cl), STORE_OK);
    const char *rows[][3] = {{ANR_A, "2026-05-18", "[{\"uuid\":\"" T1 "\",\"label1\":\"old\",\"count\":6,"
                                                   "\"maxRisk\":30,\"averageRate\":\"2.5\"}]"},
                             {ANR_B, "2026-05-18", "[{\"uuid\":\"" T1 "\",\"label1\":\"older\",\"count\":10,"
                                                   "\"maxRisk\":40,\"averageRate\":\"3.5\"}]"},
                             {ANR_A, "2026-05-19", "[{\"uuid\":\"" T1 "\",\"label1\":\"Erreur\",\"label2\":"
                                                   "\"en " T1 "\",\"count\":4,\"maxRisk\":30,"
                                                   "\"averageRate\":\"2.4\"}]"}};
    for (size_t i = 0; i < 3; i++) {
        char uuid[UUID_STR_LEN];
        uuid_generate_str(uuid);
        const struct sql_value params[] = {sql_text(uuid), sql_int(cl.id), sql_text(rows[i][0]),
                                           sql_int(STATS_THREAT), sql_text(rows[i][1]),
                                           sql_text(rows[i][2])};
        assert_int_equal(sql_run(s, "INSERT INTO stats (uuid, client_id, anr, type, date, data, created_at, "
                                    "updated_at) VALUES (?, ?, ?, ?, ?, ?, '', '')", params, 6, NULL),
                         STORE_OK);
    }
    client_free(&cl);
    assert_int_equal(store_migrate(s), STORE_OK);
    int version;
    assert_int_equal(store_schema_version(s, &version), STORE_OK);
    assert_int_equal(version, store_schema_latest(s));
    expect_output(s, "threat_average_on_date", (struct stats_filter){0}, NULL, WORKED_EXAMPLE);
    expect_same_on_both_paths(s, "threat_average_on_date");
    assert_spans_match_facts(s);
}

/* --- the evolution's spans (facts/objects.c) --- */

/* The rows of a query (of `cols` columns) as one text, a line per row. */
static char *rows_text(struct store *s, const char *sql, int cols)
{
    buf b = BUF_INIT;
    assert_int_equal(s->ops->query(s, sql, NULL, 0), STORE_OK);
    enum store_rc rc;
    while ((rc = s->ops->next_row(s)) == STORE_OK) {
        for (int c = 0; c < cols; c++)
            buf_printf(&b, "%s%s", c ? "|" : "", s->ops->is_null(s, c) ? "NULL" : s->ops->get_text(s, c));
        buf_putc(&b, '\n');
    }
    assert_int_equal(rc, STORE_NOT_FOUND);
    sql_end(s);
    return buf_detach(&b, NULL);
}

/* The invariants of the spans: each object fact stands until its analysis'
 * next stats of the type (or SPAN_OPEN), and each span sums exactly the
 * facts of its (type, object, date, until_date, client). */
static void assert_spans_match_facts(struct store *s)
{
    int64_t wrong;
    assert_int_equal(sql_int_value(s,
        "SELECT COUNT(*) FROM object_facts AS f JOIN (SELECT id, LEAD(date) OVER (PARTITION BY client_id, "
        "anr, type ORDER BY date) AS next FROM stats) AS n ON n.id = f.stats_id "
        "WHERE f.until_date <> COALESCE(n.next, '9999-12-31')", NULL, 0, &wrong), STORE_OK);
    assert_int_equal(wrong, 0);
    char *spans = rows_text(s, "SELECT type, object, date, until_date, client_id, n, count_u, count_n, "
                               "max_risk_u, max_risk_n, rate_u, rate_n FROM object_spans "
                               "ORDER BY type, object, date, until_date, client_id", 12);
    char *sums = rows_text(s, "SELECT type, object, date, until_date, client_id, COUNT(*), SUM(count_u), "
                              "SUM(count_n), SUM(max_risk_u), SUM(max_risk_n), SUM(rate_u), SUM(rate_n) "
                              "FROM object_facts GROUP BY type, object, date, until_date, client_id "
                              "ORDER BY type, object, date, until_date, client_id", 12);
    assert_string_equal(spans, sums);
    free(spans);
    free(sums);
    /* The same of the risks (facts/risk.c): one fact per risk stats. */
    assert_int_equal(sql_int_value(s,
        "SELECT COUNT(*) FROM risk_facts AS f JOIN (SELECT id, LEAD(date) OVER (PARTITION BY client_id, "
        "anr, type ORDER BY date) AS next FROM stats) AS n ON n.id = f.stats_id "
        "WHERE f.until_date <> COALESCE(n.next, '9999-12-31')", NULL, 0, &wrong), STORE_OK);
    assert_int_equal(wrong, 0);
    spans = rows_text(s, "SELECT date, until_date, client_id, n, v0_u, v0_n, v1_u, v1_n, v2_u, v2_n, v3_u, v3_n, v4_u, v4_n, v5_u, v5_n, v6_u, v6_n, v7_u, v7_n, v8_u, v8_n, v9_u, v9_n, v10_u, v10_n, v11_u, v11_n "
                         "FROM risk_spans ORDER BY date, until_date, client_id", 28);
    sums = rows_text(s, "SELECT date, until_date, client_id, COUNT(*), SUM(v0_u), SUM(v0_n), SUM(v1_u), SUM(v1_n), SUM(v2_u), SUM(v2_n), SUM(v3_u), SUM(v3_n), SUM(v4_u), SUM(v4_n), SUM(v5_u), SUM(v5_n), SUM(v6_u), SUM(v6_n), SUM(v7_u), SUM(v7_n), SUM(v8_u), SUM(v8_n), SUM(v9_u), SUM(v9_n), SUM(v10_u), SUM(v10_n), SUM(v11_u), SUM(v11_n) "
                        "FROM risk_facts GROUP BY date, until_date, client_id ORDER BY date, until_date, client_id",
                     28);
    assert_string_equal(spans, sums);
    free(spans);
    free(sums);
}

/* A risk stats whose cells are base, base + 1, …. */
static char *risk_of(int base)
{
    int v[RISK_CELLS];
    for (int i = 0; i < RISK_CELLS; i++)
        v[i] = base + i;
    return risk_json(v);
}

static char *objects_of(const char *count_a, const char *count_b)
{
    buf b = BUF_INIT;
    buf_putc(&b, '[');
    object_json(&b, T1, "\"a\"", count_a, "3", "\"0.5\"");
    buf_putc(&b, ',');
    object_json(&b, T2, "\"b\"", count_b, "7", "1.25");
    buf_putc(&b, ']');
    return buf_detach(&b, NULL);
}

/* Stats sent in and out of date order, rewritten in place, in one batch or
 * one at a time, then deleted every way the store deletes: the spans stay the
 * sums of the facts, each fact dated until its analysis' next stats. */
static void test_spans_follow_every_write(void **state)
{
    struct store *s = *state;
    int64_t a = add_client(s, "a", true, true), b = add_client(s, "b", true, true);
    char *d1 = objects_of("1", "2"), *d2 = objects_of("10", "20"), *d3 = one_object(T1, "\"c\"", "5", "5", "5");
    put(s, a, ANR_A, STATS_THREAT, "2026-05-10", d1);
    put(s, a, ANR_A, STATS_THREAT, "2026-05-20", d2);
    put(s, a, ANR_A, STATS_THREAT, "2026-05-15", d3);     /* between the two */
    put(s, a, ANR_A, STATS_THREAT, "2026-05-01", d2);     /* before them all */
    put(s, b, ANR_A, STATS_THREAT, "2026-05-15", d1);     /* another client's analysis of the same id */
    put(s, a, ANR_B, STATS_VULNERABILITY, "2026-05-15", d1);
    assert_spans_match_facts(s);
    put(s, a, ANR_A, STATS_THREAT, "2026-05-15", d1);     /* rewritten in place */
    assert_spans_match_facts(s);
    /* The risks, in and out of order, rewritten in place. */
    char *r1 = risk_of(1), *r2 = risk_of(20), *r3 = risk_of(300);
    put(s, a, ANR_A, STATS_RISK, "2026-05-10", r1);
    put(s, a, ANR_A, STATS_RISK, "2026-05-20", r2);
    assert_spans_match_facts(s);
    put(s, a, ANR_A, STATS_RISK, "2026-05-15", r3);       /* between the two */
    put(s, a, ANR_A, STATS_RISK, "2026-05-01", r2);       /* before them all */
    put(s, b, ANR_A, STATS_RISK, "2026-05-15", r1);       /* another client's analysis of the same id */
    put(s, a, ANR_B, STATS_RISK, "2026-05-15", r1);       /* another analysis, same span */
    assert_spans_match_facts(s);
    put(s, a, ANR_A, STATS_RISK, "2026-05-15", r1);       /* rewritten in place */
    assert_spans_match_facts(s);

    /* One batch naming an analysis on several dates, out of order. */
    struct stats_item items[7] = {0};
    const char *dates[3] = {"2026-06-03", "2026-06-01", "2026-06-02"};
    for (int i = 0; i < 3; i++) {
        snprintf(items[i].anr, sizeof items[i].anr, "%s", ANR_C);
        items[i].type = STATS_THREAT;
        snprintf(items[i].date, sizeof items[i].date, "%s", dates[i]);
        items[i].data = i == 1 ? d3 : d2;
    }
    /* Risks of one analysis in the same batch, one date twice (the second rewrites the first). */
    const char *risk_dates[4] = {"2026-06-03", "2026-06-01", "2026-06-02", "2026-06-01"};
    for (int i = 0; i < 4; i++) {
        snprintf(items[3 + i].anr, sizeof items[3 + i].anr, "%s", ANR_C);
        items[3 + i].type = STATS_RISK;
        snprintf(items[3 + i].date, sizeof items[3 + i].date, "%s", risk_dates[i]);
        items[3 + i].data = i == 1 ? r3 : i == 3 ? r1 : r2;
    }
    struct upsert_result r;
    assert_int_equal(store_stats_upsert(s, b, items, 7, &r), STORE_OK);
    assert_spans_match_facts(s);

    int64_t deleted;
    assert_int_equal(store_stats_purge(s, "2026-05-12", &deleted), STORE_OK);
    assert_true(deleted > 0);
    assert_spans_match_facts(s);
    assert_int_equal(store_stats_delete_anr(s, a, ANR_A, &deleted), STORE_OK);
    assert_spans_match_facts(s);
    assert_int_equal(store_stats_delete_client(s, b, true, STATS_THREAT, &deleted), STORE_OK);
    assert_spans_match_facts(s);
    assert_int_equal(store_stats_delete_client(s, b, true, STATS_RISK, &deleted), STORE_OK);
    assert_spans_match_facts(s);
    assert_int_equal(store_client_delete(s, a), STORE_OK);
    assert_spans_match_facts(s);
    int64_t left;
    assert_int_equal(sql_int_value(s, "SELECT COUNT(*) FROM object_spans", NULL, 0, &left), STORE_OK);
    assert_int_equal(left, 0);
    assert_int_equal(sql_int_value(s, "SELECT COUNT(*) FROM risk_spans", NULL, 0, &left), STORE_OK);
    assert_int_equal(left, 0);
    free(d1);
    free(d2);
    free(d3);
    free(r1);
    free(r2);
    free(r3);
}

/* A stats of the analysis stored by another connection while this one's
 * transaction, which stores an earlier date, is still open. */
struct later_stats {
    int64_t client;
    char *data;
    enum store_rc rc;
};

static void *put_later_stats(void *arg)
{
    struct later_stats *l = arg;
    struct store *other;
    char *err = NULL;
    l->rc = store_open(fixture_db_uri, &other, &err);
    free(err);
    if (l->rc != STORE_OK)
        return NULL;
    struct stats_item it = {0};
    snprintf(it.anr, sizeof it.anr, "%s", ANR_A);
    it.type = STATS_THREAT;
    snprintf(it.date, sizeof it.date, "%s", "2026-05-20");
    it.data = l->data;
    struct upsert_result r;
    l->rc = store_stats_upsert(other, l->client, &it, 1, &r);
    store_close(other);
    return NULL;
}

/* Two transactions store stats of one analysis on two dates at once: the
 * later one waits for the first (PostgreSQL: the client's lock, which the
 * facts writer takes even when its caller did not; SQLite: one writer at a
 * time) and the spans end where they should. */
static void test_spans_of_concurrent_transactions(void **state)
{
    struct store *s = *state;
    int64_t a = add_client(s, "a", true, true);
    char *d1 = objects_of("1", "2"), *d2 = objects_of("10", "20");
    put(s, a, ANR_A, STATS_THREAT, "2026-05-01", d1);
    struct stats_item it = {0};
    snprintf(it.anr, sizeof it.anr, "%s", ANR_A);
    it.type = STATS_THREAT;
    snprintf(it.date, sizeof it.date, "%s", "2026-05-10");
    it.data = d2;
    char uuid[UUID_STR_LEN], now[TIMESTAMP_STR_LEN];
    uuid_generate_str(uuid);
    timestamp_now(now);
    int64_t id;
    struct facts_writer *w = facts_writer_new();
    assert_int_equal(sql_begin_write(s), STORE_OK);
    assert_int_equal(stats_row_insert(s, a, &it, uuid, now, &id), STORE_OK);
    assert_int_equal(facts_writer_insert(w, s, id, a, ANR_A, STATS_THREAT, it.date, d2, NULL), STORE_OK);
    struct later_stats later = {a, d1, STORE_ERROR};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, put_later_stats, &later), 0);
    usleep(300000); /* the other connection is waiting by now (or would have gone wrong) */
    assert_int_equal(facts_writer_flush(w, s), STORE_OK);
    assert_int_equal(sql_commit(s), STORE_OK);
    pthread_join(thread, NULL);
    assert_int_equal(later.rc, STORE_OK);
    facts_writer_free(w);
    assert_spans_match_facts(s);
    free(d1);
    free(d2);
}

/* Back to version 3's tables: the object facts' index by object (dropped at
 * version 5), the risk tables without until_date, spans or the new trigger. */
static const char *undo_risk_spans(struct store *s)
{
    return s->ops->dialect == SQL_DIALECT_SQLITE
        ? "CREATE INDEX object_facts_latest ON object_facts (type, object, date, stats_id);"
          "DROP TABLE risk_spans; DROP TRIGGER risk_facts_remove; ALTER TABLE risk_facts DROP COLUMN until_date;"
          "CREATE TRIGGER risk_rollup_remove AFTER DELETE ON risk_facts BEGIN SELECT 1; END;"
          "UPDATE schema_version SET version = 3"
        : "CREATE INDEX object_facts_latest ON object_facts (type, object, date, stats_id);"
          "DROP TABLE risk_spans; DROP TRIGGER risk_facts_remove ON risk_facts;"
          "ALTER TABLE risk_facts DROP COLUMN until_date;"
          "CREATE FUNCTION risk_rollup_remove() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;"
          "CREATE TRIGGER risk_rollup_remove AFTER DELETE ON risk_facts FOR EACH ROW"
          " EXECUTE FUNCTION risk_rollup_remove(); UPDATE schema_version SET version = 3";
}

/* A database at version 3 holding risk facts gets their spans when
 * migrated to version 4: the step's SQL dates the facts and sums them. */
static void test_migration_to_risk_spans(void **state)
{
    struct store *s = *state;
    int64_t a = add_client(s, "a", true, true), b = add_client(s, "b", true, true);
    char *r1 = risk_of(1), *r2 = risk_of(20);
    put(s, a, ANR_A, STATS_RISK, "2026-05-10", r1);
    put(s, a, ANR_A, STATS_RISK, "2026-05-20", r2);
    put(s, a, ANR_A, STATS_RISK, "2026-05-15", r2);
    put(s, a, ANR_B, STATS_RISK, "2026-05-15", r1);
    put(s, b, ANR_A, STATS_RISK, "2026-05-15", r1);
    const char *spans_sql = "SELECT date, until_date, client_id, n, v0_u, v5_u, v11_u FROM risk_spans "
                            "ORDER BY date, until_date, client_id";
    char *before = rows_text(s, spans_sql, 7);
    assert_int_equal(s->ops->exec_script(s, undo_risk_spans(s)), STORE_OK);
    s->ops->forget_statements(s);
    assert_int_equal(store_migrate(s), STORE_OK);
    char *after = rows_text(s, spans_sql, 7);
    assert_string_equal(after, before);
    assert_spans_match_facts(s);
    /* The new trigger takes a deleted analysis out of its span. */
    int64_t deleted;
    assert_int_equal(store_stats_delete_anr(s, a, ANR_A, &deleted), STORE_OK);
    assert_spans_match_facts(s);
    free(before);
    free(after);
    free(r1);
    free(r2);
}

/* A database at version 2 holding object facts gets their spans when
 * migrated: the step's SQL dates the facts and sums them. */
static void test_migration_to_spans(void **state)
{
    struct store *s = *state;
    int64_t a = add_client(s, "a", true, true);
    char *d1 = objects_of("1", "2"), *d2 = objects_of("10", "20");
    put(s, a, ANR_A, STATS_THREAT, "2026-05-10", d1);
    put(s, a, ANR_A, STATS_THREAT, "2026-05-20", d2);
    put(s, a, ANR_A, STATS_THREAT, "2026-05-15", d2);
    put(s, a, ANR_B, STATS_THREAT, "2026-05-15", d1);
    char *before = rows_text(s, "SELECT type, object, date, until_date, client_id, n, count_u FROM object_spans "
                                "ORDER BY type, object, date, until_date, client_id", 7);
    /* Back to version 2's tables: no until_date, no spans, the old triggers. */
    assert_int_equal(s->ops->exec_script(s, undo_risk_spans(s)), STORE_OK);
    const char *undo = s->ops->dialect == SQL_DIALECT_SQLITE
        ? "DROP TABLE object_spans; DROP TRIGGER object_facts_remove; ALTER TABLE object_facts DROP COLUMN until_date;"
          "CREATE TRIGGER object_rollup_remove AFTER DELETE ON object_facts BEGIN SELECT 1; END;"
          "UPDATE schema_version SET version = 2"
        : "DROP TABLE object_spans; DROP TRIGGER object_facts_remove ON object_facts;"
          "ALTER TABLE object_facts DROP COLUMN until_date;"
          "CREATE FUNCTION object_rollup_remove() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;"
          "CREATE TRIGGER object_rollup_remove AFTER DELETE ON object_facts FOR EACH ROW"
          " EXECUTE FUNCTION object_rollup_remove(); UPDATE schema_version SET version = 2";
    assert_int_equal(s->ops->exec_script(s, undo), STORE_OK);
    s->ops->forget_statements(s);
    assert_int_equal(store_migrate(s), STORE_OK);
    char *after = rows_text(s, "SELECT type, object, date, until_date, client_id, n, count_u FROM object_spans "
                               "ORDER BY type, object, date, until_date, client_id", 7);
    assert_string_equal(after, before);
    assert_spans_match_facts(s);
    free(before);
    free(after);
    free(d1);
    free(d2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        STORE_TEST(test_threat_worked_example),
        STORE_TEST(test_threat_empty_and_wrong_type),
        STORE_TEST(test_threat_encodings),
        STORE_TEST(test_threat_labels_latest),
        STORE_TEST(test_threat_many_dates_and_changes),
        STORE_TEST(test_risk_empty),
        STORE_TEST(test_risk_worked_example),
        STORE_TEST(test_batch_naming_a_key_twice),
        cmocka_unit_test(test_processor_params),
        STORE_TEST(test_cartography),
        STORE_TEST(test_compliance),
        STORE_TEST(test_scope_and_client_flags),
        STORE_TEST(test_versions),
        STORE_TEST(test_migration_backfills_facts),
        STORE_TEST(test_spans_follow_every_write),
        STORE_TEST(test_spans_of_concurrent_transactions),
        STORE_TEST(test_migration_to_spans),
        STORE_TEST(test_migration_to_risk_spans),
    };
    return cmocka_run_group_tests_name("processors", tests, fixture_group_setup, fixture_group_teardown);
}
