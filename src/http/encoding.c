/*
 * encoding.c — content codings: Accept-Encoding and gzip at run time (see encoding.h).
 */
#include "http/encoding.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/gzip.h"

/* What an Accept-Encoding header says of the codings this service knows:
 * each one's quality, -1 when the header does not name it. */
struct accepted {
    double gzip, identity, any;
};

/* The q parameter of one item's parameters (";q=0.5"), 1 without one. */
static double quality(const char *params, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=') {
            double q = strtod(params + i + 2, NULL);
            return q < 0 ? 0 : q > 1 ? 1 : q;
        }
    }
    return 1;
}

static bool token_is(const char *p, size_t len, const char *name)
{
    return len == strlen(name) && strncasecmp(p, name, len) == 0;
}

static struct accepted parse(const char *header)
{
    struct accepted a = {-1, -1, -1};
    for (const char *p = header; *p;) {
        p += strspn(p, " \t,");
        size_t item_len = strcspn(p, ",");
        size_t token_len = strcspn(p, "; \t,");
        size_t params_at = strcspn(p, ";,");
        double q = params_at < item_len ? quality(p + params_at, item_len - params_at) : 1;
        if (token_is(p, token_len, "gzip") || token_is(p, token_len, "x-gzip"))
            a.gzip = q;
        else if (token_is(p, token_len, "identity"))
            a.identity = q;
        else if (token_is(p, token_len, "*"))
            a.any = q;
        p += item_len;
    }
    return a;
}

enum content_coding encoding_choose(const char *accept_encoding, bool gzip_available, size_t len)
{
    if (!accept_encoding || !gzip_available)
        return CODING_IDENTITY;
    struct accepted a = parse(accept_encoding);
    /* A coding the header does not name takes the quality of "*"; identity,
     * unnamed and without "*", stays acceptable but comes after any coding
     * the client names (-1 below). */
    double gzip = a.gzip >= 0 ? a.gzip : a.any >= 0 ? a.any : 0;
    double identity = a.identity >= 0 ? a.identity : a.any;
    if (gzip <= 0)
        return CODING_IDENTITY;
    if (identity == 0)
        return CODING_GZIP;
    return len >= COMPRESS_MIN_BYTES && gzip >= identity ? CODING_GZIP : CODING_IDENTITY;
}

enum content_coding request_choose_coding(struct request *req, bool gzip_available, size_t len)
{
    return encoding_choose(request_header(req, "Accept-Encoding"), gzip_available, len);
}

void reply_encode(struct request *req)
{
    if (!req->compressible)
        return;
    reply_vary(req, "Accept-Encoding");
    if (request_choose_coding(req, true, req->reply.len) != CODING_GZIP)
        return;
    buf packed = BUF_INIT;
    gzip_compress(req->reply.data ? req->reply.data : "", req->reply.len, &packed);
    buf_free(&req->reply);
    req->reply = packed;
    reply_header(req, "Content-Encoding", "gzip");
}
