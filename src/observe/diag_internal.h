/* diag_internal.h — the two sources of a snapshot, one by one: for the
 * library's own parts, its tests, the fixtures tool and the benchmark's
 * floor. Not installed; programs take snapshots through diag.h. */
#ifndef SOCKLAB_DIAG_INTERNAL_H
#define SOCKLAB_DIAG_INTERNAL_H

#include "socklab/diag.h"

/* Parse a buffer of sock_diag replies (as recv() returned it) into snap. Returns
 * 1 when more messages follow, 0 at NLMSG_DONE, -errno for an error message or
 * -EBADMSG for anything malformed (nothing outside buf is ever read). */
int sl_diag_parse_netlink(const void *buf, size_t len, struct sl_snapshot *snap);

/* Build the inet_diag bytecode for the filter's port ranges into buf; returns
 * its length (0: no port ranges, no bytecode), or -1 when buf is too small. */
int sl_diag_bytecode(const struct sl_filter *f, void *buf, size_t len);

/* Parse the text of /proc/net/tcp or /proc/net/tcp6 into snap, keeping what
 * passes the filter. Returns 0, or -EBADMSG for a line it cannot read. */
int sl_diag_parse_proc(const char *text, int family, const struct sl_filter *filter,
                       struct sl_snapshot *snap);

/* Walk the message headers of a reply buffer only: 1 when more follow, 0 at
 * NLMSG_DONE, -errno for an error message, -EBADMSG when malformed. */
int sl_diag_scan_netlink(const void *buf, size_t len);

/* The raw dump, IPv4 then IPv6 (with INET_DIAG_INFO when want_tcp_info): every
 * reply buffer goes to sink, which returns what sl_diag_parse_netlink or
 * sl_diag_scan_netlink would (1 more, 0 done, -errno stop). For fixtures and
 * for the benchmark's floor. Returns 0 or -errno. */
typedef int (*sl_diag_sink)(const void *buf, size_t len, int family, void *context);
int sl_diag_dump_netlink(const struct sl_filter *filter, bool want_tcp_info,
                         sl_diag_sink sink, void *context);

/* The netlink source, through the channel c when this process opened it
 * (NULL, or a forked child's copy: a socket for this snapshot only). */
int sl_diag_take_netlink(struct sl_diag_channel *c, struct sl_snapshot *snap,
                         const struct sl_filter *filter);
int sl_diag_take_proc(struct sl_snapshot *snap, const struct sl_filter *filter);

#endif
