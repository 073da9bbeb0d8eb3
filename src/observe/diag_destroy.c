/* diag_destroy.c — the sock_diag destroy groups (see diag_destroy.h). */
#include "socklab/diag_destroy.h"

#include "diag_internal.h"

#include "socklab/i18n.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/filter.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 32
#define EVENT_ROOM 2048

/* Where the ports are in an event: after the netlink header and the four
 * bytes of family, state, timer and retrans; in network order, which is how
 * a classic BPF half-word load reads them. */
#define SPORT_AT (NLMSG_HDRLEN + 4)
#define DPORT_AT (NLMSG_HDRLEN + 6)

struct sl_destroy {
    int fd;
    struct sl_filter filter;    /* checked here too, whatever the kernel ran */
    bool any_port;
    struct sl_destroy_stats stats;
    _Alignas(struct nlmsghdr) char events[BATCH][EVENT_ROOM];
};

/*
 * For each side (local port, then peer port): load it, then for each range
 *     JGE low  ? next : skip the JGT       (below the range)
 *     JGT high ? next range : accept       (inside it)
 * and after both sides, reject. A peer port of 0 is accepted too: a socket
 * closed with a reset by its own side (SO_LINGER 0, unread data, a failed
 * connect) is disconnected before it is freed, and its event has lost its
 * peer and its local address; only its cookie still says which it was.
 * 2 x (1 + 2 x ranges) + 3 instructions.
 */
int sl_destroy_bpf(const struct sl_filter *filter, struct sock_filter *prog, int room)
{
    int ranges = filter->range_count, length = 2 * (1 + 2 * ranges) + 3;
    if (ranges == 0 || length > room)
        return 0;
    int pc = 0, accept = length - 1;
    for (int side = 0; side < 2; side++) {
        prog[pc++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS,
                                                  side ? DPORT_AT : SPORT_AT);
        if (side) {                                /* peer port 0: a disconnected socket */
            prog[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0,
                                                    (uint8_t)(accept - pc - 1), 0);
            pc++;
        }
        for (int r = 0; r < ranges; r++) {
            prog[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
                                                    filter->ranges[r].low, 0, 1);
            pc++;
            prog[pc] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K,
                                                    filter->ranges[r].high, 0,
                                                    (uint8_t)(accept - pc - 1));
            pc++;
        }
    }
    prog[pc++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
    prog[pc++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0xffffffffu);
    return pc;
}

static bool on_ports(const struct sl_filter *f, const struct sl_socket *s)
{
    return !f || !f->range_count || s->tuple.peer_port == 0 ||
           sl_filter_port_match(f, s->tuple.local_port) ||
           sl_filter_port_match(f, s->tuple.peer_port);
}

int sl_destroy_parse(const void *buf, size_t len, const struct sl_filter *filter,
                     struct sl_snapshot *out)
{
    const struct nlmsghdr *nlh = buf;
    int left = len > INT32_MAX ? INT32_MAX : (int)len, kept = 0;
    while (mnl_nlmsg_ok(nlh, left)) {
        if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
            return -EBADMSG;
        struct sl_socket s;
        if (sl_diag_parse_message(nlh, &s) < 0)
            return -EBADMSG;
        if (on_ports(filter, &s)) {
            struct sl_socket *slot = sl_snapshot_add(out);
            if (!slot)
                return -ENOMEM;
            *slot = s;
            kept++;
        }
        nlh = mnl_nlmsg_next(nlh, &left);
    }
    return left == 0 ? kept : -EBADMSG;
}

struct sl_destroy *sl_destroy_open(const struct sl_filter *filter, char *why, size_t why_len)
{
    why[0] = '\0';
    struct sl_destroy *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(why, why_len, "%s", _("out of memory"));
        return NULL;
    }
    d->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_SOCK_DIAG);
    struct sockaddr_nl local = { .nl_family = AF_NETLINK };
    int groups[] = { SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET6_TCP_DESTROY };
    const char *step = _("a NETLINK_SOCK_DIAG socket cannot be opened");
    bool ok = d->fd >= 0;
    if (ok && !(ok = bind(d->fd, (struct sockaddr *)&local, sizeof local) == 0))
        step = _("the sock_diag socket cannot be bound");
    for (int g = 0; ok && g < 2; g++)
        if (!(ok = setsockopt(d->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[g],
                              sizeof groups[g]) == 0))
            step = _("the kernel refused to let us join the sock_diag destroy groups "
                     "(Linux 4.2 and later have them)");
    struct sock_filter prog[2 * (1 + 2 * SL_FILTER_MAX_RANGES) + 3];
    int n = filter ? sl_destroy_bpf(filter, prog, (int)(sizeof prog / sizeof prog[0])) : 0;
    struct sock_fprog fprog = { .len = (unsigned short)n, .filter = prog };
    if (ok && n > 0 &&
        !(ok = setsockopt(d->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) == 0))
        step = _("the kernel refused the port filter for the destroy events");
    if (!ok) {
        snprintf(why, why_len, "%s (%s)", step, strerrorname_np(errno));
        if (d->fd >= 0)
            close(d->fd);
        free(d);
        return NULL;
    }
    d->any_port = !filter;
    if (filter)
        d->filter = *filter;
    int room = 1 << 20;                            /* capped by net.core.rmem_max */
    setsockopt(d->fd, SOL_SOCKET, SO_RCVBUF, &room, sizeof room);
    return d;
}

void sl_destroy_close(struct sl_destroy *d)
{
    if (!d)
        return;
    close(d->fd);
    free(d);
}

int sl_destroy_fd(const struct sl_destroy *d)
{
    return d->fd;
}

struct sl_destroy_stats sl_destroy_stats(const struct sl_destroy *d)
{
    return d->stats;
}

int sl_destroy_read(struct sl_destroy *d, struct sl_snapshot *out)
{
    int appended = 0;
    bool lost = false;
    for (;;) {
        struct mmsghdr msgs[BATCH];
        int n = sl_diag_receive_many(d->fd, d->events[0], EVENT_ROOM, BATCH, msgs);
        if (n < 0) {
            if (errno == ENOBUFS) {                /* the kernel dropped some: go on */
                lost = true;
                d->stats.overruns++;
                continue;
            }
            break;                                 /* EAGAIN: nothing more for now */
        }
        for (int k = 0; k < n; k++) {
            d->stats.events++;
            if (msgs[k].msg_hdr.msg_flags & MSG_TRUNC)
                continue;
            int kept = sl_destroy_parse(d->events[k], msgs[k].msg_len,
                                        d->any_port ? NULL : &d->filter, out);
            if (kept > 0)
                appended += kept;
        }
        if (n < BATCH)
            break;
    }
    return lost ? -ENOBUFS : appended;
}
