/*
 * serve.c — `stats-service serve`: run the HTTP server in the foreground.
 *
 * Brings the schema up to date, makes sure an admin exists, starts the server
 * and then waits for signals: SIGHUP reopens the log file (logrotate),
 * SIGTERM/SIGINT stop accepting, let requests in flight finish, and exit.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "http/server.h"
#include "service/routes.h"
#include "util/log.h"

#define DRAIN_SECONDS 30

/* --host and --port are settings (HOST, PORT) given on the command line. */
static const struct cli_option options[] = {
    {"host", required_argument, 'H', false, "HOST",
     "listen address (HOST setting, default 127.0.0.1)"},
    {"port", required_argument, 'p', false, "PORT",
     "listen port (PORT setting, default 5000; 0 = any free port)"},
};

static bool take_value(const char *command, int key, const char *value, void *args)
{
    struct config *cfg = args;
    char *err = NULL;
    if (config_set(cfg, key == 'H' ? "HOST" : "PORT", value, &err))
        return true;
    cli_usage_error(command, "%s", err);
    free(err);
    return false;
}

static const struct cli_command serve_command = {
    "serve", options, sizeof options / sizeof *options, "Hp", "", NULL,
    "run the HTTP server in the foreground, until SIGTERM or SIGINT",
    "Brings the database schema up to date first (a SQLite file that is missing is\n"
    "created, with its folder), then listens.  SIGTERM and SIGINT stop accepting\n"
    "requests and let those in flight finish; SIGHUP reopens the log file.\n",
    take_value, NULL,
};

/* On the very first start (no client at all), makes an admin client and prints
 * its token: the operator needs one to create the others. */
static bool create_first_admin(struct store *st)
{
    int64_t clients = 0;
    if (store_client_count(st, &clients) != STORE_OK) {
        cli_error("database error: %s", store_errmsg(st));
        return false;
    }
    if (clients > 0)
        return true;
    char token[TOKEN_STR_LEN];
    if (!token_generate(token)) {
        cli_error("no randomness available to make a token");
        return false;
    }
    struct client c = {0};
    uuid_generate_str(c.uuid);
    c.name = "admin";
    token_hash(token, c.token_hash);
    c.role = CLIENT_ROLE_ADMIN;
    c.is_sharing_enabled = true;
    c.local = true;
    if (store_client_create(st, &c) != STORE_OK) {
        cli_error("cannot create the first admin client: %s", store_errmsg(st));
        return false;
    }
    printf("First start: created the admin client 'admin' (uuid %s).\n"
           "Its token, shown only this once:\n  %s\n",
           c.uuid, token);
    fflush(stdout);
    return true;
}

/* Schema, ADMIN_TOKEN and first admin, on a connection of its own. */
static bool prepare_database(const struct config *cfg)
{
    struct store *st = cli_open_store(cfg);
    if (!st)
        return false;
    bool ok = true;
    if (store_migrate(st) != STORE_OK) {
        cli_error("cannot bring the database schema up to date: %s", store_errmsg(st));
        ok = false;
    }
    ok = ok && cli_ensure_admin_token(st, cfg);
    ok = ok && (cfg->admin_token || create_first_admin(st));
    store_close(st);
    return ok;
}

int cmd_serve(struct config *cfg, int argc, char **argv)
{
    int exit_code = cli_parse(&serve_command, argc, argv, cfg);
    if (exit_code >= 0)
        return exit_code;
    config_finish(cfg);
    if (!log_open(cfg->log_path, cfg->log_level)) {
        cli_error("cannot open the log file %s", cfg->log_path);
        return 1;
    }
    if (!prepare_database(cfg)) {
        log_close();
        return 1;
    }

    /* Block the signals in every thread (MHD's inherit the mask); this one
     * waits for them. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    char *err = NULL;
    if (store_background_start(cfg->database_uri, &err) != STORE_OK) {
        cli_error("%s", err);
        free(err);
        log_close();
        return 1;
    }
    struct route_table routes;
    routes_build(cfg, &routes);
    struct server *srv = server_start(cfg, &routes, &err);
    if (!srv) {
        cli_command_error("serve", "%s", err);
        free(err);
        routes_free(&routes);
        store_background_stop();
        log_close();
        return 1;
    }
    log_info("stats.server", "stats-service listening on %s:%u (%d threads, %s database)",
             cfg->host, server_port(srv), cfg->threads,
             strncmp(cfg->database_uri, "sqlite", 6) == 0 ? "SQLite" : "PostgreSQL");
    printf("Listening on http://%s%s%s:%u/\n", strchr(cfg->host, ':') ? "[" : "", cfg->host,
           strchr(cfg->host, ':') ? "]" : "", server_port(srv));
    fflush(stdout);

    for (;;) {
        int sig = 0;
        sigwait(&signals, &sig);
        if (sig == SIGHUP) {
            if (!log_reopen())
                cli_error("cannot reopen the log file %s", cfg->log_path);
            log_info("stats.server", "log file reopened");
            continue;
        }
        log_info("stats.server", "signal %d: finishing requests in flight, then stopping", sig);
        break;
    }
    server_stop(srv, DRAIN_SECONDS);
    store_background_stop(); /* after server_stop: the server's connections are closed */
    routes_free(&routes);
    log_info("stats.server", "stopped");
    log_close();
    return 0;
}
