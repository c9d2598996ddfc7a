/*
 * kind.c — the table of stats kinds, generated from kinds/kinds.def, and what
 * is derived from it: type names, their parsing, lists of them in messages.
 */
#include "stats/kind.h"

#include <assert.h>
#include <string.h>

#define STATS_KIND(ID, name) extern const struct stats_kind stats_kind_##name;
#include "stats/kinds/kinds.def"
#undef STATS_KIND

static const struct stats_kind *const kinds[STATS_TYPE_COUNT] = {
#define STATS_KIND(ID, name) [STATS_##ID] = &stats_kind_##name,
#include "stats/kinds/kinds.def"
#undef STATS_KIND
};

size_t stats_kind_count(void)
{
    return STATS_TYPE_COUNT;
}

const struct stats_kind *stats_kind_at(size_t i)
{
    if (i >= STATS_TYPE_COUNT)
        return NULL;
    assert(kinds[i]->type == (enum stats_type)i); /* a kind file names its own type */
    return kinds[i];
}

const struct stats_kind *stats_kind_of(enum stats_type type)
{
    return stats_kind_at((size_t)type);
}

const char *stats_type_name(enum stats_type t)
{
    const struct stats_kind *k = stats_kind_of(t);
    return k ? k->name : NULL;
}

bool stats_type_parse(const char *s, enum stats_type *out)
{
    for (size_t i = 0; s && i < stats_kind_count(); i++) {
        if (strcmp(s, kinds[i]->name) == 0) {
            *out = kinds[i]->type;
            return true;
        }
    }
    return false;
}

void stats_type_names(buf *out, const char *separator, const char *last_separator)
{
    size_t n = stats_kind_count();
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            buf_puts(out, i + 1 == n ? last_separator : separator);
        buf_puts(out, kinds[i]->name);
    }
}
