/*
 * common.c — what every command needs: opening the database, asking for
 * confirmation, reporting errors, and the ADMIN_TOKEN client (see cli.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/buf.h"
#include "util/ids.h"

#define ADMIN_CLIENT_NAME "admin"

void cli_error(const char *fmt, ...)
{
    buf line = BUF_INIT;
    buf_puts(&line, "stats-service: ");
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&line, fmt, ap);
    va_end(ap);
    buf_putc(&line, '\n');
    fputs(line.data, stderr);
    buf_free(&line);
}

struct store *cli_open_store(const struct config *cfg)
{
    struct store *st = NULL;
    char *errmsg = NULL;
    if (store_open(cfg->database_uri, &st, &errmsg) != STORE_OK) {
        cli_error("cannot open the database: %s", errmsg ? errmsg : "unknown error");
        free(errmsg);
        return NULL;
    }
    return st;
}

/* Reads one answer line from the terminal: "y" or "yes", any case, says yes. */
static bool read_yes(void)
{
    char answer[16];
    if (!fgets(answer, sizeof answer, stdin))
        return false;
    size_t n = strcspn(answer, "\r\n");
    answer[n] = '\0';
    return strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0;
}

bool cli_confirm(bool yes, const char *question)
{
    if (yes)
        return true;
    if (!isatty(STDIN_FILENO)) {
        cli_error("not confirmed: no terminal to ask on, give --yes to proceed");
        return false;
    }
    fprintf(stderr, "%s [y/N] ", question);
    fflush(stderr);
    if (read_yes())
        return true;
    cli_error("aborted, nothing changed");
    return false;
}

static bool admin_update(struct store *st, struct client *admin, const char *hash)
{
    if (admin->role == CLIENT_ROLE_ADMIN && token_hash_equal(admin->token_hash, hash))
        return true;
    admin->role = CLIENT_ROLE_ADMIN;
    memcpy(admin->token_hash, hash, TOKEN_HASH_STR_LEN);
    enum store_rc rc = store_client_update(st, admin);
    if (rc == STORE_OK)
        return true;
    if (rc == STORE_CONFLICT)
        cli_error("ADMIN_TOKEN is already the token of another client");
    else
        cli_error("cannot update the admin client: %s", store_errmsg(st));
    return false;
}

static bool admin_create(struct store *st, const char *hash)
{
    struct client admin = {
        .role = CLIENT_ROLE_ADMIN,
        .is_sharing_enabled = true,
        .local = true,
    };
    uuid_generate_str(admin.uuid);
    admin.name = xstrdup(ADMIN_CLIENT_NAME);
    memcpy(admin.token_hash, hash, TOKEN_HASH_STR_LEN);
    enum store_rc rc = store_client_create(st, &admin);
    client_free(&admin);
    if (rc == STORE_OK)
        return true;
    if (rc == STORE_CONFLICT)
        cli_error("ADMIN_TOKEN is already the token of another client");
    else
        cli_error("cannot create the admin client: %s", store_errmsg(st));
    return false;
}

bool cli_ensure_admin_token(struct store *st, const struct config *cfg)
{
    if (!cfg->admin_token)
        return true;
    char hash[TOKEN_HASH_STR_LEN];
    token_hash(cfg->admin_token, hash);
    struct client admin = {0};
    enum store_rc rc = store_client_by_name(st, ADMIN_CLIENT_NAME, &admin);
    bool ok;
    if (rc == STORE_OK) {
        ok = admin_update(st, &admin, hash);
        client_free(&admin);
    } else if (rc == STORE_NOT_FOUND) {
        ok = admin_create(st, hash);
    } else {
        cli_error("cannot look up the admin client: %s", store_errmsg(st));
        ok = false;
    }
    return ok;
}
