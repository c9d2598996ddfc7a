/*
 * client.c — `stats-service client …`: create, list and delete clients, reset
 * their tokens, set their coordinates and sharing flag (docs/cli.md).
 *
 * The subcommands share one set of options, described once in `options`;
 * each subcommand says which of them it takes and which it requires.  The
 * shared dispatcher (cli_run_group) parses them through take_value before the
 * database is opened, so each subcommand works on checked arguments and an
 * open store.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/buf.h"
#include "util/ids.h"
#include "util/json.h"
#include "util/json_writer.h"

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

static const struct cli_option options[] = {
    {"name", required_argument, 'n', false, "NAME", "name of the client (unique)"},
    {"uuid", required_argument, 'u', false, "UUID", "UUID of the client"},
    {"token", required_argument, 't', false, "TOKEN", "token to give the client (default: a new random one)"},
    {"role", required_argument, 'r', false, "user|admin", "role of the client (default: user)"},
    {"remote", no_argument, 'R', false, NULL, "a client holding stats pulled from another instance"},
    {"latitude", required_argument, 'a', false, "DEG", "latitude, -90 to 90"},
    {"longitude", required_argument, 'o', false, "DEG", "longitude, -180 to 180"},
    {"json", no_argument, 'j', false, NULL, "print JSON instead of text"},
    {"yes", no_argument, 'y', true, NULL, "do not ask for confirmation"},
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

static void put_json_coordinate(struct json_writer *w, const char *key, bool has, double value)
{
    jw_key(w, key);
    if (has)
        jw_double(w, value);
    else
        jw_null(w);
}

static void put_client_json(struct json_writer *w, const struct client *c)
{
    char fp[FINGERPRINT_LEN + 1];
    fingerprint(c, fp);
    jw_object_begin(w);
    jw_member_string(w, "uuid", c->uuid);
    jw_member_string(w, "name", c->name);
    jw_member_string(w, "role", role_name(c->role));
    jw_member_bool(w, "local", c->local);
    jw_member_bool(w, "is_sharing_enabled", c->is_sharing_enabled);
    put_json_coordinate(w, "latitude", c->has_coordinates, c->latitude);
    put_json_coordinate(w, "longitude", c->has_coordinates, c->longitude);
    jw_member_string(w, "last_seen", c->last_seen[0] ? c->last_seen : NULL);
    jw_member_string(w, "created_at", c->created_at);
    jw_member_string(w, "token_fingerprint", fp);
    jw_object_end(w);
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
    struct json_writer w;
    jw_init(&w, &array);
    jw_array_begin(&w);
    bool first = true;
    for (size_t i = 0; i < list.count; i++) {
        if (!keep(&list.items[i]))
            continue;
        if (json) {
            put_client_json(&w, &list.items[i]);
        } else {
            if (!first)
                putchar('\n');
            print_client_text(&list.items[i], NULL);
        }
        first = false;
    }
    jw_array_end(&w);
    if (json)
        printf("%s\n", array.data);
    buf_free(&array);
    client_list_free(&list);
    return EXIT_SUCCESS;
}

static int client_list(const struct cli_call *call)
{
    struct store *st = call->store;
    const struct client_args *a = call->args;
    return print_clients(st, a->json, show_all);
}

static int client_sharing_list(const struct cli_call *call)
{
    struct store *st = call->store;
    const struct client_args *a = call->args;
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

static int client_create(const struct cli_call *call)
{
    struct store *st = call->store;
    const struct client_args *a = call->args;
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

static bool save_client(struct store *st, const struct client *c)
{
    if (store_client_update(st, c) == STORE_OK)
        return true;
    cli_error("cannot update the client: %s", store_errmsg(st));
    return false;
}

static int client_delete(const struct cli_call *call)
{
    struct store *st = call->store;
    const struct client_args *a = call->args;
    struct client c = {0};
    if (!cli_find_client(st, a->uuid, &c))
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

static int client_token_reset(const struct cli_call *call)
{
    struct store *st = call->store;
    const struct client_args *a = call->args;
    char token[TOKEN_STR_LEN];
    struct client c = {0};
    if (!new_token(token) || !cli_find_client(st, a->uuid, &c))
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
    if (!cli_find_client(st, a->uuid, &c))
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

static int client_coordinates_set(const struct cli_call *call)
{
    struct store *st = call->store;
    const struct client_args *a = call->args;
    return update_client(st, a, set_coordinates, "coordinates set");
}

static int client_coordinates_unset(const struct cli_call *call)
{
    struct store *st = call->store;
    const struct client_args *a = call->args;
    return update_client(st, a, unset_coordinates, "coordinates removed");
}

static int client_sharing_activate(const struct cli_call *call)
{
    struct store *st = call->store;
    const struct client_args *a = call->args;
    return update_client(st, a, enable_sharing, "sharing enabled");
}

static int client_sharing_deactivate(const struct cli_call *call)
{
    struct store *st = call->store;
    const struct client_args *a = call->args;
    return update_client(st, a, disable_sharing, "sharing disabled");
}

static const struct cli_subcommand subcommands[] = {
    {"create", client_create, true, "nutrR", "n", NULL,
     "create a client and print its token (shown once)",
     "The client is local unless --remote is given, and shares its stats (see\n"
     "sharing-deactivate).  Prints its UUID, name, role, sharing flag, creation time\n"
     "and token: keep the token, only its hash is stored.\n"},
    {"list", client_list, true, "j", "", NULL,
     "list the clients (never their tokens: a fingerprint instead)", NULL},
    {"delete", client_delete, true, "uy", "u", NULL, "delete a client and all its stats",
     "Asks for confirmation on a terminal; without one, refuses unless --yes is given.\n"},
    {"token-reset", client_token_reset, true, "u", "u", NULL,
     "issue a new token; the old one stops working", NULL},
    {"coordinates-set", client_coordinates_set, true, "uao", "uao", NULL,
     "set where a client is on the map", NULL},
    {"coordinates-unset", client_coordinates_unset, true, "u", "u", NULL,
     "remove a client's coordinates", NULL},
    {"sharing-activate", client_sharing_activate, true, "u", "u", NULL,
     "let a client's stats be shared", NULL},
    {"sharing-deactivate", client_sharing_deactivate, true, "u", "u", NULL,
     "keep a client's stats out of sharing and public views", NULL},
    {"sharing-list", client_sharing_list, true, "j", "", NULL,
     "list the local clients that share their stats", NULL},
};

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

/* Stores one option's value in *a; false (message printed) if it is not valid. */
static bool take_value(const char *command, int key, const char *v, void *args)
{
    struct client_args *a = args;
    switch (key) {
    case 'n':
        a->name = v;
        if (strspn(v, " \t") == strlen(v)) {
            cli_usage_error(command, "--name must not be empty");
            return false;
        }
        return true;
    case 'u':
        if (!uuid_normalize(v, a->uuid)) {
            cli_usage_error(command, "malformed UUID '%s' (expected 8-4-4-4-12 hexadecimal digits)",
                            v);
            return false;
        }
        return true;
    case 't':
        a->token = v;
        if (!cli_token_is_usable(v)) {
            cli_usage_error(command, "--token must be printable ASCII without spaces");
            return false;
        }
        return true;
    case 'r':
        if (strcmp(v, "user") == 0 || strcmp(v, "1") == 0)
            a->role = CLIENT_ROLE_USER;
        else if (strcmp(v, "admin") == 0 || strcmp(v, "2") == 0)
            a->role = CLIENT_ROLE_ADMIN;
        else {
            cli_usage_error(command, "--role must be user or admin, not '%s'", v);
            return false;
        }
        return true;
    case 'a':
        if (!parse_degrees(v, -90, 90, &a->latitude)) {
            cli_usage_error(command, "--latitude must be a number from -90 to 90, not '%s'", v);
            return false;
        }
        return true;
    case 'o':
        if (!parse_degrees(v, -180, 180, &a->longitude)) {
            cli_usage_error(command, "--longitude must be a number from -180 to 180, not '%s'", v);
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

static bool is_given(const void *args, int key)
{
    const struct client_args *a = args;
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

static const struct cli_group group = {
    "client", options, sizeof options / sizeof *options,
    subcommands, sizeof subcommands / sizeof *subcommands, take_value, is_given,
};

int cmd_client(struct config *cfg, int argc, char **argv)
{
    /* NAN: no coordinate given yet. */
    struct client_args a = {.role = CLIENT_ROLE_USER, .latitude = NAN, .longitude = NAN};
    return cli_run_group(&group, cfg, argc, argv, &a);
}
