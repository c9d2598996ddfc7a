/*
 * original.h — reading a database of the original Python service (PostgreSQL),
 * for `db import-original`.
 *
 * The original (Flask + SQLAlchemy) keeps two tables: `client` (id, uuid, name,
 * token in clear, role, latitude, longitude, last_seen, local,
 * is_sharing_enabled, created_at …) and `stats` (uuid, anr, type, date, data
 * as jsonb, created_at, client_id …).  Older installations lack some of the
 * later columns (coordinates, sharing flag): those read as their defaults.
 * This module only reads; values come back as text, as the original holds
 * them, and the caller checks them.
 */
#ifndef STORE_ORIGINAL_H
#define STORE_ORIGINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct original_db;

/* Connects to a "postgresql://…" URI and checks that the two tables are there
 * with the columns that cannot be done without.  NULL with *errmsg (allocated). */
struct original_db *original_open(const char *uri, char **errmsg);
void original_close(struct original_db *o);
/* The message of the last failure (valid until the next call). */
const char *original_errmsg(struct original_db *o);

struct original_client {
    int64_t id;
    char *uuid;
    char *name;            /* NULL if the original has none */
    char *token;           /* in clear; NULL if none */
    int role;              /* 1 user, 2 admin; 0 if unset */
    bool has_sharing, is_sharing_enabled;
    bool has_local, local;
    bool has_coordinates;
    double latitude, longitude;
    char created_at[TIMESTAMP_STR_LEN]; /* UTC, "" if unset */
    char last_seen[TIMESTAMP_STR_LEN];  /* UTC, "" if unset */
};

struct original_client_list {
    struct original_client *items;
    size_t count;
};
void original_client_list_free(struct original_client_list *l);

/* Every client, by id. */
bool original_clients(struct original_db *o, struct original_client_list *out);
/* The number of stats rows (for progress). */
bool original_stats_count(struct original_db *o, int64_t *count);

/* One stats row as the original holds it. */
struct original_stats {
    bool has_client;       /* client_id is not NULL */
    int64_t client_id;
    char *uuid, *anr, *type, *date; /* date "YYYY-MM-DD" */
    char *data;            /* jsonb as text */
    /* Another row of the same client, ANR, type and date was created later
     * (ties: the greater uuid wins): this one is the original's duplicate. */
    bool superseded;
};

struct original_stats_page {
    struct original_stats *rows;
    size_t count;
};
void original_stats_page_free(struct original_stats_page *p);

/*
 * Reads the stats through a cursor: original_stats_begin, then
 * original_stats_next until it returns a page with no rows, then
 * original_stats_end.  Rows come by client (clients' ids ascending, rows
 * without a client last), and within a client by date, then creation.
 */
bool original_stats_begin(struct original_db *o);
bool original_stats_next(struct original_db *o, size_t max, struct original_stats_page *out);
void original_stats_end(struct original_db *o);

#endif
