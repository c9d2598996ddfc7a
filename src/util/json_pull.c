/*
 * json_pull.c — the strict pull tokenizer of the ingestion fast path (see
 * json_pull.h).
 *
 * One pass over the text, no recursion, no tree: a stack of open containers
 * (at most JSON_MAX_DEPTH) and the names of the open objects' members.  The
 * compact form written to `out` is json-c's (json_object_to_json_string_ext
 * with JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, see json.c):
 * stored `data` must stay byte for byte what it was when json-c wrote it.
 * json-c decodes every escape and writes strings back escaping only '"', '\\'
 * and the control characters (\b \f \n \r \t, the others \u00xx in lower-case
 * hexadecimal); integers go through int64 (so "-0" becomes 0); decimals keep
 * their text.  fuzz/fuzz_pull.c holds both sides to it.
 */
#include "util/json_pull.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What the grammar expects next. */
enum jp_state {
    EXPECT_VALUE,       /* the top value, after ':' or after ',' in a list */
    EXPECT_FIRST_ITEM,  /* after '[': a value or ']' */
    EXPECT_KEY,         /* after ',' in an object */
    EXPECT_FIRST_KEY,   /* after '{': a name or '}' */
    EXPECT_NEXT,        /* after a value inside a container: ',' or its end */
    EXPECT_NOTHING,     /* the top value is complete */
    FAILED,
};

void jp_init(struct json_pull *p, const char *text, size_t len)
{
    memset(p, 0, sizeof *p);
    p->text = text;
    p->len = len;
    p->state = EXPECT_VALUE;
}

void jp_free(struct json_pull *p)
{
    free(p->keys);
    p->keys = NULL;
}

static enum jp_token failed(struct json_pull *p)
{
    p->state = FAILED;
    return JP_FAIL;
}

static enum jp_token unsupported(struct json_pull *p)
{
    p->unsupported = true;
    return failed(p);
}

static void skip_whitespace(struct json_pull *p)
{
    while (p->pos < p->len) {
        char c = p->text[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        p->pos++;
    }
}

/* Appends s[0..n) to the capture's compact form.  While that form is still
 * the text itself — pieces of the text where they stand, or literals equal to
 * the text there — only its end moves; the first piece that differs copies
 * what it was so far into out, and out takes everything after it. */
static void emit(struct json_pull *p, const char *s, size_t n)
{
    if (!p->out)
        return;
    if (p->verbatim) {
        const char *here = p->text + p->verbatim_end;
        if (n <= p->len - p->verbatim_end && (s == here || memcmp(s, here, n) == 0)) {
            p->verbatim_end += n;
            return;
        }
        p->verbatim = false;
        buf_append(p->out, p->text + p->verbatim_start, p->verbatim_end - p->verbatim_start);
    }
    buf_append(p->out, s, n);
}

void jp_capture_begin(struct json_pull *p, buf *out)
{
    assert(!p->out);
    skip_whitespace(p); /* the next token starts here */
    p->out = out;
    p->verbatim = true;
    p->verbatim_start = p->verbatim_end = p->pos;
}

bool jp_capture_end(struct json_pull *p, size_t *offset, size_t *len)
{
    assert(p->out);
    p->out = NULL;
    *offset = p->verbatim_start;
    if (!p->verbatim) {
        *len = p->pos - p->verbatim_start;
        return false;
    }
    /* Whitespace after the last token may have been read; a failed token was
     * emitted before it was read whole. */
    assert(p->verbatim_end <= p->pos || p->state == FAILED);
    *len = p->verbatim_end - p->verbatim_start;
    p->verbatim = false;
    return true;
}

/* A value was read: the container (or the top) moves on. */
static void after_value(struct json_pull *p)
{
    p->state = p->depth ? EXPECT_NEXT : EXPECT_NOTHING;
}

/* ---- strings ------------------------------------------------------------- */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The code unit of \uXXXX at text[i] (the backslash), or -1. */
static long escape_unit(const struct json_pull *p, size_t i)
{
    if (i + 6 > p->len || p->text[i] != '\\' || p->text[i + 1] != 'u')
        return -1;
    long v = 0;
    for (size_t k = 2; k < 6; k++) {
        int h = hex_digit(p->text[i + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* The UTF-8 form of code point cp into s; its length. */
static size_t utf8_encode(unsigned long cp, char s[4])
{
    if (cp < 0x80) {
        s[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        s[0] = (char)(0xC0 | (cp >> 6));
        s[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        s[0] = (char)(0xE0 | (cp >> 12));
        s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        s[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    s[0] = (char)(0xF0 | (cp >> 18));
    s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    s[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Writes code point cp as json-c writes a decoded character. */
static void emit_code_point(struct json_pull *p, unsigned long cp)
{
    static const char hex[] = "0123456789abcdef";
    switch (cp) {
    case '"': emit(p, "\\\"", 2); return;
    case '\\': emit(p, "\\\\", 2); return;
    case '\b': emit(p, "\\b", 2); return;
    case '\f': emit(p, "\\f", 2); return;
    case '\n': emit(p, "\\n", 2); return;
    case '\r': emit(p, "\\r", 2); return;
    case '\t': emit(p, "\\t", 2); return;
    default: break;
    }
    if (cp < 0x20) {
        char esc[6] = {'\\', 'u', '0', '0', hex[cp >> 4], hex[cp & 0xF]};
        emit(p, esc, sizeof esc);
        return;
    }
    char s[4];
    emit(p, s, utf8_encode(cp, s));
}

/* The code point of the escape at text[*i] (the backslash) as json-c decodes
 * it, or -1 for what the pull refuses; moves *i past it. */
static long decode_escape(const struct json_pull *p, size_t *i)
{
    if (*i + 1 >= p->len)
        return -1;
    char e = p->text[*i + 1];
    static const char from[] = "\"\\/bfnrt";
    static const char to[] = "\"\\/\b\f\n\r\t";
    const char *known = memchr(from, e, sizeof from - 1);
    if (known) {
        *i += 2;
        return (unsigned char)to[known - from];
    }
    long unit = escape_unit(p, *i);
    if (unit <= 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
        return -1; /* \u0000, a malformed escape, a lone low surrogate */
    long cp = unit;
    *i += 6;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
        long low = escape_unit(p, *i);
        if (low < 0xDC00 || low > 0xDFFF)
            return -1;
        cp = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        *i += 6;
        /* json-c 0.16 takes a pair whose code point ends in D800–DFFF (U+1D800–
         * U+1DFFF, U+2D800–…) for a surrogate again and stores U+FFFD instead:
         * so does the stored text, so must we (fuzz/regressions/pull). */
        if ((cp & 0xF800) == 0xD800)
            cp = 0xFFFD;
    }
    return cp;
}

/* Decodes the escape at text[*i] (the backslash) and writes it; moves *i past it. */
static bool read_escape(struct json_pull *p, size_t *i)
{
    long cp = decode_escape(p, i);
    if (cp < 0)
        return false;
    emit_code_point(p, (unsigned long)cp);
    return true;
}

/* Reads the string whose quote is at text[pos]; str and str_len get its content. */
static bool read_string(struct json_pull *p)
{
    size_t i = p->pos + 1, run = i;
    p->escaped = false;
    emit(p, "\"", 1);
    for (;;) {
        if (i >= p->len)
            return false;
        unsigned char c = (unsigned char)p->text[i];
        if (c == '"')
            break;
        if (c < 0x20)
            return false;
        if (c == '\\') {
            emit(p, p->text + run, i - run);
            if (!read_escape(p, &i))
                return false;
            run = i;
            p->escaped = true;
        } else if (c < 0x80) {
            i++;
        } else {
            size_t n = utf8_sequence_len((const unsigned char *)p->text + i, p->len - i);
            if (n == 0)
                return false;
            i += n;
        }
    }
    emit(p, p->text + run, i - run);
    emit(p, "\"", 1);
    p->str = p->text + p->pos + 1;
    p->str_len = i - p->pos - 1;
    p->pos = i + 1;
    return true;
}

/* ---- other tokens ---------------------------------------------------------- */

static bool read_number(struct json_pull *p)
{
    const char *s = p->text + p->pos;
    size_t n = json_number_len(s, p->len - p->pos, &p->integral);
    if (n == 0 || !json_number_in_range(s, n, p->integral))
        return false;
    if (p->integral && n == 2 && s[0] == '-' && s[1] == '0')
        emit(p, "0", 1); /* json-c keeps integers as int64 */
    else
        emit(p, s, n);
    p->str = s;
    p->str_len = n;
    p->pos += n;
    return true;
}

static bool read_word(struct json_pull *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->text + p->pos, word, n) != 0)
        return false;
    emit(p, word, n);
    p->pos += n;
    return true;
}

static enum jp_token open_container(struct json_pull *p, bool object)
{
    if (p->depth == JSON_MAX_DEPTH)
        return failed(p);
    p->frames[p->depth++] = (struct jp_frame){object, 0, p->n_keys};
    p->pos++;
    emit(p, object ? "{" : "[", 1);
    p->state = object ? EXPECT_FIRST_KEY : EXPECT_FIRST_ITEM;
    return object ? JP_OBJECT : JP_ARRAY;
}

static enum jp_token close_container(struct json_pull *p)
{
    struct jp_frame *f = &p->frames[--p->depth];
    p->n_keys = f->keys_start;
    p->pos++;
    emit(p, f->object ? "}" : "]", 1);
    after_value(p);
    return f->object ? JP_OBJECT_END : JP_ARRAY_END;
}

static enum jp_token read_value(struct json_pull *p)
{
    if (p->pos >= p->len)
        return failed(p);
    if (p->depth && !p->frames[p->depth - 1].object && p->frames[p->depth - 1].count++)
        emit(p, ",", 1);
    enum jp_token token;
    switch (p->text[p->pos]) {
    case '{': return open_container(p, true);
    case '[': return open_container(p, false);
    case '"': token = read_string(p) ? JP_STRING : JP_FAIL; break;
    case 't': token = read_word(p, "true") ? JP_TRUE : JP_FAIL; break;
    case 'f': token = read_word(p, "false") ? JP_FALSE : JP_FAIL; break;
    case 'n': token = read_word(p, "null") ? JP_NULL : JP_FAIL; break;
    default: token = read_number(p) ? JP_NUMBER : JP_FAIL; break;
    }
    if (token == JP_FAIL)
        return failed(p);
    after_value(p);
    return token;
}

/* A member name: unescaped, not repeated in its object, then ':'. */
static enum jp_token read_key(struct json_pull *p)
{
    struct jp_frame *f = &p->frames[p->depth - 1];
    if (p->pos >= p->len || p->text[p->pos] != '"')
        return failed(p);
    if (f->count++)
        emit(p, ",", 1);
    if (!read_string(p))
        return failed(p);
    if (p->escaped || p->n_keys - f->keys_start == JP_MAX_MEMBERS)
        return unsupported(p);
    size_t offset = (size_t)(p->str - p->text);
    for (size_t k = f->keys_start; k < p->n_keys; k++)
        if (p->keys[k].len == p->str_len && memcmp(p->text + p->keys[k].offset, p->str, p->str_len) == 0)
            return unsupported(p);
    if (p->n_keys == p->keys_cap) {
        p->keys_cap = p->keys_cap ? p->keys_cap * 2 : 64;
        p->keys = xrealloc(p->keys, p->keys_cap * sizeof *p->keys);
    }
    p->keys[p->n_keys++] = (struct jp_key){offset, p->str_len};
    skip_whitespace(p);
    if (p->pos >= p->len || p->text[p->pos] != ':')
        return failed(p);
    p->pos++;
    emit(p, ":", 1);
    p->state = EXPECT_VALUE;
    return JP_KEY;
}

enum jp_token jp_next(struct json_pull *p)
{
    skip_whitespace(p);
    char c = '\0'; /* at the end: matches no closing character */
    if (p->pos < p->len)
        c = p->text[p->pos];
    switch (p->state) {
    case EXPECT_VALUE:
        return read_value(p);
    case EXPECT_FIRST_ITEM:
        return c == ']' ? close_container(p) : read_value(p);
    case EXPECT_KEY:
        return read_key(p);
    case EXPECT_FIRST_KEY:
        return c == '}' ? close_container(p) : read_key(p);
    case EXPECT_NEXT: {
        bool object = p->frames[p->depth - 1].object;
        if (c == (object ? '}' : ']'))
            return close_container(p);
        if (c != ',')
            return failed(p);
        p->pos++;
        skip_whitespace(p);
        if (object)
            return read_key(p);
        p->state = EXPECT_VALUE;
        return read_value(p);
    }
    default:
        return failed(p);
    }
}

bool jp_skip(struct json_pull *p, enum jp_token first)
{
    if (first == JP_FAIL)
        return false;
    if (first != JP_OBJECT && first != JP_ARRAY)
        return true;
    int depth = p->depth - 1; /* the depth outside the value */
    while (p->depth > depth) {
        if (jp_next(p) == JP_FAIL)
            return false;
    }
    return true;
}

bool jp_finish(struct json_pull *p)
{
    skip_whitespace(p);
    return p->state == EXPECT_NOTHING && p->pos == p->len;
}

/* ---- reading the last token ------------------------------------------------- */

bool jp_number_value(const struct json_pull *p, enum jp_token token, double *out)
{
    if (token != JP_NUMBER && (token != JP_STRING || p->escaped))
        return false;
    return json_num_text(p->str, p->str_len, out);
}

bool jp_string_is(const struct json_pull *p, enum jp_token token, const char *s)
{
    return token == JP_STRING && !p->escaped && strlen(s) == p->str_len &&
           memcmp(p->str, s, p->str_len) == 0;
}

bool jp_string_copy(const struct json_pull *p, enum jp_token token, char *out, size_t size)
{
    if (token != JP_STRING || p->escaped || p->str_len >= size)
        return false;
    memcpy(out, p->str, p->str_len);
    out[p->str_len] = '\0';
    return true;
}

bool jp_string_decode(const struct json_pull *p, enum jp_token token, char *out, size_t size)
{
    if (token != JP_STRING || p->str_len >= size)
        return false; /* escapes only shrink: the raw length bounds the decoded one */
    size_t start = (size_t)(p->str - p->text), end = start + p->str_len, n = 0;
    for (size_t i = start; i < end;) {
        const char *backslash = memchr(p->text + i, '\\', end - i);
        size_t run = (backslash ? (size_t)(backslash - p->text) : end) - i;
        memcpy(out + n, p->text + i, run);
        n += run;
        i += run;
        if (i < end) {
            long cp = decode_escape(p, &i);
            assert(cp > 0); /* read_string accepted it */
            n += utf8_encode((unsigned long)cp, out + n);
        }
    }
    out[n] = '\0';
    return true;
}
