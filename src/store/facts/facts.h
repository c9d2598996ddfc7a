/*
 * facts.h — what the stats kinds' storage files share (private to src/store).
 *
 * A kind's figures (src/stats/kinds/<kind>.c extracts them) are kept by its
 * storage file, src/store/facts/<kind>.c: its tables and their DDL for each
 * SQL dialect, the migration step that creates them, the writing of its fact
 * rows and daily totals, and the aggregate queries its processors read (their
 * structs in facts/<kind>.h).  facts/table.c lists them, generated from the
 * same src/stats/kinds/kinds.def as the stats layer's table; common.c holds
 * the writer, the labels, the selections and readers they share.
 */
#ifndef STORE_FACTS_FACTS_H
#define STORE_FACTS_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats/extract.h"
#include "store/backend.h"

/* What a later migration step changes in a kind's tables. */
struct fact_tables_change {
    int schema_step;
    const char *ddl[SQL_DIALECTS];
};

/* The tables of one or more kinds (threat and vulnerability share theirs). */
struct fact_tables {
    /* The schema version whose migration creates them: the backends' common
     * part of that step runs first, then these (schema.c). */
    int schema_step;
    const char *ddl[SQL_DIALECTS];   /* tables, indexes, triggers of the daily totals */
    const char *drop;                /* "DROP TABLE IF EXISTS …;" of each, for store_drop_all */
    const char *const *deletes;      /* delete the facts of the stats whose id is bound; NULL-ended */
    /* Changes by later steps, in step order, ended by one with schema_step 0
     * (NULL: none).  A database made today goes through them all too. */
    const struct fact_tables_change *changes;
};

/* Where a stats row's facts go. */
struct fact_owner {
    struct facts_writer *writer;
    int64_t stats_id, client_id;
    const char *anr;
    enum stats_type type;
    const char *date;
};

/* Values a daily total adds up, as units and billionths: the widest (risk's
 * 12 values) sets the size. */
#define PENDING_SUM_VALUES 24

/* The sums of a transaction's facts for one daily total, or for one span of
 * the evolution (facts/objects.c), added to its table at facts_writer_flush
 * by the kind's flush_sum. */
struct pending_sum {
    int64_t client_id;
    enum stats_type type;
    char date[DATE_STR_LEN];
    char until[DATE_STR_LEN];   /* "" for a daily total; a span's end */
    char object[UUID_STR_LEN];  /* "" for a total per day */
    int64_t n;                  /* facts added */
    int64_t v[PENDING_SUM_VALUES];
};

/* A kind's storage: one `const struct store_kind store_kind_<name>` per line
 * of kinds.def, defined in facts/<kind>.c. */
struct store_kind {
    enum stats_type type;
    const struct fact_tables *tables;
    /* Writes the facts of one stats row; what goes into daily totals is added
     * to the writer's pending sums (facts_pending_sum). */
    enum store_rc (*insert)(struct store *s, const struct fact_owner *o, const struct stats_facts *f);
    /* Adds one pending total to the kind's daily totals; NULL: it keeps none. */
    enum store_rc (*flush_sum)(struct store *s, const struct pending_sum *p);
    /* The support of each item of a selection (store_item_support); NULL: the
     * kind's figures have no items. */
    enum store_rc (*item_support)(struct store *s, const struct stats_filter *f, struct item_supports *out);
};

/* table.c: the table, in the order of kinds.def (store_kind_at(t)->type == t). */
size_t store_kind_count(void);
const struct store_kind *store_kind_at(size_t i);
/* NULL for a type outside the table. */
const struct store_kind *store_kind_of(enum stats_type type);
/* True when store_kind_at(i) is the first kind with its tables (so each table
 * set is created, dropped and cleared once). */
bool store_kind_owns_tables(size_t i);

/* --- common.c: writing --- */

/* The pending sum of the daily total (client, type, date, object), created
 * empty on first use; the caller adds one fact to it (n and v). */
struct pending_sum *facts_pending_sum(struct facts_writer *w, int64_t client_id, enum stats_type type,
                                      const char *date, const char *object);
/* The same for the span (client, type, date, until, object) of a kind that
 * keeps spans; the caller adds or takes away facts (n may end negative: a
 * span loses facts that moved to another). */
struct pending_sum *facts_pending_span(struct facts_writer *w, int64_t client_id, enum stats_type type,
                                       const char *date, const char *until, const char *object);
/*
 * The evolution's spans (facts/objects.c, facts/risk.c): the figures of a
 * stats stand for its analysis from its date until the date of the
 * analysis' next stats of the type (SPAN_OPEN while it has none), kept in
 * each fact row's until_date.  facts_start_span, called before o's facts are
 * written: takes the analysis' lock for the transaction, ends the span of
 * the analysis' previous stats at o's date (its facts in `table`, named by
 * `item_column` — "''" for a kind of one fact per stats — move between
 * pending spans, their `value_columns`, n_values of them, with them), and
 * gives o's until_date.
 */
#define SPAN_OPEN "9999-12-31"
enum store_rc facts_start_span(struct store *s, const struct fact_owner *o, const char *table,
                               const char *item_column, const char *value_columns, int n_values,
                               char until[DATE_STR_LEN]);
/* The id of the `labels` row of (owner, labels), created on first use. */
enum store_rc facts_labels_id(struct store *s, struct facts_writer *w, const char *owner,
                              const struct fact_labels *l, int64_t *id);

/* --- common.c: reading --- */

/* True when a selection can be read from the daily totals: these clients,
 * these dates (no ANR list, no get_last). */
bool facts_use_totals(const struct stats_filter *f);
/* "<head> WHERE <column> IN (<ids of the stats f selects>)", the WHERE left
 * open for more; with `latest` (or f->get_last), only the latest stats of
 * each (client, ANR). */
void facts_of_selection(struct store *s, struct query *q, const char *head, const char *column,
                        const struct stats_filter *f, bool latest);
typedef void (*facts_row_reader)(struct store *s, void *ctx);
/* Runs q, hands each row to read, frees q. */
enum store_rc facts_run_rows(struct store *s, struct query *q, facts_row_reader read, void *ctx);
/* Room for one more item in a growing array. */
void *facts_grow(void *items, size_t count, size_t *cap, size_t size);
/* A decimal read from columns col (units) and col + 1 (billionths). */
struct decimal facts_read_decimal(struct store *s, int col);
/* label1..label4 from columns col … col + 3. */
void facts_read_labels(struct store *s, int col, struct labels *out);
void facts_copy_text(char *dst, size_t size, const char *src);
/* The support of each item of the selection: `column` of `table` (which has
 * stats_id) names the items; with `latest`, over the latest stats of each
 * (client, ANR) only, as the kind's processors read them. */
enum store_rc facts_item_support(struct store *s, const struct stats_filter *f, const char *table,
                                 const char *column, bool latest, struct item_supports *out);

#endif
