/*
 * fuzz_extract.c — libFuzzer target: the processors' extraction of facts from
 * a stored document (src/stats/extract.h), for each of the five types.
 *
 * The input is read as stored `data` (JSON text).  Besides "no crash, no leak,
 * no undefined behaviour", it holds extraction to its contract with
 * validation: a document that validation accepts for a type must extract for
 * that type, since the store extracts every document it accepted.
 */
#include <stdint.h>
#include <stdlib.h>

#include "stats/extract.h"
#include "stats/kind.h"
#include "stats/stats.h"
#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[160];
    struct json_object *doc = json_parse_strict((const char *)data, size, err, sizeof err);
    for (size_t k = 0; k < stats_kind_count(); k++) {
        enum stats_type type = stats_kind_at(k)->type;
        struct stats_facts facts;
        bool extracted = stats_extract_text(type, (const char *)data, size, &facts);
        if (extracted)
            stats_facts_free(&facts);
        if (!doc)
            continue;
        struct error_list errs = ERROR_LIST_INIT;
        stats_validate_data(type, doc, "data", &errs);
        bool valid = errs.count == 0;
        error_list_free(&errs);
        if (valid && !extracted)
            abort(); /* the store could not extract a document it accepted */
    }
    json_object_put(doc);
    return 0;
}
