/*
 * sqlite_backup.c — backup and restore of a SQLite database (the driver's
 * entries; the file's format and checks are backup_file.c's).
 *
 * Backup: SQLite's online backup API copies the pages of one snapshot.  The
 * source connection holds a read transaction for the whole copy; in WAL mode
 * (the store's) that blocks no writer and a server keeps ingesting, so the
 * copy never restarts and is the database as of its first page; it goes in
 * steps of BACKUP_STEP_PAGES, letting go of the library between them.
 *
 * Restore: the backup is copied the same way to a temporary file beside the
 * database, migrated there when older, made durable and renamed over the
 * database.  The database must not be in use: switching it out of WAL mode
 * needs every other connection gone, which is how a running server is found.
 * A restore into a database that was not there and fails leaves nothing: the
 * file made to check it and the folders made for it are removed.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/backend.h"

#define BACKUP_STEP_PAGES 1024 /* 4 MiB of 4 KiB pages per step */
#define BUSY_TIMEOUT_MS 10000
#define IN_USE_TIMEOUT_MS 2000 /* how long a restore waits for others to leave the database */

/* Copies every page of src into a new database file at dest_path, in
 * rollback-journal mode. */
static enum store_rc copy_pages(sqlite3 *src, const char *dest_path, char **errmsg)
{
    unlink(dest_path); /* a temporary left by a crash */
    sqlite3 *dest = NULL;
    if (sqlite3_open_v2(dest_path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        enum store_rc rc = backup_fail(errmsg, STORE_ERROR, "cannot create %s: %s", dest_path,
                                       dest ? sqlite3_errmsg(dest) : "out of memory");
        sqlite3_close_v2(dest);
        return rc;
    }
    sqlite3_backup *b = sqlite3_backup_init(dest, "main", src, "main");
    int step = SQLITE_ERROR;
    for (bool more = b != NULL; more;) {
        step = sqlite3_backup_step(b, BACKUP_STEP_PAGES);
        if (step == SQLITE_BUSY || step == SQLITE_LOCKED)
            sqlite3_sleep(10);
        more = step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED;
    }
    if (b && sqlite3_backup_finish(b) != SQLITE_OK && step == SQLITE_DONE)
        step = SQLITE_ERROR;
    enum store_rc rc = STORE_OK;
    /* The pages carry the source's WAL flag: the copy is made one file again. */
    if (step != SQLITE_DONE ||
        sqlite3_exec(dest, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
        rc = backup_fail(errmsg, STORE_ERROR, "cannot copy the database into %s: %s", dest_path,
                         sqlite3_errmsg(dest));
    sqlite3_close_v2(dest);
    if (rc != STORE_OK)
        unlink(dest_path);
    return rc;
}

static enum store_rc open_source(const char *path, sqlite3 **db, char **errmsg)
{
    struct stat st;
    *db = NULL;
    if (stat(path, &st) != 0)
        return backup_fail(errmsg, STORE_NOT_FOUND, "the SQLite database file %s: %s", path,
                           strerror(errno));
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        enum store_rc rc = backup_fail(errmsg, STORE_ERROR, "cannot open the SQLite database %s: %s",
                                       path, *db ? sqlite3_errmsg(*db) : "out of memory");
        sqlite3_close_v2(*db);
        *db = NULL;
        return rc;
    }
    sqlite3_busy_timeout(*db, BUSY_TIMEOUT_MS);
    return STORE_OK;
}

/* The schema version of the database db, read inside its transaction. */
static int schema_version_of(sqlite3 *db)
{
    sqlite3_stmt *stmt;
    int version = 0;
    if (sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &stmt, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return version;
}

enum store_rc sqlite_backup(const char *path, const char *file, int *version, char **errmsg)
{
    sqlite3 *src;
    enum store_rc rc = open_source(path, &src, errmsg);
    if (rc != STORE_OK)
        return rc;
    /* The snapshot starts with the first read and lasts until COMMIT. */
    if (sqlite3_exec(src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        rc = backup_fail(errmsg, STORE_ERROR, "cannot read %s: %s", path, sqlite3_errmsg(src));
        sqlite3_close_v2(src);
        return rc;
    }
    *version = schema_version_of(src);
    if (*version <= 0) {
        rc = backup_fail(errmsg, STORE_ERROR,
                         "the database %s has no schema: nothing to back up", path);
    } else {
        char *tmp = backup_temp_name(file);
        rc = copy_pages(src, tmp, errmsg);
        if (rc == STORE_OK)
            rc = backup_file_install(tmp, file, errmsg);
        if (rc != STORE_OK)
            unlink(tmp);
        free(tmp);
    }
    sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
    sqlite3_close_v2(src);
    return rc;
}

/* Refuses when the database holds data and replace is false; fills *latest. */
static enum store_rc check_target(const char *path, bool replace, int *latest, char **errmsg)
{
    struct store *s = NULL;
    enum store_rc rc = sqlite_driver.create_database(path, errmsg);
    if (rc == STORE_OK)
        rc = sqlite_driver.open(path, false, &s, errmsg);
    if (rc != STORE_OK)
        return rc;
    int64_t clients = 0, stats = 0;
    *latest = store_schema_latest(s);
    rc = store_count_data(s, &clients, &stats);
    if (rc != STORE_OK) {
        backup_fail(errmsg, rc, "cannot read the database %s: %s", path, store_errmsg(s));
    } else if ((clients || stats) && !replace) {
        buf what = BUF_INIT;
        buf_printf(&what, "the database %s", path);
        *errmsg = backup_refusal(what.data, clients, stats);
        buf_free(&what);
        rc = STORE_CONFLICT;
    }
    store_close(s);
    return rc;
}

/* Takes the database out of WAL mode, which needs it to be used by no one
 * else: then no stale log can outlive the file it belongs to. */
static enum store_rc take_over(const char *path, char **errmsg)
{
    sqlite3 *db = NULL;
    enum store_rc rc = STORE_OK;
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(db, IN_USE_TIMEOUT_MS) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "PRAGMA journal_mode = DELETE", -1, &stmt, NULL) != SQLITE_OK ||
        sqlite3_step(stmt) != SQLITE_ROW ||
        strcmp((const char *)sqlite3_column_text(stmt, 0), "delete") != 0)
        rc = backup_fail(errmsg, STORE_ERROR,
                         "the database %s is in use (a server running on it?): stop it first", path);
    sqlite3_finalize(stmt);
    sqlite3_close_v2(db);
    return rc;
}

/* Brings the restored copy to the latest schema, before it is put in place. */
static enum store_rc migrate_copy(const char *tmp, char **errmsg)
{
    struct store *s = NULL;
    enum store_rc rc = sqlite_driver.open(tmp, false, &s, errmsg);
    if (rc != STORE_OK)
        return rc;
    rc = store_migrate(s);
    if (rc != STORE_OK)
        backup_fail(errmsg, rc, "cannot upgrade the restored schema: %s", store_errmsg(s));
    store_close(s);
    return rc;
}

/* The longest leading part of path's folder that exists ("" for none, or for
 * the root): what a failed restore into a new database leaves as it was. */
static char *existing_folder(const char *path)
{
    char *dir = xstrdup(path);
    for (char *slash = strrchr(dir, '/'); slash; slash = strrchr(dir, '/')) {
        *slash = '\0';
        if (!*dir || access(dir, F_OK) == 0)
            return dir;
    }
    *dir = '\0';
    return dir;
}

/* Removes a database that a failed restore created (with its WAL, shared
 * memory and journal files) and the folders made for it, down to `kept`. */
static void remove_new_database(const char *path, const char *kept)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        buf name = BUF_INIT;
        buf_printf(&name, "%s%s", path, suffixes[i]);
        unlink(name.data);
        buf_free(&name);
    }
    char *dir = xstrdup(path);
    for (char *slash = strrchr(dir, '/'); slash; slash = strrchr(dir, '/')) {
        *slash = '\0';
        if (strlen(dir) <= strlen(kept) || rmdir(dir) != 0)
            break;
    }
    free(dir);
}

enum store_rc sqlite_restore(const char *path, const char *file, bool replace, int *version,
                             char **errmsg)
{
    sqlite3 *backup;
    enum store_rc rc = backup_file_open(file, &backup, version, errmsg);
    if (rc != STORE_OK)
        return rc;
    /* NULL: the database exists, and a failure leaves it as it is. */
    char *kept = access(path, F_OK) == 0 ? NULL : existing_folder(path);
    int latest = 0;
    rc = check_target(path, replace, &latest, errmsg);
    if (rc == STORE_OK && *version > latest)
        rc = backup_fail(errmsg, STORE_ERROR,
                         "the backup %s has schema version %d, newer than this program's (%d): "
                         "restore it with a newer stats-service", file, *version, latest);
    if (rc == STORE_OK)
        rc = take_over(path, errmsg);
    char *tmp = backup_temp_name(path);
    if (rc == STORE_OK)
        rc = copy_pages(backup, tmp, errmsg);
    sqlite3_close_v2(backup);
    if (rc == STORE_OK && *version < latest)
        rc = migrate_copy(tmp, errmsg);
    if (rc == STORE_OK)
        rc = backup_file_install(tmp, path, errmsg);
    if (rc != STORE_OK)
        unlink(tmp);
    free(tmp);
    if (rc != STORE_OK && kept)
        remove_new_database(path, kept);
    free(kept);
    return rc;
}
