/*
 * import_original.c — `db import-original --from postgresql://…`: takes over
 * a database of the original Python service (docs/cli.md, docs/migration.md).
 *
 * Clients first, matched by uuid: a client already here is left as it is;
 * a new one keeps its uuid, name, role, flags, coordinates and dates, and its
 * token — stored hashed, so MONARC keeps authenticating with it.  Then the
 * stats, client by client, with their uuids: what is already here (same uuid,
 * or same client, ANR, type and day) is skipped, so a second run changes
 * nothing.  The original could hold several stats for one client, ANR, type
 * and day; the most recently created is taken, the others are listed.  Stats
 * this service would refuse (unknown type, malformed data) are listed too.
 * The lists are printed after the progress bar, before the summary.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/original.h"
#include "util/buf.h"
#include "util/json.h"

#define STATS_PAGE 500

/* An original client id and the client it became here. */
struct mapped_client {
    int64_t original_id;
    int64_t id;
    char *name;
};

struct import {
    struct store *st;
    struct original_db *o;
    struct mapped_client *clients;
    size_t n_clients;
    buf report;                  /* lines printed once the work is done */
    size_t clients_new, clients_present, clients_refused;
    size_t stats_new, stats_present, duplicates, invalid, orphans;
};

static const struct mapped_client *mapped(const struct import *im, int64_t original_id)
{
    for (size_t i = 0; i < im->n_clients; i++)
        if (im->clients[i].original_id == original_id)
            return &im->clients[i];
    return NULL;
}

static void map_client(struct import *im, int64_t original_id, const struct client *c)
{
    im->clients = xrealloc(im->clients, (im->n_clients + 1) * sizeof *im->clients);
    im->clients[im->n_clients++] = (struct mapped_client){original_id, c->id, xstrdup(c->name)};
}

static bool store_failed(struct import *im, const char *what)
{
    cli_error("%s: %s", what, store_errmsg(im->st));
    return false;
}

/* --- clients --- */

/* A name no other client has: the original's, else one made from the uuid. */
static bool choose_name(struct import *im, const struct original_client *oc, const char *uuid,
                        struct client *c)
{
    buf name = BUF_INIT;
    if (oc->name && *oc->name)
        buf_puts(&name, oc->name);
    else
        buf_printf(&name, "client-%.8s", uuid);
    struct client other = {0};
    enum store_rc rc = store_client_by_name(im->st, name.data, &other);
    if (rc == STORE_OK) {
        client_free(&other);
        buf_printf(&im->report, "client %s: the name '%s' is taken here; named '%s (%.8s)'\n",
                   uuid, name.data, name.data, uuid);
        buf_printf(&name, " (%.8s)", uuid);
    } else if (rc != STORE_NOT_FOUND) {
        buf_free(&name);
        return store_failed(im, "cannot read the clients");
    }
    c->name = buf_detach(&name, NULL);
    return true;
}

/* The original's token, hashed; a fresh one (never shown) when it has none or
 * when another client here already uses it. */
static bool choose_token(struct import *im, const struct original_client *oc, const char *uuid,
                         struct client *c)
{
    const char *why = "the original holds no token for it";
    if (oc->token && *oc->token) {
        token_hash(oc->token, c->token_hash);
        struct client other = {0};
        enum store_rc rc = store_client_by_token_hash(im->st, c->token_hash, &other);
        if (rc == STORE_NOT_FOUND)
            return true;
        if (rc != STORE_OK)
            return store_failed(im, "cannot read the clients");
        client_free(&other);
        why = "its token is already another client's here";
    }
    char fresh[TOKEN_STR_LEN];
    if (!token_generate(fresh)) {
        cli_error("cannot make a token: the system has no randomness to give");
        return false;
    }
    token_hash(fresh, c->token_hash);
    buf_printf(&im->report,
               "client %s: %s; give it one with 'stats-service client token-reset --uuid %s'\n",
               uuid, why, uuid);
    return true;
}

/* Coordinates only when both are there and in range. */
static void take_coordinates(struct import *im, const struct original_client *oc,
                             const char *uuid, struct client *c)
{
    if (!oc->has_coordinates)
        return;
    if (isfinite(oc->latitude) && isfinite(oc->longitude) && fabs(oc->latitude) <= 90 &&
        fabs(oc->longitude) <= 180) {
        c->has_coordinates = true;
        c->latitude = oc->latitude;
        c->longitude = oc->longitude;
    } else {
        buf_printf(&im->report, "client %s: coordinates (%g, %g) out of range, left out\n", uuid,
                   oc->latitude, oc->longitude);
    }
}

/* Creates the client here, unless it is already; maps it in both cases. */
static bool import_client(struct import *im, const struct original_client *oc)
{
    char uuid[UUID_STR_LEN];
    if (!uuid_normalize(oc->uuid, uuid)) {
        buf_printf(&im->report, "client id %lld: malformed uuid '%s', left out with its stats\n",
                   (long long)oc->id, oc->uuid);
        im->clients_refused++;
        return true;
    }
    struct client c = {0};
    enum store_rc rc = store_client_by_uuid(im->st, uuid, &c);
    if (rc == STORE_OK) {
        map_client(im, oc->id, &c);
        client_free(&c);
        im->clients_present++;
        return true;
    }
    if (rc != STORE_NOT_FOUND)
        return store_failed(im, "cannot read the clients");
    memcpy(c.uuid, uuid, UUID_STR_LEN);
    c.role = oc->role == CLIENT_ROLE_ADMIN ? CLIENT_ROLE_ADMIN : CLIENT_ROLE_USER;
    c.is_sharing_enabled = oc->has_sharing ? oc->is_sharing_enabled : true;
    c.local = oc->has_local ? oc->local : true;
    take_coordinates(im, oc, uuid, &c);
    if (oc->created_at[0])
        memcpy(c.created_at, oc->created_at, TIMESTAMP_STR_LEN);
    else
        timestamp_now(c.created_at);
    memcpy(c.last_seen, oc->last_seen, TIMESTAMP_STR_LEN);
    bool ok = choose_name(im, oc, uuid, &c) && choose_token(im, oc, uuid, &c);
    if (ok && store_client_import(im->st, &c) != STORE_OK)
        ok = store_failed(im, "cannot create a client");
    if (ok) {
        map_client(im, oc->id, &c);
        im->clients_new++;
    }
    client_free(&c);
    return ok;
}

static bool import_clients(struct import *im)
{
    struct original_client_list list;
    if (!original_clients(im->o, &list)) {
        cli_error("%s", original_errmsg(im->o));
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < list.count && ok; i++)
        ok = import_client(im, &list.items[i]);
    original_client_list_free(&list);
    return ok;
}

/* --- stats --- */

/* Checks one original row as an upload here would be checked; fills item
 * (data made compact) or explains in *why (allocated). */
static bool convert_stats(const struct original_stats *os, struct stats_item *item, char **why)
{
    buf reason = BUF_INIT;
    *item = (struct stats_item){0};
    char err[160];
    struct json_object *data = NULL;
    if (!uuid_normalize(os->uuid, item->uuid))
        buf_printf(&reason, "malformed uuid");
    else if (!uuid_normalize(os->anr, item->anr))
        buf_printf(&reason, "malformed anr '%s'", os->anr);
    else if (!stats_type_parse(os->type, &item->type))
        buf_printf(&reason, "unknown type '%s'", os->type);
    else if (!date_parse(os->date, item->date))
        buf_printf(&reason, "malformed date '%s'", os->date);
    else if (!os->data || !(data = json_parse_strict(os->data, strlen(os->data), err, sizeof err)))
        buf_printf(&reason, "data is not JSON: %s", os->data ? err : "null");
    if (data) {
        struct error_list errs = ERROR_LIST_INIT;
        stats_validate_data(item->type, data, "data", &errs);
        if (errs.count)
            buf_printf(&reason, "%s: %s%s", errs.items[0].field, errs.items[0].message,
                       errs.count > 1 ? " (and more)" : "");
        else
            item->data = xstrdup(json_text(data));
        error_list_free(&errs);
        json_object_put(data);
    }
    if (!reason.len)
        return true;
    *why = buf_detach(&reason, NULL);
    return false;
}

/* Stores the items gathered for one client. */
static bool flush(struct import *im, const struct mapped_client *mc, struct stats_item *items,
                  size_t *n)
{
    if (*n == 0)
        return true;
    struct insert_result res = {0, 0};
    bool ok = store_stats_insert_new(im->st, mc->id, items, *n, &res) == STORE_OK;
    if (ok) {
        im->stats_new += res.inserted;
        im->stats_present += res.skipped;
    } else {
        store_failed(im, "cannot store the stats");
    }
    for (size_t i = 0; i < *n; i++)
        stats_item_free(&items[i]);
    *n = 0;
    return ok;
}

/* Sorts one row: left out (no client, superseded, invalid) with a report line, or added to items. */
static void take_row(struct import *im, const struct original_stats *os,
                     const struct mapped_client *mc, struct stats_item *items, size_t *n)
{
    char *why = NULL;
    if (!mc) {
        buf_printf(&im->report, "stats %s: belongs to no client taken over, left out\n", os->uuid);
        im->orphans++;
    } else if (os->superseded) {
        buf_printf(&im->report, "stats %s of client '%s' (analysis %s, %s, %s): a duplicate, "
                                "a later one was taken\n",
                   os->uuid, mc->name, os->anr, os->type, os->date);
        im->duplicates++;
    } else if (!convert_stats(os, &items[*n], &why)) {
        buf_printf(&im->report, "stats %s of client '%s': not valid here (%s), left out\n",
                   os->uuid, mc->name, why);
        free(why);
        im->invalid++;
    } else {
        (*n)++;
    }
}

/* One page of rows: runs of the same client are stored together. */
static bool import_page(struct import *im, const struct original_stats_page *page)
{
    struct stats_item *items = xcalloc(page->count, sizeof *items);
    size_t n = 0;
    const struct mapped_client *current = NULL;
    bool ok = true;
    for (size_t i = 0; i < page->count && ok; i++) {
        const struct original_stats *os = &page->rows[i];
        const struct mapped_client *mc = os->has_client ? mapped(im, os->client_id) : NULL;
        if (mc != current)
            ok = flush(im, current, items, &n);
        current = mc;
        take_row(im, os, mc, items, &n);
    }
    ok = ok && flush(im, current, items, &n);
    for (size_t i = 0; i < n; i++)
        stats_item_free(&items[i]);
    free(items);
    return ok;
}

static bool import_stats(struct import *im)
{
    int64_t total = 0;
    if (!original_stats_count(im->o, &total) || !original_stats_begin(im->o)) {
        cli_error("%s", original_errmsg(im->o));
        return false;
    }
    struct cli_progress progress;
    cli_progress_start(&progress, "Importing stats", total);
    bool ok = true;
    for (;;) {
        struct original_stats_page page;
        if (!original_stats_next(im->o, STATS_PAGE, &page)) {
            cli_progress_end(&progress);
            cli_error("%s", original_errmsg(im->o));
            ok = false;
            break;
        }
        size_t count = page.count;
        ok = count == 0 || import_page(im, &page);
        original_stats_page_free(&page);
        if (!ok || count == 0)
            break;
        cli_progress_add(&progress, (int64_t)count);
    }
    cli_progress_end(&progress);
    original_stats_end(im->o);
    return ok;
}

static void print_summary(const struct import *im)
{
    if (im->report.len)
        fputs(im->report.data, stdout);
    printf("Clients: %zu taken over, %zu already here", im->clients_new, im->clients_present);
    if (im->clients_refused)
        printf(", %zu left out", im->clients_refused);
    printf(".\nStats: %zu taken over, %zu already here, %zu duplicates of the original left out, "
           "%zu not valid here, %zu without a client.\n",
           im->stats_new, im->stats_present, im->duplicates, im->invalid, im->orphans);
}

int cli_import_original(const struct config *cfg, const char *from_uri)
{
    char *err = NULL;
    struct import im = {0};
    im.o = original_open(from_uri, &err);
    if (!im.o) {
        cli_error("%s", err);
        free(err);
        return EXIT_FAILURE;
    }
    im.st = cli_open_store_with_schema(cfg);
    bool ok = im.st && import_clients(&im) && import_stats(&im);
    if (im.st)
        print_summary(&im);
    store_close(im.st);
    original_close(im.o);
    for (size_t i = 0; i < im.n_clients; i++)
        free(im.clients[i].name);
    free(im.clients);
    buf_free(&im.report);
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
