/*
 * server.h — the HTTP server: libmicrohttpd glue around the router.
 *
 * Runs MHD with its own polling thread and a pool of worker threads (epoll).
 * Each worker thread keeps one database connection for its whole life.  The
 * server reads bodies up to MAX_BODY_SIZE (413 beyond, 431 for headers over
 * 16 KiB), builds a struct request, dispatches it and sends the answer.
 */
#ifndef HTTP_SERVER_H
#define HTTP_SERVER_H

#include <stddef.h>

#include "config/config.h"
#include "http/router.h"

struct server;

/* Starts listening on cfg->host:cfg->port; NULL with *err (allocated) on failure.
 * cfg and routes must outlive the server. */
struct server *server_start(const struct config *cfg, const struct route_table *routes,
                            char **err);
/* The port actually bound (useful with PORT=0). */
unsigned server_port(struct server *srv);
/* Stops accepting, waits up to drain_s seconds for requests in flight, stops. */
void server_stop(struct server *srv, int drain_s);

#endif
