/*
 * server.c — libmicrohttpd glue: connections, bodies, limits, dispatch.
 *
 * Life of a request here:
 *   1st call of access_handler: allocate the struct request, check the
 *     declared body size (413) and header size (431), return MHD_YES — MHD then
 *     sends "100 Continue" if the client asked for it.
 *   next calls with data: append to req->body (413 as soon as it overflows).
 *   last call (no more data): dispatch through the router, queue the answer.
 *     Queuing on a later call, never the first, keeps the connection alive.
 *   request_completed: log, free.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/encoding.h"
#include "http/metrics.h"
#include "util/buf.h"
#include "util/log.h"

#define MAX_HEADER_BYTES ((size_t)16 * 1024)
#define CONNECTION_MEMORY (64 * 1024)
#define CONNECTION_LIMIT 4096
/* One address may hold an eighth of the connections: enough for a reverse
 * proxy or a load test on loopback (256), not enough for one slowloris host
 * to starve the others (docs/reliability.md). */
#define PER_IP_CONNECTION_LIMIT 512
/* Idle time (no byte read or written) after which a connection is closed. */
#define CONNECTION_TIMEOUT_S 30
/* A body must arrive at BODY_MIN_RATE bytes/s on average once BODY_GRACE_S
 * have passed, else the connection is cut: the idle timeout alone lets a
 * client trickle one byte every 29 s and hold its connection for ever. */
#define BODY_GRACE_S 10
#define BODY_MIN_RATE 1024
/* Free heap pages go back to the system once the server has been idle this
 * long (see "giving memory back"). */
#define TRIM_IDLE_MS 500
/* Connections the kernel queues before MHD accepts them. */
#define LISTEN_BACKLOG 1024
/* Bytes MHD asks a streamed answer for at once (its buffer per response). */
#define STREAM_BLOCK_BYTES ((size_t)32 * 1024)

struct server {
    struct MHD_Daemon *daemon;
    const struct config *cfg;
    const struct route_table *routes;
    pthread_key_t store_key;
    atomic_uint_fast64_t next_id;
    atomic_int in_flight;
    atomic_bool trim_wanted;           /* requests ran since the last trim */
    atomic_int_fast64_t last_done_ms;  /* monotonic time the last request ended */
    pthread_t janitor;
    pthread_mutex_t janitor_lock;
    pthread_cond_t janitor_wake;
    bool stopping;                     /* under janitor_lock */
    /* libmicrohttpd's messages (see mhd_message): kept until it has started,
     * logged afterwards. */
    pthread_mutex_t mhd_message_lock;
    bool mhd_started;                  /* under mhd_message_lock */
    char mhd_first_message[256];       /* under mhd_message_lock; "" = none */
};

struct pending {
    struct request req;
    struct timespec start;
    bool answered;        /* a response was queued already (early 413/431) */
    size_t body_received; /* body bytes read so far, kept or dropped */
};

/* --- per-thread database connection --- */

static void close_thread_store(void *store)
{
    store_close(store);
}

/* The calling worker thread's connection, opened on first use; NULL if the
 * database can't be reached (retried on the next request). */
static struct store *thread_store(struct server *srv)
{
    struct store *st = pthread_getspecific(srv->store_key);
    if (st)
        return st;
    char *err = NULL;
    if (store_open(srv->cfg->database_uri, &st, &err) != STORE_OK) {
        log_error("stats.http", "cannot open the database: %s", err ? err : "unknown error");
        free(err);
        return NULL;
    }
    pthread_setspecific(srv->store_key, st);
    return st;
}

/* --- giving memory back --- */

/* Parsing an upload or building a large answer leaves many small freed blocks
 * in malloc's arenas, which malloc keeps: after a day's uploads or a burst of
 * queries the server would hold the memory of its busiest moment.
 * malloc_trim(0) returns it, but trimming after every request cost 12 % of the
 * ingestion CPU (the next request faults the same pages in again).  So this
 * thread trims once no request has been running for TRIM_IDLE_MS, once per
 * idle period. */

static int64_t monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void *janitor_main(void *arg)
{
    struct server *srv = arg;
    pthread_mutex_lock(&srv->janitor_lock);
    while (!srv->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += TRIM_IDLE_MS * 1000000L / 2;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->janitor_wake, &srv->janitor_lock, &until);
        if (atomic_load(&srv->trim_wanted) && atomic_load(&srv->in_flight) == 0 &&
            monotonic_ms() - atomic_load(&srv->last_done_ms) >= TRIM_IDLE_MS) {
            atomic_store(&srv->trim_wanted, false);
            malloc_trim(0);
        }
    }
    pthread_mutex_unlock(&srv->janitor_lock);
    return NULL;
}

static bool janitor_start(struct server *srv)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&srv->janitor_wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&srv->janitor_lock, NULL);
    if (pthread_create(&srv->janitor, NULL, janitor_main, srv) == 0)
        return true;
    pthread_cond_destroy(&srv->janitor_wake);
    pthread_mutex_destroy(&srv->janitor_lock);
    return false;
}

static void janitor_stop(struct server *srv)
{
    pthread_mutex_lock(&srv->janitor_lock);
    srv->stopping = true;
    pthread_cond_signal(&srv->janitor_wake);
    pthread_mutex_unlock(&srv->janitor_lock);
    pthread_join(srv->janitor, NULL);
    pthread_cond_destroy(&srv->janitor_wake);
    pthread_mutex_destroy(&srv->janitor_lock);
}

/* --- answering --- */

static void release_shared_body(void *body)
{
    shared_bytes_unref(body);
}

/* A streamed answer (struct reply_stream) as MHD reads it: the part the
 * handler's next wrote last, and how much of it is sent. */
struct stream_reader {
    struct reply_stream stream;
    buf part;
    size_t sent;
};

/* MHD's content reader: up to max bytes of the answer, asking for its next
 * part once the last one is sent. */
static ssize_t read_stream(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos; /* the bytes are asked for in order */
    struct stream_reader *r = cls;
    while (r->sent == r->part.len) {
        buf_reset(&r->part);
        r->sent = 0;
        if (!r->stream.next(r->stream.cls, &r->part))
            return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = r->part.len - r->sent < max ? r->part.len - r->sent : max;
    memcpy(out, r->part.data + r->sent, n);
    r->sent += n;
    return (ssize_t)n;
}

static void release_stream(void *cls)
{
    struct stream_reader *r = cls;
    r->stream.release(r->stream.cls);
    buf_free(&r->part);
    free(r);
}

/* The MHD response of the request's body: shared bytes as they are (their
 * reference goes with the response), a stream (which goes with it too), or
 * the reply buffer, compressed when it asks for it. */
static struct MHD_Response *response_of(struct request *req)
{
    if (req->stream.next) {
        struct stream_reader *r = xcalloc(1, sizeof *r);
        r->stream = req->stream;
        req->stream = (struct reply_stream){0};
        struct MHD_Response *resp = MHD_create_response_from_callback(
            MHD_SIZE_UNKNOWN, STREAM_BLOCK_BYTES, read_stream, r, release_stream);
        if (!resp)
            release_stream(r);
        return resp;
    }
    if (req->shared_reply) {
        struct shared_bytes *body = req->shared_reply;
        /* MHD 0.9.75 takes the buffer as void *, and only reads it. */
        struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback_cls(
            shared_bytes_len(body), (void *)shared_bytes_data(body), release_shared_body, body);
        if (resp)
            req->shared_reply = NULL;
        return resp;
    }
    reply_encode(req);
    size_t len;
    char *body = buf_detach(&req->reply, &len);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp)
        free(body);
    return resp;
}

static enum MHD_Result queue_answer(struct MHD_Connection *conn, struct request *req)
{
    struct MHD_Response *resp = response_of(req);
    if (!resp)
        return MHD_NO;
    if (req->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, req->content_type);
    for (int i = 0; i < req->n_headers; i++)
        MHD_add_response_header(resp, req->headers[i].name, req->headers[i].value);
    char id[24];
    snprintf(id, sizeof id, "%llu", (unsigned long long)req->id);
    MHD_add_response_header(resp, "X-Request-Id", id);
    enum MHD_Result r = MHD_queue_response(conn, req->status, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result add_header_size(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value)
{
    size_t *total = cls;
    *total += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

/* Checks what can be checked before reading the body; false if answered. */
static bool check_request_head(struct server *srv, struct MHD_Connection *conn,
                               struct request *req)
{
    size_t header_bytes = 0;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header_size, &header_bytes);
    if (header_bytes > MAX_HEADER_BYTES) {
        reply_error(req, 431, "Request headers are larger than 16 KiB.", NULL);
        return false;
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > (unsigned long long)srv->cfg->max_body_size) {
        reply_errorf(req, 413, "The request body is larger than %lld bytes.",
                     (long long)srv->cfg->max_body_size);
        return false;
    }
    return true;
}

static struct pending *new_pending(struct server *srv, struct MHD_Connection *conn,
                                   const char *url, const char *method)
{
    struct pending *p = xcalloc(1, sizeof *p);
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    p->req.conn = conn;
    p->req.cfg = srv->cfg;
    p->req.method = method;
    p->req.path = xstrdup(url);
    router_normalize_path(p->req.path);
    buf_init_bounded(&p->req.body, (size_t)srv->cfg->max_body_size);
    p->req.id = atomic_fetch_add(&srv->next_id, 1) + 1;
    atomic_fetch_add(&srv->in_flight, 1);
    return p;
}

static double elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1e3 +
           (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/* True when the body so far (received + this chunk) came slower than allowed. */
static bool body_too_slow(struct pending *p, size_t chunk)
{
    p->body_received += chunk;
    double elapsed_s = elapsed_ms(&p->start) / 1e3;
    return elapsed_s > BODY_GRACE_S && (double)p->body_received / elapsed_s < BODY_MIN_RATE;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **req_cls)
{
    struct server *srv = cls;
    struct pending *p = *req_cls;

    if (!p) {
        p = new_pending(srv, conn, url, method);
        *req_cls = p;
        if (!check_request_head(srv, conn, &p->req)) {
            p->answered = true;
            return queue_answer(conn, &p->req);
        }
        return MHD_YES;
    }
    if (*upload_data_size && body_too_slow(p, *upload_data_size)) {
        log_info("stats.http", "[req %llu] %s %s: body slower than %d bytes/s, connection cut",
                 (unsigned long long)p->req.id, p->req.method, p->req.path, BODY_MIN_RATE);
        return MHD_NO;
    }
    if (p->answered) {
        *upload_data_size = 0; /* discard the rest of a refused body */
        return MHD_YES;
    }
    if (*upload_data_size) {
        p->req.has_body = true;
        /* A body without Content-Length that overflows (the body's bound is
         * MAX_BODY_SIZE): MHD can't answer in the middle of a body, so the 413
         * is recorded, the rest is read and dropped, and the answer goes out
         * once the body has ended. */
        if (!p->req.status && !buf_append(&p->req.body, upload_data, *upload_data_size)) {
            buf_free(&p->req.body);
            reply_errorf(&p->req, 413, "The request body is larger than %lld bytes.",
                         (long long)srv->cfg->max_body_size);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (p->req.status) {
        p->answered = true;
        return queue_answer(conn, &p->req);
    }

    p->req.store = thread_store(srv);
    router_dispatch(srv->routes, &p->req);
    if (!p->req.status)
        reply_error(&p->req, 500, "Internal server error.", NULL);
    p->answered = true;
    return queue_answer(conn, &p->req);
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                              enum MHD_RequestTerminationCode toe)
{
    struct server *srv = cls;
    struct pending *p = *req_cls;
    if (!p)
        return;
    struct request *req = &p->req;
    double ms = elapsed_ms(&p->start);
    enum log_level level = req->status >= 500 ? LOG_ERROR
                         : req->status >= 400 ? LOG_INFO : LOG_DEBUG;
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && level == LOG_DEBUG)
        level = LOG_INFO;
    if (log_enabled(level))
        log_msg(level, "stats.http", "[req %llu] %s %s -> %u (%.2f ms)%s",
                (unsigned long long)req->id, req->method, req->path, req->status, ms,
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection ended early)");
    metrics_request_done(req->method, req->route, req->status, ms / 1e3);
    atomic_store(&srv->trim_wanted, true);
    request_release(req);
    free(p);
    *req_cls = NULL;
    atomic_store(&srv->last_done_ms, monotonic_ms());
    atomic_fetch_sub(&srv->in_flight, 1);
}

/* --- start and stop --- */

/* Fills a socket address for host:port (IPv4 or IPv6 literal). */
static bool make_address(const char *host, int port, struct sockaddr_storage *ss,
                         bool *ipv6)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    const char *h = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
    if (inet_pton(AF_INET, h, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        *ipv6 = false;
        return true;
    }
    char tmp[64];
    size_t len = strlen(h);
    if (len >= 2 && h[0] == '[' && h[len - 1] == ']' && len - 2 < sizeof tmp) {
        memcpy(tmp, h + 1, len - 2);
        tmp[len - 2] = '\0';
        h = tmp;
    }
    if (inet_pton(AF_INET6, h, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *ipv6 = true;
        return true;
    }
    return false;
}

/*
 * libmicrohttpd's own messages, which it would otherwise print on stderr.
 * Before the daemon runs, the first is kept for server_start's error, so
 * that a failure reads as one line of ours; afterwards they go to the log.
 */
__attribute__((format(printf, 2, 0)))
static void mhd_message(void *cls, const char *fmt, va_list ap)
{
    struct server *srv = cls;
    char text[sizeof srv->mhd_first_message];
    vsnprintf(text, sizeof text, fmt, ap);
    text[strcspn(text, "\n")] = '\0'; /* its messages end with a newline; ours are one line */
    pthread_mutex_lock(&srv->mhd_message_lock);
    bool started = srv->mhd_started;
    if (!started && !srv->mhd_first_message[0])
        memcpy(srv->mhd_first_message, text, sizeof text);
    pthread_mutex_unlock(&srv->mhd_message_lock);
    if (started)
        log_warning("stats.http", "libmicrohttpd: %s", text);
}

/* "127.0.0.1:5000", "[::1]:5000" */
static void put_address(buf *b, const char *host, int port)
{
    bool ipv6 = strchr(host, ':') != NULL;
    buf_printf(b, "%s%s%s:%d", ipv6 ? "[" : "", host, ipv6 ? "]" : "", port);
}

/*
 * The listening socket, bound here rather than by libmicrohttpd so that a
 * failure (port in use, address not on this machine, no permission) is
 * known by its errno and told in one line.  The options are those MHD would
 * set: SO_REUSEADDR (a restart need not wait for old connections in
 * TIME_WAIT) and, for IPv6, no IPv4-mapped addresses.  -1 with errno set.
 */
static int listen_socket(const struct sockaddr_storage *addr, bool ipv6)
{
    int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int on = 1;
    socklen_t len = ipv6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        (ipv6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) ||
        bind(fd, (const struct sockaddr *)addr, len) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

static void free_server(struct server *srv)
{
    janitor_stop(srv);
    pthread_key_delete(srv->store_key);
    pthread_mutex_destroy(&srv->mhd_message_lock);
    free(srv);
}

struct server *server_start(const struct config *cfg, const struct route_table *routes,
                            char **err)
{
    struct sockaddr_storage addr;
    bool ipv6;
    if (!make_address(cfg->host, cfg->port, &addr, &ipv6)) {
        buf msg = BUF_INIT;
        buf_printf(&msg, "HOST '%s' is not an IP address", cfg->host);
        *err = buf_detach(&msg, NULL);
        return NULL;
    }
    int fd = listen_socket(&addr, ipv6);
    if (fd < 0) {
        /* "cannot listen on 127.0.0.1:5000: address already in use" */
        const char *why = strerror(errno);
        buf msg = BUF_INIT;
        buf_puts(&msg, "cannot listen on ");
        put_address(&msg, cfg->host, cfg->port);
        buf_printf(&msg, ": %c%s", tolower((unsigned char)why[0]), why + 1);
        *err = buf_detach(&msg, NULL);
        return NULL;
    }
    struct server *srv = xcalloc(1, sizeof *srv);
    srv->cfg = cfg;
    srv->routes = routes;
    pthread_mutex_init(&srv->mhd_message_lock, NULL);
    pthread_key_create(&srv->store_key, close_thread_store);
    if (!janitor_start(srv)) {
        *err = xstrdup("cannot start a thread");
        close(fd);
        pthread_key_delete(srv->store_key);
        pthread_mutex_destroy(&srv->mhd_message_lock);
        free(srv);
        return NULL;
    }

    /* MHD takes the socket over (it closes it when it stops). */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | (ipv6 ? MHD_USE_IPv6 : 0);
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, access_handler, srv,
        /* First, so that no message of the start escapes to stderr. */
        MHD_OPTION_EXTERNAL_LOGGER, mhd_message, srv,
        MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_IP_CONNECTION_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, request_completed, srv,
        MHD_OPTION_END);
    pthread_mutex_lock(&srv->mhd_message_lock);
    srv->mhd_started = srv->daemon != NULL;
    char first[sizeof srv->mhd_first_message];
    memcpy(first, srv->mhd_first_message, sizeof first);
    pthread_mutex_unlock(&srv->mhd_message_lock);
    if (!srv->daemon) {
        /* Whether MHD closed the socket on its way out is not said: the
         * process ends after this error, which closes it if it did not. */
        buf msg = BUF_INIT;
        buf_puts(&msg, "cannot start the HTTP server on ");
        put_address(&msg, cfg->host, cfg->port);
        buf_printf(&msg, ": %s", first[0] ? first : "libmicrohttpd refused to start");
        *err = buf_detach(&msg, NULL);
        free_server(srv);
        return NULL;
    }
    if (first[0])
        log_warning("stats.http", "libmicrohttpd: %s", first);
    return srv;
}

unsigned server_port(struct server *srv)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void server_stop(struct server *srv, int drain_s)
{
    /* Requests in flight get drain_s seconds to finish.  New connections are
     * still accepted meanwhile: MHD_quiesce_daemon would stop that, but in
     * libmicrohttpd 0.9.75 it races with the epoll worker threads and may
     * abort the process ("Failed to remove listen FD from epoll set"). */
    for (int i = 0; i < drain_s * 20 && atomic_load(&srv->in_flight) > 0; i++)
        usleep(50 * 1000);
    MHD_stop_daemon(srv->daemon);
    free_server(srv);
}
