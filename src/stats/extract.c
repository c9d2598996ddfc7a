/*
 * extract.c — turns a stats `data` into the facts processors aggregate (see
 * extract.h), through the kind of its type (kind.h).
 *
 * Each kind reads exactly the members processors use and refuses (returns
 * false) anything that does not have the validated shape, so that any JSON
 * can be thrown at it.  Strings are not copied: labels point into the
 * document, which the facts keep a reference to — or, for facts a scan took
 * out, into the upload's label pool (stats_upload_read).
 */
#include "stats/extract.h"

#include <stdlib.h>

#include "stats/kind.h"
#include "util/buf.h"
#include "util/json.h"

bool stats_extract(enum stats_type type, struct json_object *data, struct stats_facts *out)
{
    *out = (struct stats_facts){.type = type};
    if (!data)
        return false;
    out->doc = json_object_get(data);
    const struct stats_kind *kind = stats_kind_of(type);
    bool ok = kind && kind->extract(data, out);
    if (!ok)
        stats_facts_free(out);
    return ok;
}

bool stats_extract_text(enum stats_type type, const char *text, size_t len, struct stats_facts *out)
{
    char err[128];
    struct json_object *data = json_parse_strict(text, len, err, sizeof err);
    bool ok = stats_extract(type, data, out);
    json_object_put(data);
    return ok;
}

void stats_facts_free(struct stats_facts *f)
{
    const struct stats_kind *kind = stats_kind_of(f->type);
    if (kind && kind->free_facts)
        kind->free_facts(f);
    json_object_put(f->doc);
    *f = (struct stats_facts){.type = f->type};
}
