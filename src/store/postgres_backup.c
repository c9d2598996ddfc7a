/*
 * postgres_backup.c — backup and restore of a PostgreSQL database (the
 * driver's entries), into and from the backup file of backup_file.c.
 *
 * Backup: one REPEATABLE READ, READ ONLY transaction, so every table is read
 * from the same snapshot (every transaction committed before it began, none
 * after) while writers go on; its rows are copied into a SQLite backup file
 * created at the database's schema version.
 *
 * Restore: one transaction, under the migration lock: the tables are dropped,
 * created again at the backup's version, filled, brought to the latest
 * version (with the migrations' own work, e.g. facts of older backups), the
 * identity sequences moved past the restored ids, and the change counters
 * moved past every value the old ones had (running instances' public caches
 * cannot mistake the new data for what they hold).  An error anywhere rolls
 * all of it back: the database is as it was.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/backend.h"

enum store_rc pg_backup(const char *uri, const char *file, int *version, char **errmsg)
{
    struct store *s = NULL;
    enum store_rc rc = pg_driver.open(uri, false, &s, errmsg);
    if (rc != STORE_OK)
        return rc;
    rc = s->ops->exec_script(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (rc == STORE_OK)
        rc = store_schema_version(s, version);
    if (rc != STORE_OK) {
        backup_fail(errmsg, rc, "cannot read the database: %s", store_errmsg(s));
    } else if (*version <= 0) {
        rc = backup_fail(errmsg, STORE_ERROR, "the database has no schema: nothing to back up");
    } else {
        char *tmp = backup_temp_name(file);
        sqlite3 *db = NULL;
        rc = backup_file_create(tmp, *version, &db, errmsg);
        if (rc == STORE_OK)
            rc = backup_file_fill(s, db, errmsg);
        if (db && sqlite3_close_v2(db) != SQLITE_OK && rc == STORE_OK)
            rc = backup_fail(errmsg, STORE_ERROR, "cannot close %s", tmp);
        if (rc == STORE_OK)
            rc = backup_file_install(tmp, file, errmsg);
        if (rc != STORE_OK)
            unlink(tmp);
        free(tmp);
    }
    sql_rollback(s); /* read only: nothing to keep */
    store_close(s);
    return rc;
}

/* The largest change counter, or -1 without the table. */
static enum store_rc highest_counter(struct store *s, int64_t *out)
{
    struct sql_value table = sql_text("stats_versions");
    *out = -1;
    enum store_rc rc = sql_first_row(s, s->ops->table_exists, &table, 1);
    if (rc == STORE_NOT_FOUND)
        return STORE_OK;
    if (rc != STORE_OK)
        return rc;
    sql_end(s);
    return sql_int_value(s, "SELECT COALESCE(MAX(version), -1) FROM stats_versions", NULL, 0, out);
}

/* Identity columns go on after the highest id restored. */
static const char *const move_sequences =
    "SELECT setval(pg_get_serial_sequence('clients', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM clients;"
    "SELECT setval(pg_get_serial_sequence('stats', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM stats;"
    "SELECT setval(pg_get_serial_sequence('labels', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM labels";

/* In the restore's transaction: everything between the checks and the commit. */
static enum store_rc replace_tables(struct store *s, sqlite3 *backup, int version, int64_t old_high)
{
    enum store_rc rc = schema_drop_tables(s);
    if (rc == STORE_OK)
        rc = schema_apply_steps(s, version);
    if (rc == STORE_OK)
        rc = backup_file_load(backup, s);
    if (rc == STORE_OK)
        rc = schema_apply_steps(s, store_schema_latest(s));
    if (rc == STORE_OK)
        rc = s->ops->exec_script(s, move_sequences);
    if (rc == STORE_OK && old_high >= 0) {
        struct sql_value shift = sql_int(old_high + 1);
        rc = sql_run(s, "UPDATE stats_versions SET version = version + ?", &shift, 1, NULL);
    }
    return rc;
}

enum store_rc pg_restore(const char *uri, const char *file, bool replace, int *version,
                         char **errmsg)
{
    sqlite3 *backup;
    enum store_rc rc = backup_file_open(file, &backup, version, errmsg);
    if (rc != STORE_OK)
        return rc;
    struct store *s = NULL;
    rc = pg_driver.open(uri, false, &s, errmsg);
    if (rc != STORE_OK) {
        sqlite3_close_v2(backup);
        return rc;
    }
    int latest = store_schema_latest(s);
    int64_t clients = 0, stats = 0, old_high = -1;
    if (*version > latest) {
        rc = backup_fail(errmsg, STORE_ERROR,
                         "the backup %s has schema version %d, newer than this program's (%d): "
                         "restore it with a newer stats-service", file, *version, latest);
    } else {
        rc = sql_begin_write(s);
        if (rc == STORE_OK && s->ops->migrate_lock)
            rc = sql_run(s, s->ops->migrate_lock, NULL, 0, NULL);
        if (rc == STORE_OK)
            rc = store_count_data(s, &clients, &stats);
        if (rc == STORE_OK)
            rc = highest_counter(s, &old_high);
        if (rc != STORE_OK) {
            backup_fail(errmsg, rc, "cannot read the database: %s", store_errmsg(s));
        } else if ((clients || stats) && !replace) {
            *errmsg = backup_refusal("the database", clients, stats);
            rc = STORE_CONFLICT;
        } else {
            rc = replace_tables(s, backup, *version, old_high);
            if (rc == STORE_OK)
                rc = sql_commit(s);
            if (rc != STORE_OK)
                backup_fail(errmsg, rc, "cannot restore (nothing changed): %s", store_errmsg(s));
        }
        if (rc != STORE_OK)
            sql_rollback(s);
        s->ops->forget_statements(s);
    }
    store_close(s);
    sqlite3_close_v2(backup);
    return rc;
}
