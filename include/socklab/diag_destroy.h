/* diag_destroy.h — TCP sockets as the kernel frees them, from sock_diag's
 * multicast groups SKNLGRP_INET_TCP_DESTROY and SKNLGRP_INET6_TCP_DESTROY.
 *
 * Linux 4.2 and later broadcast every TCP socket of the network namespace as
 * it is destroyed: the same message a dump gives (tuple, cookie) with the
 * socket's final struct tcp_info (bytes each way, retransmissions, RTT). The
 * kernel's sock_diag socket accepts members without privilege, so any user
 * may join; `ss -E` reads the same groups. A connection that closes first
 * sends its event as it enters TIME-WAIT (the socket is freed; a time-wait
 * record that keeps its cookie takes its place), the other end's when its
 * last ACK arrives, a reset one's at once. A time-wait record's own end is no
 * event: an exact lookup finds it gone.
 *
 * Only the events on the filter's ports are kept: a classic BPF program on
 * the socket drops the others in the kernel, before anyone is woken. Kept
 * as well: events whose peer port is 0. A socket that resets its own
 * connection (SO_LINGER 0, close with unread data, a failed connect) is
 * disconnected before it is freed: its event has lost its peer and local
 * address and its byte counts, and only its cookie still names it. */
#ifndef SOCKLAB_DIAG_DESTROY_H
#define SOCKLAB_DIAG_DESTROY_H

#include <stdbool.h>
#include <stddef.h>

#include "socklab/filter.h"
#include "socklab/snapshot.h"

struct sl_destroy;

/* Join both groups, passing only the filter's ports (NULL: every port).
 * NULL with one sentence in why when the kernel refuses. */
struct sl_destroy *sl_destroy_open(const struct sl_filter *filter, char *why, size_t why_len);
void sl_destroy_close(struct sl_destroy *d);

/* The descriptor to poll for events. */
int sl_destroy_fd(const struct sl_destroy *d);

/* Append what is waiting to out (never blocks). Returns how many sockets were
 * appended, or -ENOBUFS when the kernel dropped events because we read too
 * slowly (what arrived is still appended: the caller looks its known sockets
 * up again to learn what the lost ones were). */
int sl_destroy_read(struct sl_destroy *d, struct sl_snapshot *out);

/* Events received and lost so far. */
struct sl_destroy_stats {
    unsigned long events, overruns;
};
struct sl_destroy_stats sl_destroy_stats(const struct sl_destroy *d);

#endif
