/*
 * api.h — the API under /api/v1: one resource file each, each exporting its
 * route table (put together with the web front's by src/service/routes.c).
 */
#ifndef API_API_H
#define API_API_H

#include <stddef.h>

#include "http/router.h"

/* /api/v1/client/me, /api/v1/client (client.c). */
extern const struct route api_client_routes[];
extern const size_t api_client_routes_count;
/* /api/v1/stats, /api/v1/stats/<anr> (stats.c). */
extern const struct route api_stats_routes[];
extern const size_t api_stats_routes_count;
/* /api/v1/stats/processed (processed.c); registered before api_stats_routes,
 * whose /api/v1/stats/<anr> would otherwise take "processed". */
extern const struct route api_processed_routes[];
extern const size_t api_processed_routes_count;

#endif
