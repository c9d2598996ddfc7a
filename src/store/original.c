/*
 * original.c — reads a database of the original Python service (see original.h).
 *
 * Which optional columns exist is found once, in information_schema, and the
 * SELECTs are written with NULL in place of a missing one.  Stats are read
 * through a server-side cursor, so a large table is never held in memory; the
 * original's duplicates are marked in the same query by a window function.
 */
#include "store/original.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define UTC_TIMESTAMP(col) "to_char(" col ", 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

struct original_db {
    PGconn *conn;
    buf err;
    buf client_columns;  /* "|id|uuid|…|": the columns of table client */
    buf stats_columns;
};

const char *original_errmsg(struct original_db *o)
{
    return o->err.data ? o->err.data : "";
}

/* Sets the message from libpq (its messages end with a newline); returns false. */
static bool fail_pq(struct original_db *o, const char *what, const PGresult *r)
{
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!msg)
        msg = PQerrorMessage(o->conn);
    size_t len = strlen(msg);
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--;
    buf_reset(&o->err);
    buf_printf(&o->err, "%s: ", what);
    for (size_t i = 0; i < len; i++) { /* one line: libpq's hints come on lines of their own */
        char ch = msg[i];
        if (ch == '\n' || ch == '\t')
            ch = ' ';
        buf_putc(&o->err, ch);
    }
    return false;
}

static bool exec_command(struct original_db *o, const char *sql)
{
    PGresult *r = PQexec(o->conn, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fail_pq(o, "the original database", r);
    PQclear(r);
    return ok;
}

/* Fills names with "|col|col|…|" for the table; an absent table gives "|". */
static bool read_columns(struct original_db *o, const char *table, buf *names)
{
    const char *params[] = {table};
    PGresult *r = PQexecParams(o->conn,
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = $1",
        1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fail_pq(o, "the original database", r);
        PQclear(r);
        return false;
    }
    buf_putc(names, '|');
    for (int i = 0; i < PQntuples(r); i++)
        buf_printf(names, "%s|", PQgetvalue(r, i, 0));
    PQclear(r);
    return true;
}

static bool has_column(const buf *columns, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, "|%s|", name);
    return strstr(columns->data, key) != NULL;
}

/* The columns without which the data cannot be taken over. */
static bool check_required(struct original_db *o)
{
    static const struct {
        const char *table, *column;
    } required[] = {
        {"client", "id"}, {"client", "uuid"}, {"client", "token"},
        {"stats", "uuid"}, {"stats", "anr"}, {"stats", "type"}, {"stats", "date"},
        {"stats", "data"}, {"stats", "client_id"},
    };
    for (size_t i = 0; i < sizeof required / sizeof *required; i++) {
        const buf *columns = strcmp(required[i].table, "client") == 0 ? &o->client_columns
                                                                      : &o->stats_columns;
        if (strcmp(columns->data, "|") == 0) {
            buf_reset(&o->err);
            buf_printf(&o->err, "this is not a database of the original stats service: "
                                "it has no table '%s'", required[i].table);
            return false;
        }
        if (!has_column(columns, required[i].column)) {
            buf_reset(&o->err);
            buf_printf(&o->err, "this is not a database of the original stats service: "
                                "table '%s' has no column '%s'",
                       required[i].table, required[i].column);
            return false;
        }
    }
    return true;
}

struct original_db *original_open(const char *uri, char **errmsg)
{
    struct original_db *o = xcalloc(1, sizeof *o);
    o->conn = PQconnectdb(uri);
    bool ok = PQstatus(o->conn) == CONNECTION_OK;
    if (!ok)
        fail_pq(o, "cannot connect to the original database", NULL);
    ok = ok && PQsetClientEncoding(o->conn, "UTF8") == 0;
    ok = ok && exec_command(o, "SET DateStyle = 'ISO, YMD'") && exec_command(o, "SET TIME ZONE 'UTC'");
    ok = ok && read_columns(o, "client", &o->client_columns) &&
         read_columns(o, "stats", &o->stats_columns) && check_required(o);
    if (ok)
        return o;
    *errmsg = xstrdup(original_errmsg(o));
    original_close(o);
    return NULL;
}

void original_close(struct original_db *o)
{
    if (!o)
        return;
    PQfinish(o->conn);
    buf_free(&o->err);
    buf_free(&o->client_columns);
    buf_free(&o->stats_columns);
    free(o);
}

/* Appends ", <expr>" when the column exists, else ", NULL". */
static void select_column(buf *sql, const buf *columns, const char *column, const char *expr)
{
    buf_puts(sql, ", ");
    buf_puts(sql, has_column(columns, column) ? expr : "NULL");
}

static char *value_or_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : xstrdup(PQgetvalue(r, row, col));
}

static bool read_flag(const PGresult *r, int row, int col, bool *value)
{
    if (PQgetisnull(r, row, col))
        return false;
    *value = PQgetvalue(r, row, col)[0] == 't';
    return true;
}

static void copy_timestamp(const PGresult *r, int row, int col, char out[TIMESTAMP_STR_LEN])
{
    out[0] = '\0';
    if (!PQgetisnull(r, row, col))
        snprintf(out, TIMESTAMP_STR_LEN, "%s", PQgetvalue(r, row, col));
}

static void read_client(const PGresult *r, int row, struct original_client *c)
{
    c->id = strtoll(PQgetvalue(r, row, 0), NULL, 10);
    c->uuid = xstrdup(PQgetvalue(r, row, 1));
    c->name = value_or_null(r, row, 2);
    c->token = value_or_null(r, row, 3);
    c->role = PQgetisnull(r, row, 4) ? 0 : (int)strtol(PQgetvalue(r, row, 4), NULL, 10);
    c->has_sharing = read_flag(r, row, 5, &c->is_sharing_enabled);
    c->has_local = read_flag(r, row, 6, &c->local);
    c->has_coordinates = !PQgetisnull(r, row, 7) && !PQgetisnull(r, row, 8);
    if (c->has_coordinates) {
        c->latitude = strtod(PQgetvalue(r, row, 7), NULL);
        c->longitude = strtod(PQgetvalue(r, row, 8), NULL);
    }
    copy_timestamp(r, row, 9, c->created_at);
    copy_timestamp(r, row, 10, c->last_seen);
}

bool original_clients(struct original_db *o, struct original_client_list *out)
{
    *out = (struct original_client_list){0};
    const buf *cols = &o->client_columns;
    buf sql = BUF_INIT;
    buf_puts(&sql, "SELECT id, uuid::text");
    select_column(&sql, cols, "name", "name");
    buf_puts(&sql, ", token");
    select_column(&sql, cols, "role", "role");
    select_column(&sql, cols, "is_sharing_enabled", "is_sharing_enabled");
    select_column(&sql, cols, "local", "local");
    select_column(&sql, cols, "latitude", "latitude::float8");
    select_column(&sql, cols, "longitude", "longitude::float8");
    select_column(&sql, cols, "created_at", UTC_TIMESTAMP("created_at"));
    select_column(&sql, cols, "last_seen", UTC_TIMESTAMP("last_seen"));
    buf_puts(&sql, " FROM client ORDER BY id");
    PGresult *r = PQexec(o->conn, sql.data);
    buf_free(&sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fail_pq(o, "cannot read the original's clients", r);
        PQclear(r);
        return false;
    }
    out->count = (size_t)PQntuples(r);
    out->items = xcalloc(out->count ? out->count : 1, sizeof *out->items);
    for (size_t i = 0; i < out->count; i++)
        read_client(r, (int)i, &out->items[i]);
    PQclear(r);
    return true;
}

void original_client_list_free(struct original_client_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->items[i].uuid);
        free(l->items[i].name);
        free(l->items[i].token);
    }
    free(l->items);
    *l = (struct original_client_list){0};
}

bool original_stats_count(struct original_db *o, int64_t *count)
{
    PGresult *r = PQexec(o->conn, "SELECT COUNT(*) FROM stats");
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    if (ok)
        *count = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else
        fail_pq(o, "cannot count the original's stats", r);
    PQclear(r);
    return ok;
}

bool original_stats_begin(struct original_db *o)
{
    const buf *cols = &o->stats_columns;
    const char *created = has_column(cols, "created_at") ? "created_at" : "NULL::timestamp";
    buf sql = BUF_INIT;
    buf_printf(&sql,
               "DECLARE original_stats NO SCROLL CURSOR FOR "
               "SELECT client_id, uuid::text, anr::text, type::text, to_char(date, 'YYYY-MM-DD'), "
               "data::text, ROW_NUMBER() OVER (PARTITION BY client_id, anr, type, date "
               "ORDER BY %s DESC NULLS LAST, %s%s uuid DESC) > 1 FROM stats "
               "ORDER BY client_id NULLS LAST, date, %s NULLS FIRST, uuid",
               created,
               has_column(cols, "updated_at") ? "updated_at DESC NULLS LAST, " : "",
               has_column(cols, "id") ? "id DESC," : "", created);
    bool ok = exec_command(o, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") &&
              exec_command(o, sql.data);
    buf_free(&sql);
    return ok;
}

static void read_stats(const PGresult *r, int row, struct original_stats *s)
{
    s->has_client = !PQgetisnull(r, row, 0);
    s->client_id = s->has_client ? strtoll(PQgetvalue(r, row, 0), NULL, 10) : 0;
    s->uuid = xstrdup(PQgetvalue(r, row, 1));
    s->anr = xstrdup(PQgetvalue(r, row, 2));
    s->type = xstrdup(PQgetvalue(r, row, 3));
    s->date = xstrdup(PQgetvalue(r, row, 4));
    s->data = value_or_null(r, row, 5);
    s->superseded = PQgetvalue(r, row, 6)[0] == 't';
}

bool original_stats_next(struct original_db *o, size_t max, struct original_stats_page *out)
{
    *out = (struct original_stats_page){0};
    buf sql = BUF_INIT;
    buf_printf(&sql, "FETCH FORWARD %zu FROM original_stats", max);
    PGresult *r = PQexec(o->conn, sql.data);
    buf_free(&sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fail_pq(o, "cannot read the original's stats", r);
        PQclear(r);
        return false;
    }
    out->count = (size_t)PQntuples(r);
    out->rows = xcalloc(out->count ? out->count : 1, sizeof *out->rows);
    for (size_t i = 0; i < out->count; i++)
        read_stats(r, (int)i, &out->rows[i]);
    PQclear(r);
    return true;
}

void original_stats_end(struct original_db *o)
{
    PGresult *r = PQexec(o->conn, "ROLLBACK"); /* read only: nothing to keep */
    PQclear(r);
}

void original_stats_page_free(struct original_stats_page *p)
{
    for (size_t i = 0; i < p->count; i++) {
        struct original_stats *s = &p->rows[i];
        free(s->uuid);
        free(s->anr);
        free(s->type);
        free(s->date);
        free(s->data);
    }
    free(p->rows);
    *p = (struct original_stats_page){0};
}
