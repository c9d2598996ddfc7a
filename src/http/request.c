/*
 * request.c — reading a request and recording its answer (see request.h).
 */
#include "http/request.h"

#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/metrics.h"
#include "util/json.h"
#include "util/log.h"

const char *request_header(struct request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *request_query(struct request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool request_peer_address(struct request *req, unsigned char out[16])
{
    memset(out, 0, 16);
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr)
        return false;
    if (info->client_addr->sa_family == AF_INET) {
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &((const struct sockaddr_in *)info->client_addr)->sin_addr, 4);
        return true;
    }
    if (info->client_addr->sa_family != AF_INET6)
        return false;
    memcpy(out, &((const struct sockaddr_in6 *)info->client_addr)->sin6_addr, 16);
    return true;
}

bool request_etag_matches(struct request *req, const char *etag)
{
    const char *header = request_header(req, "If-None-Match");
    size_t etag_len = strlen(etag);
    for (const char *p = header ? header : ""; *p;) {
        p += strspn(p, " \t,");
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        size_t len = strcspn(p, ",");
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == etag_len && memcmp(p, etag, len) == 0)
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

bool request_is_local(struct request *req)
{
    unsigned char addr[16];
    if (request_header(req, "X-Forwarded-For") || !request_peer_address(req, addr))
        return false;
    struct in6_addr a;
    memcpy(&a, addr, 16);
    return IN6_IS_ADDR_LOOPBACK(&a) || (IN6_IS_ADDR_V4MAPPED(&a) && addr[12] == 127);
}

/* True for "application/json", with any parameters ("; charset=utf-8") and case. */
static bool is_json_media_type(const char *ct)
{
    static const char want[] = "application/json";
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, want, sizeof want - 1) != 0)
        return false;
    ct += sizeof want - 1;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

struct json_object *request_json_body(struct request *req, bool *absent)
{
    *absent = !req->has_body;
    if (!req->has_body)
        return NULL;
    const char *ct = request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!ct || !is_json_media_type(ct)) {
        reply_error(req, 415, "The request body must be JSON (Content-Type: application/json).",
                    NULL);
        return NULL;
    }
    char err[160];
    struct json_object *obj = json_parse_strict(req->body.data, req->body.len, err, sizeof err);
    if (!obj)
        reply_error(req, 400, err, NULL);
    return obj;
}

bool request_json_text(struct request *req, char **text, size_t *len)
{
    const char *ct = request_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!req->has_body || !ct || !is_json_media_type(ct))
        return false;
    *text = req->body.data;
    *len = req->body.len;
    return true;
}

char *request_body_take(struct request *req)
{
    return buf_detach(&req->body, NULL);
}

struct json_object *request_object_body(struct request *req, bool required)
{
    bool absent;
    struct json_object *body = request_json_body(req, &absent);
    if (!body) {
        if (absent && required)
            reply_error(req, 400, "A JSON object body is required.", NULL);
        else if (absent)
            return json_object_new_object();
        return NULL;
    }
    if (!json_object_is_type(body, json_type_object)) {
        json_object_put(body);
        reply_error(req, 400, "The request body must be a JSON object.", NULL);
        return NULL;
    }
    return body;
}

static const char *query_lookup(void *ctx, const char *name)
{
    return request_query(ctx, name);
}

struct query_names_walk {
    void (*fn)(void *arg, const char *name);
    void *arg;
};

static enum MHD_Result visit_query_name(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    struct query_names_walk *w = cls;
    w->fn(w->arg, key);
    return MHD_YES;
}

static void query_names(void *ctx, void (*fn)(void *arg, const char *name), void *arg)
{
    struct request *req = ctx;
    struct query_names_walk w = {fn, arg};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, visit_query_name, &w);
}

bool request_params(struct request *req, const struct param_spec *specs, size_t n,
                    struct param_value *values)
{
    struct json_object *body = request_object_body(req, false);
    if (!body)
        return false;
    struct param_source src = {body, query_lookup, query_names, req};
    struct error_list errs = ERROR_LIST_INIT;
    bool ok = params_parse(&src, specs, n, values, &errs);
    if (!ok)
        reply_error(req, 400, "Invalid parameters.", &errs);
    error_list_free(&errs);
    json_object_put(body);
    return ok;
}

/* --- answers --- */

/* Every answer replaces the one set before, shared or not. */
static void reset_reply(struct request *req)
{
    buf_reset(&req->reply);
    shared_bytes_unref(req->shared_reply);
    req->shared_reply = NULL;
    if (req->stream.release)
        req->stream.release(req->stream.cls);
    req->stream = (struct reply_stream){0};
}

void reply_json_begin(struct request *req, struct json_writer *w)
{
    reset_reply(req);
    jw_init(w, &req->reply);
}

void reply_json_end(struct request *req, const struct json_writer *w, unsigned status)
{
    assert(w->out == &req->reply && jw_done(w));
    req->status = status;
    req->content_type = "application/json";
}

void reply_error(struct request *req, unsigned status, const char *message,
                 const struct error_list *errors)
{
    struct json_writer w;
    reply_json_begin(req, &w);
    jw_object_begin(&w);
    jw_member_string(&w, "message", message);
    if (errors && errors->count) {
        jw_key(&w, "errors");
        error_list_to_json(errors, &w);
    }
    jw_object_end(&w);
    reply_json_end(req, &w, status);
}

void reply_errorf(struct request *req, unsigned status, const char *fmt, ...)
{
    buf msg = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    reply_error(req, status, msg.data ? msg.data : "", NULL);
    buf_free(&msg);
}

void reply_store_error(struct request *req, const char *what)
{
    metrics_db_error();
    log_error("stats.api", "[req %llu] %s: %s", (unsigned long long)req->id, what,
              req->store ? store_errmsg(req->store) : "no connection to the database");
    if (!req->store || store_unavailable(req->store)) {
        /* PostgreSQL restarting or out of reach: a later request reconnects,
         * and an upload sent again replaces what a lost commit may have kept. */
        reply_header(req, "Retry-After", DATABASE_RETRY_AFTER);
        reply_errorf(req, 503, "Service unavailable - the database does not answer; retry later "
                               "(request %llu).", (unsigned long long)req->id);
        return;
    }
    reply_errorf(req, 500, "Internal server error (request %llu).", (unsigned long long)req->id);
}

void reply_not_found(struct request *req)
{
    reply_error(req, 404, "Not Found - No such resource.", NULL);
}

void reply_empty(struct request *req, unsigned status)
{
    reset_reply(req);
    req->status = status;
    req->content_type = NULL;
}

void reply_text(struct request *req, unsigned status, const char *content_type, const char *text,
                size_t len)
{
    reset_reply(req);
    buf_append(&req->reply, text, len);
    req->status = status;
    req->content_type = content_type;
}

void reply_shared(struct request *req, unsigned status, const char *content_type, struct shared_bytes *body)
{
    reset_reply(req);
    req->shared_reply = shared_bytes_ref(body);
    req->status = status;
    req->content_type = content_type;
}

void reply_streamed(struct request *req, unsigned status, const char *content_type,
                    struct reply_stream stream)
{
    assert(stream.next && stream.release);
    reset_reply(req);
    req->stream = stream;
    req->status = status;
    req->content_type = content_type;
}

void reply_header(struct request *req, const char *name, const char *value)
{
    for (int i = 0; i < req->n_headers; i++) {
        if (strcasecmp(req->headers[i].name, name) == 0) {
            free(req->headers[i].value);
            req->headers[i].value = xstrdup(value);
            return;
        }
    }
    if (req->n_headers == RESPONSE_MAX_HEADERS)
        return;
    req->headers[req->n_headers].name = name;
    req->headers[req->n_headers].value = xstrdup(value);
    req->n_headers++;
}

void reply_vary(struct request *req, const char *name)
{
    for (int i = 0; i < req->n_headers; i++) {
        if (strcasecmp(req->headers[i].name, "Vary") == 0) {
            buf list = BUF_INIT;
            buf_printf(&list, "%s, %s", req->headers[i].value, name);
            free(req->headers[i].value);
            req->headers[i].value = buf_detach(&list, NULL);
            return;
        }
    }
    reply_header(req, "Vary", name);
}

void request_release(struct request *req)
{
    free(req->path);
    buf_free(&req->body);
    reset_reply(req);
    buf_free(&req->reply);
    if (req->authenticated)
        client_free(&req->client);
    free(req->api_key);
    for (int i = 0; i < ROUTE_MAX_PATH_PARAMS; i++)
        free(req->path_params[i]);
    for (int i = 0; i < req->n_headers; i++)
        free(req->headers[i].value);
}
