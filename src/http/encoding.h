/*
 * encoding.h — content codings: which form of an answer a client takes.
 *
 * A client lists the codings it takes in Accept-Encoding, with quality values
 * (RFC 9110 §12.5.3): "gzip, deflate, br", "gzip;q=0.5, identity",
 * "*;q=0".  The service sends gzip (built into the static files, made at run
 * time for pages and public JSON) or the answer as it is.  Without the header
 * the answer goes as it is: that is what MONARC, curl and scripts get, byte for
 * byte as before.
 */
#ifndef HTTP_ENCODING_H
#define HTTP_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"

/* Answers smaller than this go uncompressed (unless the client refuses that):
 * below it, the gzip header and the lost bytes of a packet outweigh the gain. */
#define COMPRESS_MIN_BYTES 1024

enum content_coding { CODING_IDENTITY, CODING_GZIP };

/*
 * The coding to send an answer of `len` bytes in, given that a gzip form of
 * it exists (or can be made): gzip when the client takes it at least as
 * gladly as the answer as it is (which, unnamed, comes after the codings it
 * names) and the answer is at least COMPRESS_MIN_BYTES, or when it refuses
 * the answer as it is ("identity;q=0", "*;q=0") and takes gzip; otherwise
 * identity (also when the client refuses both: an answer it can read beats
 * a 406).
 */
enum content_coding encoding_choose(const char *accept_encoding, bool gzip_available, size_t len);

/* encoding_choose over the request's Accept-Encoding header. */
enum content_coding request_choose_coding(struct request *req, bool gzip_available, size_t len);

/*
 * For the answers compressed at run time (req->compressible: pages, the
 * OpenAPI document): when the client takes gzip for it, replaces req->reply
 * by its gzip form and adds Content-Encoding; adds "Vary: Accept-Encoding"
 * either way.  server.c calls it on every answer before sending it.
 */
void reply_encode(struct request *req);

#endif
