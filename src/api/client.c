/*
 * client.c — /api/v1/client: the calling client (me) and client registration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "util/json.h"
#include "util/log.h"

#define CLIENT_NAME_MAX 255
#define CLIENT_TOKEN_MIN 16
#define CLIENT_TOKEN_MAX 512

/* {"uuid", "name", "token", "role", "is_sharing_enabled"} — role as a string, as
 * the original answered and MONARC expects. */
static void reply_client(struct request *req, unsigned status, const struct client *c,
                         const char *token)
{
    char role[12];
    snprintf(role, sizeof role, "%d", (int)c->role);
    struct json_writer w;
    reply_json_begin(req, &w);
    jw_object_begin(&w);
    jw_member_string(&w, "uuid", c->uuid);
    jw_member_string(&w, "name", c->name);
    jw_member_string(&w, "token", token);
    jw_member_string(&w, "role", role);
    jw_member_bool(&w, "is_sharing_enabled", c->is_sharing_enabled);
    jw_object_end(&w);
    reply_json_end(req, &w, status);
}

static void get_me(struct request *req)
{
    reply_client(req, 200, &req->client, req->api_key);
}

/* Reads an optional member of a given JSON type; false (error added) if it has another. */
static bool optional_member(struct json_object *body, const char *name, enum json_type type,
                            const char *expected, struct json_object **out,
                            struct error_list *errs)
{
    *out = NULL;
    struct json_object *v;
    if (!json_object_object_get_ex(body, name, &v))
        return true;
    if (!json_object_is_type(v, type)) {
        error_list_add(errs, name, "Must be %s.", expected);
        return false;
    }
    *out = v;
    return true;
}

static bool valid_name(struct json_object *name, struct error_list *errs)
{
    size_t len = (size_t)json_object_get_string_len(name);
    if (len == 0 || len > CLIENT_NAME_MAX) {
        error_list_add(errs, "name", "Must be 1 to %d characters long.", CLIENT_NAME_MAX);
        return false;
    }
    if (strlen(json_object_get_string(name)) != len) {
        error_list_add(errs, "name", "Must not contain NUL characters.");
        return false;
    }
    return true;
}

static void patch_me(struct request *req)
{
    struct json_object *body = request_object_body(req, true);
    if (!body)
        return;
    struct error_list errs = ERROR_LIST_INIT;
    struct json_object *sharing, *name;
    optional_member(body, "is_sharing_enabled", json_type_boolean, "a boolean", &sharing, &errs);
    if (optional_member(body, "name", json_type_string, "a string", &name, &errs) && name)
        valid_name(name, &errs);
    if (errs.count) {
        reply_error(req, 400, "Invalid client data.", &errs);
        goto out;
    }
    struct client updated = req->client;
    if (sharing)
        updated.is_sharing_enabled = json_object_get_boolean(sharing);
    if (name)
        updated.name = (char *)json_object_get_string(name);
    enum store_rc rc = store_client_update(req->store, &updated);
    if (rc == STORE_CONFLICT) {
        reply_error(req, 409, "A client with this name already exists.", NULL);
    } else if (rc != STORE_OK) {
        reply_store_error(req, "client update");
    } else {
        reply_client(req, 201, &updated, req->api_key);
        log_info("stats.api", "[req %llu] client %s updated (sharing %s)",
                 (unsigned long long)req->id, updated.uuid,
                 updated.is_sharing_enabled ? "on" : "off");
    }
out:
    error_list_free(&errs);
    json_object_put(body);
}

static void post_client(struct request *req)
{
    if (!req->cfg->client_registration_open) {
        reply_error(req, 403, "Client registration is closed on this instance.", NULL);
        return;
    }
    struct json_object *body = request_object_body(req, true);
    if (!body)
        return;
    struct error_list errs = ERROR_LIST_INIT;
    struct json_object *name, *sharing, *token;
    if (optional_member(body, "name", json_type_string, "a string", &name, &errs)) {
        if (!name)
            error_list_add(&errs, "name", "Is required.");
        else
            valid_name(name, &errs);
    }
    optional_member(body, "is_sharing_enabled", json_type_boolean, "a boolean", &sharing, &errs);
    if (optional_member(body, "token", json_type_string, "a string", &token, &errs) && token) {
        size_t len = (size_t)json_object_get_string_len(token);
        if (len < CLIENT_TOKEN_MIN || len > CLIENT_TOKEN_MAX ||
            strlen(json_object_get_string(token)) != len)
            error_list_add(&errs, "token", "Must be %d to %d characters long.", CLIENT_TOKEN_MIN,
                           CLIENT_TOKEN_MAX);
    }
    if (errs.count) {
        reply_error(req, 400, "Invalid client data.", &errs);
        goto out;
    }

    char generated[TOKEN_STR_LEN];
    const char *tok = token ? json_object_get_string(token) : generated;
    if (!token && !token_generate(generated)) {
        reply_error(req, 500, "No randomness available to make a token.", NULL);
        goto out;
    }
    struct client c = {0};
    uuid_generate_str(c.uuid);
    c.name = (char *)json_object_get_string(name);
    token_hash(tok, c.token_hash);
    c.role = CLIENT_ROLE_USER; /* admins are made on the command line only */
    c.is_sharing_enabled = sharing ? json_object_get_boolean(sharing) : true;
    c.local = true;
    enum store_rc rc = store_client_create(req->store, &c);
    if (rc == STORE_CONFLICT)
        reply_error(req, 409, "A client with this name or token already exists.", NULL);
    else if (rc != STORE_OK)
        reply_store_error(req, "client creation");
    else {
        reply_client(req, 201, &c, tok);
        log_info("stats.api", "[req %llu] client %s created by %s", (unsigned long long)req->id,
                 c.uuid, req->client.uuid);
    }
out:
    error_list_free(&errs);
    json_object_put(body);
}

const struct route api_client_routes[] = {
    {"GET", "/api/v1/client/me", get_me, ROUTE_UA_GATE | ROUTE_AUTH},
    {"PATCH", "/api/v1/client/me", patch_me, ROUTE_UA_GATE | ROUTE_AUTH},
    {"POST", "/api/v1/client", post_client, ROUTE_UA_GATE | ROUTE_ADMIN},
};
const size_t api_client_routes_count = sizeof api_client_routes / sizeof api_client_routes[0];
