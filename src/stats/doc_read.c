/*
 * doc_read.c — reading members of a document for fact extraction (see doc_read.h).
 */
#include "stats/doc_read.h"

#include <math.h>

#include "util/json.h"

struct json_object *doc_member(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;
    if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v))
        return NULL;
    return v;
}

struct json_object *doc_list_member(struct json_object *obj, const char *key)
{
    struct json_object *v = doc_member(obj, key);
    return json_object_is_type(v, json_type_array) ? v : NULL;
}

bool doc_num_member(struct json_object *obj, const char *key, struct decimal *out)
{
    double d;
    struct json_object *v = doc_member(obj, key);
    if (!v || !json_get_num(v, &d))
        return false;
    *out = decimal_from_double(d);
    return true;
}

bool doc_labels(struct json_object *obj, struct fact_labels *out)
{
    static const char *const names[FACT_LABELS] = {"label1", "label2", "label3", "label4"};
    for (int i = 0; i < FACT_LABELS; i++) {
        struct json_object *v = doc_member(obj, names[i]);
        if (v && !json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_null))
            return false;
        out->label[i] = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
    }
    return true;
}

bool doc_uuid_member(struct json_object *obj, const char *key, char out[UUID_STR_LEN])
{
    struct json_object *v = doc_member(obj, key);
    return json_object_is_type(v, json_type_string) && uuid_normalize(json_object_get_string(v), out);
}

struct json_object *doc_state_kind(struct json_object *grid, int state, int kind)
{
    static const char *const states[2] = {"current", "residual"};
    static const char *const kinds[2] = {"informational", "operational"};
    return doc_member(doc_member(grid, states[state]), kinds[kind]);
}

bool doc_integral(struct json_object *v, double *out)
{
    return json_get_num(v, out) && *out == trunc(*out);
}
