/*
 * query.c — a SELECT assembled from a stats_filter (struct query, backend.h),
 * shared by the stats rows (stats_rows.c) and the facts (facts/).
 *
 * Which conditions are present changes the text, so each shape of query is
 * prepared once per connection and reused; the values are always bound.  A
 * set of several ANRs is bound as one parameter (a JSON array for SQLite's
 * json_each, an array for PostgreSQL's ANY), so the statement does not depend
 * on how many there are.  Conditions name the columns client_id, type, anr
 * and date, so they apply to any table (or single-table subquery) that has
 * them.
 */
#include <assert.h>

#include "store/backend.h"

void query_bind(struct query *q, struct sql_value v)
{
    assert(q->n < SQL_MAX_PARAMS); /* a filter has fewer conditions */
    q->params[q->n++] = v;
}

/* Adds a condition without parameter. */
void query_where_plain(struct query *q, const char *condition)
{
    buf_puts(&q->sql, q->has_where ? " AND " : " WHERE ");
    buf_puts(&q->sql, condition);
    q->has_where = true;
}

void query_where(struct query *q, const char *condition, struct sql_value v)
{
    query_where_plain(q, condition);
    query_bind(q, v);
}

void query_add_filters(struct store *s, struct query *q, const struct stats_filter *f)
{
    size_t n_anrs = f->anrs ? f->n_anrs : 0;
    if (f->client_id)
        query_where(q, "client_id = ?", sql_int(f->client_id));
    if (f->has_type)
        query_where(q, "type = ?", sql_int(f->type));
    if (f->local_only && f->sharing_only)
        query_where_plain(q, "client_id IN (SELECT id FROM clients WHERE local AND is_sharing_enabled)");
    else if (f->local_only)
        query_where_plain(q, "client_id IN (SELECT id FROM clients WHERE local)");
    else if (f->sharing_only)
        query_where_plain(q, "client_id IN (SELECT id FROM clients WHERE is_sharing_enabled)");
    if (n_anrs == 1) {
        query_where(q, "anr = ?", sql_text(f->anrs[0]));
    } else if (n_anrs > 1) {
        s->ops->encode_set(&q->anr_set, f->anrs, n_anrs);
        query_where(q, s->ops->anr_in_set, sql_text(q->anr_set.data));
    }
    if (f->get_last)
        return;
    if (f->date_from[0])
        query_where(q, "date >= ?", sql_text(f->date_from));
    if (f->date_to[0])
        query_where(q, "date <= ?", sql_text(f->date_to));
}

void query_free(struct query *q)
{
    buf_free(&q->sql);
    buf_free(&q->anr_set);
}
