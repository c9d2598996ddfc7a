/*
 * pull.c — fetches another instance's stats and stores the new ones here (see
 * federation.h).
 *
 * Pages are asked for with offset/limit.  The loop ends on a short page, or
 * once the announced total is reached; a remote that ignores `limit` (it sends
 * more than asked) is read once and not asked again, so the loop always ends.
 * Each item is checked as an upload to this instance would be, and must carry
 * its uuid: that uuid is what makes a second pull a no-op.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/federation.h"
#include "util/json.h"

void pull_report_free(struct pull_report *r)
{
    free(r->first_invalid);
    free(r->error);
    r->first_invalid = r->error = NULL;
}

static void set_error(struct pull_report *report, buf *msg)
{
    free(report->error);
    report->error = buf_detach(msg, NULL);
}

static char *page_url(const struct pull_options *o, int64_t offset)
{
    char *base = http_url_join(o->server, "/api/v1/stats/");
    buf url = BUF_INIT;
    buf_printf(&url, "%s?type=%s&date_from=%s&date_to=%s&offset=%lld&limit=%d", base,
               stats_type_name(o->type), o->date_from[0] ? o->date_from : "0001-01-01",
               o->date_to[0] ? o->date_to : "9999-12-31", (long long)offset, o->page_size);
    free(base);
    return buf_detach(&url, NULL);
}

/* Fetches one page as parsed JSON (a new reference); NULL with report->error. */
static struct json_object *fetch_page(struct http_client *http, const struct pull_options *o,
                                      int64_t offset, struct pull_report *report)
{
    char *url = page_url(o, offset);
    struct http_response resp;
    char *err = NULL;
    buf msg = BUF_INIT;
    struct json_object *answer = NULL;
    bool reached = http_client_request(http, "GET", url, o->token, NULL, &resp, &err);
    if (!reached) {
        buf_puts(&msg, err);
        free(err);
    } else if (resp.status != 200) {
        char *message = http_response_message(&resp);
        buf_printf(&msg, "the remote instance refused to list its stats (HTTP %ld): %s",
                   resp.status, message);
        if (resp.status == 401 || resp.status == 403)
            buf_puts(&msg, " (check --token)");
        free(message);
    } else {
        char errtext[160];
        answer = json_parse_strict(resp.body.data, resp.body.len, errtext, sizeof errtext);
        if (!answer)
            buf_printf(&msg, "the remote instance's answer is not JSON: %s", errtext);
    }
    if (!answer)
        set_error(report, &msg);
    if (reached)
        http_response_free(&resp);
    free(url);
    return answer;
}

/* Validates one fetched item into *item; counts and notes it when refused. */
static bool take_item(struct json_object *obj, size_t index, struct stats_item *item,
                      struct pull_report *report)
{
    struct error_list errs = ERROR_LIST_INIT;
    bool ok = stats_item_from_json(obj, index, item, &errs);
    if (ok && !item->uuid[0]) {
        stats_item_free(item);
        error_list_add(&errs, "uuid", "Is missing: pulled stats keep the remote's uuid.");
        ok = false;
    }
    if (!ok) {
        report->invalid++;
        if (!report->first_invalid && errs.count) {
            buf why = BUF_INIT;
            buf_printf(&why, "%s: %s", errs.items[0].field, errs.items[0].message);
            report->first_invalid = buf_detach(&why, NULL);
        }
    }
    error_list_free(&errs);
    return ok;
}

/* Stores the valid items of one page; false with report->error on a database error. */
static bool store_page(struct store *st, const struct pull_options *o, struct json_object *data,
                       struct pull_report *report)
{
    size_t n = json_object_array_length(data);
    struct stats_item *items = xcalloc(n ? n : 1, sizeof *items);
    size_t valid = 0;
    for (size_t i = 0; i < n; i++)
        if (take_item(json_object_array_get_idx(data, i), report->fetched + i, &items[valid], report))
            valid++;
    report->fetched += n;
    struct insert_result res = {0, 0};
    bool ok = store_stats_insert_new(st, o->client_id, items, valid, &res) == STORE_OK;
    if (ok) {
        report->stored += res.inserted;
        report->skipped += res.skipped;
    } else {
        buf msg = BUF_INIT;
        buf_printf(&msg, "cannot store the pulled stats: %s", store_errmsg(st));
        set_error(report, &msg);
    }
    for (size_t i = 0; i < valid; i++)
        stats_item_free(&items[i]);
    free(items);
    return ok;
}

/* The "data" array of a page and metadata.total (-1 if absent); NULL if malformed. */
static struct json_object *page_data(struct json_object *answer, int64_t *total)
{
    struct json_object *data, *metadata, *value;
    *total = -1;
    if (!json_object_is_type(answer, json_type_object) ||
        !json_object_object_get_ex(answer, "data", &data) ||
        !json_object_is_type(data, json_type_array))
        return NULL;
    if (json_object_object_get_ex(answer, "metadata", &metadata) &&
        json_object_object_get_ex(metadata, "total", &value) &&
        json_object_is_type(value, json_type_int))
        *total = json_object_get_int64(value);
    return data;
}

bool federation_pull(struct store *st, struct http_client *http, const struct pull_options *o,
                     struct pull_report *report)
{
    *report = (struct pull_report){0};
    int64_t offset = 0;
    for (;;) {
        struct json_object *answer = fetch_page(http, o, offset, report);
        if (!answer)
            return false;
        int64_t total;
        struct json_object *data = page_data(answer, &total);
        if (!data) {
            json_object_put(answer);
            buf msg = BUF_INIT;
            buf_puts(&msg, "the remote instance's answer has no list of stats (\"data\")");
            set_error(report, &msg);
            return false;
        }
        size_t n = json_object_array_length(data);
        bool ok = store_page(st, o, data, report);
        json_object_put(answer);
        if (!ok)
            return false;
        if (o->progress)
            o->progress(o->ctx, n);
        offset += (int64_t)n;
        if (n != (size_t)o->page_size || (total >= 0 && offset >= total))
            return true;
    }
}
