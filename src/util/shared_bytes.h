/*
 * shared_bytes.h — immutable bytes with several owners, freed by the last.
 *
 * A cached answer's body is read by the cache and by every response that
 * sends it, on different threads and for different lengths of time (a slow
 * client keeps its response long after the entry was replaced).  Each holder
 * takes a reference; the bytes go when the last one lets go, so a cache hit
 * sends the entry's bytes as they are instead of copying them.
 */
#ifndef UTIL_SHARED_BYTES_H
#define UTIL_SHARED_BYTES_H

#include <stddef.h>

#include "util/buf.h"

struct shared_bytes;

/* Takes b's bytes (b is left empty) as shared bytes with one reference. */
struct shared_bytes *shared_bytes_take(buf *b) __attribute__((returns_nonnull));
/* One more reference to s; returns s. */
struct shared_bytes *shared_bytes_ref(struct shared_bytes *s);
/* Lets go of a reference (NULL: nothing); the last one frees the bytes. */
void shared_bytes_unref(struct shared_bytes *s);

const char *shared_bytes_data(const struct shared_bytes *s);
size_t shared_bytes_len(const struct shared_bytes *s);

#endif
