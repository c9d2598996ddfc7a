/*
 * upload.c — the fast path of an upload (stats.h: stats_upload_read): the
 * whole body read once by the pull tokenizer (util/json_pull.h), each item's
 * members read as they come and its `data` checked by its kind's scan
 * (scan.h) while its compact text is written — and its facts taken out, for
 * the kinds whose scan does that — with no tree built.
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

/* `data`, its type known: checked by the kind's scan, its compact text into
 * *text, its facts into item->facts when the kind's scan takes them out. */
static bool read_data(struct json_pull *p, struct stats_item *item, buf *text)
{
    const struct stats_kind *kind = stats_kind_of(item->type);
    if (!kind || (!kind->scan && !kind->scan_extract))
        return false;
    p->out = text; /* from its first token */
    bool ok;
    if (kind->scan_extract) {
        item->facts = xmalloc(sizeof *item->facts);
        *item->facts = (struct stats_facts){.type = item->type};
        ok = kind->scan_extract(p, jp_next(p), item->facts); /* on failure the item is freed */
    } else {
        ok = kind->scan(p, jp_next(p));
    }
    p->out = NULL;
    return ok;
}

static bool read_member(struct json_pull *p, int member, unsigned seen, struct stats_item *item,
                        buf *text)
{
    if (member == M_DATA)
        return (seen & 1u << M_TYPE) && read_data(p, item, text);
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

static bool read_item(struct json_pull *p, enum jp_token first, struct stats_item *item)
{
    if (first != JP_OBJECT)
        return false;
    unsigned seen = 0;
    buf text = BUF_INIT;
    for (;;) {
        enum jp_token t = jp_next(p);
        if (t == JP_OBJECT_END)
            break;
        int member = t == JP_KEY ? member_of(p) : -1;
        if (member < 0 || !read_member(p, member, seen, item, &text)) {
            buf_free(&text);
            stats_item_free(item);
            return false;
        }
        seen |= 1u << member; /* the pull refuses a repeated member */
    }
    const unsigned required = 1u << M_ANR | 1u << M_TYPE | 1u << M_DATE | 1u << M_DATA;
    if ((seen & required) != required) {
        buf_free(&text);
        stats_item_free(item);
        return false;
    }
    item->data = buf_detach(&text, NULL);
    return true;
}

static void free_items(struct stats_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        stats_item_free(&items[i]);
    free(items);
}

bool stats_upload_read(const char *text, size_t len, struct stats_item **items_out, size_t *n_out)
{
    if (len > INT32_MAX) /* json_parse_strict's limit */
        return false;
    struct json_pull p;
    jp_init(&p, text, len);
    size_t n = 0, cap = 16;
    struct stats_item *items = xcalloc(cap, sizeof *items);
    bool ok = jp_next(&p) == JP_ARRAY;
    while (ok) {
        enum jp_token t = jp_next(&p);
        if (t == JP_ARRAY_END)
            break;
        if (n == cap) {
            items = xrealloc(items, 2 * cap * sizeof *items);
            memset(items + cap, 0, cap * sizeof *items);
            cap *= 2;
        }
        ok = read_item(&p, t, &items[n]);
        if (ok)
            n++;
    }
    ok = ok && jp_finish(&p);
    jp_free(&p);
    if (!ok) {
        free_items(items, n);
        return false;
    }
    *items_out = items;
    *n_out = n;
    return true;
}
