/*
 * http_client.h — outbound HTTP for push, pull and MOSP, over libcurl.
 *
 * One client keeps one connection alive between requests.  Every request has a
 * time limit (REMOTE_TIMEOUT), verifies TLS certificates (REMOTE_CA_FILE adds
 * a CA), announces itself as "stats-service/<version>", and is tried again
 * with exponential backoff (REMOTE_RETRIES tries in all) when the network
 * fails, times out, or the server answers 429 or 5xx.  A Retry-After given by
 * the server is honoured when it asks for more than the backoff.
 *
 * The first backoff delay is 1 s, doubling each time (at most 60 s).  The
 * environment variable STATS_RETRY_BASE_MS sets another first delay: it is
 * meant for tests, which must not sleep for seconds.
 */
#ifndef FEDERATION_HTTP_CLIENT_H
#define FEDERATION_HTTP_CLIENT_H

#include <stdbool.h>

#include "util/buf.h"

struct http_client_options {
    int timeout_s;          /* whole request, connection included */
    int tries;              /* ≥ 1 */
    const char *ca_file;    /* a PEM bundle to trust, or NULL */
    /* Told before each wait (may be NULL): why the try failed, how long the wait. */
    void (*on_retry)(void *ctx, const char *why, unsigned delay_ms, int attempt, int tries);
    void *ctx;
};

struct http_response {
    long status;
    buf body;
};

struct http_client;

/* NULL with *err (allocated) if libcurl cannot be set up. */
struct http_client *http_client_new(const struct http_client_options *o, char **err);
void http_client_free(struct http_client *c);

/*
 * Sends method (GET or POST) to url, with the JSON body (NULL: none) and the
 * X-API-KEY header (NULL: none).  Returns true when an HTTP answer came back,
 * whatever its status (429 and 5xx only after the last try), with *resp filled
 * (free it with http_response_free).  Returns false with *err (allocated) when
 * no try got an answer, or the answer was larger than 1 GiB (not tried again).
 */
bool http_client_request(struct http_client *c, const char *method, const char *url,
                         const char *api_key, const char *json_body, struct http_response *resp,
                         char **err);
void http_response_free(struct http_response *r);

/* base (trailing slashes ignored) followed by path ("/api/v1/stats/"), allocated. */
char *http_url_join(const char *base, const char *path);

/* The "message" of a JSON error answer, else the start of its body (allocated). */
char *http_response_message(const struct http_response *r);

#endif
