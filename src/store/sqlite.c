/*
 * sqlite.c — the SQLite backend: one sqlite3 connection behind the store ops.
 *
 * Several processes and threads write to one file, and a 2xx answer must mean
 * the data is on disk, so every connection runs in WAL mode with
 * synchronous=FULL, foreign keys on, and waits up to BUSY_TIMEOUT_MS for the
 * write lock instead of failing.  Write transactions take that lock at BEGIN
 * (IMMEDIATE), so a transaction never fails half-way to upgrade its lock.
 * These settings are made once, at open; statements are prepared once per
 * connection and kept (stmt_cache).
 *
 * For ingestion speed (docs/performance.md), statement journals stay in
 * memory up to 4 MiB (configure_library); sorts and temporary tables stay in
 * files, since a query may sort millions of rows.  While the server runs, WAL
 * checkpoints happen in a thread of their own (sqlite_checkpoint.c).
 */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/backend.h"
#include "util/json_writer.h"

#define BUSY_TIMEOUT_MS 10000
/* Bytes of -wal file kept when the log starts over: about the catch-up threshold. */
#define WAL_SIZE_LIMIT "67108864"

struct sqlite_store {
    struct store base;
    sqlite3 *db;
    struct stmt_cache stmts;
    sqlite3_stmt *active;   /* the statement being read, NULL between queries */
    bool first_pending;     /* query() already stepped once; next_row returns that step */
    int first_step;
};

/* Ids are AUTOINCREMENT so they are never reused: they are the insertion order. */
static const char *const migrations[] = {
    /* 0 → 1 */
    "CREATE TABLE clients ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " uuid TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL UNIQUE,"
    " token_hash TEXT NOT NULL UNIQUE,"
    " role INTEGER NOT NULL CHECK (role IN (1, 2)),"
    " is_sharing_enabled INTEGER NOT NULL CHECK (is_sharing_enabled IN (0, 1)),"
    " local INTEGER NOT NULL CHECK (local IN (0, 1)),"
    " latitude REAL,"
    " longitude REAL,"
    " created_at TEXT NOT NULL,"
    " last_seen TEXT);"
    "CREATE TABLE stats ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " uuid TEXT NOT NULL UNIQUE,"
    " client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,"
    " anr TEXT NOT NULL,"
    " type INTEGER NOT NULL,"
    " date TEXT NOT NULL,"
    " data TEXT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL,"
    " UNIQUE (client_id, anr, type, date));"
    /* The unique key above serves upserts, get_last, per-client ANR deletes and the cascade. */
    "CREATE INDEX stats_client_type_date ON stats (client_id, type, date);"
    "CREATE INDEX stats_type_date ON stats (type, date);"
    "CREATE INDEX stats_anr_type_date ON stats (anr, type, date);",

    /* 1 → 2: the labels fact rows point to, and the change counters of the public
     * caches (the global row; each kind's row is added with its tables).  The
     * kinds' fact tables and daily totals are theirs (src/store/facts/<kind>.c),
     * created after this part (schema.c); existing stats get their facts from
     * store_migrate. */
    "CREATE TABLE labels ("
    " id INTEGER PRIMARY KEY,"
    " owner TEXT NOT NULL,"
    " label1 TEXT NOT NULL, label2 TEXT NOT NULL, label3 TEXT NOT NULL, label4 TEXT NOT NULL,"
    " UNIQUE (owner, label1, label2, label3, label4));"
    /* Latest stats per (client, ANR) of one type, without reading the other types. */
    "CREATE INDEX stats_type_client_anr_date ON stats (type, client_id, anr, date);"
    "CREATE TABLE stats_versions (type INTEGER PRIMARY KEY, version INTEGER NOT NULL);"
    "INSERT INTO stats_versions (type, version) VALUES (-1, 0);"
    /* Every change of stats bumps the version of its type and the global one (-1). */
    "CREATE TRIGGER stats_version_insert BEFORE INSERT ON stats BEGIN"
    " UPDATE stats_versions SET version = version + 1 WHERE type IN (-1, NEW.type); END;"
    "CREATE TRIGGER stats_version_update BEFORE UPDATE OF data ON stats BEGIN"
    " UPDATE stats_versions SET version = version + 1 WHERE type IN (-1, NEW.type); END;"
    "CREATE TRIGGER stats_version_delete BEFORE DELETE ON stats BEGIN"
    " UPDATE stats_versions SET version = version + 1 WHERE type IN (-1, OLD.type); END;"
    "CREATE TRIGGER clients_version AFTER UPDATE ON clients"
    " WHEN OLD.is_sharing_enabled IS NOT NEW.is_sharing_enabled OR OLD.local IS NOT NEW.local"
    " OR OLD.latitude IS NOT NEW.latitude OR OLD.longitude IS NOT NEW.longitude BEGIN"
    " UPDATE stats_versions SET version = version + 1 WHERE type = -1;"
    " UPDATE stats_versions SET version = version + 1 WHERE type >= 0; END;",

    /* 2 → 3: nothing of the backend's own (the object tables gain the evolution's
     * spans: facts/objects.c). */
    "",

    /* 3 → 4: nothing of the backend's own (the risk tables gain the evolution's
     * spans: facts/risk.c). */
    "",

    /* 4 → 5: nothing of the backend's own (the object facts lose their index by
     * object: facts/objects.c).  The labels' probes walk stats_type_date newest
     * first, which SQLite keeps in rowid order within a (type, date). */
    "",

    /* 5 → 6: nothing (PostgreSQL's counters move to the commit; SQLite has one
     * writer at a time anyway). */
    "",
};

/* SQLite names the columns of a broken unique key: "UNIQUE constraint failed: clients.name". */
static const struct {
    const char *columns;
    enum store_key key;
} unique_keys[] = {
    {"clients.uuid", STORE_KEY_CLIENT_UUID},
    {"clients.name", STORE_KEY_CLIENT_NAME},
    {"clients.token_hash", STORE_KEY_CLIENT_TOKEN},
    {"stats.uuid", STORE_KEY_STATS_UUID},
    {"stats.client_id, stats.anr, stats.type, stats.date", STORE_KEY_STATS_NATURAL},
};

static enum store_key key_of_message(const char *msg)
{
    const char *columns = strstr(msg, "failed: ");
    if (!columns)
        return STORE_KEY_OTHER;
    columns += strlen("failed: ");
    for (size_t i = 0; i < sizeof unique_keys / sizeof *unique_keys; i++)
        if (strcmp(columns, unique_keys[i].columns) == 0)
            return unique_keys[i].key;
    return STORE_KEY_OTHER;
}

/* Turns a failed sqlite3 call into the store's code and message. */
static enum store_rc sqlite_failure(struct sqlite_store *s)
{
    int code = sqlite3_extended_errcode(s->db);
    const char *msg = sqlite3_errmsg(s->db);
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
        s->base.conflict = key_of_message(msg);
        return store_fail(&s->base, STORE_CONFLICT, "%s", msg);
    }
    enum store_rc rc = store_fail(&s->base, STORE_ERROR, "SQLite: %s", msg);
    /* The write lock still held by others after BUSY_TIMEOUT_MS: the database
     * is there but overloaded, so the caller is told to try again later. */
    s->base.unavailable = (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED;
    return rc;
}

static void finalize(void *stmt)
{
    sqlite3_finalize(stmt);
}

static sqlite3_stmt *prepared(struct sqlite_store *s, const char *sql)
{
    struct stmt_cache_entry *e = stmt_cache_find(&s->stmts, sql);
    if (e)
        return e->handle;
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK) {
        sqlite_failure(s);
        return NULL;
    }
    stmt_cache_add(&s->stmts, sql, stmt);
    return stmt;
}

static int bind_value(sqlite3_stmt *stmt, int index, const struct sql_value *v)
{
    switch (v->kind) {
    case SQL_INT:
        return sqlite3_bind_int64(stmt, index, v->i);
    case SQL_REAL:
        return sqlite3_bind_double(stmt, index, v->r);
    case SQL_TEXT:
        return sqlite3_bind_text(stmt, index, v->s, -1, SQLITE_STATIC);
    case SQL_NULL:
        break;
    }
    return sqlite3_bind_null(stmt, index);
}

/* Steps once here, so that errors of writing statements (constraints, locks)
 * surface from query() itself. */
static enum store_rc sq_query(struct store *base, const char *sql, const struct sql_value *params, size_t n)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *stmt = prepared(s, sql);
    if (!stmt)
        return STORE_ERROR;
    for (size_t i = 0; i < n; i++) {
        if (bind_value(stmt, (int)i + 1, &params[i]) != SQLITE_OK) {
            enum store_rc rc = sqlite_failure(s);
            sqlite3_reset(stmt);
            return rc;
        }
    }
    int step = sqlite3_step(stmt);
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        enum store_rc rc = sqlite_failure(s);
        sqlite3_reset(stmt);
        return rc;
    }
    s->active = stmt;
    s->first_pending = true;
    s->first_step = step;
    return STORE_OK;
}

static enum store_rc sq_next_row(struct store *base)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    int step;
    if (s->first_pending) {
        s->first_pending = false;
        step = s->first_step;
    } else {
        step = sqlite3_step(s->active);
    }
    if (step == SQLITE_ROW)
        return STORE_OK;
    if (step == SQLITE_DONE)
        return STORE_NOT_FOUND;
    return sqlite_failure(s);
}

static bool sq_is_null(struct store *base, int col)
{
    return sqlite3_column_type(((struct sqlite_store *)base)->active, col) == SQLITE_NULL;
}

static int64_t sq_get_int(struct store *base, int col)
{
    return sqlite3_column_int64(((struct sqlite_store *)base)->active, col);
}

static double sq_get_real(struct store *base, int col)
{
    return sqlite3_column_double(((struct sqlite_store *)base)->active, col);
}

/* NULL reads as "", as with libpq. */
static const char *sq_get_text(struct store *base, int col)
{
    const unsigned char *text = sqlite3_column_text(((struct sqlite_store *)base)->active, col);
    return text ? (const char *)text : "";
}

static int64_t sq_changes(struct store *base)
{
    return sqlite3_changes64(((struct sqlite_store *)base)->db);
}

static void sq_end_query(struct store *base)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    if (s->active)
        sqlite3_reset(s->active);
    s->active = NULL;
    s->first_pending = false;
}

static enum store_rc sq_exec_script(struct store *base, const char *sql)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sqlite_failure(s);
    return STORE_OK;
}

static void sq_forget_statements(struct store *base)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    stmt_cache_clear(&s->stmts, finalize);
}

/* SQLite's advice for connections: let `PRAGMA optimize` refresh the planner's
 * statistics (bounded work) before closing, so that e.g. a filter on a few ANRs
 * uses the ANR index rather than scanning a client's whole history.  It is
 * best effort: a busy database just keeps its old statistics. */
static void sq_close(struct store *base)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sq_end_query(base);
    stmt_cache_clear(&s->stmts, finalize);
    sqlite3_exec(s->db, "PRAGMA analysis_limit = 400; PRAGMA optimize", NULL, NULL, NULL);
    sqlite3_close_v2(s->db);
    store_base_release(base);
    free(s);
}

/* A JSON array of strings, for json_each(). */
static void encode_json_array(buf *b, const char *const *items, size_t n)
{
    struct json_writer w;
    jw_init(&w, b);
    jw_array_begin(&w);
    for (size_t i = 0; i < n; i++)
        jw_string(&w, items[i]);
    jw_array_end(&w);
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .dialect = SQL_DIALECT_SQLITE,
    .migrations = migrations,
    .n_migrations = (int)(sizeof migrations / sizeof *migrations),
    .begin_write = "BEGIN IMMEDIATE",
    .begin_read = "BEGIN", /* deferred: the snapshot starts at the first read */
    .migrate_lock = NULL, /* BEGIN IMMEDIATE already excludes every other writer */
    .client_lock = NULL,
    .table_exists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
    .anr_in_set = "anr IN (SELECT value FROM json_each(?))",
    .encode_set = encode_json_array,
    .close = sq_close,
    .exec_script = sq_exec_script,
    .query = sq_query,
    .next_row = sq_next_row,
    .is_null = sq_is_null,
    .get_int = sq_get_int,
    .get_real = sq_get_real,
    .get_text = sq_get_text,
    .changes = sq_changes,
    .end_query = sq_end_query,
    .forget_statements = sq_forget_statements,
};

static char *open_failure(sqlite3 *db, const char *path)
{
    buf msg = BUF_INIT;
    buf_printf(&msg, "Cannot open the SQLite database %s: %s", path,
               db ? sqlite3_errmsg(db) : "out of memory");
    return buf_detach(&msg, NULL);
}

/* Statement journals (the undo pages of one statement inside a transaction)
 * stay in memory up to this size; SQLite's default, 64 KiB, sent a batch's
 * INSERTs, which fire triggers, to a temporary file on every stats. */
#define STATEMENT_JOURNAL_IN_MEMORY (4 * 1024 * 1024)

static void configure_library(void)
{
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, STATEMENT_JOURNAL_IN_MEMORY);
    /* Without the memory statistics (which the service never reads) an
     * allocation by SQLite takes no process-wide mutex: every connection's
     * threads allocate without waiting for each other. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Process-wide settings, which SQLite takes only before its first connection. */
void sqlite_configure_once(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_library);
}

static int open_file(const char *path, bool create, sqlite3 **db)
{
    sqlite_configure_once();
    return sqlite3_open_v2(path, db,
                           SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                               SQLITE_OPEN_NOMUTEX,
                           NULL);
}

/* The folder part of path ("./var/x.db" → "./var", "x.db" → "."); caller frees. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    return xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
}

/* The phrase for a database file that is not there, naming its folder when
 * that is missing too (the usual slip: a relative path from another folder). */
static char *missing_file(const char *path)
{
    buf msg = BUF_INIT;
    char *folder = folder_of(path);
    struct stat st;
    buf_printf(&msg, "the SQLite database file %s does not exist", path);
    if (stat(folder, &st) != 0 && errno == ENOENT)
        buf_printf(&msg, " (nor does its folder %s)", folder);
    free(folder);
    return buf_detach(&msg, NULL);
}

static enum store_rc sqlite_store_open(const char *path, bool create, struct store **out,
                                       char **errmsg)
{
    /* Without `create`, SQLite is not allowed to make the file either (no
     * SQLITE_OPEN_CREATE below): checking first only picks the message. */
    struct stat st;
    if (!create && stat(path, &st) != 0 && errno == ENOENT) {
        if (errmsg)
            *errmsg = missing_file(path);
        return STORE_NOT_FOUND;
    }
    sqlite3 *db = NULL;
    if (open_file(path, create, &db) != SQLITE_OK ||
        sqlite3_extended_result_codes(db, 1) != SQLITE_OK ||
        sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                         /* the log file cut back to this when it starts over (sqlite_checkpoint.c) */
                         "PRAGMA journal_size_limit = " WAL_SIZE_LIMIT,
                     NULL, NULL, NULL) != SQLITE_OK) {
        if (errmsg)
            *errmsg = open_failure(db, path);
        sqlite3_close_v2(db);
        return STORE_ERROR;
    }
    sqlite_checkpointer_attach(db);
    struct sqlite_store *s = xcalloc(1, sizeof *s);
    store_base_init(&s->base, &sqlite_ops);
    s->db = db;
    *out = &s->base;
    return STORE_OK;
}

/* mkdir -p of the folders leading to path. */
static int make_parent_dirs(const char *path)
{
    char *dir = xstrdup(path);
    int err = 0;
    for (char *slash = strchr(dir + 1, '/'); slash && !err; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            err = errno;
        *slash = '/';
    }
    free(dir);
    return err;
}

static enum store_rc sqlite_store_create_database(const char *path, char **errmsg)
{
    int err = make_parent_dirs(path);
    if (err) {
        if (errmsg) {
            buf msg = BUF_INIT;
            buf_printf(&msg, "Cannot create the folder of %s: %s", path, strerror(err));
            *errmsg = buf_detach(&msg, NULL);
        }
        return STORE_ERROR;
    }
    sqlite3 *db = NULL;
    enum store_rc rc = STORE_OK;
    /* Opening creates an empty file; switching it to WAL writes its header (and
     * tells an existing file that is no database). */
    if (open_file(path, true, &db) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK) {
        if (errmsg)
            *errmsg = open_failure(db, path);
        rc = STORE_ERROR;
    }
    sqlite3_close_v2(db);
    return rc;
}

const struct store_driver sqlite_driver = {
    .open = sqlite_store_open,
    .create_database = sqlite_store_create_database,
    .background_start = sqlite_checkpointer_start,
    .background_stop = sqlite_checkpointer_stop,
    .backup = sqlite_backup,
    .restore = sqlite_restore,
};
