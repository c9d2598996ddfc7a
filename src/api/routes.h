/*
 * routes.h — every route of the service, registered at one point.
 *
 * Each resource file (client.c, stats.c, …) exports its table of routes;
 * routes_build() concatenates the tables of the groups switched on by
 * ACTIVE_BLUEPRINTS (the API under /api/v1 is always on).
 */
#ifndef API_ROUTES_H
#define API_ROUTES_H

#include <stddef.h>

#include "config/config.h"
#include "http/router.h"

struct route_table {
    struct route *items;
    size_t count;
};

/* Route tables of the resource files. */
extern const struct route api_client_routes[];
extern const size_t api_client_routes_count;
extern const struct route api_stats_routes[];
extern const size_t api_stats_routes_count;

void routes_build(const struct config *cfg, struct route_table *out);
void routes_free(struct route_table *t);

#endif
