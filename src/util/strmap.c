/*
 * strmap.c — strings mapped to sizes (see strmap.h).
 */
#include "util/strmap.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/hash.h"

#define STRMAP_CHECK(m) \
    assert((m)->slots && (m)->cap >= 2 && ((m)->cap & ((m)->cap - 1)) == 0 && 2 * (m)->used <= (m)->cap)

/* The slot holding key, or the free slot where it would go. */
static struct strmap_slot *slot_of(struct strmap_slot *slots, size_t cap, const char *key)
{
    size_t i = hash_string(key) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

void strmap_init(struct strmap *m)
{
    m->cap = 64;
    m->used = 0;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
}

void strmap_free(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    m->slots = NULL;
    m->cap = m->used = 0;
}

const size_t *strmap_find(const struct strmap *m, const char *key)
{
    STRMAP_CHECK(m);
    const struct strmap_slot *slot = slot_of(m->slots, m->cap, key);
    return slot->key ? &slot->value : NULL;
}

const char *strmap_intern(struct strmap *m, const char *key)
{
    STRMAP_CHECK(m);
    const struct strmap_slot *slot = slot_of(m->slots, m->cap, key);
    return slot->key ? slot->key : strmap_add(m, key, 0);
}

const char *strmap_add(struct strmap *m, const char *key, size_t value)
{
    STRMAP_CHECK(m);
    if (2 * (m->used + 1) > m->cap) {
        size_t cap = m->cap * 2;
        size_t moved = 0;
        struct strmap_slot *slots = xcalloc(cap, sizeof *slots);
        for (size_t i = 0; i < m->cap; i++) {
            if (m->slots[i].key) {
                *slot_of(slots, cap, m->slots[i].key) = m->slots[i];
                moved++;
            }
        }
        /* Every key found again, none lost or counted twice. */
        assert(moved == m->used);
        (void)moved; /* read only by the assertion */
        free(m->slots);
        m->slots = slots;
        m->cap = cap;
    }
    struct strmap_slot *slot = slot_of(m->slots, m->cap, key);
    /* Keys are unique: a second value for one key would be unreachable. */
    assert(!slot->key);
    slot->key = xstrdup(key);
    slot->value = value;
    m->used++;
    STRMAP_CHECK(m);
    return slot->key;
}
