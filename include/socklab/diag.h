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

const char *sl_source_name(enum sl_diag_source s);   /* "netlink", "proc" */
bool sl_source_parse(const char *text, enum sl_diag_source *out);

#endif
