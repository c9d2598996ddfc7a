/*
 * store.c — the entry of the storage layer: picks the backend's driver from the
 * DATABASE_URI (open, create, background work), and the few calls of store.h
 * that only pass through to the connection's ops or free result structs.  The
 * code shared by the backends and the operations is in sql.c.
 */
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"

/* The URI schemes and their drivers.  `path`: the driver is handed what follows
 * the scheme, a file path, which must not be empty (only SQLite's scheme is
 * one); else the whole URI. */
static const struct scheme {
    const char *prefix;
    bool path;
    const struct store_driver *driver;
} schemes[] = {
    {"sqlite:///", true, &sqlite_driver},
    {"postgresql://", false, &pg_driver},
    {"postgres://", false, &pg_driver},
};

/* The driver that serves uri, and in *target what it is handed; NULL when the
 * scheme is unknown (*target NULL) or the path after it empty. */
static const struct store_driver *driver_for(const char *uri, const char **target)
{
    for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++) {
        size_t len = strlen(schemes[i].prefix);
        if (strncmp(uri, schemes[i].prefix, len) != 0)
            continue;
        *target = schemes[i].path ? uri + len : uri;
        return **target ? schemes[i].driver : NULL;
    }
    *target = NULL;
    return NULL;
}

/* Why driver_for found no driver.  The URI is not echoed: it may hold a password. */
static enum store_rc bad_uri(const char *uri, const char *target, char **errmsg)
{
    const char *msg = "Unsupported database URI: expected sqlite:///<path> or postgresql://…";
    if (*uri == '\0')
        msg = "The database URI is empty.";
    else if (target && *target == '\0')
        msg = "The SQLite database URI names no file (sqlite:///<path>).";
    if (errmsg)
        *errmsg = xstrdup(msg);
    return STORE_ERROR;
}

static enum store_rc open_store(const char *uri, bool create, struct store **out, char **errmsg)
{
    const char *target;
    const struct store_driver *driver = driver_for(uri, &target);
    *out = NULL;
    if (errmsg)
        *errmsg = NULL;
    if (!driver)
        return bad_uri(uri, target, errmsg);
    return driver->open(target, create, out, errmsg);
}

enum store_rc store_open(const char *uri, struct store **out, char **errmsg)
{
    return open_store(uri, true, out, errmsg);
}

enum store_rc store_open_existing(const char *uri, struct store **out, char **errmsg)
{
    return open_store(uri, false, out, errmsg);
}

/* The driver whose background work runs; only the thread that starts and
 * stops the server touches it. */
static const struct store_driver *background;

enum store_rc store_background_start(const char *uri, char **errmsg)
{
    const char *target;
    const struct store_driver *driver = driver_for(uri, &target);
    if (errmsg)
        *errmsg = NULL;
    /* A bad URI is store_open's to report. */
    if (!driver || !driver->background_start)
        return STORE_OK;
    enum store_rc rc = driver->background_start(target, errmsg);
    if (rc == STORE_OK)
        background = driver;
    return rc;
}

void store_background_stop(void)
{
    if (background)
        background->background_stop();
    background = NULL;
}

enum store_rc store_create_database(const char *uri, char **errmsg)
{
    const char *target;
    const struct store_driver *driver = driver_for(uri, &target);
    if (errmsg)
        *errmsg = NULL;
    if (!driver)
        return bad_uri(uri, target, errmsg);
    return driver->create_database(target, errmsg);
}

enum store_rc store_backup(const char *uri, const char *file, int *version, char **errmsg)
{
    const char *target;
    const struct store_driver *driver = driver_for(uri, &target);
    if (errmsg)
        *errmsg = NULL;
    if (!driver)
        return bad_uri(uri, target, errmsg);
    return driver->backup(target, file, version, errmsg);
}

enum store_rc store_restore(const char *uri, const char *file, bool replace, int *version,
                            char **errmsg)
{
    const char *target;
    const struct store_driver *driver = driver_for(uri, &target);
    if (errmsg)
        *errmsg = NULL;
    if (!driver)
        return bad_uri(uri, target, errmsg);
    return driver->restore(target, file, replace, version, errmsg);
}

void store_close(struct store *s)
{
    if (s)
        s->ops->close(s);
}

const char *store_errmsg(struct store *s)
{
    return s->err.data ? s->err.data : "";
}

enum store_rc store_read_begin(struct store *s)
{
    return sql_run(s, s->ops->begin_read, NULL, 0, NULL);
}

void store_read_end(struct store *s)
{
    sql_rollback(s); /* nothing was written; keeps the message of a failed read */
}

bool store_unavailable(struct store *s)
{
    return s->unavailable;
}

const char *store_backend(struct store *s)
{
    return s->ops->name;
}

/* --- result structs --- */

void client_free(struct client *c)
{
    free(c->name);
    c->name = NULL;
}

void client_list_free(struct client_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        client_free(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

void stats_page_free(struct stats_page *p)
{
    for (size_t i = 0; i < p->count; i++)
        free(p->rows[i].data);
    free(p->rows);
    p->rows = NULL;
    p->count = 0;
    p->total = 0;
}
