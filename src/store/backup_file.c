/*
 * backup_file.c — the backup file of both backends: a SQLite database holding
 * this service's tables at one schema version, in rollback-journal mode (one
 * self-contained file, readable from a read-only folder).
 *
 * Why one format for both: a restore checks the file itself (a sound
 * database, this service's tables, its schema version) before touching the
 * target; it needs no client tools of the backend's own (pg_dump must match
 * the server's version); and a backup of either backend restores into either,
 * which is how a database moves from SQLite to PostgreSQL.
 *
 * Here: checking a backup, writing it under a temporary name made durable
 * then renamed, and copying rows between the file and a store in table order
 * (clients, stats, then the tables that point at them), column by column as
 * the file's schema names them: both backends' schemas of one version have
 * the same tables and columns.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/backend.h"

/* Rows read from a store per query, by key: a page of stats holds documents. */
#define PAGE_ROWS 256

enum store_rc backup_fail(char **errmsg, enum store_rc rc, const char *fmt, ...)
{
    if (errmsg) {
        buf msg = BUF_INIT;
        va_list ap;
        va_start(ap, fmt);
        buf_vprintf(&msg, fmt, ap);
        va_end(ap);
        *errmsg = buf_detach(&msg, NULL);
    }
    return rc;
}

char *backup_temp_name(const char *file)
{
    buf name = BUF_INIT;
    buf_printf(&name, "%s.tmp-%ld", file, (long)getpid());
    return buf_detach(&name, NULL);
}

/* The folder part of path, for syncing the rename; caller frees. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    return xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
}

static int fsync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int err = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    return err;
}

enum store_rc backup_file_install(const char *tmp, const char *file, char **errmsg)
{
    int err = fsync_path(tmp, O_RDONLY);
    if (err)
        return backup_fail(errmsg, STORE_ERROR, "cannot sync %s: %s", tmp, strerror(err));
    if (rename(tmp, file) != 0)
        return backup_fail(errmsg, STORE_ERROR, "cannot rename %s to %s: %s", tmp, file,
                           strerror(errno));
    char *folder = folder_of(file);
    err = fsync_path(folder, O_RDONLY | O_DIRECTORY);
    enum store_rc rc = STORE_OK;
    if (err)
        rc = backup_fail(errmsg, STORE_ERROR, "cannot sync the folder %s: %s", folder, strerror(err));
    free(folder);
    return rc;
}

/* The first column of the one-row query sql, as text ("" when no row). */
static int query_text(sqlite3 *db, const char *sql, buf *out)
{
    sqlite3_stmt *stmt;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        const unsigned char *text = sqlite3_column_text(stmt, 0);
        buf_puts(out, text ? (const char *)text : "");
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(stmt);
    return rc;
}

enum store_rc backup_file_open(const char *file, sqlite3 **db, int *version, char **errmsg)
{
    *db = NULL;
    if (access(file, R_OK) != 0)
        return backup_fail(errmsg, STORE_NOT_FOUND, "cannot read the backup %s: %s", file,
                           strerror(errno));
    sqlite3 *b = NULL;
    if (sqlite3_open_v2(file, &b, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        enum store_rc rc = backup_fail(errmsg, STORE_ERROR, "cannot open the backup %s: %s", file,
                                       b ? sqlite3_errmsg(b) : "out of memory");
        sqlite3_close_v2(b);
        return rc;
    }
    buf text = BUF_INIT;
    enum store_rc rc = STORE_OK;
    /* quick_check reads every page: a truncated or damaged file says so here,
     * not half-way through a restore. */
    int sq = query_text(b, "PRAGMA quick_check", &text);
    if (sq != SQLITE_OK || strcmp(text.data ? text.data : "", "ok") != 0) {
        rc = backup_fail(errmsg, STORE_ERROR, "%s is not a sound SQLite database, so not a backup: %s",
                         file, sq != SQLITE_OK ? sqlite3_errmsg(b) : text.data);
    } else {
        buf_reset(&text);
        sq = query_text(b, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                           "('schema_version', 'clients', 'stats')", &text);
        if (sq != SQLITE_OK || strcmp(text.data ? text.data : "", "3") != 0)
            rc = backup_fail(errmsg, STORE_ERROR,
                             "%s is a SQLite database but not a backup of this service "
                             "(no tables schema_version, clients and stats)", file);
    }
    if (rc == STORE_OK) {
        buf_reset(&text);
        sq = query_text(b, "SELECT version FROM schema_version", &text);
        *version = sq == SQLITE_OK && text.data ? (int)strtol(text.data, NULL, 10) : 0;
        if (*version <= 0)
            rc = backup_fail(errmsg, STORE_ERROR, "%s has no schema version: not a backup", file);
    }
    buf_free(&text);
    if (rc != STORE_OK) {
        sqlite3_close_v2(b);
        return rc;
    }
    *db = b;
    return STORE_OK;
}

enum store_rc backup_file_create(const char *tmp, int version, sqlite3 **db, char **errmsg)
{
    *db = NULL;
    unlink(tmp); /* a temporary left by a crash */
    struct store *s = NULL;
    enum store_rc rc = sqlite_driver.open(tmp, true, &s, errmsg);
    if (rc != STORE_OK)
        return rc;
    rc = sql_begin_write(s);
    if (rc == STORE_OK)
        rc = schema_apply_steps(s, version);
    if (rc == STORE_OK)
        rc = sql_commit(s);
    if (rc != STORE_OK) {
        sql_rollback(s);
        backup_fail(errmsg, rc, "cannot create the schema of %s: %s", tmp, store_errmsg(s));
    }
    store_close(s);
    if (rc != STORE_OK)
        return rc;
    sqlite3 *b = NULL;
    /* Out of WAL mode (the store's), so the backup is one file; the file is
     * synced once complete, not at every page. */
    if (sqlite3_open_v2(tmp, &b, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_exec(b, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = OFF; BEGIN", NULL, NULL,
                     NULL) != SQLITE_OK) {
        rc = backup_fail(errmsg, STORE_ERROR, "cannot write %s: %s", tmp,
                         b ? sqlite3_errmsg(b) : "out of memory");
        sqlite3_close_v2(b);
        return rc;
    }
    *db = b;
    return STORE_OK;
}

/* The tables of the backup in the order they are copied: clients and stats
 * first, which the others point at; caller frees each name and the array. */
static char **table_names(sqlite3 *db, size_t *count)
{
    static const char *const sql =
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name <> 'clients', name <> 'stats', name";
    sqlite3_stmt *stmt;
    char **names = NULL;
    size_t n = 0;
    *count = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return NULL;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = xstrdup((const char *)sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    *count = n;
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* A table's columns as the backup's schema declares them. */
struct table_columns {
    size_t n;
    char *names[SQL_MAX_PARAMS];
    char types[SQL_MAX_PARAMS];   /* 'i' INTEGER, 'r' REAL, 't' TEXT */
    int key_pos[SQL_MAX_PARAMS];  /* column index of the primary key's k-th column */
    size_t n_key;
};

static bool read_columns(sqlite3 *db, const char *table, struct table_columns *c)
{
    memset(c, 0, sizeof *c);
    buf sql = BUF_INIT;
    buf_printf(&sql, "SELECT name, type, pk FROM pragma_table_info('%s') ORDER BY cid", table);
    sqlite3_stmt *stmt;
    bool ok = sqlite3_prepare_v2(db, sql.data, -1, &stmt, NULL) == SQLITE_OK;
    buf_free(&sql);
    if (!ok)
        return false;
    while (ok && sqlite3_step(stmt) == SQLITE_ROW) {
        if (c->n == SQL_MAX_PARAMS) {
            ok = false;
            break;
        }
        const char *type = (const char *)sqlite3_column_text(stmt, 1);
        int pk = sqlite3_column_int(stmt, 2);
        c->names[c->n] = xstrdup((const char *)sqlite3_column_text(stmt, 0));
        c->types[c->n] = 't';
        if (strcmp(type, "INTEGER") == 0)
            c->types[c->n] = 'i';
        else if (strcmp(type, "REAL") == 0)
            c->types[c->n] = 'r';
        if (pk > 0 && pk <= SQL_MAX_PARAMS) {
            c->key_pos[pk - 1] = (int)c->n;
            if ((size_t)pk > c->n_key)
                c->n_key = (size_t)pk;
        }
        c->n++;
    }
    sqlite3_finalize(stmt);
    return ok && c->n > 0;
}

static void free_columns(struct table_columns *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->names[i]);
}

/* "a, b, c" */
static void put_list(buf *b, struct table_columns *c, const int *pick, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_printf(b, "%s%s", i ? ", " : "", c->names[pick ? pick[i] : (int)i]);
}

/* "INSERT INTO t (a, b) VALUES (?, ?)" */
static char *insert_sql(const char *table, struct table_columns *c)
{
    buf sql = BUF_INIT;
    buf_printf(&sql, "INSERT INTO %s (", table);
    put_list(&sql, c, NULL, c->n);
    buf_puts(&sql, ") VALUES (");
    for (size_t i = 0; i < c->n; i++)
        buf_puts(&sql, i ? ", ?" : "?");
    buf_putc(&sql, ')');
    return buf_detach(&sql, NULL);
}

/* --- from a store into the backup --- */

/* A value of the store's current row, bound to the file's insert by the
 * file's column type.  PostgreSQL's booleans read "t"/"f". */
static int bind_store_value(struct store *src, int col, char type, sqlite3_stmt *ins)
{
    if (src->ops->is_null(src, col))
        return sqlite3_bind_null(ins, col + 1);
    const char *text = src->ops->get_text(src, col);
    switch (type) {
    case 'i':
        if (strcmp(text, "t") == 0 || strcmp(text, "f") == 0)
            return sqlite3_bind_int64(ins, col + 1, text[0] == 't');
        return sqlite3_bind_int64(ins, col + 1, strtoll(text, NULL, 10));
    case 'r':
        return sqlite3_bind_double(ins, col + 1, strtod(text, NULL));
    default:
        return sqlite3_bind_text(ins, col + 1, text, -1, SQLITE_TRANSIENT);
    }
}

/* The key of the last row copied, to read the next page after it. */
struct page_key {
    buf values[SQL_MAX_PARAMS];
    bool set;
};

static enum store_rc copy_table_out(struct store *src, sqlite3 *db, const char *table,
                                    struct table_columns *c, char **errmsg)
{
    char *ins_sql = insert_sql(table, c);
    sqlite3_stmt *ins;
    int sq = sqlite3_prepare_v2(db, ins_sql, -1, &ins, NULL);
    free(ins_sql);
    if (sq != SQLITE_OK)
        return backup_fail(errmsg, STORE_ERROR, "SQLite: %s", sqlite3_errmsg(db));
    /* The rows the schema's creation put there (counters, version) give way to the source's. */
    buf del = BUF_INIT;
    buf_printf(&del, "DELETE FROM %s", table);
    sq = sqlite3_exec(db, del.data, NULL, NULL, NULL);
    buf_free(&del);

    /* SELECT cols FROM t [WHERE (keys) > (?…)] ORDER BY keys LIMIT n: pages by
     * key, so no page costs more than its rows; a table without a key is small
     * (schema_version) and read at once. */
    buf first = BUF_INIT, next = BUF_INIT;
    buf_puts(&first, "SELECT ");
    put_list(&first, c, NULL, c->n);
    buf_printf(&first, " FROM %s", table);
    buf_puts(&next, first.data);
    if (c->n_key) {
        buf_puts(&next, " WHERE (");
        put_list(&next, c, c->key_pos, c->n_key);
        buf_puts(&next, ") > (");
        for (size_t k = 0; k < c->n_key; k++)
            buf_puts(&next, k ? ", ?" : "?");
        buf_puts(&next, ")");
        const char *order = " ORDER BY ";
        buf_puts(&first, order);
        put_list(&first, c, c->key_pos, c->n_key);
        buf_puts(&next, order);
        put_list(&next, c, c->key_pos, c->n_key);
        buf_printf(&first, " LIMIT %d", PAGE_ROWS);
        buf_printf(&next, " LIMIT %d", PAGE_ROWS);
    }
    struct page_key key = {0};
    enum store_rc rc = sq == SQLITE_OK ? STORE_OK : STORE_ERROR;
    if (rc != STORE_OK)
        backup_fail(errmsg, rc, "SQLite: %s", sqlite3_errmsg(db));
    for (bool more = rc == STORE_OK; more;) {
        struct sql_value params[SQL_MAX_PARAMS];
        for (size_t k = 0; key.set && k < c->n_key; k++) {
            int col = c->key_pos[k];
            const char *v = key.values[k].data ? key.values[k].data : "";
            params[k] = c->types[col] == 'i' ? sql_int(strtoll(v, NULL, 10)) : sql_text(v);
        }
        rc = src->ops->query(src, key.set ? next.data : first.data, params, key.set ? c->n_key : 0);
        if (rc != STORE_OK) {
            backup_fail(errmsg, rc, "cannot read the table %s: %s", table, store_errmsg(src));
            break;
        }
        size_t rows = 0;
        while (rc == STORE_OK && (rc = src->ops->next_row(src)) == STORE_OK) {
            rows++;
            for (size_t i = 0; i < c->n && sq == SQLITE_OK; i++)
                sq = bind_store_value(src, (int)i, c->types[i], ins);
            if (sq == SQLITE_OK)
                sq = sqlite3_step(ins) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
            sqlite3_reset(ins);
            if (sq != SQLITE_OK) {
                rc = backup_fail(errmsg, STORE_ERROR, "cannot write the table %s: %s", table,
                                 sqlite3_errmsg(db));
                break;
            }
            for (size_t k = 0; k < c->n_key; k++) {
                buf_reset(&key.values[k]);
                buf_puts(&key.values[k], src->ops->get_text(src, c->key_pos[k]));
            }
            key.set = true;
        }
        if (rc == STORE_NOT_FOUND)
            rc = STORE_OK;
        else if (rc != STORE_OK && errmsg && !*errmsg)
            backup_fail(errmsg, rc, "cannot read the table %s: %s", table, store_errmsg(src));
        src->ops->end_query(src);
        more = rc == STORE_OK && c->n_key && rows == PAGE_ROWS;
    }
    for (size_t k = 0; k < SQL_MAX_PARAMS; k++)
        buf_free(&key.values[k]);
    buf_free(&first);
    buf_free(&next);
    sqlite3_finalize(ins);
    return rc;
}

enum store_rc backup_file_fill(struct store *src, sqlite3 *db, char **errmsg)
{
    size_t n;
    char **tables = table_names(db, &n);
    enum store_rc rc = n ? STORE_OK : backup_fail(errmsg, STORE_ERROR, "the backup has no tables");
    for (size_t t = 0; t < n && rc == STORE_OK; t++) {
        struct table_columns c;
        if (!read_columns(db, tables[t], &c)) {
            rc = backup_fail(errmsg, STORE_ERROR, "cannot read the columns of %s", tables[t]);
            free_columns(&c);
            break;
        }
        rc = copy_table_out(src, db, tables[t], &c, errmsg);
        free_columns(&c);
    }
    free_names(tables, n);
    if (rc == STORE_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = backup_fail(errmsg, STORE_ERROR, "cannot write the backup: %s", sqlite3_errmsg(db));
    return rc;
}

/* --- from the backup into a store --- */

static enum store_rc copy_table_in(sqlite3 *db, struct store *dst, const char *table,
                                   struct table_columns *c)
{
    buf select = BUF_INIT;
    buf_puts(&select, "SELECT ");
    put_list(&select, c, NULL, c->n);
    buf_printf(&select, " FROM %s", table);
    sqlite3_stmt *stmt;
    int sq = sqlite3_prepare_v2(db, select.data, -1, &stmt, NULL);
    buf_free(&select);
    if (sq != SQLITE_OK)
        return store_fail(dst, STORE_ERROR, "cannot read the backup's table %s: %s", table,
                          sqlite3_errmsg(db));
    buf del = BUF_INIT;
    buf_printf(&del, "DELETE FROM %s", table);
    enum store_rc rc = sql_run(dst, del.data, NULL, 0, NULL);
    buf_free(&del);
    char *ins = insert_sql(table, c);
    while (rc == STORE_OK && (sq = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct sql_value v[SQL_MAX_PARAMS];
        for (size_t i = 0; i < c->n; i++) {
            switch (sqlite3_column_type(stmt, (int)i)) {
            case SQLITE_INTEGER:
                v[i] = sql_int(sqlite3_column_int64(stmt, (int)i));
                break;
            case SQLITE_FLOAT:
                v[i] = sql_real(sqlite3_column_double(stmt, (int)i));
                break;
            case SQLITE_NULL:
                v[i] = sql_null();
                break;
            default:
                v[i] = sql_text((const char *)sqlite3_column_text(stmt, (int)i));
                break;
            }
        }
        rc = sql_defer(dst, ins, v, c->n);
    }
    if (rc == STORE_OK && sq != SQLITE_DONE)
        rc = store_fail(dst, STORE_ERROR, "cannot read the backup's table %s: %s", table,
                        sqlite3_errmsg(db));
    free(ins);
    sqlite3_finalize(stmt);
    return rc;
}

enum store_rc backup_file_load(sqlite3 *db, struct store *dst)
{
    size_t n;
    char **tables = table_names(db, &n);
    enum store_rc rc = n ? STORE_OK : store_fail(dst, STORE_ERROR, "the backup has no tables");
    for (size_t t = 0; t < n && rc == STORE_OK; t++) {
        struct table_columns c;
        if (read_columns(db, tables[t], &c))
            rc = copy_table_in(db, dst, tables[t], &c);
        else
            rc = store_fail(dst, STORE_ERROR, "cannot read the columns of the backup's %s", tables[t]);
        free_columns(&c);
    }
    free_names(tables, n);
    return rc;
}

/* --- what a database holds --- */

static enum store_rc count_rows(struct store *s, const char *table, const char *count_sql,
                                int64_t *out)
{
    *out = 0;
    struct sql_value name = sql_text(table);
    enum store_rc rc = sql_first_row(s, s->ops->table_exists, &name, 1);
    if (rc == STORE_NOT_FOUND)
        return STORE_OK;
    if (rc != STORE_OK)
        return rc;
    sql_end(s);
    return sql_int_value(s, count_sql, NULL, 0, out);
}

enum store_rc store_count_data(struct store *s, int64_t *clients, int64_t *stats)
{
    enum store_rc rc = count_rows(s, "clients", "SELECT COUNT(*) FROM clients", clients);
    if (rc == STORE_OK)
        rc = count_rows(s, "stats", "SELECT COUNT(*) FROM stats", stats);
    return rc;
}

char *backup_refusal(const char *what, int64_t clients, int64_t stats)
{
    buf msg = BUF_INIT;
    buf_printf(&msg, "%s holds %lld client%s and %lld stats: a restore would replace them "
                     "(--yes to do so)",
               what, (long long)clients, clients == 1 ? "" : "s", (long long)stats);
    return buf_detach(&msg, NULL);
}
