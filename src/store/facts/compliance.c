/*
 * compliance.c — the storage of compliance stats: per stats, its referentials
 * (compliance_referentials: uuid and labels) and their categories
 * (compliance_categories: labels, current and target values as exact
 * decimals, number of controls), and the totals compliance_averages reads
 * over the latest stats of each analysis (compliance.h).  No daily totals.
 */
#include "store/facts/compliance.h"

#include <stdlib.h>
#include <string.h>

#include "store/facts/facts.h"

/* "First seen" key of a category: stats id * POSITION_SPAN + its position
 * (positions are far below). */
#define POSITION_SPAN "1048576"

static const char *const deletes[] = {"DELETE FROM compliance_referentials WHERE stats_id = ?",
                                      "DELETE FROM compliance_categories WHERE stats_id = ?", NULL};

static const struct fact_tables compliance_tables = {
    .schema_step = 2,
    .ddl = {
        [SQL_DIALECT_SQLITE] =
            "CREATE TABLE compliance_referentials ("
            " stats_id INTEGER NOT NULL REFERENCES stats (id) ON DELETE CASCADE,"
            " pos INTEGER NOT NULL, referential TEXT NOT NULL, labels_id INTEGER NOT NULL,"
            " PRIMARY KEY (stats_id, pos)) WITHOUT ROWID;"
            "CREATE TABLE compliance_categories ("
            " stats_id INTEGER NOT NULL REFERENCES stats (id) ON DELETE CASCADE,"
            " ref_pos INTEGER NOT NULL, pos INTEGER NOT NULL, labels_id INTEGER NOT NULL,"
            " has_current INTEGER NOT NULL, current_u INTEGER NOT NULL, current_n INTEGER NOT NULL,"
            " has_target INTEGER NOT NULL, target_u INTEGER NOT NULL, target_n INTEGER NOT NULL,"
            " controls INTEGER NOT NULL,"
            " PRIMARY KEY (stats_id, ref_pos, pos)) WITHOUT ROWID;",
        [SQL_DIALECT_POSTGRES] =
            "CREATE TABLE compliance_referentials ("
            " stats_id BIGINT NOT NULL REFERENCES stats (id) ON DELETE CASCADE,"
            " pos INTEGER NOT NULL, referential TEXT NOT NULL, labels_id BIGINT NOT NULL,"
            " PRIMARY KEY (stats_id, pos));"
            "CREATE TABLE compliance_categories ("
            " stats_id BIGINT NOT NULL REFERENCES stats (id) ON DELETE CASCADE,"
            " ref_pos INTEGER NOT NULL, pos INTEGER NOT NULL, labels_id BIGINT NOT NULL,"
            " has_current SMALLINT NOT NULL, current_u BIGINT NOT NULL, current_n BIGINT NOT NULL,"
            " has_target SMALLINT NOT NULL, target_u BIGINT NOT NULL, target_n BIGINT NOT NULL,"
            " controls BIGINT NOT NULL,"
            " PRIMARY KEY (stats_id, ref_pos, pos));",
    },
    .drop = "DROP TABLE IF EXISTS compliance_referentials;"
            "DROP TABLE IF EXISTS compliance_categories;",
    .deletes = deletes,
};

/* --- writing --- */

static enum store_rc insert_categories(struct store *s, const struct fact_owner *o, size_t ref_pos,
                                       const struct compliance_referential *r)
{
    enum store_rc rc = STORE_OK;
    for (size_t i = 0; i < r->n_categories && rc == STORE_OK; i++) {
        const struct compliance_category *c = &r->categories[i];
        int64_t labels;
        rc = facts_labels_id(s, o->writer, r->uuid, &c->labels, &labels);
        if (rc != STORE_OK)
            break;
        const struct sql_value params[] = {
            sql_int(o->stats_id), sql_int((int64_t)ref_pos), sql_int((int64_t)i), sql_int(labels),
            sql_int(c->has_current), sql_int(c->current.units), sql_int(c->current.nanos),
            sql_int(c->has_target), sql_int(c->target.units), sql_int(c->target.nanos),
            sql_int(c->controls),
        };
        rc = sql_defer(s,
            "INSERT INTO compliance_categories (stats_id, ref_pos, pos, labels_id, has_current, "
            "current_u, current_n, has_target, target_u, target_n, controls) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params, sizeof params / sizeof *params);
    }
    return rc;
}

static enum store_rc insert_compliance(struct store *s, const struct fact_owner *o,
                                       const struct stats_facts *f)
{
    enum store_rc rc = STORE_OK;
    for (size_t i = 0; i < f->n_referentials && rc == STORE_OK; i++) {
        const struct compliance_referential *r = &f->referentials[i];
        int64_t labels;
        rc = facts_labels_id(s, o->writer, r->uuid, &r->labels, &labels);
        if (rc != STORE_OK)
            break;
        const struct sql_value params[] = {sql_int(o->stats_id), sql_int((int64_t)i),
                                           sql_text(r->uuid), sql_int(labels)};
        rc = sql_defer(s,
            "INSERT INTO compliance_referentials (stats_id, pos, referential, labels_id) "
            "VALUES (?, ?, ?, ?)", params, 4);
        if (rc == STORE_OK)
            rc = insert_categories(s, o, i, r);
    }
    return rc;
}

static enum store_rc referential_support(struct store *s, const struct stats_filter *f,
                                         struct item_supports *out)
{
    return facts_item_support(s, f, "compliance_referentials", "referential", true, out);
}

const struct store_kind store_kind_compliance = {
    .type = STATS_COMPLIANCE,
    .tables = &compliance_tables,
    .insert = insert_compliance,
    .flush_sum = NULL,
    .item_support = referential_support,
};

/* --- reading --- */

/* A referential met in one selected stats. */
struct referential_row {
    char referential[UUID_STR_LEN];
    int64_t stats_id;
    char date[DATE_STR_LEN];
    struct labels labels;
};

/* A category total and where it was first seen, until they are sorted. */
struct ranked_category {
    struct compliance_category_total category;
    int64_t first_seen;
};

struct compliance_reader {
    struct referential_row *rows;
    size_t n_rows, rows_cap;
    struct ranked_category *ranked;
    size_t n_ranked, ranked_cap;
    struct compliance_totals *out;
};

static void read_referential_row(struct store *s, void *ctx)
{
    struct compliance_reader *r = ctx;
    r->rows = facts_grow(r->rows, r->n_rows, &r->rows_cap, sizeof *r->rows);
    struct referential_row *row = &r->rows[r->n_rows++];
    facts_copy_text(row->referential, sizeof row->referential, s->ops->get_text(s, 0));
    row->stats_id = s->ops->get_int(s, 1);
    facts_copy_text(row->date, sizeof row->date, s->ops->get_text(s, 2));
    facts_read_labels(s, 3, &row->labels);
}

/* By referential, then newest first (date, then stats id). */
static int compare_referential_rows(const void *a, const void *b)
{
    const struct referential_row *x = a, *y = b;
    int c = strcmp(x->referential, y->referential);
    if (c)
        return c;
    c = strcmp(y->date, x->date);
    if (c)
        return c;
    return x->stats_id < y->stats_id ? 1 : x->stats_id > y->stats_id ? -1 : 0;
}

static int compare_ids(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Turns the sorted rows of one referential [from, to) into its total. */
static void add_referential(struct compliance_reader *r, size_t from, size_t to, size_t *cap)
{
    struct compliance_totals *t = r->out;
    t->referentials = facts_grow(t->referentials, t->n_referentials, cap, sizeof *t->referentials);
    struct compliance_referential_total *ref = &t->referentials[t->n_referentials++];
    facts_copy_text(ref->referential, sizeof ref->referential, r->rows[from].referential);
    ref->labels = r->rows[from].labels;
    r->rows[from].labels = (struct labels){0};
    /* A stats may list a referential twice: count the distinct stats. */
    int64_t *ids = xmalloc((to - from) * sizeof *ids);
    for (size_t i = from; i < to; i++)
        ids[i - from] = r->rows[i].stats_id;
    qsort(ids, to - from, sizeof *ids, compare_ids);
    ref->analyses = 0;
    for (size_t i = 0; i < to - from; i++)
        ref->analyses += i == 0 || ids[i] != ids[i - 1];
    free(ids);
}

static void group_referentials(struct compliance_reader *r)
{
    size_t cap = 0;
    if (r->n_rows)
        qsort(r->rows, r->n_rows, sizeof *r->rows, compare_referential_rows);
    for (size_t from = 0, to; from < r->n_rows; from = to) {
        for (to = from + 1; to < r->n_rows && strcmp(r->rows[to].referential, r->rows[from].referential) == 0;)
            to++;
        add_referential(r, from, to, &cap);
    }
}

static void read_category_total(struct store *s, void *ctx)
{
    struct compliance_reader *r = ctx;
    r->ranked = facts_grow(r->ranked, r->n_ranked, &r->ranked_cap, sizeof *r->ranked);
    struct ranked_category *rc = &r->ranked[r->n_ranked++];
    struct compliance_category_total *c = &rc->category;
    facts_copy_text(c->referential, sizeof c->referential, s->ops->get_text(s, 0));
    facts_read_labels(s, 1, &c->labels);
    c->n_current = s->ops->get_int(s, 5);
    c->current = facts_read_decimal(s, 6);
    c->n_target = s->ops->get_int(s, 8);
    c->target = facts_read_decimal(s, 9);
    c->controls = s->ops->get_int(s, 11);
    rc->first_seen = s->ops->get_int(s, 12);
}

/* By referential, then first seen. */
static int compare_ranked_categories(const void *a, const void *b)
{
    const struct ranked_category *x = a, *y = b;
    int c = strcmp(x->category.referential, y->category.referential);
    if (c)
        return c;
    return x->first_seen < y->first_seen ? -1 : x->first_seen > y->first_seen;
}

/* Moves the ranked categories, sorted, into the totals. */
static void sort_categories(struct compliance_reader *r)
{
    struct compliance_totals *t = r->out;
    if (r->n_ranked)
        qsort(r->ranked, r->n_ranked, sizeof *r->ranked, compare_ranked_categories);
    t->categories = xcalloc(r->n_ranked ? r->n_ranked : 1, sizeof *t->categories);
    for (size_t i = 0; i < r->n_ranked; i++)
        t->categories[i] = r->ranked[i].category;
    t->n_categories = r->n_ranked;
    r->n_ranked = 0;
}

void compliance_totals_free(struct compliance_totals *t)
{
    for (size_t i = 0; i < t->n_referentials; i++)
        labels_free(&t->referentials[i].labels);
    for (size_t i = 0; i < t->n_categories; i++)
        labels_free(&t->categories[i].labels);
    free(t->referentials);
    free(t->categories);
    *t = (struct compliance_totals){0};
}

enum store_rc store_compliance_totals(struct store *s, const struct stats_filter *f,
                                      struct compliance_totals *out)
{
    *out = (struct compliance_totals){0};
    struct compliance_reader r = {.out = out};
    struct query q = {0};
    facts_of_selection(s, &q,
                       "SELECT r.referential, r.stats_id, st.date, l.label1, l.label2, l.label3, "
                       "l.label4 FROM compliance_referentials AS r JOIN stats AS st ON st.id = r.stats_id "
                       "JOIN labels AS l ON l.id = r.labels_id", "r.stats_id", f, true);
    enum store_rc rc = facts_run_rows(s, &q, read_referential_row, &r);
    if (rc == STORE_OK) {
        q = (struct query){0};
        /* Labels rows belong to their referential (owner), so a labels id is a category. */
        facts_of_selection(s, &q,
                           "SELECT l.owner, l.label1, l.label2, l.label3, l.label4, SUM(c.has_current), "
                           "SUM(c.current_u), SUM(c.current_n), SUM(c.has_target), SUM(c.target_u), "
                           "SUM(c.target_n), MAX(c.controls), MIN(c.stats_id * " POSITION_SPAN " + c.pos) "
                           "FROM compliance_categories AS c JOIN labels AS l ON l.id = c.labels_id",
                           "c.stats_id", f, true);
        buf_puts(&q.sql, " GROUP BY l.id, l.owner, l.label1, l.label2, l.label3, l.label4");
        rc = facts_run_rows(s, &q, read_category_total, &r);
    }
    if (rc == STORE_OK) {
        group_referentials(&r);
        sort_categories(&r);
    }
    for (size_t i = 0; i < r.n_rows; i++)
        labels_free(&r.rows[i].labels);
    for (size_t i = 0; i < r.n_ranked; i++) /* left when a query failed */
        labels_free(&r.ranked[i].category.labels);
    free(r.rows);
    free(r.ranked);
    if (rc != STORE_OK)
        compliance_totals_free(out);
    return rc;
}
