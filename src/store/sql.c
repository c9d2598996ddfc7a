/*
 * sql.c — what the backends and the operations (schema.c, clients.c,
 * stats_rows.c …) share: the common part of a connection (its error message,
 * store_fail), and the statement helpers they are written with, over the
 * backend's ops (backend.h).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include "store/backend.h"

/* --- the common part of a connection --- */

void store_base_init(struct store *s, const struct store_ops *ops)
{
    s->ops = ops;
    buf_init(&s->err);
    s->conflict = STORE_KEY_OTHER;
}

void store_base_release(struct store *s)
{
    buf_free(&s->err);
}

enum store_rc store_fail(struct store *s, enum store_rc rc, const char *fmt, ...)
{
    va_list ap;
    buf_reset(&s->err);
    s->unavailable = false;
    va_start(ap, fmt);
    buf_vprintf(&s->err, fmt, ap);
    va_end(ap);
    return rc;
}

void timestamp_ago(int seconds, char out[TIMESTAMP_STR_LEN])
{
    time_t t = time(NULL) - seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, TIMESTAMP_STR_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* --- statement helpers --- */

enum store_rc sql_run(struct store *s, const char *sql, const struct sql_value *params, size_t n,
                      int64_t *changed)
{
    enum store_rc rc = s->ops->query(s, sql, params, n);
    if (rc != STORE_OK)
        return rc;
    if (changed)
        *changed = s->ops->changes(s);
    s->ops->end_query(s);
    return STORE_OK;
}

enum store_rc sql_defer(struct store *s, const char *sql, const struct sql_value *params, size_t n)
{
    if (s->ops->defer)
        return s->ops->defer(s, sql, params, n);
    return sql_run(s, sql, params, n, NULL);
}

enum store_rc sql_first_row(struct store *s, const char *sql, const struct sql_value *params,
                            size_t n)
{
    enum store_rc rc = s->ops->query(s, sql, params, n);
    if (rc != STORE_OK)
        return rc;
    rc = s->ops->next_row(s);
    if (rc != STORE_OK)
        s->ops->end_query(s);
    return rc;
}

enum store_rc sql_int_value(struct store *s, const char *sql, const struct sql_value *params,
                            size_t n, int64_t *out)
{
    enum store_rc rc = sql_first_row(s, sql, params, n);
    if (rc == STORE_NOT_FOUND)
        return store_fail(s, STORE_ERROR, "The database returned no row for a count.");
    if (rc != STORE_OK)
        return rc;
    *out = s->ops->get_int(s, 0);
    sql_end(s);
    return STORE_OK;
}

void sql_end(struct store *s)
{
    s->ops->end_query(s);
}

enum store_rc sql_begin_write(struct store *s)
{
    return sql_run(s, s->ops->begin_write, NULL, 0, NULL);
}

enum store_rc sql_commit(struct store *s)
{
    return sql_run(s, "COMMIT", NULL, 0, NULL);
}

void sql_rollback(struct store *s)
{
    char *cause = xstrdup(store_errmsg(s));
    bool unavailable = s->unavailable;
    sql_run(s, "ROLLBACK", NULL, 0, NULL);
    store_fail(s, STORE_OK, "%s", cause);
    s->unavailable = unavailable; /* the failure rolled back is the one to report */
    free(cause);
}
