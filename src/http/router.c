/*
 * router.c — from (method, path) to a route's handler (see router.h).
 */
#include "http/router.h"

#include <string.h>

#include "http/auth.h"
#include "util/buf.h"

void router_normalize_path(char *path)
{
    char *out = path;
    for (const char *in = path; *in; in++) {
        if (*in == '/' && out > path && out[-1] == '/')
            continue;
        *out++ = *in;
    }
    if (out > path + 1 && out[-1] == '/')
        out--;
    if (out == path)
        *out++ = '/';
    *out = '\0';
}

/* Matches a pattern against a path segment by segment; "<…>" segments (and
 * "<…>.json": a segment ending so, the rest captured) are captured as
 * (pointer, length) pairs into path. */
static bool match(const char *pattern, const char *path, const char **params, size_t *n_params,
                  size_t *lens)
{
    *n_params = 0;
    while (*pattern && *path) {
        if (*pattern != '/' || *path != '/')
            return false;
        pattern++;
        path++;
        const char *pend = strchr(pattern, '/');
        size_t plen = pend ? (size_t)(pend - pattern) : strlen(pattern);
        const char *send = strchr(path, '/');
        size_t slen = send ? (size_t)(send - path) : strlen(path);
        const char *close = plen > 1 && pattern[0] == '<' ? memchr(pattern, '>', plen) : NULL;
        if (close) {
            /* "<name>" or "<name>.json": what comes after '>' must end the segment. */
            const char *suffix = close + 1;
            size_t suffix_len = plen - (size_t)(suffix - pattern);
            if (slen <= suffix_len || *n_params == ROUTE_MAX_PATH_PARAMS ||
                memcmp(path + slen - suffix_len, suffix, suffix_len) != 0)
                return false;
            params[*n_params] = path;
            lens[(*n_params)++] = slen - suffix_len;
        } else if (plen != slen || memcmp(pattern, path, plen) != 0) {
            return false;
        }
        pattern += plen;
        path += slen;
    }
    return *pattern == '\0' && *path == '\0';
}

/* Runs the gates a route asks for; false when one of them answered. */
static bool pass_gates(const struct route *r, struct request *req)
{
    if ((r->flags & ROUTE_UA_GATE) && !auth_check_user_agent(req))
        return false;
    if ((r->flags & (ROUTE_AUTH | ROUTE_ADMIN)) && !auth_authenticate(req))
        return false;
    if ((r->flags & ROUTE_ADMIN) && req->client.role != CLIENT_ROLE_ADMIN) {
        reply_error(req, 403, "Forbidden - Admin rights required.", NULL);
        return false;
    }
    return true;
}

void router_dispatch(const struct route_table *table, struct request *req)
{
    const struct route *routes = table->items;
    size_t n_routes = table->count;
    buf allow = BUF_INIT;
    const char *params[ROUTE_MAX_PATH_PARAMS];
    size_t lens[ROUTE_MAX_PATH_PARAMS];
    size_t n_params;
    const struct route *found = NULL;
    /* HEAD is answered like GET; MHD drops the body. */
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;

    for (size_t i = 0; i < n_routes; i++) {
        if (!match(routes[i].pattern, req->path, params, &n_params, lens))
            continue;
        if (!req->route)
            req->route = routes[i].pattern; /* also for a 405: the path's route */
        if (strcmp(routes[i].method, method) == 0) {
            found = &routes[i];
            break;
        }
        if (!allow.len || !strstr(allow.data, routes[i].method)) {
            if (allow.len)
                buf_puts(&allow, ", ");
            buf_puts(&allow, routes[i].method);
        }
    }

    if (found) {
        req->route = found->pattern;
        for (size_t i = 0; i < n_params; i++)
            req->path_params[i] = xstrndup(params[i], lens[i]);
        if (pass_gates(found, req))
            found->handler(req);
    } else if (allow.len) {
        reply_header(req, "Allow", allow.data);
        reply_errorf(req, 405, "Method %s is not allowed here (allowed: %s).", req->method,
                     allow.data);
    } else if (table->not_found) {
        table->not_found(req);
    } else {
        reply_not_found(req);
    }
    buf_free(&allow);
}
