/*
 * store.h — the storage interface: clients and stats, whatever the database.
 *
 * One struct store is one connection to the database, used by one thread at a
 * time (the server keeps one per worker thread).  Two backends implement it,
 * SQLite (sqlite.c) and PostgreSQL (postgres.c); store.c picks one from the
 * DATABASE_URI and forwards every call through the backend's ops table.
 * Nothing here knows about HTTP: callers get status codes and plain structs,
 * and map them to answers themselves.
 *
 * Error convention: functions return enum store_rc; on STORE_CONFLICT and
 * STORE_ERROR a human sentence is left in store_errmsg(s) (valid until the
 * next call on that store), and store_unavailable(s) tells a database that
 * does not answer (worth trying again later) from any other failure.
 * Strings in result structs are owned by the struct and released by the
 * matching *_free function.
 */
#ifndef STORE_STORE_H
#define STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats/extract.h"
#include "stats/stats.h"
#include "util/date.h"
#include "util/decimal.h"
#include "util/ids.h"

enum store_rc {
    STORE_OK = 0,
    STORE_NOT_FOUND,  /* the object asked for does not exist */
    STORE_CONFLICT,   /* a unique constraint would be broken (name, token, uuid …) */
    STORE_ERROR       /* the database failed: connection, disk, bug */
};

enum client_role { CLIENT_ROLE_USER = 1, CLIENT_ROLE_ADMIN = 2 };

#define TIMESTAMP_STR_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

struct client {
    int64_t id;                          /* internal key */
    char uuid[UUID_STR_LEN];
    char *name;
    char token_hash[TOKEN_HASH_STR_LEN];
    enum client_role role;
    bool is_sharing_enabled;
    bool local;                          /* created here, not a holder of pulled stats */
    bool has_coordinates;
    double latitude, longitude;
    char created_at[TIMESTAMP_STR_LEN];
    char last_seen[TIMESTAMP_STR_LEN];   /* "" if never seen */
};

void client_free(struct client *c);      /* frees the members, not c */

struct client_list {
    struct client *items;
    size_t count;
};
void client_list_free(struct client_list *l);

/* A stats row as stored. */
struct stats_row {
    int64_t id;                          /* insertion order */
    int64_t client_id;
    char uuid[UUID_STR_LEN];
    char anr[UUID_STR_LEN];
    enum stats_type type;
    char date[DATE_STR_LEN];
    char *data;                          /* the stored JSON text of `data` */
};

struct stats_page {
    struct stats_row *rows;
    size_t count;                        /* rows in this page */
    int64_t total;                       /* rows matching without offset/limit */
};
void stats_page_free(struct stats_page *p);

enum stats_order {
    STATS_ORDER_DATE,        /* date ascending, then insertion */
    STATS_ORDER_TYPE_DATE,   /* type (enum order), then date, then insertion */
};

struct stats_filter {
    int64_t client_id;       /* 0 = every client (admin) */
    bool local_only;         /* only clients created here (not holders of pulled stats) */
    bool sharing_only;       /* only clients with is_sharing_enabled */
    bool has_type;
    enum stats_type type;
    const char *const *anrs; /* lower-case UUIDs; NULL or n_anrs == 0 = any */
    size_t n_anrs;
    char date_from[DATE_STR_LEN]; /* "" = no bound */
    char date_to[DATE_STR_LEN];   /* "" = no bound */
    bool get_last;           /* latest stats per (client, ANR); dates ignored;
                                ordered by the ANR's first insertion */
    int64_t offset;          /* ≥ 0 */
    int64_t limit;           /* 0 = all */
    enum stats_order order;
};

struct upsert_result {
    size_t created;
    size_t updated;
};

struct store;

/* Opens a connection: "sqlite:///path" (the path may be relative: sqlite:///./var/x.db)
 * or "postgresql://user:pass@host:port/db" ("postgres://" too).  The schema is
 * not touched; call store_migrate() for that. */
enum store_rc store_open(const char *uri, struct store **out, char **errmsg);
/* The same, for work on a database that must already be there: a SQLite file
 * that does not exist is not created but STORE_NOT_FOUND, with *errmsg a
 * phrase naming it ("the SQLite database file ./x.db does not exist"), so that
 * a command that reads leaves nothing behind.  PostgreSQL: as store_open. */
enum store_rc store_open_existing(const char *uri, struct store **out, char **errmsg);
void store_close(struct store *s);
/* Starts the database housekeeping a long-running server leaves to a thread of
 * its own (SQLite: WAL checkpoints; PostgreSQL: none).  Connections opened
 * after it take part; stop it once they are closed. */
enum store_rc store_background_start(const char *uri, char **errmsg);
void store_background_stop(void);
const char *store_errmsg(struct store *s);
/* After a STORE_ERROR: true when the database could not be reached (PostgreSQL
 * down, restarting, or the connection lost), so that the caller can say "try
 * again later".  The connection is then re-opened by the next call on s. */
bool store_unavailable(struct store *s);
/* Reads between these two calls see one snapshot of the database, as of the
 * first of them, whatever commits meanwhile: an answer made of several
 * queries (figures, then their labels) is consistent, and SQLite takes its
 * read lock once instead of once per query.  store_read_end ends it whatever
 * happened in between; a failed begin needs no end. */
enum store_rc store_read_begin(struct store *s);
void store_read_end(struct store *s);
/* "sqlite" or "postgresql" */
const char *store_backend(struct store *s);

/* PostgreSQL: CREATE DATABASE named in the URI (connecting to "postgres");
 * SQLite: create the file and its folder. Already existing is not an error. */
enum store_rc store_create_database(const char *uri, char **errmsg);

/* Creates or upgrades the schema to the latest version; idempotent. */
enum store_rc store_migrate(struct store *s);
/* Current schema version (0 = empty database). */
enum store_rc store_schema_version(struct store *s, int *version);
/* The version store_migrate brings the schema to. */
int store_schema_latest(struct store *s);
/* What the migration step to version `reached` (1 … latest) does, in one line. */
const char *store_schema_step_summary(int reached);
/* Drops every table of this service. */
enum store_rc store_drop_all(struct store *s);

/*
 * Backups (docs/operations.md).  A backup file is a SQLite database holding
 * this service's tables at the schema version of the database it was taken
 * from, whatever the backend: SQLite copies its file with the online backup
 * API, PostgreSQL copies its tables from one snapshot.  Either backend
 * restores either's backups.  Both write to a temporary file beside `file`,
 * made durable, then renamed over it: a backup file is complete or absent.
 *
 * store_backup: *version receives the schema version copied.
 * store_restore: puts the backup in place of the database, which must be
 * empty (no client, no stats) unless `replace`, else STORE_CONFLICT with
 * *errmsg saying what is there; an older backup is migrated to the latest
 * version as part of the restore, a newer one refused.  Nothing changes
 * unless all of it succeeds.  *version receives the backup's version.
 */
enum store_rc store_backup(const char *uri, const char *file, int *version, char **errmsg);
enum store_rc store_restore(const char *uri, const char *file, bool replace, int *version,
                            char **errmsg);
/* A trivial query, for health checks. */
enum store_rc store_ping(struct store *s);

/* --- clients --- */

/* Inserts c (uuid, name, token_hash, role, flags, coordinates; created_at is
 * set here and c->id filled in).  Duplicate uuid, name or token → STORE_CONFLICT. */
enum store_rc store_client_create(struct store *s, struct client *c);
enum store_rc store_client_by_token_hash(struct store *s, const char *token_hash, struct client *out);
enum store_rc store_client_by_uuid(struct store *s, const char *uuid, struct client *out);
enum store_rc store_client_by_name(struct store *s, const char *name, struct client *out);
/* Ordered by creation. */
enum store_rc store_client_list(struct store *s, struct client_list *out);
/* Writes back name, token_hash, role, is_sharing_enabled, local, coordinates of
 * the client with c->id.  Duplicate name/token → STORE_CONFLICT. */
enum store_rc store_client_update(struct store *s, const struct client *c);
/* Sets last_seen = now if it is older than `min_age_s` seconds (or unset). */
enum store_rc store_client_touch(struct store *s, int64_t client_id, int min_age_s);
/* Deletes the client and all its stats (one transaction). */
enum store_rc store_client_delete(struct store *s, int64_t client_id);
enum store_rc store_client_count(struct store *s, int64_t *count);

/* What a visitor of /about/more may know of the instance: organisations are the
 * clients of the user role (never the admins), and the last receipt is that of
 * the stats of sharing ones, the stats the public pages show. */
struct store_summary {
    int64_t organisations;
    int64_t sharing_organisations;
    int64_t stats;
    char last_received[DATE_STR_LEN]; /* UTC date of the last stats written, "" if none */
};
enum store_rc store_summary(struct store *s, struct store_summary *out);

/* --- stats --- */

/*
 * Stores a batch for one client, all or nothing, durable on return.
 * For each item: if the client already has stats with its (anr, type, date),
 * its data is replaced and its uuid kept (item->uuid, if given, must match it,
 * else STORE_CONFLICT); otherwise a new row is inserted with item->uuid, or a
 * new random uuid when item->uuid is "" (and that uuid written into item->uuid).
 * A given uuid already used by another row → STORE_CONFLICT.  On conflict or
 * error nothing of the batch is stored.  On success every item->uuid holds the
 * stored uuid.  The items must have distinct (anr, type, date).
 */
enum store_rc store_stats_upsert(struct store *s, int64_t client_id, struct stats_item *items,
                                 size_t n, struct upsert_result *result);
enum store_rc store_stats_list(struct store *s, const struct stats_filter *f, struct stats_page *out);
/* Deletes stats of an ANR: client_id's own, or every client's if client_id is 0. */
enum store_rc store_stats_delete_anr(struct store *s, int64_t client_id, const char *anr,
                                     int64_t *deleted);
enum store_rc store_stats_count(struct store *s, int64_t *count);

/* --- maintenance, sharing and import (maintenance.c, import.c) --- */

/* The stats a command works through in id order, a page at a time (push, export). */
struct stats_selection {
    int64_t client_id;            /* 0 = every client */
    bool shared_local_only;       /* only local clients with is_sharing_enabled (push) */
    bool has_type;
    enum stats_type type;
    char date_from[DATE_STR_LEN]; /* "" = no bound */
    char date_to[DATE_STR_LEN];   /* "" = no bound */
};

/* The rows of sel with an id above after_id, by id, at most limit (> 0) of them;
 * out->total is the number of rows in the page.  Reading on from the last id
 * of a page neither skips nor repeats rows while others are written. */
enum store_rc store_stats_select(struct store *s, const struct stats_selection *sel,
                                 int64_t after_id, int64_t limit, struct stats_page *out);
enum store_rc store_stats_select_count(struct store *s, const struct stats_selection *sel,
                                       int64_t *count);

/* Deletes a client's stats: all of them, or those of one type (has_type). */
enum store_rc store_stats_delete_client(struct store *s, int64_t client_id, bool has_type,
                                        enum stats_type type, int64_t *deleted);
/* Deletes every stats dated before `before` ("YYYY-MM-DD"). */
enum store_rc store_stats_purge(struct store *s, const char *before, int64_t *deleted);
/* Counts the (client, ANR, type, date) keys that more than one stats of `type`
 * share, among stats dated before `before` ("" = any date). */
enum store_rc store_stats_count_duplicates(struct store *s, enum stats_type type,
                                           const char *before, int64_t *keys);

/* A stats as `stats list-last` shows it. */
struct stats_recent {
    char uuid[UUID_STR_LEN];
    char anr[UUID_STR_LEN];
    enum stats_type type;
    char date[DATE_STR_LEN];
    char *client_name;
};

struct stats_recent_list {
    struct stats_recent *items;
    size_t count;
};
void stats_recent_list_free(struct stats_recent_list *l);

/* The `limit` (> 0) most recent stats: latest date first, then latest stored. */
enum store_rc store_stats_recent(struct store *s, int64_t limit, struct stats_recent_list *out);

struct insert_result {
    size_t inserted;
    size_t skipped;  /* uuid already stored, or (anr, type, date) already held by the client */
};

/*
 * Stores a batch for one client in one transaction, durable on return, inserting
 * only what is new: an item whose uuid is already stored (under any client), or
 * whose (anr, type, date) the client already holds, is skipped and counted, never
 * changed.  Every item->uuid must be set.  Used where stats arrive with the
 * uuids given elsewhere (pull, import of the original's database), so running
 * it again stores nothing twice.
 */
enum store_rc store_stats_insert_new(struct store *s, int64_t client_id,
                                     const struct stats_item *items, size_t n,
                                     struct insert_result *result);
/* Inserts c as store_client_create does, but keeps c->created_at and
 * c->last_seen ("" = never seen): a client taken over from elsewhere keeps its dates. */
enum store_rc store_client_import(struct store *s, struct client *c);

/* --- figures for processors (facts/, versions.c) ---
 *
 * Processors never read stored documents: the figures they need were
 * extracted at ingestion (src/stats/extract.h) into indexed tables, and these
 * functions aggregate them in SQL.  `f` describes the selection like for
 * store_stats_list (offset, limit and order are ignored; f->type is
 * required).  Without ANRs and get_last, sums come from per-client daily
 * totals, so the cost follows the clients, dates and objects of the answer,
 * not the number of stats.  Sums are exact (struct decimal).
 */

/* How many analyses and organisations figures rest on, and how fresh they
 * are: the public routes' sample sizes and privacy floor (docs/privacy.md). */
struct support {
    int64_t analyses;               /* distinct (client, ANR) */
    int64_t organisations;          /* distinct clients */
    char newest[DATE_STR_LEN];      /* the date of the newest stats, "" when none */
};

/* Of the whole selection (f->type required). */
enum store_rc store_selection_support(struct store *s, const struct stats_filter *f, struct support *out);

/* Of each item of a selection whose kind has items (a threat or vulnerability
 * by object uuid, a compliance referential by its uuid): the stats that list it. */
struct item_support {
    char key[UUID_STR_LEN];
    struct support support;
};

struct item_supports {
    bool has_items;                 /* false: the kind has no items (count 0) */
    struct item_support *items;     /* by key (strcmp) */
    size_t count;
};
void item_supports_free(struct item_supports *l);
enum store_rc store_item_support(struct store *s, const struct stats_filter *f, struct item_supports *out);
/* The support of key, or NULL when no selected stats lists it. */
const struct support *item_supports_find(const struct item_supports *l, const char *key);

/* Change counters: one per type, and a global one bumped by every change. */
struct stats_versions {
    int64_t global;
    int64_t of_type[STATS_TYPE_COUNT];
};
enum store_rc store_stats_versions(struct store *s, struct stats_versions *out);

/* label1..label4 ("" for null), owned. */
struct labels {
    char *label[FACT_LABELS];
};
void labels_free(struct labels *l);

/* The aggregates of each kind, which its processors read, are declared by its
 * storage file: store/facts/<kind>.h. */

#endif
