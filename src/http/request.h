/*
 * request.h — one HTTP request as the handlers see it, and how they answer.
 *
 * server.c fills a struct request from libmicrohttpd (method, normalised path,
 * body, the worker thread's database connection) and hands it to the router.
 * A handler reads what it needs and leaves exactly one answer with one of the
 * reply_* functions; server.c turns it into an MHD response.  Handlers never
 * touch MHD themselves.
 */
#ifndef HTTP_REQUEST_H
#define HTTP_REQUEST_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "http/params.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/errors.h"
#include "util/json_writer.h"
#include "util/shared_bytes.h"

struct MHD_Connection;

#define ROUTE_MAX_PATH_PARAMS 2
#define RESPONSE_MAX_HEADERS 12

struct response_header {
    const char *name;   /* static strings */
    char *value;        /* owned */
};

/*
 * An answer written while it is sent, for one too big to hold whole (the
 * 201 of an upload echoes every stats): next appends the answer's next part
 * to out and returns true, or false once it is complete; release frees cls,
 * after the last part or when the connection ends before.  Sent as it is
 * (chunked), never compressed.
 */
struct reply_stream {
    bool (*next)(void *cls, buf *out);
    void (*release)(void *cls);
    void *cls;
};

struct request {
    /* --- filled by server.c --- */
    struct MHD_Connection *conn;
    const struct config *cfg;
    struct store *store;          /* this worker thread's connection; NULL if the DB is down */
    const char *method;           /* "GET", "POST" … */
    char *path;                   /* slashes collapsed, no trailing slash ("/" stays "/") */
    buf body;                     /* raw request body */
    bool has_body;
    uint64_t id;                  /* request id, also in logs and X-Request-Id */
    char *path_params[ROUTE_MAX_PATH_PARAMS]; /* "<…>" segments, owned */
    const char *route;            /* pattern of the route the path matched (static), or NULL */

    /* --- set by authentication (auth.c) --- */
    struct client client;         /* valid when authenticated */
    bool authenticated;
    char *api_key;                /* the X-API-KEY as sent (for /client/me), owned */

    /* --- the answer --- */
    unsigned status;              /* 0 = no answer yet */
    buf reply;
    struct shared_bytes *shared_reply; /* when set, the body instead of reply (one reference) */
    struct reply_stream stream;   /* when stream.next is set, the body instead of reply */
    const char *content_type;     /* static string */
    struct response_header headers[RESPONSE_MAX_HEADERS];
    int n_headers;
    bool compressible;            /* gzip it for a client that takes it (encoding.h) */
};

/* Request header value (case-insensitive name), or NULL. */
const char *request_header(struct request *req, const char *name);
/* Query-string argument, or NULL. */
const char *request_query(struct request *req, const char *name);
/* True when If-None-Match lists etag or is "*" (a weak tag W/"x" matches "x"). */
bool request_etag_matches(struct request *req, const char *etag);
/* The socket peer's address in 16 bytes, IPv4 as ::ffff:a.b.c.d; false if
 * it is neither IPv4 nor IPv6. */
bool request_peer_address(struct request *req, unsigned char out[16]);
/* True when the request comes straight from this host: the peer is a loopback
 * address and no proxy forwarded it (no X-Forwarded-For). */
bool request_is_local(struct request *req);

/*
 * Parses the body as JSON.  Returns a new reference, or NULL when there is no
 * body (*absent = true) or when it is not acceptable, in which case the error
 * answer (415 wrong Content-Type, 400 invalid JSON) is already set.
 */
struct json_object *request_json_body(struct request *req, bool *absent);

/*
 * The body's text when there is one declared as JSON, for a handler that reads
 * it without a tree (and may write into it); false otherwise, with no answer
 * set (request_json_body then gives the one it would).
 */
bool request_json_text(struct request *req, char **text, size_t *len);
/* The body's bytes, now the caller's (free): what a handler read from it may
 * outlive the request (a streamed answer).  The body reads as empty afterwards. */
char *request_body_take(struct request *req);

/*
 * The body as a JSON object.  Without a body: a new empty object, or (when
 * required) NULL with a 400 answer.  NULL with the answer set (400/415) when
 * the body is not a JSON object.
 */
struct json_object *request_object_body(struct request *req, bool required);

/*
 * Reads the parameters of specs from the JSON body and the query string
 * (params.h).  Returns false with a 400 answer (every problem listed) when
 * they are not acceptable.  values must be zeroed, and freed with
 * params_free() in every case.
 */
bool request_params(struct request *req, const struct param_spec *specs, size_t n,
                    struct param_value *values);

/* --- answers --- */

/*
 * A JSON answer: reply_json_begin empties req->reply and aims w at it, the
 * handler writes one value with w, and reply_json_end (the value complete:
 * asserted) gives it its status.
 */
void reply_json_begin(struct request *req, struct json_writer *w);
void reply_json_end(struct request *req, const struct json_writer *w, unsigned status);
/* {"message": message[, "errors": [...]]}; errors may be NULL or empty. */
void reply_error(struct request *req, unsigned status, const char *message,
                 const struct error_list *errors);
/* Like reply_error, message built printf-style. */
void reply_errorf(struct request *req, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A storage failure: logs the store's message with the request id and answers
 * without internals: 503 with Retry-After when the database does not answer
 * (store_unavailable, or no connection at all), else 500. */
void reply_store_error(struct request *req, const char *what);
/* Seconds a client is asked to wait when the database does not answer. */
#define DATABASE_RETRY_AFTER "5"

/* 404 as JSON (the pages' HTML one is web_not_found_page, src/web/pages.c). */
void reply_not_found(struct request *req);
/* Status with no body (204). */
void reply_empty(struct request *req, unsigned status);
/* Any other content (copied). */
void reply_text(struct request *req, unsigned status, const char *content_type,
                const char *text, size_t len);
/* Answers with bytes others hold too (a cached answer), sent without a copy:
 * takes a reference to body. */
void reply_shared(struct request *req, unsigned status, const char *content_type, struct shared_bytes *body);
/* Answers with parts written as they are sent (struct reply_stream, whose cls
 * it takes). */
void reply_streamed(struct request *req, unsigned status, const char *content_type,
                    struct reply_stream stream);
/* Adds a response header (value copied), replacing one of the same name. */
void reply_header(struct request *req, const char *name, const char *value);
/* Adds a name to the Vary header ("Accept-Language, Cookie" + ", Accept-Encoding"). */
void reply_vary(struct request *req, const char *name);

/* Frees everything the request owns (not the struct). */
void request_release(struct request *req);

#endif
