/*
 * json.c — strict JSON parsing and compact output on top of json-c (see json.h).
 *
 * json-c's strict mode still lets through NaN/Infinity, "1.", raw control
 * characters in strings, lone surrogate escapes (turned into U+FFFD), overlong
 * or surrogate UTF-8 sequences, and it clamps integers beyond 64 bits.  So a
 * parse is: our own UTF-8 check, json-c for the structure and the tree, then a
 * linear scan of the tokens of the text that json-c accepted.  Nothing here
 * recurses over the input, so hostile nesting can't exhaust the stack.
 *
 * Choices beyond the JSON grammar: the escape \u0000 is refused (strings reach
 * C code NUL-terminated, so it would silently cut labels short), and so is a
 * top-level `null` (json-c represents it as a NULL tree).
 */
#include "util/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/double_text.h"

/* Longest number token copied to the stack for strtod(); longer ones go to the heap. */
#define NUMBER_STACK_LEN 64

static bool fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* ---- UTF-8 ------------------------------------------------------------- */

size_t utf8_sequence_len(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else
        return 0;
    if (avail < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

static bool check_utf8(const char *text, size_t len, char *err, size_t errlen)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        if (s[i] == '\0')
            return fail(err, errlen, "Invalid JSON at offset %zu: NUL byte.", i);
        size_t n = utf8_sequence_len(s + i, len - i);
        if (n == 0)
            return fail(err, errlen, "Invalid UTF-8 at offset %zu.", i);
        i += n;
    }
    return true;
}

/* ---- token scan (runs on text json-c accepted) ------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The code unit of the \uXXXX escape at text[i] (pointing at the backslash), or -1. */
static long unicode_escape_at(const char *text, size_t len, size_t i)
{
    if (i + 6 > len || text[i] != '\\' || text[i + 1] != 'u')
        return -1;
    long v = 0;
    for (size_t k = 2; k < 6; k++) {
        int h = hex_value(text[i + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/*
 * Checks the string starting at text[*i] (the opening quote) and moves *i past
 * its closing quote: no raw control characters, no \u0000, surrogate escapes
 * only as high+low pairs.
 */
static bool scan_string(const char *text, size_t len, size_t *i, char *err, size_t errlen)
{
    size_t p = *i + 1;
    while (p < len && text[p] != '"') {
        unsigned char c = (unsigned char)text[p];
        if (c < 0x20)
            return fail(err, errlen, "Invalid JSON at offset %zu: control character in a string.", p);
        if (c != '\\') {
            p++;
            continue;
        }
        if (text[p + 1] != 'u') {
            p += 2; /* json-c checked the escape letter */
            continue;
        }
        long unit = unicode_escape_at(text, len, p);
        if (unit == 0)
            return fail(err, errlen, "Invalid JSON at offset %zu: \\u0000 is not accepted.", p);
        if (unit >= 0xDC00 && unit <= 0xDFFF)
            return fail(err, errlen, "Invalid JSON at offset %zu: lone surrogate escape.", p);
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            long low = unicode_escape_at(text, len, p + 6);
            if (low < 0xDC00 || low > 0xDFFF)
                return fail(err, errlen, "Invalid JSON at offset %zu: lone surrogate escape.", p);
            p += 6;
        }
        p += 6;
    }
    *i = p + 1;
    return true;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static size_t skip_digits(const char *s, size_t i, size_t len)
{
    while (i < len && is_digit(s[i]))
        i++;
    return i;
}

size_t json_number_len(const char *s, size_t len, bool *integral)
{
    size_t i = 0;
    if (i < len && s[i] == '-')
        i++;
    if (i >= len || !is_digit(s[i]))
        return 0;
    i = s[i] == '0' ? i + 1 : skip_digits(s, i, len);
    *integral = true;
    if (i < len && s[i] == '.') {
        size_t end = skip_digits(s, i + 1, len);
        if (end == i + 1)
            return 0;
        i = end;
        *integral = false;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t end = skip_digits(s, i, len);
        if (end == i)
            return 0;
        i = end;
        *integral = false;
    }
    return i;
}

/* Whether the integer literal s[0..n) (grammar-checked) fits in int64. */
static bool integer_fits_int64(const char *s, size_t n)
{
    bool negative = s[0] == '-';
    const char *digits = s + negative;
    size_t ndigits = n - negative;
    const char *limit = negative ? "9223372036854775808" : "9223372036854775807";
    size_t limit_len = strlen(limit);
    if (ndigits != limit_len)
        return ndigits < limit_len;
    return memcmp(digits, limit, limit_len) <= 0;
}

/* Whether the decimal literal s[0..n) reads as a finite double (1e400 does not). */
static bool decimal_is_finite(const char *s, size_t n)
{
    char stack[NUMBER_STACK_LEN];
    char *copy = n < sizeof stack ? stack : xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    bool finite = isfinite(strtod(copy, NULL));
    if (copy != stack)
        free(copy);
    return finite;
}

bool json_number_in_range(const char *s, size_t n, bool integral)
{
    return integral ? integer_fits_int64(s, n) : decimal_is_finite(s, n);
}

static bool scan_number(const char *text, size_t len, size_t *i, char *err, size_t errlen)
{
    const char *s = text + *i;
    size_t rest = len - *i;
    bool integral = false;
    size_t n = json_number_len(s, rest, &integral);
    /* Whatever follows a number must not continue it ("1.", "1.5.3", "-Infinity").
     * memchr, not strchr: a NUL must not match the terminator of the set. */
    // NOLINTNEXTLINE(bugprone-not-null-terminated-result)
    if (n == 0 || (n < rest && (is_digit(s[n]) || memchr(".eE+-", s[n], 5))))
        return fail(err, errlen, "Invalid JSON at offset %zu: malformed number.", *i);
    if (!json_number_in_range(s, n, integral))
        return fail(err, errlen, "Number out of range at offset %zu.", *i);
    *i += n;
    return true;
}

static bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Bare words: only the three JSON literals (json-c also takes NaN and Infinity). */
static bool scan_word(const char *text, size_t len, size_t *i, char *err, size_t errlen)
{
    size_t start = *i, end = start;
    while (end < len && is_letter(text[end]))
        end++;
    size_t n = end - start;
    bool literal = (n == 4 && (!memcmp(text + start, "true", 4) || !memcmp(text + start, "null", 4))) ||
                   (n == 5 && !memcmp(text + start, "false", 5));
    if (!literal)
        return fail(err, errlen, "Invalid JSON at offset %zu: NaN and Infinity are not JSON numbers.",
                    start);
    *i = end;
    return true;
}

/*
 * Structure characters: json-c checked their grammar but takes single-quoted
 * member names, and its depth counts scalars as a level; JSON_MAX_DEPTH here
 * counts nested arrays and objects.
 */
static bool scan_structure(const char *text, size_t *i, int *depth, char *err, size_t errlen)
{
    char c = text[*i];
    if (c == '\'')
        return fail(err, errlen, "Invalid JSON at offset %zu: single quotes are not JSON.", *i);
    if ((c == '[' || c == '{') && ++*depth > JSON_MAX_DEPTH)
        return fail(err, errlen, "JSON nested deeper than %d levels.", JSON_MAX_DEPTH);
    if (c == ']' || c == '}')
        --*depth;
    ++*i;
    return true;
}

static bool scan_tokens(const char *text, size_t len, char *err, size_t errlen)
{
    size_t i = 0;
    int depth = 0;
    while (i < len) {
        char c = text[i];
        bool ok;
        if (c == '"')
            ok = scan_string(text, len, &i, err, errlen);
        else if (c == '-' || is_digit(c))
            ok = scan_number(text, len, &i, err, errlen);
        else if (is_letter(c))
            ok = scan_word(text, len, &i, err, errlen);
        else
            ok = scan_structure(text, &i, &depth, err, errlen);
        if (!ok)
            return false;
    }
    return true;
}

/* ---- parsing ------------------------------------------------------------ */

/* Checks a json-c outcome; on failure writes the error sentence and returns false. */
static bool tokenizer_ok(enum json_tokener_error jerr, size_t end, size_t len,
                         const struct json_object *obj, char *err, size_t errlen)
{
    if (jerr == json_tokener_error_depth)
        return fail(err, errlen, "JSON nested deeper than %d levels.", JSON_MAX_DEPTH);
    if (jerr != json_tokener_success)
        return fail(err, errlen, "Invalid JSON at offset %zu: %s.", end, json_tokener_error_desc(jerr));
    if (end < len)
        return fail(err, errlen, "Invalid JSON at offset %zu: unexpected data after the value.", end);
    if (!obj)
        return fail(err, errlen, "Invalid JSON: a bare null is not accepted here.");
    return true;
}

/*
 * Runs json-c over the text; a top-level scalar needs a final NUL to end.
 * json-c counts a scalar inside the deepest array as one more level, hence the
 * + 1; scan_structure() then enforces the exact limit without recursion.
 */
static struct json_object *tokenize(const char *text, size_t len, char *err, size_t errlen)
{
    struct json_tokener *tok = json_tokener_new_ex(JSON_MAX_DEPTH + 1);
    if (!tok) {
        fail(err, errlen, "Out of memory while parsing JSON.");
        return NULL;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    struct json_object *obj = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    if (jerr == json_tokener_continue) {
        obj = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        end = len;
    }
    json_tokener_free(tok);
    if (!tokenizer_ok(jerr, end, len, obj, err, errlen)) {
        json_object_put(obj);
        return NULL;
    }
    return obj;
}

struct json_object *json_parse_strict(const char *text, size_t len, char *err, size_t errlen)
{
    if (len > INT32_MAX) {
        fail(err, errlen, "JSON text too large.");
        return NULL;
    }
    if (!check_utf8(text, len, err, errlen))
        return NULL;
    struct json_object *obj = tokenize(text, len, err, errlen);
    if (obj && !scan_tokens(text, len, err, errlen)) {
        json_object_put(obj);
        return NULL;
    }
    return obj;
}

/* ---- output -------------------------------------------------------------- */

const char *json_text(struct json_object *obj)
{
    return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

void buf_json_value(buf *b, struct json_object *obj)
{
    buf_puts(b, json_text(obj));
}

/* ---- numbers ------------------------------------------------------------ */

bool json_get_num(struct json_object *obj, double *out)
{
    double d;
    switch (json_object_get_type(obj)) {
    case json_type_int:
    case json_type_double:
        d = json_object_get_double(obj);
        break;
    case json_type_string:
        return json_num_text(json_object_get_string(obj), (size_t)json_object_get_string_len(obj), out);
    default:
        return false;
    }
    if (!isfinite(d))
        return false;
    *out = d;
    return true;
}

bool json_num_text(const char *s, size_t n, double *out)
{
    /* Exactly the JSON number grammar: "1e3" is 1000; " 4", "007", "nan" are refused. */
    bool integral;
    if (n == 0 || json_number_len(s, n, &integral) != n)
        return false;
    char stack[NUMBER_STACK_LEN];
    char *copy = n < sizeof stack ? stack : xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    double d = strtod(copy, NULL);
    if (copy != stack)
        free(copy);
    if (!isfinite(d))
        return false;
    *out = d;
    return true;
}

/* Integral values below this print in full ("10000000000000000.0", not "1e+16"). */
#define PLAIN_INTEGRAL_LIMIT 1e17

void buf_json_double(buf *b, double d)
{
    if (!isfinite(d)) {
        buf_puts(b, "null");
        return;
    }
    /* "8.0", not "8": json-c and Python read it back as a double, not an integer. */
    if (d == trunc(d) && fabs(d) < PLAIN_INTEGRAL_LIMIT) {
        buf_printf(b, "%.0f.0", d);
        return;
    }
    char text[DOUBLE_TEXT_LEN];
    double_text_shortest(d, text); /* Python's repr */
    buf_puts(b, text);
}
