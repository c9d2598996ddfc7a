/*
 * auth.c — the MONARC version gate, X-API-KEY authentication and the limit on
 * failed authentications per client address (see auth.h).
 */
#include "http/auth.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "util/ids.h"
#include "util/log.h"

#define MIN_MONARC_VERSION "2.10.2"
#define LAST_SEEN_PERIOD_S 60

/* The failure table: FAIL_SETS sets of FAIL_WAYS addresses, fixed size. */
#define FAIL_SETS 512
#define FAIL_WAYS 8

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

/* --- failed authentications per client address ---
 *
 * A token bucket per address: the bucket holds `limit` guesses and refills at
 * `limit` a minute; each unknown key costs one.  While the bucket is empty,
 * every request of that address that carries a key is answered 429 without
 * the key being looked at — else a guesser would still learn which guess is
 * right — so guessing goes no faster than the refill.  Successful
 * authentications cost nothing.
 *
 * The table has a fixed size: an address hashes (keyed by a random seed, so
 * collisions can't be aimed) into one set of FAIL_WAYS entries, and a new
 * address replaces the entry of the set that is the least in debt.  An address
 * spraying attacker therefore evicts its own fresh entries before the
 * exhausted ones.  IPv6 addresses count by /64, the block one host gets.
 */

struct fail_entry {
    unsigned char addr[16];   /* IPv4 as ::ffff:a.b.c.d, IPv6 /64 with the host part zeroed */
    bool used;
    double tokens;            /* guesses left, refilled up to the limit */
    double updated;           /* monotonic seconds of the last refill */
};

static struct fail_entry fail_table[FAIL_SETS][FAIL_WAYS];
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t fail_seed;

static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The last entry of an X-Forwarded-For list (the one our proxy appended). */
static bool forwarded_address(const char *list, unsigned char out[16])
{
    const char *last = strrchr(list, ',');
    last = last ? last + 1 : list;
    while (*last == ' ')
        last++;
    char text[INET6_ADDRSTRLEN];
    size_t len = strcspn(last, " ");
    if (len >= sizeof text)
        return false;
    memcpy(text, last, len);
    text[len] = '\0';
    struct in_addr v4;
    if (inet_pton(AF_INET, text, &v4) == 1) {
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &v4, 4);
        return true;
    }
    if (inet_pton(AF_INET6, text, out) != 1)
        return false;
    memset(out + 8, 0, 8);
    return true;
}

/* The address a request comes from: with FIX_PROXY, what the proxy says, else
 * the socket's peer.  16 bytes: IPv4 as ::ffff:a.b.c.d, IPv6 cut to its /64. */
static bool client_address(struct request *req, unsigned char out[16])
{
    memset(out, 0, 16);
    const char *fwd = req->cfg->fix_proxy ? request_header(req, "X-Forwarded-For") : NULL;
    if (fwd && forwarded_address(fwd, out))
        return true;
    if (!request_peer_address(req, out))
        return false;
    /* An IPv4 (mapped) peer is one host; a native IPv6 one counts by /64. */
    struct in6_addr peer;
    memcpy(&peer, out, 16);
    if (!IN6_IS_ADDR_V4MAPPED(&peer))
        memset(out + 8, 0, 8);
    return true;
}

/* FNV-1a over the address, started from the seed. */
static size_t fail_set_of(const unsigned char addr[16])
{
    if (!fail_seed && getrandom(&fail_seed, sizeof fail_seed, 0) != sizeof fail_seed)
        fail_seed = (uint64_t)time(NULL);
    uint64_t h = 1469598103934665603ULL ^ fail_seed;
    for (int i = 0; i < 16; i++) {
        h ^= addr[i];
        h *= 1099511628211ULL;
    }
    return (size_t)(h % FAIL_SETS);
}

static void refill(struct fail_entry *e, int limit, double now)
{
    e->tokens = fmin((double)limit, e->tokens + (now - e->updated) * limit / 60.0);
    e->updated = now;
}

/* The entry of addr (refilled to now), or NULL when it has none.  With
 * `create`, one is made, replacing the set's entry that is the least in debt. */
static struct fail_entry *fail_entry_of(const unsigned char addr[16], int limit, double now,
                                        bool create)
{
    struct fail_entry *set = fail_table[fail_set_of(addr)];
    struct fail_entry *victim = &set[0];
    for (int i = 0; i < FAIL_WAYS; i++) {
        struct fail_entry *e = &set[i];
        if (e->used)
            refill(e, limit, now);
        if (e->used && memcmp(e->addr, addr, 16) == 0)
            return e;
        if (!e->used || (victim->used && e->tokens > victim->tokens))
            victim = e;
    }
    if (!create)
        return NULL;
    memcpy(victim->addr, addr, 16);
    victim->used = true;
    victim->tokens = limit;
    victim->updated = now;
    return victim;
}

/* Seconds until addr may try a key again; 0 when it may now. */
static int fail_wait_s(const unsigned char addr[16], int limit)
{
    pthread_mutex_lock(&fail_lock);
    struct fail_entry *e = fail_entry_of(addr, limit, monotonic_s(), false);
    int wait = e && e->tokens < 1 ? (int)ceil((1 - e->tokens) * 60.0 / limit) : 0;
    pthread_mutex_unlock(&fail_lock);
    return wait;
}

static void fail_record(const unsigned char addr[16], int limit)
{
    pthread_mutex_lock(&fail_lock);
    struct fail_entry *e = fail_entry_of(addr, limit, monotonic_s(), true);
    e->tokens -= 1;
    pthread_mutex_unlock(&fail_lock);
}

/* 429 with Retry-After when the caller's address has used up its guesses. */
static bool refuse_while_limited(struct request *req, const unsigned char addr[16], int limit)
{
    int wait = fail_wait_s(addr, limit);
    if (!wait)
        return false;
    char seconds[16];
    snprintf(seconds, sizeof seconds, "%d", wait < 1 ? 1 : wait);
    reply_header(req, "Retry-After", seconds);
    reply_errorf(req, 429, "Too many failed authentications from this address; retry in %d s.",
                 wait);
    return true;
}

bool auth_authenticate(struct request *req)
{
    const char *key = request_header(req, "X-API-KEY");
    if (!key || !*key) {
        reply_error(req, 401, "Unauthorized - Authentication required.", NULL);
        return false;
    }
    int limit = req->cfg->auth_failures_per_minute;
    unsigned char addr[16];
    bool limited = limit > 0 && client_address(req, addr);
    if (limited && refuse_while_limited(req, addr, limit))
        return false;
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
        if (limited)
            fail_record(addr, limit);
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
