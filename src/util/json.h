/*
 * json.h — strict JSON in and out, on top of json-c.
 *
 * json-c is lenient in places the API contract is not: it accepts NaN and
 * Infinity, and silently clamps integers beyond 64 bits.  json_parse_strict()
 * closes those gaps so that every handler sees the same, validated tree.
 * Parsed decimals keep their source text ("1.50" prints back as 1.50), which is
 * what lets stored stats round-trip unchanged.
 */
#ifndef UTIL_JSON_H
#define UTIL_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

#define JSON_MAX_DEPTH 64

/*
 * Parses text[0..len) as one JSON value: strict syntax, valid UTF-8, at most
 * JSON_MAX_DEPTH levels, finite numbers, integers within int64.  Duplicate
 * object members: the last occurrence wins.  Returns a new reference, or NULL
 * with a human sentence in err (e.g. "Invalid JSON at offset 12: unexpected
 * character.").
 */
struct json_object *json_parse_strict(const char *text, size_t len, char *err, size_t errlen);

/* Compact serialisation without "\/" escapes; the string belongs to obj. */
const char *json_text(struct json_object *obj);
/* Appends the compact serialisation of obj to b. */
void buf_json_value(buf *b, struct json_object *obj);

/*
 * Reads a "num" value: a JSON number, or a string holding a decimal number
 * ("2.82", "3", " 4 " is refused).  Returns false for anything else, for
 * non-finite values and for booleans.
 */
bool json_get_num(struct json_object *obj, double *out);

/* The string s[0..n) read the same way: the JSON number grammar exactly, finite. */
bool json_num_text(const char *s, size_t n, double *out);

/*
 * Length of the JSON number (RFC 8259 grammar) at the start of s[0..len), or 0
 * if s does not start with one.  *integral tells whether it has neither
 * fraction nor exponent.
 */
size_t json_number_len(const char *s, size_t len, bool *integral);
/* Whether the number s[0..n) (grammar-checked) is in range: an integer within
 * int64, a decimal that reads as a finite double (1e400 does not). */
bool json_number_in_range(const char *s, size_t n, bool integral);

/* Appends the shortest decimal form of d that reads back to the same double. */
void buf_json_double(buf *b, double d);

/*
 * Length of the well-formed UTF-8 sequence at s[0..avail) (avail ≥ 1), or 0
 * if there is none: overlong forms, UTF-16 surrogates and code points above
 * U+10FFFF are refused (RFC 3629).  An ASCII byte is a sequence of 1.
 */
size_t utf8_sequence_len(const unsigned char *s, size_t avail);

#endif
