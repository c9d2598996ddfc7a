/*
 * backend.h — what a database backend provides to the store (private to src/store).
 *
 * The store's operations (schema, clients, stats) are written once, in SQL that
 * SQLite and PostgreSQL both understand, with `?` placeholders.  A backend is a
 * driver behind a table of ops: it runs such a statement (prepared once per
 * connection and kept), hands the rows back column by column, reports a broken
 * unique key as STORE_CONFLICT naming the key, and carries the few pieces that
 * differ between the two dialects (the DDL of each migration step, how a write
 * transaction begins, how to match a set of ANRs).
 *
 * One statement is active at a time per connection: query → next_row … →
 * end_query.  A query that fails leaves nothing to end.
 */
#ifndef STORE_BACKEND_H
#define STORE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"

/* The unique keys of the schema, so a conflict can be explained in words. */
enum store_key {
    STORE_KEY_OTHER,
    STORE_KEY_CLIENT_UUID,
    STORE_KEY_CLIENT_NAME,
    STORE_KEY_CLIENT_TOKEN,
    STORE_KEY_STATS_UUID,
    STORE_KEY_STATS_NATURAL, /* (client_id, anr, type, date) */
};

enum sql_kind { SQL_NULL, SQL_INT, SQL_REAL, SQL_TEXT };

/* The DDL dialects: each stats kind writes its tables in each (facts/facts.h). */
enum sql_dialect { SQL_DIALECT_SQLITE, SQL_DIALECT_POSTGRES, SQL_DIALECTS };

/* A value bound to a `?`; text is borrowed and must live until end_query. */
struct sql_value {
    enum sql_kind kind;
    int64_t i;
    double r;
    const char *s;
};

#define SQL_MAX_PARAMS 32 /* a risk facts row binds 27 */

static inline struct sql_value sql_int(int64_t i)
{
    return (struct sql_value){.kind = SQL_INT, .i = i};
}

static inline struct sql_value sql_real(double r)
{
    return (struct sql_value){.kind = SQL_REAL, .r = r};
}

static inline struct sql_value sql_text(const char *s)
{
    return (struct sql_value){.kind = SQL_TEXT, .s = s};
}

static inline struct sql_value sql_null(void)
{
    return (struct sql_value){.kind = SQL_NULL};
}

/* The part of every connection that the shared code sees; backends embed it first. */
struct store {
    const struct store_ops *ops;
    buf err;                   /* store_errmsg() */
    enum store_key conflict;   /* which key, after a query returned STORE_CONFLICT */
    bool unavailable;          /* store_unavailable(): the last failure was the database
                                  not answering (set by the backend, cleared by store_fail) */
};

struct store_ops {
    const char *name;                 /* store_backend() */
    enum sql_dialect dialect;         /* which DDL of the kinds' tables it runs */

    /* migrations[i] is the backend's part of the script taking the schema from
     * version i to i + 1; the kinds' tables of that step follow (schema.c). */
    const char *const *migrations;
    int n_migrations;
    const char *begin_write;          /* starts a transaction holding the write lock */
    const char *begin_read;           /* starts a read-only transaction on one snapshot */
    const char *migrate_lock;         /* run first in the migration transaction, or NULL */
    /* Hold, until the transaction ends, the locks that order the writers of
     * stats (store_lock_writer): writers_lock_shared, then client_lock (the
     * client id as text param) for those of one client; writers_lock for those
     * of several.  A client's stats are thus stored one transaction at a time,
     * which the evolution's spans need (they link an analysis' stats).  NULL:
     * one writer at a time anyway. */
    const char *client_lock;
    const char *writers_lock_shared;
    const char *writers_lock;
    /* Holds, until the transaction ends, the lock of new labels: two writers
     * inserting the same new labels in different orders would deadlock.  NULL:
     * one writer at a time anyway. */
    const char *labels_lock;
    const char *table_exists;         /* one row iff the table named by the text param exists */
    const char *anr_in_set;           /* predicate "anr is in the set" taking one param … */
    void (*encode_set)(buf *b, const char *const *items, size_t n); /* … written by this */

    void (*close)(struct store *s);
    /* Runs several ;-separated statements without parameters (DDL). */
    enum store_rc (*exec_script)(struct store *s, const char *sql);
    /* Sends a write whose outcome is only needed by the end of the transaction;
     * its error, if any, comes back from the next query (NULL: run it at once). */
    enum store_rc (*defer)(struct store *s, const char *sql, const struct sql_value *params, size_t n);
    /* Runs one statement; its rows are then read with next_row and the getters. */
    enum store_rc (*query)(struct store *s, const char *sql, const struct sql_value *params, size_t n);
    /* STORE_OK: a row is readable; STORE_NOT_FOUND: no more rows. */
    enum store_rc (*next_row)(struct store *s);
    bool (*is_null)(struct store *s, int col);
    int64_t (*get_int)(struct store *s, int col);
    double (*get_real)(struct store *s, int col);
    const char *(*get_text)(struct store *s, int col); /* valid until the next row */
    int64_t (*changes)(struct store *s);              /* rows written by the statement */
    void (*end_query)(struct store *s);
    /* Drops the prepared statements (after the tables they name were dropped). */
    void (*forget_statements)(struct store *s);
};

/*
 * What store.c knows of a backend before any connection exists: it picks the
 * driver by the URI's scheme and hands it its target, the file path for
 * SQLite ("sqlite:///./x.db" → "./x.db"), the whole URI for PostgreSQL.
 */
struct store_driver {
    /* create false: a SQLite file that is not there is STORE_NOT_FOUND, and is
     * not made (PostgreSQL never makes a database here). */
    enum store_rc (*open)(const char *target, bool create, struct store **out, char **errmsg);
    enum store_rc (*create_database)(const char *target, char **errmsg);
    /* Housekeeping in a thread of its own while a server runs; connections
     * opened meanwhile take part.  NULL: the backend needs none. */
    enum store_rc (*background_start)(const char *target, char **errmsg);
    void (*background_stop)(void); /* after those connections are closed */
    /* store_backup and store_restore (store.h) for this backend. */
    enum store_rc (*backup)(const char *target, const char *file, int *version, char **errmsg);
    enum store_rc (*restore)(const char *target, const char *file, bool replace, int *version,
                             char **errmsg);
};

extern const struct store_driver sqlite_driver; /* sqlite.c */
extern const struct store_driver pg_driver;     /* postgres.c */

/* sqlite_backup.c and postgres_backup.c: the drivers' backup and restore. */
enum store_rc sqlite_backup(const char *path, const char *file, int *version, char **errmsg);
enum store_rc sqlite_restore(const char *path, const char *file, bool replace, int *version,
                             char **errmsg);
enum store_rc pg_backup(const char *uri, const char *file, int *version, char **errmsg);
enum store_rc pg_restore(const char *uri, const char *file, bool replace, int *version,
                         char **errmsg);

/*
 * schema.c, inside the caller's write transaction: the migration steps up to
 * version `target` (none when the schema is there already), and dropping
 * every table.
 */
enum store_rc schema_apply_steps(struct store *s, int target);
enum store_rc schema_drop_tables(struct store *s);

/*
 * backup_file.c: the backup file (a SQLite database of this service's
 * schema), shared by both backends' backup and restore.
 */
struct sqlite3;
/* Opens a backup read-only and checks it: a sound SQLite database with this
 * service's tables; *version is its schema version.  Else *errmsg says why. */
enum store_rc backup_file_open(const char *file, struct sqlite3 **db, int *version, char **errmsg);
/* The temporary name a file is written under before it is renamed into place. */
char *backup_temp_name(const char *file);
/* Makes tmp durable and renames it to file (then syncs the folder). */
enum store_rc backup_file_install(const char *tmp, const char *file, char **errmsg);
/* Creates the backup file tmp with the SQLite schema at `version`, and leaves
 * it open for backup_file_fill, in rollback-journal mode. */
enum store_rc backup_file_create(const char *tmp, int version, struct sqlite3 **db, char **errmsg);
/* Copies every table of the backup's schema from src (read in keyset pages,
 * inside src's transaction) into the backup file; one transaction there. */
enum store_rc backup_file_fill(struct store *src, struct sqlite3 *db, char **errmsg);
/* Copies every row of the backup file into dst, whose schema is at the
 * backup's version and holds no data, inside dst's transaction. */
enum store_rc backup_file_load(struct sqlite3 *db, struct store *dst);
/* The clients and stats a database holds (0 and 0 without a schema). */
enum store_rc store_count_data(struct store *s, int64_t *clients, int64_t *stats);
/* "The database … holds N clients and M stats; …": the refusal of a restore. */
char *backup_refusal(const char *what, int64_t clients, int64_t stats);
/* *errmsg = the formatted message (allocated); returns rc. */
enum store_rc backup_fail(char **errmsg, enum store_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* sqlite_checkpoint.c: WAL checkpoints in a background thread while it runs
 * (sqlite_driver's background work); each connection sqlite.c opens is
 * attached to it. */
struct sqlite3;
void sqlite_configure_once(void); /* sqlite.c: before any sqlite3_open */
enum store_rc sqlite_checkpointer_start(const char *path, char **errmsg);
void sqlite_checkpointer_stop(void);
void sqlite_checkpointer_attach(struct sqlite3 *db);

/* sql.c: the common part of a connection. */
void store_base_init(struct store *s, const struct store_ops *ops);
void store_base_release(struct store *s);
/* Sets store_errmsg(s), clears s->unavailable (a failure of the shared code is
 * not the database's absence) and returns rc. */
enum store_rc store_fail(struct store *s, enum store_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "YYYY-MM-DDTHH:MM:SSZ" of `seconds` ago (UTC). */
void timestamp_ago(int seconds, char out[TIMESTAMP_STR_LEN]);

/* sql.c: statement helpers over the ops. */
/* Runs a statement that returns no rows; *changed (may be NULL) = rows written. */
enum store_rc sql_run(struct store *s, const char *sql, const struct sql_value *params, size_t n,
                      int64_t *changed);
/* A write whose outcome (rows written, error) is only needed by the end of the
 * transaction: the backend may send it along with the next query, which then
 * reports its error. */
enum store_rc sql_defer(struct store *s, const char *sql, const struct sql_value *params, size_t n);
/* Runs a query and reads its first row: STORE_OK leaves the row readable until
 * sql_end(); STORE_NOT_FOUND means no row (nothing to end). */
enum store_rc sql_first_row(struct store *s, const char *sql, const struct sql_value *params,
                            size_t n);
/* A query whose first column of its only row is an integer (COUNT …). */
enum store_rc sql_int_value(struct store *s, const char *sql, const struct sql_value *params,
                            size_t n, int64_t *out);
void sql_end(struct store *s);
enum store_rc sql_begin_write(struct store *s);
enum store_rc sql_commit(struct store *s);
/* Rolls back, keeping the message of the error that caused it. */
void sql_rollback(struct store *s);

/* stats_rows.c: rows of the stats table. */
#define STATS_COLUMNS "id, client_id, uuid, anr, type, date, data"
/* Reads the current row of a "SELECT " STATS_COLUMNS query. */
void stats_row_read(struct store *s, struct stats_row *r);
/* Inserts one stats row (not its facts); *id receives its id.  A broken
 * unique key is STORE_CONFLICT with s->conflict naming it. */
enum store_rc stats_row_insert(struct store *s, int64_t client_id, const struct stats_item *item,
                               const char *uuid, const char *now, int64_t *id);
/* STORE_NOT_FOUND (with a message) unless the client exists. */
enum store_rc store_require_client(struct store *s, int64_t client_id);

/*
 * query.c: a SELECT being assembled from a stats_filter, shared by
 * stats_rows.c and the facts.  Conditions name the columns client_id, type, anr and date, so they
 * apply to any table (or single-table subquery) that has them.
 */
struct query {
    buf sql;
    struct sql_value params[SQL_MAX_PARAMS];
    size_t n;
    bool has_where;
    buf anr_set;
};

void query_bind(struct query *q, struct sql_value v);
/* Appends " WHERE condition" or " AND condition", binding v when given. */
void query_where_plain(struct query *q, const char *condition);
void query_where(struct query *q, const char *condition, struct sql_value v);
/* The conditions of f: scope, type, client flags, ANRs, and dates unless f->get_last. */
void query_add_filters(struct store *s, struct query *q, const struct stats_filter *f);
void query_free(struct query *q);

/*
 * facts/common.c: the fact tables follow the stats rows (see extract.h and
 * facts/facts.h, which the kinds' storage files share).
 * Written in the caller's transaction; deleting a stats row deletes its facts
 * by cascade, and triggers take them out of the daily sums and bump
 * stats_versions.
 */
/* Writes the facts of one stats row (whose data is `data`; facts as
 * facts_writer_insert takes them); none must exist yet.  Data without the
 * shape of its type gets none (STORE_OK). */
enum store_rc facts_insert(struct store *s, int64_t stats_id, int64_t client_id, const char *anr,
                           enum stats_type type, const char *date, const char *data,
                           const struct stats_facts *facts);
/*
 * The same for many rows of one transaction: the writer remembers the ids of
 * labels (a batch repeats the same threats) and adds up the new facts' sums,
 * written to the daily totals by facts_writer_flush() — call it before the
 * commit, and before anything in the transaction deletes facts it wrote.
 */
struct facts_writer;
struct facts_writer *facts_writer_new(void);
void facts_writer_free(struct facts_writer *w);
/* facts: those of data already taken out (stats_item.facts; the caller keeps
 * them), or NULL to take them from data. */
enum store_rc facts_writer_insert(struct facts_writer *w, struct store *s, int64_t stats_id,
                                  int64_t client_id, const char *anr, enum stats_type type,
                                  const char *date, const char *data, const struct stats_facts *facts);
enum store_rc facts_writer_flush(struct facts_writer *w, struct store *s);
/* Drops the facts of a stats row whose data is about to be rewritten (after
 * flushing the writer when they are among its pending sums). */
enum store_rc facts_writer_delete(struct facts_writer *w, struct store *s, int64_t stats_id);
/* Writes the facts of every stats row that has none (the migration to version 2). */
enum store_rc facts_backfill(struct store *s);

/*
 * Bumps the change counter of one stats type (0..4), or of all (-1), always
 * together with the global counter.  The public caches compare these
 * counters on every request, in every instance sharing the database.
 * INSERT, UPDATE OF data and DELETE on stats (cascades included) and changes
 * of a client's sharing/local flags or coordinates bump them by trigger, in
 * the writing transaction; call this for any other change that alters what
 * processors see (e.g. facts rewritten without a stats row changing).
 */
enum store_rc store_bump_versions(struct store *s, int type_or_minus_one);
/* In a write transaction, waits until no other transaction writes stats of
 * the client (client_id 0: of any client), and keeps them out until it ends.
 * On PostgreSQL this replaces the order the change counters once imposed,
 * when the first stats row written locked them to the commit: transactions
 * that may add to the same daily totals, in their own orders, take turns. */
enum store_rc store_lock_writer(struct store *s, int64_t client_id);
/* Its second part alone: the client's lock (client_lock), held to the end of
 * the transaction; taking it again in the same transaction does not wait. */
enum store_rc store_lock_client(struct store *s, int64_t client_id);
/* sql_run in a write transaction of its own, holding store_lock_writer(client_id). */
enum store_rc sql_run_as_writer(struct store *s, int64_t client_id, const char *sql,
                                const struct sql_value *params, size_t n, int64_t *changed);

/*
 * stmt_cache.c: prepared statements of one connection, keyed by their SQL text.
 * The texts are a finite set fixed by this code (filters change the shape of a
 * query, never its length without bound), so entries are never evicted.
 */
struct stmt_cache_entry {
    uint64_t hash;
    char *sql;
    void *handle; /* the backend's prepared statement */
};

struct stmt_cache {
    struct stmt_cache_entry *items;
    size_t count, cap;
};

/* The entry for sql, or NULL. */
struct stmt_cache_entry *stmt_cache_find(const struct stmt_cache *c, const char *sql);
/* Adds sql (copied); the pointer is valid until the next add. */
struct stmt_cache_entry *stmt_cache_add(struct stmt_cache *c, const char *sql, void *handle);
/* Empties the cache, passing every handle to release (may be NULL). */
void stmt_cache_clear(struct stmt_cache *c, void (*release)(void *handle));

#endif
