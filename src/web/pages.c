/*
 * pages.c — the dashboard pages: language choice, template filling, headers.
 *
 * The page templates are translated at build time (web/embed_assets.py), one
 * per language; what is only known per request — the proxy prefix, the
 * operator's contact, the counts of /about/more — fills their {{=name}}
 * placeholders here.  The charts themselves are drawn in the browser from the
 * public JSON endpoints (web/js/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "build_config.h"
#include "util/log.h"
#include "web/assets.h"
#include "web/web.h"

#define LANG_COOKIE "lang"
#define LANG_COOKIE_MAX_AGE (365 * 24 * 3600)
#define MAX_PAGE_VARS 12

/* The languages of the pages, English first: the default. */
static const char *const languages[] = {"en", "fr", "de", "nl"};
#define N_LANGUAGES (sizeof languages / sizeof languages[0])

/* The supported language whose code is s[0..len) (case-insensitive), or NULL. */
static const char *known_language(const char *s, size_t len)
{
    for (size_t i = 0; i < N_LANGUAGES; i++)
        if (len == 2 && strncasecmp(s, languages[i], 2) == 0)
            return languages[i];
    return NULL;
}

/* The quality of one Accept-Language item's parameters (";q=0.5"); 1 without. */
static double item_quality(const char *params, size_t len)
{
    const char *q = NULL;
    for (size_t i = 0; i + 1 < len; i++)
        if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=')
            q = params + i + 2;
    return q ? strtod(q, NULL) : 1.0;
}

/* The best supported language of an Accept-Language header ("fr-BE,fr;q=0.9,en;q=0.8"),
 * the first listed on a tie, or NULL. */
static const char *language_from_accept(const char *header)
{
    const char *best = NULL;
    double best_q = 0;
    for (const char *p = header; *p;) {
        p += strspn(p, " \t,");
        size_t item_len = strcspn(p, ",");
        size_t tag_len = strcspn(p, ";-, \t");
        size_t params_at = strcspn(p, ";,");
        const char *lang = known_language(p, tag_len);
        double q = params_at < item_len ? item_quality(p + params_at, item_len - params_at) : 1.0;
        if (lang && q > best_q) {
            best = lang;
            best_q = q;
        }
        p += item_len;
    }
    return best;
}

/* The language of the "lang" cookie, or NULL. */
static const char *language_from_cookie(const char *header)
{
    for (const char *p = header; *p;) {
        p += strspn(p, " \t;");
        size_t len = strcspn(p, ";");
        size_t name_len = strlen(LANG_COOKIE);
        if (len > name_len && strncmp(p, LANG_COOKIE "=", name_len + 1) == 0) {
            const char *value = p + name_len + 1;
            return known_language(value, len - name_len - 1);
        }
        p += len;
    }
    return NULL;
}

/* ?lang= (remembered in a cookie), then the cookie, then Accept-Language. */
static const char *choose_language(struct request *req, const char *prefix)
{
    const char *asked = request_query(req, "lang");
    const char *lang = asked ? known_language(asked, strlen(asked)) : NULL;
    if (lang) {
        buf cookie = BUF_INIT;
        buf_printf(&cookie, "%s=%s; Path=%s/; Max-Age=%d; SameSite=Lax", LANG_COOKIE, lang, prefix,
                   LANG_COOKIE_MAX_AGE);
        reply_header(req, "Set-Cookie", cookie.data);
        buf_free(&cookie);
        return lang;
    }
    const char *cookie = request_header(req, "Cookie");
    if (cookie && (lang = language_from_cookie(cookie)))
        return lang;
    const char *accept = request_header(req, "Accept-Language");
    if (accept && (lang = language_from_accept(accept)))
        return lang;
    return languages[0];
}

static void html_escape(buf *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        case '\'': buf_puts(out, "&#39;"); break;
        default: buf_putc(out, *s);
        }
    }
}

/* Copies the template, each {{=name}} replaced by its value, HTML-escaped
 * (the build made sure every name is one that pages provide). */
static void fill_template(buf *out, const struct web_asset *tpl, const struct web_var *vars,
                          size_t n_vars)
{
    const char *p = tpl->data, *end = tpl->data + tpl->len;
    const char *mark;
    while ((mark = memmem(p, (size_t)(end - p), "{{=", 3))) {
        const char *close = memmem(mark, (size_t)(end - mark), "}}", 2);
        if (!close)
            break;
        buf_append(out, p, (size_t)(mark - p));
        const char *name = mark + 3;
        size_t name_len = (size_t)(close - name);
        for (size_t i = 0; i < n_vars; i++) {
            if (strlen(vars[i].name) == name_len && memcmp(vars[i].name, name, name_len) == 0) {
                html_escape(out, vars[i].value);
                break;
            }
        }
        p = close + 2;
    }
    buf_append(out, p, (size_t)(end - p));
}

/*
 * The origin of the tile URL template as a CSP source: scheme and host, the
 * {s} subdomain placeholder becoming a * wildcard.  Empty when there is no
 * template or its host holds another placeholder.
 */
static void tiles_source(const char *url, buf *out)
{
    if (!url)
        return;
    const char *host = strstr(url, "://");
    if (!host)
        return;
    host += 3;
    size_t host_len = strcspn(host, "/");
    buf_append(out, url, (size_t)(host - url));
    for (size_t i = 0; i < host_len; i++) {
        if (strncmp(host + i, "{s}", 3) == 0) {
            buf_putc(out, '*');
            i += 2;
        } else if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.:[]",
                          host[i])) {
            buf_putc(out, host[i]);
        } else {
            buf_reset(out); /* another placeholder in the host: no source is right */
            return;
        }
    }
}

/* Scripts and styles from this instance only; no inline code, no eval.  The
 * map may load tiles from MAP_TILES_URL's host.  Swagger UI sets style
 * attributes from its scripts, which needs 'unsafe-inline' styles there. */
static void page_csp(struct request *req, const char *name, buf *out)
{
    buf tiles = BUF_INIT;
    if (strcmp(name, "map") == 0)
        tiles_source(req->cfg->map_tiles_url, &tiles);
    buf_printf(out,
               "default-src 'self'; script-src 'self'; style-src 'self'%s; img-src 'self' data: "
               "blob:%s%s; font-src 'self'; connect-src 'self'; object-src 'none'; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
               strcmp(name, "api-docs") == 0 ? " 'unsafe-inline'" : "", tiles.len ? " " : "",
               tiles.len ? tiles.data : "");
    buf_free(&tiles);
}

/* The page `name` in the visitor's language, answered with `status`. */
static void answer_page(struct request *req, const char *name, const struct web_var *vars,
                        size_t n_vars, unsigned status)
{
    buf prefix = BUF_INIT, key = BUF_INIT, csp = BUF_INIT;
    web_prefix(req, &prefix);
    const char *lang = choose_language(req, prefix.data);
    buf_printf(&key, "page/%s/%s", lang, name);
    const struct web_asset *tpl = web_asset_find(key.data);
    if (!tpl) {
        log_error("stats.web", "no embedded page %s", key.data);
        reply_error(req, 500, "Internal server error.", NULL);
    } else {
        /* The privacy floor, on <html>: the pages name it where it hides a figure;
         * the evolution's window, which /help names. */
        char min_organisations[16], evolution_window[16];
        snprintf(min_organisations, sizeof min_organisations, "%d", req->cfg->min_organisations);
        snprintf(evolution_window, sizeof evolution_window, "%d", req->cfg->evolution_window);
        struct web_var all[MAX_PAGE_VARS + 3] = {{"prefix", prefix.data},
                                                 {"min_organisations", min_organisations},
                                                 {"evolution_window", evolution_window}};
        size_t n = 3;
        for (size_t i = 0; i < n_vars && n < MAX_PAGE_VARS + 3; i++)
            all[n++] = vars[i];
        buf_reset(&req->reply);
        fill_template(&req->reply, tpl, all, n);
        req->status = status;
        req->content_type = tpl->mime;
        page_csp(req, name, &csp);
        reply_header(req, "Content-Security-Policy", csp.data);
        reply_header(req, "Cache-Control", "no-cache");
        reply_header(req, "Vary", "Accept-Language, Cookie");
        reply_header(req, "Content-Language", lang);
        req->compressible = true;
        reply_header(req, "X-Content-Type-Options", "nosniff");
    }
    buf_free(&prefix);
    buf_free(&key);
    buf_free(&csp);
}

void web_page(struct request *req, const char *name, const struct web_var *vars, size_t n_vars)
{
    answer_page(req, name, vars, n_vars, 200);
}

/* True when the client is a program, not a person: the API, JSON addresses,
 * and requests that do not ask for HTML (MONARC, curl, scripts): those keep
 * the JSON error they always had. */
static bool wants_json_error(struct request *req)
{
    size_t len = strlen(req->path);
    if (strcmp(req->path, "/api") == 0 || strncmp(req->path, "/api/", 5) == 0 ||
        (len >= 5 && strcmp(req->path + len - 5, ".json") == 0) || strstr(req->path, ".json/"))
        return true;
    const char *accept = request_header(req, "Accept");
    return !accept || !strstr(accept, "text/html");
}

void web_not_found_page(struct request *req)
{
    if (wants_json_error(req))
        reply_not_found(req);
    else
        answer_page(req, "not-found", NULL, 0, 404);
}

/* --- the pages --- */

static void page_index(struct request *req)
{
    web_page(req, "index", NULL, 0);
}

static void page_evolution(struct request *req)
{
    web_page(req, "evolution", NULL, 0);
}

static void page_help(struct request *req)
{
    web_page(req, "help", NULL, 0);
}

static void page_map(struct request *req)
{
    const char *tiles = req->cfg->map_tiles_url;
    struct web_var vars[] = {{"tiles_url", tiles ? tiles : ""}};
    web_page(req, "map", vars, 1);
}

static void page_about(struct request *req)
{
    struct web_var vars[] = {{"admin_email", req->cfg->admin_email},
                             {"admin_url", req->cfg->admin_url}};
    web_page(req, "about", vars, 2);
}

/* What a visitor wants to know of the instance: its version, and how many
 * organisations share, since when data came in.  Versions of the libraries and
 * the compiler are for the operator (`stats-service --version`), not for a
 * public page: they tell an attacker what to try. */
static void page_about_more(struct request *req)
{
    struct store_summary sum = {0};
    bool known = req->store && store_summary(req->store, &sum) == STORE_OK;
    if (req->store && !known)
        log_error("stats.web", "[req %llu] figures for /about/more: %s",
                  (unsigned long long)req->id, store_errmsg(req->store));
    char organisations[24] = "?", sharing[24] = "?", stats[24] = "?";
    if (known) {
        snprintf(organisations, sizeof organisations, "%lld", (long long)sum.organisations);
        snprintf(sharing, sizeof sharing, "%lld", (long long)sum.sharing_organisations);
        snprintf(stats, sizeof stats, "%lld", (long long)sum.stats);
    }
    struct web_var vars[] = {
        {"version", STATS_VERSION},
        {"build_date", STATS_BUILD_DATE},
        {"backend", req->store ? store_backend(req->store) : "?"},
        {"organisations", organisations},
        {"sharing", sharing},
        {"stats", stats},
        {"last_received", !known ? "?" : sum.last_received[0] ? sum.last_received : "\u2014"},
    };
    web_page(req, "about-more", vars, sizeof vars / sizeof vars[0]);
}

const struct route web_page_routes[] = {
    {"GET", "/", page_index, ROUTE_PUBLIC},
    {"GET", "/evolution", page_evolution, ROUTE_PUBLIC},
    {"GET", "/help", page_help, ROUTE_PUBLIC},
    {"GET", "/about", page_about, ROUTE_PUBLIC},
    {"GET", "/about/more", page_about_more, ROUTE_PUBLIC},
};
const size_t web_page_routes_count = sizeof web_page_routes / sizeof web_page_routes[0];

const struct route web_map_routes[] = {
    {"GET", "/map", page_map, ROUTE_PUBLIC},
};
const size_t web_map_routes_count = sizeof web_map_routes / sizeof web_map_routes[0];
