/* diag.c — a snapshot from the kernel: the choice of source (see diag.h;
 * the sources are diag_netlink.c and diag_proc.c, which fill the snapshot's
 * storage in snapshot.c and call nothing here). */
#include "diag_internal.h"

#include "socklab/clock.h"

#include <errno.h>
#include <string.h>

int sl_snapshot_take(struct sl_snapshot *snap, const struct sl_filter *filter,
                     enum sl_diag_source source)
{
    return sl_snapshot_take_via(NULL, snap, filter, source);
}

int sl_snapshot_take_via(struct sl_diag_channel *channel, struct sl_snapshot *snap,
                         const struct sl_filter *filter, enum sl_diag_source source)
{
    struct sl_filter all;
    if (!filter) {
        sl_filter_init(&all);
        filter = &all;
    }
    snap->count = 0;
    snap->taken_ms = sl_clock_ms();
    int rc = -EINVAL;
    if (source != SL_SOURCE_PROC) {
        rc = sl_diag_take_netlink(channel, snap, filter);
        snap->source = SL_SOURCE_NETLINK;
        if (rc == 0 || source == SL_SOURCE_NETLINK)
            return rc;
        snap->count = 0;                     /* AUTO: fall back to /proc */
    }
    snap->source = SL_SOURCE_PROC;
    return sl_diag_take_proc(snap, filter);
}

const char *sl_source_name(enum sl_diag_source s)
{
    return s == SL_SOURCE_NETLINK ? "netlink" : s == SL_SOURCE_PROC ? "proc" : "auto";
}

bool sl_source_parse(const char *text, enum sl_diag_source *out)
{
    if (!strcmp(text, "netlink"))
        *out = SL_SOURCE_NETLINK;
    else if (!strcmp(text, "proc"))
        *out = SL_SOURCE_PROC;
    else if (!strcmp(text, "auto"))
        *out = SL_SOURCE_AUTO;
    else
        return false;
    return true;
}
