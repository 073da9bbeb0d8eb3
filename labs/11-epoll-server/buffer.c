/* labs/11-epoll-server/buffer.c — a growable byte buffer (see buffer.h). */
#include "buffer.h"

#include <stdlib.h>
#include <string.h>

bool buffer_append(struct buffer *b, const void *bytes, size_t n)
{
    if (!n)
        return true;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown)
            return false;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
    return true;
}

void buffer_consume(struct buffer *b, size_t n)
{
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

void buffer_free(struct buffer *b)
{
    free(b->data);
    *b = (struct buffer){ 0 };
}
