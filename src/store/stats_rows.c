/*
 * stats_rows.c — the stats table: batch upsert, filtered listing, deletion, counts.
 *
 * Listing builds its SQL from the filter with the query builder (query.c).
 *
 * get_last keeps, per (client, ANR), the row with the latest date (ties: the
 * highest id, i.e. the last stored), and orders those rows by the ANR's first
 * insertion: the smallest id among that client's rows of that ANR which match
 * the filter (type, ANRs).  Date bounds and `order` do not apply to it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"
#include "util/strmap.h"

/* --- upsert --- */

enum store_rc stats_row_insert(struct store *s, int64_t client_id, const struct stats_item *item,
                               const char *uuid, const char *now, int64_t *id)
{
    *id = 0;
    const struct sql_value params[] = {
        sql_text(uuid), sql_int(client_id), sql_text(item->anr), sql_int(item->type),
        sql_text(item->date), sql_text(item->data), sql_text(now), sql_text(now),
    };
    enum store_rc rc = sql_first_row(s,
        "INSERT INTO stats (uuid, client_id, anr, type, date, data, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params, sizeof params / sizeof *params);
    if (rc == STORE_NOT_FOUND)
        return store_fail(s, STORE_ERROR, "The database did not return the new stats' id.");
    if (rc == STORE_OK) {
        *id = s->ops->get_int(s, 0);
        sql_end(s);
    }
    return rc;
}

/* Inserts the row and its facts; *id receives the row's id. */
static enum store_rc insert_item(struct store *s, struct facts_writer *w, int64_t client_id,
                                 const struct stats_item *item, const char *uuid, const char *now,
                                 int64_t *id)
{
    enum store_rc rc = stats_row_insert(s, client_id, item, uuid, now, id);
    if (rc == STORE_OK)
        return facts_writer_insert(w, s, *id, client_id, item->anr, item->type, item->date, item->data, item->facts);
    if (rc != STORE_CONFLICT)
        return rc;
    if (s->conflict == STORE_KEY_STATS_UUID)
        return store_fail(s, STORE_CONFLICT, "Stats %s already exists for another client or analysis.", uuid);
    if (s->conflict == STORE_KEY_STATS_NATURAL) /* only when another connection inserted it meanwhile */
        return store_fail(s, STORE_CONFLICT,
                          "Stats of analysis %s dated %s were being stored by another request; retry.",
                          item->anr, item->date);
    return rc;
}

/* Rewrites data (and its facts) only when it changed, so re-sending a day's
 * upload costs no writes. */
static enum store_rc update_item(struct store *s, struct facts_writer *w, int64_t id, int64_t client_id,
                                 const struct stats_item *item, const char *now)
{
    const struct sql_value params[] = {sql_text(item->data), sql_text(now), sql_int(id),
                                       sql_text(item->data)};
    int64_t changed = 0;
    enum store_rc rc = sql_run(s, "UPDATE stats SET data = ?, updated_at = ? WHERE id = ? AND data <> ?",
                               params, 4, &changed);
    if (rc != STORE_OK || changed == 0)
        return rc;
    rc = facts_writer_delete(w, s, id);
    if (rc == STORE_OK)
        rc = facts_writer_insert(w, s, id, client_id, item->anr, item->type, item->date, item->data, item->facts);
    return rc;
}

/* The rows of the client that the batch's (anr, type, date) keys already name,
 * read with one query for the whole batch rather than one per item (a round
 * trip each on PostgreSQL), and kept up to date as the batch inserts. */
struct stored_keys {
    struct strmap index;       /* "anr|type|date" → position in rows */
    struct stored_key {
        int64_t id;
        char uuid[UUID_STR_LEN];
    } *rows;
    size_t n, cap;
};

#define STORED_KEY_LEN (UUID_STR_LEN + 16 + DATE_STR_LEN)

static void stored_key_text(char out[STORED_KEY_LEN], const char *anr, int type, const char *date)
{
    snprintf(out, STORED_KEY_LEN, "%s|%d|%s", anr, type, date);
}

static const struct stored_key *stored_key_find(const struct stored_keys *k, const struct stats_item *item)
{
    char key[STORED_KEY_LEN];
    stored_key_text(key, item->anr, item->type, item->date);
    const size_t *pos = strmap_find(&k->index, key);
    return pos ? &k->rows[*pos] : NULL;
}

static void stored_keys_init(struct stored_keys *k)
{
    *k = (struct stored_keys){0};
    strmap_init(&k->index);
}

static void stored_key_add(struct stored_keys *k, const char *anr, int type, const char *date, int64_t id,
                           const char *uuid)
{
    if (!k->rows || k->n == k->cap) {
        k->cap = k->rows ? 2 * k->cap : 64;
        k->rows = xrealloc(k->rows, k->cap * sizeof *k->rows);
    }
    k->rows[k->n].id = id;
    snprintf(k->rows[k->n].uuid, UUID_STR_LEN, "%s", uuid);
    char key[STORED_KEY_LEN];
    stored_key_text(key, anr, type, date);
    strmap_add(&k->index, key, k->n++);
}

static void stored_keys_free(struct stored_keys *k)
{
    strmap_free(&k->index);
    free(k->rows);
}

/* Reads the stored rows of the batch's analyses within its dates (a daily
 * upload: one date, at most one row per type and analysis). */
static enum store_rc read_stored_keys(struct store *s, int64_t client_id, const struct stats_item *items,
                                      size_t n, struct stored_keys *k)
{
    if (n == 0)
        return STORE_OK; /* no ANR at all would mean every ANR */
    const char **anrs = xcalloc(n, sizeof *anrs);
    struct strmap seen;
    strmap_init(&seen);
    struct stats_filter f = {.client_id = client_id};
    for (size_t i = 0; i < n; i++) {
        if (!strmap_find(&seen, items[i].anr)) {
            strmap_add(&seen, items[i].anr, 0);
            anrs[f.n_anrs++] = items[i].anr;
        }
        if (!f.date_from[0] || strcmp(items[i].date, f.date_from) < 0)
            snprintf(f.date_from, sizeof f.date_from, "%s", items[i].date);
        if (strcmp(items[i].date, f.date_to) > 0)
            snprintf(f.date_to, sizeof f.date_to, "%s", items[i].date);
    }
    f.anrs = anrs;
    struct query q = {0};
    buf_puts(&q.sql, "SELECT id, uuid, anr, type, date FROM stats");
    query_add_filters(s, &q, &f);
    enum store_rc rc = s->ops->query(s, q.sql.data, q.params, q.n);
    if (rc == STORE_OK) {
        while ((rc = s->ops->next_row(s)) == STORE_OK)
            stored_key_add(k, s->ops->get_text(s, 2), (int)s->ops->get_int(s, 3), s->ops->get_text(s, 4),
                           s->ops->get_int(s, 0), s->ops->get_text(s, 1));
        sql_end(s);
    }
    query_free(&q);
    strmap_free(&seen);
    free(anrs);
    return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

/* Stores one item; `stored_uuid` receives the uuid it ends up with. */
static enum store_rc upsert_item(struct store *s, struct facts_writer *w, struct stored_keys *stored,
                                 int64_t client_id, const struct stats_item *item, const char *now,
                                 char stored_uuid[UUID_STR_LEN], struct upsert_result *counts)
{
    const struct stored_key *row = stored_key_find(stored, item);
    if (!row) {
        if (item->uuid[0])
            memcpy(stored_uuid, item->uuid, UUID_STR_LEN);
        else
            uuid_generate_time_ordered_str(stored_uuid);
        int64_t id = 0;
        enum store_rc rc = insert_item(s, w, client_id, item, stored_uuid, now, &id);
        if (rc == STORE_OK) /* the same key later in the batch updates this row */
            stored_key_add(stored, item->anr, item->type, item->date, id, stored_uuid);
        counts->created += rc == STORE_OK;
        return rc;
    }
    memcpy(stored_uuid, row->uuid, UUID_STR_LEN);
    if (item->uuid[0] && strcmp(item->uuid, stored_uuid) != 0)
        return store_fail(s, STORE_CONFLICT,
                          "Stats %s conflicts with stats %s, already stored for analysis %s on %s.",
                          item->uuid, stored_uuid, item->anr, item->date);
    enum store_rc rc = update_item(s, w, row->id, client_id, item, now);
    counts->updated += rc == STORE_OK;
    return rc;
}

enum store_rc store_require_client(struct store *s, int64_t client_id)
{
    struct sql_value id = sql_int(client_id);
    enum store_rc rc = sql_first_row(s, "SELECT id FROM clients WHERE id = ?", &id, 1);
    if (rc == STORE_NOT_FOUND)
        return store_fail(s, STORE_NOT_FOUND, "No client with id %lld.", (long long)client_id);
    if (rc == STORE_OK)
        sql_end(s);
    return rc;
}

enum store_rc store_lock_client(struct store *s, int64_t client_id)
{
    if (!s->ops->client_lock)
        return STORE_OK;
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)client_id);
    struct sql_value param = sql_text(key);
    return sql_run(s, s->ops->client_lock, &param, 1, NULL);
}

enum store_rc store_lock_writer(struct store *s, int64_t client_id)
{
    if (!s->ops->writers_lock)
        return STORE_OK;
    if (client_id == 0)
        return sql_run(s, s->ops->writers_lock, NULL, 0, NULL);
    enum store_rc rc = sql_run(s, s->ops->writers_lock_shared, NULL, 0, NULL);
    return rc == STORE_OK ? store_lock_client(s, client_id) : rc;
}

enum store_rc sql_run_as_writer(struct store *s, int64_t client_id, const char *sql,
                                const struct sql_value *params, size_t n, int64_t *changed)
{
    enum store_rc rc = sql_begin_write(s);
    if (rc != STORE_OK)
        return rc;
    rc = store_lock_writer(s, client_id);
    if (rc == STORE_OK)
        rc = sql_run(s, sql, params, n, changed);
    if (rc == STORE_OK)
        rc = sql_commit(s);
    if (rc != STORE_OK)
        sql_rollback(s);
    return rc;
}

/* The items' uuids are written only once the batch is committed, so a failed
 * batch leaves the caller's items as they were. */
enum store_rc store_stats_upsert(struct store *s, int64_t client_id, struct stats_item *items,
                                 size_t n, struct upsert_result *result)
{
    struct upsert_result counts = {0, 0};
    char now[TIMESTAMP_STR_LEN];
    timestamp_now(now);
    char (*uuids)[UUID_STR_LEN] = xcalloc(n ? n : 1, UUID_STR_LEN);
    struct facts_writer *w = facts_writer_new();
    struct stored_keys stored;
    stored_keys_init(&stored);
    enum store_rc rc = sql_begin_write(s);
    if (rc != STORE_OK)
        goto out;
    rc = store_require_client(s, client_id);
    if (rc == STORE_OK)
        rc = store_lock_writer(s, client_id);
    if (rc == STORE_OK)
        rc = read_stored_keys(s, client_id, items, n, &stored);
    for (size_t i = 0; i < n && rc == STORE_OK; i++)
        rc = upsert_item(s, w, &stored, client_id, &items[i], now, uuids[i], &counts);
    if (rc == STORE_OK)
        rc = facts_writer_flush(w, s);
    if (rc == STORE_OK)
        rc = sql_commit(s);
    if (rc != STORE_OK) {
        sql_rollback(s);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        memcpy(items[i].uuid, uuids[i], UUID_STR_LEN);
    *result = counts;
out:
    stored_keys_free(&stored);
    facts_writer_free(w);
    free(uuids);
    return rc;
}

/* --- listing --- */

static void build_rows_query(struct store *s, struct query *q, const struct stats_filter *f)
{
    if (f->get_last) {
        /* Ranks on index columns only, then reads the data of the winners. */
        buf_puts(&q->sql,
                 "SELECT s.id, s.client_id, s.uuid, s.anr, s.type, s.date, s.data FROM stats AS s "
                 "JOIN (SELECT id, first_id FROM (SELECT id, "
                 "ROW_NUMBER() OVER (PARTITION BY client_id, anr ORDER BY date DESC, id DESC) AS pos, "
                 "MIN(id) OVER (PARTITION BY client_id, anr) AS first_id FROM stats");
        query_add_filters(s, q, f);
        buf_puts(&q->sql,
                 ") AS ranked WHERE pos = 1) AS latest ON s.id = latest.id ORDER BY latest.first_id");
    } else {
        buf_puts(&q->sql, "SELECT " STATS_COLUMNS " FROM stats");
        query_add_filters(s, q, f);
        buf_puts(&q->sql, f->order == STATS_ORDER_TYPE_DATE ? " ORDER BY type, date, id"
                                                             : " ORDER BY date, id");
    }
    buf_puts(&q->sql, " LIMIT ? OFFSET ?");
    query_bind(q, sql_int(f->limit > 0 ? f->limit : INT64_MAX));
    query_bind(q, sql_int(f->offset));
}

static void build_count_query(struct store *s, struct query *q, const struct stats_filter *f)
{
    if (f->get_last) {
        buf_puts(&q->sql, "SELECT COUNT(*) FROM (SELECT 1 FROM stats");
        query_add_filters(s, q, f);
        buf_puts(&q->sql, " GROUP BY client_id, anr) AS pairs");
    } else {
        buf_puts(&q->sql, "SELECT COUNT(*) FROM stats");
        query_add_filters(s, q, f);
    }
}

void stats_row_read(struct store *s, struct stats_row *r)
{
    const struct store_ops *db = s->ops;
    r->id = db->get_int(s, 0);
    r->client_id = db->get_int(s, 1);
    snprintf(r->uuid, sizeof r->uuid, "%s", db->get_text(s, 2));
    snprintf(r->anr, sizeof r->anr, "%s", db->get_text(s, 3));
    r->type = (enum stats_type)db->get_int(s, 4);
    snprintf(r->date, sizeof r->date, "%s", db->get_text(s, 5));
    r->data = xstrdup(db->get_text(s, 6));
}

static enum store_rc fetch_rows(struct store *s, const struct stats_filter *f, struct stats_page *out)
{
    struct query q = {0};
    size_t cap = 0;
    build_rows_query(s, &q, f);
    enum store_rc rc = s->ops->query(s, q.sql.data, q.params, q.n);
    if (rc == STORE_OK) {
        while ((rc = s->ops->next_row(s)) == STORE_OK) {
            if (out->count == cap) {
                cap = cap ? cap * 2 : 16;
                out->rows = xrealloc(out->rows, cap * sizeof *out->rows);
            }
            stats_row_read(s, &out->rows[out->count++]);
        }
        sql_end(s);
        if (rc == STORE_NOT_FOUND)
            rc = STORE_OK;
    }
    query_free(&q);
    return rc;
}

/* The page tells the total when it ended before its limit with rows in it (or
 * at offset 0); otherwise the rows are counted. */
static enum store_rc find_total(struct store *s, const struct stats_filter *f, struct stats_page *out)
{
    bool page_not_full = f->limit == 0 || (int64_t)out->count < f->limit;
    if (page_not_full && (out->count > 0 || f->offset == 0)) {
        out->total = f->offset + (int64_t)out->count;
        return STORE_OK;
    }
    struct query q = {0};
    build_count_query(s, &q, f);
    enum store_rc rc = sql_int_value(s, q.sql.data, q.params, q.n, &out->total);
    query_free(&q);
    return rc;
}

enum store_rc store_stats_list(struct store *s, const struct stats_filter *f, struct stats_page *out)
{
    *out = (struct stats_page){0};
    if (f->offset < 0 || f->limit < 0)
        return store_fail(s, STORE_ERROR, "Offset and limit must not be negative.");
    enum store_rc rc = fetch_rows(s, f, out);
    if (rc == STORE_OK)
        rc = find_total(s, f, out);
    if (rc != STORE_OK)
        stats_page_free(out);
    return rc;
}

/* --- deletion, counts --- */

enum store_rc store_stats_delete_anr(struct store *s, int64_t client_id, const char *anr,
                                     int64_t *deleted)
{
    const struct sql_value params[] = {sql_text(anr), sql_int(client_id)};
    if (client_id == 0)
        return sql_run_as_writer(s, 0, "DELETE FROM stats WHERE anr = ?", params, 1, deleted);
    return sql_run_as_writer(s, client_id, "DELETE FROM stats WHERE anr = ? AND client_id = ?", params, 2,
                             deleted);
}

enum store_rc store_stats_count(struct store *s, int64_t *count)
{
    return sql_int_value(s, "SELECT COUNT(*) FROM stats", NULL, 0, count);
}

enum store_rc store_summary(struct store *s, struct store_summary *out)
{
    static const char sql[] =
        "SELECT (SELECT COUNT(*) FROM clients WHERE role = ?),"
        " (SELECT COUNT(*) FROM clients WHERE role = ? AND is_sharing_enabled),"
        " (SELECT COUNT(*) FROM stats),"
        " (SELECT MAX(stats.updated_at) FROM stats JOIN clients ON clients.id = stats.client_id"
        "  WHERE clients.is_sharing_enabled)";
    const struct sql_value users[] = {sql_int(CLIENT_ROLE_USER), sql_int(CLIENT_ROLE_USER)};
    enum store_rc rc = sql_first_row(s, sql, users, 2);
    if (rc == STORE_NOT_FOUND)
        return store_fail(s, STORE_ERROR, "The database returned no row for a count.");
    if (rc != STORE_OK)
        return rc;
    *out = (struct store_summary){.organisations = s->ops->get_int(s, 0),
                                  .sharing_organisations = s->ops->get_int(s, 1),
                                  .stats = s->ops->get_int(s, 2)};
    if (!s->ops->is_null(s, 3))
        snprintf(out->last_received, sizeof out->last_received, "%.10s", s->ops->get_text(s, 3));
    sql_end(s);
    return STORE_OK;
}
