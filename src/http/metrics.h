/*
 * metrics.h — the service's counters, for GET /metrics (Prometheus text format).
 *
 * Process-wide and cheap on the request path: recording is a few atomic
 * increments, and a (method, route, status) series is found without a lock
 * once it exists.  Routes are counted by their pattern ("/api/v1/stats/<anr>"),
 * never by the path asked for, so the number of series stays bounded; requests
 * that matched no route are counted under route "unmatched".
 */
#ifndef HTTP_METRICS_H
#define HTTP_METRICS_H

#include <stddef.h>

#include "util/buf.h"

/* One answered request: route is the matched pattern, or NULL. */
void metrics_request_done(const char *method, const char *route, unsigned status, double seconds);
/* Stats stored through the API: new ones, and ones replacing the same analysis, type and day. */
void metrics_stats_ingested(size_t created, size_t updated);
/* A database failure met while answering a request. */
void metrics_db_error(void);

/* Appends the counters above in the Prometheus text exposition format (0.0.4). */
void metrics_write(buf *out);
/* Appends "<name> <value>" with its HELP and TYPE lines, for a gauge read elsewhere. */
void metrics_write_gauge(buf *out, const char *name, const char *help, double value);

#endif
