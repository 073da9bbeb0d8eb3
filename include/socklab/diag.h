/* diag.h — a snapshot of the kernel's TCP sockets, IPv4 and IPv6.
 *
 * The source is NETLINK_SOCK_DIAG, the interface ss uses: one dump per address
 * family, with the state set and the port ranges of the filter compiled into
 * the kernel's own bytecode, so sockets outside the filter are never copied
 * to us. When netlink is not available (or asked not to be used), the same
 * snapshot is read from /proc/net/tcp and /proc/net/tcp6. The caller does not
 * need to know which source answered; `source` says it for the curious.
 * What a snapshot holds is in snapshot.h. */
#ifndef SOCKLAB_DIAG_H
#define SOCKLAB_DIAG_H

#include <stdbool.h>

#include "socklab/filter.h"
#include "socklab/snapshot.h"

/* Take a snapshot of the sockets that pass the filter (NULL: all). Returns 0,
 * or -errno when the source cannot be read (AUTO fails only when both fail). */
int sl_snapshot_take(struct sl_snapshot *snap, const struct sl_filter *filter,
                     enum sl_diag_source source);

/* A sock_diag socket kept open for one process's snapshots: opened while
 * descriptors are to be had, it needs none afterwards, so a program that
 * uses up its own (a lab showing EMFILE) is still observed. A forked child
 * does not use its parent's (the replies would mix): there a snapshot opens
 * a socket of its own. Open returns NULL with errno set; close takes NULL. */
struct sl_diag_channel;
struct sl_diag_channel *sl_diag_channel_open(void);
void sl_diag_channel_close(struct sl_diag_channel *channel);

/* sl_snapshot_take through a channel (NULL: a socket for this snapshot only).
 * The /proc fallback opens its files each time. */
int sl_snapshot_take_via(struct sl_diag_channel *channel, struct sl_snapshot *snap,
                         const struct sl_filter *filter, enum sl_diag_source source);

const char *sl_source_name(enum sl_diag_source s);   /* "netlink", "proc" */
bool sl_source_parse(const char *text, enum sl_diag_source *out);

#endif
