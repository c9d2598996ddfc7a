/*
 * shared_bytes.c — immutable bytes with several owners (see shared_bytes.h).
 */
#include "util/shared_bytes.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>

struct shared_bytes {
    atomic_size_t refs;
    size_t len;
    char *data; /* never NULL: "" for no bytes */
};

struct shared_bytes *shared_bytes_take(buf *b)
{
    struct shared_bytes *s = xmalloc(sizeof *s);
    atomic_init(&s->refs, 1);
    s->data = buf_detach(b, &s->len);
    return s;
}

struct shared_bytes *shared_bytes_ref(struct shared_bytes *s)
{
    size_t before = atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    assert(before > 0);
    (void)before;
    return s;
}

void shared_bytes_unref(struct shared_bytes *s)
{
    if (!s)
        return;
    /* Release: this holder's reads happen before the free; acquire: the
     * last holder sees every other's. */
    size_t before = atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel);
    assert(before > 0);
    if (before == 1) {
        free(s->data);
        free(s);
    }
}

const char *shared_bytes_data(const struct shared_bytes *s)
{
    return s->data;
}

size_t shared_bytes_len(const struct shared_bytes *s)
{
    return s->len;
}
