/*
 * json_writer.h — writes one JSON value into a buf: every JSON answer, push
 * body and export the program composes goes through it (json.h's json_text
 * only serialises documents it parsed).
 *
 * The writer puts the commas and colons and tracks the nesting, so producers
 * only say what comes next (an object, a key, a string…).  Output is compact
 * (no whitespace); strings are escaped by buf_json_string and doubles written
 * by buf_json_double, so every producer writes them the same way.
 *
 * Misuse is a programming error and is asserted (in every build but a release
 * one): a value in an object without its key, a key outside an object, an end
 * that does not match the open container, nesting beyond JW_MAX_DEPTH, a
 * second value after the first one is complete.
 *
 * The writer owns nothing: it may be dropped half-way (an error answer then
 * resets the buf), and the buf may be emptied between values of an open array
 * (a stream written page by page) without the writer noticing.
 */
#ifndef UTIL_JSON_WRITER_H
#define UTIL_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Open arrays and objects at once: far more than any answer of this service nests. */
#define JW_MAX_DEPTH 32

struct json_writer {
    buf *out;
    unsigned depth;       /* open arrays and objects */
    uint32_t in_object;   /* bit d: the container at depth d + 1 is an object */
    uint32_t has_items;   /* bit d: that container holds an element or a member already */
    bool key_pending;     /* a member's key is written, its value not yet */
    bool done;            /* the one value at depth 0 is complete */
};

/* A writer that appends one value to out. */
void jw_init(struct json_writer *w, buf *out);
/* Whether the value is complete: written, and every container closed. */
bool jw_done(const struct json_writer *w);
/* A hint: about `bytes` more are coming (the buffer grows once, not by
 * doublings, for a large answer whose size is known in advance). */
void jw_reserve(struct json_writer *w, size_t bytes);

void jw_object_begin(struct json_writer *w);
void jw_object_end(struct json_writer *w);
void jw_array_begin(struct json_writer *w);
void jw_array_end(struct json_writer *w);
/*
 * Opens an object from the text of one written elsewhere without its closing
 * brace ("{" and at least one member), so that members can be added to it.
 */
void jw_object_resume(struct json_writer *w, const char *text, size_t len);

/* The key of the next member of the open object; the value follows. */
void jw_key(struct json_writer *w, const char *key);

/* A string, escaped by buf_json_string; NULL writes null. */
void jw_string(struct json_writer *w, const char *s);
void jw_int(struct json_writer *w, int64_t v);
/* buf_json_double's form: "8.0", "0.1", "1e+21"; not finite writes null. */
void jw_double(struct json_writer *w, double d);
void jw_bool(struct json_writer *w, bool b);
void jw_null(struct json_writer *w);
/* JSON text written as it is (stored `data`): the caller vouches for it. */
void jw_raw(struct json_writer *w, const char *json);

/* A key and its value, the common case of an object's member. */
void jw_member_string(struct json_writer *w, const char *key, const char *s);
void jw_member_int(struct json_writer *w, const char *key, int64_t v);
void jw_member_double(struct json_writer *w, const char *key, double d);
void jw_member_bool(struct json_writer *w, const char *key, bool b);
void jw_member_raw(struct json_writer *w, const char *key, const char *json);

#endif
