/*
 * cartography.c — the storage of cartography stats: one row per stats in
 * cartography_facts, its non-zero cells "matrix,row,col,count;…" and its
 * scales "1,2,3|0,1|0,2,4" as short text, summed here in C (cartography.h).
 *
 * Rows cost ingestion time: a cartography has some 50 cells and 25 scale
 * values, which as rows took more time than all the rest of an upload.  Its
 * processor reads the latest cartography of each analysis anyway (cost in
 * the number of analyses, whatever the layout), so one text row per stats.
 * No daily totals.
 */
#include "store/facts/cartography.h"

#include <stdlib.h>

#include "store/facts/facts.h"

static const char *const deletes[] = {"DELETE FROM cartography_facts WHERE stats_id = ?", NULL};

static const struct fact_tables cartography_tables = {
    .schema_step = 2,
    .ddl = {
        [SQL_DIALECT_SQLITE] =
            " CREATE TABLE cartography_facts (stats_id INTEGER NOT NULL PRIMARY KEY REFERENCES stats (id)"
            " ON DELETE CASCADE, scales TEXT NOT NULL, cells TEXT NOT NULL) WITHOUT ROWID;",
        [SQL_DIALECT_POSTGRES] =
            " CREATE TABLE cartography_facts (stats_id BIGINT NOT NULL PRIMARY KEY REFERENCES stats (id) ON"
            " DELETE CASCADE, scales TEXT NOT NULL, cells TEXT NOT NULL);",
    },
    .drop = "DROP TABLE IF EXISTS cartography_facts;",
    .deletes = deletes,
};

/* --- writing --- */

/* "m,row,col,count;…" and "impact|probability|likelihood", each scale "v,v,…". */
static void cartography_text(const struct carto_fact *c, buf *cells, buf *scales)
{
    for (size_t i = 0; i < c->n_cells; i++)
        buf_printf(cells, "%s%d,%lld,%lld,%lld", i ? ";" : "", c->cells[i].matrix,
                   (long long)c->cells[i].row, (long long)c->cells[i].col, (long long)c->cells[i].value);
    for (int scale = 0; scale < CARTO_SCALES; scale++) {
        if (scale)
            buf_putc(scales, '|');
        for (size_t i = 0; i < c->n_scales[scale]; i++)
            buf_printf(scales, "%s%lld", i ? "," : "", (long long)c->scales[scale][i]);
    }
}

static enum store_rc insert_cartography(struct store *s, const struct fact_owner *o,
                                        const struct stats_facts *f)
{
    buf cells = BUF_INIT, scales = BUF_INIT;
    cartography_text(&f->carto, &cells, &scales);
    const struct sql_value params[] = {sql_int(o->stats_id), sql_text(scales.data ? scales.data : ""),
                                       sql_text(cells.data ? cells.data : "")};
    enum store_rc rc = sql_defer(s, "INSERT INTO cartography_facts (stats_id, scales, cells) VALUES (?, ?, ?)",
                                 params, 3);
    buf_free(&cells);
    buf_free(&scales);
    return rc;
}

const struct store_kind store_kind_cartography = {
    .type = STATS_CARTOGRAPHY,
    .tables = &cartography_tables,
    .insert = insert_cartography,
    .flush_sum = NULL,
};

/* --- reading --- */

/* The cells and scales of the selected cartographies, as stored (insert_cartography). */
struct carto_reader {
    struct cartography_totals *out;
    size_t cap[CARTO_SCALES], cells_cap;
};

static void add_scale_value(struct carto_reader *r, int scale, int64_t value)
{
    struct cartography_totals *t = r->out;
    t->scales[scale] = facts_grow(t->scales[scale], t->n_scales[scale], &r->cap[scale], sizeof *t->scales[scale]);
    t->scales[scale][t->n_scales[scale]++] = value;
}

static void add_cell(struct carto_reader *r, struct carto_cell cell)
{
    struct cartography_totals *t = r->out;
    t->cells = facts_grow(t->cells, t->n_cells, &r->cells_cap, sizeof *t->cells);
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
            return; /* not written by insert_cartography: ignored */
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
    enum store_rc rc = facts_run_rows(s, &q, read_cartography, &r);
    if (rc == STORE_OK)
        merge_totals(out);
    else
        cartography_totals_free(out);
    return rc;
}
