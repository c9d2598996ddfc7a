/*
 * main.c — entry point of stats-service: global options, configuration, dispatch.
 *
 *   stats-service [--config FILE] <command> [options]
 *
 * Commands are listed once, in `commands`; a new command group is one line
 * there.  The original's underscore names (client_create, stats_push …) are
 * translated to "<group> <subcommand>" by rule, so a group gets its old names
 * for free; the few that don't follow the rule are listed in `renamed`.
 */
#include <assert.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "build_config.h"
#include "cli/cli.h"
#include "config/config.h"
#include "util/buf.h"

struct command {
    const char *name;
    const char *alias;    /* another accepted name, or NULL */
    int (*run)(struct config *cfg, int argc, char **argv);
    const char *help;     /* one line for the command list */
};

static const struct command commands[] = {
    {"serve", "run", cmd_serve, "run the HTTP server in the foreground"},
    {"db", NULL, cmd_db, "create, initialise or empty the database; take over the original's"},
    {"client", NULL, cmd_client, "manage clients: create, list, delete, tokens, coordinates, sharing"},
    {"stats", NULL, cmd_stats, "share (push, pull), delete, purge, list, import and export stats"},
    {"mosp", NULL, cmd_mosp, "ask MOSP whether an object is published"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

#ifdef __clang__
#define COMPILER __VERSION__
#else
#define COMPILER "GCC " __VERSION__
#endif

/* The version, then what the operator needs in a bug report or a security
 * check: the build and the exact versions of the libraries linked (shown here,
 * not on a public page). */
static void print_version(void)
{
    int pq = PQlibVersion();
    printf("stats-service " STATS_VERSION "\n"
           "built %s with %s\n"
           "libmicrohttpd %s, json-c %s, SQLite %s, libpq %d.%d, libcurl %s, %s\n",
           STATS_BUILD_DATE, COMPILER, MHD_get_version(), json_c_version(), sqlite3_libversion(),
           pq / 10000, pq % 10000, curl_version_info(CURLVERSION_NOW)->version,
           OpenSSL_version(OPENSSL_VERSION));
}

/* Old names that are not simply "<group>_<subcommand_with_underscores>". */
static const struct {
    const char *old_name, *group, *subcommand;
} renamed[] = {
    {"client_is_sharing_enabled", "client", "sharing-list"},
    {"is_object_published", "mosp", "is-object-published"},
};

/* What the command line asks for, once the global options are taken out. */
struct invocation {
    const char *config_path;     /* --config, or NULL */
    const struct command *command;
    int argc;
    char **argv;                 /* the command's own arguments; argv[0] = its name */
    char *subcommand;            /* argv[1] when translated from an old name, owned */
    bool wants_help;             /* --help among the command's arguments */
};

static void print_usage(FILE *out)
{
    fputs("Usage: stats-service [--config FILE] <command> [options]\n"
          "\n"
          "Stats Service for MONARC: collects, processes and shares MONARC statistics.\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        buf name = BUF_INIT;
        buf_puts(&name, commands[i].name);
        if (commands[i].alias)
            buf_printf(&name, " (%s)", commands[i].alias);
        fprintf(out, "  %-14s %s\n", name.data, commands[i].help);
        buf_free(&name);
    }
    fputs("\n"
          "Global options:\n"
          "  --config FILE  configuration file (default: $STATS_CONFIG; settings are also\n"
          "                 read from environment variables of the same names)\n"
          "  -h, --help     show this help\n"
          "  -V, --version  show the version\n"
          "\n"
          "'stats-service <command> --help' describes a command.  The original's command\n"
          "names (client_create, db_init, ...) are accepted too.\n",
          out);
}

/* A missing or unknown command: the usual one line, then the list to choose from. */
static int command_error(const char *fmt, const char *arg)
{
    cli_usage_error(NULL, fmt, arg);
    fputc('\n', stderr);
    print_usage(stderr);
    return EXIT_USAGE;
}

static const struct command *find_command(const char *name, size_t len)
{
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const struct command *c = &commands[i];
        if ((strlen(c->name) == len && strncmp(c->name, name, len) == 0) ||
            (c->alias && strlen(c->alias) == len && strncmp(c->alias, name, len) == 0))
            return c;
    }
    return NULL;
}

/*
 * Translates an old name: "client_coordinates_set" → group "client",
 * subcommand "coordinates-set" (allocated into *subcommand).
 */
static const struct command *find_old_name(const char *name, char **subcommand)
{
    for (size_t i = 0; i < sizeof renamed / sizeof renamed[0]; i++) {
        if (strcmp(renamed[i].old_name, name) == 0) {
            *subcommand = xstrdup(renamed[i].subcommand);
            return find_command(renamed[i].group, strlen(renamed[i].group));
        }
    }
    const char *underscore = strchr(name, '_');
    if (!underscore || underscore[1] == '\0')
        return NULL;
    const struct command *c = find_command(name, (size_t)(underscore - name));
    if (!c)
        return NULL;
    *subcommand = xstrdup(underscore + 1);
    for (char *p = *subcommand; *p; p++)
        if (*p == '_')
            *p = '-';
    return c;
}

/* "--config FILE" or "--config=FILE" at argv[*i]: stores FILE and advances *i. */
static bool take_config_option(int argc, char **argv, int *i, const char **path)
{
    const char *arg = argv[*i];
    if (strncmp(arg, "--config=", 9) == 0) {
        *path = arg + 9;
        return true;
    }
    if (strcmp(arg, "--config") != 0)
        return false;
    if (*i + 1 >= argc) {
        *path = NULL;
        return true;
    }
    *path = argv[++*i];
    return true;
}

/*
 * Splits argv into the global options and the command's arguments.  Returns
 * -1 when a command is to run, else the exit code (after --help, --version or
 * a usage error).  --config is taken wherever it stands before a "--".
 */
static int parse_command_line(int argc, char **argv, struct invocation *inv)
{
    *inv = (struct invocation){0};
    inv->argv = xcalloc((size_t)argc + 2, sizeof *inv->argv);
    bool options_end = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_end && take_config_option(argc, argv, &i, &inv->config_path)) {
            if (!inv->config_path || !*inv->config_path)
                return cli_usage_error(NULL, "option '--config' needs a value");
            continue;
        }
        if (inv->command) {
            if (strcmp(arg, "--") == 0)
                options_end = true;
            else if (!options_end && strcmp(arg, "--help") == 0)
                inv->wants_help = true;
            inv->argv[inv->argc++] = argv[i];
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_usage(stdout);
            return EXIT_SUCCESS;
        }
        if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
            print_version();
            return EXIT_SUCCESS;
        }
        if (arg[0] == '-')
            return cli_usage_error(NULL, "unknown option '%s'", arg);
        inv->command = find_command(arg, strlen(arg));
        if (inv->command) {
            inv->argv[inv->argc++] = argv[i];
            continue;
        }
        inv->command = find_old_name(arg, &inv->subcommand);
        if (!inv->command)
            return command_error("unknown command '%s'", arg);
        inv->argv[inv->argc++] = (char *)inv->command->name;
        inv->argv[inv->argc++] = inv->subcommand;
    }
    if (!inv->command)
        return command_error("%s", "no command given");
    return -1;
}

static void print_warnings(const char *warnings)
{
    for (const char *line = warnings; line && *line;) {
        const char *end = strchr(line, '\n');
        int len = end ? (int)(end - line) : (int)strlen(line);
        fprintf(stderr, "stats-service: warning: %.*s\n", len, line);
        line = end ? end + 1 : line + len;
    }
}

/* Defaults, the file, the environment; then the values derived from them. */
static bool load_config(struct config *cfg, const struct invocation *inv)
{
    config_defaults(cfg);
    /* Help must be reachable even with a broken configuration. */
    if (!inv->wants_help) {
        char *err = NULL, *warnings = NULL;
        bool ok = config_load(cfg, inv->config_path, &err, &warnings);
        print_warnings(warnings);
        free(warnings);
        if (!ok) {
            cli_error("%s", err);
            free(err);
            return false;
        }
    }
    config_finish(cfg);
    /* "Today" is the configured zone's today, in every module. */
    if (cfg->timezone) {
        setenv("TZ", cfg->timezone, 1);
        tzset();
    }
    return true;
}

int main(int argc, char **argv)
{
    struct invocation inv;
    int rc = parse_command_line(argc, argv, &inv);
    if (rc < 0) {
        struct config cfg;
        rc = EXIT_FAILURE;
        assert(inv.command); /* parse_command_line returns -1 only with a command */
        if (load_config(&cfg, &inv))
            rc = inv.command->run(&cfg, inv.argc, inv.argv);
        config_free(&cfg);
    }
    free(inv.subcommand);
    free(inv.argv);
    return rc;
}
