/*
 * common.c — what every command needs: opening the database, asking for
 * confirmation, reporting errors, the ADMIN_TOKEN client, parsing arguments
 * and printing help (one way for every command, so that their messages read
 * the same), and the dispatcher of the command groups with subcommands (see
 * cli.h).
 */
#include <ctype.h>
#include <getopt.h>
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

/* "stats-service[ <command>]: <message>[ (see 'stats-service[ <command>] --help')]" */
static void report(const char *command, bool hint, const char *fmt, va_list ap)
{
    buf line = BUF_INIT;
    const char *space = command ? " " : "";
    command = command ? command : "";
    buf_printf(&line, "stats-service%s%s: ", space, command);
    buf_vprintf(&line, fmt, ap);
    if (hint)
        buf_printf(&line, " (see 'stats-service%s%s --help')", space, command);
    buf_putc(&line, '\n');
    fputs(line.data, stderr);
    buf_free(&line);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(NULL, false, fmt, ap);
    va_end(ap);
}

void cli_command_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(command, false, fmt, ap);
    va_end(ap);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(command, true, fmt, ap);
    va_end(ap);
    return EXIT_USAGE;
}

static bool is_sqlite(const struct config *cfg)
{
    return strncmp(cfg->database_uri, "sqlite:", 7) == 0;
}

struct store *cli_open_store(const struct config *cfg)
{
    struct store *st = NULL;
    char *errmsg = NULL;
    /* store_create_database makes the folders leading to the file; opening
     * alone would stop at a missing folder. */
    if (is_sqlite(cfg) && store_create_database(cfg->database_uri, &errmsg) != STORE_OK) {
        cli_error("cannot create the database: %s", errmsg ? errmsg : "unknown error");
        free(errmsg);
        return NULL;
    }
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

bool cli_find_client(struct store *st, const char *uuid, struct client *out)
{
    enum store_rc rc = store_client_by_uuid(st, uuid, out);
    if (rc == STORE_OK)
        return true;
    if (rc == STORE_NOT_FOUND)
        cli_error("no client with uuid %s", uuid);
    else
        cli_error("cannot read the client: %s", store_errmsg(st));
    return false;
}

bool cli_token_is_usable(const char *token)
{
    if (!*token)
        return false;
    for (const unsigned char *p = (const unsigned char *)token; *p; p++)
        if (*p <= ' ' || *p >= 0x7f)
            return false;
    return true;
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

/* --- parsing a command's arguments, and its help: the same for every command --- */

static const struct cli_option help_option = {"help", no_argument, 'h', true, NULL,
                                              "show this help"};
/* Taken out by main.c wherever it stands, so never parsed here; listed so
 * that every command's help shows it. */
static const struct cli_option config_option = {"config", required_argument, 0, false, "FILE",
                                                "configuration file (default: $STATS_CONFIG)"};

static const struct cli_option *option_by_key(const struct cli_command *cmd, int key)
{
    if (key == 'h')
        return &help_option;
    for (size_t i = 0; i < cmd->n_options; i++)
        if (cmd->options[i].key == key)
            return &cmd->options[i];
    return NULL;
}

static bool takes(const struct cli_command *cmd, int key)
{
    return key == 'h' || strchr(cmd->takes, key) != NULL;
}

/* Columns a UTF-8 text takes on a terminal: one per character, not per byte
 * (placeholders such as "postgresql://…" hold non-ASCII characters; none of
 * our texts holds a wide or combining one). */
static int text_columns(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* "  <left><padding to width>  <right>": one line of a two-column list. */
static void print_columns(FILE *out, const char *left, int width, const char *right)
{
    fprintf(out, "  %s%*s  %s\n", left, width - text_columns(left), "", right);
}

/* "-y, --yes" or "    --name NAME": the left column of an option's help line. */
static void option_column(const struct cli_option *o, buf *left)
{
    buf_reset(left);
    if (o->short_form)
        buf_printf(left, "-%c, ", o->key);
    else
        buf_puts(left, "    ");
    buf_printf(left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

static void print_command_usage(const struct cli_command *cmd)
{
    buf synopsis = BUF_INIT, left = BUF_INIT;
    buf_append(&synopsis, "", 0);
    for (const char *k = cmd->takes; *k; k++) {
        const struct cli_option *o = option_by_key(cmd, *k);
        bool required = strchr(cmd->requires, *k) != NULL;
        buf_printf(&synopsis, " %s--%s%s%s%s", required ? "" : "[", o->name, o->arg ? " " : "",
                   o->arg ? o->arg : "", required ? "" : "]");
    }
    if (cmd->operand)
        buf_printf(&synopsis, " %s", cmd->operand);
    printf("Usage: stats-service %s%s\n\n%c%s.\n", cmd->name, synopsis.data,
           toupper((unsigned char)cmd->summary[0]), cmd->summary + 1);
    if (cmd->details)
        printf("%s", cmd->details);
    puts("\nOptions:");
    /* The options it takes in the table's order, then the two every command has. */
    const struct cli_option **shown = xcalloc(cmd->n_options + 2, sizeof(const struct cli_option *));
    size_t n = 0;
    for (size_t i = 0; i < cmd->n_options; i++)
        if (takes(cmd, cmd->options[i].key))
            shown[n++] = &cmd->options[i];
    shown[n++] = &config_option;
    shown[n++] = &help_option;
    int width = 0;
    for (size_t i = 0; i < n; i++) {
        option_column(shown[i], &left);
        width = text_columns(left.data) > width ? text_columns(left.data) : width;
    }
    for (size_t i = 0; i < n; i++) {
        option_column(shown[i], &left);
        print_columns(stdout, left.data, width, shown[i]->help);
    }
    free(shown);
    buf_free(&left);
    buf_free(&synopsis);
}

/* Whether arg is "--<name, or its abbreviation>=value" for option o. */
static bool gives_value_to(const char *arg, const struct cli_option *o)
{
    size_t len = strcspn(arg + 2, "=");
    return o && arg[2 + len] == '=' && len > 0 && strncmp(arg + 2, o->name, len) == 0;
}

/* getopt reports a bad option with '?' or ':'; says which and why. */
static void report_bad_option(const struct cli_command *cmd, int c, char **argv)
{
    /* The argument getopt stopped at, unless it stopped inside a group of
     * short options ("-yz"), where optopt says which one. */
    const char *arg = argv[optind - 1];
    bool long_form = strncmp(arg, "--", 2) == 0;
    if (c == ':' && long_form)
        cli_usage_error(cmd->name, "option '%s' needs a value", arg);
    else if (c == ':')
        cli_usage_error(cmd->name, "option '-%c' needs a value", optopt);
    else if (optopt && long_form && gives_value_to(arg, option_by_key(cmd, optopt)))
        /* "--yes=1": getopt_long names the option by its key in optopt. */
        cli_usage_error(cmd->name, "option '--%s' takes no value",
                        option_by_key(cmd, optopt)->name);
    else if (optopt)
        cli_usage_error(cmd->name, "unknown option '-%c'", optopt);
    else
        cli_usage_error(cmd->name, "unknown option '%s'", arg);
}

/* getopt's tables for the options cmd takes; longopts has room for every option + help + end. */
static void build_getopt_tables(const struct cli_command *cmd, struct option *longopts,
                                buf *shortopts)
{
    size_t n = 0;
    /* '+': no reordering; ':': a missing value is told apart from an unknown option. */
    buf_puts(shortopts, "+:h");
    for (size_t i = 0; i < cmd->n_options; i++) {
        const struct cli_option *o = &cmd->options[i];
        if (!takes(cmd, o->key))
            continue;
        longopts[n++] = (struct option){o->name, o->has_arg, NULL, o->key};
        if (o->short_form)
            buf_printf(shortopts, "%c%s", o->key, o->has_arg == required_argument ? ":" : "");
    }
    longopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[n] = (struct option){NULL, 0, NULL, 0};
}

/* The options cmd takes, into args.  Returns -1 to go on, else the exit code. */
static int parse_options(const struct cli_command *cmd, int argc, char **argv, void *args)
{
    struct option *longopts = xcalloc(cmd->n_options + 2, sizeof *longopts);
    buf shortopts = BUF_INIT;
    build_getopt_tables(cmd, longopts, &shortopts);
    optind = 0; /* glibc: start afresh on this argv */
    opterr = 0;
    int c, rc = -1;
    while (rc < 0 && (c = getopt_long(argc, argv, shortopts.data, longopts, NULL)) != -1) {
        if (c == 'h') {
            print_command_usage(cmd);
            rc = EXIT_SUCCESS;
        } else if (c == '?' || c == ':') {
            report_bad_option(cmd, c, argv);
            rc = EXIT_USAGE;
        } else if (!cmd->take_value(cmd->name, c, optarg, args)) {
            rc = EXIT_USAGE;
        }
    }
    free(longopts);
    buf_free(&shortopts);
    return rc;
}

int cli_parse(const struct cli_command *cmd, int argc, char **argv, void *args)
{
    int rc = parse_options(cmd, argc, argv, args);
    if (rc >= 0)
        return rc;
    if (cmd->operand && optind < argc) {
        if (!cmd->take_value(cmd->name, CLI_OPERAND, argv[optind++], args))
            return EXIT_USAGE;
    } else if (cmd->operand) {
        return cli_usage_error(cmd->name, "%s is required", cmd->operand);
    }
    if (optind < argc)
        return cli_usage_error(cmd->name, "unexpected argument '%s'", argv[optind]);
    /* The options it cannot do without; the first one missing is reported. */
    for (const char *k = cmd->requires; *k; k++)
        if (!cmd->is_given(args, *k))
            return cli_usage_error(cmd->name, "--%s is required", option_by_key(cmd, *k)->name);
    return -1;
}

/* --- command groups: one dispatcher for db, client, stats and mosp --- */

static void print_group_usage(const struct cli_group *g, FILE *out)
{
    int width = 0;
    for (size_t i = 0; i < g->n_subcommands; i++)
        if (text_columns(g->subcommands[i].name) > width)
            width = text_columns(g->subcommands[i].name);
    fprintf(out, "Usage: stats-service %s <subcommand> [options]\n\n", g->name);
    for (size_t i = 0; i < g->n_subcommands; i++)
        print_columns(out, g->subcommands[i].name, width, g->subcommands[i].summary);
    fprintf(out, "\n'stats-service %s <subcommand> --help' describes each one.\n", g->name);
}

struct store *cli_open_store_with_schema(const struct config *cfg)
{
    struct store *st = NULL;
    char *errmsg = NULL;
    enum store_rc rc = store_open_existing(cfg->database_uri, &st, &errmsg);
    if (rc == STORE_NOT_FOUND)
        cli_error("%s: run 'stats-service db init' first", errmsg);
    else if (rc != STORE_OK)
        cli_error("cannot open the database: %s", errmsg ? errmsg : "unknown error");
    free(errmsg);
    if (rc != STORE_OK)
        return NULL;
    int version = 0;
    if (store_schema_version(st, &version) != STORE_OK)
        cli_error("cannot read the database: %s", store_errmsg(st));
    else if (version == 0)
        cli_error("the database has no schema yet: run 'stats-service db init' first");
    else
        return st;
    store_close(st);
    return NULL;
}

static int run_subcommand(const struct cli_group *g, const struct cli_subcommand *sub,
                          const struct config *cfg, int argc, char **argv, void *args)
{
    buf name = BUF_INIT;
    buf_printf(&name, "%s %s", g->name, sub->name);
    struct cli_command cmd = {
        name.data, g->options, g->n_options, sub->takes, sub->requires, sub->operand,
        sub->summary, sub->details, g->take_value, g->is_given,
    };
    int rc = cli_parse(&cmd, argc, argv, args);
    buf_free(&name);
    if (rc >= 0)
        return rc;
    struct cli_call call = {cfg, NULL, args};
    if (sub->needs_store && !(call.store = cli_open_store_with_schema(cfg)))
        return EXIT_FAILURE;
    rc = sub->run(&call);
    store_close(call.store);
    return rc;
}

int cli_run_group(const struct cli_group *g, const struct config *cfg, int argc, char **argv,
                  void *args)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        print_group_usage(g, stdout);
        return EXIT_SUCCESS;
    }
    for (size_t i = 0; argc >= 2 && i < g->n_subcommands; i++)
        if (strcmp(argv[1], g->subcommands[i].name) == 0)
            return run_subcommand(g, &g->subcommands[i], cfg, argc - 1, argv + 1, args);
    /* Like a missing or unknown command (main.c): the list to choose from follows. */
    if (argc < 2)
        cli_usage_error(g->name, "no subcommand given");
    else
        cli_usage_error(g->name, "unknown subcommand '%s'", argv[1]);
    fputc('\n', stderr);
    print_group_usage(g, stderr);
    return EXIT_USAGE;
}
