/*
 * facts.c — the aggregate queries processors are built on (see store.h).
 *
 * Two ways to a selection's sums:
 * - the per-client daily totals (object_rollup, risk_rollup), when the
 *   selection is "these clients, these dates" (no ANR list, no get_last):
 *   one row per (client, date, object), whatever the number of analyses;
 * - the fact rows of the selected stats otherwise: `stats_id IN (…)` with the
 *   selection written by append_selection from the same stats_filter, which
 *   reads the primary keys of the fact tables.
 * Both sum the same exact integers, so they give identical results.
 * Cartographies are summed here, in C, from one row per stats (facts_write.c
 * says why).
 * Results are sorted here with strcmp where the database's text collation
 * could differ between backends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"

/* "First seen" key of a category: stats id * POSITION_SPAN + its position
 * (positions are far below). */
#define POSITION_SPAN "1048576"

static bool uses_rollup(const struct stats_filter *f)
{
    return !f->get_last && (!f->anrs || f->n_anrs == 0);
}

/*
 * Appends a subquery giving the ids of the stats f selects; with `latest` (or
 * f->get_last), only the latest of each (client, ANR).  Within one type a
 * (client, ANR) has one stats per date, so the latest is the one at MAX(date).
 */
static void append_selection(struct store *s, struct query *q, const struct stats_filter *f, bool latest)
{
    bool outer = q->has_where;
    q->has_where = false;
    if (latest || f->get_last) {
        buf_puts(&q->sql, "SELECT sel_s.id FROM stats AS sel_s JOIN (SELECT client_id, anr, "
                          "MAX(date) AS last_date FROM stats");
        query_add_filters(s, q, f);
        buf_puts(&q->sql, " GROUP BY client_id, anr) AS sel_m ON sel_s.client_id = sel_m.client_id "
                          "AND sel_s.anr = sel_m.anr AND sel_s.type = ? AND sel_s.date = sel_m.last_date");
        query_bind(q, sql_int(f->type));
    } else {
        buf_puts(&q->sql, "SELECT id FROM stats");
        query_add_filters(s, q, f);
    }
    q->has_where = outer;
}

/* "<head> WHERE <column> IN (<selection>)", leaving the WHERE open for more. */
static void facts_of_selection(struct store *s, struct query *q, const char *head, const char *column,
                               const struct stats_filter *f, bool latest)
{
    buf_puts(&q->sql, head);
    buf_printf(&q->sql, " WHERE %s IN (", column);
    append_selection(s, q, f, latest);
    buf_putc(&q->sql, ')');
    q->has_where = true;
}

typedef void (*row_reader)(struct store *s, void *ctx);

/* Runs q, hands each row to read, frees q. */
static enum store_rc run_rows(struct store *s, struct query *q, row_reader read, void *ctx)
{
    enum store_rc rc = s->ops->query(s, q->sql.data, q->params, q->n);
    if (rc == STORE_OK) {
        while ((rc = s->ops->next_row(s)) == STORE_OK)
            read(s, ctx);
        sql_end(s);
        if (rc == STORE_NOT_FOUND)
            rc = STORE_OK;
    }
    query_free(q);
    return rc;
}

/* Room for one more item in a growing array. */
static void *grow(void *items, size_t count, size_t *cap, size_t size)
{
    if (count < *cap)
        return items;
    *cap = *cap ? *cap * 2 : 16;
    return xrealloc(items, *cap * size);
}

static struct decimal read_decimal(struct store *s, int col)
{
    return (struct decimal){s->ops->get_int(s, col), s->ops->get_int(s, col + 1)};
}

static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

static void read_labels(struct store *s, int col, struct labels *out)
{
    for (int i = 0; i < FACT_LABELS; i++)
        out->label[i] = xstrdup(s->ops->get_text(s, col + i));
}

void labels_free(struct labels *l)
{
    for (int i = 0; i < FACT_LABELS; i++) {
        free(l->label[i]);
        l->label[i] = NULL;
    }
}

/* --- threats and vulnerabilities --- */

struct object_days_reader {
    struct object_days *out;
    size_t cap;
};

static void read_object_day(struct store *s, void *ctx)
{
    struct object_days_reader *r = ctx;
    r->out->items = grow(r->out->items, r->out->count, &r->cap, sizeof *r->out->items);
    struct object_day *d = &r->out->items[r->out->count++];
    copy_text(d->object, sizeof d->object, s->ops->get_text(s, 0));
    copy_text(d->date, sizeof d->date, s->ops->get_text(s, 1));
    d->n = s->ops->get_int(s, 2);
    d->count = read_decimal(s, 3);
    d->max_risk = read_decimal(s, 5);
    d->rate = read_decimal(s, 7);
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

#define OBJECT_SUMS "SUM(count_u), SUM(count_n), SUM(max_risk_u), SUM(max_risk_n), SUM(rate_u), SUM(rate_n)"

enum store_rc store_object_days(struct store *s, const struct stats_filter *f, struct object_days *out)
{
    *out = (struct object_days){0};
    struct query q = {0};
    if (uses_rollup(f)) {
        buf_puts(&q.sql, "SELECT object, date, SUM(n), " OBJECT_SUMS " FROM object_rollup");
        query_add_filters(s, &q, f);
    } else {
        facts_of_selection(s, &q, "SELECT object, date, COUNT(*), " OBJECT_SUMS " FROM object_facts",
                           "stats_id", f, false);
    }
    buf_puts(&q.sql, " GROUP BY object, date");
    struct object_days_reader r = {out, 0};
    enum store_rc rc = run_rows(s, &q, read_object_day, &r);
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
        read_labels(s, 1, l);
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
    return run_rows(s, &q, read_first_labels, &p);
}

static void read_labels_row(struct store *s, void *ctx)
{
    read_labels(s, 0, ctx);
}

/* The newest fact of the object on its latest date that the filter keeps:
 * a short walk back on the (type, object, date, stats_id) index.  That date
 * is in the filter's range, which is left out: SQLite would rather use the
 * range than the equality. */
static enum store_rc labels_by_probe(struct store *s, const struct stats_filter *f,
                                     const struct object_latest *o, struct labels *out)
{
    struct query q = {0};
    struct stats_filter on_date = *f;
    on_date.date_from[0] = on_date.date_to[0] = '\0';
    buf_puts(&q.sql, "SELECT l.label1, l.label2, l.label3, l.label4 FROM object_facts AS o "
                     "JOIN labels AS l ON l.id = o.labels_id");
    query_where(&q, "o.object = ?", sql_text(o->object));
    query_where(&q, "o.date = ?", sql_text(o->date));
    query_add_filters(s, &q, &on_date);
    buf_puts(&q.sql, " ORDER BY o.stats_id DESC LIMIT 1");
    return run_rows(s, &q, read_labels_row, out);
}

enum store_rc store_object_labels(struct store *s, const struct stats_filter *f,
                                  const struct object_latest *objects, size_t n, struct labels *out)
{
    memset(out, 0, n * sizeof *out);
    enum store_rc rc = STORE_OK;
    if (uses_rollup(f)) {
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
    r->out->items = grow(r->out->items, r->out->count, &r->cap, sizeof *r->out->items);
    struct object_client_total *t = &r->out->items[r->out->count++];
    t->client_id = s->ops->get_int(s, 0);
    copy_text(t->object, sizeof t->object, s->ops->get_text(s, 1));
    t->n = s->ops->get_int(s, 2);
    t->count = read_decimal(s, 3);
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
    enum store_rc rc = run_rows(s, &q, read_client_total, &r);
    if (rc != STORE_OK)
        object_client_totals_free(out);
    else if (out->count)
        qsort(out->items, out->count, sizeof *out->items, compare_client_totals);
    return rc;
}

/* --- risks --- */

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
    d->items = grow(d->items, d->count, &r->cap, sizeof *d->items);
    struct risk_day *day = &d->items[d->count++];
    copy_text(day->date, DATE_STR_LEN, s->ops->get_text(s, 0));
    day->n = s->ops->get_int(s, 1);
    for (int cell = 0; cell < RISK_CELLS; cell++)
        day->sum[cell] = read_decimal(s, 2 + 2 * cell);
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
    if (uses_rollup(f)) {
        buf_puts(&q.sql, "SELECT date, SUM(n), " RISK_VALUE_SUMS " FROM risk_rollup");
        query_add_filters(s, &q, &without_type);
    } else {
        facts_of_selection(s, &q, "SELECT date, COUNT(*), " RISK_VALUE_SUMS " FROM risk_facts",
                           "stats_id", f, false);
    }
    buf_puts(&q.sql, " GROUP BY date ORDER BY date");
    struct risk_days_reader r = {out, 0};
    enum store_rc rc = run_rows(s, &q, read_risk_day, &r);
    if (rc != STORE_OK)
        risk_days_free(out);
    return rc;
}

/* --- cartography --- */

/* The cells and scales of the selected cartographies, as stored (facts_write.c). */
struct carto_reader {
    struct cartography_totals *out;
    size_t cap[CARTO_SCALES], cells_cap;
};

static void add_scale_value(struct carto_reader *r, int scale, int64_t value)
{
    struct cartography_totals *t = r->out;
    t->scales[scale] = grow(t->scales[scale], t->n_scales[scale], &r->cap[scale], sizeof *t->scales[scale]);
    t->scales[scale][t->n_scales[scale]++] = value;
}

static void add_cell(struct carto_reader *r, struct carto_cell cell)
{
    struct cartography_totals *t = r->out;
    t->cells = grow(t->cells, t->n_cells, &r->cells_cap, sizeof *t->cells);
    t->cells[t->n_cells++] = cell;
}

/* "1,2|0|" → values of scales 0, 1, 2. */
static void parse_scales(struct carto_reader *r, const char *text)
{
    int scale = 0;
    for (const char *p = text; *p && scale < CARTO_SCALES;) {
        if (*p == '|') {
            scale++;
            p++;
            continue;
        }
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p)
            return; /* not written by facts_write.c: ignored */
        add_scale_value(r, scale, v);
        p = end + (*end == ',');
    }
}

/* "m,row,col,count;…" */
static void parse_cells(struct carto_reader *r, const char *text)
{
    for (const char *p = text; *p;) {
        long long v[4];
        for (int i = 0; i < 4; i++) {
            char *end;
            v[i] = strtoll(p, &end, 10);
            if (end == p || (i < 3 && *end != ','))
                return;
            p = end + 1;
        }
        if (v[0] >= 0 && v[0] < CARTO_MATRICES)
            add_cell(r, (struct carto_cell){(int)v[0], v[1], v[2], v[3]});
        if (p[-1] == '\0')
            return;
    }
}

static void read_cartography(struct store *s, void *ctx)
{
    parse_scales(ctx, s->ops->get_text(s, 0));
    parse_cells(ctx, s->ops->get_text(s, 1));
    ((struct carto_reader *)ctx)->out->analyses++;
}

/* Sorts the cells and adds up those of one place; sorts the scales and keeps
 * distinct values. */
static void merge_totals(struct cartography_totals *t)
{
    size_t kept = 0;
    if (t->n_cells)
        qsort(t->cells, t->n_cells, sizeof *t->cells, carto_cell_compare);
    for (size_t i = 0; i < t->n_cells; i++) {
        if (kept && carto_cell_compare(&t->cells[kept - 1], &t->cells[i]) == 0)
            t->cells[kept - 1].value += t->cells[i].value;
        else
            t->cells[kept++] = t->cells[i];
    }
    t->n_cells = kept;
    for (int scale = 0; scale < CARTO_SCALES; scale++) {
        kept = 0;
        if (t->n_scales[scale])
            qsort(t->scales[scale], t->n_scales[scale], sizeof *t->scales[scale], carto_value_compare);
        for (size_t i = 0; i < t->n_scales[scale]; i++)
            if (kept == 0 || t->scales[scale][kept - 1] != t->scales[scale][i])
                t->scales[scale][kept++] = t->scales[scale][i];
        t->n_scales[scale] = kept;
    }
}

void cartography_totals_free(struct cartography_totals *t)
{
    for (int i = 0; i < CARTO_SCALES; i++)
        free(t->scales[i]);
    free(t->cells);
    *t = (struct cartography_totals){0};
}

enum store_rc store_cartography_totals(struct store *s, const struct stats_filter *f,
                                       struct cartography_totals *out)
{
    *out = (struct cartography_totals){0};
    struct carto_reader r = {.out = out};
    struct query q = {0};
    facts_of_selection(s, &q, "SELECT scales, cells FROM cartography_facts", "stats_id", f, true);
    enum store_rc rc = run_rows(s, &q, read_cartography, &r);
    if (rc == STORE_OK)
        merge_totals(out);
    else
        cartography_totals_free(out);
    return rc;
}

/* --- compliance --- */

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
    r->rows = grow(r->rows, r->n_rows, &r->rows_cap, sizeof *r->rows);
    struct referential_row *row = &r->rows[r->n_rows++];
    copy_text(row->referential, sizeof row->referential, s->ops->get_text(s, 0));
    row->stats_id = s->ops->get_int(s, 1);
    copy_text(row->date, sizeof row->date, s->ops->get_text(s, 2));
    read_labels(s, 3, &row->labels);
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
    t->referentials = grow(t->referentials, t->n_referentials, cap, sizeof *t->referentials);
    struct compliance_referential_total *ref = &t->referentials[t->n_referentials++];
    copy_text(ref->referential, sizeof ref->referential, r->rows[from].referential);
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
    r->ranked = grow(r->ranked, r->n_ranked, &r->ranked_cap, sizeof *r->ranked);
    struct ranked_category *rc = &r->ranked[r->n_ranked++];
    struct compliance_category_total *c = &rc->category;
    copy_text(c->referential, sizeof c->referential, s->ops->get_text(s, 0));
    read_labels(s, 1, &c->labels);
    c->n_current = s->ops->get_int(s, 5);
    c->current = read_decimal(s, 6);
    c->n_target = s->ops->get_int(s, 8);
    c->target = read_decimal(s, 9);
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
    enum store_rc rc = run_rows(s, &q, read_referential_row, &r);
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
        rc = run_rows(s, &q, read_category_total, &r);
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
