/*
 * ops.c — the operations endpoints (docs/api.md): GET /healthz for load
 * balancers and orchestrators, GET /metrics for Prometheus.
 *
 * /metrics adds to the HTTP layer's counters (http/metrics.h) the figures only
 * the database knows (clients, stats stored), read at scrape time.  Who may
 * read it is METRICS_ALLOW: everybody, requests from this host only, or
 * admins (X-API-KEY of an admin client).
 */
#include <time.h>

#include "build_config.h"
#include "http/auth.h"
#include "http/metrics.h"
#include "web/web.h"

#define PROMETHEUS_TEXT "text/plain; version=0.0.4; charset=utf-8"

static time_t started_at;

static void healthz(struct request *req)
{
    bool up = req->store && store_ping(req->store) == STORE_OK;
    struct json_writer w;
    reply_header(req, "Cache-Control", "no-store");
    reply_json_begin(req, &w);
    jw_object_begin(&w);
    jw_member_string(&w, "status", up ? "ok" : "unavailable");
    if (!up) {
        metrics_db_error();
        reply_header(req, "Retry-After", DATABASE_RETRY_AFTER);
        jw_member_string(&w, "message", "The database does not answer.");
    }
    jw_object_end(&w);
    reply_json_end(req, &w, up ? 200 : 503);
}

/* False (answer set) when METRICS_ALLOW keeps this caller out. */
static bool may_read_metrics(struct request *req)
{
    switch (req->cfg->metrics_allow) {
    case METRICS_ALL:
        return true;
    case METRICS_LOOPBACK:
        if (request_is_local(req))
            return true;
        reply_error(req, 403, "Forbidden - Metrics are only served to this host.", NULL);
        return false;
    case METRICS_ADMIN:
        if (!auth_authenticate(req))
            return false;
        if (req->client.role == CLIENT_ROLE_ADMIN)
            return true;
        reply_error(req, 403, "Forbidden - Admin rights required.", NULL);
        return false;
    }
    return false;
}

/* Gauges read from the database; false if it failed. */
static bool write_store_gauges(struct request *req, buf *out)
{
    int64_t clients, stats;
    if (!req->store || store_client_count(req->store, &clients) != STORE_OK ||
        store_stats_count(req->store, &stats) != STORE_OK)
        return false;
    metrics_write_gauge(out, "stats_service_clients", "Clients registered.", (double)clients);
    metrics_write_gauge(out, "stats_service_stats", "Stats stored.", (double)stats);
    return true;
}

static void metrics(struct request *req)
{
    if (!may_read_metrics(req))
        return;
    buf text = BUF_INIT;
    if (!write_store_gauges(req, &text)) {
        buf_free(&text);
        reply_store_error(req, "metrics");
        return;
    }
    metrics_write(&text);
    buf_puts(&text, "# HELP stats_service_build_info The running version.\n"
                    "# TYPE stats_service_build_info gauge\n"
                    "stats_service_build_info{version=\"" STATS_VERSION "\"} 1\n");
    metrics_write_gauge(&text, "process_start_time_seconds",
                        "Start time of the process since the Unix epoch, in seconds.",
                        (double)started_at);
    reply_text(req, 200, PROMETHEUS_TEXT, text.data, text.len);
    reply_header(req, "Cache-Control", "no-store");
    buf_free(&text);
}

/* A constructor runs before main: the start of the process. */
__attribute__((constructor)) static void note_start(void)
{
    started_at = time(NULL);
}

const struct route web_ops_routes[] = {
    {"GET", "/healthz", healthz, ROUTE_PUBLIC},
    {"GET", "/metrics", metrics, ROUTE_PUBLIC},
};
const size_t web_ops_routes_count = sizeof web_ops_routes / sizeof web_ops_routes[0];
