/*
 * maintenance.c — the stats operations of the operator's commands: reading a
 * selection page by page (push, export), deleting a client's stats, purging
 * old ones, checking for duplicates, listing the most recent.
 *
 * Selections are read by id ("keyset" paging: id > the last one seen) rather
 * than with OFFSET, so a long push or export costs one index range scan per
 * page and is not thrown off by rows written meanwhile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"

/* Appends the conditions of sel, and "id > after_id", to q (struct query, backend.h). */
static void add_selection(struct query *q, const struct stats_selection *sel, int64_t after_id)
{
    query_where(q, "id > ?", sql_int(after_id));
    if (sel->client_id)
        query_where(q, "client_id = ?", sql_int(sel->client_id));
    if (sel->shared_local_only)
        query_where_plain(q,
                          "client_id IN (SELECT id FROM clients WHERE local AND is_sharing_enabled)");
    if (sel->has_type)
        query_where(q, "type = ?", sql_int(sel->type));
    if (sel->date_from[0])
        query_where(q, "date >= ?", sql_text(sel->date_from));
    if (sel->date_to[0])
        query_where(q, "date <= ?", sql_text(sel->date_to));
}

enum store_rc store_stats_select(struct store *s, const struct stats_selection *sel,
                                 int64_t after_id, int64_t limit, struct stats_page *out)
{
    *out = (struct stats_page){0};
    struct query q = {0};
    buf_puts(&q.sql, "SELECT " STATS_COLUMNS " FROM stats");
    add_selection(&q, sel, after_id);
    buf_puts(&q.sql, " ORDER BY id LIMIT ?");
    query_bind(&q, sql_int(limit));
    out->rows = xcalloc((size_t)limit, sizeof *out->rows);
    enum store_rc rc = s->ops->query(s, q.sql.data, q.params, q.n);
    if (rc == STORE_OK) {
        while ((rc = s->ops->next_row(s)) == STORE_OK && out->count < (size_t)limit)
            stats_row_read(s, &out->rows[out->count++]);
        sql_end(s);
    }
    query_free(&q);
    if (rc != STORE_NOT_FOUND && rc != STORE_OK) {
        stats_page_free(out);
        return rc;
    }
    out->total = (int64_t)out->count;
    return STORE_OK;
}

enum store_rc store_stats_select_count(struct store *s, const struct stats_selection *sel,
                                       int64_t *count)
{
    struct query q = {0};
    buf_puts(&q.sql, "SELECT COUNT(*) FROM stats");
    add_selection(&q, sel, 0);
    enum store_rc rc = sql_int_value(s, q.sql.data, q.params, q.n, count);
    query_free(&q);
    return rc;
}

enum store_rc store_stats_delete_client(struct store *s, int64_t client_id, bool has_type,
                                        enum stats_type type, int64_t *deleted)
{
    const struct sql_value params[] = {sql_int(client_id), sql_int(type)};
    if (has_type)
        return sql_run_as_writer(s, client_id, "DELETE FROM stats WHERE client_id = ? AND type = ?", params, 2,
                                 deleted);
    return sql_run_as_writer(s, client_id, "DELETE FROM stats WHERE client_id = ?", params, 1, deleted);
}

enum store_rc store_stats_purge(struct store *s, const char *before, int64_t *deleted)
{
    struct sql_value date = sql_text(before);
    return sql_run_as_writer(s, 0, "DELETE FROM stats WHERE date < ?", &date, 1, deleted);
}

enum store_rc store_stats_count_duplicates(struct store *s, enum stats_type type,
                                           const char *before, int64_t *keys)
{
    const struct sql_value params[] = {sql_int(type), sql_text(before)};
    if (before[0])
        return sql_int_value(s,
            "SELECT COUNT(*) FROM (SELECT 1 FROM stats WHERE type = ? AND date < ? "
            "GROUP BY client_id, anr, type, date HAVING COUNT(*) > 1) AS keys",
            params, 2, keys);
    return sql_int_value(s,
        "SELECT COUNT(*) FROM (SELECT 1 FROM stats WHERE type = ? "
        "GROUP BY client_id, anr, type, date HAVING COUNT(*) > 1) AS keys",
        params, 1, keys);
}

void stats_recent_list_free(struct stats_recent_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i].client_name);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

enum store_rc store_stats_recent(struct store *s, int64_t limit, struct stats_recent_list *out)
{
    *out = (struct stats_recent_list){0};
    struct sql_value max = sql_int(limit);
    enum store_rc rc = s->ops->query(s,
        "SELECT s.uuid, s.anr, s.type, s.date, c.name FROM stats AS s "
        "JOIN clients AS c ON c.id = s.client_id ORDER BY s.date DESC, s.id DESC LIMIT ?",
        &max, 1);
    if (rc != STORE_OK)
        return rc;
    out->items = xcalloc((size_t)limit, sizeof *out->items);
    while ((rc = s->ops->next_row(s)) == STORE_OK && out->count < (size_t)limit) {
        struct stats_recent *r = &out->items[out->count++];
        snprintf(r->uuid, sizeof r->uuid, "%s", s->ops->get_text(s, 0));
        snprintf(r->anr, sizeof r->anr, "%s", s->ops->get_text(s, 1));
        r->type = (enum stats_type)s->ops->get_int(s, 2);
        snprintf(r->date, sizeof r->date, "%s", s->ops->get_text(s, 3));
        r->client_name = xstrdup(s->ops->get_text(s, 4));
    }
    sql_end(s);
    if (rc != STORE_NOT_FOUND && rc != STORE_OK) {
        stats_recent_list_free(out);
        return rc;
    }
    return STORE_OK;
}
