/*
 * routes.c — the one place where route tables are put together (see routes.h).
 */
#include "api/routes.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

static void add_table(struct route_table *t, const struct route *routes, size_t n)
{
    t->items = xrealloc(t->items, (t->count + n) * sizeof *t->items);
    memcpy(t->items + t->count, routes, n * sizeof *routes);
    t->count += n;
}

void routes_build(const struct config *cfg, struct route_table *out)
{
    out->items = NULL;
    out->count = 0;
    add_table(out, api_client_routes, api_client_routes_count);
    add_table(out, api_stats_routes, api_stats_routes_count);
}

void routes_free(struct route_table *t)
{
    free(t->items);
    t->items = NULL;
    t->count = 0;
}
