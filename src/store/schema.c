/*
 * schema.c — versioned migrations, dropping the tables, the health-check query.
 *
 * The version lives in a one-row table schema_version; version 0 is a database
 * without it.  Each backend lists its migration steps in order (its DDL
 * dialect); store_migrate applies the missing ones in one write transaction,
 * so two processes migrating at once end with the schema applied exactly once.
 * A step is the backend's part, then the tables of the stats kinds that step
 * creates (facts/<kind>.c, in their dialect) with the kinds' rows of
 * stats_versions, and the changes it makes to the kinds' tables of earlier
 * steps.  The facts of the stats stored before version 2 are extracted in C,
 * in the same transaction, once every step is applied.
 */
#include <assert.h>

#include "store/facts/facts.h"

/* What each step does, for `db migrate --dry-run`: step_summaries[i] takes the
 * schema from version i to i + 1, in both backends. */
static const char *const step_summaries[] = {
    "the tables clients and stats, and their indexes",
    "the facts of every stats kind (object, risk, cartography and compliance tables), labels, "
    "the daily totals, the change counters and their triggers; then the facts of the stats "
    "already stored are extracted (backfill)",
    "the spans of threats and vulnerabilities for the evolution (object_spans): each object "
    "fact gets the date of its analysis' next stats, the spans are summed from the facts",
    "the spans of the risks for the evolution (risk_spans): each risk fact gets the date of its "
    "analysis' next risk stats, the spans are summed from the facts",
    "the object facts lose their index by object (object_facts_latest): labels are found from "
    "the stats of a type and date, newest first (on PostgreSQL stats_type_date gains the id)",
    "on PostgreSQL, the change counters are bumped once per transaction at its commit (a deferred "
    "trigger) instead of by its first stats row, so that uploads no longer wait for each other; "
    "nothing on SQLite",
};

int store_schema_latest(struct store *s)
{
    assert(s->ops->n_migrations == (int)(sizeof step_summaries / sizeof *step_summaries));
    return s->ops->n_migrations;
}

const char *store_schema_step_summary(int reached)
{
    assert(reached >= 1 && reached <= (int)(sizeof step_summaries / sizeof *step_summaries));
    return step_summaries[reached - 1];
}

static enum store_rc read_version(struct store *s, int *version)
{
    struct sql_value table = sql_text("schema_version");
    enum store_rc rc = sql_first_row(s, s->ops->table_exists, &table, 1);
    if (rc == STORE_NOT_FOUND) {
        *version = 0;
        return STORE_OK;
    }
    if (rc != STORE_OK)
        return rc;
    sql_end(s);
    rc = sql_first_row(s, "SELECT version FROM schema_version", NULL, 0);
    if (rc == STORE_NOT_FOUND) {
        *version = 0;
        return STORE_OK;
    }
    if (rc != STORE_OK)
        return rc;
    *version = (int)s->ops->get_int(s, 0);
    sql_end(s);
    return STORE_OK;
}

enum store_rc store_schema_version(struct store *s, int *version)
{
    return read_version(s, version);
}


/* The changes the step to version `reached` makes to the kind's tables. */
static enum store_rc change_kind_tables(struct store *s, const struct fact_tables *t, int reached)
{
    enum store_rc rc = STORE_OK;
    for (const struct fact_tables_change *c = t->changes; c && c->schema_step && rc == STORE_OK; c++)
        if (c->schema_step == reached)
            rc = s->ops->exec_script(s, c->ddl[s->ops->dialect]);
    return rc;
}

/* The tables of the kinds that the step to version `reached` creates, and
 * their change counters; the changes it makes to those of earlier steps. */
static enum store_rc create_kinds_tables(struct store *s, int reached)
{
    enum store_rc rc = STORE_OK;
    for (size_t i = 0; i < store_kind_count() && rc == STORE_OK; i++) {
        const struct store_kind *kind = store_kind_at(i);
        if (kind->tables->schema_step < reached && store_kind_owns_tables(i))
            rc = change_kind_tables(s, kind->tables, reached);
        if (kind->tables->schema_step != reached)
            continue;
        if (store_kind_owns_tables(i))
            rc = s->ops->exec_script(s, kind->tables->ddl[s->ops->dialect]);
        struct sql_value type = sql_int(kind->type);
        if (rc == STORE_OK)
            rc = sql_run(s, "INSERT INTO stats_versions (type, version) VALUES (?, 0)", &type, 1, NULL);
    }
    return rc;
}

enum store_rc schema_apply_steps(struct store *s, int target)
{
    enum store_rc rc = STORE_OK;
    int version;
    if (s->ops->migrate_lock)
        rc = sql_run(s, s->ops->migrate_lock, NULL, 0, NULL);
    if (rc == STORE_OK)
        rc = s->ops->exec_script(s, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    if (rc == STORE_OK)
        rc = read_version(s, &version);
    if (rc != STORE_OK)
        return rc;
    if (version > s->ops->n_migrations)
        return store_fail(s, STORE_ERROR,
                          "The database schema is at version %d, newer than this program knows (%d).",
                          version, s->ops->n_migrations);
    assert(target >= 0 && target <= s->ops->n_migrations);
    if (version >= target)
        return STORE_OK;
    for (int step = version; step < target && rc == STORE_OK; step++) {
        if (s->ops->migrations[step][0])
            rc = s->ops->exec_script(s, s->ops->migrations[step]);
        if (rc == STORE_OK)
            rc = create_kinds_tables(s, step + 1);
    }
    /* The step to version 2 creates the fact tables: the facts of the stats
     * already stored are then extracted in C, by today's code, which writes
     * the tables as the last step leaves them. */
    if (rc == STORE_OK && version < 2 && target >= 2)
        rc = facts_backfill(s);
    if (rc != STORE_OK)
        return rc;
    struct sql_value latest = sql_int(target);
    rc = sql_run(s, "DELETE FROM schema_version", NULL, 0, NULL);
    if (rc == STORE_OK)
        rc = sql_run(s, "INSERT INTO schema_version (version) VALUES (?)", &latest, 1, NULL);
    return rc;
}

enum store_rc store_migrate(struct store *s)
{
    enum store_rc rc = sql_begin_write(s);
    if (rc != STORE_OK)
        return rc;
    rc = schema_apply_steps(s, s->ops->n_migrations);
    if (rc == STORE_OK)
        rc = sql_commit(s);
    if (rc != STORE_OK)
        sql_rollback(s);
    /* Statements prepared against the old schema must not outlive it. */
    s->ops->forget_statements(s);
    return rc;
}

enum store_rc schema_drop_tables(struct store *s)
{
    enum store_rc rc = STORE_OK;
    for (size_t i = 0; i < store_kind_count() && rc == STORE_OK; i++)
        if (store_kind_owns_tables(i))
            rc = s->ops->exec_script(s, store_kind_at(i)->tables->drop);
    if (rc == STORE_OK)
        rc = s->ops->exec_script(s, "DROP TABLE IF EXISTS labels;"
                                    "DROP TABLE IF EXISTS stats_versions;"
                                    "DROP TABLE IF EXISTS stats;"
                                    "DROP TABLE IF EXISTS clients;"
                                    "DROP TABLE IF EXISTS schema_version");
    return rc;
}

enum store_rc store_drop_all(struct store *s)
{
    enum store_rc rc = sql_begin_write(s);
    if (rc == STORE_OK)
        rc = schema_drop_tables(s);
    if (rc == STORE_OK)
        rc = sql_commit(s);
    if (rc != STORE_OK)
        sql_rollback(s);
    s->ops->forget_statements(s);
    return rc;
}

enum store_rc store_ping(struct store *s)
{
    int64_t one;
    return sql_int_value(s, "SELECT 1", NULL, 0, &one);
}
