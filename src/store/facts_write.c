/*
 * facts_write.c — keeps the fact tables in step with the stats rows.
 *
 * When a stats row is stored (or its data replaced), the figures processors
 * read are extracted once (src/stats/extract.c) and written as rows:
 *   object_facts             one per threat/vulnerability of the stats
 *   risk_facts               one per risk stats: its 12 level values
 *   cartography_facts        one per cartography stats: its non-zero cells and
 *                            scales as short text (see below)
 *   compliance_referentials/categories
 * Labels are stored once per distinct (owner uuid, label1..4) in `labels`;
 * a facts_writer remembers their ids for the rest of the transaction.
 *
 * Rows cost ingestion time: a cartography has some 50 cells and 25 scale
 * values, which as rows took more time than all the rest of an upload.  Its
 * processor reads the latest cartography of each analysis anyway (cost in
 * the number of analyses, whatever the layout), so it gets one row whose
 * cells are "matrix,row,col,count;…" and scales "1,2,3|0,1|0,2,4", summed
 * in C (facts.c).
 * Each fact row carries its stats' client and date, which never change for a
 * row.  The per-client daily sums (object_rollup, risk_rollup) get a
 * transaction's new facts from its writer, one upsert per (client, type,
 * date, object) at facts_writer_flush() rather than one per fact row; facts
 * leave them by trigger, whatever deletes them (cascades included), so facts
 * still pending in the writer are flushed before they are deleted.
 * A document without the shape of its type (never one the API accepted) gets
 * no facts: processors do not see it.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/extract.h"
#include "store/backend.h"
#include "util/strmap.h"

/* --- the writer: what one transaction remembers --- */

/* Sums of a transaction's facts for one daily total, added to it at flush:
 * objects use v[0..5] (count, maxRisk, rate as units, nanos), risks v[0..23]. */
struct pending_sum {
    int64_t client_id;
    enum stats_type type;
    char date[DATE_STR_LEN];
    char object[UUID_STR_LEN];  /* "" for risks */
    int64_t n;
    int64_t v[2 * RISK_CELLS];
};

struct facts_writer {
    struct strmap labels;      /* owner and labels joined by \x1f → labels id */
    struct strmap sum_index;   /* "client|type|date|object" → index in sums */
    struct pending_sum *sums;
    size_t n_sums, sums_cap;
    buf key;
    struct strmap written;     /* ids of the stats given facts since the last flush */
#ifndef NDEBUG
    /* What the assertions compare the sums with since the last flush: the
     * connection they belong to, the facts summed. */
    struct store *store;
    int64_t summed;
#endif
};

#define ID_KEY_LEN 24

/* A stats id as a key of `written`. */
static const char *id_key(int64_t stats_id, char out[ID_KEY_LEN])
{
    snprintf(out, ID_KEY_LEN, "%lld", (long long)stats_id);
    return out;
}

/*
 * The invariants a broken caller or a slip here would turn into wrong daily
 * totals, checked in debug builds:
 * - a writer serves one connection: its sums belong to that transaction;
 * - a stats gets its facts once between two flushes: twice would count them
 *   twice (a stats whose facts are replaced has its old ones deleted by
 *   facts_writer_delete, which flushes first when they are still pending);
 * - a flush writes as many facts as were summed, each a normalized value.
 */
static void note_written(struct facts_writer *w, struct store *s, int64_t stats_id)
{
#ifndef NDEBUG
    assert(!w->store || w->store == s);
    w->store = s;
#endif
    char key[ID_KEY_LEN];
    assert(!strmap_find(&w->written, id_key(stats_id, key)));
    strmap_add(&w->written, id_key(stats_id, key), 0);
}

struct facts_writer *facts_writer_new(void)
{
    struct facts_writer *w = xcalloc(1, sizeof *w);
    strmap_init(&w->labels);
    strmap_init(&w->sum_index);
    strmap_init(&w->written);
    return w;
}

void facts_writer_free(struct facts_writer *w)
{
    if (!w)
        return;
    strmap_free(&w->labels);
    strmap_free(&w->sum_index);
    strmap_free(&w->written);
    free(w->sums);
    buf_free(&w->key);
    free(w);
}

/* The pending sum of a daily total, created empty on first use; the caller
 * adds one fact to it. */
static struct pending_sum *pending_sum(struct facts_writer *w, int64_t client_id, enum stats_type type,
                                       const char *date, const char *object)
{
#ifndef NDEBUG
    w->summed++;
#endif
    buf_reset(&w->key);
    buf_printf(&w->key, "%lld|%d|%s|%s", (long long)client_id, (int)type, date, object);
    const size_t *known = strmap_find(&w->sum_index, w->key.data);
    if (known) {
        /* The index names the sum of this very total. */
        assert(*known < w->n_sums && w->sums[*known].client_id == client_id &&
               w->sums[*known].type == type && strcmp(w->sums[*known].date, date) == 0 &&
               strcmp(w->sums[*known].object, object) == 0);
        return &w->sums[*known];
    }
    if (w->n_sums == w->sums_cap) {
        w->sums_cap = w->sums_cap ? w->sums_cap * 2 : 64;
        w->sums = xrealloc(w->sums, w->sums_cap * sizeof *w->sums);
    }
    strmap_add(&w->sum_index, w->key.data, w->n_sums);
    struct pending_sum *p = &w->sums[w->n_sums++];
    *p = (struct pending_sum){.client_id = client_id, .type = type};
    snprintf(p->date, sizeof p->date, "%s", date);
    snprintf(p->object, sizeof p->object, "%s", object);
    return p;
}

static enum store_rc flush_object_sum(struct store *s, const struct pending_sum *p)
{
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

enum store_rc facts_writer_flush(struct facts_writer *w, struct store *s)
{
#ifndef NDEBUG
    assert(!w->store || w->store == s);
    int64_t counted = 0;
    for (size_t i = 0; i < w->n_sums; i++)
        counted += w->sums[i].n;
    assert(counted == w->summed);
    w->summed = 0;
#endif
    strmap_free(&w->written);
    strmap_init(&w->written);
    enum store_rc rc = STORE_OK;
    for (size_t i = 0; i < w->n_sums && rc == STORE_OK; i++)
        rc = w->sums[i].type == STATS_RISK ? flush_risk_sum(s, &w->sums[i]) : flush_object_sum(s, &w->sums[i]);
    strmap_free(&w->sum_index);
    strmap_init(&w->sum_index);
    w->n_sums = 0;
    return rc;
}

/* The id of a (owner, labels) row, created on first use. */
static enum store_rc labels_id(struct store *s, struct facts_writer *w, const char *owner,
                               const struct fact_labels *l, int64_t *id)
{
    buf_reset(&w->key);
    buf_puts(&w->key, owner);
    for (int i = 0; i < FACT_LABELS; i++) {
        buf_putc(&w->key, '\x1f');
        buf_puts(&w->key, l->label[i]);
    }
    const size_t *known = strmap_find(&w->labels, w->key.data);
    if (known) {
        *id = (int64_t)*known;
        return STORE_OK;
    }
    const struct sql_value params[] = {sql_text(owner), sql_text(l->label[0]), sql_text(l->label[1]),
                                       sql_text(l->label[2]), sql_text(l->label[3])};
    enum store_rc rc = sql_first_row(s,
        "SELECT id FROM labels WHERE owner = ? AND label1 = ? AND label2 = ? AND label3 = ? "
        "AND label4 = ?", params, 5);
    if (rc == STORE_NOT_FOUND)
        rc = sql_first_row(s,
            "INSERT INTO labels (owner, label1, label2, label3, label4) VALUES (?, ?, ?, ?, ?) "
            "RETURNING id", params, 5);
    if (rc == STORE_NOT_FOUND)
        return store_fail(s, STORE_ERROR, "The database did not return the new labels' id.");
    if (rc != STORE_OK)
        return rc;
    *id = s->ops->get_int(s, 0);
    sql_end(s);
    strmap_add(&w->labels, w->key.data, (size_t)*id);
    return STORE_OK;
}

/* Where a stats row's facts belong. */
struct fact_owner {
    struct facts_writer *writer;
    int64_t stats_id, client_id;
    enum stats_type type;
    const char *date;
};

static enum store_rc insert_objects(struct store *s, const struct fact_owner *o,
                                    const struct stats_facts *f)
{
    enum store_rc rc = STORE_OK;
    for (size_t i = 0; i < f->n_objects && rc == STORE_OK; i++) {
        const struct object_fact *x = &f->objects[i];
        int64_t labels;
        rc = labels_id(s, o->writer, x->uuid, &x->labels, &labels);
        if (rc != STORE_OK)
            break;
        const struct sql_value params[] = {
            sql_int(o->stats_id), sql_int(o->client_id), sql_int(o->type), sql_text(o->date),
            sql_text(x->uuid), sql_int(labels), sql_int(x->count.units), sql_int(x->count.nanos),
            sql_int(x->max_risk.units), sql_int(x->max_risk.nanos), sql_int(x->rate.units),
            sql_int(x->rate.nanos),
        };
        rc = sql_defer(s,
            "INSERT INTO object_facts (stats_id, client_id, type, date, object, labels_id, count_u, "
            "count_n, max_risk_u, max_risk_n, rate_u, rate_n) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params, sizeof params / sizeof *params);
        struct pending_sum *p = pending_sum(o->writer, o->client_id, o->type, o->date, x->uuid);
        const struct decimal metrics[3] = {x->count, x->max_risk, x->rate};
        assert(decimal_is_single(x->count) && decimal_is_single(x->max_risk) &&
               decimal_is_single(x->rate));
        p->n++;
        for (size_t m = 0; m < 3; m++) {
            p->v[2 * m] += metrics[m].units;
            p->v[2 * m + 1] += metrics[m].nanos;
        }
    }
    return rc;
}

static enum store_rc insert_risk(struct store *s, const struct fact_owner *o, const struct stats_facts *f)
{
    struct sql_value params[3 + 2 * RISK_CELLS] = {sql_int(o->stats_id), sql_int(o->client_id),
                                                   sql_text(o->date)};
    struct pending_sum *p = pending_sum(o->writer, o->client_id, STATS_RISK, o->date, "");
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

static enum store_rc insert_categories(struct store *s, const struct fact_owner *o, size_t ref_pos,
                                       const struct compliance_referential *r)
{
    enum store_rc rc = STORE_OK;
    for (size_t i = 0; i < r->n_categories && rc == STORE_OK; i++) {
        const struct compliance_category *c = &r->categories[i];
        int64_t labels;
        rc = labels_id(s, o->writer, r->uuid, &c->labels, &labels);
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
        rc = labels_id(s, o->writer, r->uuid, &r->labels, &labels);
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

/* The document as the caller parsed it, or its stored text read back: that
 * was written by this program from validated JSON, so json-c's tokenizer
 * alone reads it (stats_extract_text would check it again). */
static bool extract(enum stats_type type, const char *data, struct json_object *doc,
                    struct stats_facts *f)
{
    if (doc)
        return stats_extract(type, doc, f);
    struct json_object *parsed = json_tokener_parse(data);
    bool ok = stats_extract(type, parsed, f);
    json_object_put(parsed);
    return ok;
}

enum store_rc facts_writer_insert(struct facts_writer *w, struct store *s, int64_t stats_id,
                                  int64_t client_id, enum stats_type type, const char *date,
                                  const char *data, struct json_object *doc)
{
    struct stats_facts f;
    /* The API validates every document; data stored otherwise (imports of old
     * databases, tests) that lacks the shape of its type has no figures to give. */
    if (!extract(type, data, doc, &f))
        return STORE_OK;
    note_written(w, s, stats_id);
    const struct fact_owner owner = {w, stats_id, client_id, type, date};
    enum store_rc rc = STORE_ERROR;
    switch (type) {
    case STATS_RISK:
        rc = insert_risk(s, &owner, &f);
        break;
    case STATS_THREAT:
    case STATS_VULNERABILITY:
        rc = insert_objects(s, &owner, &f);
        break;
    case STATS_CARTOGRAPHY:
        rc = insert_cartography(s, &owner, &f);
        break;
    case STATS_COMPLIANCE:
        rc = insert_compliance(s, &owner, &f);
        break;
    case STATS_TYPE_COUNT:
        break;
    }
    stats_facts_free(&f);
    return rc;
}

enum store_rc facts_insert(struct store *s, int64_t stats_id, int64_t client_id,
                           enum stats_type type, const char *date, const char *data)
{
    struct facts_writer *w = facts_writer_new();
    enum store_rc rc = facts_writer_insert(w, s, stats_id, client_id, type, date, data, NULL);
    if (rc == STORE_OK)
        rc = facts_writer_flush(w, s);
    facts_writer_free(w);
    return rc;
}

enum store_rc facts_writer_delete(struct facts_writer *w, struct store *s, int64_t stats_id)
{
    /* Triggers take deleted facts out of the daily totals: facts still
     * pending in the sums must be in those totals first (a batch naming one
     * analysis, type and date twice rewrites the row it just inserted). */
    char key[ID_KEY_LEN];
    if (strmap_find(&w->written, id_key(stats_id, key))) {
        enum store_rc rc = facts_writer_flush(w, s);
        if (rc != STORE_OK)
            return rc;
    }
    static const char *const deletes[] = {
        "DELETE FROM object_facts WHERE stats_id = ?",
        "DELETE FROM risk_facts WHERE stats_id = ?",
        "DELETE FROM cartography_facts WHERE stats_id = ?",
        "DELETE FROM compliance_referentials WHERE stats_id = ?",
        "DELETE FROM compliance_categories WHERE stats_id = ?",
    };
    struct sql_value id = sql_int(stats_id);
    enum store_rc rc = STORE_OK;
    for (size_t i = 0; i < sizeof deletes / sizeof *deletes && rc == STORE_OK; i++)
        rc = sql_defer(s, deletes[i], &id, 1);
    return rc;
}

/* --- backfill --- */

#define BACKFILL_PAGE 256

struct stored_stats {
    int64_t id, client_id;
    enum stats_type type;
    char date[DATE_STR_LEN];
    char *data;
};

/* Reads up to BACKFILL_PAGE rows after `after` (one statement is active at a
 * time, so a page is read, closed, then written). */
static enum store_rc read_page(struct store *s, int64_t after, struct stored_stats *rows, size_t *n)
{
    const struct sql_value params[] = {sql_int(after), sql_int(BACKFILL_PAGE)};
    *n = 0;
    enum store_rc rc = s->ops->query(s,
        "SELECT id, client_id, type, date, data FROM stats WHERE id > ? ORDER BY id LIMIT ?", params, 2);
    if (rc != STORE_OK)
        return rc;
    while ((rc = s->ops->next_row(s)) == STORE_OK) {
        struct stored_stats *r = &rows[(*n)++];
        r->id = s->ops->get_int(s, 0);
        r->client_id = s->ops->get_int(s, 1);
        r->type = (enum stats_type)s->ops->get_int(s, 2);
        snprintf(r->date, sizeof r->date, "%s", s->ops->get_text(s, 3));
        r->data = xstrdup(s->ops->get_text(s, 4));
    }
    sql_end(s);
    return rc == STORE_NOT_FOUND ? STORE_OK : rc;
}

enum store_rc facts_backfill(struct store *s)
{
    struct stored_stats rows[BACKFILL_PAGE];
    int64_t after = 0;
    size_t n;
    struct facts_writer *w = facts_writer_new();
    enum store_rc rc = store_bump_versions(s, -1);
    while (rc == STORE_OK) {
        rc = read_page(s, after, rows, &n);
        for (size_t i = 0; i < n; i++) {
            if (rc == STORE_OK)
                rc = facts_writer_insert(w, s, rows[i].id, rows[i].client_id, rows[i].type,
                                         rows[i].date, rows[i].data, NULL);
            free(rows[i].data);
        }
        if (n < BACKFILL_PAGE)
            break;
        after = rows[n - 1].id;
    }
    if (rc == STORE_OK)
        rc = facts_writer_flush(w, s);
    facts_writer_free(w);
    return rc;
}
