/*
 * objects.c — the storage of threats and vulnerabilities (one shape, one set
 * of tables, the type in a column): one fact row per object of a stats in
 * object_facts (uuid, labels, count, maxRisk, averageRate as exact decimals,
 * and the stats' client and date), the per-client daily totals in
 * object_rollup (one row per client, type, date and object), and the
 * aggregates their processors and the map read (objects.h).
 *
 * Labels of an object come from its most recent occurrence: when the
 * selection reads the daily totals, one probe per object at its latest date,
 * walking that date's stats of the type newest first until one has the
 * object (on PostgreSQL all the probes in one statement); one pass over the
 * fact rows otherwise.  The facts have no index by object: each fact of a
 * stats would have its entry in a leaf of its own, which every upload and
 * every deleted analysis rewrites (two thirds of the pages a delete wrote).
 */
#include "store/facts/objects.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/facts/facts.h"

static const char *const deletes[] = {"DELETE FROM object_facts WHERE stats_id = ?", NULL};

/* What a deleted fact (OLD) takes out of the daily totals, and out of its span. */
#define ROLLUP_REMOVE                                                                               \
    " UPDATE object_rollup SET n = n - 1, count_u = count_u - OLD.count_u, count_n = count_n - OLD.count_n," \
    "  max_risk_u = max_risk_u - OLD.max_risk_u, max_risk_n = max_risk_n - OLD.max_risk_n,"          \
    "  rate_u = rate_u - OLD.rate_u, rate_n = rate_n - OLD.rate_n"                                   \
    "  WHERE client_id = OLD.client_id AND type = OLD.type AND date = OLD.date AND object = OLD.object;" \
    " DELETE FROM object_rollup WHERE client_id = OLD.client_id AND type = OLD.type"                 \
    "  AND date = OLD.date AND object = OLD.object AND n = 0;"
#define SPAN_REMOVE                                                                                 \
    " UPDATE object_spans SET n = n - 1, count_u = count_u - OLD.count_u, count_n = count_n - OLD.count_n," \
    "  max_risk_u = max_risk_u - OLD.max_risk_u, max_risk_n = max_risk_n - OLD.max_risk_n,"          \
    "  rate_u = rate_u - OLD.rate_u, rate_n = rate_n - OLD.rate_n"                                   \
    "  WHERE type = OLD.type AND object = OLD.object AND date = OLD.date"                            \
    "  AND until_date = OLD.until_date AND client_id = OLD.client_id;"                               \
    " DELETE FROM object_spans WHERE type = OLD.type AND object = OLD.object AND date = OLD.date"    \
    "  AND until_date = OLD.until_date AND client_id = OLD.client_id AND n = 0;"

#define SPAN_COLUMNS "type, object, date, until_date, client_id, n, count_u, count_n, max_risk_u, " \
                     "max_risk_n, rate_u, rate_n"
#define OBJECT_SUMS "SUM(count_u), SUM(count_n), SUM(max_risk_u), SUM(max_risk_n), SUM(rate_u), SUM(rate_n)"

/*
 * Version 3: the spans of the evolution.  A stats' figures stand for its
 * analysis from its date until the date of the analysis' next stats of the
 * type (until_date; SPAN_OPEN while there is none): the landscape as of a
 * day averages the figures of each analysis standing then (within
 * EVOLUTION_WINDOW days of their date, applied when read).  object_spans sums
 * the facts of each (type, object, date, until_date, client): the evolution
 * reads one row per span, whatever the number of analyses in it.  The step
 * dates the facts already stored from the stats table, then sums them.
 */
static const struct fact_tables_change object_changes[] = {
    {
        .schema_step = 3,
        .ddl = {
            [SQL_DIALECT_SQLITE] =
                "ALTER TABLE object_facts ADD COLUMN until_date TEXT NOT NULL DEFAULT '" SPAN_OPEN "';"
                "UPDATE object_facts SET until_date = nd.next FROM (SELECT id, LEAD(date) OVER"
                " (PARTITION BY client_id, anr, type ORDER BY date) AS next FROM stats) AS nd"
                " WHERE nd.id = object_facts.stats_id AND nd.next IS NOT NULL;"
                "CREATE TABLE object_spans ("
                " type INTEGER NOT NULL, object TEXT NOT NULL, date TEXT NOT NULL,"
                " until_date TEXT NOT NULL, client_id INTEGER NOT NULL,"
                " n INTEGER NOT NULL, count_u INTEGER NOT NULL, count_n INTEGER NOT NULL,"
                " max_risk_u INTEGER NOT NULL, max_risk_n INTEGER NOT NULL,"
                " rate_u INTEGER NOT NULL, rate_n INTEGER NOT NULL,"
                " PRIMARY KEY (type, object, date, until_date, client_id)) WITHOUT ROWID;"
                "INSERT INTO object_spans (" SPAN_COLUMNS ") SELECT type, object, date, until_date,"
                " client_id, COUNT(*), " OBJECT_SUMS " FROM object_facts"
                " GROUP BY type, object, date, until_date, client_id;"
                "DROP TRIGGER object_rollup_remove;"
                "CREATE TRIGGER object_facts_remove AFTER DELETE ON object_facts BEGIN"
                ROLLUP_REMOVE SPAN_REMOVE " END;",
            [SQL_DIALECT_POSTGRES] =
                "ALTER TABLE object_facts ADD COLUMN until_date DATE NOT NULL DEFAULT '" SPAN_OPEN "';"
                "UPDATE object_facts AS f SET until_date = nd.next FROM (SELECT id, LEAD(date) OVER"
                " (PARTITION BY client_id, anr, type ORDER BY date) AS next FROM stats) AS nd"
                " WHERE nd.id = f.stats_id AND nd.next IS NOT NULL;"
                "CREATE TABLE object_spans ("
                " type SMALLINT NOT NULL, object TEXT NOT NULL, date DATE NOT NULL,"
                " until_date DATE NOT NULL, client_id BIGINT NOT NULL,"
                " n BIGINT NOT NULL, count_u BIGINT NOT NULL, count_n BIGINT NOT NULL,"
                " max_risk_u BIGINT NOT NULL, max_risk_n BIGINT NOT NULL,"
                " rate_u BIGINT NOT NULL, rate_n BIGINT NOT NULL,"
                " PRIMARY KEY (type, object, date, until_date, client_id));"
                "INSERT INTO object_spans (" SPAN_COLUMNS ") SELECT type, object, date, until_date,"
                " client_id, COUNT(*), " OBJECT_SUMS " FROM object_facts"
                " GROUP BY type, object, date, until_date, client_id;"
                "DROP TRIGGER object_rollup_remove ON object_facts;"
                "DROP FUNCTION object_rollup_remove();"
                "CREATE OR REPLACE FUNCTION object_facts_remove() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                ROLLUP_REMOVE SPAN_REMOVE " RETURN NULL; END $$;"
                "CREATE TRIGGER object_facts_remove AFTER DELETE ON object_facts FOR EACH ROW"
                " EXECUTE FUNCTION object_facts_remove();",
        },
    },
    {
        /* Version 5: the labels' probes go through the stats (see the top). */
        .schema_step = 5,
        .ddl = {
            [SQL_DIALECT_SQLITE] = "DROP INDEX object_facts_latest;",
            [SQL_DIALECT_POSTGRES] = "DROP INDEX object_facts_latest;",
        },
    },
    {0},
};

/* The daily totals get a transaction's facts at flush (facts_writer_flush)
 * and lose them by trigger, whatever deletes them (cascades included). */
static const struct fact_tables object_tables = {
    .schema_step = 2,
    .ddl = {
        [SQL_DIALECT_SQLITE] =
            "CREATE TABLE object_facts ("
            " stats_id INTEGER NOT NULL REFERENCES stats (id) ON DELETE CASCADE,"
            " client_id INTEGER NOT NULL, type INTEGER NOT NULL, date TEXT NOT NULL,"
            " object TEXT NOT NULL, labels_id INTEGER NOT NULL,"
            " count_u INTEGER NOT NULL, count_n INTEGER NOT NULL,"
            " max_risk_u INTEGER NOT NULL, max_risk_n INTEGER NOT NULL,"
            " rate_u INTEGER NOT NULL, rate_n INTEGER NOT NULL,"
            " PRIMARY KEY (stats_id, object)) WITHOUT ROWID;"
            "CREATE INDEX object_facts_latest ON object_facts (type, object, date, stats_id);"
            "CREATE TABLE object_rollup ("
            " client_id INTEGER NOT NULL, type INTEGER NOT NULL, date TEXT NOT NULL, object TEXT NOT NULL,"
            " n INTEGER NOT NULL, count_u INTEGER NOT NULL, count_n INTEGER NOT NULL,"
            " max_risk_u INTEGER NOT NULL, max_risk_n INTEGER NOT NULL,"
            " rate_u INTEGER NOT NULL, rate_n INTEGER NOT NULL,"
            " PRIMARY KEY (client_id, type, date, object)) WITHOUT ROWID;"
            "CREATE INDEX object_rollup_type_date ON object_rollup (type, date);"
            "CREATE TRIGGER object_rollup_remove AFTER DELETE ON object_facts BEGIN"
            ROLLUP_REMOVE " END;",
        [SQL_DIALECT_POSTGRES] =
            "CREATE TABLE object_facts ("
            " stats_id BIGINT NOT NULL REFERENCES stats (id) ON DELETE CASCADE,"
            " client_id BIGINT NOT NULL, type SMALLINT NOT NULL, date DATE NOT NULL,"
            " object TEXT NOT NULL, labels_id BIGINT NOT NULL,"
            " count_u BIGINT NOT NULL, count_n BIGINT NOT NULL,"
            " max_risk_u BIGINT NOT NULL, max_risk_n BIGINT NOT NULL,"
            " rate_u BIGINT NOT NULL, rate_n BIGINT NOT NULL,"
            " PRIMARY KEY (stats_id, object));"
            "CREATE INDEX object_facts_latest ON object_facts (type, object, date, stats_id);"
            "CREATE TABLE object_rollup ("
            " client_id BIGINT NOT NULL, type SMALLINT NOT NULL, date DATE NOT NULL, object TEXT NOT NULL,"
            " n BIGINT NOT NULL, count_u BIGINT NOT NULL, count_n BIGINT NOT NULL,"
            " max_risk_u BIGINT NOT NULL, max_risk_n BIGINT NOT NULL,"
            " rate_u BIGINT NOT NULL, rate_n BIGINT NOT NULL,"
            " PRIMARY KEY (client_id, type, date, object));"
            "CREATE INDEX object_rollup_type_date ON object_rollup (type, date);"
            "CREATE OR REPLACE FUNCTION object_rollup_remove() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            ROLLUP_REMOVE
            " RETURN NULL; END $$;"
            "CREATE TRIGGER object_rollup_remove AFTER DELETE ON object_facts FOR EACH ROW"
            " EXECUTE FUNCTION object_rollup_remove();",
    },
    .drop = "DROP TABLE IF EXISTS object_facts;"
            "DROP TABLE IF EXISTS object_rollup;"
            "DROP TABLE IF EXISTS object_spans;",
    .deletes = deletes,
    .changes = object_changes,
};

/* --- writing --- */

/* A span's pending sum: facts moved out of a span take their figures away. */
static enum store_rc flush_object_span(struct store *s, const struct pending_sum *p)
{
    bool unchanged = p->n == 0; /* facts moved in and out again within the transaction */
    for (int m = 0; m < 6; m++)
        unchanged = unchanged && p->v[m] == 0;
    if (unchanged)
        return STORE_OK;
    const struct sql_value params[] = {
        sql_int(p->type), sql_text(p->object), sql_text(p->date), sql_text(p->until), sql_int(p->client_id),
        sql_int(p->n), sql_int(p->v[0]), sql_int(p->v[1]), sql_int(p->v[2]), sql_int(p->v[3]),
        sql_int(p->v[4]), sql_int(p->v[5]),
    };
    enum store_rc rc = sql_defer(s,
        "INSERT INTO object_spans AS r (" SPAN_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (type, object, date, until_date, client_id) DO UPDATE SET n = r.n + excluded.n, "
        "count_u = r.count_u + excluded.count_u, count_n = r.count_n + excluded.count_n, "
        "max_risk_u = r.max_risk_u + excluded.max_risk_u, max_risk_n = r.max_risk_n + excluded.max_risk_n, "
        "rate_u = r.rate_u + excluded.rate_u, rate_n = r.rate_n + excluded.rate_n",
        params, sizeof params / sizeof *params);
    if (rc == STORE_OK && p->n < 0) /* the span may have lost its last facts */
        rc = sql_defer(s,
            "DELETE FROM object_spans WHERE type = ? AND object = ? AND date = ? AND until_date = ? "
            "AND client_id = ? AND n = 0", params, 5);
    return rc;
}

static enum store_rc flush_object_sum(struct store *s, const struct pending_sum *p)
{
    if (p->until[0])
        return flush_object_span(s, p);
    const struct sql_value params[] = {
        sql_int(p->client_id), sql_int(p->type), sql_text(p->date), sql_text(p->object), sql_int(p->n),
        sql_int(p->v[0]), sql_int(p->v[1]), sql_int(p->v[2]), sql_int(p->v[3]), sql_int(p->v[4]),
        sql_int(p->v[5]),
    };
    return sql_defer(s,
        "INSERT INTO object_rollup AS r (client_id, type, date, object, n, count_u, count_n, "
        "max_risk_u, max_risk_n, rate_u, rate_n) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (client_id, type, date, object) DO UPDATE SET n = r.n + excluded.n, "
        "count_u = r.count_u + excluded.count_u, count_n = r.count_n + excluded.count_n, "
        "max_risk_u = r.max_risk_u + excluded.max_risk_u, max_risk_n = r.max_risk_n + excluded.max_risk_n, "
        "rate_u = r.rate_u + excluded.rate_u, rate_n = r.rate_n + excluded.rate_n",
        params, sizeof params / sizeof *params);
}

static void add_fact(struct pending_sum *p, const struct decimal metrics[3])
{
    p->n++;
    for (size_t m = 0; m < 3; m++) {
        p->v[2 * m] += metrics[m].units;
        p->v[2 * m + 1] += metrics[m].nanos;
    }
}

static enum store_rc insert_objects(struct store *s, const struct fact_owner *o, const struct stats_facts *f)
{
    char until[DATE_STR_LEN];
    enum store_rc rc = facts_start_span(s, o, "object_facts", "object",
                                        "count_u, count_n, max_risk_u, max_risk_n, rate_u, rate_n", 6, until);
    for (size_t i = 0; i < f->n_objects && rc == STORE_OK; i++) {
        const struct object_fact *x = &f->objects[i];
        int64_t labels;
        rc = facts_labels_id(s, o->writer, x->uuid, &x->labels, &labels);
        if (rc != STORE_OK)
            break;
        const struct sql_value params[] = {
            sql_int(o->stats_id), sql_int(o->client_id), sql_int(o->type), sql_text(o->date),
            sql_text(x->uuid), sql_int(labels), sql_int(x->count.units), sql_int(x->count.nanos),
            sql_int(x->max_risk.units), sql_int(x->max_risk.nanos), sql_int(x->rate.units),
            sql_int(x->rate.nanos), sql_text(until),
        };
        rc = sql_defer(s,
            "INSERT INTO object_facts (stats_id, client_id, type, date, object, labels_id, count_u, "
            "count_n, max_risk_u, max_risk_n, rate_u, rate_n, until_date) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params, sizeof params / sizeof *params);
        const struct decimal metrics[3] = {x->count, x->max_risk, x->rate};
        assert(decimal_is_single(x->count) && decimal_is_single(x->max_risk) &&
               decimal_is_single(x->rate));
        add_fact(facts_pending_sum(o->writer, o->client_id, o->type, o->date, x->uuid), metrics);
        add_fact(facts_pending_span(o->writer, o->client_id, o->type, o->date, until, x->uuid), metrics);
    }
    return rc;
}

static enum store_rc object_support(struct store *s, const struct stats_filter *f, struct item_supports *out)
{
    return facts_item_support(s, f, "object_facts", "object", false, out);
}

const struct store_kind store_kind_threat = {
    .type = STATS_THREAT,
    .tables = &object_tables,
    .insert = insert_objects,
    .flush_sum = flush_object_sum,
    .item_support = object_support,
};

const struct store_kind store_kind_vulnerability = {
    .type = STATS_VULNERABILITY,
    .tables = &object_tables,
    .insert = insert_objects,
    .flush_sum = flush_object_sum,
    .item_support = object_support,
};

/* --- reading --- */

struct object_days_reader {
    struct object_days *out;
    size_t cap;
};

static void read_object_day(struct store *s, void *ctx)
{
    struct object_days_reader *r = ctx;
    r->out->items = facts_grow(r->out->items, r->out->count, &r->cap, sizeof *r->out->items);
    struct object_day *d = &r->out->items[r->out->count++];
    facts_copy_text(d->object, sizeof d->object, s->ops->get_text(s, 0));
    facts_copy_text(d->date, sizeof d->date, s->ops->get_text(s, 1));
    d->n = s->ops->get_int(s, 2);
    d->count = facts_read_decimal(s, 3);
    d->max_risk = facts_read_decimal(s, 5);
    d->rate = facts_read_decimal(s, 7);
}

static int compare_object_days(const void *a, const void *b)
{
    const struct object_day *x = a, *y = b;
    int c = strcmp(x->object, y->object);
    return c ? c : strcmp(x->date, y->date);
}

void object_days_free(struct object_days *d)
{
    free(d->items);
    *d = (struct object_days){0};
}

enum store_rc store_object_days(struct store *s, const struct stats_filter *f, struct object_days *out)
{
    *out = (struct object_days){0};
    struct query q = {0};
    if (facts_use_totals(f) && f->client_id) {
        /* One client's daily totals: one row per object and date already, with
         * nothing to add up (on PostgreSQL, SUM of bigint goes through numeric:
         * two thirds of the query for MONARC's processed stats). */
        buf_puts(&q.sql, "SELECT object, date, n, count_u, count_n, max_risk_u, max_risk_n, rate_u, rate_n "
                         "FROM object_rollup");
        query_add_filters(s, &q, f);
    } else if (facts_use_totals(f)) {
        buf_puts(&q.sql, "SELECT object, date, SUM(n), " OBJECT_SUMS " FROM object_rollup");
        query_add_filters(s, &q, f);
        buf_puts(&q.sql, " GROUP BY object, date");
    } else {
        facts_of_selection(s, &q, "SELECT object, date, COUNT(*), " OBJECT_SUMS " FROM object_facts",
                           "stats_id", f, false);
        buf_puts(&q.sql, " GROUP BY object, date");
    }
    struct object_days_reader r = {out, 0};
    enum store_rc rc = facts_run_rows(s, &q, read_object_day, &r);
    if (rc != STORE_OK)
        object_days_free(out);
    else if (out->count) /* qsort() must not be given NULL, even for nothing */
        qsort(out->items, out->count, sizeof *out->items, compare_object_days);
    return rc;
}

static int compare_latest(const void *key, const void *item)
{
    return strcmp(key, ((const struct object_latest *)item)->object);
}

/* One pass over the selection's facts, newest first: the first row seen of
 * each object carries its labels. */
struct labels_pass {
    const struct object_latest *objects;
    size_t n;
    struct labels *out;
};

static void read_first_labels(struct store *s, void *ctx)
{
    struct labels_pass *p = ctx;
    const struct object_latest *o =
        bsearch(s->ops->get_text(s, 0), p->objects, p->n, sizeof *p->objects, compare_latest);
    struct labels *l = o ? &p->out[o - p->objects] : NULL;
    if (l && !l->label[0])
        facts_read_labels(s, 1, l);
}

static enum store_rc labels_in_one_pass(struct store *s, const struct stats_filter *f,
                                        const struct object_latest *objects, size_t n,
                                        struct labels *out)
{
    struct query q = {0};
    facts_of_selection(s, &q,
                       "SELECT o.object, l.label1, l.label2, l.label3, l.label4 FROM object_facts AS o "
                       "JOIN labels AS l ON l.id = o.labels_id", "o.stats_id", f, false);
    buf_puts(&q.sql, " ORDER BY o.date DESC, o.stats_id DESC");
    struct labels_pass p = {objects, n, out};
    return facts_run_rows(s, &q, read_first_labels, &p);
}

static void read_labels_row(struct store *s, void *ctx)
{
    facts_read_labels(s, 0, ctx);
}

/* The stats a label probe walks: the filter's on the object's latest date,
 * newest first (stats_type_date gives them in id order within a date).  The
 * filter's conditions (unqualified columns) name the stats' columns, the only
 * table of this SELECT; its date range is left out, the date being in it. */
static void append_stats_on_date(struct store *s, struct query *q, const struct stats_filter *f,
                                 const char *date_condition, const char *date)
{
    struct stats_filter on_date = *f;
    on_date.date_from[0] = on_date.date_to[0] = '\0';
    buf_puts(&q->sql, "(SELECT id FROM stats");
    q->has_where = false;
    if (date)
        query_where(q, date_condition, sql_text(date));
    else
        query_where_plain(q, date_condition);
    query_add_filters(s, q, &on_date);
    buf_puts(&q->sql, ") AS st");
}

/* The newest stats of that walk that has the object gives the labels: one
 * probe of the facts' key per stats walked, a few for an object most analyses
 * name. */
static enum store_rc labels_by_probe(struct store *s, const struct stats_filter *f,
                                     const struct object_latest *o, struct labels *out)
{
    struct query q = {0};
    buf_puts(&q.sql, "SELECT l.label1, l.label2, l.label3, l.label4 FROM labels AS l"
                     " WHERE l.id = (SELECT o.labels_id FROM ");
    append_stats_on_date(s, &q, f, "date = ?", o->date);
    buf_puts(&q.sql, " JOIN object_facts AS o ON o.stats_id = st.id AND o.object = ?"
                     " ORDER BY st.id DESC LIMIT 1)");
    query_bind(&q, sql_text(o->object));
    return facts_run_rows(s, &q, read_labels_row, out);
}

/* The same probes for every object in one statement: on PostgreSQL each
 * statement is a round trip, ~0.1 ms, and a landscape names 150 objects.  The
 * (object, date) pairs come as two arrays. */
static enum store_rc labels_by_probes_at_once(struct store *s, const struct stats_filter *f,
                                              const struct object_latest *objects, size_t n,
                                              struct labels *out)
{
    assert(s->ops->dialect == SQL_DIALECT_POSTGRES);
    const char **names = xcalloc(n, sizeof *names), **dates = xcalloc(n, sizeof *dates);
    for (size_t i = 0; i < n; i++) {
        names[i] = objects[i].object;
        dates[i] = objects[i].date;
    }
    buf name_set = BUF_INIT, date_set = BUF_INIT;
    s->ops->encode_set(&name_set, names, n);
    s->ops->encode_set(&date_set, dates, n);
    struct query q = {0};
    buf_puts(&q.sql, "SELECT v.object, l.label1, l.label2, l.label3, l.label4"
                     " FROM unnest(CAST(? AS TEXT[]), CAST(? AS DATE[])) AS v (object, date)"
                     " CROSS JOIN LATERAL (SELECT o.labels_id FROM ");
    query_bind(&q, sql_text(name_set.data));
    query_bind(&q, sql_text(date_set.data));
    append_stats_on_date(s, &q, f, "date = v.date", NULL);
    buf_puts(&q.sql, " JOIN object_facts AS o ON o.stats_id = st.id AND o.object = v.object"
                     " ORDER BY st.id DESC LIMIT 1) AS f JOIN labels AS l ON l.id = f.labels_id");
    struct labels_pass p = {objects, n, out};
    enum store_rc rc = facts_run_rows(s, &q, read_first_labels, &p);
    buf_free(&name_set);
    buf_free(&date_set);
    free(names);
    free(dates);
    return rc;
}

enum store_rc store_object_labels(struct store *s, const struct stats_filter *f,
                                  const struct object_latest *objects, size_t n, struct labels *out)
{
    memset(out, 0, n * sizeof *out);
    enum store_rc rc = STORE_OK;
    if (facts_use_totals(f) && n > 1 && s->ops->dialect == SQL_DIALECT_POSTGRES) {
        rc = labels_by_probes_at_once(s, f, objects, n, out);
    } else if (facts_use_totals(f)) {
        for (size_t i = 0; i < n && rc == STORE_OK; i++)
            rc = labels_by_probe(s, f, &objects[i], &out[i]);
    } else {
        rc = labels_in_one_pass(s, f, objects, n, out);
    }
    if (rc != STORE_OK)
        for (size_t i = 0; i < n; i++)
            labels_free(&out[i]);
    return rc;
}

struct client_totals_reader {
    struct object_client_totals *out;
    size_t cap;
};

static void read_client_total(struct store *s, void *ctx)
{
    struct client_totals_reader *r = ctx;
    r->out->items = facts_grow(r->out->items, r->out->count, &r->cap, sizeof *r->out->items);
    struct object_client_total *t = &r->out->items[r->out->count++];
    t->client_id = s->ops->get_int(s, 0);
    facts_copy_text(t->object, sizeof t->object, s->ops->get_text(s, 1));
    t->n = s->ops->get_int(s, 2);
    t->count = facts_read_decimal(s, 3);
}

static int compare_client_totals(const void *a, const void *b)
{
    const struct object_client_total *x = a, *y = b;
    if (x->client_id != y->client_id)
        return x->client_id < y->client_id ? -1 : 1;
    return strcmp(x->object, y->object);
}

void object_client_totals_free(struct object_client_totals *t)
{
    free(t->items);
    *t = (struct object_client_totals){0};
}

enum store_rc store_object_client_totals(struct store *s, const struct stats_filter *f,
                                         struct object_client_totals *out)
{
    *out = (struct object_client_totals){0};
    struct query q = {0};
    facts_of_selection(s, &q, "SELECT client_id, object, COUNT(*), SUM(count_u), SUM(count_n) "
                              "FROM object_facts", "stats_id", f, false);
    buf_puts(&q.sql, " GROUP BY client_id, object");
    struct client_totals_reader r = {out, 0};
    enum store_rc rc = facts_run_rows(s, &q, read_client_total, &r);
    if (rc != STORE_OK)
        object_client_totals_free(out);
    else if (out->count)
        qsort(out->items, out->count, sizeof *out->items, compare_client_totals);
    return rc;
}

/* --- the evolution's spans --- */

struct spans_reader {
    struct object_spans *out;
    size_t cap;
};

static void read_span(struct store *s, void *ctx)
{
    struct spans_reader *r = ctx;
    r->out->items = facts_grow(r->out->items, r->out->count, &r->cap, sizeof *r->out->items);
    struct object_span *x = &r->out->items[r->out->count++];
    facts_copy_text(x->date, sizeof x->date, s->ops->get_text(s, 0));
    facts_copy_text(x->until, sizeof x->until, s->ops->get_text(s, 1));
    x->client_id = s->ops->get_int(s, 2);
    x->n = s->ops->get_int(s, 3);
    for (int m = 0; m < 3; m++)
        x->sum[m] = facts_read_decimal(s, 4 + 2 * m);
}

void object_spans_free(struct object_spans *x)
{
    free(x->items);
    *x = (struct object_spans){0};
}

enum store_rc store_object_spans(struct store *s, const struct stats_filter *f, const char *object,
                                 struct object_spans *out)
{
    assert(f->has_type && !f->get_last && !f->n_anrs);
    *out = (struct object_spans){0};
    struct query q = {0};
    buf_puts(&q.sql, "SELECT date, until_date, client_id, n, count_u, count_n, max_risk_u, max_risk_n, "
                     "rate_u, rate_n FROM object_spans");
    query_where(&q, "object = ?", sql_text(object));
    query_add_filters(s, &q, f);
    struct spans_reader r = {out, 0};
    enum store_rc rc = facts_run_rows(s, &q, read_span, &r);
    if (rc != STORE_OK)
        object_spans_free(out);
    return rc;
}
