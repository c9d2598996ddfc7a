/*
 * sqlite_checkpoint.c — WAL checkpoints in a background thread, for the server.
 *
 * In WAL mode a commit appends pages to the log; a checkpoint copies them back
 * into the database file so the log can start over.  By default the commit
 * that takes the log past 1,000 pages runs that checkpoint itself, and the
 * request that made it waits for it: a tenth of the ingestion time, and the
 * slowest answers.  While the server runs, its connections instead wake this
 * thread, which checkpoints on a connection of its own (PASSIVE: it never
 * blocks readers or writers) while requests go on.
 *
 * If the thread falls far behind (a log of CHECKPOINT_CATCH_UP_PAGES), the
 * committing connection checkpoints itself, in RESTART mode: it waits for the
 * writer at work and holds new ones back until every frame is copied, so the
 * next commit starts the log over.  A PASSIVE checkpoint there is not enough:
 * while other connections keep committing, the log never gets copied to its
 * end, is never started over, and grows without bound (14 GB in a 1,000,000
 * stats ingestion by 4 installations at once).  The connections' own
 * journal_size_limit then cuts the file back (sqlite.c).  Connections opened while no
 * checkpointer runs (the command-line tools) keep SQLite's automatic
 * checkpoints.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>

#include "store/backend.h"

#define CHECKPOINT_PAGES 1000          /* SQLite's own default threshold */
#define CHECKPOINT_CATCH_UP_PAGES 16000

struct checkpointer {
    sqlite3 *db;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool pending;   /* a commit asked for a checkpoint (under lock) */
    bool stopping;  /* under lock */
};

/* The running checkpointer: set before the server's threads start and cleared
 * after they stopped, so those threads only ever read it. */
static struct checkpointer *running;

static void *checkpointer_main(void *arg)
{
    struct checkpointer *c = arg;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->pending && !c->stopping)
            pthread_cond_wait(&c->wake, &c->lock);
        if (c->stopping)
            break;
        c->pending = false;
        pthread_mutex_unlock(&c->lock);
        /* A failure (I/O error, a checkpoint already running) leaves the
         * frames in the log: the next commit asks again, and the catch-up
         * below bounds the log meanwhile. */
        sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&c->lock);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

/* sqlite3_wal_hook: called after each commit, the write lock released. */
static int after_commit(void *arg, sqlite3 *db, const char *schema, int log_pages)
{
    struct checkpointer *c = arg;
    if (log_pages >= CHECKPOINT_CATCH_UP_PAGES) {
        /* Busy (another checkpoint, a writer past the busy timeout): the next commit tries again. */
        sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
    } else if (log_pages >= CHECKPOINT_PAGES) {
        pthread_mutex_lock(&c->lock);
        c->pending = true;
        pthread_cond_signal(&c->wake);
        pthread_mutex_unlock(&c->lock);
    }
    return SQLITE_OK;
}

void sqlite_checkpointer_attach(struct sqlite3 *db)
{
    if (running)
        sqlite3_wal_hook(db, after_commit, running); /* replaces the automatic checkpoints */
}

static void checkpointer_free(struct checkpointer *c)
{
    sqlite3_close_v2(c->db);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

enum store_rc sqlite_checkpointer_start(const char *path, char **errmsg)
{
    struct checkpointer *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    sqlite_configure_once();
    /* The checkpoint syncs the database file as synchronous=FULL says. */
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
        sqlite3_exec(c->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK) {
        if (errmsg) {
            buf msg = BUF_INIT;
            buf_printf(&msg, "Cannot open the SQLite database %s: %s", path,
                       c->db ? sqlite3_errmsg(c->db) : "out of memory");
            *errmsg = buf_detach(&msg, NULL);
        }
        checkpointer_free(c);
        return STORE_ERROR;
    }
    if (pthread_create(&c->thread, NULL, checkpointer_main, c) != 0) {
        if (errmsg)
            *errmsg = xstrdup("Cannot start the checkpoint thread.");
        checkpointer_free(c);
        return STORE_ERROR;
    }
    running = c;
    return STORE_OK;
}

void sqlite_checkpointer_stop(void)
{
    struct checkpointer *c = running;
    if (!c)
        return;
    running = NULL;
    pthread_mutex_lock(&c->lock);
    c->stopping = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    checkpointer_free(c);
}
