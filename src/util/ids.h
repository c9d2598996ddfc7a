/*
 * ids.h — identifiers and secrets: UUIDs, client tokens and their hashes.
 *
 * Tokens are 64 random bytes from getrandom(), base64url without padding (86
 * characters).  Only their SHA-256 (hex) is ever stored; a presented token is
 * hashed and compared in constant time.
 */
#ifndef UTIL_IDS_H
#define UTIL_IDS_H

#include <stdbool.h>
#include <stddef.h>

#define UUID_STR_LEN 37        /* 36 characters + NUL */
#define TOKEN_STR_LEN 87       /* 86 characters + NUL */
#define TOKEN_HASH_STR_LEN 65  /* 64 hex digits + NUL */

/* True if s is a UUID in 8-4-4-4-12 hex form (any case). */
bool uuid_is_valid(const char *s);
/* Copies a valid UUID into out, lower-cased. Returns false if s is not one. */
bool uuid_normalize(const char *s, char out[UUID_STR_LEN]);
/* A new random (version 4) UUID, lower-case. */
void uuid_generate_str(char out[UUID_STR_LEN]);
/* A new time-ordered (version 7, RFC 9562) UUID, lower-case: the Unix time in
 * milliseconds, then 74 random bits.  Rows keyed by such ids are inserted at
 * the end of their index rather than on a random page of it. */
void uuid_generate_time_ordered_str(char out[UUID_STR_LEN]);

/* A new random token. Returns false only if the system has no randomness. */
bool token_generate(char out[TOKEN_STR_LEN]);
/* SHA-256 of the token, lower-case hex. */
void token_hash(const char *token, char out[TOKEN_HASH_STR_LEN]);
/* Constant-time equality of two hashes (both TOKEN_HASH_STR_LEN - 1 long). */
bool token_hash_equal(const char *a, const char *b);

#endif
