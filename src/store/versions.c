/*
 * versions.c — change counters of the stats, one per type plus a global one.
 *
 * The public caches (src/web/public.c) remember the counters an answer was
 * computed under and compare them on every request: one indexed read of a
 * six-row table, which sees the commits of every instance sharing the database.
 * Triggers bump them in the writing transaction (see the migration to version
 * 2); store_bump_versions() is for changes that no trigger sees.
 */
#include "store/backend.h"

enum store_rc store_bump_versions(struct store *s, int type_or_minus_one)
{
    /* The global row first, as the triggers do, so writers lock in one order. */
    enum store_rc rc = sql_run(s, "UPDATE stats_versions SET version = version + 1 WHERE type = -1",
                               NULL, 0, NULL);
    if (rc != STORE_OK)
        return rc;
    if (type_or_minus_one < 0)
        return sql_run(s, "UPDATE stats_versions SET version = version + 1 WHERE type >= 0", NULL, 0,
                       NULL);
    struct sql_value type = sql_int(type_or_minus_one);
    return sql_run(s, "UPDATE stats_versions SET version = version + 1 WHERE type = ?", &type, 1, NULL);
}

enum store_rc store_stats_versions(struct store *s, struct stats_versions *out)
{
    *out = (struct stats_versions){0};
    enum store_rc rc = s->ops->query(s, "SELECT type, version FROM stats_versions", NULL, 0);
    if (rc != STORE_OK)
        return rc;
    while ((rc = s->ops->next_row(s)) == STORE_OK) {
        int64_t type = s->ops->get_int(s, 0), version = s->ops->get_int(s, 1);
        if (type < 0)
            out->global = version;
        else if (type < STATS_TYPE_COUNT)
            out->of_type[type] = version;
    }
    sql_end(s);
    return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}
