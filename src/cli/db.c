/*
 * db.c — `stats-service db create|init|migrate|empty|backup|restore|import-original`:
 * the database, its schema, its backups (docs/operations.md), and taking
 * over the original's (import_original.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* The options of the db subcommands, checked. */
struct db_args {
    bool yes;
    bool dry_run;       /* migrate: say what would be done, do nothing */
    const char *from;   /* import-original: the original's database URI */
    const char *file;   /* backup, restore: the backup file */
};

static bool create_database(const struct config *cfg)
{
    char *errmsg = NULL;
    if (store_create_database(cfg->database_uri, &errmsg) == STORE_OK)
        return true;
    cli_error("cannot create the database: %s", errmsg ? errmsg : "unknown error");
    free(errmsg);
    return false;
}

/* The schema version of the database, which exists; false (message printed) on an error. */
static bool read_schema_version(const struct config *cfg, int *version)
{
    struct store *st = NULL;
    char *errmsg = NULL;
    if (store_open_existing(cfg->database_uri, &st, &errmsg) != STORE_OK) {
        cli_error("cannot open the database: %s", errmsg ? errmsg : "unknown error");
        free(errmsg);
        return false;
    }
    bool ok = store_schema_version(st, version) == STORE_OK;
    if (!ok)
        cli_error("cannot read the schema version: %s", store_errmsg(st));
    store_close(st);
    return ok;
}

/* An existing database is left as it is; one that has its schema already is
 * said to, since "ready, now run db init" would be wrong about it. */
static int db_create(const struct cli_call *call)
{
    int version = 0;
    if (!create_database(call->cfg) || !read_schema_version(call->cfg, &version))
        return EXIT_FAILURE;
    if (version > 0)
        printf("The database exists already, with its schema (version %d): nothing to create.\n"
               "'stats-service db init' brings the schema up to date; 'stats-service db empty'\n"
               "drops it, to start again.\n", version);
    else
        puts("Database ready; 'stats-service db init' creates its schema.");
    return EXIT_SUCCESS;
}

/* Creates or upgrades the schema; prints the version reached. */
static bool init_schema(const struct config *cfg)
{
    /* cli_open_store creates a SQLite file and its folder, so that `db
     * create` is optional; a PostgreSQL database is the operator's to create. */
    struct store *st = cli_open_store(cfg);
    if (!st)
        return false;
    int version = 0;
    bool ok = false;
    if (store_migrate(st) != STORE_OK)
        cli_error("cannot create the schema: %s", store_errmsg(st));
    else if (store_schema_version(st, &version) != STORE_OK)
        cli_error("cannot read the schema version: %s", store_errmsg(st));
    else
        ok = true;
    store_close(st);
    if (ok)
        printf("Database schema at version %d.\n", version);
    return ok;
}

static int db_init(const struct cli_call *call)
{
    return init_schema(call->cfg) ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* The steps from version `from` to `to`, one line each. */
static void print_steps(int from, int to)
{
    for (int v = from + 1; v <= to; v++)
        printf("  %d -> %d: %s\n", v - 1, v, store_schema_step_summary(v));
}

/* Opens the existing database (a missing SQLite file is not made: nothing to
 * migrate) and reads its schema version. */
static struct store *open_for_migration(const struct config *cfg, int *version)
{
    struct store *st = NULL;
    char *errmsg = NULL;
    if (store_open_existing(cfg->database_uri, &st, &errmsg) != STORE_OK) {
        cli_error("cannot open the database: %s", errmsg ? errmsg : "unknown error");
        free(errmsg);
        return NULL;
    }
    if (store_schema_version(st, version) != STORE_OK) {
        cli_error("cannot read the schema version: %s", store_errmsg(st));
        store_close(st);
        return NULL;
    }
    return st;
}

/* Applies the missing migration steps, or with --dry-run only lists them. */
static int db_migrate(const struct cli_call *call)
{
    const struct db_args *a = call->args;
    int version = 0;
    struct store *st = open_for_migration(call->cfg, &version);
    if (!st)
        return EXIT_FAILURE;
    int latest = store_schema_latest(st);
    int exit_code = EXIT_SUCCESS;
    if (version > latest) {
        cli_error("the database schema is at version %d, newer than this program's (%d): "
                  "run a newer stats-service", version, latest);
        exit_code = EXIT_FAILURE;
    } else if (version == latest) {
        printf("Database schema at version %d, the latest: nothing to do.\n", version);
    } else if (a->dry_run) {
        printf("Database schema at version %d; this program's is %d.  Would apply:\n", version,
               latest);
        print_steps(version, latest);
        puts("Dry run: nothing was changed.");
    } else {
        printf("Database schema at version %d; applying, in one transaction:\n", version);
        print_steps(version, latest);
        if (store_migrate(st) != STORE_OK) {
            cli_error("cannot upgrade the schema (nothing was changed): %s", store_errmsg(st));
            exit_code = EXIT_FAILURE;
        } else {
            printf("Database schema at version %d.\n", latest);
        }
    }
    store_close(st);
    return exit_code;
}

static int db_backup(const struct cli_call *call)
{
    const struct db_args *a = call->args;
    char *errmsg = NULL;
    int version = 0;
    if (store_backup(call->cfg->database_uri, a->file, &version, &errmsg) != STORE_OK) {
        cli_error("db backup: %s", errmsg ? errmsg : "unknown error");
        free(errmsg);
        return EXIT_FAILURE;
    }
    printf("Backup written to %s (schema version %d).\n", a->file, version);
    return EXIT_SUCCESS;
}

static int db_restore(const struct cli_call *call)
{
    const struct db_args *a = call->args;
    char *errmsg = NULL;
    int version = 0;
    if (store_restore(call->cfg->database_uri, a->file, a->yes, &version, &errmsg) != STORE_OK) {
        cli_error("db restore: %s", errmsg ? errmsg : "unknown error");
        free(errmsg);
        return EXIT_FAILURE;
    }
    printf("Restored %s (schema version %d); the database is ready.\n", a->file, version);
    return EXIT_SUCCESS;
}

/* A SQLite file that is not there has nothing to drop: it is not created
 * just to be emptied (and not asked about). */
static int db_empty(const struct cli_call *call)
{
    const struct db_args *a = call->args;
    struct store *st = NULL;
    char *errmsg = NULL;
    enum store_rc rc = store_open_existing(call->cfg->database_uri, &st, &errmsg);
    if (rc == STORE_NOT_FOUND) {
        printf("Nothing to drop: %s.\n", errmsg);
        free(errmsg);
        return EXIT_SUCCESS;
    }
    if (rc != STORE_OK) {
        cli_error("cannot open the database: %s", errmsg ? errmsg : "unknown error");
        free(errmsg);
        return EXIT_FAILURE;
    }
    int exit_code = EXIT_FAILURE;
    if (cli_confirm(a->yes,
                    "Drop every table of the database? All clients and stats will be lost.")) {
        if (store_drop_all(st) == STORE_OK) {
            puts("All tables dropped.");
            exit_code = EXIT_SUCCESS;
        } else {
            cli_error("cannot drop the tables: %s", store_errmsg(st));
        }
    }
    store_close(st);
    return exit_code;
}

/* The schema first (so that `db init` is not needed before), then the data. */
static int db_import_original(const struct cli_call *call)
{
    const struct db_args *a = call->args;
    /* Both schemas have a table "stats": they cannot share a database. */
    if (strcmp(a->from, call->cfg->database_uri) == 0) {
        return cli_usage_error("db import-original",
                               "--from names this service's own database (DATABASE_URI); the "
                               "original's stays where it is, this service needs another one");
    }
    if (!init_schema(call->cfg))
        return EXIT_FAILURE;
    return cli_import_original(call->cfg, a->from);
}

static const struct cli_option options[] = {
    {"from", required_argument, 'F', false, "postgresql://…",
     "database of the original Python service"},
    {"dry-run", no_argument, 'n', false, NULL, "say what would be done, change nothing"},
    {"yes", no_argument, 'y', true, NULL, "do not ask for confirmation"},
};

static const struct cli_subcommand subcommands[] = {
    {"create", db_create, false, "", "", NULL,
     "create the database (PostgreSQL: CREATE DATABASE; SQLite: the file)",
     "With PostgreSQL, CREATE DATABASE for the database named by DATABASE_URI\n"
     "(connecting to the 'postgres' database); with SQLite, the file and its folder.\n"
     "An existing database is left as it is (and said to have its schema, if it has).\n"},
    {"init", db_init, false, "", "", NULL, "create or upgrade the schema to the current version",
     "Running it again changes nothing.  With SQLite the database file (and its\n"
     "folder) is created if missing.\n"},
    {"migrate", db_migrate, false, "n", "", NULL,
     "upgrade the schema of an existing database (--dry-run: only say how)",
     "Lists the steps from the database's schema version to this program's, one\n"
     "line each, and applies them in one transaction (all or nothing).  With\n"
     "--dry-run it only lists them and changes nothing.  A database whose schema\n"
     "is newer than this program's is refused.  A SQLite file that does not exist\n"
     "is not created ('db init' does that).\n"},
    {"backup", db_backup, false, "", "", "FILE",
     "write a consistent copy of the database to FILE, while it serves",
     "FILE is a SQLite database holding this service's tables as of one moment\n"
     "(SQLite: the online backup API; PostgreSQL: one snapshot), written under a\n"
     "temporary name, synced, then renamed: it is complete or absent.  An existing\n"
     "FILE is replaced.  Servers keep running and writing meanwhile.\n"},
    {"restore", db_restore, false, "y", "", "FILE",
     "put the backup FILE in place of the database (servers stopped)",
     "Checks FILE (a sound backup, its schema version not newer than this\n"
     "program's), then replaces the database with it, all or nothing; an older\n"
     "backup is upgraded to the current schema on the way.  A database holding\n"
     "clients or stats is only replaced with --yes.  A backup of either backend\n"
     "restores into either.\n"},
    {"empty", db_empty, false, "y", "", NULL, "drop every table (-y to skip the confirmation)",
     "All clients and stats are lost.  Asks for confirmation on a terminal; without\n"
     "one, refuses unless --yes is given.  A SQLite file that does not exist is left\n"
     "so: there is nothing to drop.\n"},
    {"import-original", db_import_original, false, "F", "F", NULL,
     "take over a database of the original Python service",
     "Brings this database's schema up to date, then copies the original's clients\n"
     "(their tokens hashed, so MONARC installations keep working with them) and\n"
     "stats (uuids kept).  Where the original holds several stats for one client,\n"
     "analysis, type and day, the most recently created is kept and the others are\n"
     "listed.  What is already here is left alone: running it twice changes\n"
     "nothing.  The original's database is only read.\n"},
};

static bool take_value(const char *command, int key, const char *v, void *args)
{
    struct db_args *a = args;
    switch (key) {
    case 'y':
        a->yes = true;
        return true;
    case 'n':
        a->dry_run = true;
        return true;
    case CLI_OPERAND:
        if (!*v) {
            cli_usage_error(command, "FILE is empty");
            return false;
        }
        a->file = v;
        return true;
    case 'F':
        if (strncmp(v, "postgresql://", 13) != 0 && strncmp(v, "postgres://", 11) != 0) {
            cli_usage_error(command,
                            "--from must be a postgresql:// URI (the original ran on PostgreSQL)");
            return false;
        }
        a->from = v;
        return true;
    }
    return false;
}

static bool is_given(const void *args, int key)
{
    const struct db_args *a = args;
    return key != 'F' || a->from != NULL;
}

static const struct cli_group group = {
    "db", options, sizeof options / sizeof *options,
    subcommands, sizeof subcommands / sizeof *subcommands, take_value, is_given,
};

int cmd_db(struct config *cfg, int argc, char **argv)
{
    struct db_args a = {0};
    return cli_run_group(&group, cfg, argc, argv, &a);
}
