/*
 * stats.c — the validation of one upload item into a struct stats_item, and of
 * its `data` by the kind of its type (see stats.h; the shapes are in kinds/),
 * and the JSON of a stored stats.
 */
#include "stats/stats.h"

#include <stdlib.h>
#include <string.h>

#include "stats/extract.h"
#include "stats/kind.h"
#include "stats/shape.h"
#include "util/json.h"

/* ---- data ------------------------------------------------------------------ */

/*
 * The rule is "strict about what processors read, silent about the rest":
 * every member a processor uses must be there with a usable type, extra
 * members are kept.  Every problem is reported with its full path
 * ("[3].data.risks.current.informational[1].value"), not just the first.
 */
void stats_validate_data(enum stats_type type, struct json_object *data, const char *path,
                         struct error_list *errs)
{
    struct shape s = {BUF_INIT, errs};
    buf_puts(&s.path, path);
    const struct stats_kind *kind = stats_kind_of(type);
    if (kind)
        kind->check(&s, data);
    else
        shape_problem(&s, "Unknown stats type.");
    buf_free(&s.path);
}

/* ---- one item -------------------------------------------------------------- */

static const char *const item_keys[] = {"uuid", "anr", "type", "date", "data"};

/* Problems of one item, with the "[index]" prefix of its fields. */
struct item_check {
    buf field;
    size_t prefix_len;
    struct error_list found;
};

/* Sets ic->field to "[index].key" (or "[index]" for a NULL key) and returns it. */
static const char *field_path(struct item_check *ic, const char *key)
{
    buf_truncate(&ic->field, ic->prefix_len);
    if (key)
        buf_printf(&ic->field, ".%s", key);
    return ic->field.data;
}

static bool is_item_key(const char *key)
{
    for (size_t i = 0; i < sizeof item_keys / sizeof *item_keys; i++)
        if (strcmp(key, item_keys[i]) == 0)
            return true;
    return false;
}

static void check_known_keys(struct item_check *ic, struct json_object *obj)
{
    json_object_object_foreach(obj, key, value) {
        (void)value; /* declared by the macro, not needed here */
        if (!is_item_key(key))
            error_list_add(&ic->found, field_path(ic, key),
                           "Unknown member '%s'; an item has only uuid, anr, type, date and data.",
                           key);
    }
}

/* Finds obj.key (JSON null counts as present); reports it when missing. */
static bool required_member(struct item_check *ic, struct json_object *obj, const char *key,
                            struct json_object **v)
{
    if (json_object_object_get_ex(obj, key, v))
        return true;
    error_list_add(&ic->found, field_path(ic, key), "Missing required member.");
    return false;
}

static void read_uuid(struct item_check *ic, struct json_object *obj, struct stats_item *item)
{
    struct json_object *v = NULL;
    json_object_object_get_ex(obj, "uuid", &v);
    if (!v)
        item->uuid[0] = '\0'; /* absent or null: the store assigns one */
    else if (!json_object_is_type(v, json_type_string) ||
             !uuid_normalize(json_object_get_string(v), item->uuid))
        error_list_add(&ic->found, field_path(ic, "uuid"), "Must be a UUID or null.");
}

static void read_anr(struct item_check *ic, struct json_object *obj, struct stats_item *item)
{
    struct json_object *v;
    if (!required_member(ic, obj, "anr", &v))
        return;
    if (!json_object_is_type(v, json_type_string) ||
        !uuid_normalize(json_object_get_string(v), item->anr))
        error_list_add(&ic->found, field_path(ic, "anr"), "Must be a UUID.");
}

/* Returns whether the type is known, so that `data` can be checked against it. */
static bool read_type(struct item_check *ic, struct json_object *obj, struct stats_item *item)
{
    struct json_object *v;
    if (!required_member(ic, obj, "type", &v))
        return false;
    if (json_object_is_type(v, json_type_string) &&
        stats_type_parse(json_object_get_string(v), &item->type))
        return true;
    buf names = BUF_INIT;
    stats_type_names(&names, ", ", ", ");
    error_list_add(&ic->found, field_path(ic, "type"), "Must be one of %s.", names.data);
    buf_free(&names);
    return false;
}

static void read_date(struct item_check *ic, struct json_object *obj, struct stats_item *item)
{
    struct json_object *v;
    if (!required_member(ic, obj, "date", &v))
        return;
    if (!json_object_is_type(v, json_type_string) || !date_parse(json_object_get_string(v), item->date))
        error_list_add(&ic->found, field_path(ic, "date"),
                       "Must be a calendar date, YYYY-MM-DD or an ISO 8601 date-time.");
}

/* Checks `data` (when its type is known) and returns it, or NULL when absent. */
static struct json_object *read_data(struct item_check *ic, struct json_object *obj, bool type_known,
                                     enum stats_type type)
{
    struct json_object *v;
    if (!required_member(ic, obj, "data", &v))
        return NULL;
    if (type_known)
        stats_validate_data(type, v, field_path(ic, "data"), &ic->found);
    return v;
}

static void check_item(struct item_check *ic, struct json_object *obj, struct stats_item *item,
                       struct json_object **data)
{
    if (!json_object_is_type(obj, json_type_object)) {
        error_list_add(&ic->found, field_path(ic, NULL), "Must be an object.");
        return;
    }
    check_known_keys(ic, obj);
    read_uuid(ic, obj, item);
    read_anr(ic, obj, item);
    bool type_known = read_type(ic, obj, item);
    read_date(ic, obj, item);
    *data = read_data(ic, obj, type_known, item->type);
}

bool stats_item_from_json(struct json_object *obj, size_t index, struct stats_item *out,
                          struct error_list *errs)
{
    /* Problems are gathered apart first: errs may already be full (ERROR_LIST_MAX),
     * and this item's verdict must not depend on that. */
    struct item_check ic = {BUF_INIT, 0, ERROR_LIST_INIT};
    buf_printf(&ic.field, "[%zu]", index);
    ic.prefix_len = ic.field.len;

    struct stats_item item = {0};
    struct json_object *data = NULL;
    check_item(&ic, obj, &item, &data);

    bool ok = ic.found.count == 0;
    if (ok) {
        item.data = xstrdup(json_text(data));
        struct stats_facts *facts = xmalloc(sizeof *facts);
        if (stats_extract(item.type, data, facts))
            item.facts = facts; /* it keeps the tree its labels borrow from */
        else
            free(facts); /* a kind without facts (a test's) */
        *out = item;
    }
    for (size_t i = 0; i < ic.found.count; i++)
        error_list_add(errs, ic.found.items[i].field, "%s", ic.found.items[i].message);
    error_list_free(&ic.found);
    buf_free(&ic.field);
    return ok;
}

void stats_item_free(struct stats_item *item)
{
    if (!item->data_in_upload)
        free(item->data);
    item->data = NULL;
    stats_item_free_facts(item);
}

void stats_item_free_facts(struct stats_item *item)
{
    if (item->facts) {
        stats_facts_free(item->facts);
        free(item->facts);
        item->facts = NULL;
    }
}

void stats_json(struct json_writer *w, const char *uuid, const char *anr, enum stats_type type,
                const char *date, const char *data)
{
    jw_object_begin(w);
    jw_member_string(w, "uuid", uuid);
    jw_member_string(w, "anr", anr);
    jw_member_string(w, "type", stats_type_name(type));
    jw_member_string(w, "date", date);
    jw_member_raw(w, "data", data);
    jw_object_end(w);
}
