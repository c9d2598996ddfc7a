/*
 * http_client.c — libcurl behind http_client.h: one easy handle reused for
 * keep-alive, the retry loop, and the few headers every request carries.
 */
#include "federation/http_client.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "build_config.h"
#include "util/json.h"

#define DEFAULT_BASE_DELAY_MS 1000u
#define MAX_DELAY_MS 60000u
#define MAX_RETRY_AFTER_S 300
#define MESSAGE_MAX 300 /* characters of a non-JSON body quoted in a message */
/* The largest answer read (1 GiB): far above a page of a thousand MONARC stats
 * (megabytes), it keeps a broken or hostile remote from filling memory. */
#define ANSWER_MAX ((size_t)1 << 30)

struct http_client {
    CURL *curl;
    struct http_client_options opts;
    unsigned base_delay_ms;
    char errbuf[CURL_ERROR_SIZE];
};

/* What one try produced, besides the body. */
struct attempt {
    long status;
    long retry_after_s;  /* 0 = none given */
};

static unsigned base_delay_from_env(void)
{
    const char *v = getenv("STATS_RETRY_BASE_MS");
    if (!v || !*v)
        return DEFAULT_BASE_DELAY_MS;
    char *end;
    errno = 0;
    unsigned long ms = strtoul(v, &end, 10);
    if (errno || *end || ms > MAX_DELAY_MS)
        return DEFAULT_BASE_DELAY_MS;
    return (unsigned)ms;
}

struct http_client *http_client_new(const struct http_client_options *o, char **err)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        *err = xstrdup("cannot initialise libcurl");
        return NULL;
    }
    CURL *curl = curl_easy_init();
    if (!curl) {
        curl_global_cleanup();
        *err = xstrdup("cannot initialise libcurl");
        return NULL;
    }
    struct http_client *c = xcalloc(1, sizeof *c);
    c->curl = curl;
    c->opts = *o;
    if (c->opts.tries < 1)
        c->opts.tries = 1;
    c->base_delay_ms = base_delay_from_env();
    return c;
}

void http_client_free(struct http_client *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->curl);
    free(c);
    curl_global_cleanup();
}

void http_response_free(struct http_response *r)
{
    buf_free(&r->body);
    r->status = 0;
}

/* Returning less than it was given makes libcurl stop (CURLE_WRITE_ERROR). */
static size_t collect_body(char *data, size_t size, size_t n, void *userdata)
{
    return buf_append(userdata, data, size * n) ? size * n : 0;
}

/* Notes a "Retry-After: <seconds>" header (the date form is not used by this service). */
static size_t read_header(char *data, size_t size, size_t n, void *userdata)
{
    struct attempt *a = userdata;
    size_t len = size * n;
    static const char name[] = "retry-after:";
    if (len > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0) {
        long s = strtol(data + sizeof name - 1, NULL, 10);
        a->retry_after_s = s > MAX_RETRY_AFTER_S ? MAX_RETRY_AFTER_S : s > 0 ? s : 0;
    }
    return len;
}

/* Errors that another try cannot cure: a bad URL, a certificate refused. */
static bool retryable(CURLcode code)
{
    switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
        return false;
    default:
        return true;
    }
}

static void set_options(struct http_client *c, const char *method, const char *url,
                        const char *json_body, struct curl_slist *headers, buf *body,
                        struct attempt *a)
{
    CURL *curl = c->curl;
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "stats-service/" STATS_VERSION);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)c->opts.timeout_s);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->opts.ca_file)
        curl_easy_setopt(curl, CURLOPT_CAINFO, c->opts.ca_file);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, a);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json_body ? json_body : "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(json_body ? strlen(json_body) : 0));
    } else {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }
}

static struct curl_slist *request_headers(const char *api_key, bool has_body)
{
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Accept: application/json");
    /* No "Expect: 100-continue" round trip before each batch. */
    h = curl_slist_append(h, "Expect:");
    if (has_body)
        h = curl_slist_append(h, "Content-Type: application/json");
    if (api_key) {
        buf line = BUF_INIT;
        buf_printf(&line, "X-API-KEY: %s", api_key);
        h = curl_slist_append(h, line.data);
        buf_free(&line);
    }
    return h;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* The wait before try `attempt` + 1: base × 2^(attempt − 1), capped, or Retry-After if longer. */
static unsigned backoff_ms(const struct http_client *c, int attempt, long retry_after_s)
{
    unsigned long ms = c->base_delay_ms;
    for (int i = 1; i < attempt && ms < MAX_DELAY_MS; i++)
        ms *= 2;
    if (ms > MAX_DELAY_MS)
        ms = MAX_DELAY_MS;
    if ((unsigned long)retry_after_s * 1000ul > ms)
        ms = (unsigned long)retry_after_s * 1000ul;
    return (unsigned)ms;
}

static void describe_failure(struct http_client *c, CURLcode code, const char *url, buf *why)
{
    buf_reset(why);
    buf_printf(why, "cannot reach %s: %s", url, curl_easy_strerror(code));
    if (c->errbuf[0])
        buf_printf(why, " (%s)", c->errbuf);
}

bool http_client_request(struct http_client *c, const char *method, const char *url,
                         const char *api_key, const char *json_body, struct http_response *resp,
                         char **err)
{
    struct curl_slist *headers = request_headers(api_key, json_body != NULL);
    buf why = BUF_INIT;
    bool answered = false;
    *resp = (struct http_response){0};
    buf_init_bounded(&resp->body, ANSWER_MAX);
    for (int attempt = 1; attempt <= c->opts.tries; attempt++) {
        struct attempt a = {0, 0};
        buf_reset(&resp->body);
        c->errbuf[0] = '\0';
        set_options(c, method, url, json_body, headers, &resp->body, &a);
        CURLcode code = curl_easy_perform(c->curl);
        if (code == CURLE_OK) {
            curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &a.status);
            resp->status = a.status;
            answered = true;
            if (a.status != 429 && a.status < 500)
                break;
            buf_reset(&why);
            buf_printf(&why, "%s answered %ld", url, a.status);
        } else if (resp->body.overflow) {
            /* The same remote would send the same answer again. */
            answered = false;
            buf_reset(&why);
            buf_printf(&why, "%s sent an answer larger than 1 GiB: not read", url);
            break;
        } else {
            answered = false;
            describe_failure(c, code, url, &why);
            if (!retryable(code))
                break;
        }
        if (attempt < c->opts.tries) {
            unsigned delay = backoff_ms(c, attempt, a.retry_after_s);
            if (c->opts.on_retry)
                c->opts.on_retry(c->opts.ctx, why.data, delay, attempt, c->opts.tries);
            sleep_ms(delay);
        }
    }
    curl_slist_free_all(headers);
    /* The body must be a string even when empty. */
    buf_append(&resp->body, "", 0);
    if (!answered) {
        *err = buf_detach(&why, NULL);
        http_response_free(resp);
        return false;
    }
    buf_free(&why);
    return true;
}

char *http_url_join(const char *base, const char *path)
{
    size_t len = strlen(base);
    while (len > 0 && base[len - 1] == '/')
        len--;
    buf url = BUF_INIT;
    buf_printf(&url, "%.*s%s", (int)len, base, path);
    return buf_detach(&url, NULL);
}

/* Appends " (<field>: <message>[, and N more])" from an "errors" list of the answer. */
static void append_first_error(buf *out, struct json_object *obj)
{
    struct json_object *errors, *field, *message;
    if (!json_object_object_get_ex(obj, "errors", &errors) ||
        !json_object_is_type(errors, json_type_array) || json_object_array_length(errors) == 0)
        return;
    struct json_object *first = json_object_array_get_idx(errors, 0);
    if (!json_object_object_get_ex(first, "field", &field) ||
        !json_object_object_get_ex(first, "message", &message))
        return;
    buf_printf(out, " (%s: %s", json_object_get_string(field), json_object_get_string(message));
    size_t more = json_object_array_length(errors) - 1;
    if (more)
        buf_printf(out, ", and %zu more", more);
    buf_putc(out, ')');
}

char *http_response_message(const struct http_response *r)
{
    char errtext[128];
    struct json_object *obj = json_parse_strict(r->body.data, r->body.len, errtext, sizeof errtext);
    struct json_object *message = NULL;
    buf out = BUF_INIT;
    if (obj && json_object_object_get_ex(obj, "message", &message) &&
        json_object_is_type(message, json_type_string)) {
        buf_puts(&out, json_object_get_string(message));
        append_first_error(&out, obj);
    } else if (r->body.len) {
        buf_printf(&out, "%.*s", r->body.len > MESSAGE_MAX ? MESSAGE_MAX : (int)r->body.len,
                   r->body.data);
    } else {
        buf_puts(&out, "no message");
    }
    json_object_put(obj);
    return buf_detach(&out, NULL);
}
