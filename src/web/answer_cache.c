/*
 * answer_cache.c — the in-memory cache of public JSON answers (see answer_cache.h).
 */
#include "web/answer_cache.h"

#include "http/encoding.h"
#include "util/gzip.h"
#include "util/hash.h"
#include "util/shared_bytes.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CACHE_ENTRIES 128
#define CACHE_MAX_BYTES (64u << 20)
#define ETAG_LEN 24       /* "\"" + 16 hex digits + "-gzip" + "\"" + NUL */
#define HTTP_DATE_LEN 32

struct entry {
    char *key;            /* NULL: free slot */
    const char *content_type; /* of the answer stored (static text: JSON, CSV) */
    struct shared_bytes *body; /* one reference; responses sending it hold others */
    char etag[ETAG_LEN];
    struct shared_bytes *gz;   /* body gzip-compressed, once per change, not per request (NULL: not yet) */
    char gz_etag[ETAG_LEN];
    time_t modified;
    int64_t versions[STATS_TYPE_COUNT];
    uint64_t used;        /* last use, for eviction */
};

static struct {
    pthread_mutex_t lock;
    struct entry entries[CACHE_ENTRIES];
    size_t bytes;
    uint64_t clock;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

/*
 * A body's fingerprint for its ETag; the gzip form's ETag is the same with
 * "-gzip".  Both are equal on every instance: the hash depends on the bytes
 * only (util/hash.h), and gzip_compress is deterministic.
 */
static void etags_of(const char *data, size_t len, char out[ETAG_LEN], char gz_out[ETAG_LEN])
{
    uint64_t h = hash_bytes(data, len);
    snprintf(out, ETAG_LEN, "\"%016llx\"", (unsigned long long)h);
    snprintf(gz_out, ETAG_LEN, "\"%016llx-gzip\"", (unsigned long long)h);
}

static void http_date(time_t t, char out[HTTP_DATE_LEN])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, HTTP_DATE_LEN, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* RFC 9110: If-None-Match decides when present; else If-Modified-Since. */
static bool not_modified(struct request *req, const char *etag, time_t modified)
{
    if (request_header(req, "If-None-Match"))
        return request_etag_matches(req, etag);
    const char *ims = request_header(req, "If-Modified-Since");
    struct tm tm = {0};
    if (!ims || !strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm))
        return false;
    return modified <= timegm(&tm);
}

/* Sets the validators, and answers 304 instead when the request's conditions match. */
static void finish_answer(struct request *req, const char *etag, time_t modified)
{
    char date[HTTP_DATE_LEN];
    http_date(modified, date);
    if (not_modified(req, etag, modified))
        reply_empty(req, 304);
    reply_header(req, "ETag", etag);
    reply_header(req, "Last-Modified", date);
    reply_header(req, "Cache-Control", "public, no-cache");
    reply_vary(req, "Accept-Encoding");
}

static bool same_versions(const struct entry *e, unsigned types, const struct stats_versions *v)
{
    for (int t = 0; t < STATS_TYPE_COUNT; t++)
        if ((types & ANSWER_TYPE(t)) && e->versions[t] != v->of_type[t])
            return false;
    return true;
}

static struct entry *find(const char *key)
{
    for (size_t i = 0; i < CACHE_ENTRIES; i++)
        if (cache.entries[i].key && strcmp(cache.entries[i].key, key) == 0)
            return &cache.entries[i];
    return NULL;
}

/* The bytes an entry keeps, both forms. */
static size_t entry_bytes(const struct entry *e)
{
    return shared_bytes_len(e->body) + (e->gz ? shared_bytes_len(e->gz) : 0);
}

static void drop(struct entry *e)
{
    cache.bytes -= entry_bytes(e);
    free(e->key);
    shared_bytes_unref(e->body);
    shared_bytes_unref(e->gz);
    *e = (struct entry){0};
}

/* A slot for a new entry: the key's old one, a free one, or the least recently used. */
static struct entry *slot_for(const char *key)
{
    struct entry *e = find(key), *oldest = &cache.entries[0];
    if (e)
        return e;
    for (size_t i = 0; i < CACHE_ENTRIES; i++) {
        if (!cache.entries[i].key)
            return &cache.entries[i];
        if (cache.entries[i].used < oldest->used)
            oldest = &cache.entries[i];
    }
    return oldest;
}

/* Makes room for `len` more bytes, least recently used first. */
static void evict_for(size_t len)
{
    while (cache.bytes + len > CACHE_MAX_BYTES) {
        struct entry *oldest = NULL;
        for (size_t i = 0; i < CACHE_ENTRIES; i++)
            if (cache.entries[i].key && (!oldest || cache.entries[i].used < oldest->used))
                oldest = &cache.entries[i];
        if (!oldest)
            return;
        drop(oldest);
    }
}

/* Whether the client takes the gzip form of an entry's body (it may not exist yet). */
static bool wants_gzip(struct request *req, size_t len)
{
    return request_choose_coding(req, true, len) == CODING_GZIP;
}

/* Answers with a gzip form. */
static void reply_gzip(struct request *req, const char *content_type, struct shared_bytes *packed)
{
    reply_shared(req, 200, content_type, packed);
    reply_header(req, "Content-Encoding", "gzip");
}

/* Answers with an entry's form the client takes (the gzip one exists when
 * gzip); copies that form's ETag to etag.  Under the lock: the entry's
 * references are only valid while it is held. */
static void reply_entry(struct request *req, const struct entry *e, bool gzip, char etag[ETAG_LEN])
{
    if (gzip) {
        assert(e->gz);
        reply_gzip(req, e->content_type, e->gz);
        memcpy(etag, e->gz_etag, ETAG_LEN);
    } else {
        reply_shared(req, 200, e->content_type, e->body);
        memcpy(etag, e->etag, ETAG_LEN);
    }
}

/*
 * Serves a hit whose gzip form nobody asked for yet: it is made outside the
 * lock (other requests go on meanwhile; the body is immutable and this
 * request holds a reference to it), then kept with the entry unless the entry
 * changed in between.
 */
static void serve_compressing(struct request *req, const char *key, struct entry *e)
{
    struct shared_bytes *body = shared_bytes_ref(e->body);
    const char *content_type = e->content_type;
    char etag[ETAG_LEN];
    memcpy(etag, e->gz_etag, ETAG_LEN);
    time_t modified = e->modified;
    pthread_mutex_unlock(&cache.lock);

    buf packed_text = BUF_INIT;
    gzip_compress(shared_bytes_data(body), shared_bytes_len(body), &packed_text);
    shared_bytes_unref(body);
    struct shared_bytes *packed = shared_bytes_take(&packed_text);
    pthread_mutex_lock(&cache.lock);
    struct entry *same = find(key);
    if (same && !same->gz && strcmp(same->gz_etag, etag) == 0) {
        same->gz = shared_bytes_ref(packed);
        cache.bytes += shared_bytes_len(packed);
        evict_for(0); /* back within the bound, least recently used first */
    }
    pthread_mutex_unlock(&cache.lock);
    reply_gzip(req, content_type, packed);
    shared_bytes_unref(packed);
    finish_answer(req, etag, modified);
}

bool answer_cache_serve(struct request *req, const char *key, unsigned types,
                        const struct stats_versions *now)
{
    pthread_mutex_lock(&cache.lock);
    struct entry *e = find(key);
    if (!e || !same_versions(e, types, now)) {
        pthread_mutex_unlock(&cache.lock);
        return false;
    }
    e->used = ++cache.clock;
    bool gzip = wants_gzip(req, shared_bytes_len(e->body));
    if (gzip && !e->gz) {
        serve_compressing(req, key, e); /* unlocks */
        return true;
    }
    char etag[ETAG_LEN];
    reply_entry(req, e, gzip, etag);
    time_t modified = e->modified;
    pthread_mutex_unlock(&cache.lock);
    finish_answer(req, etag, modified);
    return true;
}

void answer_cache_store(struct request *req, const char *key, const struct stats_versions *seen)
{
    const char *body = req->reply.data ? req->reply.data : "";
    size_t len = req->reply.len;
    struct entry fresh = {.modified = time(NULL), .content_type = req->content_type};
    assert(fresh.content_type);
    etags_of(body, len, fresh.etag, fresh.gz_etag);
    if (len > CACHE_MAX_BYTES / 4) { /* not kept: sent as it is, never compressed */
        finish_answer(req, fresh.etag, fresh.modified);
        return;
    }
    /* The gzip form is made when a client first takes it: an answer read only
     * by clients that do not never pays for it. */
    bool gzip = wants_gzip(req, len);
    if (gzip) {
        buf packed = BUF_INIT;
        gzip_compress(body, len, &packed);
        fresh.gz = shared_bytes_take(&packed);
    }
    fresh.key = xstrdup(key);
    fresh.body = shared_bytes_take(&req->reply);
    for (int t = 0; t < STATS_TYPE_COUNT; t++)
        fresh.versions[t] = seen->of_type[t];
    size_t bytes = entry_bytes(&fresh);
    pthread_mutex_lock(&cache.lock);
    evict_for(bytes);
    struct entry *e = slot_for(key);
    if (e->key)
        drop(e);
    fresh.used = ++cache.clock;
    *e = fresh;
    cache.bytes += bytes;
    char etag[ETAG_LEN];
    reply_entry(req, e, gzip, etag); /* before others may evict it */
    pthread_mutex_unlock(&cache.lock);
    finish_answer(req, etag, fresh.modified);
}
