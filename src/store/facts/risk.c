/*
 * risk.c — the storage of risk stats: one fact row per stats in risk_facts
 * (its 12 level values, extract.h numbering, as exact decimals, with the
 * stats' client and date, and the date its figures stand until), the
 * per-client daily totals in risk_rollup (one row per client and date), the
 * spans of the evolution in risk_spans (one row per date, end and client),
 * and the sums its processors read (risk.h).
 */
#include "store/facts/risk.h"

#include <assert.h>
#include <stdlib.h>

#include "store/facts/facts.h"

/* The value columns of risk_facts and risk_rollup: cell i (extract.h) is v<i>_u, v<i>_n. */
#define RISK_VALUE_COLUMNS \
    "v0_u, v0_n, v1_u, v1_n, v2_u, v2_n, v3_u, v3_n, v4_u, v4_n, v5_u, v5_n, v6_u, v6_n, " \
    "v7_u, v7_n, v8_u, v8_n, v9_u, v9_n, v10_u, v10_n, v11_u, v11_n"

_Static_assert(2 * RISK_CELLS <= PENDING_SUM_VALUES, "a pending sum holds the risk values");

static const char *const deletes[] = {"DELETE FROM risk_facts WHERE stats_id = ?", NULL};

/* v0_u = v0_u - OLD.v0_u, … for every risk value column: what a deleted fact takes away. */
#define RISK_VALUE_SUBTRACTIONS \
    "v0_u = v0_u - OLD.v0_u, v0_n = v0_n - OLD.v0_n, v1_u = v1_u - OLD.v1_u, v1_n = v1_n - " \
    "OLD.v1_n, v2_u = v2_u - OLD.v2_u, v2_n = v2_n - OLD.v2_n, v3_u = v3_u - OLD.v3_u, v3_n = " \
    "v3_n - OLD.v3_n, v4_u = v4_u - OLD.v4_u, v4_n = v4_n - OLD.v4_n, v5_u = v5_u - OLD.v5_u, " \
    "v5_n = v5_n - OLD.v5_n, v6_u = v6_u - OLD.v6_u, v6_n = v6_n - OLD.v6_n, v7_u = v7_u - " \
    "OLD.v7_u, v7_n = v7_n - OLD.v7_n, v8_u = v8_u - OLD.v8_u, v8_n = v8_n - OLD.v8_n, v9_u = " \
    "v9_u - OLD.v9_u, v9_n = v9_n - OLD.v9_n, v10_u = v10_u - OLD.v10_u, v10_n = v10_n - " \
    "OLD.v10_n, v11_u = v11_u - OLD.v11_u, v11_n = v11_n - OLD.v11_n"
#define RISK_ROLLUP_REMOVE \
    " UPDATE risk_rollup SET n = n - 1, " RISK_VALUE_SUBTRACTIONS \
    "  WHERE client_id = OLD.client_id AND date = OLD.date;" \
    " DELETE FROM risk_rollup WHERE client_id = OLD.client_id AND date = OLD.date AND n = 0;"
#define RISK_SPAN_REMOVE \
    " UPDATE risk_spans SET n = n - 1, " RISK_VALUE_SUBTRACTIONS \
    "  WHERE date = OLD.date AND until_date = OLD.until_date AND client_id = OLD.client_id;" \
    " DELETE FROM risk_spans WHERE date = OLD.date AND until_date = OLD.until_date" \
    "  AND client_id = OLD.client_id AND n = 0;"
#define RISK_VALUE_SUMS \
    "SUM(v0_u), SUM(v0_n), SUM(v1_u), SUM(v1_n), SUM(v2_u), SUM(v2_n), SUM(v3_u), SUM(v3_n), " \
    "SUM(v4_u), SUM(v4_n), SUM(v5_u), SUM(v5_n), SUM(v6_u), SUM(v6_n), SUM(v7_u), SUM(v7_n), " \
    "SUM(v8_u), SUM(v8_n), SUM(v9_u), SUM(v9_n), SUM(v10_u), SUM(v10_n), SUM(v11_u), " \
    "SUM(v11_n)"

/* The value columns of risk_spans, in one dialect's integer type. */
#define RISK_SPAN_VALUES(T) \
    "v0_u " T " NOT NULL, v0_n " T " NOT NULL, v1_u " T " NOT NULL, v1_n " T " NOT NULL, " \
    "v2_u " T " NOT NULL, v2_n " T " NOT NULL, v3_u " T " NOT NULL, v3_n " T " NOT NULL, " \
    "v4_u " T " NOT NULL, v4_n " T " NOT NULL, v5_u " T " NOT NULL, v5_n " T " NOT NULL, " \
    "v6_u " T " NOT NULL, v6_n " T " NOT NULL, v7_u " T " NOT NULL, v7_n " T " NOT NULL, " \
    "v8_u " T " NOT NULL, v8_n " T " NOT NULL, v9_u " T " NOT NULL, v9_n " T " NOT NULL, " \
    "v10_u " T " NOT NULL, v10_n " T " NOT NULL, v11_u " T " NOT NULL, v11_n " T " NOT NULL"

/*
 * Version 4: the spans of the risks' evolution, as those of the objects
 * (facts/objects.c): each fact stands until its analysis' next risk stats
 * (until_date), and risk_spans sums the facts of each (date, until_date,
 * client).  The step dates the facts already stored from the stats table,
 * then sums them.
 */
static const struct fact_tables_change risk_changes[] = {
    {
        .schema_step = 4,
        .ddl = {
            [SQL_DIALECT_SQLITE] =
                "ALTER TABLE risk_facts ADD COLUMN until_date TEXT NOT NULL DEFAULT '" SPAN_OPEN "';"
                "UPDATE risk_facts SET until_date = nd.next FROM (SELECT id, LEAD(date) OVER"
                " (PARTITION BY client_id, anr, type ORDER BY date) AS next FROM stats) AS nd"
                " WHERE nd.id = risk_facts.stats_id AND nd.next IS NOT NULL;"
                "CREATE TABLE risk_spans (date TEXT NOT NULL, until_date TEXT NOT NULL,"
                " client_id INTEGER NOT NULL, n INTEGER NOT NULL, " RISK_SPAN_VALUES("INTEGER") ","
                " PRIMARY KEY (date, until_date, client_id)) WITHOUT ROWID;"
                "INSERT INTO risk_spans (date, until_date, client_id, n, " RISK_VALUE_COLUMNS ")"
                " SELECT date, until_date, client_id, COUNT(*), " RISK_VALUE_SUMS " FROM risk_facts"
                " GROUP BY date, until_date, client_id;"
                "DROP TRIGGER risk_rollup_remove;"
                "CREATE TRIGGER risk_facts_remove AFTER DELETE ON risk_facts BEGIN"
                RISK_ROLLUP_REMOVE RISK_SPAN_REMOVE " END;",
            [SQL_DIALECT_POSTGRES] =
                "ALTER TABLE risk_facts ADD COLUMN until_date DATE NOT NULL DEFAULT '" SPAN_OPEN "';"
                "UPDATE risk_facts AS f SET until_date = nd.next FROM (SELECT id, LEAD(date) OVER"
                " (PARTITION BY client_id, anr, type ORDER BY date) AS next FROM stats) AS nd"
                " WHERE nd.id = f.stats_id AND nd.next IS NOT NULL;"
                "CREATE TABLE risk_spans (date DATE NOT NULL, until_date DATE NOT NULL,"
                " client_id BIGINT NOT NULL, n BIGINT NOT NULL, " RISK_SPAN_VALUES("BIGINT") ","
                " PRIMARY KEY (date, until_date, client_id));"
                "INSERT INTO risk_spans (date, until_date, client_id, n, " RISK_VALUE_COLUMNS ")"
                " SELECT date, until_date, client_id, COUNT(*), " RISK_VALUE_SUMS " FROM risk_facts"
                " GROUP BY date, until_date, client_id;"
                "DROP TRIGGER risk_rollup_remove ON risk_facts;"
                "DROP FUNCTION risk_rollup_remove();"
                "CREATE OR REPLACE FUNCTION risk_facts_remove() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                RISK_ROLLUP_REMOVE RISK_SPAN_REMOVE " RETURN NULL; END $$;"
                "CREATE TRIGGER risk_facts_remove AFTER DELETE ON risk_facts FOR EACH ROW"
                " EXECUTE FUNCTION risk_facts_remove();",
        },
    },
    {0},
};

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
            "DROP TABLE IF EXISTS risk_rollup;"
            "DROP TABLE IF EXISTS risk_spans;",
    .deletes = deletes,
    .changes = risk_changes,
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

/* A span's pending sum: facts moved out of a span take their figures away. */
static enum store_rc flush_risk_span(struct store *s, const struct pending_sum *p)
{
    bool unchanged = p->n == 0; /* facts moved in and out again within the transaction */
    for (int i = 0; i < 2 * RISK_CELLS; i++)
        unchanged = unchanged && p->v[i] == 0;
    if (unchanged)
        return STORE_OK;
    struct sql_value params[4 + 2 * RISK_CELLS] = {sql_text(p->date), sql_text(p->until), sql_int(p->client_id),
                                                   sql_int(p->n)};
    for (int i = 0; i < 2 * RISK_CELLS; i++)
        params[4 + i] = sql_int(p->v[i]);
    enum store_rc rc = sql_defer(s,
        "INSERT INTO risk_spans AS r (date, until_date, client_id, n, " RISK_VALUE_COLUMNS ") VALUES (?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (date, until_date, client_id) DO UPDATE SET n = r.n + excluded.n, " RISK_VALUE_ADDITIONS,
        params, sizeof params / sizeof *params);
    if (rc == STORE_OK && p->n < 0) /* the span may have lost its last facts */
        rc = sql_defer(s, "DELETE FROM risk_spans WHERE date = ? AND until_date = ? AND client_id = ? AND n = 0",
                       params, 3);
    return rc;
}

static enum store_rc flush_risk_sum(struct store *s, const struct pending_sum *p)
{
    if (p->until[0])
        return flush_risk_span(s, p);
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
    char until[DATE_STR_LEN];
    enum store_rc rc = facts_start_span(s, o, "risk_facts", "''", RISK_VALUE_COLUMNS, 2 * RISK_CELLS, until);
    if (rc != STORE_OK)
        return rc;
    struct sql_value params[4 + 2 * RISK_CELLS] = {sql_int(o->stats_id), sql_int(o->client_id),
                                                   sql_text(o->date), sql_text(until)};
    /* p is done with before the span's sum is asked for: a new pending sum may move the others. */
    struct pending_sum *p = facts_pending_sum(o->writer, o->client_id, o->type, o->date, "");
    p->n++;
    for (size_t cell = 0; cell < RISK_CELLS; cell++) {
        assert(decimal_is_single(f->risk.value[cell]));
        params[4 + 2 * cell] = sql_int(f->risk.value[cell].units);
        params[5 + 2 * cell] = sql_int(f->risk.value[cell].nanos);
        p->v[2 * cell] += f->risk.value[cell].units;
        p->v[2 * cell + 1] += f->risk.value[cell].nanos;
    }
    struct pending_sum *span = facts_pending_span(o->writer, o->client_id, o->type, o->date, until, "");
    span->n++;
    for (int i = 0; i < 2 * RISK_CELLS; i++)
        span->v[i] += params[4 + i].i;
    return sql_defer(s,
        "INSERT INTO risk_facts (stats_id, client_id, date, until_date, " RISK_VALUE_COLUMNS ") VALUES (?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params, sizeof params / sizeof *params);
}

const struct store_kind store_kind_risk = {
    .type = STATS_RISK,
    .tables = &risk_tables,
    .insert = insert_risk,
    .flush_sum = flush_risk_sum,
};

/* --- reading --- */

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

/* --- the evolution's spans --- */

struct risk_spans_reader {
    struct risk_spans *out;
    size_t cap;
};

static void read_risk_span(struct store *s, void *ctx)
{
    struct risk_spans_reader *r = ctx;
    r->out->items = facts_grow(r->out->items, r->out->count, &r->cap, sizeof *r->out->items);
    struct risk_span *x = &r->out->items[r->out->count++];
    facts_copy_text(x->date, sizeof x->date, s->ops->get_text(s, 0));
    facts_copy_text(x->until, sizeof x->until, s->ops->get_text(s, 1));
    x->client_id = s->ops->get_int(s, 2);
    x->n = s->ops->get_int(s, 3);
    for (int cell = 0; cell < RISK_CELLS; cell++)
        x->sum[cell] = facts_read_decimal(s, 4 + 2 * cell);
}

void risk_spans_free(struct risk_spans *x)
{
    free(x->items);
    *x = (struct risk_spans){0};
}

enum store_rc store_risk_spans(struct store *s, const struct stats_filter *f, struct risk_spans *out)
{
    assert(!f->get_last && !f->n_anrs);
    *out = (struct risk_spans){0};
    struct query q = {0};
    struct stats_filter without_type = *f; /* the spans hold risks only; q borrows its dates */
    without_type.has_type = false;
    buf_puts(&q.sql, "SELECT date, until_date, client_id, n, " RISK_VALUE_COLUMNS " FROM risk_spans");
    query_add_filters(s, &q, &without_type);
    struct risk_spans_reader r = {out, 0};
    enum store_rc rc = facts_run_rows(s, &q, read_risk_span, &r);
    if (rc != STORE_OK)
        risk_spans_free(out);
    return rc;
}
