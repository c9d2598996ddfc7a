/*
 * sample_facts.c — the storage of the test-only kind "sample", written like
 * those of src/store/facts/: its table (DDL of both dialects, created by the
 * migration step 2 of this test build), one fact row per stats written at
 * ingestion, and an aggregate read back over a selection.  No daily totals.
 * test_kinds registers it through the same list as the real kinds
 * (sample_kind.def, src/store/facts/table.c).
 */
#include "sample_kind.h"

#include "store/facts/facts.h"

static const char *const deletes[] = {"DELETE FROM sample_facts WHERE stats_id = ?", NULL};

static const struct fact_tables sample_tables = {
    .schema_step = 2,
    .ddl = {
        [SQL_DIALECT_SQLITE] =
            "CREATE TABLE sample_facts (stats_id INTEGER NOT NULL PRIMARY KEY REFERENCES stats (id)"
            " ON DELETE CASCADE, n INTEGER NOT NULL) WITHOUT ROWID;",
        [SQL_DIALECT_POSTGRES] =
            "CREATE TABLE sample_facts (stats_id BIGINT NOT NULL PRIMARY KEY REFERENCES stats (id)"
            " ON DELETE CASCADE, n BIGINT NOT NULL);",
    },
    .drop = "DROP TABLE IF EXISTS sample_facts;",
    .deletes = deletes,
};

static enum store_rc insert_sample(struct store *s, const struct fact_owner *o, const struct stats_facts *f)
{
    const struct sample_fact *fact = f->own;
    const struct sql_value params[] = {sql_int(o->stats_id), sql_int(fact->n)};
    return sql_defer(s, "INSERT INTO sample_facts (stats_id, n) VALUES (?, ?)", params, 2);
}

const struct store_kind store_kind_sample = {
    .type = STATS_SAMPLE,
    .tables = &sample_tables,
    .insert = insert_sample,
    .flush_sum = NULL,
};

static void read_total(struct store *s, void *ctx)
{
    struct sample_total *t = ctx;
    t->stats = s->ops->get_int(s, 0);
    t->sum = s->ops->get_int(s, 1);
}

enum store_rc store_sample_total(struct store *s, const struct stats_filter *f, struct sample_total *out)
{
    *out = (struct sample_total){0};
    struct query q = {0};
    facts_of_selection(s, &q, "SELECT COUNT(*), COALESCE(SUM(n), 0) FROM sample_facts", "stats_id", f, false);
    return facts_run_rows(s, &q, read_total, out);
}
