/*
 * auth.c — the MONARC version gate and X-API-KEY authentication (see auth.h).
 */
#include "http/auth.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/ids.h"
#include "util/log.h"

#define MIN_MONARC_VERSION "2.10.2"
#define LAST_SEEN_PERIOD_S 60

/* Reads "N(.N)*" from *s, up to 4 parts; parts missing count as 0. */
static bool parse_version(const char *s, long parts[4])
{
    memset(parts, 0, 4 * sizeof *parts);
    for (int i = 0; i < 4; i++) {
        if (!isdigit((unsigned char)*s))
            return false;
        char *end;
        parts[i] = strtol(s, &end, 10);
        s = end;
        if (*s != '.')
            return true;
        s++;
    }
    return true;
}

bool auth_compare_version(const char *v, const char *ref, int *cmp)
{
    long a[4], b[4];
    if (!parse_version(v, a) || !parse_version(ref, b))
        return false;
    *cmp = 0;
    for (int i = 0; i < 4 && *cmp == 0; i++)
        *cmp = (a[i] > b[i]) - (a[i] < b[i]);
    return true;
}

bool auth_check_user_agent(struct request *req)
{
    const char *ua = request_header(req, "User-Agent");
    const char *monarc = ua ? strstr(ua, "MONARC/") : NULL;
    if (!monarc)
        return true;
    const char *version = monarc + strlen("MONARC/");
    int cmp;
    if (!auth_compare_version(version, MIN_MONARC_VERSION, &cmp)) {
        log_info("stats.auth", "[req %llu] unparsable MONARC version in User-Agent, let through",
                 (unsigned long long)req->id);
        return true;
    }
    if (cmp >= 0)
        return true;
    reply_error(req, 426, "This service requires use of MONARC version >= " MIN_MONARC_VERSION ".",
                NULL);
    return false;
}

/* True when last_seen ("YYYY-MM-DDTHH:MM:SSZ" or "") is older than the period. */
static bool last_seen_is_stale(const char *last_seen)
{
    struct tm tm = {0};
    if (!*last_seen || !strptime(last_seen, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return true;
    return time(NULL) - timegm(&tm) >= LAST_SEEN_PERIOD_S;
}

bool auth_authenticate(struct request *req)
{
    const char *key = request_header(req, "X-API-KEY");
    if (!key || !*key) {
        reply_error(req, 401, "Unauthorized - Authentication required.", NULL);
        return false;
    }
    if (!req->store) {
        reply_store_error(req, "authentication");
        return false;
    }
    char hash[TOKEN_HASH_STR_LEN];
    token_hash(key, hash);
    enum store_rc rc = store_client_by_token_hash(req->store, hash, &req->client);
    if (rc == STORE_ERROR) {
        reply_store_error(req, "authentication");
        return false;
    }
    if (rc != STORE_OK || !token_hash_equal(hash, req->client.token_hash)) {
        if (rc == STORE_OK)
            client_free(&req->client);
        reply_error(req, 403, "Forbidden - Authentication failed.", NULL);
        return false;
    }
    req->authenticated = true;
    req->api_key = xstrdup(key);
    /* A failed last_seen update must not fail the request: log it and go on. */
    if (last_seen_is_stale(req->client.last_seen) &&
        store_client_touch(req->store, req->client.id, LAST_SEEN_PERIOD_S) != STORE_OK)
        log_warning("stats.auth", "[req %llu] could not update last_seen: %s",
                    (unsigned long long)req->id, store_errmsg(req->store));
    return true;
}
