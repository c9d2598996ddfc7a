/*
 * answer_cache.h — the in-memory cache of the public JSON answers.
 *
 * Public answers (stats JSON, map) aggregate every sharing client's stats: they
 * are computed once and served from memory until the stats behind them
 * change.  An entry remembers the change counters (store_stats_versions) of
 * the stats types it was computed from; each request reads the counters (one
 * small indexed query, which sees the commits of every instance on the same
 * database) and an entry whose counters moved is computed again.
 *
 * Answers carry an ETag (a hash of the body, the same on every instance),
 * Last-Modified (when this instance computed it) and "Cache-Control: public,
 * no-cache"; a conditional request that matches gets 304.  An entry keeps the
 * gzip form of its body too, made when a client first takes it (and then kept
 * until the entry changes): a client that takes gzip gets that form
 * (http/encoding.h), under its own ETag.
 *
 * The cache is shared by the worker threads (one mutex) and bounded in
 * entries and bytes; the least recently used entry goes first.
 */
#ifndef WEB_ANSWER_CACHE_H
#define WEB_ANSWER_CACHE_H

#include <stdbool.h>

#include "http/request.h"
#include "store/store.h"

/* Bit of a stats type in a `types` mask. */
#define ANSWER_TYPE(t) (1u << (t))

/*
 * Answers the request from the cache (200 with the body, or 304) when `key`
 * holds an entry computed under the same counters for `types`; returns false
 * otherwise, leaving the request unanswered.
 */
bool answer_cache_serve(struct request *req, const char *key, unsigned types,
                        const struct stats_versions *now);

/*
 * Keeps the 200 answer just written in req->reply (with its content type:
 * JSON, or the open data's CSV) under `key` (computed under
 * `seen`, read before computing), and adds its validators; turns it into a 304
 * when the request's conditions match it.
 */
void answer_cache_store(struct request *req, const char *key, const struct stats_versions *seen);

#endif
