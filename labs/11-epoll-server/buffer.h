/* labs/11-epoll-server/buffer.h — a growable byte buffer: a connection's
 * unparsed input and its unsent output. */
#ifndef LAB11_BUFFER_H
#define LAB11_BUFFER_H

#include <stdbool.h>
#include <stddef.h>

struct buffer {
    char *data;
    size_t len, cap;
};

/* Append n bytes (the capacity doubles, from 4 KiB); false when out of memory,
 * with the buffer as it was. */
bool buffer_append(struct buffer *b, const void *bytes, size_t n);

/* Drop the first n bytes (n <= b->len). */
void buffer_consume(struct buffer *b, size_t n);

void buffer_free(struct buffer *b);

#endif
