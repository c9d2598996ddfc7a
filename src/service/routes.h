/*
 * routes.h — every route of the service, registered at one point.
 *
 * The API (src/api/api.h) and the web front (src/web/web.h) each export their
 * route tables; routes_build() concatenates them, taking the web front's
 * groups only when ACTIVE_BLUEPRINTS switches them on (the API under /api/v1
 * is always on).  This sits above both so neither has to know the other.
 */
#ifndef SERVICE_ROUTES_H
#define SERVICE_ROUTES_H

#include "config/config.h"
#include "http/router.h"

/* Fills *out with the routes cfg switches on, in the order they are matched;
 * free it with routes_free(). */
void routes_build(const struct config *cfg, struct route_table *out);
void routes_free(struct route_table *t);

#endif
