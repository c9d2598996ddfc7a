/*
 * db.c — `stats-service db create|init|empty`: the database and its schema.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define EXIT_USAGE 2

struct db_subcommand {
    const char *name;
    int (*run)(const struct config *cfg, bool yes);
    bool takes_yes;      /* destroys data: -y/--yes skips the confirmation */
    const char *usage;   /* the --help text */
};

static bool is_sqlite(const struct config *cfg)
{
    return strncmp(cfg->database_uri, "sqlite:", 7) == 0;
}

static bool create_database(const struct config *cfg)
{
    char *errmsg = NULL;
    if (store_create_database(cfg->database_uri, &errmsg) == STORE_OK)
        return true;
    cli_error("cannot create the database: %s", errmsg ? errmsg : "unknown error");
    free(errmsg);
    return false;
}

static int db_create(const struct config *cfg, bool yes)
{
    if (!create_database(cfg))
        return EXIT_FAILURE;
    puts("Database ready; 'stats-service db init' creates its schema.");
    return EXIT_SUCCESS;
}

static int db_init(const struct config *cfg, bool yes)
{
    /* With SQLite, the file and its folder are created here, so that `db
     * create` is optional; a PostgreSQL database is the operator's to create. */
    if (is_sqlite(cfg) && !create_database(cfg))
        return EXIT_FAILURE;
    struct store *st = cli_open_store(cfg);
    if (!st)
        return EXIT_FAILURE;
    int version = 0;
    int rc = EXIT_FAILURE;
    if (store_migrate(st) != STORE_OK)
        cli_error("cannot create the schema: %s", store_errmsg(st));
    else if (store_schema_version(st, &version) != STORE_OK)
        cli_error("cannot read the schema version: %s", store_errmsg(st));
    else
        rc = EXIT_SUCCESS;
    store_close(st);
    if (rc == EXIT_SUCCESS)
        printf("Database schema at version %d.\n", version);
    return rc;
}

static int db_empty(const struct config *cfg, bool yes)
{
    if (!cli_confirm(yes, "Drop every table of the database? All clients and stats will be lost."))
        return EXIT_FAILURE;
    struct store *st = cli_open_store(cfg);
    if (!st)
        return EXIT_FAILURE;
    int rc = EXIT_SUCCESS;
    if (store_drop_all(st) != STORE_OK) {
        cli_error("cannot drop the tables: %s", store_errmsg(st));
        rc = EXIT_FAILURE;
    }
    store_close(st);
    if (rc == EXIT_SUCCESS)
        puts("All tables dropped.");
    return rc;
}

static const struct db_subcommand subcommands[] = {
    {"create", db_create, false,
     "Usage: stats-service db create\n"
     "\n"
     "Creates the database named by DATABASE_URI: with PostgreSQL, CREATE DATABASE\n"
     "(connecting to the 'postgres' database); with SQLite, the file and its folder.\n"
     "An existing database is left as it is.\n"
     "\n"
     "Options:\n"
     "  -h, --help  show this help\n"},
    {"init", db_init, false,
     "Usage: stats-service db init\n"
     "\n"
     "Creates the schema, or upgrades it to the current version; running it again\n"
     "changes nothing.  With SQLite the database file (and its folder) is created\n"
     "if missing.\n"
     "\n"
     "Options:\n"
     "  -h, --help  show this help\n"},
    {"empty", db_empty, true,
     "Usage: stats-service db empty [-y]\n"
     "\n"
     "Drops every table of this service: all clients and stats are lost.  Asks\n"
     "for confirmation on a terminal; without one, refuses unless --yes is given.\n"
     "\n"
     "Options:\n"
     "  -y, --yes   do not ask for confirmation\n"
     "  -h, --help  show this help\n"},
};

#define N_SUBCOMMANDS (sizeof subcommands / sizeof subcommands[0])

static void print_group_usage(FILE *out)
{
    fputs("Usage: stats-service db <create|init|empty> [options]\n"
          "\n"
          "  create   create the database (PostgreSQL: CREATE DATABASE; SQLite: the file)\n"
          "  init     create or upgrade the schema to the current version\n"
          "  empty    drop every table (-y to skip the confirmation)\n"
          "\n"
          "'stats-service db <subcommand> --help' describes each one.\n",
          out);
}

/* Parses -y/--yes and --help; returns -1 to go on, else the exit code. */
static int parse_options(const struct db_subcommand *sub, int argc, char **argv, bool *yes)
{
    static const struct option all_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"yes", no_argument, NULL, 'y'},
        {NULL, 0, NULL, 0},
    };
    static const struct option help_only[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 0; /* glibc: start afresh on this argv */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, sub->takes_yes ? "+hy" : "+h",
                            sub->takes_yes ? all_options : help_only, NULL)) != -1) {
        if (c == 'h') {
            fputs(sub->usage, stdout);
            return EXIT_SUCCESS;
        }
        if (c == 'y') {
            *yes = true;
            continue;
        }
        if (optopt)
            cli_error("db %s: unknown option '-%c' (see --help)", sub->name, optopt);
        else
            cli_error("db %s: unknown option '%s' (see --help)", sub->name, argv[optind - 1]);
        return EXIT_USAGE;
    }
    if (optind < argc) {
        cli_error("db %s: unexpected argument '%s' (see --help)", sub->name, argv[optind]);
        return EXIT_USAGE;
    }
    return -1;
}

int cmd_db(struct config *cfg, int argc, char **argv)
{
    if (argc < 2) {
        print_group_usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_group_usage(stdout);
        return EXIT_SUCCESS;
    }
    for (size_t i = 0; i < N_SUBCOMMANDS; i++) {
        const struct db_subcommand *sub = &subcommands[i];
        if (strcmp(argv[1], sub->name) != 0)
            continue;
        bool yes = false;
        int rc = parse_options(sub, argc - 1, argv + 1, &yes);
        return rc >= 0 ? rc : sub->run(cfg, yes);
    }
    cli_error("db: unknown subcommand '%s' (see 'stats-service db --help')", argv[1]);
    return EXIT_USAGE;
}
