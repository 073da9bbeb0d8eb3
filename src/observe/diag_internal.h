/* diag_internal.h — the two sources of a snapshot, one by one: for the
 * library's own parts, its tests, the fixtures tool and the benchmark's
 * floor. Not installed; programs take snapshots through diag.h. */
#ifndef SOCKLAB_DIAG_INTERNAL_H
#define SOCKLAB_DIAG_INTERNAL_H

#include "socklab/diag.h"
#include "socklab/diag_destroy.h"
#include "socklab/diag_lookup.h"

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

/* One SOCK_DIAG_BY_FAMILY message (a dump's, an exact lookup's or a destroy
 * event's: they are the same inet_diag_msg) into out. Returns 0, or -EBADMSG
 * when it is short, names an unknown family or state, or an attribute does
 * not fit in it. */
struct nlmsghdr;
int sl_diag_parse_message(const struct nlmsghdr *nlh, struct sl_socket *out);

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

/* Take up to `count` datagrams waiting on fd (never blocks), each into its
 * own `room` bytes of rooms; msgs[k].msg_len and msg_hdr.msg_flags say what
 * came. Returns how many, or -1 with errno (EAGAIN: none waiting). */
struct mmsghdr;
int sl_diag_receive_many(int fd, char *rooms, size_t room, int count, struct mmsghdr *msgs);

/* diag_lookup.c: one exact request for s, sequence number seq, into buf;
 * returns its length (0: room too small). */
size_t sl_lookup_put_request(void *buf, size_t room, const struct sl_socket *s, uint32_t seq,
                             bool want_tcp_info);

/* diag_lookup.c: one datagram of answers to requests first_seq ..
 * first_seq + count - 1: fresh[i] and result[i] for each. Returns how many it
 * answered, or -EBADMSG (a sequence number not asked for, a damaged message). */
int sl_lookup_parse_answer(const void *buf, size_t len, uint32_t first_seq, size_t count,
                           struct sl_socket *fresh, enum sl_lookup_result *result);

/* diag_destroy.c: one datagram of destroy events into out, keeping the
 * sockets on the filter's ports and those whose peer port is 0 (a socket
 * disconnected by its own reset: its cookie says which it was). Returns how many it kept, or -EBADMSG. */
int sl_destroy_parse(const void *buf, size_t len, const struct sl_filter *filter,
                     struct sl_snapshot *out);

/* diag_destroy.c: the classic BPF program that passes only the events on the
 * filter's ports (kernel-side, before we are woken); returns its length in
 * instructions, 0 when the filter has no ports (pass everything) or more
 * than `room` would be needed. */
struct sock_filter;
int sl_destroy_bpf(const struct sl_filter *filter, struct sock_filter *prog, int room);

#endif
