/*
 * common.c — what the kinds' storage files share (facts.h): the writer of a
 * transaction's facts, the labels, the removal of a stats' facts, the
 * backfill, and the selections and readers of the aggregate queries.
 *
 * When a stats row is stored (or its data replaced), its figures are
 * extracted once (src/stats/extract.c) and its kind writes them as rows
 * (facts/<kind>.c).  Labels are stored once per distinct (owner uuid,
 * label1..4) in `labels`; a facts_writer remembers their ids for the rest of
 * the transaction.  Each fact row carries its stats' client and date, which
 * never change for a row.  The per-client daily totals get a transaction's
 * new facts from its writer, one upsert per (client, type, date, object) at
 * facts_writer_flush() rather than one per fact row; facts leave them by
 * trigger, whatever deletes them (cascades included), so facts still pending
 * in the writer are flushed before they are deleted.  A document without the
 * shape of its type (never one the API accepted) gets no facts: processors do
 * not see it.
 *
 * A selection's sums come either from the daily totals, when it is "these
 * clients, these dates" (one row per client, date and object, whatever the
 * number of analyses), or from the fact rows of the selected stats:
 * `stats_id IN (…)`, the selection written by facts_of_selection from the
 * same stats_filter (query.c).  Both sum the same exact integers, so they
 * give identical results.
 *
 * The sample sizes of a selection and of its items (how many analyses and
 * clients, the newest date) are counted over the selected stats rows and,
 * for items, the fact rows that list them (facts_item_support).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/facts/facts.h"
#include "util/strmap.h"

/* --- the writer: what one transaction remembers --- */

struct facts_writer {
    struct strmap labels;      /* owner and labels joined by \x1f → labels id */
    bool labels_locked;        /* this transaction holds the lock of new labels (labels_lock) */
    int64_t locked_client;     /* the client whose lock this transaction holds (client_lock), or 0 */
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

/* The pending sum of (client, type, date, until, object), created empty. */
static struct pending_sum *pending(struct facts_writer *w, int64_t client_id, enum stats_type type,
                                   const char *date, const char *until, const char *object)
{
    buf_reset(&w->key);
    buf_printf(&w->key, "%lld|%d|%s|%s|%s", (long long)client_id, (int)type, date, until, object);
    const size_t *known = strmap_find(&w->sum_index, w->key.data);
    if (known) {
        /* The index names the sum of this very total. */
        assert(*known < w->n_sums && w->sums[*known].client_id == client_id &&
               w->sums[*known].type == type && strcmp(w->sums[*known].date, date) == 0 &&
               strcmp(w->sums[*known].until, until) == 0 && strcmp(w->sums[*known].object, object) == 0);
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
    snprintf(p->until, sizeof p->until, "%s", until);
    snprintf(p->object, sizeof p->object, "%s", object);
    return p;
}

struct pending_sum *facts_pending_sum(struct facts_writer *w, int64_t client_id, enum stats_type type,
                                      const char *date, const char *object)
{
#ifndef NDEBUG
    w->summed++;
#endif
    return pending(w, client_id, type, date, "", object);
}

struct pending_sum *facts_pending_span(struct facts_writer *w, int64_t client_id, enum stats_type type,
                                       const char *date, const char *until, const char *object)
{
    assert(until[0]);
    return pending(w, client_id, type, date, until, object);
}

enum store_rc facts_writer_flush(struct facts_writer *w, struct store *s)
{
#ifndef NDEBUG
    assert(!w->store || w->store == s);
    int64_t counted = 0;
    for (size_t i = 0; i < w->n_sums; i++)
        if (!w->sums[i].until[0]) /* spans move facts: their n may be -1 */
            counted += w->sums[i].n;
    assert(counted == w->summed);
    w->summed = 0;
#endif
    strmap_free(&w->written);
    strmap_init(&w->written);
    enum store_rc rc = STORE_OK;
    for (size_t i = 0; i < w->n_sums && rc == STORE_OK; i++) {
        const struct store_kind *kind = store_kind_of(w->sums[i].type);
        assert(kind && kind->flush_sum); /* only kinds with daily totals add to them */
        rc = kind->flush_sum(s, &w->sums[i]);
    }
    strmap_free(&w->sum_index);
    strmap_init(&w->sum_index);
    w->n_sums = 0;
    return rc;
}

enum store_rc facts_labels_id(struct store *s, struct facts_writer *w, const char *owner,
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
    static const char select_id[] =
        "SELECT id FROM labels WHERE owner = ? AND label1 = ? AND label2 = ? AND label3 = ? AND label4 = ?";
    const struct sql_value params[] = {sql_text(owner), sql_text(l->label[0]), sql_text(l->label[1]),
                                       sql_text(l->label[2]), sql_text(l->label[3])};
    enum store_rc rc = sql_first_row(s, select_id, params, 5);
    if (rc == STORE_NOT_FOUND && s->ops->labels_lock && !w->labels_locked) {
        /* Another writer may have inserted them while this one waited. */
        rc = sql_run(s, s->ops->labels_lock, NULL, 0, NULL);
        w->labels_locked = rc == STORE_OK; /* held to the end of the transaction */
        if (rc == STORE_OK)
            rc = sql_first_row(s, select_id, params, 5);
    }
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

/* The stored text read back, when the caller has no facts: that was written
 * by this program from validated JSON, so json-c's tokenizer alone reads it
 * (stats_extract_text would check it again). */
static bool extract_stored(enum stats_type type, const char *data, struct stats_facts *f)
{
    struct json_object *parsed = json_tokener_parse(data);
    bool ok = stats_extract(type, parsed, f);
    json_object_put(parsed);
    return ok;
}

enum store_rc facts_writer_insert(struct facts_writer *w, struct store *s, int64_t stats_id,
                                  int64_t client_id, const char *anr, enum stats_type type,
                                  const char *date, const char *data, const struct stats_facts *facts)
{
    struct stats_facts extracted;
    /* The API validates every document; data stored otherwise (imports of old
     * databases, tests) that lacks the shape of its type has no figures to give. */
    if (!facts && !extract_stored(type, data, &extracted))
        return STORE_OK;
    const struct stats_facts *f = facts ? facts : &extracted;
    assert(f->type == type);
    note_written(w, s, stats_id);
    const struct fact_owner owner = {w, stats_id, client_id, anr, type, date};
    const struct store_kind *kind = store_kind_of(type);
    assert(kind); /* extraction succeeded: the type is a kind */
    enum store_rc rc = kind->insert(s, &owner, f);
    if (!facts)
        stats_facts_free(&extracted);
    return rc;
}

enum store_rc facts_insert(struct store *s, int64_t stats_id, int64_t client_id, const char *anr,
                           enum stats_type type, const char *date, const char *data,
                           const struct stats_facts *facts)
{
    struct facts_writer *w = facts_writer_new();
    enum store_rc rc = facts_writer_insert(w, s, stats_id, client_id, anr, type, date, data, facts);
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
    struct sql_value id = sql_int(stats_id);
    enum store_rc rc = STORE_OK;
    for (size_t k = 0; k < store_kind_count() && rc == STORE_OK; k++) {
        if (!store_kind_owns_tables(k))
            continue;
        const char *const *deletes = store_kind_at(k)->tables->deletes;
        for (size_t i = 0; deletes[i] && rc == STORE_OK; i++)
            rc = sql_defer(s, deletes[i], &id, 1);
    }
    return rc;
}

/* --- the evolution's spans --- */

/* Adds (sign +1) or takes away (-1) one fact's figures, read from columns col … col + n_values - 1. */
static void span_add(struct pending_sum *p, int sign, struct store *s, int col, int n_values)
{
    p->n += sign;
    for (int m = 0; m < n_values; m++)
        p->v[m] += sign * s->ops->get_int(s, col + m);
}

/* The stats of the analysis before o's, if any, stood until the analysis' next
 * stats after it: now o's date.  Its facts move to the span ending there (a
 * stats rewritten in place finds them there already). */
struct span_move {
    const struct fact_owner *owner;
    int n_values;
    int64_t previous;    /* the earlier stats' id, 0 if it has no facts to move */
};

static void move_fact(struct store *s, void *ctx)
{
    struct span_move *m = ctx;
    const struct fact_owner *o = m->owner;
    const char *item = s->ops->get_text(s, 0), *date = s->ops->get_text(s, 1);
    m->previous = s->ops->get_int(s, 3);
    /* One at a time: a new pending sum may move the others in memory. */
    span_add(facts_pending_span(o->writer, o->client_id, o->type, date, s->ops->get_text(s, 2), item),
             -1, s, 4, m->n_values);
    span_add(facts_pending_span(o->writer, o->client_id, o->type, date, o->date, item), +1, s, 4,
             m->n_values);
}

static enum store_rc end_previous_span(struct store *s, const struct fact_owner *o, const char *table,
                                       const char *item_column, const char *value_columns, int n_values)
{
    struct query q = {0};
    buf_printf(&q.sql, "SELECT %s, date, until_date, stats_id, %s FROM %s WHERE stats_id = "
                       "(SELECT id FROM stats", item_column, value_columns, table);
    query_where(&q, "type = ?", sql_int(o->type));
    query_where(&q, "client_id = ?", sql_int(o->client_id));
    query_where(&q, "anr = ?", sql_text(o->anr));
    query_where(&q, "date < ?", sql_text(o->date));
    buf_puts(&q.sql, " ORDER BY date DESC LIMIT 1) AND until_date <> ?");
    query_bind(&q, sql_text(o->date));
    struct span_move m = {o, n_values, 0};
    enum store_rc rc = facts_run_rows(s, &q, move_fact, &m);
    if (rc != STORE_OK || !m.previous)
        return rc;
    const struct sql_value params[] = {sql_text(o->date), sql_int(m.previous)};
    buf sql = BUF_INIT;
    buf_printf(&sql, "UPDATE %s SET until_date = ? WHERE stats_id = ?", table);
    rc = sql_defer(s, sql.data, params, 2);
    buf_free(&sql);
    return rc;
}

/* The date of the analysis' next stats after o's, or SPAN_OPEN. */
static enum store_rc span_end(struct store *s, const struct fact_owner *o, char until[DATE_STR_LEN])
{
    const struct sql_value params[] = {sql_int(o->type), sql_int(o->client_id), sql_text(o->anr),
                                       sql_text(o->date)};
    enum store_rc rc = sql_first_row(s,
        "SELECT MIN(date) FROM stats WHERE type = ? AND client_id = ? AND anr = ? AND date > ?", params, 4);
    if (rc != STORE_OK) /* an aggregate always gives its row */
        return rc == STORE_NOT_FOUND ? store_fail(s, STORE_ERROR, "MIN() gave no row.") : rc;
    facts_copy_text(until, DATE_STR_LEN, s->ops->is_null(s, 0) ? SPAN_OPEN : s->ops->get_text(s, 0));
    sql_end(s);
    return STORE_OK;
}

/* Until the transaction ends, no other stores stats of o's client, so none of
 * o's analysis: each would miss the other's row and end the wrong span.  The
 * lock is the writers' (store_lock_writer), which most callers already hold:
 * it is asked for once per transaction and client, not per stats. */
static enum store_rc lock_client(struct store *s, const struct fact_owner *o)
{
    struct facts_writer *w = o->writer;
    if (w->locked_client == o->client_id)
        return STORE_OK;
    enum store_rc rc = store_lock_client(s, o->client_id);
    if (rc == STORE_OK)
        w->locked_client = o->client_id;
    return rc;
}

enum store_rc facts_start_span(struct store *s, const struct fact_owner *o, const char *table,
                               const char *item_column, const char *value_columns, int n_values,
                               char until[DATE_STR_LEN])
{
    assert(n_values <= PENDING_SUM_VALUES);
    enum store_rc rc = lock_client(s, o);
    if (rc == STORE_OK)
        rc = end_previous_span(s, o, table, item_column, value_columns, n_values);
    if (rc == STORE_OK)
        rc = span_end(s, o, until);
    return rc;
}

/* --- backfill --- */

#define BACKFILL_PAGE 256

struct stored_stats {
    int64_t id, client_id;
    enum stats_type type;
    char date[DATE_STR_LEN];
    char *anr, *data;
};

/* Reads up to BACKFILL_PAGE rows after `after` (one statement is active at a
 * time, so a page is read, closed, then written). */
static enum store_rc read_page(struct store *s, int64_t after, struct stored_stats *rows, size_t *n)
{
    const struct sql_value params[] = {sql_int(after), sql_int(BACKFILL_PAGE)};
    *n = 0;
    enum store_rc rc = s->ops->query(s,
        "SELECT id, client_id, type, date, data, anr FROM stats WHERE id > ? ORDER BY id LIMIT ?", params, 2);
    if (rc != STORE_OK)
        return rc;
    while ((rc = s->ops->next_row(s)) == STORE_OK) {
        struct stored_stats *r = &rows[(*n)++];
        r->id = s->ops->get_int(s, 0);
        r->client_id = s->ops->get_int(s, 1);
        r->type = (enum stats_type)s->ops->get_int(s, 2);
        snprintf(r->date, sizeof r->date, "%s", s->ops->get_text(s, 3));
        r->data = xstrdup(s->ops->get_text(s, 4));
        r->anr = xstrdup(s->ops->get_text(s, 5));
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
                rc = facts_writer_insert(w, s, rows[i].id, rows[i].client_id, rows[i].anr,
                                         rows[i].type, rows[i].date, rows[i].data, NULL);
            free(rows[i].data);
            free(rows[i].anr);
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

/* --- reading --- */

bool facts_use_totals(const struct stats_filter *f)
{
    return !f->get_last && (!f->anrs || f->n_anrs == 0);
}

/* The ids of the stats f selects.  Within one type a (client, ANR) has one
 * stats per date, so the latest is the one at MAX(date). */
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

void facts_of_selection(struct store *s, struct query *q, const char *head, const char *column,
                        const struct stats_filter *f, bool latest)
{
    buf_puts(&q->sql, head);
    buf_printf(&q->sql, " WHERE %s IN (", column);
    append_selection(s, q, f, latest);
    buf_putc(&q->sql, ')');
    q->has_where = true;
}

enum store_rc facts_run_rows(struct store *s, struct query *q, facts_row_reader read, void *ctx)
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

void *facts_grow(void *items, size_t count, size_t *cap, size_t size)
{
    if (count < *cap)
        return items;
    *cap = *cap ? *cap * 2 : 16;
    return xrealloc(items, *cap * size);
}

struct decimal facts_read_decimal(struct store *s, int col)
{
    return (struct decimal){s->ops->get_int(s, col), s->ops->get_int(s, col + 1)};
}

void facts_copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

void facts_read_labels(struct store *s, int col, struct labels *out)
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

/* --- sample sizes of a selection's items --- */

struct item_support_reader {
    struct item_supports *out;
    size_t cap;
};

/* The columns of a support: distinct clients, distinct analyses, newest date (NULL: none). */
static void read_support(struct store *s, int col, struct support *out)
{
    out->organisations = s->ops->get_int(s, col);
    out->analyses = s->ops->get_int(s, col + 1);
    const char *newest = s->ops->is_null(s, col + 2) ? "" : s->ops->get_text(s, col + 2);
    facts_copy_text(out->newest, sizeof out->newest, newest);
}

static void read_item_support(struct store *s, void *ctx)
{
    struct item_support_reader *r = ctx;
    r->out->items = facts_grow(r->out->items, r->out->count, &r->cap, sizeof *r->out->items);
    struct item_support *item = &r->out->items[r->out->count++];
    facts_copy_text(item->key, sizeof item->key, s->ops->get_text(s, 0));
    read_support(s, 1, &item->support);
}

static int compare_item_supports(const void *a, const void *b)
{
    const struct item_support *x = a, *y = b;
    return strcmp(x->key, y->key);
}

/* One row per item and analysis first (its latest date there), then per item:
 * an analysis listing the item on several dates counts once. */
enum store_rc facts_item_support(struct store *s, const struct stats_filter *f, const char *table,
                                 const char *column, bool latest, struct item_supports *out)
{
    *out = (struct item_supports){.has_items = true};
    struct query q = {0};
    buf head = BUF_INIT;
    buf_printf(&head,
               "SELECT item, COUNT(DISTINCT client_id), COUNT(*), MAX(last) FROM"
               " (SELECT f.%s AS item, st.client_id, st.anr, MAX(st.date) AS last FROM %s AS f"
               " JOIN stats AS st ON st.id = f.stats_id",
               column, table);
    facts_of_selection(s, &q, head.data, "f.stats_id", f, latest);
    buf_printf(&q.sql, " GROUP BY f.%s, st.client_id, st.anr) AS per_analysis GROUP BY item", column);
    buf_free(&head);
    struct item_support_reader r = {out, 0};
    enum store_rc rc = facts_run_rows(s, &q, read_item_support, &r);
    if (rc != STORE_OK)
        item_supports_free(out);
    else if (out->count) /* in C: the database's collation may order text otherwise */
        qsort(out->items, out->count, sizeof *out->items, compare_item_supports);
    return rc;
}

/* --- sample size of a whole selection --- */

static void read_selection_support(struct store *s, void *ctx)
{
    read_support(s, 0, ctx);
}

enum store_rc store_selection_support(struct store *s, const struct stats_filter *f, struct support *out)
{
    *out = (struct support){0};
    struct query q = {0};
    buf_puts(&q.sql, "SELECT COUNT(DISTINCT client_id), COUNT(*), MAX(last) FROM"
                     " (SELECT client_id, anr, MAX(date) AS last FROM stats");
    query_add_filters(s, &q, f);
    buf_puts(&q.sql, " GROUP BY client_id, anr) AS per_analysis");
    return facts_run_rows(s, &q, read_selection_support, out);
}

enum store_rc store_item_support(struct store *s, const struct stats_filter *f, struct item_supports *out)
{
    assert(f->has_type);
    const struct store_kind *kind = store_kind_of(f->type);
    *out = (struct item_supports){0};
    return kind && kind->item_support ? kind->item_support(s, f, out) : STORE_OK;
}

void item_supports_free(struct item_supports *l)
{
    free(l->items);
    *l = (struct item_supports){0};
}

const struct support *item_supports_find(const struct item_supports *l, const char *key)
{
    struct item_support probe = {0};
    facts_copy_text(probe.key, sizeof probe.key, key);
    const struct item_support *found = l->count ? bsearch(&probe, l->items, l->count, sizeof *l->items,
                                                          compare_item_supports)
                                                : NULL;
    return found ? &found->support : NULL;
}
