/*
 * fuzz_pull.c — libFuzzer target: the fast path of ingestion (the pull
 * tokenizer, util/json_pull.h, and stats_upload_read, stats/upload.c) held to
 * the json-c path it stands in for.
 *
 * The input is read three ways:
 * - as JSON by the pull: it accepts what json_parse_strict accepts (a bare
 *   null aside, which json_parse_strict refuses by choice), refuses what it
 *   refuses unless it said it leaves the text to json-c (`unsupported`), and
 *   writes exactly json_text() of json-c's tree;
 * - as a whole upload, and as the `data` of an item of each type: an upload
 *   the fast path reads must be one the json-c path accepts, with the same
 *   items (uuid, anr, type, date), `data` text byte for byte, and the same
 *   facts (taken out by the scan, or extracted from the text) as from
 *   json-c's tree; an upload it leaves is left the same JSON for json-c,
 *   though the data it read before were compacted in place.
 * A capture left in the text (jp_capture_end) must not have written anything.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats/extract.h"
#include "stats/kind.h"
#include "stats/stats.h"
#include "util/json.h"
#include "util/json_pull.h"
#include "util/strmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_tokens(const char *text, size_t size)
{
    struct json_pull p;
    buf out = BUF_INIT;
    jp_init(&p, text, size);
    jp_capture_begin(&p, &out);
    enum jp_token first = jp_next(&p);
    bool pulled = jp_skip(&p, first) && jp_finish(&p);
    size_t offset, len;
    if (jp_capture_end(&p, &offset, &len)) {
        if (out.len)
            abort(); /* left in the text, yet written */
        buf_append(&out, text + offset, len);
    }
    char err[160];
    struct json_object *doc = json_parse_strict(text, size, err, sizeof err);
    if (pulled && first == JP_NULL) {
        if (doc || strcmp(out.data ? out.data : "", "null") != 0)
            abort();
    } else if (pulled) {
        if (!doc || strcmp(json_text(doc), out.data) != 0)
            abort(); /* accepted what json-c refuses, or wrote another text */
    } else if (doc && !p.unsupported) {
        abort(); /* refused valid JSON without leaving it to json-c */
    }
    json_object_put(doc);
    jp_free(&p);
    buf_free(&out);
}

static bool labels_equal(const struct fact_labels *a, const struct fact_labels *b)
{
    for (int i = 0; i < FACT_LABELS; i++)
        if (strcmp(a->label[i], b->label[i]) != 0)
            return false;
    return true;
}

static bool decimal_equal(struct decimal a, struct decimal b)
{
    return a.units == b.units && a.nanos == b.nanos;
}

static bool objects_equal(const struct stats_facts *a, const struct stats_facts *b)
{
    if (a->n_objects != b->n_objects)
        return false;
    for (size_t i = 0; i < a->n_objects; i++) {
        const struct object_fact *x = &a->objects[i], *y = &b->objects[i];
        if (strcmp(x->uuid, y->uuid) != 0 || !labels_equal(&x->labels, &y->labels) ||
            !decimal_equal(x->count, y->count) || !decimal_equal(x->max_risk, y->max_risk) ||
            !decimal_equal(x->rate, y->rate))
            return false;
    }
    return true;
}

static bool carto_equal(const struct carto_fact *a, const struct carto_fact *b)
{
    for (int s = 0; s < CARTO_SCALES; s++)
        if (a->n_scales[s] != b->n_scales[s] ||
            (a->n_scales[s] && memcmp(a->scales[s], b->scales[s], a->n_scales[s] * sizeof(int64_t)) != 0))
            return false;
    if (a->n_cells != b->n_cells)
        return false;
    for (size_t i = 0; i < a->n_cells; i++)
        if (carto_cell_compare(&a->cells[i], &b->cells[i]) != 0 || a->cells[i].value != b->cells[i].value)
            return false;
    return true;
}

static bool compliance_equal(const struct stats_facts *a, const struct stats_facts *b)
{
    if (a->n_referentials != b->n_referentials)
        return false;
    for (size_t i = 0; i < a->n_referentials; i++) {
        const struct compliance_referential *x = &a->referentials[i], *y = &b->referentials[i];
        if (strcmp(x->uuid, y->uuid) != 0 || !labels_equal(&x->labels, &y->labels) ||
            x->n_categories != y->n_categories)
            return false;
        for (size_t c = 0; c < x->n_categories; c++) {
            const struct compliance_category *u = &x->categories[c], *v = &y->categories[c];
            if (!labels_equal(&u->labels, &v->labels) || u->has_current != v->has_current ||
                u->has_target != v->has_target || u->controls != v->controls ||
                (u->has_current && !decimal_equal(u->current, v->current)) ||
                (u->has_target && !decimal_equal(u->target, v->target)))
                return false;
        }
    }
    return true;
}

static bool facts_equal(const struct stats_facts *a, const struct stats_facts *b)
{
    for (int i = 0; i < RISK_CELLS; i++)
        if (!decimal_equal(a->risk.value[i], b->risk.value[i]))
            return false;
    return a->type == b->type && objects_equal(a, b) && carto_equal(&a->carto, &b->carto) &&
           compliance_equal(a, b);
}

/* The fast path's item against json-c's: the same fields, text and facts. */
static void check_item(const struct stats_item *fast, struct json_object *obj, size_t index)
{
    struct stats_item slow;
    struct error_list errs = ERROR_LIST_INIT;
    if (!stats_item_from_json(obj, index, &slow, &errs))
        abort(); /* the fast path accepted an item json-c's path refuses */
    if (strcmp(fast->uuid, slow.uuid) != 0 || strcmp(fast->anr, slow.anr) != 0 ||
        fast->type != slow.type || strcmp(fast->date, slow.date) != 0 ||
        strcmp(fast->data, slow.data) != 0)
        abort();
    /* The store takes the fast path's facts as its kind's scan took them out,
     * or from its text; json-c's path took them from its tree. */
    struct stats_facts from_text;
    bool scanned = fast->facts != NULL;
    bool a = scanned || stats_extract_text(fast->type, fast->data, strlen(fast->data), &from_text);
    bool b = slow.facts != NULL;
    if (a != b || (a && !facts_equal(scanned ? fast->facts : &from_text, slow.facts)))
        abort();
    if (a && !scanned)
        stats_facts_free(&from_text);
    stats_item_free(&slow);
    error_list_free(&errs);
}

static void check_upload(const char *text, size_t size)
{
    struct stats_item *items;
    size_t n;
    char *copy = xmalloc(size ? size : 1); /* the read writes into its text */
    memcpy(copy, text, size);
    struct strmap labels;
    strmap_init(&labels);
    if (!stats_upload_read(copy, size, &labels, &items, &n)) {
        strmap_free(&labels);
        /* Left to the json-c path, whatever it makes of it: the data already
         * compacted in place must leave it the same JSON. */
        char err[160];
        struct json_object *before = json_parse_strict(text, size, err, sizeof err);
        struct json_object *after = json_parse_strict(copy, size, err, sizeof err);
        if (!before != !after || (before && strcmp(json_text(before), json_text(after)) != 0))
            abort();
        json_object_put(before);
        json_object_put(after);
        free(copy);
        return;
    }
    char err[160];
    struct json_object *doc = json_parse_strict(text, size, err, sizeof err);
    if (!json_object_is_type(doc, json_type_array) || json_object_array_length(doc) != n)
        abort();
    for (size_t i = 0; i < n; i++) {
        check_item(&items[i], json_object_array_get_idx(doc, i), i);
        stats_item_free(&items[i]);
    }
    free(items);
    strmap_free(&labels);
    free(copy);
    json_object_put(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    check_tokens(text, size);
    check_upload(text, size);
    for (size_t k = 0; k < stats_kind_count(); k++) {
        buf upload = BUF_INIT;
        buf_printf(&upload, "[{\"anr\":\"6F1C2B4E-8d3a-4f5b-9e7c-1a2b3c4d5e6f\",\"type\":\"%s\","
                            "\"date\":\"2026-05-18\",\"data\":",
                   stats_type_name(stats_kind_at(k)->type));
        buf_append(&upload, data, size);
        buf_puts(&upload, "}]");
        check_upload(upload.data, upload.len);
        buf_free(&upload);
    }
    return 0;
}
