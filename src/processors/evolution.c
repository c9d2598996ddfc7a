/*
 * evolution.c — the landscape of threats, vulnerabilities or risk levels as
 * of each date of a period (evolution.h), from the spans of the store
 * (facts/objects.h, facts/risk.h).
 *
 * A span is the facts of one object (or the risk figures), client and date
 * that stand until the same next date; the analyses in it count at a point P
 * when
 *     date <= P < min(until, date + window + 1),
 * that is while they are their analysis' latest stats and not older than the
 * window.  Only the spans dated from the first point minus the window to the
 * last point can count, so the cost follows the points asked for, not the
 * stats stored.  Each span adds its sums to the points it covers through
 * running differences (add at its first point, take away after its last);
 * organisations are counted client by client in the same way, since a
 * client counts once however many of its analyses stand.
 */
#include "processors/evolution.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "processors/processor.h"
#include "processors/risk_cells.h"
#include "store/facts/objects.h"
#include "store/facts/risk.h"
#include "util/date.h"

/* About the bytes of a point of an object's line, with its three means: the
 * answer's buffer is sized once (a year of ten lines is ~400 KB). */
#define EVOLUTION_POINT_BYTES 110

bool evolution_step_parse(const char *word, enum evolution_step *out)
{
    static const char *const words[] = {[EVOLUTION_DAY] = "day", [EVOLUTION_WEEK] = "week",
                                        [EVOLUTION_MONTH] = "month"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcmp(word, words[i]) == 0) {
            *out = (enum evolution_step)i;
            return true;
        }
    return false;
}

size_t evolution_points(const struct evolution_query *q, char (*dates)[DATE_STR_LEN], size_t max)
{
    size_t n = 0;
    char d[DATE_STR_LEN];
    memcpy(d, q->date_to, DATE_STR_LEN);
    while (strcmp(d, q->date_from) >= 0 && n <= max) {
        if (dates && n < max)
            memcpy(dates[n], d, DATE_STR_LEN);
        n++;
        if (q->step == EVOLUTION_MONTH)
            date_sub_months(q->date_to, (int)n, d);
        else
            date_add_days(d, q->step == EVOLUTION_WEEK ? -7 : -1, d);
    }
    if (n > max || !dates)
        return n;
    for (size_t i = 0; i < n / 2; i++) { /* oldest first */
        char t[DATE_STR_LEN];
        memcpy(t, dates[i], DATE_STR_LEN);
        memcpy(dates[i], dates[n - 1 - i], DATE_STR_LEN);
        memcpy(dates[n - 1 - i], t, DATE_STR_LEN);
    }
    return n;
}

/* The first point on or after date (n_points when none). */
static size_t first_point_from(const char (*points)[DATE_STR_LEN], size_t n_points, const char *date)
{
    assert(points && date);
    size_t lo = 0, hi = n_points;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(points[mid], date) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A span as the points read it, whatever its kind: the sums of its facts
 * (n_sums decimals, each as units and billionths). */
struct span_ref {
    int64_t client_id;
    const char *date, *until;
    int64_t n;
    const struct decimal *sums;
};

/* The sums of the analyses standing at each point, as running differences
 * while spans are added, then as totals. */
struct point_sums {
    size_t n_sums;
    int64_t *n, *organisations;
    int64_t *v[2 * RISK_CELLS];   /* per sum: units, billionths */
    int64_t *client_n;            /* one client's analyses, for its organisation count */
};

static void point_sums_init(struct point_sums *p, size_t n_points, size_t n_sums)
{
    assert(n_sums <= RISK_CELLS);
    p->n_sums = n_sums;
    p->n = xcalloc(n_points + 1, sizeof *p->n);
    p->organisations = xcalloc(n_points + 1, sizeof *p->organisations);
    p->client_n = xcalloc(n_points + 1, sizeof *p->client_n);
    for (size_t m = 0; m < 2 * n_sums; m++)
        p->v[m] = xcalloc(n_points + 1, sizeof *p->v[m]);
}

static void point_sums_free(struct point_sums *p)
{
    free(p->n);
    free(p->organisations);
    free(p->client_n);
    for (size_t m = 0; m < 2 * p->n_sums; m++)
        free(p->v[m]);
}

/* The points [*from, *to) at which the span's analyses stand. */
static void span_points(const struct span_ref *x, const struct evolution_query *q,
                        const char (*points)[DATE_STR_LEN], size_t n_points, size_t *from, size_t *to)
{
    char expiry[DATE_STR_LEN];
    date_add_days(x->date, q->window_days + 1, expiry);
    const char *end = strcmp(x->until, expiry) < 0 ? x->until : expiry;
    *from = first_point_from(points, n_points, x->date);
    *to = first_point_from(points, n_points, end);
}

static int compare_span_clients(const void *a, const void *b)
{
    const struct span_ref *x = a, *y = b;
    return x->client_id < y->client_id ? -1 : x->client_id > y->client_id;
}

/* Adds the spans to the points: sums, and organisations client by client. */
static void add_spans(struct point_sums *p, struct span_ref *spans, size_t n_spans,
                      const struct evolution_query *q, const char (*points)[DATE_STR_LEN], size_t n_points)
{
    if (n_spans)
        qsort(spans, n_spans, sizeof *spans, compare_span_clients);
    for (size_t i = 0; i < n_spans;) {
        size_t next = i;
        memset(p->client_n, 0, (n_points + 1) * sizeof *p->client_n);
        for (; next < n_spans && spans[next].client_id == spans[i].client_id; next++) {
            const struct span_ref *x = &spans[next];
            size_t from, to;
            span_points(x, q, points, n_points, &from, &to);
            if (from >= to)
                continue;
            for (size_t m = 0; m < p->n_sums; m++) {
                p->v[2 * m][from] += x->sums[m].units;
                p->v[2 * m][to] -= x->sums[m].units;
                p->v[2 * m + 1][from] += x->sums[m].nanos;
                p->v[2 * m + 1][to] -= x->sums[m].nanos;
            }
            p->n[from] += x->n;
            p->n[to] -= x->n;
            p->client_n[from] += x->n;
            p->client_n[to] -= x->n;
        }
        int64_t standing = 0;
        for (size_t k = 0; k < n_points; k++) {
            standing += p->client_n[k];
            assert(standing >= 0);
            p->organisations[k] += standing > 0;
        }
        i = next;
    }
    /* Running differences into totals (organisations are totals already). */
    for (size_t k = 1; k < n_points; k++) {
        p->n[k] += p->n[k - 1];
        for (size_t m = 0; m < 2 * p->n_sums; m++)
            p->v[m][k] += p->v[m][k - 1];
    }
}

/* Below the floor, or with nothing standing, a point has no figures. */
static bool point_shown(const struct point_sums *p, const struct evolution_query *q, size_t k)
{
    return p->n[k] > 0 && p->organisations[k] >= q->min_organisations;
}

/* The mean of sum m at point k, or null when the point is not shown. */
static void write_mean(struct json_writer *out, const struct point_sums *p, const struct evolution_query *q,
                       size_t k, size_t m)
{
    if (point_shown(p, q, k)) {
        struct decimal sum = {p->v[2 * m][k], p->v[2 * m + 1][k]};
        jw_double(out, decimal_mean(decimal_normalize(sum), p->n[k]));
    } else {
        jw_null(out);
    }
}

static void write_points(struct json_writer *out, const struct point_sums *p, const struct evolution_query *q,
                         const char (*points)[DATE_STR_LEN], size_t n_points)
{
    static const char *const names[3] = {"count", "maxRisk", "averageRate"};
    jw_array_begin(out);
    for (size_t k = 0; k < n_points; k++) {
        jw_object_begin(out);
        jw_member_string(out, "date", points[k]);
        for (size_t m = 0; m < 3; m++) {
            jw_key(out, names[m]);
            write_mean(out, p, q, k, m);
        }
        jw_member_int(out, "analyses", p->n[k]);
        jw_member_int(out, "organisations", p->organisations[k]);
        jw_object_end(out);
    }
    jw_array_end(out);
}

/* The object's labels where the spans read last name it. */
static enum store_rc write_labels(struct store *s, struct json_writer *out, const struct stats_filter *f,
                                  const char *object, const struct object_spans *spans)
{
    const char *latest = NULL;
    for (size_t i = 0; i < spans->count; i++)
        if (!latest || strcmp(spans->items[i].date, latest) > 0)
            latest = spans->items[i].date;
    if (!latest) {
        jw_null(out);
        return STORE_OK;
    }
    struct object_latest o = {object, latest};
    struct labels labels;
    enum store_rc rc = store_object_labels(s, f, &o, 1, &labels);
    if (rc == STORE_OK) {
        processor_labels_json(out, &labels);
        labels_free(&labels);
    }
    return rc;
}

enum store_rc evolution_write(struct store *s, const struct evolution_query *q, struct json_writer *out)
{
    assert(q->type == STATS_THREAT || q->type == STATS_VULNERABILITY);
    assert(q->n_objects >= 1 && q->n_objects <= EVOLUTION_MAX_OBJECTS);
    assert(strcmp(q->date_from, q->date_to) <= 0);
    char(*points)[DATE_STR_LEN] = xcalloc(EVOLUTION_MAX_POINTS, sizeof *points);
    size_t n_points = evolution_points(q, points, EVOLUTION_MAX_POINTS);
    assert(n_points >= 1 && n_points <= EVOLUTION_MAX_POINTS); /* the caller checked the dates */

    /* The spans that can stand at a point: dated from the first point minus
     * the window up to the last point. */
    struct stats_filter f = {.sharing_only = true, .local_only = q->local_only, .has_type = true,
                             .type = q->type};
    date_add_days(points[0], -q->window_days, f.date_from);
    memcpy(f.date_to, q->date_to, DATE_STR_LEN);

    enum store_rc rc = STORE_OK;
    jw_reserve(out, q->n_objects * n_points * EVOLUTION_POINT_BYTES);
    jw_array_begin(out);
    for (size_t i = 0; i < q->n_objects && rc == STORE_OK; i++) {
        struct object_spans spans;
        rc = store_object_spans(s, &f, q->objects[i], &spans);
        if (rc != STORE_OK)
            break;
        jw_object_begin(out);
        jw_member_string(out, "object", q->objects[i]);
        jw_key(out, "labels");
        rc = write_labels(s, out, &f, q->objects[i], &spans);
        if (rc == STORE_OK) {
            struct span_ref *refs = xcalloc(spans.count + 1, sizeof *refs);
            for (size_t k = 0; k < spans.count; k++) {
                const struct object_span *x = &spans.items[k];
                refs[k] = (struct span_ref){x->client_id, x->date, x->until, x->n, x->sum};
            }
            struct point_sums sums;
            point_sums_init(&sums, n_points, 3);
            add_spans(&sums, refs, spans.count, q, (const char(*)[DATE_STR_LEN])points, n_points);
            jw_key(out, "points");
            write_points(out, &sums, q, (const char(*)[DATE_STR_LEN])points, n_points);
            point_sums_free(&sums);
            free(refs);
            jw_object_end(out);
        }
        object_spans_free(&spans);
    }
    if (rc == STORE_OK) /* on a store error the answer is dropped half-written */
        jw_array_end(out);
    free(points);
    return rc;
}

/* --- the risks --- */

bool evolution_risk_words(const char *text, const char *const *words, unsigned *chosen)
{
    *chosen = 0;
    const char *p = text;
    for (;;) {
        size_t len = strcspn(p, ",");
        bool known = false;
        for (unsigned w = 0; words[w]; w++)
            if (strlen(words[w]) == len && strncmp(p, words[w], len) == 0) {
                *chosen |= 1u << w;
                known = true;
            }
        if (!known)
            return false;
        if (!p[len])
            return true;
        p += len + 1;
    }
}

/* One point's cells: {"current": {"informational": {"Low risks": mean, …}, …}, …}
 * for the states and kinds chosen. */
static void write_risk_cells(struct json_writer *out, const struct point_sums *p,
                             const struct evolution_query *q, size_t k)
{
    for (int state = 0; state < 2; state++) {
        if (!(q->risk_states & (1u << state)))
            continue;
        jw_key(out, RISK_STATES[state]);
        jw_object_begin(out);
        for (int kind = 0; kind < 2; kind++) {
            if (!(q->risk_kinds & (1u << kind)))
                continue;
            jw_key(out, RISK_KINDS[kind]);
            jw_object_begin(out);
            for (int level = 0; level < 3; level++) {
                jw_key(out, RISK_LEVELS[level]);
                write_mean(out, p, q, k, (size_t)risk_cell(state, kind, level));
            }
            jw_object_end(out);
        }
        jw_object_end(out);
    }
}

enum store_rc evolution_risk_write(struct store *s, const struct evolution_query *q, struct json_writer *out)
{
    assert(q->type == STATS_RISK && q->risk_states && q->risk_kinds);
    assert(strcmp(q->date_from, q->date_to) <= 0);
    char(*points)[DATE_STR_LEN] = xcalloc(EVOLUTION_MAX_POINTS, sizeof *points);
    size_t n_points = evolution_points(q, points, EVOLUTION_MAX_POINTS);
    assert(n_points >= 1 && n_points <= EVOLUTION_MAX_POINTS); /* the caller checked the dates */

    /* As for the objects: the spans dated from the first point minus the window up to the last point. */
    struct stats_filter f = {.sharing_only = true, .local_only = q->local_only};
    date_add_days(points[0], -q->window_days, f.date_from);
    memcpy(f.date_to, q->date_to, DATE_STR_LEN);
    struct risk_spans spans;
    enum store_rc rc = store_risk_spans(s, &f, &spans);
    if (rc == STORE_OK) {
        struct span_ref *refs = xcalloc(spans.count + 1, sizeof *refs);
        for (size_t k = 0; k < spans.count; k++) {
            const struct risk_span *x = &spans.items[k];
            refs[k] = (struct span_ref){x->client_id, x->date, x->until, x->n, x->sum};
        }
        struct point_sums sums;
        point_sums_init(&sums, n_points, RISK_CELLS);
        add_spans(&sums, refs, spans.count, q, (const char(*)[DATE_STR_LEN])points, n_points);
        jw_object_begin(out);
        jw_key(out, "points");
        jw_array_begin(out);
        for (size_t k = 0; k < n_points; k++) {
            jw_object_begin(out);
            jw_member_string(out, "date", points[k]);
            write_risk_cells(out, &sums, q, k);
            jw_member_int(out, "analyses", sums.n[k]);
            jw_member_int(out, "organisations", sums.organisations[k]);
            jw_object_end(out);
        }
        jw_array_end(out);
        jw_object_end(out);
        point_sums_free(&sums);
        free(refs);
        risk_spans_free(&spans);
    }
    free(points);
    return rc;
}
