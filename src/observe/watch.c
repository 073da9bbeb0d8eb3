/* watch.c — the diff of two snapshots (see watch.h).
 *
 * An open-addressing hash table over `before` (indices, linear probing, at
 * most half full) finds each socket of `after` in constant time; a flag per
 * entry of `before` remembers which were seen, and the rest are gone. */
#include "socklab/watch.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ull;     /* FNV-1a */
    return h;
}

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

/* The same socket: same tuple, and no two different known inodes. */
static bool same_socket(const struct sl_socket *a, const struct sl_socket *b)
{
    return sl_tuple_equal(&a->tuple, &b->tuple) &&
           (!a->inode || !b->inode || a->inode == b->inode);
}

int sl_changes_add(struct sl_changes *out, const struct sl_change *change)
{
    if (out->count == out->capacity) {
        size_t capacity = out->capacity ? out->capacity * 2 : 32;
        struct sl_change *grown = realloc(out->items, capacity * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        out->items = grown;
        out->capacity = capacity;
    }
    out->items[out->count++] = *change;
    return 0;
}

static int add(struct sl_changes *out, enum sl_change_kind kind, const struct sl_socket *s,
               int from, int to)
{
    struct sl_change change = {
        .kind = kind, .tuple = s->tuple, .from = (uint8_t)from, .to = (uint8_t)to,
        .inode = s->inode,
    };
    return sl_changes_add(out, &change);
}

int sl_watch_diff(const struct sl_snapshot *before, const struct sl_snapshot *after,
                  struct sl_changes *out)
{
    size_t size = 16;
    while (size < before->count * 2)
        size *= 2;
    size_t mask = size - 1;
    int32_t *slots = malloc(size * sizeof *slots);
    bool *seen = calloc(before->count ? before->count : 1, sizeof *seen);
    int rc = -ENOMEM;
    if (!slots || !seen)
        goto out;
    memset(slots, 0xff, size * sizeof *slots);       /* -1: empty */
    for (size_t i = 0; i < before->count; i++) {
        size_t at = tuple_hash(&before->sockets[i].tuple) & mask;
        while (slots[at] >= 0)
            at = (at + 1) & mask;
        slots[at] = (int32_t)i;
    }

    rc = 0;
    for (size_t i = 0; i < after->count && rc == 0; i++) {
        const struct sl_socket *now = &after->sockets[i];
        const struct sl_socket *was = NULL;
        for (size_t at = tuple_hash(&now->tuple) & mask; slots[at] >= 0; at = (at + 1) & mask) {
            const struct sl_socket *candidate = &before->sockets[slots[at]];
            if (!seen[slots[at]] && same_socket(candidate, now)) {
                was = candidate;
                seen[slots[at]] = true;
                break;
            }
        }
        if (!was)
            rc = add(out, SL_APPEARED, now, 0, now->state);
        else if (was->state != now->state)
            rc = add(out, SL_CHANGED, now, was->state, now->state);
    }
    for (size_t i = 0; i < before->count && rc == 0; i++)
        if (!seen[i])
            rc = add(out, SL_GONE, &before->sockets[i], before->sockets[i].state, 0);
out:
    free(slots);
    free(seen);
    return rc;
}

void sl_changes_free(struct sl_changes *changes)
{
    free(changes->items);
    memset(changes, 0, sizeof *changes);
}

const char *sl_change_kind_name(enum sl_change_kind kind)
{
    return kind == SL_APPEARED ? "appeared" : kind == SL_CHANGED ? "changed" : "gone";
}
