/*
 * json_pull.h — a strict JSON pull tokenizer that builds no tree.
 *
 * The caller asks for one token after another (jp_next) and reads what it
 * needs from each; the tokenizer checks the grammar, UTF-8 and the limits of
 * json_parse_strict (json.h) as it goes: depth JSON_MAX_DEPTH, finite numbers,
 * integers within int64, no \u0000, no lone surrogate, no control character
 * in strings.  Between jp_capture_begin and jp_capture_end, the tokens read
 * are also written in the compact form json-c writes (json_text): whitespace
 * dropped, escapes rewritten as json-c writes them, "-0" as 0, decimals as
 * written.  A capture whose compact form is the text itself (what a compact
 * sender writes) is not copied: the caller gets its place in the text.
 *
 * It is the fast path of ingestion: anything it does not handle exactly like
 * json-c — a malformed document, but also a member name holding an escape, a
 * member repeated in one object (json-c keeps the first place and the last
 * value), an object of more than JP_MAX_MEMBERS members — ends the pull
 * (JP_FAIL) and the caller goes back to json_parse_strict, which says what is
 * wrong or reads the document.  JP_FAIL therefore means "not for the fast
 * path", not "invalid".
 */
#ifndef UTIL_JSON_PULL_H
#define UTIL_JSON_PULL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/json.h"

/* Members of one object whose names the duplicate check remembers. */
#define JP_MAX_MEMBERS 64

enum jp_token {
    JP_FAIL,         /* not for the fast path (see above); every later call fails too */
    JP_OBJECT,       /* { */
    JP_OBJECT_END,   /* } */
    JP_ARRAY,        /* [ */
    JP_ARRAY_END,    /* ] */
    JP_KEY,          /* a member name (never escaped): str, str_len */
    JP_STRING,       /* str, str_len: the text between the quotes, escapes as written */
    JP_NUMBER,       /* str, str_len: the number as written; integral */
    JP_TRUE,
    JP_FALSE,
    JP_NULL,
};

struct jp_frame {
    bool object;
    size_t count;       /* members or items so far */
    size_t keys_start;  /* this object's names in keys[] */
};

struct jp_key {
    size_t offset, len;
};

struct json_pull {
    const char *text;
    size_t len, pos;
    int state;                               /* what the grammar expects next (json_pull.c) */
    int depth;                               /* open arrays and objects */
    struct jp_frame frames[JSON_MAX_DEPTH];
    struct jp_key *keys;                     /* names of the open objects, owned */
    size_t n_keys, keys_cap;
    /* The capture (jp_capture_begin): while `verbatim`, the compact form so far
     * is text[verbatim_start .. verbatim_end) and out holds nothing yet. */
    buf *out;
    bool verbatim;
    size_t verbatim_start, verbatim_end;
    /* The last token. */
    const char *str;
    size_t str_len;
    bool escaped;                            /* JP_STRING: holds a backslash */
    bool integral;                           /* JP_NUMBER: neither fraction nor exponent */
    /* JP_FAIL came from what the pull leaves to json-c (an escaped or repeated
     * member name, too many members), not from an error of the text. */
    bool unsupported;
};

/* Starts a pull over text[0..len), which must stay valid until jp_free. */
void jp_init(struct json_pull *p, const char *text, size_t len);
void jp_free(struct json_pull *p);

enum jp_token jp_next(struct json_pull *p);
/* Captures the compact form of the tokens pulled from now on (the next token
 * first): into out, unless it turns out to be the text itself. */
void jp_capture_begin(struct json_pull *p, buf *out);
/* Ends the capture.  True when text[*offset .. *offset + *len) is the compact
 * form of its tokens as it is, out untouched.  False when out holds it, and
 * text[*offset .. *offset + *len) is what the pull read meanwhile, which,
 * unless the pull failed, is never shorter: compacting drops whitespace and
 * only ever shortens an escape or a number. */
bool jp_capture_end(struct json_pull *p, size_t *offset, size_t *len);

/* Reads past the value whose first token (`first`) was just pulled; false on JP_FAIL. */
bool jp_skip(struct json_pull *p, enum jp_token first);
/* True when one whole value was read and only whitespace follows it. */
bool jp_finish(struct json_pull *p);

/* The last JP_NUMBER or JP_STRING as a number the way json_get_num reads it
 * (a string: the JSON number grammar exactly, unescaped); false otherwise. */
bool jp_number_value(const struct json_pull *p, enum jp_token token, double *out);
/* Whether the last token is the string s (unescaped, exactly). */
bool jp_string_is(const struct json_pull *p, enum jp_token token, const char *s);
/* Copies the last unescaped JP_STRING into out[0..size) with a NUL; false when it
 * is not one or does not fit. */
bool jp_string_copy(const struct json_pull *p, enum jp_token token, char *out, size_t size);
/* Copies the last JP_STRING into out[0..size) with a NUL, its escapes decoded as
 * json-c decodes them; false when it is not one or its raw text (str_len) does
 * not fit. */
bool jp_string_decode(const struct json_pull *p, enum jp_token token, char *out, size_t size);

#endif
