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
/* /api/v1/stats/processed (processed.c); registered before api_stats_routes,
 * whose /api/v1/stats/<anr> would otherwise take "processed". */
extern const struct route api_processed_routes[];
extern const size_t api_processed_routes_count;
/* Public stats JSON, stats_bp (src/web/public.c), and /map/clients.json, map_bp (src/web/map.c). */
extern const struct route web_public_routes[];
extern const size_t web_public_routes_count;
extern const struct route web_map_data_routes[];
extern const size_t web_map_data_routes_count;
/* The web front (src/web/web.h). */
extern const struct route web_page_routes[];      /* root_bp */
extern const size_t web_page_routes_count;
extern const struct route web_about_routes[];     /* root_bp */
extern const size_t web_about_routes_count;
extern const struct route web_map_routes[];       /* map_bp */
extern const size_t web_map_routes_count;
extern const struct route web_static_routes[];    /* always: the API page uses them too */
extern const size_t web_static_routes_count;
extern const struct route web_api_routes[];       /* always: /api/v1/ and its OpenAPI document */
extern const size_t web_api_routes_count;
extern const struct route web_admin_routes[];     /* admin_bp (src/web/admin.c) */
extern const size_t web_admin_routes_count;
extern const struct route web_ops_routes[];       /* always: /healthz, /metrics (src/web/ops.c) */
extern const size_t web_ops_routes_count;

void routes_build(const struct config *cfg, struct route_table *out);
void routes_free(struct route_table *t);

#endif
