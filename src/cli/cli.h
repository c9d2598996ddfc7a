/*
 * cli.h — the commands of the stats-service executable (docs/cli.md).
 *
 * main.c parses the global options (--config, --help, --version), loads the
 * configuration and dispatches to one of these.  Each command receives its own
 * argv (argv[0] = the command name as typed) and returns the process exit code.
 * Messages for the operator go to stdout/stderr from here, never from deeper
 * layers.
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <getopt.h> /* no_argument, required_argument for struct cli_option */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "store/store.h"

int cmd_serve(struct config *cfg, int argc, char **argv);
int cmd_db(struct config *cfg, int argc, char **argv);
int cmd_client(struct config *cfg, int argc, char **argv);
int cmd_stats(struct config *cfg, int argc, char **argv);
int cmd_mosp(struct config *cfg, int argc, char **argv);

#define EXIT_USAGE 2

/* Helpers shared by the commands (common.c). */

/*
 * Opens the configured database for a command that creates or upgrades its
 * schema (serve, db init, db import-original): a SQLite file that is missing
 * is created, and its folder with it (a PostgreSQL database is the operator's
 * to create: db create).  Every other command works on a database that is
 * there already: cli_open_store_with_schema below.  On failure prints a
 * one-line message and returns NULL.
 */
struct store *cli_open_store(const struct config *cfg);
/* Destructive commands: true if --yes was given, or a terminal user typed "y".
 * Without a terminal and without --yes: prints a refusal and returns false. */
bool cli_confirm(bool yes, const char *question);
/* Prints "stats-service: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "stats-service <command>: <message>" on stderr (command as typed
 * in full: "serve", "client create"). */
void cli_command_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * A usage error (a wrong command line): one line on stderr, the same in every
 * command and group,
 *   stats-service <command>: <message> (see 'stats-service <command> --help')
 * with command NULL for the global options ("stats-service: …").  Returns
 * EXIT_USAGE.
 */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Makes sure the admin client named "admin" exists with token ADMIN_TOKEN when
 * that setting is given (created, or its token and role updated).  Used by
 * `serve` at start.  Returns false (message printed) on a database error.
 */
bool cli_ensure_admin_token(struct store *st, const struct config *cfg);

/*
 * Command groups with subcommands (db, client, stats, mosp) share one
 * dispatcher.  A group describes its options once (struct cli_option); each
 * subcommand says which it takes and which it requires, by their keys.  The
 * dispatcher prints the group's and each subcommand's --help from these
 * tables, parses and checks every value (through the group's take_value)
 * before anything is opened, so a typing mistake costs nothing, then opens
 * the database if the subcommand needs it and runs it.
 */

/* The key take_value receives for a subcommand's positional argument. */
#define CLI_OPERAND 1

struct cli_option {
    const char *name;      /* long name, without "--" */
    int has_arg;           /* getopt's no_argument or required_argument */
    int key;               /* getopt's value, and the letter naming it in `takes` */
    bool short_form;       /* "-<key>" works too (-y, -v) */
    const char *arg;       /* placeholder shown in the help, or NULL */
    const char *help;
};

/* What a subcommand's run function receives. */
struct cli_call {
    const struct config *cfg;
    struct store *store;   /* open, with a schema, when the subcommand needs_store; else NULL */
    void *args;            /* the group's checked arguments */
};

struct cli_subcommand {
    const char *name;
    int (*run)(const struct cli_call *call);  /* returns the exit code */
    bool needs_store;
    const char *takes;     /* keys of the options it accepts (--help always) */
    const char *requires;  /* keys it cannot do without */
    const char *operand;   /* placeholder of its one, required, positional argument, or NULL */
    const char *summary;   /* one line, for the group's --help */
    const char *details;   /* what follows the summary in its own --help, or NULL */
};

/* Stores one value (an option's, or the operand's with key CLI_OPERAND) into
 * args; false, the reason reported with cli_usage_error(command, …), if it is
 * not acceptable.  command names the command as typed ("client create"). */
typedef bool cli_take_value_fn(const char *command, int key, const char *value, void *args);
/* Whether the option `key` was given (for `requires`). */
typedef bool cli_is_given_fn(const void *args, int key);

struct cli_group {
    const char *name;
    const struct cli_option *options;
    size_t n_options;
    const struct cli_subcommand *subcommands;
    size_t n_subcommands;
    cli_take_value_fn *take_value;
    cli_is_given_fn *is_given;
};

/*
 * One command as the parser and the help see it: a group's subcommand (built
 * by cli_run_group from the tables above), or a command of its own (serve).
 * Keys 'h' (help) and CLI_OPERAND are the parser's.
 */
struct cli_command {
    const char *name;                  /* as typed in full: "serve", "client create" */
    const struct cli_option *options;  /* the table `takes` picks from */
    size_t n_options;
    const char *takes, *requires, *operand, *summary, *details; /* as in cli_subcommand */
    cli_take_value_fn *take_value;
    cli_is_given_fn *is_given;         /* may be NULL when nothing is required */
};

/*
 * Parses argv (argv[0] = the command's own name) into args through
 * take_value, then checks the operand and `requires`; prints the help on
 * --help.  Every argument error goes through cli_usage_error.  Returns -1 to
 * go on, else the exit code: 0 after --help, EXIT_USAGE after an error.
 */
int cli_parse(const struct cli_command *cmd, int argc, char **argv, void *args);

/*
 * Runs "<group> <subcommand> [options]" from argv (argv[0] = the group's
 * name, as main passes it) with args, the group's argument struct holding its
 * defaults.  Returns the exit code: 0 after --help, 2 for a usage error.
 */
int cli_run_group(const struct cli_group *g, const struct config *cfg, int argc, char **argv,
                  void *args);

/* Loads the client with this uuid; prints why not ("no client with uuid …") and
 * returns false if it can't. */
bool cli_find_client(struct store *st, const char *uuid, struct client *out);
/* Tokens travel in an HTTP header: printable ASCII, no spaces, not empty. */
bool cli_token_is_usable(const char *token);

/* `db import-original --from URI` (import_original.c), once the schema is current. */
int cli_import_original(const struct config *cfg, const char *from_uri);

/* Opens the database, which must exist (a missing SQLite file is not
 * created), and checks it has a schema; NULL (message printed) if not. */
struct store *cli_open_store_with_schema(const struct config *cfg);

/*
 * A progress bar on stderr for long operations — count, rate and ETA — drawn
 * only when stderr is a terminal, at most a few times a second.  Without a
 * terminal nothing is drawn: the caller's summary line is all there is.
 */
struct cli_progress {
    bool enabled;
    const char *label;
    int64_t total;         /* ≤ 0: unknown (no bar, no ETA) */
    int64_t done;
    double started, drawn; /* monotonic seconds */
};

void cli_progress_start(struct cli_progress *p, const char *label, int64_t total);
void cli_progress_add(struct cli_progress *p, int64_t n);
/* Erases the bar, so the summary line starts clean. */
void cli_progress_end(struct cli_progress *p);

#endif
