/* watch.c — the diff of two snapshots (see watch.h).
 *
 * A hash of `before`'s tuples (tuple_index.h) finds each socket of `after` in
 * constant time; a flag per entry of `before` remembers which were seen, and
 * the rest are gone. */
#include "socklab/watch.h"

#include "socklab/tuple_index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
    struct sl_tuple_index index;
    bool *seen = calloc(before->count ? before->count : 1, sizeof *seen);
    int rc = sl_tuple_index_build(&index, before->sockets, before->count,
                                  sizeof *before->sockets, offsetof(struct sl_socket, tuple));
    if (!seen)
        rc = -ENOMEM;
    for (size_t i = 0; i < after->count && rc == 0; i++) {
        const struct sl_socket *now = &after->sockets[i];
        const struct sl_socket *was = NULL;
        size_t at = sl_tuple_index_start(&index, &now->tuple);
        for (long k; (k = sl_tuple_index_next(&index, &now->tuple, &at)) >= 0;) {
            if (!seen[k] && same_socket(&before->sockets[k], now)) {
                was = &before->sockets[k];
                seen[k] = true;
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
    sl_tuple_index_free(&index);
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
