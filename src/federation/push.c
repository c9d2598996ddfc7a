/*
 * push.c — sends the shared stats of local clients to another instance (see
 * federation.h).
 *
 * The selection is read by id, one batch at a time, and each batch is one
 * POST.  A batch is only counted once the remote answered 2xx; a failure stops
 * the push (the remote keeps what it had committed, and a re-run sends
 * everything again without creating anything twice).
 */
#include <stdlib.h>
#include <string.h>

#include "federation/federation.h"
#include "util/json.h"

void push_report_free(struct push_report *r)
{
    free(r->error);
    r->error = NULL;
}

/* [{"uuid", "anr", "type", "date", "data"}, …] with data spliced in as stored. */
static void batch_body(const struct stats_page *page, buf *body)
{
    struct json_writer w;
    buf_reset(body);
    jw_init(&w, body);
    jw_array_begin(&w);
    for (size_t i = 0; i < page->count; i++) {
        const struct stats_row *r = &page->rows[i];
        stats_json(&w, r->uuid, r->anr, r->type, r->date, r->data);
    }
    jw_array_end(&w);
}

/* Reads metadata.<name> of the remote's answer; 0 when absent. */
static size_t metadata_count(struct json_object *answer, const char *name)
{
    struct json_object *metadata, *value;
    if (!answer || !json_object_object_get_ex(answer, "metadata", &metadata) ||
        !json_object_object_get_ex(metadata, name, &value))
        return 0;
    int64_t n = json_object_get_int64(value);
    return n > 0 ? (size_t)n : 0;
}

static void set_error(struct push_report *report, buf *msg)
{
    free(report->error);
    report->error = buf_detach(msg, NULL);
}

/* Sends one batch; false with report->error when it was not accepted. */
static bool send_batch(struct http_client *http, const char *url, const char *token,
                       const struct stats_page *page, buf *body, struct push_report *report)
{
    batch_body(page, body);
    struct http_response resp;
    char *err = NULL;
    buf msg = BUF_INIT;
    if (!http_client_request(http, "POST", url, token, body->data, &resp, &err)) {
        buf_puts(&msg, err);
        free(err);
        set_error(report, &msg);
        return false;
    }
    bool ok = resp.status >= 200 && resp.status < 300;
    if (ok) {
        char errtext[128];
        struct json_object *answer =
            json_parse_strict(resp.body.data, resp.body.len, errtext, sizeof errtext);
        report->batches++;
        report->sent += page->count;
        report->created += metadata_count(answer, "created");
        report->updated += metadata_count(answer, "updated");
        json_object_put(answer);
    } else {
        char *message = http_response_message(&resp);
        buf_printf(&msg, "the remote instance refused a batch of %zu stats (HTTP %ld): %s",
                   page->count, resp.status, message);
        if (resp.status == 401 || resp.status == 403)
            buf_puts(&msg, " (check the remote token: --remote-token or REMOTE_STATS_TOKEN)");
        free(message);
        set_error(report, &msg);
    }
    http_response_free(&resp);
    return ok;
}

bool federation_push(struct store *st, struct http_client *http, const struct push_options *o,
                     struct push_report *report)
{
    *report = (struct push_report){0};
    struct stats_selection sel = o->sel;
    sel.shared_local_only = true; /* pulled stats, and clients that don't share, never leave */
    buf msg = BUF_INIT;
    char *url = http_url_join(o->server, "/api/v1/stats/");
    buf body = BUF_INIT;
    int64_t after_id = 0;
    bool ok = true;
    while (ok) {
        struct stats_page page;
        if (store_stats_select(st, &sel, after_id, o->batch_size, &page) != STORE_OK) {
            buf_printf(&msg, "cannot read the stats to push: %s", store_errmsg(st));
            set_error(report, &msg);
            ok = false;
            break;
        }
        if (page.count == 0) {
            stats_page_free(&page);
            break;
        }
        after_id = page.rows[page.count - 1].id;
        ok = send_batch(http, url, o->token, &page, &body, report);
        if (ok && o->progress)
            o->progress(o->ctx, page.count);
        stats_page_free(&page);
    }
    buf_free(&body);
    free(url);
    return ok;
}
