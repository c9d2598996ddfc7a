/*
 * stats.c — `stats-service stats …`: share stats with another instance (push,
 * pull), delete, purge, check for duplicates, list the latest, import and
 * export (docs/cli.md, docs/federation.md).
 *
 * Like the client group, the subcommands share one table of options, checked
 * by take_value before anything is opened.  The sharing itself lives in
 * src/federation/; this file turns settings and options into its calls, shows
 * the progress and prints the summary.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "federation/federation.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/json_writer.h"

#define PUSH_BATCH_DEFAULT 500
#define PUSH_BATCH_MAX 10000
#define PULL_PAGE_SIZE 1000
#define IMPORT_BATCH 500
#define EXPORT_PAGE 1000
#define PURGE_MONTHS_DEFAULT 36
#define LIST_LAST_DEFAULT 10
#define LIST_LAST_MAX 100000
#define PUSH_DEFAULT_MONTHS 3
#define ERRORS_SHOWN 20

/* The options of every subcommand, checked. */
struct stats_args {
    char client_uuid[UUID_STR_LEN];  /* --client-uuid or --local-client-uuid; "" if not given */
    const char *token;               /* --token or --remote-token */
    bool has_type;
    enum stats_type type;            /* --type or --stats-type */
    char date_from[DATE_STR_LEN];    /* "" if not given */
    char date_to[DATE_STR_LEN];
    int batch_size;
    int nb_month;                    /* -1 if not given */
    int limit;
    bool csv;
    bool yes;
    const char *file;                /* import: a path, or "-" for stdin */
};

/* "risk, threat, … or compliance": the type names come from the stats kinds
 * (stats_type_names), not typed here; built once by cmd_stats, kept to the end. */
static buf type_names = BUF_INIT;

/* Not const: cmd_stats sets the help of the type options to type_names. */
static struct cli_option options[] = {
    {"local-client-uuid", required_argument, 'L', false, "UUID",
     "push the stats of this local client only"},
    {"client-uuid", required_argument, 'c', false, "UUID", "the client whose stats are meant"},
    {"remote-token", required_argument, 'T', false, "TOKEN",
     "token on the remote instance (default: REMOTE_STATS_TOKEN)"},
    {"token", required_argument, 'k', false, "TOKEN", "token on the remote instance"},
    {"stats-type", required_argument, 's', false, "TYPE", NULL},
    {"type", required_argument, 't', false, "TYPE", NULL},
    {"date-from", required_argument, 'f', false, "YYYY-MM-DD", "only stats dated from this day"},
    {"date-to", required_argument, 'd', false, "YYYY-MM-DD", "only stats dated up to this day"},
    {"batch-size", required_argument, 'b', false, "N", "stats per request (default 500)"},
    {"nb-month", required_argument, 'm', false, "N", "age in months"},
    {"limit", required_argument, 'l', false, "N", "how many (default 10)"},
    {"format", required_argument, 'o', false, "json|csv", "output format (default json)"},
    {"yes", no_argument, 'y', true, NULL, "do not ask for confirmation"},
};

/* --- shared helpers --- */

/* The client named by --client-uuid, which must exist; false (message printed) if not. */
static bool load_client(struct store *st, const struct stats_args *a, struct client *c)
{
    return cli_find_client(st, a->client_uuid, c);
}

/* command: as typed in full ("stats push"). */
static bool check_date_order(const char *command, const char *from, const char *to)
{
    if (!from[0] || !to[0] || strcmp(from, to) <= 0)
        return true;
    cli_usage_error(command, "--date-from (%s) is after --date-to (%s)", from, to);
    return false;
}

/* Told by the HTTP client before it waits to try again. */
static void report_retry(void *ctx, const char *why, unsigned delay_ms, int attempt, int tries)
{
    struct cli_progress *progress = ctx;
    cli_progress_end(progress);
    cli_error("%s; trying again in %.1f s (%d of %d tries left)", why, delay_ms / 1000.0,
              tries - attempt, tries);
}

static struct http_client *remote_client(const struct config *cfg, struct cli_progress *progress)
{
    struct http_client_options o = {
        .timeout_s = cfg->remote_timeout,
        .tries = cfg->remote_retries,
        .ca_file = cfg->remote_ca_file,
        .on_retry = report_retry,
        .ctx = progress,
    };
    char *err = NULL;
    struct http_client *http = http_client_new(&o, &err);
    if (!http) {
        cli_error("%s", err);
        free(err);
    }
    return http;
}

static void count_progress(void *ctx, size_t n)
{
    cli_progress_add(ctx, (int64_t)n);
}

/* --- push --- */

/* The push's dates: the options, else the last PUSH_DEFAULT_MONTHS months. */
static void push_dates(const struct stats_args *a, struct stats_selection *sel)
{
    char today[DATE_STR_LEN];
    date_today(today);
    if (a->date_from[0])
        memcpy(sel->date_from, a->date_from, DATE_STR_LEN);
    else
        date_sub_months(today, PUSH_DEFAULT_MONTHS, sel->date_from);
    memcpy(sel->date_to, a->date_to[0] ? a->date_to : today, DATE_STR_LEN);
}

/* Narrows the selection to --local-client-uuid.  False (message printed) when
 * that client can't be pushed; *nothing_to_do when it does not share. */
static bool push_client(struct store *st, const struct stats_args *a, struct stats_selection *sel,
                        bool *nothing_to_do)
{
    struct client c = {0};
    if (!load_client(st, a, &c))
        return false;
    sel->client_id = c.id;
    bool ok = true;
    if (!c.local) {
        cli_error("stats push: client '%s' is not local: it holds stats pulled from elsewhere, "
                  "which are never pushed on", c.name);
        ok = false;
    } else if (!c.is_sharing_enabled) {
        printf("Client '%s' does not share its stats (see 'client sharing-activate'): "
               "nothing to push.\n", c.name);
        *nothing_to_do = true;
    }
    client_free(&c);
    return ok;
}

/* Sends the selection; prints the summary. */
static int run_push(const struct cli_call *call, const struct stats_selection *sel,
                    const char *token, int64_t total)
{
    const struct config *cfg = call->cfg;
    const struct stats_args *a = call->args;
    struct cli_progress progress;
    struct http_client *http = remote_client(cfg, &progress);
    if (!http)
        return EXIT_FAILURE;
    cli_progress_start(&progress, "Pushing", total);
    struct push_options o = {.server = cfg->remote_stats_server, .token = token, .sel = *sel,
                             .batch_size = a->batch_size, .progress = count_progress,
                             .ctx = &progress};
    struct push_report r;
    bool ok = federation_push(call->store, http, &o, &r);
    cli_progress_end(&progress);
    http_client_free(http);
    if (ok) {
        printf("Pushed %zu stats (dated %s to %s) in %zu batches to %s: %zu created, "
               "%zu updated remotely.\n",
               r.sent, sel->date_from, sel->date_to, r.batches, cfg->remote_stats_server,
               r.created, r.updated);
    } else {
        cli_error("stats push: %s", r.error);
        printf("Push stopped: %zu of %lld stats accepted in %zu batches (%zu created, %zu updated "
               "remotely), %lld not sent.  Running the push again is safe.\n",
               r.sent, (long long)total, r.batches, r.created, r.updated,
               (long long)total - (long long)r.sent);
    }
    push_report_free(&r);
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int stats_push(const struct cli_call *call)
{
    const struct stats_args *a = call->args;
    const char *token = a->token ? a->token : call->cfg->remote_stats_token;
    if (!token) {
        cli_error("stats push: no remote token: give --remote-token or set REMOTE_STATS_TOKEN");
        return EXIT_FAILURE;
    }
    struct stats_selection sel = {.shared_local_only = true};
    push_dates(a, &sel);
    if (!check_date_order("stats push", sel.date_from, sel.date_to))
        return EXIT_USAGE;
    bool nothing_to_do = false;
    if (a->client_uuid[0] && !push_client(call->store, a, &sel, &nothing_to_do))
        return EXIT_FAILURE;
    if (nothing_to_do)
        return EXIT_SUCCESS;
    int64_t total = 0;
    if (store_stats_select_count(call->store, &sel, &total) != STORE_OK) {
        cli_error("cannot read the stats to push: %s", store_errmsg(call->store));
        return EXIT_FAILURE;
    }
    return run_push(call, &sel, token, total);
}

/* --- pull --- */

static int stats_pull(const struct cli_call *call)
{
    const struct stats_args *a = call->args;
    const struct config *cfg = call->cfg;
    struct pull_options o = {.server = cfg->remote_stats_server, .token = a->token,
                             .type = a->type, .page_size = PULL_PAGE_SIZE,
                             .progress = count_progress};
    memcpy(o.date_from, a->date_from, DATE_STR_LEN);
    if (a->date_to[0])
        memcpy(o.date_to, a->date_to, DATE_STR_LEN);
    else
        date_today(o.date_to);
    if (!check_date_order("stats pull", o.date_from, o.date_to))
        return EXIT_USAGE;
    struct client c = {0};
    if (!load_client(call->store, a, &c))
        return EXIT_FAILURE;
    o.client_id = c.id;
    if (c.local)
        cli_error("warning: client '%s' is local: what is pulled into it will be pushed on "
                  "(a client made with 'client create --remote' is meant for pulls)", c.name);
    struct cli_progress progress;
    o.ctx = &progress;
    struct http_client *http = remote_client(cfg, &progress);
    if (!http) {
        client_free(&c);
        return EXIT_FAILURE;
    }
    cli_progress_start(&progress, "Pulling", -1);
    struct pull_report r;
    bool ok = federation_pull(call->store, http, &o, &r);
    cli_progress_end(&progress);
    http_client_free(http);
    printf("Pulled %s stats from %s into client '%s': %zu fetched, %zu stored, %zu skipped "
           "(already here)%s.\n",
           stats_type_name(a->type), cfg->remote_stats_server, c.name, r.fetched, r.stored,
           r.skipped, r.invalid ? ", some refused" : "");
    if (r.invalid) {
        cli_error("stats pull: %zu fetched stats were not valid here and were not stored "
                  "(first: %s)", r.invalid, r.first_invalid ? r.first_invalid : "?");
        ok = false;
    }
    if (r.error)
        cli_error("stats pull: %s", r.error);
    pull_report_free(&r);
    client_free(&c);
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* --- delete, purge, remove-duplicate --- */

static int stats_delete(const struct cli_call *call)
{
    const struct stats_args *a = call->args;
    struct client c = {0};
    if (!load_client(call->store, a, &c))
        return EXIT_FAILURE;
    struct stats_selection sel = {.client_id = c.id, .has_type = a->has_type, .type = a->type};
    int64_t count = 0, deleted = 0;
    int rc = EXIT_FAILURE;
    buf question = BUF_INIT;
    const char *type = a->has_type ? stats_type_name(a->type) : "";
    if (store_stats_select_count(call->store, &sel, &count) != STORE_OK) {
        cli_error("cannot count the stats: %s", store_errmsg(call->store));
        goto out;
    }
    buf_printf(&question, "Delete the %lld %s%sstats of client '%s' (%s)?", (long long)count, type,
               *type ? " " : "", c.name, c.uuid);
    if (!cli_confirm(a->yes, question.data))
        goto out;
    if (store_stats_delete_client(call->store, c.id, a->has_type, a->type, &deleted) != STORE_OK) {
        cli_error("cannot delete the stats: %s", store_errmsg(call->store));
        goto out;
    }
    printf("Deleted %lld %s%sstats of client '%s'.\n", (long long)deleted, type, *type ? " " : "",
           c.name);
    rc = EXIT_SUCCESS;
out:
    buf_free(&question);
    client_free(&c);
    return rc;
}

/* The day before which stats are more than `months` old. */
static void months_ago(int months, char out[DATE_STR_LEN])
{
    char today[DATE_STR_LEN];
    date_today(today);
    date_sub_months(today, months, out);
}

static int stats_purge(const struct cli_call *call)
{
    const struct stats_args *a = call->args;
    int months = a->nb_month >= 0 ? a->nb_month : PURGE_MONTHS_DEFAULT;
    char before[DATE_STR_LEN];
    months_ago(months, before);
    int64_t deleted = 0;
    if (store_stats_purge(call->store, before, &deleted) != STORE_OK) {
        cli_error("cannot purge the stats: %s", store_errmsg(call->store));
        return EXIT_FAILURE;
    }
    printf("Deleted %lld stats dated before %s (more than %d months ago).\n", (long long)deleted,
           before, months);
    return EXIT_SUCCESS;
}

static int stats_remove_duplicate(const struct cli_call *call)
{
    const struct stats_args *a = call->args;
    char before[DATE_STR_LEN] = "";
    if (a->nb_month > 0)
        months_ago(a->nb_month, before);
    int64_t keys = 0;
    if (store_stats_count_duplicates(call->store, a->type, before, &keys) != STORE_OK) {
        cli_error("cannot look for duplicates: %s", store_errmsg(call->store));
        return EXIT_FAILURE;
    }
    if (keys > 0) {
        cli_error("stats remove-duplicate: %lld (client, analysis, type, date) keys hold more "
                  "than one %s stats: the database is not as this program made it",
                  (long long)keys, stats_type_name(a->type));
        return EXIT_FAILURE;
    }
    printf("No duplicate %s stats%s%s: this database keeps one stats per client, analysis, type "
           "and day (db import-original resolved the original's duplicates).\n",
           stats_type_name(a->type), before[0] ? " dated before " : "", before);
    return EXIT_SUCCESS;
}

/* --- list-last --- */

static int stats_list_last(const struct cli_call *call)
{
    const struct stats_args *a = call->args;
    struct stats_recent_list list;
    if (store_stats_recent(call->store, a->limit, &list) != STORE_OK) {
        cli_error("cannot list the stats: %s", store_errmsg(call->store));
        return EXIT_FAILURE;
    }
    int width = (int)strlen("client");
    for (size_t i = 0; i < list.count; i++)
        if ((int)strlen(list.items[i].client_name) > width)
            width = (int)strlen(list.items[i].client_name);
    if (list.count)
        printf("%-10s  %-*s  %-13s  %s\n", "date", width, "client", "type", "anr");
    for (size_t i = 0; i < list.count; i++) {
        const struct stats_recent *r = &list.items[i];
        printf("%-10s  %-*s  %-13s  %s\n", r->date, width, r->client_name,
               stats_type_name(r->type), r->anr);
    }
    if (!list.count)
        puts("No stats stored yet.");
    stats_recent_list_free(&list);
    return EXIT_SUCCESS;
}

/* --- import --- */

/* The whole file (or stdin for "-"); NULL (message printed) if unreadable. */
static char *read_input(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        cli_error("stats import: cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    buf text = BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&text, chunk, n);
    bool failed = ferror(f);
    if (f != stdin)
        fclose(f);
    if (failed) {
        cli_error("stats import: cannot read %s", path);
        buf_free(&text);
        return NULL;
    }
    buf_append(&text, "", 0);
    return buf_detach(&text, len);
}

/* Reports items sharing (anr, type, date): one stats per analysis, type and day. */
static void check_duplicate_keys(const struct stats_item *items, size_t n, struct error_list *errs)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            if (items[i].type == items[j].type && strcmp(items[i].date, items[j].date) == 0 &&
                strcmp(items[i].anr, items[j].anr) == 0) {
                char field[32];
                snprintf(field, sizeof field, "[%zu]", i);
                error_list_add(errs, field, "Same anr, type and date as item [%zu].", j);
                break;
            }
        }
    }
}

/* Parses and validates the file into items (*n of them); false (problems printed) if any is wrong. */
static bool parse_items(const char *path, struct stats_item **items, size_t *n)
{
    size_t len;
    char *text = read_input(path, &len);
    if (!text)
        return false;
    char err[160];
    struct json_object *doc = json_parse_strict(text, len, err, sizeof err);
    free(text);
    if (!doc || !json_object_is_type(doc, json_type_array)) {
        cli_error("stats import: %s: %s", path, doc ? "not a JSON list of stats" : err);
        json_object_put(doc);
        return false;
    }
    *n = json_object_array_length(doc);
    *items = xcalloc(*n ? *n : 1, sizeof **items);
    struct error_list errs = ERROR_LIST_INIT;
    size_t valid = 0;
    for (size_t i = 0; i < *n; i++)
        valid += stats_item_from_json(json_object_array_get_idx(doc, i), i, &(*items)[valid], &errs);
    json_object_put(doc);
    if (!errs.count)
        check_duplicate_keys(*items, valid, &errs);
    for (size_t i = 0; i < errs.count && i < ERRORS_SHOWN; i++)
        cli_error("stats import: %s: %s", errs.items[i].field, errs.items[i].message);
    if (errs.count > ERRORS_SHOWN)
        cli_error("stats import: … and %zu more problems", errs.count - ERRORS_SHOWN);
    bool ok = errs.count == 0;
    if (!ok)
        cli_error("stats import: %s is not valid: nothing was stored", path);
    error_list_free(&errs);
    if (!ok) {
        for (size_t i = 0; i < valid; i++)
            stats_item_free(&(*items)[i]);
        free(*items);
        *items = NULL;
    }
    return ok;
}

static int stats_import(const struct cli_call *call)
{
    const struct stats_args *a = call->args;
    struct client c = {0};
    if (!load_client(call->store, a, &c))
        return EXIT_FAILURE;
    struct stats_item *items = NULL;
    size_t n = 0;
    int rc = EXIT_FAILURE;
    if (!c.local) {
        cli_error("stats import: client '%s' is not local (it holds pulled stats): import into a "
                  "local client", c.name);
        goto out;
    }
    if (!parse_items(a->file, &items, &n))
        goto out;
    struct upsert_result total = {0, 0};
    struct cli_progress progress;
    cli_progress_start(&progress, "Importing", (int64_t)n);
    size_t done = 0;
    while (done < n) {
        size_t batch = n - done < IMPORT_BATCH ? n - done : IMPORT_BATCH;
        struct upsert_result res;
        if (store_stats_upsert(call->store, c.id, items + done, batch, &res) != STORE_OK)
            break;
        total.created += res.created;
        total.updated += res.updated;
        done += batch;
        cli_progress_add(&progress, (int64_t)batch);
    }
    cli_progress_end(&progress);
    if (done < n) {
        cli_error("stats import: %s", store_errmsg(call->store));
        printf("Import stopped: %zu of %zu stats stored for client '%s'.  Running it again is "
               "safe.\n", done, n, c.name);
    } else {
        printf("Imported %zu stats for client '%s': %zu created, %zu updated.\n", n, c.name,
               total.created, total.updated);
        rc = EXIT_SUCCESS;
    }
out:
    for (size_t i = 0; i < n && items; i++)
        stats_item_free(&items[i]);
    free(items);
    client_free(&c);
    return rc;
}

/* --- export --- */

/* A CSV field: quoted, inner quotes doubled (RFC 4180). */
static void csv_field(buf *out, const char *s)
{
    buf_putc(out, '"');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(out, '"');
        buf_putc(out, *s);
    }
    buf_putc(out, '"');
}

/*
 * One stats of the export: a CSV line, or a JSON object written by a writer of
 * its own; the JSON list's brackets and line breaks are written around them, so
 * that it reads one stats per line.
 */
static void export_row(buf *out, const struct stats_row *r, bool csv, bool first)
{
    if (csv) {
        buf_printf(out, "%s,%s,%s,%s,", r->uuid, r->anr, stats_type_name(r->type), r->date);
        csv_field(out, r->data);
        buf_putc(out, '\n');
        return;
    }
    struct json_writer w;
    if (!first)
        buf_puts(out, ",\n");
    jw_init(&w, out);
    stats_json(&w, r->uuid, r->anr, r->type, r->date, r->data);
}

static int stats_export(const struct cli_call *call)
{
    const struct stats_args *a = call->args;
    struct stats_selection sel = {.has_type = a->has_type, .type = a->type};
    memcpy(sel.date_from, a->date_from, DATE_STR_LEN);
    memcpy(sel.date_to, a->date_to, DATE_STR_LEN);
    if (!check_date_order("stats export", sel.date_from, sel.date_to))
        return EXIT_USAGE;
    if (a->client_uuid[0]) {
        struct client c = {0};
        if (!load_client(call->store, a, &c))
            return EXIT_FAILURE;
        sel.client_id = c.id;
        client_free(&c);
    }
    buf out = BUF_INIT;
    buf_puts(&out, a->csv ? "uuid,anr,type,date,data\n" : "[\n");
    int64_t after_id = 0;
    bool first = true, ok = true;
    for (;;) {
        struct stats_page page;
        if (store_stats_select(call->store, &sel, after_id, EXPORT_PAGE, &page) != STORE_OK) {
            cli_error("cannot read the stats: %s", store_errmsg(call->store));
            ok = false;
            break;
        }
        for (size_t i = 0; i < page.count; i++, first = false)
            export_row(&out, &page.rows[i], a->csv, first);
        size_t count = page.count;
        if (count)
            after_id = page.rows[count - 1].id;
        stats_page_free(&page);
        fwrite(out.data, 1, out.len, stdout);
        buf_reset(&out);
        if (count < EXPORT_PAGE)
            break;
    }
    if (ok && !a->csv)
        fputs(first ? "]\n" : "\n]\n", stdout);
    buf_free(&out);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("stats export: cannot write the output");
        return EXIT_FAILURE;
    }
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* --- the group --- */

static const struct cli_subcommand subcommands[] = {
    {"push", stats_push, true, "LTfdb", "", NULL,
     "send the stats of local clients that share to the remote instance",
     "Sends, in batches, the stats dated within [--date-from, --date-to] (default:\n"
     "the last 3 months) of the local clients whose sharing is enabled, to\n"
     "REMOTE_STATS_SERVER, under the remote token.  Stats pulled from elsewhere are\n"
     "never pushed on.  The remote keeps one stats per analysis, type and day, so a\n"
     "push can be interrupted and run again without creating anything twice.\n"
     "Network errors, timeouts, 429 and 5xx answers are retried (REMOTE_RETRIES,\n"
     "REMOTE_TIMEOUT); the exit code is 0 only if every stats was accepted.\n"},
    {"pull", stats_pull, true, "cksfd", "cks", NULL,
     "fetch the remote instance's stats of one type into a client",
     "Stores the stats of --stats-type that --token sees on REMOTE_STATS_SERVER\n"
     "(from --date-from, no bound by default, to --date-to, default today) under\n"
     "--client-uuid, normally a client made with 'client create --remote'.  Their\n"
     "uuids are kept; what is already here is skipped, so pulling twice stores\n"
     "nothing new.\n"},
    {"delete", stats_delete, true, "cty", "c", NULL,
     "delete a client's stats (all, or of one type)",
     "Asks for confirmation on a terminal; without one, refuses unless --yes is given.\n"},
    {"purge", stats_purge, true, "my", "", NULL,
     "delete the stats dated more than --nb-month months ago (default 36)",
     "Meant for cron: never asks for confirmation (-y is accepted).\n"},
    {"remove-duplicate", stats_remove_duplicate, true, "tmy", "t", NULL,
     "check that no duplicate stats exist (kept for the original's cron lines)",
     "This database holds one stats per client, analysis, type and day, so there is\n"
     "nothing to remove: the command checks it (for stats older than --nb-month\n"
     "months if given) and says so.\n"},
    {"list-last", stats_list_last, true, "l", "", NULL,
     "list the most recent stats: date, client, type, analysis", NULL},
    {"import", stats_import, true, "c", "c", "FILE",
     "store a JSON list of stats (a file, or - for stdin) for a local client",
     "The list is what MONARC sends to POST /api/v1/stats/ (and what 'stats export'\n"
     "writes): every item is checked first, and nothing is stored if one is wrong.\n"
     "Stats of the same analysis, type and day replace the stored ones.\n"},
    {"export", stats_export, true, "ctfdo", "", NULL, "write stats to stdout, as JSON or CSV",
     "Every client's stats unless --client-uuid is given; JSON is a list of\n"
     "{uuid, anr, type, date, data}, as 'stats import' reads it.\n"},
};

static bool take_uuid(const char *command, const char *v, char out[UUID_STR_LEN])
{
    if (uuid_normalize(v, out))
        return true;
    cli_usage_error(command, "malformed UUID '%s' (expected 8-4-4-4-12 hexadecimal digits)", v);
    return false;
}

static bool take_int(const char *command, const char *option, const char *v, int min, int max,
                     int *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max) {
        cli_usage_error(command, "--%s must be a whole number from %d to %d, not '%s'", option, min,
                        max, v);
        return false;
    }
    *out = (int)n;
    return true;
}

static bool take_date(const char *command, const char *option, const char *v,
                      char out[DATE_STR_LEN])
{
    if (strlen(v) == DATE_STR_LEN - 1 && date_parse(v, out))
        return true;
    cli_usage_error(command, "--%s must be a date (YYYY-MM-DD), not '%s'", option, v);
    return false;
}

static bool take_value(const char *command, int key, const char *v, void *args)
{
    struct stats_args *a = args;
    switch (key) {
    case 'L':
    case 'c':
        return take_uuid(command, v, a->client_uuid);
    case 'T':
    case 'k':
        a->token = v;
        if (cli_token_is_usable(v))
            return true;
        cli_usage_error(command, "the token must be printable ASCII without spaces");
        return false;
    case 's':
    case 't':
        a->has_type = stats_type_parse(v, &a->type);
        if (!a->has_type)
            cli_usage_error(command, "unknown stats type '%s' (%s)", v, type_names.data);
        return a->has_type;
    case 'f':
        return take_date(command, "date-from", v, a->date_from);
    case 'd':
        return take_date(command, "date-to", v, a->date_to);
    case 'b':
        return take_int(command, "batch-size", v, 1, PUSH_BATCH_MAX, &a->batch_size);
    case 'm':
        return take_int(command, "nb-month", v, 0, 1200, &a->nb_month);
    case 'l':
        return take_int(command, "limit", v, 1, LIST_LAST_MAX, &a->limit);
    case 'o':
        a->csv = strcmp(v, "csv") == 0;
        if (a->csv || strcmp(v, "json") == 0)
            return true;
        cli_usage_error(command, "--format must be json or csv, not '%s'", v);
        return false;
    case 'y':
        a->yes = true;
        return true;
    case CLI_OPERAND:
        a->file = v;
        return true;
    }
    return false;
}

static bool is_given(const void *args, int key)
{
    const struct stats_args *a = args;
    switch (key) {
    case 'c':
    case 'L':
        return a->client_uuid[0] != '\0';
    case 'k':
    case 'T':
        return a->token != NULL;
    case 's':
    case 't':
        return a->has_type;
    }
    return true;
}

static const struct cli_group group = {
    "stats", options, sizeof options / sizeof *options,
    subcommands, sizeof subcommands / sizeof *subcommands, take_value, is_given,
};

int cmd_stats(struct config *cfg, int argc, char **argv)
{
    if (type_names.len == 0) {
        stats_type_names(&type_names, ", ", " or ");
        for (size_t i = 0; i < sizeof options / sizeof *options; i++)
            if (options[i].key == 's' || options[i].key == 't')
                options[i].help = type_names.data;
    }
    struct stats_args a = {.batch_size = PUSH_BATCH_DEFAULT, .nb_month = -1,
                           .limit = LIST_LAST_DEFAULT};
    return cli_run_group(&group, cfg, argc, argv, &a);
}
