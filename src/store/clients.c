/*
 * clients.c — the clients table: create, look up, list, update, touch, delete.
 *
 * Booleans are read through CAST(… AS INTEGER) so both backends answer 0/1
 * (PostgreSQL stores them as BOOLEAN); timestamps are UTC ISO 8601 text, which
 * sorts chronologically, so "older than" is a string comparison.
 */
#include <stdio.h>
#include <string.h>

#include "store/backend.h"

#define CLIENT_COLUMNS                                                                   \
    "id, uuid, name, token_hash, role, CAST(is_sharing_enabled AS INTEGER), "           \
    "CAST(local AS INTEGER), latitude, longitude, created_at, last_seen"

/* Copies a column into a fixed field, cut to fit (the fields are sized for their format). */
static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static void read_client(struct store *s, struct client *c)
{
    const struct store_ops *db = s->ops;
    *c = (struct client){0};
    c->id = db->get_int(s, 0);
    copy_text(c->uuid, sizeof c->uuid, db->get_text(s, 1));
    c->name = xstrdup(db->get_text(s, 2));
    copy_text(c->token_hash, sizeof c->token_hash, db->get_text(s, 3));
    c->role = db->get_int(s, 4) == CLIENT_ROLE_ADMIN ? CLIENT_ROLE_ADMIN : CLIENT_ROLE_USER;
    c->is_sharing_enabled = db->get_int(s, 5) != 0;
    c->local = db->get_int(s, 6) != 0;
    c->has_coordinates = !db->is_null(s, 7) && !db->is_null(s, 8);
    if (c->has_coordinates) {
        c->latitude = db->get_real(s, 7);
        c->longitude = db->get_real(s, 8);
    }
    copy_text(c->created_at, sizeof c->created_at, db->get_text(s, 9));
    if (!db->is_null(s, 10))
        copy_text(c->last_seen, sizeof c->last_seen, db->get_text(s, 10));
}

/* Words for a broken unique key of the clients table. */
static enum store_rc client_conflict(struct store *s, const struct client *c)
{
    switch (s->conflict) {
    case STORE_KEY_CLIENT_UUID:
        return store_fail(s, STORE_CONFLICT, "A client with uuid %s already exists.", c->uuid);
    case STORE_KEY_CLIENT_NAME:
        return store_fail(s, STORE_CONFLICT, "A client named \"%s\" already exists.", c->name);
    case STORE_KEY_CLIENT_TOKEN:
        return store_fail(s, STORE_CONFLICT, "This token is already used by another client.");
    default:
        return STORE_CONFLICT; /* the backend's own message stays */
    }
}

static struct sql_value coordinate(const struct client *c, double value)
{
    return c->has_coordinates ? sql_real(value) : sql_null();
}

enum store_rc store_client_create(struct store *s, struct client *c)
{
    if (c->uuid[0] == '\0')
        uuid_generate_str(c->uuid);
    timestamp_now(c->created_at);
    c->last_seen[0] = '\0';
    const struct sql_value params[] = {
        sql_text(c->uuid), sql_text(c->name), sql_text(c->token_hash), sql_int(c->role),
        sql_int(c->is_sharing_enabled), sql_int(c->local), coordinate(c, c->latitude),
        coordinate(c, c->longitude), sql_text(c->created_at),
    };
    enum store_rc rc = sql_first_row(s,
        "INSERT INTO clients (uuid, name, token_hash, role, is_sharing_enabled, local, "
        "latitude, longitude, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params, sizeof params / sizeof *params);
    if (rc == STORE_CONFLICT)
        return client_conflict(s, c);
    if (rc == STORE_NOT_FOUND)
        return store_fail(s, STORE_ERROR, "The database did not return the new client's id.");
    if (rc != STORE_OK)
        return rc;
    c->id = s->ops->get_int(s, 0);
    sql_end(s);
    return STORE_OK;
}

static enum store_rc client_where(struct store *s, const char *sql, struct sql_value key,
                                  struct client *out)
{
    *out = (struct client){0};
    enum store_rc rc = sql_first_row(s, sql, &key, 1);
    if (rc == STORE_NOT_FOUND)
        return store_fail(s, STORE_NOT_FOUND, "No such client.");
    if (rc != STORE_OK)
        return rc;
    read_client(s, out);
    sql_end(s);
    return STORE_OK;
}

enum store_rc store_client_by_token_hash(struct store *s, const char *token_hash, struct client *out)
{
    return client_where(s, "SELECT " CLIENT_COLUMNS " FROM clients WHERE token_hash = ?",
                        sql_text(token_hash), out);
}

enum store_rc store_client_by_uuid(struct store *s, const char *uuid, struct client *out)
{
    return client_where(s, "SELECT " CLIENT_COLUMNS " FROM clients WHERE uuid = ?", sql_text(uuid), out);
}

enum store_rc store_client_by_name(struct store *s, const char *name, struct client *out)
{
    return client_where(s, "SELECT " CLIENT_COLUMNS " FROM clients WHERE name = ?", sql_text(name), out);
}

enum store_rc store_client_list(struct store *s, struct client_list *out)
{
    size_t cap = 0;
    *out = (struct client_list){0};
    enum store_rc rc = s->ops->query(s, "SELECT " CLIENT_COLUMNS " FROM clients ORDER BY id", NULL, 0);
    if (rc != STORE_OK)
        return rc;
    while ((rc = s->ops->next_row(s)) == STORE_OK) {
        if (out->count == cap) {
            cap = cap ? cap * 2 : 16;
            out->items = xrealloc(out->items, cap * sizeof *out->items);
        }
        read_client(s, &out->items[out->count++]);
    }
    sql_end(s);
    if (rc != STORE_NOT_FOUND) {
        client_list_free(out);
        return rc;
    }
    return STORE_OK;
}

enum store_rc store_client_update(struct store *s, const struct client *c)
{
    const struct sql_value params[] = {
        sql_text(c->name), sql_text(c->token_hash), sql_int(c->role), sql_int(c->is_sharing_enabled),
        sql_int(c->local), coordinate(c, c->latitude), coordinate(c, c->longitude), sql_int(c->id),
    };
    int64_t changed;
    enum store_rc rc = sql_run(s,
        "UPDATE clients SET name = ?, token_hash = ?, role = ?, is_sharing_enabled = ?, local = ?, "
        "latitude = ?, longitude = ? WHERE id = ?",
        params, sizeof params / sizeof *params, &changed);
    if (rc == STORE_CONFLICT)
        return client_conflict(s, c);
    if (rc != STORE_OK)
        return rc;
    if (changed == 0)
        return store_fail(s, STORE_NOT_FOUND, "No client with id %lld.", (long long)c->id);
    return STORE_OK;
}

/*
 * Called on every authenticated request: the common case (seen recently) is a
 * single indexed read.  The UPDATE repeats the age condition so that two
 * requests racing past the read still write once.
 */
enum store_rc store_client_touch(struct store *s, int64_t client_id, int min_age_s)
{
    char now[TIMESTAMP_STR_LEN], threshold[TIMESTAMP_STR_LEN];
    timestamp_now(now);
    timestamp_ago(min_age_s, threshold);
    struct sql_value id = sql_int(client_id);
    enum store_rc rc = sql_first_row(s, "SELECT last_seen FROM clients WHERE id = ?", &id, 1);
    if (rc == STORE_NOT_FOUND)
        return store_fail(s, STORE_NOT_FOUND, "No client with id %lld.", (long long)client_id);
    if (rc != STORE_OK)
        return rc;
    bool recent = !s->ops->is_null(s, 0) && strcmp(s->ops->get_text(s, 0), threshold) >= 0;
    sql_end(s);
    if (recent)
        return STORE_OK;
    const struct sql_value params[] = {sql_text(now), id, sql_text(threshold)};
    return sql_run(s,
                   "UPDATE clients SET last_seen = ? WHERE id = ? AND (last_seen IS NULL OR last_seen < ?)",
                   params, 3, NULL);
}

/* The stats go with it through the foreign key's ON DELETE CASCADE, in the same statement. */
enum store_rc store_client_delete(struct store *s, int64_t client_id)
{
    struct sql_value id = sql_int(client_id);
    int64_t changed;
    enum store_rc rc = sql_run_as_writer(s, client_id, "DELETE FROM clients WHERE id = ?", &id, 1, &changed);
    if (rc != STORE_OK)
        return rc;
    if (changed == 0)
        return store_fail(s, STORE_NOT_FOUND, "No client with id %lld.", (long long)client_id);
    return STORE_OK;
}

enum store_rc store_client_count(struct store *s, int64_t *count)
{
    return sql_int_value(s, "SELECT COUNT(*) FROM clients", NULL, 0, count);
}
