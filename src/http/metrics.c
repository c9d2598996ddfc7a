/*
 * metrics.c — the counters behind GET /metrics (see metrics.h).
 *
 * Request series live in a fixed table of slots.  A slot is filled once, under
 * a mutex, and then published by raising n_slots with release ordering; the
 * request path reads n_slots with acquire ordering and compares the slots
 * before it, so it never takes the lock for a series that exists.  The table
 * is sized far above routes × statuses × methods; should it fill up anyway,
 * further series are counted in one "overflow" counter rather than lost.
 */
#include "http/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define MAX_SLOTS 1024
#define UNMATCHED_ROUTE "unmatched"

static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
                                      "other"};
#define N_METHODS (sizeof methods / sizeof *methods)

/* Upper bounds of the latency buckets, in seconds; +Inf is implicit. */
static const double bucket_bounds[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                       0.25,  0.5,   1,    2.5,   5,    10};
#define N_BUCKETS (sizeof bucket_bounds / sizeof *bucket_bounds)

struct slot {
    unsigned method;        /* index in methods */
    const char *route;      /* a static pattern, or UNMATCHED_ROUTE */
    unsigned status;
    atomic_uint_fast64_t count;
};

static struct {
    struct slot slots[MAX_SLOTS];
    atomic_size_t n_slots;
    pthread_mutex_t insert_lock;
    atomic_uint_fast64_t overflow;
    atomic_uint_fast64_t buckets[N_BUCKETS + 1]; /* the last one: above every bound */
    atomic_uint_fast64_t duration_us;
    atomic_uint_fast64_t ingested_created, ingested_updated;
    atomic_uint_fast64_t db_errors;
} m = {.insert_lock = PTHREAD_MUTEX_INITIALIZER};

static unsigned method_index(const char *method)
{
    for (unsigned i = 0; i < N_METHODS - 1; i++)
        if (strcmp(methods[i], method) == 0)
            return i;
    return N_METHODS - 1;
}

static bool slot_is(const struct slot *s, unsigned method, const char *route, unsigned status)
{
    return s->method == method && s->status == status &&
           (s->route == route || strcmp(s->route, route) == 0);
}

static struct slot *find_slot(size_t from, size_t to, unsigned method, const char *route,
                              unsigned status)
{
    for (size_t i = from; i < to; i++)
        if (slot_is(&m.slots[i], method, route, status))
            return &m.slots[i];
    return NULL;
}

/* The slot of a series, created if new; NULL when the table is full. */
static struct slot *series(unsigned method, const char *route, unsigned status)
{
    size_t n = atomic_load_explicit(&m.n_slots, memory_order_acquire);
    struct slot *s = find_slot(0, n, method, route, status);
    if (s)
        return s;
    pthread_mutex_lock(&m.insert_lock);
    size_t now = atomic_load_explicit(&m.n_slots, memory_order_relaxed);
    s = find_slot(n, now, method, route, status); /* added by another thread meanwhile? */
    if (!s && now < MAX_SLOTS) {
        s = &m.slots[now];
        s->method = method;
        s->route = route;
        s->status = status;
        atomic_store_explicit(&m.n_slots, now + 1, memory_order_release);
    }
    pthread_mutex_unlock(&m.insert_lock);
    return s;
}

void metrics_request_done(const char *method, const char *route, unsigned status, double seconds)
{
    if (status == 0) /* the client left before any answer */
        return;
    struct slot *s = series(method_index(method), route ? route : UNMATCHED_ROUTE, status);
    if (s)
        atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
    else
        atomic_fetch_add_explicit(&m.overflow, 1, memory_order_relaxed);
    size_t b = 0;
    while (b < N_BUCKETS && seconds > bucket_bounds[b])
        b++;
    atomic_fetch_add_explicit(&m.buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m.duration_us, (uint_fast64_t)(seconds * 1e6), memory_order_relaxed);
}

void metrics_stats_ingested(size_t created, size_t updated)
{
    atomic_fetch_add_explicit(&m.ingested_created, created, memory_order_relaxed);
    atomic_fetch_add_explicit(&m.ingested_updated, updated, memory_order_relaxed);
}

void metrics_db_error(void)
{
    atomic_fetch_add_explicit(&m.db_errors, 1, memory_order_relaxed);
}

static void header(buf *out, const char *name, const char *type, const char *help)
{
    buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void label_value(buf *out, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            buf_putc(out, '\\');
        if (*v == '\n')
            buf_puts(out, "\\n");
        else
            buf_putc(out, *v);
    }
}

static uint64_t load(atomic_uint_fast64_t *v)
{
    return (uint64_t)atomic_load_explicit(v, memory_order_relaxed);
}

static void write_requests(buf *out)
{
    const char *name = "stats_service_http_requests_total";
    header(out, name, "counter", "HTTP requests answered, by method, route pattern and status.");
    size_t n = atomic_load_explicit(&m.n_slots, memory_order_acquire);
    for (size_t i = 0; i < n; i++) {
        struct slot *s = &m.slots[i];
        buf_printf(out, "%s{method=\"%s\",route=\"", name, methods[s->method]);
        label_value(out, s->route);
        buf_printf(out, "\",status=\"%u\"} %llu\n", s->status, (unsigned long long)load(&s->count));
    }
    header(out, "stats_service_http_requests_overflow_total", "counter",
           "HTTP requests not counted by series because the series table was full.");
    buf_printf(out, "stats_service_http_requests_overflow_total %llu\n",
               (unsigned long long)load(&m.overflow));
}

static void write_latency(buf *out)
{
    const char *name = "stats_service_http_request_duration_seconds";
    header(out, name, "histogram",
           "Time from the start of a request to the end of its answer, in seconds.");
    uint64_t cumulative = 0;
    for (size_t b = 0; b < N_BUCKETS; b++) {
        cumulative += load(&m.buckets[b]);
        buf_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name, bucket_bounds[b],
                   (unsigned long long)cumulative);
    }
    cumulative += load(&m.buckets[N_BUCKETS]);
    buf_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)cumulative);
    buf_printf(out, "%s_sum %.6f\n", name, (double)load(&m.duration_us) / 1e6);
    /* The count is the +Inf bucket, so the two always agree in one exposition. */
    buf_printf(out, "%s_count %llu\n", name, (unsigned long long)cumulative);
}

void metrics_write(buf *out)
{
    write_requests(out);
    write_latency(out);
    const char *ingested = "stats_service_stats_ingested_total";
    header(out, ingested, "counter",
           "Stats stored through the API: created, or updated (same analysis, type and day).");
    buf_printf(out, "%s{result=\"created\"} %llu\n%s{result=\"updated\"} %llu\n", ingested,
               (unsigned long long)load(&m.ingested_created), ingested,
               (unsigned long long)load(&m.ingested_updated));
    header(out, "stats_service_db_errors_total", "counter",
           "Database failures met while answering requests.");
    buf_printf(out, "stats_service_db_errors_total %llu\n", (unsigned long long)load(&m.db_errors));
}

void metrics_write_gauge(buf *out, const char *name, const char *help, double value)
{
    header(out, name, "gauge", help);
    buf_printf(out, "%s %.17g\n", name, value);
}
