/*
 * common.c — what every command needs: opening the database, asking for
 * confirmation, reporting errors, the ADMIN_TOKEN client, and the dispatcher
 * of the command groups with subcommands (see cli.h).
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

/* --- command groups: one dispatcher for db, client, stats and mosp --- */

static const struct cli_option help_option = {"help", no_argument, 'h', true, NULL,
                                              "show this help"};

static const struct cli_option *option_by_key(const struct cli_group *g, int key)
{
    if (key == 'h')
        return &help_option;
    for (size_t i = 0; i < g->n_options; i++)
        if (g->options[i].key == key)
            return &g->options[i];
    return NULL;
}

static bool takes(const struct cli_subcommand *sub, int key)
{
    return key == 'h' || strchr(sub->takes, key) != NULL;
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

static void print_option_line(const struct cli_option *o, int width)
{
    buf left = BUF_INIT;
    option_column(o, &left);
    printf("  %-*s  %s\n", width, left.data, o->help);
    buf_free(&left);
}

static void print_subcommand_usage(const struct cli_group *g, const struct cli_subcommand *sub)
{
    buf synopsis = BUF_INIT;
    buf_append(&synopsis, "", 0);
    for (const char *k = sub->takes; *k; k++) {
        const struct cli_option *o = option_by_key(g, *k);
        bool required = strchr(sub->requires, *k) != NULL;
        buf_printf(&synopsis, " %s--%s%s%s%s", required ? "" : "[", o->name, o->arg ? " " : "",
                   o->arg ? o->arg : "", required ? "" : "]");
    }
    if (sub->operand)
        buf_printf(&synopsis, " %s", sub->operand);
    printf("Usage: stats-service %s %s%s\n\n%c%s.\n", g->name, sub->name, synopsis.data,
           toupper((unsigned char)sub->summary[0]), sub->summary + 1);
    if (sub->details)
        printf("%s", sub->details);
    puts("\nOptions:");
    int width = (int)strlen("-h, --help");
    buf left = BUF_INIT;
    for (const char *k = sub->takes; *k; k++) {
        option_column(option_by_key(g, *k), &left);
        width = (int)left.len > width ? (int)left.len : width;
    }
    buf_free(&left);
    for (size_t i = 0; i < g->n_options; i++)
        if (takes(sub, g->options[i].key))
            print_option_line(&g->options[i], width);
    print_option_line(&help_option, width);
    buf_free(&synopsis);
}

static void print_group_usage(const struct cli_group *g, FILE *out)
{
    fprintf(out, "Usage: stats-service %s <subcommand> [options]\n\n", g->name);
    for (size_t i = 0; i < g->n_subcommands; i++)
        fprintf(out, "  %-19s %s\n", g->subcommands[i].name, g->subcommands[i].summary);
    fprintf(out, "\n'stats-service %s <subcommand> --help' describes each one.\n", g->name);
}

static void report_bad_option(const struct cli_group *g, const struct cli_subcommand *sub, int c,
                              char **argv)
{
    if (c == ':')
        cli_error("%s %s: option '%s' needs a value", g->name, sub->name, argv[optind - 1]);
    else if (optopt)
        cli_error("%s %s: unknown option '-%c' (see --help)", g->name, sub->name, optopt);
    else
        cli_error("%s %s: unknown option '%s' (see --help)", g->name, sub->name, argv[optind - 1]);
}

/* getopt's tables for the options sub takes; longopts has room for every option + help + end. */
static void build_getopt_tables(const struct cli_group *g, const struct cli_subcommand *sub,
                                struct option *longopts, buf *shortopts)
{
    size_t n = 0;
    /* '+': no reordering; ':': a missing value is told apart from an unknown option. */
    buf_puts(shortopts, "+:h");
    for (size_t i = 0; i < g->n_options; i++) {
        const struct cli_option *o = &g->options[i];
        if (!takes(sub, o->key))
            continue;
        longopts[n++] = (struct option){o->name, o->has_arg, NULL, o->key};
        if (o->short_form)
            buf_printf(shortopts, "%c%s", o->key, o->has_arg == required_argument ? ":" : "");
    }
    longopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[n] = (struct option){NULL, 0, NULL, 0};
}

/* Parses and checks the options and operand of sub into args.  Returns -1 to
 * go on, else the exit code: 0 after --help, 2 for a usage error. */
static int parse_options(const struct cli_group *g, const struct cli_subcommand *sub, int argc,
                         char **argv, void *args)
{
    struct option *longopts = xcalloc(g->n_options + 2, sizeof *longopts);
    buf shortopts = BUF_INIT;
    build_getopt_tables(g, sub, longopts, &shortopts);
    optind = 0; /* glibc: start afresh on this argv */
    opterr = 0;
    int c, rc = -1;
    while (rc < 0 && (c = getopt_long(argc, argv, shortopts.data, longopts, NULL)) != -1) {
        if (c == 'h') {
            print_subcommand_usage(g, sub);
            rc = EXIT_SUCCESS;
        } else if (c == '?' || c == ':') {
            report_bad_option(g, sub, c, argv);
            rc = EXIT_USAGE;
        } else if (!g->take_value(sub, c, optarg, args)) {
            rc = EXIT_USAGE;
        }
    }
    free(longopts);
    buf_free(&shortopts);
    if (rc >= 0)
        return rc;
    if (sub->operand && optind < argc) {
        if (!g->take_value(sub, CLI_OPERAND, argv[optind++], args))
            return EXIT_USAGE;
    } else if (sub->operand) {
        cli_error("%s %s: %s is required (see --help)", g->name, sub->name, sub->operand);
        return EXIT_USAGE;
    }
    if (optind < argc) {
        cli_error("%s %s: unexpected argument '%s' (see --help)", g->name, sub->name, argv[optind]);
        return EXIT_USAGE;
    }
    return -1;
}

/* The options a subcommand cannot do without; reports the first one missing. */
static bool has_required(const struct cli_group *g, const struct cli_subcommand *sub,
                         const void *args)
{
    for (const char *k = sub->requires; *k; k++) {
        if (!g->is_given(args, *k)) {
            cli_error("%s %s: --%s is required (see --help)", g->name, sub->name,
                      option_by_key(g, *k)->name);
            return false;
        }
    }
    return true;
}

struct store *cli_open_store_with_schema(const struct config *cfg)
{
    struct store *st = cli_open_store(cfg);
    if (!st)
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
    int rc = parse_options(g, sub, argc, argv, args);
    if (rc >= 0)
        return rc;
    if (!has_required(g, sub, args))
        return EXIT_USAGE;
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
    if (argc < 2) {
        print_group_usage(g, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_group_usage(g, stdout);
        return EXIT_SUCCESS;
    }
    for (size_t i = 0; i < g->n_subcommands; i++)
        if (strcmp(argv[1], g->subcommands[i].name) == 0)
            return run_subcommand(g, &g->subcommands[i], cfg, argc - 1, argv + 1, args);
    cli_error("%s: unknown subcommand '%s' (see 'stats-service %s --help')", g->name, argv[1],
              g->name);
    return EXIT_USAGE;
}
