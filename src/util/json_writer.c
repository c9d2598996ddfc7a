/*
 * json_writer.c — one JSON value written into a buf, commas and nesting kept
 * by the writer (see json_writer.h).
 *
 * The state of each open container is two bits (object or array, empty or
 * not) in two masks, so a writer is a few words on the caller's stack and
 * needs no freeing.
 */
#include "util/json_writer.h"

#include <assert.h>
#include <stdint.h>

#include "util/json.h"

_Static_assert(JW_MAX_DEPTH <= 32, "one bit per open container in a uint32_t");

/* The bit of the innermost open container (depth ≥ 1). */
static uint32_t top_bit(const struct json_writer *w)
{
    return UINT32_C(1) << (w->depth - 1);
}

static bool in_object(const struct json_writer *w)
{
    return w->depth > 0 && (w->in_object & top_bit(w));
}

void jw_init(struct json_writer *w, buf *out)
{
    *w = (struct json_writer){.out = out};
}

bool jw_done(const struct json_writer *w)
{
    return w->done && w->depth == 0;
}

void jw_reserve(struct json_writer *w, size_t bytes)
{
    buf_grow(w->out, bytes);
}

/* Before any value: its comma in an array, the check of its key in an object. */
static void before_value(struct json_writer *w)
{
    assert(!w->done && "one value per writer");
    if (w->depth == 0)
        return;
    if (in_object(w)) {
        assert(w->key_pending && "a member's value needs its key first");
        w->key_pending = false;
        return;
    }
    if (w->has_items & top_bit(w))
        buf_putc(w->out, ',');
    w->has_items |= top_bit(w);
}

/* After a complete value: at depth 0, the writer's one value is written. */
static void after_value(struct json_writer *w)
{
    if (w->depth == 0)
        w->done = true;
}

static void open_container(struct json_writer *w, bool object, char c)
{
    before_value(w);
    assert(w->depth < JW_MAX_DEPTH && "nested too deep");
    w->depth++;
    w->has_items &= ~top_bit(w);
    if (object)
        w->in_object |= top_bit(w);
    else
        w->in_object &= ~top_bit(w);
    buf_putc(w->out, c);
}

static void close_container(struct json_writer *w, bool object, char c)
{
    assert(w->depth > 0 && "an end without its begin");
    assert(in_object(w) == object && "the end of another kind of container");
    assert(!w->key_pending && "a key without its value");
    buf_putc(w->out, c);
    w->depth--;
    after_value(w);
}

void jw_object_begin(struct json_writer *w)
{
    open_container(w, true, '{');
}

void jw_object_end(struct json_writer *w)
{
    close_container(w, true, '}');
}

void jw_array_begin(struct json_writer *w)
{
    open_container(w, false, '[');
}

void jw_array_end(struct json_writer *w)
{
    close_container(w, false, ']');
}

void jw_object_resume(struct json_writer *w, const char *text, size_t len)
{
    assert(len >= 2 && text[0] == '{' && "an object with a member, without its closing brace");
    open_container(w, true, '{');
    buf_append(w->out, text + 1, len - 1);
    w->has_items |= top_bit(w);
}

/*
 * Keys are short names that need no escaping: they go out with their comma,
 * quotes and colon in one append (answers hold thousands of them).  Others take
 * buf_json_string, so the bytes are the same either way.
 */
#define KEY_INLINE_MAX 60

void jw_key(struct json_writer *w, const char *key)
{
    assert(in_object(w) && "a key outside an object");
    assert(!w->key_pending && "two keys in a row");
    bool comma = w->has_items & top_bit(w);
    w->has_items |= top_bit(w);
    w->key_pending = true;
    char text[KEY_INLINE_MAX + 4]; /* ,"key": */
    size_t n = 0;
    if (comma)
        text[n++] = ',';
    text[n++] = '"';
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        if (n > KEY_INLINE_MAX || *p < 0x20 || *p == '"' || *p == '\\') {
            if (comma)
                buf_putc(w->out, ',');
            buf_json_string(w->out, key);
            buf_putc(w->out, ':');
            return;
        }
        text[n++] = (char)*p;
    }
    text[n++] = '"';
    text[n++] = ':';
    buf_append(w->out, text, n);
}

void jw_string(struct json_writer *w, const char *s)
{
    before_value(w);
    buf_json_string(w->out, s);
    after_value(w);
}

void jw_int(struct json_writer *w, int64_t v)
{
    /* Digits written from the right, without printf: answers carry thousands
     * of sample sizes, and printf's parsing of its format was a visible share
     * of an evolution answer's time. */
    char text[24];
    size_t at = sizeof text;
    uint64_t magnitude = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        text[--at] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (v < 0)
        text[--at] = '-';
    before_value(w);
    buf_append(w->out, text + at, sizeof text - at);
    after_value(w);
}

void jw_double(struct json_writer *w, double d)
{
    before_value(w);
    buf_json_double(w->out, d);
    after_value(w);
}

void jw_bool(struct json_writer *w, bool b)
{
    before_value(w);
    buf_puts(w->out, b ? "true" : "false");
    after_value(w);
}

void jw_null(struct json_writer *w)
{
    before_value(w);
    buf_puts(w->out, "null");
    after_value(w);
}

void jw_raw(struct json_writer *w, const char *json)
{
    assert(json && *json && "raw JSON text is a value");
    before_value(w);
    buf_puts(w->out, json);
    after_value(w);
}

void jw_member_string(struct json_writer *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_string(w, s);
}

void jw_member_int(struct json_writer *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_int(w, v);
}

void jw_member_double(struct json_writer *w, const char *key, double d)
{
    jw_key(w, key);
    jw_double(w, d);
}

void jw_member_bool(struct json_writer *w, const char *key, bool b)
{
    jw_key(w, key);
    jw_bool(w, b);
}

void jw_member_raw(struct json_writer *w, const char *key, const char *json)
{
    jw_key(w, key);
    jw_raw(w, json);
}
