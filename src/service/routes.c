/*
 * routes.c — the one place where route tables are put together (see routes.h).
 */
#include "service/routes.h"

#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "util/buf.h"
#include "web/web.h"

static void add_table(struct route_table *t, const struct route *routes, size_t n)
{
    t->items = xrealloc(t->items, (t->count + n) * sizeof *t->items);
    memcpy(t->items + t->count, routes, n * sizeof *routes);
    t->count += n;
}

void routes_build(const struct config *cfg, struct route_table *out)
{
    *out = (struct route_table){0};
    add_table(out, api_client_routes, api_client_routes_count);
    add_table(out, api_processed_routes, api_processed_routes_count);
    add_table(out, api_stats_routes, api_stats_routes_count);
    add_table(out, web_api_routes, web_api_routes_count);
    add_table(out, web_static_routes, web_static_routes_count);
    if (cfg->bp_root) {
        out->not_found = web_not_found_page;
        add_table(out, web_page_routes, web_page_routes_count);
        add_table(out, web_about_routes, web_about_routes_count);
        add_table(out, web_object_page_routes, web_object_page_routes_count);
        add_table(out, web_open_data_page_routes, web_open_data_page_routes_count);
    }
    if (cfg->bp_map) {
        add_table(out, web_map_routes, web_map_routes_count);
        add_table(out, web_map_data_routes, web_map_data_routes_count);
    }
    if (cfg->bp_stats) {
        size_t n_public;
        const struct route *public_routes = web_public_routes(&n_public);
        add_table(out, public_routes, n_public);
        add_table(out, web_object_data_routes, web_object_data_routes_count);
        add_table(out, web_open_data_routes, web_open_data_routes_count);
        add_table(out, web_evolution_routes, web_evolution_routes_count);
    }
    if (cfg->bp_admin)
        add_table(out, web_admin_routes, web_admin_routes_count);
    add_table(out, web_ops_routes, web_ops_routes_count);
}

void routes_free(struct route_table *t)
{
    free(t->items);
    t->items = NULL;
    t->count = 0;
}
