/*
 * test_store.c — the storage layer against a real database.
 *
 * Runs on the database of store_fixture.h: PostgreSQL when
 * $STATS_TEST_DATABASE_URI is set, else a fresh SQLite file; every test starts
 * from an empty, freshly migrated schema.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/backend.h"
#include "store/store.h"
#include "store_fixture.h"
#include "util/buf.h"

#define ANR1 "11111111-1111-4111-8111-111111111111"
#define ANR2 "22222222-2222-4222-8222-222222222222"
#define ANR3 "33333333-3333-4333-8333-333333333333"
#define UUID_A "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
#define UUID_B "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
#define UUID_C "cccccccc-cccc-4ccc-8ccc-cccccccccccc"

/* --- helpers --- */

/* A client whose token hash is derived from its name. */
static struct client new_client(const char *name, const char *uuid)
{
    struct client c = {0};
    snprintf(c.uuid, sizeof c.uuid, "%s", uuid ? uuid : "");
    c.name = xstrdup(name);
    token_hash(name, c.token_hash);
    c.role = CLIENT_ROLE_USER;
    c.is_sharing_enabled = true;
    c.local = true;
    return c;
}

static int64_t add_client(struct store *s, const char *name)
{
    struct client c = new_client(name, NULL);
    assert_int_equal(store_client_create(s, &c), STORE_OK);
    client_free(&c);
    return c.id;
}

static struct stats_item item(const char *anr, enum stats_type type, const char *date, const char *data)
{
    struct stats_item it = {0};
    snprintf(it.anr, sizeof it.anr, "%s", anr);
    it.type = type;
    snprintf(it.date, sizeof it.date, "%s", date);
    it.data = xstrdup(data);
    return it;
}

static void items_free(struct stats_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i].data);
}

/* Stores one item, expected to succeed. */
static void put(struct store *s, int64_t client, const char *anr, enum stats_type type, const char *date,
                const char *data)
{
    struct stats_item it = item(anr, type, date, data);
    struct upsert_result r;
    assert_int_equal(store_stats_upsert(s, client, &it, 1, &r), STORE_OK);
    items_free(&it, 1);
}

static int64_t stats_count(struct store *s)
{
    int64_t n;
    assert_int_equal(store_stats_count(s, &n), STORE_OK);
    return n;
}

static struct stats_filter filter_for(int64_t client)
{
    return (struct stats_filter){.client_id = client};
}

static struct stats_filter risk_of(int64_t client)
{
    return (struct stats_filter){.client_id = client, .has_type = true, .type = STATS_RISK};
}

/* Asserts the page holds exactly these "anr-prefix/date" rows, in order, and total. */
static void assert_page(struct store *s, const struct stats_filter *f, int64_t total,
                        const char *const *expected, size_t n)
{
    struct stats_page p;
    assert_int_equal(store_stats_list(s, f, &p), STORE_OK);
    assert_int_equal(p.count, n);
    assert_int_equal(p.total, total);
    for (size_t i = 0; i < n; i++) {
        char got[32];
        snprintf(got, sizeof got, "%.1s/%d/%s", p.rows[i].anr, (int)p.rows[i].type, p.rows[i].date);
        assert_string_equal(got, expected[i]);
    }
    stats_page_free(&p);
}

#define PAGE(s, f, total, ...)                                                     \
    do {                                                                           \
        const char *const expected_[] = {__VA_ARGS__};                             \
        assert_page(s, f, total, expected_, sizeof expected_ / sizeof *expected_); \
    } while (0)

static void assert_empty_page(struct store *s, const struct stats_filter *f, int64_t total)
{
    assert_page(s, f, total, NULL, 0);
}

/* --- schema --- */

static void test_migrate_is_idempotent(void **state)
{
    struct store *s = *state;
    int version, again;
    assert_int_equal(store_schema_version(s, &version), STORE_OK);
    assert_int_equal(version, store_schema_latest(s));
    add_client(s, "kept");
    assert_int_equal(store_migrate(s), STORE_OK);
    assert_int_equal(store_schema_version(s, &again), STORE_OK);
    assert_int_equal(again, version);
    int64_t n;
    assert_int_equal(store_client_count(s, &n), STORE_OK);
    assert_int_equal(n, 1);

    assert_int_equal(store_drop_all(s), STORE_OK);
    assert_int_equal(store_schema_version(s, &version), STORE_OK);
    assert_int_equal(version, 0);
    assert_int_equal(store_migrate(s), STORE_OK);
    assert_int_equal(store_schema_version(s, &version), STORE_OK);
    assert_int_equal(version, store_schema_latest(s));
    assert_int_equal(store_client_count(s, &n), STORE_OK);
    assert_int_equal(n, 0);
}

static void test_backend_and_ping(void **state)
{
    struct store *s = *state;
    assert_string_equal(store_backend(s), fixture_on_sqlite() ? "sqlite" : "postgresql");
    assert_int_equal(store_ping(s), STORE_OK);
}

static void expect_open_error(const char *uri)
{
    struct store *s = (struct store *)1;
    char *err = NULL;
    assert_int_equal(store_open(uri, &s, &err), STORE_ERROR);
    assert_null(s);
    assert_non_null(err);
    assert_true(strlen(err) > 0);
    free(err);
}

static void test_open_rejects_bad_uris(void **state)
{
    (void)state;
    expect_open_error("");
    expect_open_error("mysql://user@host/db");
    expect_open_error("sqlite:///");
    expect_open_error("sqlite:////no/such/folder/stats.db");
    expect_open_error("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2");
    char *err = NULL;
    assert_int_equal(store_create_database("oracle://x", &err), STORE_ERROR);
    assert_non_null(err);
    free(err);
    if (!fixture_on_sqlite())
        return;
    buf path = BUF_INIT, uri = BUF_INIT; /* a file that is no database */
    buf_printf(&path, "%s/garbage.db", fixture_tmp_dir);
    FILE *f = fopen(path.data, "w");
    assert_non_null(f);
    for (int i = 0; i < 100; i++)
        fputs("this is not an SQLite database\n", f);
    fclose(f);
    buf_printf(&uri, "sqlite:///%s", path.data);
    expect_open_error(uri.data);
    assert_int_equal(store_create_database(uri.data, &err), STORE_ERROR);
    free(err);
    remove(path.data);
    buf_free(&path);
    buf_free(&uri);
}

static void create_sqlite_database(void)
{
    buf path = BUF_INIT, uri = BUF_INIT;
    buf_printf(&path, "%s/new/deeper/x.db", fixture_tmp_dir);
    buf_printf(&uri, "sqlite:///%s", path.data);
    char *err = NULL;
    assert_int_equal(store_create_database(uri.data, &err), STORE_OK);
    assert_null(err);
    struct stat st;
    assert_int_equal(stat(path.data, &st), 0);
    assert_int_equal(store_create_database(uri.data, &err), STORE_OK);

    struct store *s;
    assert_int_equal(store_open(uri.data, &s, &err), STORE_OK);
    assert_int_equal(store_migrate(s), STORE_OK);
    store_close(s);
    buf_free(&path);
    buf_free(&uri);
}

/* A second database next to the test one, then dropped again. */
static void create_pg_database(void)
{
    char *err = NULL;
    assert_int_equal(store_create_database(fixture_db_uri, &err), STORE_OK); /* exists already */
    assert_null(err);

    const char *slash = strrchr(fixture_db_uri, '/');
    buf uri = BUF_INIT;
    buf_append(&uri, fixture_db_uri, (size_t)(slash - fixture_db_uri));
    buf_puts(&uri, "/stats_test_created");
    assert_int_equal(store_create_database(uri.data, &err), STORE_OK);
    assert_int_equal(store_create_database(uri.data, &err), STORE_OK);
    struct store *s;
    assert_int_equal(store_open(uri.data, &s, &err), STORE_OK);
    assert_int_equal(store_migrate(s), STORE_OK);
    store_close(s);

    PGconn *conn = PQconnectdb(fixture_db_uri);
    PQclear(PQexec(conn, "DROP DATABASE stats_test_created"));
    PQfinish(conn);
    buf_free(&uri);
}

static void test_create_database(void **state)
{
    (void)state;
    if (fixture_on_sqlite())
        create_sqlite_database();
    else
        create_pg_database();
}

/* --- clients --- */

static void assert_same_client(const struct client *a, const struct client *b)
{
    assert_int_equal(a->id, b->id);
    assert_string_equal(a->uuid, b->uuid);
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->token_hash, b->token_hash);
    assert_int_equal(a->role, b->role);
    assert_int_equal(a->is_sharing_enabled, b->is_sharing_enabled);
    assert_int_equal(a->local, b->local);
    assert_int_equal(a->has_coordinates, b->has_coordinates);
    if (a->has_coordinates) {
        assert_true(a->latitude == b->latitude);
        assert_true(a->longitude == b->longitude);
    }
    assert_string_equal(a->created_at, b->created_at);
    assert_string_equal(a->last_seen, b->last_seen);
}

static void assert_timestamp(const char *t)
{
    assert_int_equal(strlen(t), 20);
    assert_int_equal(t[10], 'T');
    assert_int_equal(t[19], 'Z');
}

static void test_client_crud(void **state)
{
    struct store *s = *state;
    struct client c = new_client("NC3", UUID_A);
    c.has_coordinates = true;
    c.latitude = 49.6116;
    c.longitude = 6.1319;
    c.is_sharing_enabled = false;
    assert_int_equal(store_client_create(s, &c), STORE_OK);
    assert_true(c.id > 0);
    assert_timestamp(c.created_at);
    assert_string_equal(c.last_seen, "");

    struct client got;
    assert_int_equal(store_client_by_uuid(s, UUID_A, &got), STORE_OK);
    assert_same_client(&got, &c);
    client_free(&got);
    assert_int_equal(store_client_by_name(s, "NC3", &got), STORE_OK);
    assert_same_client(&got, &c);
    client_free(&got);
    assert_int_equal(store_client_by_token_hash(s, c.token_hash, &got), STORE_OK);
    assert_same_client(&got, &c);
    client_free(&got);

    struct client other = new_client("other", NULL);
    other.role = CLIENT_ROLE_ADMIN;
    other.local = false;
    assert_int_equal(store_client_create(s, &other), STORE_OK);
    assert_true(uuid_is_valid(other.uuid));
    assert_true(other.id > c.id);

    struct client_list list;
    assert_int_equal(store_client_list(s, &list), STORE_OK);
    assert_int_equal(list.count, 2);
    assert_same_client(&list.items[0], &c);
    assert_same_client(&list.items[1], &other);
    client_list_free(&list);

    free(c.name);
    c.name = xstrdup("NC3 renamed");
    token_hash("new token", c.token_hash);
    c.role = CLIENT_ROLE_ADMIN;
    c.is_sharing_enabled = true;
    c.local = false;
    c.has_coordinates = false;
    assert_int_equal(store_client_update(s, &c), STORE_OK);
    assert_int_equal(store_client_by_uuid(s, UUID_A, &got), STORE_OK);
    assert_same_client(&got, &c);
    client_free(&got);
    assert_int_equal(store_client_by_name(s, "NC3", &got), STORE_NOT_FOUND);

    int64_t n;
    assert_int_equal(store_client_count(s, &n), STORE_OK);
    assert_int_equal(n, 2);
    client_free(&c);
    client_free(&other);
}

static void test_client_conflicts(void **state)
{
    struct store *s = *state;
    struct client first = new_client("first", UUID_A);
    assert_int_equal(store_client_create(s, &first), STORE_OK);

    struct client same_name = new_client("first", UUID_B);
    token_hash("another token", same_name.token_hash);
    assert_int_equal(store_client_create(s, &same_name), STORE_CONFLICT);
    assert_non_null(strstr(store_errmsg(s), "named \"first\""));

    struct client same_token = new_client("second", UUID_B);
    memcpy(same_token.token_hash, first.token_hash, sizeof first.token_hash);
    assert_int_equal(store_client_create(s, &same_token), STORE_CONFLICT);
    assert_non_null(strstr(store_errmsg(s), "token"));

    struct client same_uuid = new_client("third", UUID_A);
    assert_int_equal(store_client_create(s, &same_uuid), STORE_CONFLICT);
    assert_non_null(strstr(store_errmsg(s), UUID_A));

    int64_t n;
    assert_int_equal(store_client_count(s, &n), STORE_OK);
    assert_int_equal(n, 1);

    struct client second = new_client("second", UUID_B);
    assert_int_equal(store_client_create(s, &second), STORE_OK);
    struct client renamed = second;
    renamed.name = "first";
    assert_int_equal(store_client_update(s, &renamed), STORE_CONFLICT);
    assert_non_null(strstr(store_errmsg(s), "named \"first\""));
    renamed = second;
    memcpy(renamed.token_hash, first.token_hash, sizeof first.token_hash);
    assert_int_equal(store_client_update(s, &renamed), STORE_CONFLICT);

    struct client got;
    assert_int_equal(store_client_by_uuid(s, UUID_B, &got), STORE_OK);
    assert_same_client(&got, &second);
    client_free(&got);
    client_free(&first);
    client_free(&same_name);
    client_free(&same_token);
    client_free(&same_uuid);
    client_free(&second);
}

static void test_client_missing(void **state)
{
    struct store *s = *state;
    struct client got;
    char hash[TOKEN_HASH_STR_LEN];
    token_hash("unknown", hash);
    assert_int_equal(store_client_by_token_hash(s, hash, &got), STORE_NOT_FOUND);
    assert_int_equal(store_client_by_uuid(s, UUID_C, &got), STORE_NOT_FOUND);
    assert_int_equal(store_client_by_name(s, "nobody", &got), STORE_NOT_FOUND);
    struct client ghost = new_client("ghost", UUID_C);
    ghost.id = 9999;
    assert_int_equal(store_client_update(s, &ghost), STORE_NOT_FOUND);
    assert_int_equal(store_client_delete(s, 9999), STORE_NOT_FOUND);
    assert_int_equal(store_client_touch(s, 9999, 60), STORE_NOT_FOUND);
    client_free(&ghost);
}

static void last_seen_of(struct store *s, const char *name, char out[TIMESTAMP_STR_LEN])
{
    struct client c;
    assert_int_equal(store_client_by_name(s, name, &c), STORE_OK);
    memcpy(out, c.last_seen, TIMESTAMP_STR_LEN);
    client_free(&c);
}

static void test_client_touch(void **state)
{
    struct store *s = *state;
    int64_t id = add_client(s, "toucher");
    char first[TIMESTAMP_STR_LEN], later[TIMESTAMP_STR_LEN];

    assert_int_equal(store_client_touch(s, id, 60), STORE_OK); /* never seen: set */
    last_seen_of(s, "toucher", first);
    assert_timestamp(first);

    sleep(2);
    assert_int_equal(store_client_touch(s, id, 3600), STORE_OK); /* recent enough: kept */
    last_seen_of(s, "toucher", later);
    assert_string_equal(later, first);

    assert_int_equal(store_client_touch(s, id, 1), STORE_OK); /* two seconds old: moved */
    last_seen_of(s, "toucher", later);
    assert_timestamp(later);
    assert_true(strcmp(later, first) > 0);
}

static void test_client_delete_cascades(void **state)
{
    struct store *s = *state;
    int64_t a = add_client(s, "a"), b = add_client(s, "b");
    put(s, a, ANR1, STATS_RISK, "2026-01-01", "{}");
    put(s, a, ANR2, STATS_THREAT, "2026-01-01", "[]");
    put(s, b, ANR1, STATS_RISK, "2026-01-01", "{}");
    assert_int_equal(stats_count(s), 3);

    assert_int_equal(store_client_delete(s, a), STORE_OK);
    assert_int_equal(stats_count(s), 1);
    struct client got;
    assert_int_equal(store_client_by_name(s, "a", &got), STORE_NOT_FOUND);
    struct stats_filter all = filter_for(0);
    PAGE(s, &all, 1, "1/0/2026-01-01");
    int64_t n;
    assert_int_equal(store_client_count(s, &n), STORE_OK);
    assert_int_equal(n, 1);
}

/* --- upsert --- */

static void test_upsert_creates_then_updates(void **state)
{
    struct store *s = *state;
    int64_t a = add_client(s, "a");
    struct stats_item batch[] = {
        item(ANR1, STATS_RISK, "2026-05-18", "{\"v\":1}"),
        item(ANR1, STATS_THREAT, "2026-05-18", "[1]"),
        item(ANR2, STATS_RISK, "2026-05-18", "{\"v\":2}"),
    };
    snprintf(batch[2].uuid, UUID_STR_LEN, "%s", UUID_C); /* a pushed item keeps its uuid */
    struct upsert_result r;
    assert_int_equal(store_stats_upsert(s, a, batch, 3, &r), STORE_OK);
    assert_int_equal(r.created, 3);
    assert_int_equal(r.updated, 0);
    assert_true(uuid_is_valid(batch[0].uuid));
    assert_true(uuid_is_valid(batch[1].uuid));
    assert_string_not_equal(batch[0].uuid, batch[1].uuid);
    assert_string_equal(batch[2].uuid, UUID_C);

    struct stats_item again[] = {
        item(ANR1, STATS_RISK, "2026-05-18", "{\"v\":10}"),
        item(ANR1, STATS_THREAT, "2026-05-18", "[1]"),      /* unchanged: still counted */
        item(ANR2, STATS_RISK, "2026-05-18", "{\"v\":20}"),
        item(ANR3, STATS_RISK, "2026-05-18", "{\"v\":3}"),
    };
    snprintf(again[2].uuid, UUID_STR_LEN, "%s", UUID_C); /* the matching uuid is accepted */
    assert_int_equal(store_stats_upsert(s, a, again, 4, &r), STORE_OK);
    assert_int_equal(r.created, 1);
    assert_int_equal(r.updated, 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(again[i].uuid, batch[i].uuid);
    assert_int_equal(stats_count(s), 4);

    struct stats_filter f = filter_for(a);
    f.order = STATS_ORDER_TYPE_DATE;
    struct stats_page p;
    assert_int_equal(store_stats_list(s, &f, &p), STORE_OK);
    assert_int_equal(p.count, 4);
    assert_string_equal(p.rows[0].uuid, batch[0].uuid);
    assert_string_equal(p.rows[0].data, "{\"v\":10}");
    assert_string_equal(p.rows[1].data, "{\"v\":20}");
    assert_string_equal(p.rows[1].uuid, UUID_C);
    assert_string_equal(p.rows[2].uuid, again[3].uuid);
    assert_string_equal(p.rows[3].data, "[1]");
    assert_int_equal(p.rows[0].client_id, a);
    stats_page_free(&p);

    assert_int_equal(store_stats_upsert(s, a, NULL, 0, &r), STORE_OK);
    assert_int_equal(r.created + r.updated, 0);
    items_free(batch, 3);
    items_free(again, 4);
}

/* Every row of the table as a line of text, to compare before and after. */
static char *snapshot(struct store *s)
{
    struct stats_filter all = filter_for(0);
    struct stats_page p;
    assert_int_equal(store_stats_list(s, &all, &p), STORE_OK);
    buf out = BUF_INIT;
    for (size_t i = 0; i < p.count; i++)
        buf_printf(&out, "%lld %lld %s %s %d %s %s\n", (long long)p.rows[i].id,
                   (long long)p.rows[i].client_id, p.rows[i].uuid, p.rows[i].anr,
                   (int)p.rows[i].type, p.rows[i].date, p.rows[i].data);
    stats_page_free(&p);
    return buf_detach(&out, NULL);
}

static void expect_conflict(struct store *s, int64_t client, struct stats_item *batch, size_t n,
                            const char *message_part)
{
    char *before = snapshot(s);
    struct upsert_result r = {42, 42};
    assert_int_equal(store_stats_upsert(s, client, batch, n, &r), STORE_CONFLICT);
    assert_non_null(strstr(store_errmsg(s), message_part));
    assert_int_equal(r.created, 42); /* untouched */
    char *after = snapshot(s);
    assert_string_equal(after, before);
    free(before);
    free(after);
}

static void test_upsert_conflicts_store_nothing(void **state)
{
    struct store *s = *state;
    int64_t a = add_client(s, "a"), b = add_client(s, "b");
    struct stats_item x[] = {
        item(ANR1, STATS_RISK, "2026-05-18", "{\"x\":1}"),
        item(ANR2, STATS_RISK, "2026-05-18", "{\"x2\":1}"),
    };
    struct stats_item y = item(ANR2, STATS_RISK, "2026-05-18", "{\"y\":1}");
    struct upsert_result r;
    assert_int_equal(store_stats_upsert(s, a, x, 2, &r), STORE_OK);
    assert_int_equal(store_stats_upsert(s, b, &y, 1, &r), STORE_OK);

    /* An existing natural key given with another uuid, after a new item and an
     * update: both are rolled back. */
    struct stats_item mismatch[] = {
        item(ANR3, STATS_RISK, "2026-05-18", "{\"new\":1}"),
        item(ANR2, STATS_RISK, "2026-05-18", "{\"x2\":2}"),
        item(ANR1, STATS_RISK, "2026-05-18", "{\"x\":2}"),
    };
    snprintf(mismatch[2].uuid, UUID_STR_LEN, "%s", UUID_C);
    expect_conflict(s, a, mismatch, 3, UUID_C);
    assert_string_equal(mismatch[0].uuid, "");
    assert_string_equal(mismatch[1].uuid, "");

    /* A new item carrying the uuid of another client's stats. */
    struct stats_item stolen[] = {
        item(ANR3, STATS_THREAT, "2026-05-19", "{}"),
        item(ANR3, STATS_RISK, "2026-05-19", "{}"),
    };
    memcpy(stolen[1].uuid, y.uuid, UUID_STR_LEN);
    expect_conflict(s, a, stolen, 2, "already exists for another client or analysis");
    assert_string_equal(stolen[0].uuid, "");

    /* A new item carrying the uuid of the same client's stats of another key. */
    struct stats_item moved = item(ANR1, STATS_RISK, "2026-05-20", "{}");
    memcpy(moved.uuid, x[0].uuid, UUID_STR_LEN);
    expect_conflict(s, a, &moved, 1, x[0].uuid);

    assert_int_equal(stats_count(s), 3);
    struct stats_item orphan = item(ANR1, STATS_RISK, "2026-05-18", "{}");
    assert_int_equal(store_stats_upsert(s, 9999, &orphan, 1, &r), STORE_NOT_FOUND);
    assert_int_equal(stats_count(s), 3);

    items_free(x, 2);
    items_free(&y, 1);
    items_free(mismatch, 3);
    items_free(stolen, 2);
    items_free(&moved, 1);
    items_free(&orphan, 1);
}

static void test_upsert_large_batch(void **state)
{
    struct store *s = *state;
    int64_t a = add_client(s, "a");
    enum { N = 3000 };
    struct stats_item *batch = xcalloc(N, sizeof *batch);
    char anr[UUID_STR_LEN];
    for (int i = 0; i < N; i++) {
        snprintf(anr, sizeof anr, "%08d-0000-4000-8000-000000000000", i / 5);
        batch[i] = item(anr, (enum stats_type)(i % 5), "2026-05-18", "{\"n\":\"1.50\"}");
    }
    struct upsert_result r;
    assert_int_equal(store_stats_upsert(s, a, batch, N, &r), STORE_OK);
    assert_int_equal(r.created, N);
    for (int i = 0; i < N; i++)
        batch[i].uuid[0] = '\0';
    assert_int_equal(store_stats_upsert(s, a, batch, N, &r), STORE_OK);
    assert_int_equal(r.updated, N);
    assert_int_equal(stats_count(s), N);
    items_free(batch, N);
    free(batch);
}

/* --- listing --- */

/*
 * Client a: ANR1 risk 01-01 (id 1), ANR1 risk 01-02 (2), ANR1 threat 01-01 (3),
 *           ANR2 risk 01-01 (4), ANR3 risk 02-01 (5);
 * client b: ANR1 risk 01-03 (6), ANR2 threat 01-05 (7).
 * Rows print as "<first digit of the ANR>/<type>/<date>".
 */
static void fill(struct store *s, int64_t *a, int64_t *b)
{
    *a = add_client(s, "a");
    *b = add_client(s, "b");
    put(s, *a, ANR1, STATS_RISK, "2026-01-01", "{}");
    put(s, *a, ANR1, STATS_RISK, "2026-01-02", "{}");
    put(s, *a, ANR1, STATS_THREAT, "2026-01-01", "{}");
    put(s, *a, ANR2, STATS_RISK, "2026-01-01", "{}");
    put(s, *a, ANR3, STATS_RISK, "2026-02-01", "{}");
    put(s, *b, ANR1, STATS_RISK, "2026-01-03", "{}");
    put(s, *b, ANR2, STATS_THREAT, "2026-01-05", "{}");
}

static void test_list_filters(void **state)
{
    struct store *s = *state;
    int64_t a, b;
    fill(s, &a, &b);

    struct stats_filter f = risk_of(a); /* date, then insertion */
    PAGE(s, &f, 4, "1/0/2026-01-01", "2/0/2026-01-01", "1/0/2026-01-02", "3/0/2026-02-01");

    const char *one[] = {ANR1};
    f.anrs = one;
    f.n_anrs = 1;
    PAGE(s, &f, 2, "1/0/2026-01-01", "1/0/2026-01-02");
    const char *two[] = {ANR3, ANR1};
    f.anrs = two;
    f.n_anrs = 2;
    PAGE(s, &f, 3, "1/0/2026-01-01", "1/0/2026-01-02", "3/0/2026-02-01");
    f.n_anrs = 0; /* an empty list filters nothing */
    PAGE(s, &f, 4, "1/0/2026-01-01", "2/0/2026-01-01", "1/0/2026-01-02", "3/0/2026-02-01");

    f = risk_of(a);
    snprintf(f.date_from, DATE_STR_LEN, "2026-01-02");
    PAGE(s, &f, 2, "1/0/2026-01-02", "3/0/2026-02-01");
    snprintf(f.date_to, DATE_STR_LEN, "2026-01-02"); /* both bounds inclusive */
    PAGE(s, &f, 1, "1/0/2026-01-02");
    f = risk_of(a);
    snprintf(f.date_to, DATE_STR_LEN, "2026-01-01");
    PAGE(s, &f, 2, "1/0/2026-01-01", "2/0/2026-01-01");

    f = risk_of(0); /* admin: every client */
    PAGE(s, &f, 5, "1/0/2026-01-01", "2/0/2026-01-01", "1/0/2026-01-02", "1/0/2026-01-03", "3/0/2026-02-01");
    f = filter_for(b); /* every type */
    PAGE(s, &f, 2, "1/0/2026-01-03", "2/1/2026-01-05");
    f = filter_for(a);
    f.has_type = true;
    f.type = STATS_COMPLIANCE;
    assert_empty_page(s, &f, 0);

    f = filter_for(a);
    f.anrs = one;
    f.n_anrs = 1;
    f.order = STATS_ORDER_TYPE_DATE;
    PAGE(s, &f, 3, "1/0/2026-01-01", "1/0/2026-01-02", "1/1/2026-01-01");
    f.order = STATS_ORDER_DATE;
    PAGE(s, &f, 3, "1/0/2026-01-01", "1/1/2026-01-01", "1/0/2026-01-02");
}

/* local_only and sharing_only select by the owner's flags, alone or together. */
static void test_list_client_flags(void **state)
{
    struct store *s = *state;
    int64_t a, b;
    fill(s, &a, &b); /* both local and sharing */
    struct client cb;
    assert_int_equal(store_client_by_name(s, "b", &cb), STORE_OK);
    cb.local = false;
    assert_int_equal(store_client_update(s, &cb), STORE_OK);
    struct stats_filter f = risk_of(0);
    f.local_only = true;
    PAGE(s, &f, 4, "1/0/2026-01-01", "2/0/2026-01-01", "1/0/2026-01-02", "3/0/2026-02-01");
    f = risk_of(0);
    f.sharing_only = true;
    PAGE(s, &f, 5, "1/0/2026-01-01", "2/0/2026-01-01", "1/0/2026-01-02", "1/0/2026-01-03", "3/0/2026-02-01");

    struct client ca;
    assert_int_equal(store_client_by_name(s, "a", &ca), STORE_OK);
    ca.is_sharing_enabled = false;
    assert_int_equal(store_client_update(s, &ca), STORE_OK);
    PAGE(s, &f, 1, "1/0/2026-01-03");
    f.local_only = true; /* b is the only sharing client and is not local */
    assert_empty_page(s, &f, 0);
    f = risk_of(0);
    f.get_last = true;
    f.sharing_only = true;
    PAGE(s, &f, 1, "1/0/2026-01-03");
    f = risk_of(a);
    f.sharing_only = true; /* a's own stats, but a does not share */
    assert_empty_page(s, &f, 0);
    client_free(&ca);
    client_free(&cb);
}

static void test_list_pages(void **state)
{
    struct store *s = *state;
    int64_t a, b;
    fill(s, &a, &b);
    struct stats_filter f = risk_of(a);
    f.limit = 2;
    PAGE(s, &f, 4, "1/0/2026-01-01", "2/0/2026-01-01");
    f.offset = 2;
    PAGE(s, &f, 4, "1/0/2026-01-02", "3/0/2026-02-01");
    f.offset = 3;
    PAGE(s, &f, 4, "3/0/2026-02-01");
    f.offset = 10;
    assert_empty_page(s, &f, 4);
    f.limit = 0; /* offset without limit */
    f.offset = 1;
    PAGE(s, &f, 4, "2/0/2026-01-01", "1/0/2026-01-02", "3/0/2026-02-01");
    f.offset = 4;
    assert_empty_page(s, &f, 4);
    f.limit = 4;
    f.offset = 0;
    PAGE(s, &f, 4, "1/0/2026-01-01", "2/0/2026-01-01", "1/0/2026-01-02", "3/0/2026-02-01");
    f.offset = -1;
    struct stats_page p;
    assert_int_equal(store_stats_list(s, &f, &p), STORE_ERROR);
}

static void test_list_get_last(void **state)
{
    struct store *s = *state;
    int64_t a, b;
    fill(s, &a, &b);
    put(s, a, ANR2, STATS_RISK, "2025-12-01", "{}"); /* later inserted, older date: not the last */

    struct stats_filter f = risk_of(a);
    f.get_last = true;
    PAGE(s, &f, 3, "1/0/2026-01-02", "2/0/2026-01-01", "3/0/2026-02-01");
    snprintf(f.date_from, DATE_STR_LEN, "2030-01-01"); /* dates are ignored */
    snprintf(f.date_to, DATE_STR_LEN, "2030-12-31");
    PAGE(s, &f, 3, "1/0/2026-01-02", "2/0/2026-01-01", "3/0/2026-02-01");

    f.limit = 1;
    f.offset = 1;
    PAGE(s, &f, 3, "2/0/2026-01-01");
    f.offset = 5;
    assert_empty_page(s, &f, 3);

    /* Ordered by the ANR's first insertion, not by the id of its last row: a
     * new latest ANR1 row leaves ANR1 first. */
    put(s, a, ANR1, STATS_RISK, "2026-03-01", "{}");
    f = risk_of(a);
    f.get_last = true;
    PAGE(s, &f, 3, "1/0/2026-03-01", "2/0/2026-01-01", "3/0/2026-02-01");

    const char *anrs[] = {ANR3, ANR2};
    f.anrs = anrs;
    f.n_anrs = 2;
    PAGE(s, &f, 2, "2/0/2026-01-01", "3/0/2026-02-01");

    f = risk_of(0); /* one per (client, ANR) */
    f.get_last = true;
    PAGE(s, &f, 4, "1/0/2026-03-01", "2/0/2026-01-01", "3/0/2026-02-01", "1/0/2026-01-03");

    /* Without a type, a date tie between two types goes to the last stored. */
    put(s, a, ANR1, STATS_THREAT, "2026-03-01", "{}");
    f = filter_for(a);
    f.get_last = true;
    f.anrs = anrs + 1;
    f.n_anrs = 1;
    PAGE(s, &f, 1, "2/0/2026-01-01");
    const char *first[] = {ANR1};
    f.anrs = first;
    PAGE(s, &f, 1, "1/1/2026-03-01");
}

static void test_data_round_trips(void **state)
{
    struct store *s = *state;
    int64_t a = add_client(s, "a");
    buf big = BUF_INIT;
    buf_puts(&big, "[");
    for (int i = 0; i < 5000; i++)
        buf_printf(&big, "%s{\"label\":\"Menace n\xc2\xb0%d\",\"value\":\"%d.50\"}", i ? "," : "", i, i);
    buf_puts(&big, "]");
    const char *texts[] = {
        "{\"average\":\"1.50\",\"max\":1.50,\"min\":\"2.82\",\"n\":1e3}",
        /* "Sécurité – “quoted” 😀" as UTF-8 bytes */
        "{\"label\":\"S\xc3\xa9" "curit\xc3\xa9 \xe2\x80\x93 "
        "\xe2\x80\x9cquoted\xe2\x80\x9d \xf0\x9f\x98\x80\"}",
        "{\"escaped\":\"\\u00e9 a\\/b \\\"q\\\" \\\\\",\"null\":null,\"empty\":[]}",
        "  [ 1 ,\t2 ]  ",
        big.data,
    };
    enum { N = sizeof texts / sizeof *texts };
    struct stats_item batch[N];
    for (int i = 0; i < N; i++) {
        char date[DATE_STR_LEN];
        snprintf(date, sizeof date, "2026-01-%02d", i + 1);
        batch[i] = item(ANR1, STATS_VULNERABILITY, date, texts[i]);
    }
    struct upsert_result r;
    assert_int_equal(store_stats_upsert(s, a, batch, N, &r), STORE_OK);
    struct stats_filter f = filter_for(a);
    struct stats_page p;
    assert_int_equal(store_stats_list(s, &f, &p), STORE_OK);
    assert_int_equal(p.count, N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(strlen(p.rows[i].data), strlen(texts[i]));
        assert_memory_equal(p.rows[i].data, texts[i], strlen(texts[i]));
        assert_int_equal(p.rows[i].type, STATS_VULNERABILITY);
        assert_string_equal(p.rows[i].anr, ANR1);
        assert_string_equal(p.rows[i].uuid, batch[i].uuid);
    }
    assert_string_equal(p.rows[0].date, "2026-01-01");
    stats_page_free(&p);
    items_free(batch, N);
    buf_free(&big);
}

/* --- deletion, counts --- */

static void test_delete_anr(void **state)
{
    struct store *s = *state;
    int64_t a, b;
    fill(s, &a, &b);
    int64_t deleted;
    assert_int_equal(store_stats_delete_anr(s, a, ANR1, &deleted), STORE_OK);
    assert_int_equal(deleted, 3);
    assert_int_equal(stats_count(s), 4);
    struct stats_filter f = filter_for(b); /* b's ANR1 stays */
    PAGE(s, &f, 2, "1/0/2026-01-03", "2/1/2026-01-05");

    assert_int_equal(store_stats_delete_anr(s, 0, ANR2, &deleted), STORE_OK);
    assert_int_equal(deleted, 2);
    assert_int_equal(store_stats_delete_anr(s, a, ANR1, &deleted), STORE_OK);
    assert_int_equal(deleted, 0);
    assert_int_equal(stats_count(s), 2);
    f = filter_for(0);
    PAGE(s, &f, 2, "1/0/2026-01-03", "3/0/2026-02-01");
}

static void test_counts_and_reopen(void **state)
{
    struct store *s = *state;
    int64_t a, b, n;
    fill(s, &a, &b);
    assert_int_equal(stats_count(s), 7);
    assert_int_equal(store_client_count(s, &n), STORE_OK);
    assert_int_equal(n, 2);

    /* A second connection sees what the first committed. */
    struct store *other;
    char *err = NULL;
    assert_int_equal(store_open(fixture_db_uri, &other, &err), STORE_OK);
    assert_int_equal(store_stats_count(other, &n), STORE_OK);
    assert_int_equal(n, 7);
    store_close(other);
}

/* PostgreSQL: a connection the server dropped is re-opened by the next call.
 * (Nothing to do with SQLite; cmocka's skip() prints "not ok # SKIP", which
 * meson counts as a failure.) */
static void test_reconnects_after_losing_the_server(void **state)
{
    struct store *s = *state;
    if (fixture_on_sqlite())
        return;
    add_client(s, "before");
    PGconn *admin = PQconnectdb(fixture_db_uri);
    PQclear(PQexec(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"));
    PQfinish(admin);
    int64_t n = 0;
    if (store_client_count(s, &n) != STORE_OK) /* the call that finds the connection gone */
        assert_true(strlen(store_errmsg(s)) > 0);
    assert_int_equal(store_client_count(s, &n), STORE_OK);
    assert_int_equal(n, 1);
    add_client(s, "after");
}

/* --- deferred writes (sql_defer: PostgreSQL sends them in pipeline mode) --- */

static int64_t labels_count(struct store *s)
{
    int64_t n = -1;
    assert_int_equal(sql_int_value(s, "SELECT COUNT(*) FROM labels", NULL, 0, &n), STORE_OK);
    return n;
}

/* Inserts the labels row (owner, label1 = number): deferred. */
static enum store_rc defer_label(struct store *s, int number)
{
    char label[16];
    snprintf(label, sizeof label, "%d", number);
    const struct sql_value params[] = {sql_text("owner"), sql_text(label)};
    return sql_defer(s, "INSERT INTO labels (owner, label1, label2, label3, label4) VALUES (?, ?, '', '', '')",
                     params, 2);
}

/* More writes than the pipeline holds, then a query: all of them are there, in order. */
static void test_deferred_writes_are_all_applied(void **state)
{
    struct store *s = *state;
    assert_int_equal(sql_begin_write(s), STORE_OK);
    for (int i = 0; i < 600; i++)
        assert_int_equal(defer_label(s, i), STORE_OK);
    assert_int_equal(labels_count(s), 600);
    assert_int_equal(defer_label(s, 600), STORE_OK);
    assert_int_equal(sql_commit(s), STORE_OK);
    assert_int_equal(labels_count(s), 601);
}

/* A deferred write that breaks a key fails its transaction: the error comes
 * from the write itself (SQLite) or from the next statement (PostgreSQL), the
 * rollback leaves nothing of the transaction, and the connection goes on. */
static void assert_deferred_conflict(struct store *s, bool fail_at_commit)
{
    assert_int_equal(sql_begin_write(s), STORE_OK);
    assert_int_equal(defer_label(s, 1000), STORE_OK);
    enum store_rc rc = defer_label(s, 1); /* already stored */
    if (rc == STORE_OK) {
        int64_t n = 0;
        rc = fail_at_commit ? sql_commit(s) : sql_int_value(s, "SELECT COUNT(*) FROM labels", NULL, 0, &n);
    }
    assert_int_equal(rc, STORE_CONFLICT);
    assert_true(strlen(store_errmsg(s)) > 0);
    sql_rollback(s);
    assert_int_equal(labels_count(s), 3);
}

static void test_deferred_write_errors(void **state)
{
    struct store *s = *state;
    assert_int_equal(sql_begin_write(s), STORE_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(defer_label(s, i), STORE_OK);
    assert_int_equal(sql_commit(s), STORE_OK);
    assert_deferred_conflict(s, false);
    assert_deferred_conflict(s, true);
    /* Still usable for writes. */
    assert_int_equal(sql_begin_write(s), STORE_OK);
    assert_int_equal(defer_label(s, 3), STORE_OK);
    assert_int_equal(sql_commit(s), STORE_OK);
    assert_int_equal(labels_count(s), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        STORE_TEST(test_migrate_is_idempotent),
        STORE_TEST(test_backend_and_ping),
        cmocka_unit_test(test_open_rejects_bad_uris),
        cmocka_unit_test(test_create_database),
        STORE_TEST(test_client_crud),
        STORE_TEST(test_client_conflicts),
        STORE_TEST(test_client_missing),
        STORE_TEST(test_client_touch),
        STORE_TEST(test_client_delete_cascades),
        STORE_TEST(test_upsert_creates_then_updates),
        STORE_TEST(test_upsert_conflicts_store_nothing),
        STORE_TEST(test_upsert_large_batch),
        STORE_TEST(test_list_filters),
        STORE_TEST(test_list_client_flags),
        STORE_TEST(test_list_pages),
        STORE_TEST(test_list_get_last),
        STORE_TEST(test_data_round_trips),
        STORE_TEST(test_delete_anr),
        STORE_TEST(test_counts_and_reopen),
        STORE_TEST(test_reconnects_after_losing_the_server),
        STORE_TEST(test_deferred_writes_are_all_applied),
        STORE_TEST(test_deferred_write_errors),
    };
    return cmocka_run_group_tests_name("store", tests, fixture_group_setup, fixture_group_teardown);
}
