/*
 * upload.c — the fast path of an upload (stats.h: stats_upload_read): the
 * whole body read once by the pull tokenizer (util/json_pull.h), each item's
 * members read as they come and its `data` checked by its kind's scan
 * (scan.h) while its compact text is captured, then left in the body: as it
 * is when compact already, else written over its place — and its facts taken
 * out, for the kinds whose scan does that, with no tree built.
 *
 * It answers only for uploads it reads exactly as the json-c path would
 * (stats_item_from_json after json_parse_strict): the same items, the same
 * `data` text, byte for byte.  Anything else — an invalid body, an item with
 * a problem, but also what it does not handle (escapes where a value is
 * compared, repeated members, `data` before `type`, a kind without a scan) —
 * is left to that path, which says what is wrong or reads it: error answers
 * come from one place only, and a valid upload never depends on the fast
 * path.  fuzz/fuzz_pull.c checks that both paths agree.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats/extract.h"
#include "stats/kind.h"
#include "stats/stats.h"
#include "util/json_pull.h"

/* Longest date text read here; date_parse takes date-times, and a longer one
 * is left to the json-c path. */
#define DATE_TEXT_MAX 64
/* Longest type name read here (longer: no type, left to the json-c path). */
#define TYPE_TEXT_MAX 32

enum item_member { M_UUID, M_ANR, M_TYPE, M_DATE, M_DATA, M_COUNT };

static const char *const member_names[M_COUNT] = {"uuid", "anr", "type", "date", "data"};

static int member_of(const struct json_pull *p)
{
    for (int m = 0; m < M_COUNT; m++)
        if (strlen(member_names[m]) == p->str_len && memcmp(member_names[m], p->str, p->str_len) == 0)
            return m;
    return -1;
}

/* text[offset .. offset + len) */
struct text_span {
    size_t offset, len;
};

/* One upload being read: the pull over its text, which the items' data stay
 * in, and what every item's reading shares. */
struct upload_reader {
    struct json_pull p;
    char *text;
    struct strmap *labels; /* the facts' labels (stats_upload_read) */
    buf copy;              /* the compact form of one item's data at a time */
};

/* An item's data as the pull read it: its compact form is text[source] as it
 * is, or (not as_is) the reader's copy. */
struct data_capture {
    bool as_is;
    struct text_span source;
};

/* `data`, its type known: checked by the kind's scan, its compact text
 * captured, its facts into item->facts when the kind's scan takes them out. */
static bool read_data(struct upload_reader *r, struct stats_item *item, struct data_capture *data)
{
    const struct stats_kind *kind = stats_kind_of(item->type);
    if (!kind || (!kind->scan && !kind->scan_extract))
        return false;
    struct json_pull *p = &r->p;
    jp_capture_begin(p, &r->copy);
    bool ok;
    if (kind->scan_extract) {
        item->facts = xmalloc(sizeof *item->facts);
        *item->facts = (struct stats_facts){.type = item->type, .label_pool = r->labels};
        ok = kind->scan_extract(p, jp_next(p), item->facts); /* on failure the item is freed */
    } else {
        ok = kind->scan(p, jp_next(p));
    }
    data->as_is = jp_capture_end(p, &data->source.offset, &data->source.len);
    return ok;
}

static bool read_member(struct upload_reader *r, int member, unsigned seen, struct stats_item *item,
                        struct data_capture *data)
{
    if (member == M_DATA)
        return (seen & 1u << M_TYPE) && read_data(r, item, data);
    struct json_pull *p = &r->p;
    enum jp_token value = jp_next(p);
    char s[DATE_TEXT_MAX];
    switch (member) {
    case M_UUID:
        if (value == JP_NULL)
            return true; /* item->uuid stays "": the store assigns one */
        return jp_string_copy(p, value, s, sizeof s) && uuid_normalize(s, item->uuid);
    case M_ANR:
        return jp_string_copy(p, value, s, sizeof s) && uuid_normalize(s, item->anr);
    case M_TYPE:
        return jp_string_copy(p, value, s, TYPE_TEXT_MAX) && stats_type_parse(s, &item->type);
    case M_DATE:
        return jp_string_copy(p, value, s, sizeof s) && date_parse(s, item->date);
    default:
        return false; /* an unknown member: the json-c path names it */
    }
}

/*
 * Reads one item.  Its data ends up in the text, where the pull read it:
 * as it is, or its compact form written over it, the rest of its place
 * blanked with spaces, so that the text stays the same JSON for the json-c
 * path should a later item send the upload there.  *span says where; the item
 * points there once the pull is over, for until then the byte after it, where
 * its NUL goes, may be one the pull reads.
 */
static bool read_item(struct upload_reader *r, enum jp_token first, struct stats_item *item,
                      struct text_span *span)
{
    if (first != JP_OBJECT)
        return false;
    unsigned seen = 0;
    struct data_capture data = {.as_is = true};
    buf_reset(&r->copy);
    for (;;) {
        enum jp_token t = jp_next(&r->p);
        if (t == JP_OBJECT_END)
            break;
        int member = t == JP_KEY ? member_of(&r->p) : -1;
        if (member < 0 || !read_member(r, member, seen, item, &data)) {
            stats_item_free(item);
            return false;
        }
        seen |= 1u << member; /* the pull refuses a repeated member */
    }
    const unsigned required = 1u << M_ANR | 1u << M_TYPE | 1u << M_DATE | 1u << M_DATA;
    /* The compact form never outgrows its text (jp_capture_end): not trusted blindly. */
    if ((seen & required) != required || (!data.as_is && r->copy.len > data.source.len)) {
        stats_item_free(item);
        return false;
    }
    *span = data.source;
    if (!data.as_is) {
        memcpy(r->text + span->offset, r->copy.data, r->copy.len);
        memset(r->text + span->offset + r->copy.len, ' ', span->len - r->copy.len);
        span->len = r->copy.len;
    }
    item->data_in_upload = true;
    return true;
}

static void free_items(struct stats_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        stats_item_free(&items[i]);
    free(items);
}

bool stats_upload_read(char *text, size_t len, struct strmap *labels, struct stats_item **items_out,
                       size_t *n_out)
{
    if (len > INT32_MAX) /* json_parse_strict's limit */
        return false;
    struct upload_reader r = {.text = text, .labels = labels, .copy = BUF_INIT};
    jp_init(&r.p, text, len);
    size_t n = 0, cap = 16;
    struct stats_item *items = xcalloc(cap, sizeof *items);
    struct text_span *spans = xmalloc(cap * sizeof *spans);
    bool ok = jp_next(&r.p) == JP_ARRAY;
    while (ok) {
        enum jp_token t = jp_next(&r.p);
        if (t == JP_ARRAY_END)
            break;
        if (n == cap) {
            items = xrealloc(items, 2 * cap * sizeof *items);
            memset(items + cap, 0, cap * sizeof *items);
            spans = xrealloc(spans, 2 * cap * sizeof *spans);
            cap *= 2;
        }
        ok = read_item(&r, t, &items[n], &spans[n]);
        if (ok)
            n++;
    }
    ok = ok && jp_finish(&r.p);
    jp_free(&r.p);
    buf_free(&r.copy);
    if (!ok) {
        free(spans);
        free_items(items, n);
        return false;
    }
    /* Only now, the text read to its end: a NUL after each data (over a
     * blank, or the ',' or '}' that followed it). */
    for (size_t i = 0; i < n; i++) {
        assert(spans[i].offset + spans[i].len < len);
        items[i].data = text + spans[i].offset;
        items[i].data[spans[i].len] = '\0';
    }
    free(spans);
    *items_out = items;
    *n_out = n;
    return true;
}
