/*
 * router.h — the table of routes and the dispatch from a path to a handler.
 *
 * A route is a method, a pattern and a handler, plus what must happen before
 * the handler runs (User-Agent gate, authentication, admin role).  Each
 * resource file declares its routes; src/service/routes.c lists them all at
 * one point.  Patterns are matched on the normalised path, segment by segment;
 * "<…>" matches any one segment and is handed to the handler in
 * req->path_params; "<…>.json" a segment ending in ".json", handed over
 * without it.  A path that matches a pattern but not its method gets 405
 * with Allow; no match gets 404.
 */
#ifndef HTTP_ROUTER_H
#define HTTP_ROUTER_H

#include <stddef.h>

#include "http/request.h"

typedef void (*route_handler)(struct request *req);

enum route_flags {
    ROUTE_PUBLIC = 0,
    ROUTE_UA_GATE = 1 << 0,   /* refuse MONARC versions below 2.10.2 (426) */
    ROUTE_AUTH = 1 << 1,      /* X-API-KEY required (401/403) */
    ROUTE_ADMIN = 1 << 2,     /* … and the client must be an admin (403) */
};

struct route {
    const char *method;
    const char *pattern;      /* "/api/v1/stats/<anr>" */
    route_handler handler;
    unsigned flags;
};

/* Routes put together from several tables, in the order they are matched, and
 * what answers a path none of them matches (NULL: reply_not_found). */
struct route_table {
    struct route *items;
    size_t count;
    route_handler not_found;
};

/* Normalises a URL path in place: collapses repeated slashes, drops a trailing
 * slash (but "/" stays "/"). */
void router_normalize_path(char *path);

/* Finds the route for req->method and req->path and runs it, answering 405
 * itself, and 404 through the table's not_found, when there is none.  Runs the
 * route's gates first. */
void router_dispatch(const struct route_table *table, struct request *req);

#endif
