/*
 * import.c — storing what comes from elsewhere with its identity kept: stats
 * pulled from another instance or taken over from the original's database
 * (inserted only when new, with their facts, like any stats row), and clients
 * taken over with their dates.
 */
#include <string.h>

#include "store/backend.h"

/* True (row read and ended) when the uuid is stored, or the client holds the natural key. */
static enum store_rc is_known(struct store *s, int64_t client_id, const struct stats_item *item,
                              bool *known)
{
    const struct sql_value params[] = {sql_text(item->uuid), sql_int(client_id),
                                       sql_text(item->anr), sql_int(item->type),
                                       sql_text(item->date)};
    enum store_rc rc = sql_first_row(s,
        "SELECT 1 FROM stats WHERE uuid = ? "
        "OR (client_id = ? AND anr = ? AND type = ? AND date = ?) LIMIT 1",
        params, 5);
    *known = rc == STORE_OK;
    if (rc == STORE_OK)
        sql_end(s);
    return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

static enum store_rc insert_new(struct store *s, int64_t client_id, const struct stats_item *item,
                                const char *now, struct insert_result *counts)
{
    bool known;
    enum store_rc rc = is_known(s, client_id, item, &known);
    if (rc != STORE_OK)
        return rc;
    if (known) {
        counts->skipped++;
        return STORE_OK;
    }
    int64_t id = 0;
    rc = stats_row_insert(s, client_id, item, item->uuid, now, &id);
    if (rc == STORE_CONFLICT) /* another connection stored it since the check */
        return store_fail(s, STORE_CONFLICT,
                          "Stats %s was being stored by another connection at the same time; retry.",
                          item->uuid);
    if (rc != STORE_OK)
        return rc;
    rc = facts_insert(s, id, client_id, item->anr, item->type, item->date, item->data, item->facts);
    counts->inserted += rc == STORE_OK;
    return rc;
}

enum store_rc store_stats_insert_new(struct store *s, int64_t client_id,
                                     const struct stats_item *items, size_t n,
                                     struct insert_result *result)
{
    struct insert_result counts = {0, 0};
    char now[TIMESTAMP_STR_LEN];
    timestamp_now(now);
    enum store_rc rc = sql_begin_write(s);
    if (rc != STORE_OK)
        return rc;
    rc = store_require_client(s, client_id);
    if (rc == STORE_OK)
        rc = store_lock_writer(s, client_id);
    for (size_t i = 0; i < n && rc == STORE_OK; i++)
        rc = insert_new(s, client_id, &items[i], now, &counts);
    if (rc == STORE_OK)
        rc = sql_commit(s);
    if (rc != STORE_OK) {
        sql_rollback(s);
        return rc;
    }
    *result = counts;
    return STORE_OK;
}

enum store_rc store_client_import(struct store *s, struct client *c)
{
    char created_at[TIMESTAMP_STR_LEN], last_seen[TIMESTAMP_STR_LEN];
    memcpy(created_at, c->created_at, sizeof created_at);
    memcpy(last_seen, c->last_seen, sizeof last_seen);
    enum store_rc rc = sql_begin_write(s);
    if (rc != STORE_OK)
        return rc;
    rc = store_client_create(s, c);
    if (rc == STORE_OK) {
        const struct sql_value params[] = {
            sql_text(created_at), last_seen[0] ? sql_text(last_seen) : sql_null(), sql_int(c->id),
        };
        rc = sql_run(s, "UPDATE clients SET created_at = ?, last_seen = ? WHERE id = ?", params, 3,
                     NULL);
    }
    if (rc == STORE_OK)
        rc = sql_commit(s);
    if (rc != STORE_OK)
        sql_rollback(s);
    memcpy(c->created_at, created_at, sizeof created_at);
    memcpy(c->last_seen, last_seen, sizeof last_seen);
    return rc;
}
