/*
 * about.c — what a program or a person asks about the instance: /about.json,
 * /robots.txt, /human.txt and /.well-known/security.txt (RFC 9116).
 */
#include <string.h>

#include "build_config.h"
#include "web/web.h"

#define TEXT_PLAIN "text/plain; charset=utf-8"

static void reply_plain(struct request *req, buf *text)
{
    reply_text(req, 200, TEXT_PLAIN, text->data, text->len);
    reply_header(req, "Cache-Control", "public, max-age=3600");
    reply_header(req, "X-Content-Type-Options", "nosniff");
}

/* {"version", "version_url", "api_v1_root", "contact"} as the original answered. */
static void about_json(struct request *req)
{
    buf prefix = BUF_INIT, base = BUF_INIT, url = BUF_INIT;
    web_prefix(req, &prefix);
    web_base_url(req, &base);
    struct json_writer w;
    reply_json_begin(req, &w);
    jw_object_begin(&w);
    jw_member_string(&w, "version", STATS_VERSION);
    buf_printf(&url, "%s/about/more", base.data);
    jw_member_string(&w, "version_url", url.data);
    buf_reset(&url);
    buf_printf(&url, "%s/api/v1/", prefix.data);
    jw_member_string(&w, "api_v1_root", url.data);
    jw_member_string(&w, "contact", req->cfg->admin_email);
    jw_object_end(&w);
    reply_json_end(req, &w, 200);
    reply_header(req, "Cache-Control", "no-cache");
    buf_free(&prefix);
    buf_free(&base);
    buf_free(&url);
}

/* The pages may be indexed; the JSON interfaces are for programs. */
static void robots_txt(struct request *req)
{
    buf prefix = BUF_INIT, text = BUF_INIT;
    web_prefix(req, &prefix);
    buf_printf(&text,
               "User-agent: *\n"
               "Disallow: %s/api/\n"
               "Disallow: %s/admin/\n"
               "Disallow: %s/stats/\n"
               "Allow: %s/\n",
               prefix.data, prefix.data, prefix.data, prefix.data);
    reply_plain(req, &text);
    buf_free(&prefix);
    buf_free(&text);
}

/* Who runs this instance and what it is made of. */
static void human_txt(struct request *req)
{
    buf text = BUF_INIT;
    buf_printf(&text,
               "/* TEAM */\n"
               "Operator: %s\n"
               "Contact: %s\n"
               "\n"
               "/* SITE */\n"
               "Software: Stats Service for MONARC %s (C17, libmicrohttpd)\n"
               "Built: %s\n"
               "Languages: English, French, German, Dutch\n"
               "Components: Bootstrap, Chart.js, Leaflet, world-atlas (Natural Earth), "
               "topojson-client, Swagger UI, Inter\n"
               "Standards: HTTP/1.1, JSON, OpenAPI 3, RFC 9116\n",
               req->cfg->admin_url, req->cfg->admin_email, STATS_VERSION, STATS_BUILD_DATE);
    reply_plain(req, &text);
    buf_free(&text);
}

/* RFC 9116: Contact and Expires are required; Expires is a date-time. */
static void security_txt(struct request *req)
{
    buf base = BUF_INIT, text = BUF_INIT;
    web_base_url(req, &base);
    const char *expires = req->cfg->security_txt_expires;
    bool date_only = strlen(expires) == 10;
    buf_printf(&text,
               "Contact: %s\n"
               "Expires: %s%s\n"
               "Preferred-Languages: en, fr, de, nl\n"
               "Canonical: %s/.well-known/security.txt\n",
               req->cfg->security_contact, expires, date_only ? "T00:00:00Z" : "", base.data);
    reply_plain(req, &text);
    buf_free(&base);
    buf_free(&text);
}

const struct route web_about_routes[] = {
    {"GET", "/about.json", about_json, ROUTE_PUBLIC},
    {"GET", "/robots.txt", robots_txt, ROUTE_PUBLIC},
    {"GET", "/human.txt", human_txt, ROUTE_PUBLIC},
    {"GET", "/.well-known/security.txt", security_txt, ROUTE_PUBLIC},
};
const size_t web_about_routes_count = sizeof web_about_routes / sizeof web_about_routes[0];
