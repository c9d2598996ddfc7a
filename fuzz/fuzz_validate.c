/*
 * fuzz_validate.c — libFuzzer target: the validation of stats items.
 *
 * The input is read as JSON; it is then checked three ways: as a whole upload
 * item (stats_item_from_json), and as the `data` of an item of each of the
 * five types, both directly (stats_validate_data) and wrapped in a complete
 * item.  An accepted item must come out with `data` as JSON text that parses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats/kind.h"
#include "stats/stats.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An accepted item's data must be JSON again: the store keeps it as text. */
static void check_item(struct json_object *obj)
{
    struct stats_item item;
    struct error_list errs = ERROR_LIST_INIT;
    if (stats_item_from_json(obj, 3, &item, &errs)) {
        char err[160];
        struct json_object *back = json_parse_strict(item.data, strlen(item.data), err, sizeof err);
        if (!back || errs.count)
            abort();
        json_object_put(back);
        stats_item_free(&item);
    } else if (!errs.count) {
        abort(); /* a refusal always says why */
    }
    error_list_free(&errs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[160];
    struct json_object *value = json_parse_strict((const char *)data, size, err, sizeof err);
    if (!value)
        return 0;
    check_item(value);
    for (size_t k = 0; k < stats_kind_count(); k++) {
        enum stats_type type = stats_kind_at(k)->type;
        struct error_list errs = ERROR_LIST_INIT;
        stats_validate_data(type, value, "[0].data", &errs);
        error_list_free(&errs);

        struct json_object *item = json_object_new_object();
        json_object_object_add(item, "anr", json_object_new_string("6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f"));
        json_object_object_add(item, "type", json_object_new_string(stats_type_name(type)));
        json_object_object_add(item, "date", json_object_new_string("2026-05-18"));
        json_object_object_add(item, "data", json_object_get(value));
        check_item(item);
        json_object_put(item);
    }
    json_object_put(value);
    return 0;
}
