/* tuple_index.h — find sockets (or changes, or rows) by their tuple among
 * tens of thousands in constant time: an open-addressing hash of positions in
 * the caller's array, which it reads in place and does not copy. A frame of
 * a machine's sockets is compared with the last one at every refresh, where
 * comparing each with each stalls the screen.
 *
 * The array is any array of structs holding a struct sl_tuple: the index is
 * told the size of an element and where in it the tuple is
 * (offsetof(struct sl_socket, tuple)). It must not move or change while the
 * index is in use. Several elements may share a tuple (a new socket on the
 * tuple of one that just closed): they are found one after the other. */
#ifndef SOCKLAB_TUPLE_INDEX_H
#define SOCKLAB_TUPLE_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "socklab/snapshot.h"

struct sl_tuple_index {
    int32_t *slots;             /* positions in the array; -1: empty */
    size_t mask;                /* slots - 1: a power of two, at most half full */
    const char *items;
    size_t size, offset;        /* of an element, and of its tuple in it */
};

/* Index count elements of size bytes at items, each with its tuple at offset.
 * Returns 0, or -ENOMEM (the index is then empty, and finds nothing). */
int sl_tuple_index_build(struct sl_tuple_index *ix, const void *items, size_t count,
                         size_t size, size_t offset);
void sl_tuple_index_free(struct sl_tuple_index *ix);

/* The elements with tuple t, one at a time: start with
 *     size_t at = sl_tuple_index_start(ix, t);
 * then each sl_tuple_index_next(ix, t, &at) is the position of the next one,
 * or -1 when there is no other. */
size_t sl_tuple_index_start(const struct sl_tuple_index *ix, const struct sl_tuple *t);
long sl_tuple_index_next(const struct sl_tuple_index *ix, const struct sl_tuple *t, size_t *at);

/* The position of the first element with tuple t, or -1. */
long sl_tuple_index_find(const struct sl_tuple_index *ix, const struct sl_tuple *t);

#endif
