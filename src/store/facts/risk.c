/*
 * risk.c — the storage of risk stats: one fact row per stats in risk_facts
 * (its 12 level values, extract.h numbering, as exact decimals, with the
 * stats' client and date), the per-client daily totals in risk_rollup (one
 * row per client and date), and the sums per date its processors read
 * (risk.h).
 */
#include "store/facts/risk.h"

#include <assert.h>

#include "store/facts/facts.h"

/* The value columns of risk_facts and risk_rollup: cell i (extract.h) is v<i>_u, v<i>_n. */
#define RISK_VALUE_COLUMNS \
    "v0_u, v0_n, v1_u, v1_n, v2_u, v2_n, v3_u, v3_n, v4_u, v4_n, v5_u, v5_n, v6_u, v6_n, " \
    "v7_u, v7_n, v8_u, v8_n, v9_u, v9_n, v10_u, v10_n, v11_u, v11_n"

_Static_assert(2 * RISK_CELLS <= PENDING_SUM_VALUES, "a pending sum holds the risk values");

static const char *const deletes[] = {"DELETE FROM risk_facts WHERE stats_id = ?", NULL};

/* The daily totals get a transaction's facts at flush (facts_writer_flush)
 * and lose them by trigger, whatever deletes them (cascades included). */
static const struct fact_tables risk_tables = {
    .schema_step = 2,
    .ddl = {
        [SQL_DIALECT_SQLITE] =
            " CREATE TABLE risk_facts (stats_id INTEGER NOT NULL PRIMARY KEY REFERENCES stats (id) ON"
            " DELETE CASCADE, client_id INTEGER NOT NULL, date TEXT NOT NULL, v0_u INTEGER NOT NULL, v0_n"
            " INTEGER NOT NULL, v1_u INTEGER NOT NULL, v1_n INTEGER NOT NULL, v2_u INTEGER NOT NULL, v2_n"
            " INTEGER NOT NULL, v3_u INTEGER NOT NULL, v3_n INTEGER NOT NULL, v4_u INTEGER NOT NULL, v4_n"
            " INTEGER NOT NULL, v5_u INTEGER NOT NULL, v5_n INTEGER NOT NULL, v6_u INTEGER NOT NULL, v6_n"
            " INTEGER NOT NULL, v7_u INTEGER NOT NULL, v7_n INTEGER NOT NULL, v8_u INTEGER NOT NULL, v8_n"
            " INTEGER NOT NULL, v9_u INTEGER NOT NULL, v9_n INTEGER NOT NULL, v10_u INTEGER NOT NULL, v10_n"
            " INTEGER NOT NULL, v11_u INTEGER NOT NULL, v11_n INTEGER NOT NULL) WITHOUT ROWID;"
            " CREATE TABLE risk_rollup (client_id INTEGER NOT NULL, date TEXT NOT NULL, n INTEGER NOT NULL,"
            " v0_u INTEGER NOT NULL, v0_n INTEGER NOT NULL, v1_u INTEGER NOT NULL, v1_n INTEGER NOT NULL,"
            " v2_u INTEGER NOT NULL, v2_n INTEGER NOT NULL, v3_u INTEGER NOT NULL, v3_n INTEGER NOT NULL,"
            " v4_u INTEGER NOT NULL, v4_n INTEGER NOT NULL, v5_u INTEGER NOT NULL, v5_n INTEGER NOT NULL,"
            " v6_u INTEGER NOT NULL, v6_n INTEGER NOT NULL, v7_u INTEGER NOT NULL, v7_n INTEGER NOT NULL,"
            " v8_u INTEGER NOT NULL, v8_n INTEGER NOT NULL, v9_u INTEGER NOT NULL, v9_n INTEGER NOT NULL,"
            " v10_u INTEGER NOT NULL, v10_n INTEGER NOT NULL, v11_u INTEGER NOT NULL, v11_n INTEGER NOT"
            " NULL, PRIMARY KEY (client_id, date)) WITHOUT ROWID;"
            " CREATE INDEX risk_rollup_date ON risk_rollup (date);"
            " CREATE TRIGGER risk_rollup_remove AFTER DELETE ON risk_facts BEGIN UPDATE risk_rollup SET n ="
            " n - 1, v0_u = v0_u - OLD.v0_u, v0_n = v0_n - OLD.v0_n, v1_u = v1_u - OLD.v1_u, v1_n = v1_n -"
            " OLD.v1_n, v2_u = v2_u - OLD.v2_u, v2_n = v2_n - OLD.v2_n, v3_u = v3_u - OLD.v3_u, v3_n = v3_n"
            " - OLD.v3_n, v4_u = v4_u - OLD.v4_u, v4_n = v4_n - OLD.v4_n, v5_u = v5_u - OLD.v5_u, v5_n ="
            " v5_n - OLD.v5_n, v6_u = v6_u - OLD.v6_u, v6_n = v6_n - OLD.v6_n, v7_u = v7_u - OLD.v7_u, v7_n"
            " = v7_n - OLD.v7_n, v8_u = v8_u - OLD.v8_u, v8_n = v8_n - OLD.v8_n, v9_u = v9_u - OLD.v9_u,"
            " v9_n = v9_n - OLD.v9_n, v10_u = v10_u - OLD.v10_u, v10_n = v10_n - OLD.v10_n, v11_u = v11_u -"
            " OLD.v11_u, v11_n = v11_n - OLD.v11_n WHERE client_id = OLD.client_id AND date = OLD.date;"
            " DELETE FROM risk_rollup WHERE client_id = OLD.client_id AND date = OLD.date AND n = 0; END;",
        [SQL_DIALECT_POSTGRES] =
            " CREATE TABLE risk_facts (stats_id BIGINT NOT NULL PRIMARY KEY REFERENCES stats (id) ON DELETE"
            " CASCADE, client_id BIGINT NOT NULL, date DATE NOT NULL, v0_u BIGINT NOT NULL, v0_n BIGINT NOT"
            " NULL, v1_u BIGINT NOT NULL, v1_n BIGINT NOT NULL, v2_u BIGINT NOT NULL, v2_n BIGINT NOT NULL,"
            " v3_u BIGINT NOT NULL, v3_n BIGINT NOT NULL, v4_u BIGINT NOT NULL, v4_n BIGINT NOT NULL, v5_u"
            " BIGINT NOT NULL, v5_n BIGINT NOT NULL, v6_u BIGINT NOT NULL, v6_n BIGINT NOT NULL, v7_u BIGINT"
            " NOT NULL, v7_n BIGINT NOT NULL, v8_u BIGINT NOT NULL, v8_n BIGINT NOT NULL, v9_u BIGINT NOT"
            " NULL, v9_n BIGINT NOT NULL, v10_u BIGINT NOT NULL, v10_n BIGINT NOT NULL, v11_u BIGINT NOT"
            " NULL, v11_n BIGINT NOT NULL);"
            " CREATE TABLE risk_rollup (client_id BIGINT NOT NULL, date DATE NOT NULL, n BIGINT NOT NULL,"
            " v0_u BIGINT NOT NULL, v0_n BIGINT NOT NULL, v1_u BIGINT NOT NULL, v1_n BIGINT NOT NULL, v2_u"
            " BIGINT NOT NULL, v2_n BIGINT NOT NULL, v3_u BIGINT NOT NULL, v3_n BIGINT NOT NULL, v4_u BIGINT"
            " NOT NULL, v4_n BIGINT NOT NULL, v5_u BIGINT NOT NULL, v5_n BIGINT NOT NULL, v6_u BIGINT NOT"
            " NULL, v6_n BIGINT NOT NULL, v7_u BIGINT NOT NULL, v7_n BIGINT NOT NULL, v8_u BIGINT NOT NULL,"
            " v8_n BIGINT NOT NULL, v9_u BIGINT NOT NULL, v9_n BIGINT NOT NULL, v10_u BIGINT NOT NULL, v10_n"
            " BIGINT NOT NULL, v11_u BIGINT NOT NULL, v11_n BIGINT NOT NULL, PRIMARY KEY (client_id, date));"
            " CREATE INDEX risk_rollup_date ON risk_rollup (date);"
            " CREATE OR REPLACE FUNCTION risk_rollup_remove() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " UPDATE risk_rollup SET n = n - 1, v0_u = v0_u - OLD.v0_u, v0_n = v0_n - OLD.v0_n, v1_u = v1_u"
            " - OLD.v1_u, v1_n = v1_n - OLD.v1_n, v2_u = v2_u - OLD.v2_u, v2_n = v2_n - OLD.v2_n, v3_u ="
            " v3_u - OLD.v3_u, v3_n = v3_n - OLD.v3_n, v4_u = v4_u - OLD.v4_u, v4_n = v4_n - OLD.v4_n, v5_u"
            " = v5_u - OLD.v5_u, v5_n = v5_n - OLD.v5_n, v6_u = v6_u - OLD.v6_u, v6_n = v6_n - OLD.v6_n,"
            " v7_u = v7_u - OLD.v7_u, v7_n = v7_n - OLD.v7_n, v8_u = v8_u - OLD.v8_u, v8_n = v8_n -"
            " OLD.v8_n, v9_u = v9_u - OLD.v9_u, v9_n = v9_n - OLD.v9_n, v10_u = v10_u - OLD.v10_u, v10_n ="
            " v10_n - OLD.v10_n, v11_u = v11_u - OLD.v11_u, v11_n = v11_n - OLD.v11_n WHERE client_id ="
            " OLD.client_id AND date = OLD.date; DELETE FROM risk_rollup WHERE client_id = OLD.client_id AND"
            " date = OLD.date AND n = 0; RETURN NULL; END $$;"
            " CREATE TRIGGER risk_rollup_remove AFTER DELETE ON risk_facts FOR EACH ROW EXECUTE FUNCTION"
            " risk_rollup_remove();",
    },
    .drop = "DROP TABLE IF EXISTS risk_facts;"
            "DROP TABLE IF EXISTS risk_rollup;",
    .deletes = deletes,
};

/* --- writing --- */

/* v0_u = r.v0_u + excluded.v0_u, … for every risk value column. */
#define RISK_VALUE_ADDITIONS \
    "v0_u = r.v0_u + excluded.v0_u, v0_n = r.v0_n + excluded.v0_n, v1_u = r.v1_u + " \
    "excluded.v1_u, v1_n = r.v1_n + excluded.v1_n, v2_u = r.v2_u + excluded.v2_u, v2_n = " \
    "r.v2_n + excluded.v2_n, v3_u = r.v3_u + excluded.v3_u, v3_n = r.v3_n + excluded.v3_n, " \
    "v4_u = r.v4_u + excluded.v4_u, v4_n = r.v4_n + excluded.v4_n, v5_u = r.v5_u + " \
    "excluded.v5_u, v5_n = r.v5_n + excluded.v5_n, v6_u = r.v6_u + excluded.v6_u, v6_n = " \
    "r.v6_n + excluded.v6_n, v7_u = r.v7_u + excluded.v7_u, v7_n = r.v7_n + excluded.v7_n, " \
    "v8_u = r.v8_u + excluded.v8_u, v8_n = r.v8_n + excluded.v8_n, v9_u = r.v9_u + " \
    "excluded.v9_u, v9_n = r.v9_n + excluded.v9_n, v10_u = r.v10_u + excluded.v10_u, v10_n " \
    "= r.v10_n + excluded.v10_n, v11_u = r.v11_u + excluded.v11_u, v11_n = r.v11_n + " \
    "excluded.v11_n"

static enum store_rc flush_risk_sum(struct store *s, const struct pending_sum *p)
{
    struct sql_value params[3 + 2 * RISK_CELLS] = {sql_int(p->client_id), sql_text(p->date), sql_int(p->n)};
    for (int i = 0; i < 2 * RISK_CELLS; i++)
        params[3 + i] = sql_int(p->v[i]);
    return sql_defer(s,
        "INSERT INTO risk_rollup AS r (client_id, date, n, " RISK_VALUE_COLUMNS ") VALUES (?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (client_id, date) DO UPDATE SET n = r.n + excluded.n, " RISK_VALUE_ADDITIONS,
        params, sizeof params / sizeof *params);
}

static enum store_rc insert_risk(struct store *s, const struct fact_owner *o, const struct stats_facts *f)
{
    struct sql_value params[3 + 2 * RISK_CELLS] = {sql_int(o->stats_id), sql_int(o->client_id),
                                                   sql_text(o->date)};
    struct pending_sum *p = facts_pending_sum(o->writer, o->client_id, o->type, o->date, "");
    p->n++;
    for (size_t cell = 0; cell < RISK_CELLS; cell++) {
        assert(decimal_is_single(f->risk.value[cell]));
        params[3 + 2 * cell] = sql_int(f->risk.value[cell].units);
        params[4 + 2 * cell] = sql_int(f->risk.value[cell].nanos);
        p->v[2 * cell] += f->risk.value[cell].units;
        p->v[2 * cell + 1] += f->risk.value[cell].nanos;
    }
    return sql_defer(s,
        "INSERT INTO risk_facts (stats_id, client_id, date, " RISK_VALUE_COLUMNS ") VALUES (?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params, sizeof params / sizeof *params);
}

const struct store_kind store_kind_risk = {
    .type = STATS_RISK,
    .tables = &risk_tables,
    .insert = insert_risk,
    .flush_sum = flush_risk_sum,
};

/* --- reading --- */

#define RISK_VALUE_SUMS \
    "SUM(v0_u), SUM(v0_n), SUM(v1_u), SUM(v1_n), SUM(v2_u), SUM(v2_n), SUM(v3_u), SUM(v3_n), " \
    "SUM(v4_u), SUM(v4_n), SUM(v5_u), SUM(v5_n), SUM(v6_u), SUM(v6_n), SUM(v7_u), SUM(v7_n), " \
    "SUM(v8_u), SUM(v8_n), SUM(v9_u), SUM(v9_n), SUM(v10_u), SUM(v10_n), SUM(v11_u), " \
    "SUM(v11_n)"

struct risk_days_reader {
    struct risk_days *out;
    size_t cap;
};

/* One row per date: the count of stats, then each cell's sum. */
static void read_risk_day(struct store *s, void *ctx)
{
    struct risk_days_reader *r = ctx;
    struct risk_days *d = r->out;
    d->items = facts_grow(d->items, d->count, &r->cap, sizeof *d->items);
    struct risk_day *day = &d->items[d->count++];
    facts_copy_text(day->date, DATE_STR_LEN, s->ops->get_text(s, 0));
    day->n = s->ops->get_int(s, 1);
    for (int cell = 0; cell < RISK_CELLS; cell++)
        day->sum[cell] = facts_read_decimal(s, 2 + 2 * cell);
}

void risk_days_free(struct risk_days *d)
{
    free(d->items);
    *d = (struct risk_days){0};
}

enum store_rc store_risk_days(struct store *s, const struct stats_filter *f, struct risk_days *out)
{
    *out = (struct risk_days){0};
    struct query q = {0};
    struct stats_filter without_type = *f; /* the daily totals hold risks only; q borrows its dates */
    without_type.has_type = false;
    if (facts_use_totals(f)) {
        buf_puts(&q.sql, "SELECT date, SUM(n), " RISK_VALUE_SUMS " FROM risk_rollup");
        query_add_filters(s, &q, &without_type);
    } else {
        facts_of_selection(s, &q, "SELECT date, COUNT(*), " RISK_VALUE_SUMS " FROM risk_facts",
                           "stats_id", f, false);
    }
    buf_puts(&q.sql, " GROUP BY date ORDER BY date");
    struct risk_days_reader r = {out, 0};
    enum store_rc rc = facts_run_rows(s, &q, read_risk_day, &r);
    if (rc != STORE_OK)
        risk_days_free(out);
    return rc;
}
