/* watch.h — what changed between two snapshots: sockets that appeared, moved
 * from one state to another, or are gone.
 *
 * Sockets are matched by their 4-tuple, and by inode where both snapshots
 * know it: a new socket on an old tuple (a listener closed and opened again)
 * is one gone and one appeared, while a connection whose inode went to 0 as
 * it entered TIME-WAIT is the same connection changing state. The cost is
 * linear in the number of sockets (a hash of the first snapshot). */
#ifndef SOCKLAB_WATCH_H
#define SOCKLAB_WATCH_H

#include "socklab/diag.h"

enum sl_change_kind { SL_APPEARED, SL_CHANGED, SL_GONE };

struct sl_change {
    enum sl_change_kind kind;
    struct sl_tuple tuple;
    uint8_t from, to;           /* states: from is 0 for APPEARED, to is 0 for GONE */
    uint64_t inode;             /* as last known */
};

struct sl_changes {
    struct sl_change *items;
    size_t count, capacity;
};

/* The changes from `before` to `after`, appended to out. Returns 0, or -ENOMEM. */
int sl_watch_diff(const struct sl_snapshot *before, const struct sl_snapshot *after,
                  struct sl_changes *out);

/* Append one change; returns 0, or -ENOMEM. */
int sl_changes_add(struct sl_changes *changes, const struct sl_change *change);

void sl_changes_free(struct sl_changes *changes);

const char *sl_change_kind_name(enum sl_change_kind kind);   /* "appeared", ... */

#endif
