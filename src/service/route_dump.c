/*
 * route_dump.c — stats-routes: prints every route of the service, one
 * "METHOD PATTERN" a line, with every group of ACTIVE_BLUEPRINTS on.
 *
 * tests/integration/test_openapi.py compares this list with the OpenAPI
 * document both ways; reading the table routes_build() makes is the only way
 * to be sure no route is missing.  Not installed.
 */
#include <stdio.h>

#include "service/routes.h"

int main(void)
{
    struct config cfg;
    config_defaults(&cfg);
    cfg.bp_root = cfg.bp_map = cfg.bp_stats = cfg.bp_admin = true;
    struct route_table routes;
    routes_build(&cfg, &routes);
    for (size_t i = 0; i < routes.count; i++)
        printf("%s %s\n", routes.items[i].method, routes.items[i].pattern);
    routes_free(&routes);
    config_free(&cfg);
    return 0;
}
