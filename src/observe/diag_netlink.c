/* diag_netlink.c — TCP sockets through NETLINK_SOCK_DIAG, as ss reads them.
 *
 * One SOCK_DIAG_BY_FAMILY dump per family, asking for INET_DIAG_INFO (the
 * kernel's struct tcp_info) when the snapshot wants it. The filter travels with the request: its states
 * as the request's state mask, its port ranges as inet_diag bytecode, so the
 * kernel skips every other socket before copying anything to us.
 *
 * The parser trusts nothing in a reply: every length is checked against the
 * buffer before it is followed, and anything that does not fit is -EBADMSG. */
#include "diag_internal.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* --- the request's bytecode ------------------------------------------------- */

/* Append one instruction; `yes` and `no` are byte offsets from its start. */
static void emit(unsigned char *bc, int *at, int code, int yes, int no)
{
    struct inet_diag_bc_op op = { .code = (unsigned char)code, .yes = (unsigned char)yes,
                                  .no = (unsigned short)no };
    memcpy(bc + *at, &op, sizeof op);
    *at += (int)sizeof op;
}

/* A port comparison is two instructions: the test, then the port in `no`. */
static void emit_port_test(unsigned char *bc, int *at, int code, uint16_t port, int no)
{
    emit(bc, at, code, 8, no);
    emit(bc, at, INET_DIAG_BC_NOP, 0, port);
}

/*
 * "local port in range 1, or peer port in range 1, or local port in range 2 ..."
 * Each alternative is   GE low / LE high / JMP to the end (accept)   = 20 bytes.
 * A failed test jumps to the next alternative; the last alternative's failures
 * jump 4 bytes past the end, which the kernel reads as "reject", and its
 * success runs off the end, which is "accept".
 */
int sl_diag_bytecode(const struct sl_filter *f, void *buf, size_t len)
{
    int alternatives = f->range_count * 2;
    if (alternatives == 0)
        return 0;
    int total = alternatives * 20 - 4;             /* the last needs no JMP */
    if ((size_t)total > len || total > 65535)
        return -1;
    unsigned char *bc = buf;
    int at = 0;
    for (int i = 0; i < alternatives; i++) {
        const struct sl_port_range *r = &f->ranges[i / 2];
        bool local = i % 2 == 0;
        bool last = i == alternatives - 1;
        int start = at;
        int next = last ? total + 4 : start + 20;  /* where a failed test goes */
        emit_port_test(bc, &at, local ? INET_DIAG_BC_S_GE : INET_DIAG_BC_D_GE, r->low,
                       next - at);
        emit_port_test(bc, &at, local ? INET_DIAG_BC_S_LE : INET_DIAG_BC_D_LE, r->high,
                       next - at);
        if (!last)
            emit(bc, &at, INET_DIAG_BC_JMP, 4, total - at);
    }
    return total;
}

/* --- the replies ------------------------------------------------------------- */

int sl_diag_parse_message(const struct nlmsghdr *nlh, struct sl_socket *s)
{
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct inet_diag_msg))
        return -EBADMSG;
    const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
    if ((m->idiag_family != AF_INET && m->idiag_family != AF_INET6) ||
        !sl_state_valid(m->idiag_state) || m->idiag_timer > SL_TIMER_PERSIST)
        return -EBADMSG;

    memset(s, 0, sizeof *s);
    s->tuple.family = m->idiag_family;
    s->tuple.local_port = ntohs(m->id.idiag_sport);
    s->tuple.peer_port = ntohs(m->id.idiag_dport);
    memcpy(s->tuple.local, m->id.idiag_src, 16);
    memcpy(s->tuple.peer, m->id.idiag_dst, 16);
    if (m->idiag_family == AF_INET) {              /* keep the unused bytes zero */
        memset(s->tuple.local + 4, 0, 12);
        memset(s->tuple.peer + 4, 0, 12);
    }
    s->state = m->idiag_state;
    s->timer = m->idiag_timer;
    s->retransmits = m->idiag_retrans;
    s->timer_ms = m->idiag_timer ? m->idiag_expires : 0;
    s->recv_q = m->idiag_rqueue;
    s->send_q = m->idiag_wqueue;
    s->uid = m->idiag_uid;
    s->inode = m->idiag_inode;
    s->ifindex = m->id.idiag_if;
    s->cookie = (uint64_t)m->id.idiag_cookie[0] | (uint64_t)m->id.idiag_cookie[1] << 32;

    const struct nlattr *attr;
    mnl_attr_for_each(attr, nlh, sizeof *m) {
        if (mnl_attr_get_type(attr) == INET_DIAG_INFO)
            s->has_info = sl_tcp_info_parse(mnl_attr_get_payload(attr),
                                            mnl_attr_get_payload_len(attr), &s->info) != 0;
    }
    /* mnl_attr_for_each stops at the first attribute that does not fit: if it
     * stopped before the end, the message is damaged. */
    if ((const char *)attr != (const char *)mnl_nlmsg_get_payload_tail(nlh))
        return -EBADMSG;
    return 0;
}

static int parse_socket(const struct nlmsghdr *nlh, struct sl_snapshot *snap)
{
    struct sl_socket s;
    int rc = sl_diag_parse_message(nlh, &s);
    if (rc < 0)
        return rc;
    struct sl_socket *slot = sl_snapshot_add(snap);
    if (!slot)
        return -ENOMEM;
    *slot = s;
    return 0;
}

/* Walk the headers of a reply, parsing every socket message into snap (NULL:
 * only walk). The one loop behind parse and scan. */
static int walk(const void *buf, size_t len, struct sl_snapshot *snap)
{
    const struct nlmsghdr *nlh = buf;
    int left = len > INT32_MAX ? INT32_MAX : (int)len;
    while (mnl_nlmsg_ok(nlh, left)) {
        size_t payload = mnl_nlmsg_get_payload_len(nlh);
        if (nlh->nlmsg_type == NLMSG_DONE) {       /* may carry a dump error */
            int err = 0;
            if (payload >= sizeof err)
                memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof err);
            return err < 0 ? err : 0;
        }
        if (nlh->nlmsg_type == NLMSG_ERROR) {
            if (payload < sizeof(struct nlmsgerr))
                return -EBADMSG;
            const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
            return e->error < 0 ? e->error : -EBADMSG;
        }
        if (snap && nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
            int rc = parse_socket(nlh, snap);
            if (rc < 0)
                return rc;
        }
        nlh = mnl_nlmsg_next(nlh, &left);
    }
    return left == 0 ? 1 : -EBADMSG;
}

int sl_diag_parse_netlink(const void *buf, size_t len, struct sl_snapshot *snap)
{
    return walk(buf, len, snap);
}

int sl_diag_scan_netlink(const void *buf, size_t len)
{
    return walk(buf, len, NULL);
}

int sl_diag_receive_many(int fd, char *rooms, size_t room, int count, struct mmsghdr *msgs)
{
    struct iovec iov[64];
    if (count > 64)
        count = 64;
    memset(msgs, 0, (size_t)count * sizeof *msgs);
    for (int k = 0; k < count; k++) {
        iov[k] = (struct iovec){ rooms + (size_t)k * room, room };
        msgs[k].msg_hdr.msg_iov = &iov[k];
        msgs[k].msg_hdr.msg_iovlen = 1;
    }
    return recvmmsg(fd, msgs, (unsigned)count, MSG_DONTWAIT, NULL);
}

/* --- the dump --------------------------------------------------------------- */

static int dump_family(struct mnl_socket *nl, unsigned seq, int family,
                       const struct sl_filter *filter, bool want_tcp_info, sl_diag_sink sink,
                       void *context)
{
    char request[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(request);
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    nlh->nlmsg_seq = seq;

    struct inet_diag_req_v2 *req = mnl_nlmsg_put_extra_header(nlh, sizeof *req);
    req->sdiag_family = (uint8_t)family;
    req->sdiag_protocol = IPPROTO_TCP;
    req->idiag_ext = want_tcp_info ? 1 << (INET_DIAG_INFO - 1) : 0;
    req->idiag_states = filter->states;

    unsigned char bytecode[SL_FILTER_MAX_RANGES * 2 * 20];
    int bc_len = sl_diag_bytecode(filter, bytecode, sizeof bytecode);
    if (bc_len > 0)
        mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, (size_t)bc_len, bytecode);

    if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
        return -errno;

    _Alignas(struct nlmsghdr) char reply[32768];
    unsigned portid = mnl_socket_get_portid(nl);
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(nl, reply, sizeof reply);
        if (n < 0)
            return -errno;
        const struct nlmsghdr *head = (const struct nlmsghdr *)reply;
        if (n >= (ssize_t)sizeof *head && (!mnl_nlmsg_seq_ok(head, nlh->nlmsg_seq) ||
                                           !mnl_nlmsg_portid_ok(head, portid)))
            continue;                               /* not an answer to this request */
        int rc = sink(reply, (size_t)n, family, context);
        if (rc <= 0)
            return rc;
    }
}

static struct mnl_socket *open_socket(void)
{
    struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
    if (!nl)
        return NULL;
    struct timeval limit = { .tv_sec = 2 };        /* a dump never makes us wait long */
    if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
        setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) < 0) {
        int saved = errno;
        mnl_socket_close(nl);
        errno = saved;
        return NULL;
    }
    return nl;
}

/* Both families on nl, each request numbered apart from the last (replies
 * to an earlier dump that ended early are skipped by their number). */
static int dump_on(struct mnl_socket *nl, unsigned *seq, const struct sl_filter *filter,
                   bool want_tcp_info, sl_diag_sink sink, void *context)
{
    int rc = dump_family(nl, ++*seq, AF_INET, filter, want_tcp_info, sink, context);
    if (rc == 0)
        rc = dump_family(nl, ++*seq, AF_INET6, filter, want_tcp_info, sink, context);
    return rc;
}

int sl_diag_dump_netlink(const struct sl_filter *filter, bool want_tcp_info,
                         sl_diag_sink sink, void *context)
{
    struct mnl_socket *nl = open_socket();
    if (!nl)
        return -errno;
    unsigned seq = (unsigned)time(NULL);
    int rc = dump_on(nl, &seq, filter, want_tcp_info, sink, context);
    mnl_socket_close(nl);
    return rc;
}

/* --- a socket kept open ------------------------------------------------------ */

struct sl_diag_channel {
    struct mnl_socket *nl;
    pid_t owner;                /* the process that opened it */
    unsigned seq;
};

struct sl_diag_channel *sl_diag_channel_open(void)
{
    struct sl_diag_channel *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (!(c->nl = open_socket())) {
        int saved = errno;
        free(c);
        errno = saved;
        return NULL;
    }
    c->owner = getpid();
    c->seq = (unsigned)time(NULL);
    return c;
}

void sl_diag_channel_close(struct sl_diag_channel *c)
{
    if (!c)
        return;
    if (c->owner == getpid())                   /* a child leaves its parent's socket be */
        mnl_socket_close(c->nl);
    free(c);
}

static int parse_into(const void *buf, size_t len, int family, void *snap)
{
    (void)family;
    return sl_diag_parse_netlink(buf, len, snap);
}

int sl_diag_take_netlink(struct sl_diag_channel *c, struct sl_snapshot *snap,
                         const struct sl_filter *filter)
{
    int rc = c && c->owner == getpid()
           ? dump_on(c->nl, &c->seq, filter, snap->want_tcp_info, parse_into, snap)
           : sl_diag_dump_netlink(filter, snap->want_tcp_info, parse_into, snap);
    if (rc < 0)
        return rc;
    /* Keep exactly what the filter asks for (the kernel's state filter files a
     * time-wait entry under TIME-WAIT whatever its sub-state; see filter.c). */
    size_t kept = 0;
    for (size_t i = 0; i < snap->count; i++)
        if (sl_filter_match(filter, &snap->sockets[i]))
            snap->sockets[kept++] = snap->sockets[i];
    snap->count = kept;
    return 0;
}
