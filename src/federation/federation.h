/*
 * federation.h — sharing stats between instances, and asking MOSP
 * (docs/federation.md).
 *
 * push: the stats of local clients that share, sent in batches to another
 * instance's POST /api/v1/stats/ under one remote token.  The receiver keeps
 * one stats per (client, ANR, type, date) and a uuid names one object, so a
 * push that is run again, or after an interruption, creates nothing twice.
 *
 * pull: another instance's stats of one type, read page by page from its
 * GET /api/v1/stats/ and stored here under one client with their uuids; what
 * is already here (same uuid, or same ANR, type and date for that client) is
 * skipped, so a second pull stores nothing.
 *
 * Nothing here prints: progress goes to a callback, outcomes to the report.
 */
#ifndef FEDERATION_FEDERATION_H
#define FEDERATION_FEDERATION_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "federation/http_client.h"
#include "store/store.h"

/* Told how many more stats were handled (sent, or fetched and stored). */
typedef void (*federation_progress)(void *ctx, size_t n);

struct push_options {
    const char *server;            /* REMOTE_STATS_SERVER: base URL */
    const char *token;             /* the remote token */
    struct stats_selection sel;    /* shared_local_only is forced on */
    int batch_size;                /* ≥ 1 */
    federation_progress progress;  /* may be NULL */
    void *ctx;
};

struct push_report {
    size_t batches;                /* batches the remote accepted */
    size_t sent;                   /* stats in those batches */
    size_t created, updated;       /* as the remote counted them */
    char *error;                   /* why the push stopped, or NULL (allocated) */
};

/* True when every selected stats was accepted; false with report->error set. */
bool federation_push(struct store *st, struct http_client *http, const struct push_options *o,
                     struct push_report *report);

struct pull_options {
    const char *server;
    const char *token;
    enum stats_type type;
    char date_from[DATE_STR_LEN];  /* "" = no bound */
    char date_to[DATE_STR_LEN];
    int64_t client_id;             /* stored under this client */
    int page_size;                 /* ≥ 1 */
    federation_progress progress;
    void *ctx;
};

struct pull_report {
    size_t fetched, stored, skipped;
    size_t invalid;                /* items this instance would not accept */
    char *first_invalid;           /* why the first of them was refused (allocated) */
    char *error;
};

bool federation_pull(struct store *st, struct http_client *http, const struct pull_options *o,
                     struct pull_report *report);

void push_report_free(struct push_report *r);
void pull_report_free(struct pull_report *r);

/*
 * Asks MOSP (base URL mosp_url) whether the object `uuid` (a valid UUID) is
 * published: *published = the answer's metadata.count is not 0; *answer = the
 * parsed answer (a new reference).  False with *err (allocated) when MOSP
 * cannot be reached or answers something else than a JSON object with a count.
 */
bool mosp_is_object_published(struct http_client *http, const char *mosp_url, const char *uuid,
                              bool *published, struct json_object **answer, char **err);

#endif
