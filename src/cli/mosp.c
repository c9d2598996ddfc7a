/*
 * mosp.c — `stats-service mosp is-object-published`: asks MOSP (MOSP_URL)
 * whether an object is published; prints True or False, like the original,
 * and with -v the object first, indented.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "federation/federation.h"

struct mosp_args {
    char uuid[UUID_STR_LEN];
    bool verbose;
};

static const struct cli_option options[] = {
    {"uuid", required_argument, 'u', false, "UUID", "UUID of the object"},
    {"verbose", no_argument, 'v', true, NULL, "print the object too"},
};

static int is_object_published(const struct cli_call *call)
{
    const struct mosp_args *a = call->args;
    const struct config *cfg = call->cfg;
    /* One try: REMOTE_RETRIES is for push and pull. */
    struct http_client_options o = {.timeout_s = cfg->remote_timeout, .tries = 1,
                                    .ca_file = cfg->remote_ca_file};
    char *err = NULL;
    struct http_client *http = http_client_new(&o, &err);
    bool published = false;
    struct json_object *answer = NULL;
    bool ok = http && mosp_is_object_published(http, cfg->mosp_url, a->uuid, &published, &answer,
                                               &err);
    http_client_free(http);
    if (!ok) {
        cli_error("mosp is-object-published: %s", err);
        free(err);
        return EXIT_FAILURE;
    }
    if (a->verbose && published)
        printf("%s\n", json_object_to_json_string_ext(answer, JSON_C_TO_STRING_PRETTY |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    puts(published ? "True" : "False");
    json_object_put(answer);
    return EXIT_SUCCESS;
}

static const struct cli_subcommand subcommands[] = {
    {"is-object-published", is_object_published, false, "uv", "u", NULL,
     "ask MOSP whether an object is published (prints True or False)",
     "Queries MOSP_URL/api/v2/object/?uuid=UUID.  With -v, a published object is\n"
     "printed too.  Exits non-zero when MOSP cannot be reached or answers oddly.\n"},
};

static bool take_value(const char *command, int key, const char *v, void *args)
{
    struct mosp_args *a = args;
    if (key == 'v') {
        a->verbose = true;
        return true;
    }
    if (key == 'u' && uuid_normalize(v, a->uuid))
        return true;
    cli_usage_error(command, "malformed UUID '%s' (expected 8-4-4-4-12 hexadecimal digits)", v);
    return false;
}

static bool is_given(const void *args, int key)
{
    const struct mosp_args *a = args;
    return key != 'u' || a->uuid[0] != '\0';
}

static const struct cli_group group = {
    "mosp", options, sizeof options / sizeof *options,
    subcommands, sizeof subcommands / sizeof *subcommands, take_value, is_given,
};

int cmd_mosp(struct config *cfg, int argc, char **argv)
{
    struct mosp_args a = {0};
    return cli_run_group(&group, cfg, argc, argv, &a);
}
