/*
 * proxy.c — the URL under which the client sees the service (see web.h).
 *
 * Behind a reverse proxy the service may sit under a path prefix and another
 * host name and scheme.  With FIX_PROXY on, the proxy's X-Forwarded-* headers
 * say so; they are checked against a strict character set before they reach
 * a link, since they come from the network.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "web/web.h"

/* Characters allowed in a forwarded prefix: an unreserved URL path. */
static bool prefix_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("/-._~", c) != NULL;
}

/* Characters allowed in a forwarded host: a name or an IP literal, and a port. */
static bool host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("-.:[]", c) != NULL;
}

static bool all_chars(const char *s, bool (*ok)(char))
{
    for (; *s; s++)
        if (!ok(*s))
            return false;
    return true;
}

/* A forwarded header, only when FIX_PROXY is on and it is not empty. */
static const char *forwarded(struct request *req, const char *name)
{
    if (!req->cfg->fix_proxy)
        return NULL;
    const char *v = request_header(req, name);
    return v && *v ? v : NULL;
}

void web_prefix(struct request *req, buf *out)
{
    buf_append(out, "", 0); /* out->data is a string from here on, also when empty */
    const char *p = forwarded(req, "X-Forwarded-Prefix");
    if (!p || p[0] != '/' || !all_chars(p, prefix_char) || strstr(p, "/.") || strstr(p, "//"))
        return;
    size_t len = strlen(p);
    while (len > 0 && p[len - 1] == '/')
        len--;
    buf_append(out, p, len);
}

void web_base_url(struct request *req, buf *out)
{
    const char *host = forwarded(req, "X-Forwarded-Host");
    if (host && strchr(host, ','))
        host = NULL; /* a chain of proxies: which one is ours is unknowable */
    if (host && all_chars(host, host_char)) {
        const char *proto = forwarded(req, "X-Forwarded-Proto");
        bool https = proto && strcasecmp(proto, "https") == 0;
        buf_printf(out, "%s://%s", https ? "https" : "http", host);
    } else {
        const char *url = req->cfg->instance_url;
        size_t len = strlen(url);
        while (len > 0 && url[len - 1] == '/')
            len--;
        buf_append(out, url, len);
    }
    web_prefix(req, out);
}
