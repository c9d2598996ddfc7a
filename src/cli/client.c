/*
 * client.c — `stats-service client …`: create, list and delete clients, reset
 * their tokens, set their coordinates and sharing flag (spec: cli.md).
 *
 * The subcommands share one set of options, described once in `options`;
 * each subcommand says which of them it takes and which it requires.  The
 * dispatcher parses and checks every value before the database is opened,
 * so a typing mistake never costs a connection, and each subcommand works
 * on checked arguments and an open store.
 */
#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/buf.h"
#include "util/ids.h"
#include "util/json.h"

#define EXIT_USAGE 2
#define FINGERPRINT_LEN 8 /* hex digits of the token hash shown by `client list` */

/* The options of every subcommand, checked. */
struct client_args {
    const char *name;
    char uuid[UUID_STR_LEN];          /* lower-cased; "" if not given */
    const char *token;                /* NULL: generate one */
    enum client_role role;
    bool remote, json, yes;
    double latitude, longitude;
};

struct option_doc {
    const char *name;
    int has_arg;
    int key;             /* getopt's value, and the letter used in `takes` */
    const char *arg;     /* placeholder shown in the help, or NULL */
    const char *help;
};

static const struct option_doc options[] = {
    {"name", required_argument, 'n', "NAME", "name of the client (unique)"},
    {"uuid", required_argument, 'u', "UUID", "UUID of the client"},
    {"token", required_argument, 't', "TOKEN", "token to give the client (default: a new random one)"},
    {"role", required_argument, 'r', "user|admin", "role of the client (default: user)"},
    {"remote", no_argument, 'R', NULL, "a client holding stats pulled from another instance"},
    {"latitude", required_argument, 'a', "DEG", "latitude, -90 to 90"},
    {"longitude", required_argument, 'o', "DEG", "longitude, -180 to 180"},
    {"json", no_argument, 'j', NULL, "print JSON instead of text"},
    {"yes", no_argument, 'y', NULL, "do not ask for confirmation"},
    {"help", no_argument, 'h', NULL, "show this help"},
};

#define N_OPTIONS (sizeof options / sizeof options[0])

struct client_subcommand {
    const char *name;
    int (*run)(struct store *st, const struct client_args *a);
    const char *takes;      /* option letters it accepts (--help always) */
    const char *requires;   /* option letters it cannot do without */
    const char *summary;    /* one line, for `client --help` */
    const char *details;    /* what follows the summary in its --help, or NULL */
};

static const char *role_name(enum client_role role)
{
    return role == CLIENT_ROLE_ADMIN ? "admin" : "user";
}

static const char *yes_no(bool b)
{
    return b ? "true" : "false";
}

/* The first hex digits of the token's hash: tells tokens apart, reveals nothing. */
static void fingerprint(const struct client *c, char out[FINGERPRINT_LEN + 1])
{
    memcpy(out, c->token_hash, FINGERPRINT_LEN);
    out[FINGERPRINT_LEN] = '\0';
}

/* "key: value" lines; the token only right after it was issued, else its fingerprint. */
static void print_client_text(const struct client *c, const char *token)
{
    buf coords = BUF_INIT;
    if (c->has_coordinates) {
        buf_json_double(&coords, c->latitude);
        buf_puts(&coords, ", ");
        buf_json_double(&coords, c->longitude);
    } else {
        buf_puts(&coords, "none");
    }
    printf("uuid: %s\nname: %s\nrole: %s\nlocal: %s\nis_sharing_enabled: %s\n"
           "coordinates: %s\nlast_seen: %s\ncreated_at: %s\n",
           c->uuid, c->name, role_name(c->role), yes_no(c->local), yes_no(c->is_sharing_enabled),
           coords.data, c->last_seen[0] ? c->last_seen : "never", c->created_at);
    if (token) {
        printf("token: %s\n", token);
    } else {
        char fp[FINGERPRINT_LEN + 1];
        fingerprint(c, fp);
        printf("token_fingerprint: %s\n", fp);
    }
    buf_free(&coords);
}

static void put_json_coordinate(buf *b, const char *key, bool has, double value)
{
    buf_printf(b, ",\"%s\":", key);
    if (has)
        buf_json_double(b, value);
    else
        buf_puts(b, "null");
}

static void put_client_json(buf *b, const struct client *c)
{
    char fp[FINGERPRINT_LEN + 1];
    fingerprint(c, fp);
    buf_puts(b, "{\"uuid\":");
    buf_json_string(b, c->uuid);
    buf_puts(b, ",\"name\":");
    buf_json_string(b, c->name);
    buf_printf(b, ",\"role\":\"%s\",\"local\":%s,\"is_sharing_enabled\":%s", role_name(c->role),
               yes_no(c->local), yes_no(c->is_sharing_enabled));
    put_json_coordinate(b, "latitude", c->has_coordinates, c->latitude);
    put_json_coordinate(b, "longitude", c->has_coordinates, c->longitude);
    buf_puts(b, ",\"last_seen\":");
    buf_json_string(b, c->last_seen[0] ? c->last_seen : NULL);
    buf_puts(b, ",\"created_at\":");
    buf_json_string(b, c->created_at);
    buf_printf(b, ",\"token_fingerprint\":\"%s\"}", fp);
}

static bool show_all(const struct client *c)
{
    return true;
}

static bool shares_locally(const struct client *c)
{
    return c->local && c->is_sharing_enabled;
}

/* Prints the clients that `keep` selects, as text blocks or one JSON array. */
static int print_clients(struct store *st, bool json, bool (*keep)(const struct client *))
{
    struct client_list list = {0};
    if (store_client_list(st, &list) != STORE_OK) {
        cli_error("cannot list the clients: %s", store_errmsg(st));
        return EXIT_FAILURE;
    }
    buf array = BUF_INIT;
    buf_putc(&array, '[');
    bool first = true;
    for (size_t i = 0; i < list.count; i++) {
        if (!keep(&list.items[i]))
            continue;
        if (json) {
            if (!first)
                buf_putc(&array, ',');
            put_client_json(&array, &list.items[i]);
        } else {
            if (!first)
                putchar('\n');
            print_client_text(&list.items[i], NULL);
        }
        first = false;
    }
    if (json)
        printf("%s]\n", array.data);
    buf_free(&array);
    client_list_free(&list);
    return EXIT_SUCCESS;
}

static int client_list(struct store *st, const struct client_args *a)
{
    return print_clients(st, a->json, show_all);
}

static int client_sharing_list(struct store *st, const struct client_args *a)
{
    return print_clients(st, a->json, shares_locally);
}

/* A fresh random token; false (message printed) if the system has no randomness. */
static bool new_token(char out[TOKEN_STR_LEN])
{
    if (token_generate(out))
        return true;
    cli_error("cannot generate a token: the system has no randomness to give");
    return false;
}

static int client_create(struct store *st, const struct client_args *a)
{
    char token[TOKEN_STR_LEN];
    if (!a->token && !new_token(token))
        return EXIT_FAILURE;
    const char *secret = a->token ? a->token : token;
    struct client c = {
        .role = a->role,
        .is_sharing_enabled = true,
        .local = !a->remote,
    };
    if (a->uuid[0])
        memcpy(c.uuid, a->uuid, UUID_STR_LEN);
    else
        uuid_generate_str(c.uuid);
    c.name = xstrdup(a->name);
    token_hash(secret, c.token_hash);
    enum store_rc rc = store_client_create(st, &c);
    if (rc == STORE_OK) {
        print_client_text(&c, secret);
        fputs("Keep the token now: it is not stored and cannot be shown again.\n", stderr);
    } else {
        cli_error("cannot create the client: %s", store_errmsg(st));
    }
    client_free(&c);
    return rc == STORE_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Loads the client named by --uuid; prints why not and returns false if it can't. */
static bool find_client(struct store *st, const char *uuid, struct client *out)
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

static bool save_client(struct store *st, const struct client *c)
{
    if (store_client_update(st, c) == STORE_OK)
        return true;
    cli_error("cannot update the client: %s", store_errmsg(st));
    return false;
}

static int client_delete(struct store *st, const struct client_args *a)
{
    struct client c = {0};
    if (!find_client(st, a->uuid, &c))
        return EXIT_FAILURE;
    buf question = BUF_INIT;
    buf_printf(&question, "Delete client '%s' (%s) and all its stats?", c.name, c.uuid);
    int rc = EXIT_FAILURE;
    if (cli_confirm(a->yes, question.data)) {
        if (store_client_delete(st, c.id) == STORE_OK) {
            printf("Client '%s' (%s) deleted, with its stats.\n", c.name, c.uuid);
            rc = EXIT_SUCCESS;
        } else {
            cli_error("cannot delete the client: %s", store_errmsg(st));
        }
    }
    buf_free(&question);
    client_free(&c);
    return rc;
}

static int client_token_reset(struct store *st, const struct client_args *a)
{
    char token[TOKEN_STR_LEN];
    struct client c = {0};
    if (!new_token(token) || !find_client(st, a->uuid, &c))
        return EXIT_FAILURE;
    token_hash(token, c.token_hash);
    int rc = EXIT_FAILURE;
    if (save_client(st, &c)) {
        printf("uuid: %s\nname: %s\ntoken: %s\n", c.uuid, c.name, token);
        fputs("The old token no longer works. Keep the new one now: it cannot be shown again.\n",
              stderr);
        rc = EXIT_SUCCESS;
    }
    client_free(&c);
    return rc;
}

/* Loads the client, lets `change` edit it, and writes it back. */
static int update_client(struct store *st, const struct client_args *a,
                         void (*change)(struct client *c, const struct client_args *a),
                         const char *done)
{
    struct client c = {0};
    if (!find_client(st, a->uuid, &c))
        return EXIT_FAILURE;
    change(&c, a);
    int rc = EXIT_FAILURE;
    if (save_client(st, &c)) {
        printf("Client '%s' (%s): %s.\n", c.name, c.uuid, done);
        rc = EXIT_SUCCESS;
    }
    client_free(&c);
    return rc;
}

static void set_coordinates(struct client *c, const struct client_args *a)
{
    c->has_coordinates = true;
    c->latitude = a->latitude;
    c->longitude = a->longitude;
}

static void unset_coordinates(struct client *c, const struct client_args *a)
{
    c->has_coordinates = false;
    c->latitude = c->longitude = 0;
}

static void enable_sharing(struct client *c, const struct client_args *a)
{
    c->is_sharing_enabled = true;
}

static void disable_sharing(struct client *c, const struct client_args *a)
{
    c->is_sharing_enabled = false;
}

static int client_coordinates_set(struct store *st, const struct client_args *a)
{
    return update_client(st, a, set_coordinates, "coordinates set");
}

static int client_coordinates_unset(struct store *st, const struct client_args *a)
{
    return update_client(st, a, unset_coordinates, "coordinates removed");
}

static int client_sharing_activate(struct store *st, const struct client_args *a)
{
    return update_client(st, a, enable_sharing, "sharing enabled");
}

static int client_sharing_deactivate(struct store *st, const struct client_args *a)
{
    return update_client(st, a, disable_sharing, "sharing disabled");
}

static const struct client_subcommand subcommands[] = {
    {"create", client_create, "nutrR", "n", "create a client and print its token (shown once)",
     "The client is local unless --remote is given, and shares its stats (see\n"
     "sharing-deactivate).  Prints its UUID, name, role, sharing flag, creation time\n"
     "and token: keep the token, only its hash is stored.\n"},
    {"list", client_list, "j", "", "list the clients (never their tokens: a fingerprint instead)",
     NULL},
    {"delete", client_delete, "uy", "u", "delete a client and all its stats",
     "Asks for confirmation on a terminal; without one, refuses unless --yes is given.\n"},
    {"token-reset", client_token_reset, "u", "u", "issue a new token; the old one stops working",
     NULL},
    {"coordinates-set", client_coordinates_set, "uao", "uao", "set where a client is on the map",
     NULL},
    {"coordinates-unset", client_coordinates_unset, "u", "u", "remove a client's coordinates", NULL},
    {"sharing-activate", client_sharing_activate, "u", "u", "let a client's stats be shared", NULL},
    {"sharing-deactivate", client_sharing_deactivate, "u", "u",
     "keep a client's stats out of sharing and public views", NULL},
    {"sharing-list", client_sharing_list, "j", "", "list the local clients that share their stats",
     NULL},
};

#define N_SUBCOMMANDS (sizeof subcommands / sizeof subcommands[0])

static const struct option_doc *option_by_key(int key)
{
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (options[i].key == key)
            return &options[i];
    return NULL;
}

static bool takes(const struct client_subcommand *sub, int key)
{
    return key == 'h' || strchr(sub->takes, key) != NULL;
}

static void print_subcommand_usage(const struct client_subcommand *sub)
{
    buf synopsis = BUF_INIT;
    for (const char *k = sub->takes; *k; k++) {
        const struct option_doc *o = option_by_key(*k);
        bool required = strchr(sub->requires, *k) != NULL;
        buf_printf(&synopsis, " %s--%s%s%s%s", required ? "" : "[", o->name, o->arg ? " " : "",
                   o->arg ? o->arg : "", required ? "" : "]");
    }
    printf("Usage: stats-service client %s%s\n\n%c%s.\n", sub->name,
           synopsis.data ? synopsis.data : "", toupper((unsigned char)sub->summary[0]),
           sub->summary + 1);
    if (sub->details)
        printf("%s", sub->details);
    puts("\nOptions:");
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const struct option_doc *o = &options[i];
        if (!takes(sub, o->key))
            continue;
        buf left = BUF_INIT;
        buf_printf(&left, "%s--%s%s%s", o->key == 'y' ? "-y, " : o->key == 'h' ? "-h, " : "    ",
                   o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        printf("  %-22s %s\n", left.data, o->help);
        buf_free(&left);
    }
    buf_free(&synopsis);
}

static void print_group_usage(FILE *out)
{
    fputs("Usage: stats-service client <subcommand> [options]\n\n", out);
    for (size_t i = 0; i < N_SUBCOMMANDS; i++)
        fprintf(out, "  %-19s %s\n", subcommands[i].name, subcommands[i].summary);
    fputs("\n'stats-service client <subcommand> --help' describes each one.\n", out);
}

/* A plain decimal number ("49.61", "-6"): no exponent, hex, inf or nan. */
static bool parse_degrees(const char *s, double min, double max, double *out)
{
    const char *p = s + (*s == '-' || *s == '+');
    size_t digits = strspn(p, "0123456789");
    p += digits;
    if (*p == '.') {
        size_t decimals = strspn(p + 1, "0123456789");
        digits += decimals;
        p += 1 + decimals;
    }
    if (digits == 0 || *p)
        return false;
    *out = strtod(s, NULL);
    return *out >= min && *out <= max;
}

/* Tokens travel in an HTTP header: printable ASCII, no spaces. */
static bool token_is_usable(const char *t)
{
    if (!*t)
        return false;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        if (*p <= ' ' || *p >= 0x7f)
            return false;
    return true;
}

/* Stores one option's value in *a; false (message printed) if it is not valid. */
static bool take_value(const struct client_subcommand *sub, int key, const char *v,
                       struct client_args *a)
{
    switch (key) {
    case 'n':
        a->name = v;
        if (strspn(v, " \t") == strlen(v)) {
            cli_error("client %s: --name must not be empty", sub->name);
            return false;
        }
        return true;
    case 'u':
        if (!uuid_normalize(v, a->uuid)) {
            cli_error("client %s: malformed UUID '%s' (expected 8-4-4-4-12 hexadecimal digits)",
                      sub->name, v);
            return false;
        }
        return true;
    case 't':
        a->token = v;
        if (!token_is_usable(v)) {
            cli_error("client %s: --token must be printable ASCII without spaces", sub->name);
            return false;
        }
        return true;
    case 'r':
        if (strcmp(v, "user") == 0 || strcmp(v, "1") == 0)
            a->role = CLIENT_ROLE_USER;
        else if (strcmp(v, "admin") == 0 || strcmp(v, "2") == 0)
            a->role = CLIENT_ROLE_ADMIN;
        else {
            cli_error("client %s: --role must be user or admin, not '%s'", sub->name, v);
            return false;
        }
        return true;
    case 'a':
        if (!parse_degrees(v, -90, 90, &a->latitude)) {
            cli_error("client %s: --latitude must be a number from -90 to 90, not '%s'", sub->name, v);
            return false;
        }
        return true;
    case 'o':
        if (!parse_degrees(v, -180, 180, &a->longitude)) {
            cli_error("client %s: --longitude must be a number from -180 to 180, not '%s'",
                      sub->name, v);
            return false;
        }
        return true;
    case 'R':
        a->remote = true;
        return true;
    case 'j':
        a->json = true;
        return true;
    case 'y':
        a->yes = true;
        return true;
    }
    return false;
}

static void report_bad_option(const struct client_subcommand *sub, int c, char **argv)
{
    if (c == ':')
        cli_error("client %s: option '%s' needs a value", sub->name, argv[optind - 1]);
    else if (optopt)
        cli_error("client %s: unknown option '-%c' (see --help)", sub->name, optopt);
    else
        cli_error("client %s: unknown option '%s' (see --help)", sub->name, argv[optind - 1]);
}

/*
 * Parses and checks the options of sub into *a.  Returns -1 to go on, else
 * the exit code: 0 after --help, 2 for a usage error (message printed).
 */
static int parse_options(const struct client_subcommand *sub, int argc, char **argv,
                         struct client_args *a)
{
    struct option longopts[N_OPTIONS + 1];
    size_t n = 0;
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (takes(sub, options[i].key))
            longopts[n++] = (struct option){options[i].name, options[i].has_arg, NULL, options[i].key};
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    /* '+': no reordering; ':': report a missing value apart from an unknown option. */
    const char *shortopts = takes(sub, 'y') ? "+:hy" : "+:h";
    optind = 0; /* glibc: start afresh on this argv */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (c == 'h') {
            print_subcommand_usage(sub);
            return EXIT_SUCCESS;
        }
        if (c == '?' || c == ':') {
            report_bad_option(sub, c, argv);
            return EXIT_USAGE;
        }
        if (!take_value(sub, c, optarg, a))
            return EXIT_USAGE;
    }
    if (optind < argc) {
        cli_error("client %s: unexpected argument '%s' (see --help)", sub->name, argv[optind]);
        return EXIT_USAGE;
    }
    return -1;
}

static bool is_given(const struct client_args *a, int key)
{
    switch (key) {
    case 'n':
        return a->name != NULL;
    case 'u':
        return a->uuid[0] != '\0';
    case 'a':
        return !isnan(a->latitude);
    case 'o':
        return !isnan(a->longitude);
    }
    return true;
}

/* The options a subcommand cannot do without; reports the first one missing. */
static bool has_required(const struct client_subcommand *sub, const struct client_args *a)
{
    for (const char *k = sub->requires; *k; k++) {
        if (!is_given(a, *k)) {
            cli_error("client %s: --%s is required (see --help)", sub->name, option_by_key(*k)->name);
            return false;
        }
    }
    return true;
}

static int run_subcommand(const struct config *cfg, const struct client_subcommand *sub, int argc,
                          char **argv)
{
    /* NAN: no coordinate given yet. */
    struct client_args a = {.role = CLIENT_ROLE_USER, .latitude = NAN, .longitude = NAN};
    int rc = parse_options(sub, argc, argv, &a);
    if (rc >= 0)
        return rc;
    if (!has_required(sub, &a))
        return EXIT_USAGE;
    struct store *st = cli_open_store(cfg);
    if (!st)
        return EXIT_FAILURE;
    int version = 0;
    if (store_schema_version(st, &version) != STORE_OK) {
        cli_error("cannot read the database: %s", store_errmsg(st));
        rc = EXIT_FAILURE;
    } else if (version == 0) {
        cli_error("the database has no schema yet: run 'stats-service db init' first");
        rc = EXIT_FAILURE;
    } else {
        rc = sub->run(st, &a);
    }
    store_close(st);
    return rc;
}

int cmd_client(struct config *cfg, int argc, char **argv)
{
    if (argc < 2) {
        print_group_usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_group_usage(stdout);
        return EXIT_SUCCESS;
    }
    for (size_t i = 0; i < N_SUBCOMMANDS; i++)
        if (strcmp(argv[1], subcommands[i].name) == 0)
            return run_subcommand(cfg, &subcommands[i], argc - 1, argv + 1);
    cli_error("client: unknown subcommand '%s' (see 'stats-service client --help')", argv[1]);
    return EXIT_USAGE;
}
