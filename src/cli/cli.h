/*
 * cli.h — the commands of the stats-service executable (spec: cli.md).
 *
 * main.c parses the global options (--config, --help, --version), loads the
 * configuration and dispatches to one of these.  Each command receives its own
 * argv (argv[0] = the command name as typed) and returns the process exit code.
 * Messages for the operator go to stdout/stderr from here, never from deeper
 * layers.
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdbool.h>

#include "config/config.h"
#include "store/store.h"

int cmd_serve(struct config *cfg, int argc, char **argv);
int cmd_db(struct config *cfg, int argc, char **argv);
int cmd_client(struct config *cfg, int argc, char **argv);

/* Helpers shared by the commands (common.c). */

/* Opens the configured database; on failure prints a one-line message and returns NULL. */
struct store *cli_open_store(const struct config *cfg);
/* Destructive commands: true if --yes was given, or a terminal user typed "y".
 * Without a terminal and without --yes: prints a refusal and returns false. */
bool cli_confirm(bool yes, const char *question);
/* Prints "stats-service: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Makes sure the admin client named "admin" exists with token ADMIN_TOKEN when
 * that setting is given (created, or its token and role updated).  Used by
 * `serve` at start.  Returns false (message printed) on a database error.
 */
bool cli_ensure_admin_token(struct store *st, const struct config *cfg);

#endif
