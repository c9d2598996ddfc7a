/*
 * fuzz_json.c — libFuzzer target: json_parse_strict() on any bytes.
 *
 * Besides "no crash, no leak, no undefined behaviour", it checks the promise
 * the list answers rely on: what the parser accepts, the serialiser writes as
 * text that the parser accepts again, unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[160];
    struct json_object *obj = json_parse_strict((const char *)data, size, err, sizeof err);
    if (!obj)
        return 0;
    const char *text = json_text(obj);
    struct json_object *again = json_parse_strict(text, strlen(text), err, sizeof err);
    if (!again || strcmp(text, json_text(again)) != 0)
        abort(); /* a value we print must read back as itself */
    json_object_put(again);
    json_object_put(obj);
    return 0;
}
