/* tuple_index.c — tuples found by hashing (see tuple_index.h): FNV-1a over
 * the tuple's bytes that matter, linear probing in a table at most half full. */
#include "socklab/tuple_index.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* Only the bytes sl_tuple_equal compares: an IPv4 address is 4 of its 16. */
static uint64_t tuple_hash(const struct sl_tuple *t)
{
    size_t n = t->family == AF_INET6 ? 16 : 4;
    uint64_t h = 14695981039346656037ull;
    h = mix(h, &t->family, 1);
    h = mix(h, &t->local_port, 2);
    h = mix(h, &t->peer_port, 2);
    h = mix(h, t->local, n);
    return mix(h, t->peer, n);
}

static const struct sl_tuple *tuple_at(const struct sl_tuple_index *ix, size_t i)
{
    return (const struct sl_tuple *)(const void *)(ix->items + i * ix->size + ix->offset);
}

static int32_t no_slots = -1;                  /* an empty index: one empty slot */

int sl_tuple_index_build(struct sl_tuple_index *ix, const void *items, size_t count,
                         size_t size, size_t offset)
{
    *ix = (struct sl_tuple_index){ .slots = &no_slots, .items = items, .size = size,
                                   .offset = offset };
    size_t n = 16;
    while (n < count * 2)
        n *= 2;
    int32_t *slots = malloc(n * sizeof *slots);
    if (!slots || count > INT32_MAX) {
        free(slots);
        return -ENOMEM;
    }
    memset(slots, 0xff, n * sizeof *slots);     /* -1: empty */
    ix->slots = slots;
    ix->mask = n - 1;
    for (size_t i = 0; i < count; i++) {
        size_t at = tuple_hash(tuple_at(ix, i)) & ix->mask;
        while (slots[at] >= 0)
            at = (at + 1) & ix->mask;
        slots[at] = (int32_t)i;
    }
    return 0;
}

void sl_tuple_index_free(struct sl_tuple_index *ix)
{
    if (ix->slots != &no_slots)
        free(ix->slots);
    *ix = (struct sl_tuple_index){ .slots = &no_slots };
}

size_t sl_tuple_index_start(const struct sl_tuple_index *ix, const struct sl_tuple *t)
{
    return tuple_hash(t) & ix->mask;
}

long sl_tuple_index_next(const struct sl_tuple_index *ix, const struct sl_tuple *t, size_t *at)
{
    while (ix->slots[*at] >= 0) {
        int32_t i = ix->slots[*at];
        *at = (*at + 1) & ix->mask;
        if (sl_tuple_equal(tuple_at(ix, (size_t)i), t))
            return i;
    }
    return -1;
}

long sl_tuple_index_find(const struct sl_tuple_index *ix, const struct sl_tuple *t)
{
    size_t at = sl_tuple_index_start(ix, t);
    return sl_tuple_index_next(ix, t, &at);
}
