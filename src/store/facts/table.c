/*
 * table.c — the stats kinds' storage (facts.h), generated from the list of
 * kinds of the stats layer, src/stats/kinds/kinds.def: each line names its
 * store_kind_<name>, defined in facts/<kind>.c.  The stats layer does not know
 * the store; the store reads that list, as the layer above it.
 */
#include <assert.h>

#include "store/facts/facts.h"

#define STATS_KIND(ID, name) extern const struct store_kind store_kind_##name;
#include "stats/kinds/kinds.def"
#undef STATS_KIND

static const struct store_kind *const kinds[STATS_TYPE_COUNT] = {
#define STATS_KIND(ID, name) [STATS_##ID] = &store_kind_##name,
#include "stats/kinds/kinds.def"
#undef STATS_KIND
};

size_t store_kind_count(void)
{
    return STATS_TYPE_COUNT;
}

const struct store_kind *store_kind_at(size_t i)
{
    if (i >= STATS_TYPE_COUNT)
        return NULL;
    assert(kinds[i]->type == (enum stats_type)i); /* a storage file names its own type */
    return kinds[i];
}

const struct store_kind *store_kind_of(enum stats_type type)
{
    return store_kind_at((size_t)type);
}

bool store_kind_owns_tables(size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (kinds[j]->tables == kinds[i]->tables)
            return false;
    return i < STATS_TYPE_COUNT;
}
