/*
 * answer_cache.c — the in-memory cache of public JSON answers (see answer_cache.h).
 */
#include "web/answer_cache.h"

#include "http/encoding.h"
#include "util/gzip.h"

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
    char *body;
    size_t len;
    char etag[ETAG_LEN];
    char *gz;             /* body gzip-compressed, once per change, not per request */
    size_t gz_len;
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

/* FNV-1a, 64 bits: a body's fingerprint for its ETag; the gzip form's ETag is
 * the same with "-gzip" (equal on every instance too: gzip_compress is
 * deterministic, and each form needs its own). */
static void etags_of(const char *data, size_t len, char out[ETAG_LEN], char gz_out[ETAG_LEN])
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)data[i];
        h *= 1099511628211ULL;
    }
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

/* Answers with the form the client takes; returns that form's ETag. */
static const char *answer_form(struct request *req, const struct entry *e)
{
    if (request_choose_coding(req, e->gz != NULL, e->len) == CODING_GZIP) {
        reply_text(req, 200, e->content_type, e->gz, e->gz_len);
        reply_header(req, "Content-Encoding", "gzip");
        return e->gz_etag;
    }
    reply_text(req, 200, e->content_type, e->body, e->len);
    return e->etag;
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

static void drop(struct entry *e)
{
    cache.bytes -= e->len + e->gz_len;
    free(e->key);
    free(e->body);
    free(e->gz);
    *e = (struct entry){0};
}

bool answer_cache_serve(struct request *req, const char *key, unsigned types,
                        const struct stats_versions *now)
{
    pthread_mutex_lock(&cache.lock);
    struct entry *e = find(key);
    bool hit = e && same_versions(e, types, now);
    if (hit) {
        e->used = ++cache.clock;
        char etag[ETAG_LEN];
        memcpy(etag, answer_form(req, e), ETAG_LEN);
        time_t modified = e->modified;
        pthread_mutex_unlock(&cache.lock);
        finish_answer(req, etag, modified);
        return true;
    }
    pthread_mutex_unlock(&cache.lock);
    return false;
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

void answer_cache_store(struct request *req, const char *key, const struct stats_versions *seen)
{
    const char *body = req->reply.data ? req->reply.data : "";
    size_t len = req->reply.len;
    struct entry fresh = {.len = len, .modified = time(NULL), .content_type = req->content_type};
    assert(fresh.content_type);
    etags_of(body, len, fresh.etag, fresh.gz_etag);
    if (len > CACHE_MAX_BYTES / 4) { /* not kept: sent as it is, never compressed */
        finish_answer(req, fresh.etag, fresh.modified);
        return;
    }
    buf packed = BUF_INIT;
    gzip_compress(body, len, &packed);
    fresh.key = xstrdup(key);
    fresh.body = buf_detach(&req->reply, NULL);
    fresh.gz = buf_detach(&packed, &fresh.gz_len);
    for (int t = 0; t < STATS_TYPE_COUNT; t++)
        fresh.versions[t] = seen->of_type[t];
    const char *etag = answer_form(req, &fresh);
    char chosen[ETAG_LEN];
    memcpy(chosen, etag, ETAG_LEN);
    pthread_mutex_lock(&cache.lock);
    evict_for(len + fresh.gz_len);
    struct entry *e = slot_for(key);
    if (e->key)
        drop(e);
    fresh.used = ++cache.clock;
    *e = fresh;
    cache.bytes += len + fresh.gz_len;
    pthread_mutex_unlock(&cache.lock);
    finish_answer(req, chosen, fresh.modified);
}
