/*
 * stats.c — /api/v1/stats: ingest, list, per-analysis read and delete.
 *
 * Handlers validate the request, call the store, and write the answer.  The
 * stored `data` is JSON text already: answers splice it in as it is, without
 * parsing it again.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/metrics.h"
#include "util/json.h"
#include "util/log.h"
#include "util/strmap.h"

#define DEFAULT_PERIOD_MONTHS 3

static void reply_page(struct request *req, const struct stats_page *page, int64_t offset,
                       int64_t limit)
{
    struct json_writer w;
    reply_json_begin(req, &w);
    jw_object_begin(&w);
    jw_key(&w, "metadata");
    jw_object_begin(&w);
    jw_member_int(&w, "count", (int64_t)page->count);
    jw_member_int(&w, "total", page->total);
    jw_member_int(&w, "offset", offset);
    jw_member_int(&w, "limit", limit);
    jw_object_end(&w);
    jw_key(&w, "data");
    jw_array_begin(&w);
    for (size_t i = 0; i < page->count; i++) {
        const struct stats_row *r = &page->rows[i];
        stats_json(&w, r->uuid, r->anr, r->type, r->date, r->data);
    }
    jw_array_end(&w);
    jw_object_end(&w);
    reply_json_end(req, &w, 200);
}

/* The scope of a caller: its own stats, or everybody's for an admin. */
static int64_t scope_of(const struct request *req)
{
    return req->client.role == CLIENT_ROLE_ADMIN ? 0 : req->client.id;
}

/* --- POST /api/v1/stats --- */

/* Reports items of the batch that share (anr, type, date): the store keeps one
 * stats per natural key, so such a batch is ambiguous. */
static void check_duplicate_keys(const struct stats_item *items, const bool *valid, size_t n,
                                 struct error_list *errs)
{
    for (size_t i = 0; i < n; i++) {
        if (!valid[i])
            continue;
        for (size_t j = 0; j < i; j++) {
            if (valid[j] && items[i].type == items[j].type &&
                strcmp(items[i].date, items[j].date) == 0 &&
                strcmp(items[i].anr, items[j].anr) == 0) {
                char field[32];
                snprintf(field, sizeof field, "[%zu]", i);
                error_list_add(errs, field,
                               "Same anr, type and date as item [%zu]: one stats per analysis, "
                               "type and day.", j);
                break;
            }
        }
    }
}

/*
 * The upload as items, valid[i] telling which are: the fast path reads a valid
 * upload in one pass (stats_upload_read), its items' data left in the body it
 * takes (*body, which they may point into), their facts' labels in `labels`;
 * anything it leaves — every invalid
 * upload among others — is read by json-c and stats_item_from_json, the one
 * source of the error answers, which the fast path thus never has to copy
 * (*body NULL: the items own their data).  False when the answer is already
 * set (no body, not JSON, not a list).
 */
static bool read_upload(struct request *req, struct stats_item **items, bool **valid, size_t *n,
                        char **body, struct strmap *labels, struct error_list *errs)
{
    char *text;
    size_t len;
    *body = NULL;
    if (request_json_text(req, &text, &len) && stats_upload_read(text, len, labels, items, n)) {
        *body = request_body_take(req);
        assert(*body == text);
        *valid = xcalloc(*n ? *n : 1, sizeof **valid);
        for (size_t i = 0; i < *n; i++)
            (*valid)[i] = true;
        return true;
    }
    bool absent;
    struct json_object *doc = request_json_body(req, &absent);
    if (!doc) {
        if (absent)
            reply_error(req, 400, "A JSON list of stats is required.", NULL);
        return false;
    }
    if (!json_object_is_type(doc, json_type_array)) {
        json_object_put(doc);
        reply_error(req, 400, "The request body must be a JSON list of stats.", NULL);
        return false;
    }
    *n = json_object_array_length(doc);
    *items = xcalloc(*n, sizeof **items);
    *valid = xcalloc(*n, sizeof **valid);
    for (size_t i = 0; i < *n; i++)
        (*valid)[i] = stats_item_from_json(json_object_array_get_idx(doc, i), i, &(*items)[i], errs);
    json_object_put(doc);
    return true;
}

/* Bytes of the 201 an upload's answer writes before MHD asks for more. */
#define UPLOAD_ANSWER_PART ((size_t)64 * 1024)

/*
 * The 201 of an upload, written as it is sent (reply_streamed): it echoes
 * every stats, and that of a 30 MB upload need not be held whole next to the
 * upload.  Owns the stored items and the body their data may point into.
 */
struct upload_answer {
    struct json_writer w;
    struct upsert_result stored;
    struct stats_item *items;
    size_t n, written;
    char *body;
};

static bool upload_answer_next(void *cls, buf *out)
{
    struct upload_answer *a = cls;
    if (jw_done(&a->w))
        return false;
    a->w.out = out;
    if (a->w.depth == 0) {
        jw_object_begin(&a->w);
        jw_key(&a->w, "metadata");
        jw_object_begin(&a->w);
        jw_member_int(&a->w, "count", (int64_t)(a->stored.created + a->stored.updated));
        jw_member_int(&a->w, "created", (int64_t)a->stored.created);
        jw_member_int(&a->w, "updated", (int64_t)a->stored.updated);
        jw_member_int(&a->w, "offset", 0);
        jw_member_int(&a->w, "limit", 0);
        jw_object_end(&a->w);
        jw_key(&a->w, "data");
        jw_array_begin(&a->w);
    }
    for (; a->written < a->n && out->len < UPLOAD_ANSWER_PART; a->written++) {
        const struct stats_item *item = &a->items[a->written];
        stats_json(&a->w, item->uuid, item->anr, item->type, item->date, item->data);
    }
    if (a->written == a->n) {
        jw_array_end(&a->w);
        jw_object_end(&a->w);
    }
    return true;
}

/* Items of read_upload, valid or not: an invalid one was left zeroed. */
static void free_items(struct stats_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        stats_item_free(&items[i]);
    free(items);
}

static void upload_answer_free(void *cls)
{
    struct upload_answer *a = cls;
    free_items(a->items, a->n);
    free(a->body);
    free(a);
}

static void post_stats(struct request *req)
{
    struct stats_item *items = NULL;
    bool *valid = NULL;
    size_t n = 0;
    char *body;
    struct strmap labels; /* of the items' facts, until they are stored */
    strmap_init(&labels);
    struct error_list errs = ERROR_LIST_INIT;
    if (!read_upload(req, &items, &valid, &n, &body, &labels, &errs)) {
        strmap_free(&labels);
        return;
    }
    check_duplicate_keys(items, valid, n, &errs);

    if (errs.count) {
        reply_error(req, 400, "Invalid stats: nothing was stored.", &errs);
        goto fail;
    }
    struct upsert_result res = {0};
    enum store_rc rc = store_stats_upsert(req->store, req->client.id, items, n, &res);
    if (rc == STORE_CONFLICT) {
        log_info("stats.api", "[req %llu] post: %s", (unsigned long long)req->id,
                 store_errmsg(req->store));
        reply_errorf(req, 409, "%s Nothing was stored.", store_errmsg(req->store));
        goto fail;
    }
    if (rc != STORE_OK) {
        reply_store_error(req, "stats upload");
        goto fail;
    }
    metrics_stats_ingested(res.created, res.updated);
    log_debug("stats.api", "[req %llu] client %s stored %zu stats (%zu new)",
              (unsigned long long)req->id, req->client.uuid, n, res.created);

    /* Every item is valid and stored: the answer keeps them, not their facts. */
    for (size_t i = 0; i < n; i++)
        stats_item_free_facts(&items[i]);
    strmap_free(&labels);
    struct upload_answer *answer = xmalloc(sizeof *answer);
    *answer = (struct upload_answer){.stored = res, .items = items, .n = n, .body = body};
    jw_init(&answer->w, NULL);
    reply_streamed(req, 201, "application/json",
                   (struct reply_stream){upload_answer_next, upload_answer_free, answer});
    free(valid);
    error_list_free(&errs);
    return;
fail:
    free_items(items, n);
    strmap_free(&labels);
    free(valid);
    free(body);
    error_list_free(&errs);
}

/* --- GET /api/v1/stats --- */

enum list_param {
    P_TYPE, P_ANR, P_ANRS, P_DATE_FROM, P_DATE_TO, P_GET_LAST, P_OFFSET, P_LIMIT,
    P_GROUP_BY_ANR, P_COUNT
};

static const struct param_spec list_params[P_COUNT] = {
    [P_TYPE] = {"type", PARAM_STATS_TYPE},
    [P_ANR] = {"anr", PARAM_UUID},
    [P_ANRS] = {"anrs", PARAM_UUID_LIST},
    [P_DATE_FROM] = {"date_from", PARAM_DATE},
    [P_DATE_TO] = {"date_to", PARAM_DATE},
    [P_GET_LAST] = {"get_last", PARAM_BOOL},
    [P_OFFSET] = {"offset", PARAM_INT},
    [P_LIMIT] = {"limit", PARAM_INT},
    [P_GROUP_BY_ANR] = {"group_by_anr", PARAM_BOOL},
};

/* Narrows the ANR filter: `anr` alone, `anrs` alone, or `anr` if it is among `anrs`
 * (`one` holds the single ANR for the filter).  Returns false when the two
 * exclude each other, so nothing can match. */
static bool anr_filter(const struct param_value *v, const char *one[1], struct stats_filter *f)
{
    if (v[P_ANR].present) {
        bool listed = v[P_ANRS].list_len == 0;
        for (size_t i = 0; i < v[P_ANRS].list_len && !listed; i++)
            listed = strcmp(v[P_ANRS].list[i], v[P_ANR].uuid) == 0;
        one[0] = v[P_ANR].uuid;
        f->anrs = one;
        f->n_anrs = 1;
        return listed;
    }
    f->anrs = (const char *const *)v[P_ANRS].list;
    f->n_anrs = v[P_ANRS].list_len;
    return true;
}

static void list_stats(struct request *req)
{
    struct param_value v[P_COUNT] = {0};
    if (!request_params(req, list_params, P_COUNT, v))
        goto out;
    struct error_list errs = ERROR_LIST_INIT;
    if (!v[P_TYPE].present)
        error_list_add(&errs, "type", "Is required.");
    if (v[P_LIMIT].present && v[P_LIMIT].integer > req->cfg->max_page_size)
        error_list_add(&errs, "limit", "Must be at most %lld.", (long long)req->cfg->max_page_size);
    if (errs.count) {
        reply_error(req, 400, "Invalid parameters.", &errs);
        error_list_free(&errs);
        goto out;
    }

    struct stats_filter f = {0};
    f.client_id = scope_of(req);
    f.has_type = true;
    f.type = v[P_TYPE].type;
    f.get_last = v[P_GET_LAST].present && v[P_GET_LAST].boolean;
    f.offset = v[P_OFFSET].integer;
    f.limit = v[P_LIMIT].integer;
    f.order = STATS_ORDER_DATE;
    char today[DATE_STR_LEN];
    date_today(today);
    if (v[P_DATE_TO].present)
        memcpy(f.date_to, v[P_DATE_TO].date, DATE_STR_LEN);
    else
        memcpy(f.date_to, today, DATE_STR_LEN);
    if (v[P_DATE_FROM].present)
        memcpy(f.date_from, v[P_DATE_FROM].date, DATE_STR_LEN);
    else
        date_sub_months(today, DEFAULT_PERIOD_MONTHS, f.date_from);

    struct stats_page page = {0};
    const char *one_anr[1];
    if (anr_filter(v, one_anr, &f) && store_stats_list(req->store, &f, &page) != STORE_OK) {
        reply_store_error(req, "stats list");
        goto out;
    }
    reply_page(req, &page, f.offset, f.limit);
    stats_page_free(&page);
out:
    params_free(v, P_COUNT);
}

/* --- /api/v1/stats/<anr> --- */

/* Reads the <anr> path segment; false with a 400 answer if it isn't a UUID. */
static bool path_anr(struct request *req, char anr[UUID_STR_LEN])
{
    if (uuid_normalize(req->path_params[0], anr))
        return true;
    reply_error(req, 400, "The analysis id in the path must be a UUID.", NULL);
    return false;
}

static void get_anr_stats(struct request *req)
{
    char anr[UUID_STR_LEN];
    if (!path_anr(req, anr) || !request_params(req, NULL, 0, NULL))
        return;
    const char *anrs[1] = {anr};
    struct stats_filter f = {0};
    f.client_id = scope_of(req);
    f.anrs = anrs;
    f.n_anrs = 1;
    f.order = STATS_ORDER_TYPE_DATE;
    struct stats_page page = {0};
    if (store_stats_list(req->store, &f, &page) != STORE_OK) {
        reply_store_error(req, "stats of an analysis");
        return;
    }
    reply_page(req, &page, 0, 0);
    stats_page_free(&page);
}

static void delete_anr_stats(struct request *req)
{
    char anr[UUID_STR_LEN];
    if (!path_anr(req, anr))
        return;
    int64_t deleted = 0;
    if (store_stats_delete_anr(req->store, scope_of(req), anr, &deleted) != STORE_OK) {
        reply_store_error(req, "stats deletion");
        return;
    }
    log_info("stats.api", "[req %llu] client %s deleted %lld stats of analysis %s",
             (unsigned long long)req->id, req->client.uuid, (long long)deleted, anr);
    reply_empty(req, 204);
}

const struct route api_stats_routes[] = {
    {"POST", "/api/v1/stats", post_stats, ROUTE_UA_GATE | ROUTE_AUTH},
    {"GET", "/api/v1/stats", list_stats, ROUTE_UA_GATE | ROUTE_AUTH},
    {"GET", "/api/v1/stats/<anr>", get_anr_stats, ROUTE_UA_GATE | ROUTE_AUTH},
    {"DELETE", "/api/v1/stats/<anr>", delete_anr_stats, ROUTE_UA_GATE | ROUTE_AUTH},
};
const size_t api_stats_routes_count = sizeof api_stats_routes / sizeof api_stats_routes[0];
