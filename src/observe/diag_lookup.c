/* diag_lookup.c — exact SOCK_DIAG_BY_FAMILY lookups in batches (see diag_lookup.h).
 *
 * A batch is up to BATCH requests in one sendmsg(); the kernel answers each
 * while that call runs (sock_diag handles a request in the sender's
 * context), so by the time send returns every answer is queued on our
 * socket, and one or two recvmmsg() calls take them all. A batch is kept
 * small enough that its answers fit the receive buffer: an answer that does
 * not fit is dropped by the kernel (ENOBUFS), and its socket is FAILED for
 * this round, never taken as gone. */
#include "socklab/diag_lookup.h"

#include "diag_internal.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32
#define ANSWER_ROOM 2048        /* an answer with tcp_info is about 400 bytes */
#define REQUEST_SIZE (NLMSG_ALIGN(sizeof(struct nlmsghdr)) + sizeof(struct inet_diag_req_v2))

struct sl_lookup {
    int fd;
    uint32_t seq;
    struct sl_lookup_stats stats;
    _Alignas(struct nlmsghdr) char requests[BATCH * REQUEST_SIZE];
    _Alignas(struct nlmsghdr) char answers[BATCH][ANSWER_ROOM];
};

size_t sl_lookup_put_request(void *buf, size_t room, const struct sl_socket *s, uint32_t seq,
                             bool want_tcp_info)
{
    if (room < REQUEST_SIZE)
        return 0;
    memset(buf, 0, REQUEST_SIZE);
    struct nlmsghdr *nlh = buf;
    nlh->nlmsg_len = REQUEST_SIZE;
    nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    nlh->nlmsg_flags = NLM_F_REQUEST;              /* no NLM_F_DUMP: one socket, no walk */
    nlh->nlmsg_seq = seq;
    struct inet_diag_req_v2 *req = (struct inet_diag_req_v2 *)((char *)buf + NLMSG_HDRLEN);
    req->sdiag_family = s->tuple.family;
    req->sdiag_protocol = IPPROTO_TCP;
    req->idiag_ext = want_tcp_info ? 1 << (INET_DIAG_INFO - 1) : 0;
    req->idiag_states = ~0u;
    req->id.idiag_sport = htons(s->tuple.local_port);
    req->id.idiag_dport = htons(s->tuple.peer_port);
    memcpy(req->id.idiag_src, s->tuple.local, 16);
    memcpy(req->id.idiag_dst, s->tuple.peer, 16);
    req->id.idiag_if = s->ifindex;
    uint64_t cookie = s->cookie ? s->cookie : ~(uint64_t)0;   /* INET_DIAG_NOCOOKIE */
    req->id.idiag_cookie[0] = (uint32_t)cookie;
    req->id.idiag_cookie[1] = (uint32_t)(cookie >> 32);
    return REQUEST_SIZE;
}

int sl_lookup_parse_answer(const void *buf, size_t len, uint32_t first_seq, size_t count,
                           struct sl_socket *fresh, enum sl_lookup_result *result)
{
    const struct nlmsghdr *nlh = buf;
    int left = len > INT32_MAX ? INT32_MAX : (int)len, answered = 0;
    while (mnl_nlmsg_ok(nlh, left)) {
        uint32_t i = nlh->nlmsg_seq - first_seq;   /* which request this answers */
        if (i >= count)
            return -EBADMSG;
        if (nlh->nlmsg_type == NLMSG_ERROR) {
            if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nlmsgerr))
                return -EBADMSG;
            const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
            result[i] = e->error == -ENOENT ? SL_LOOKUP_GONE : SL_LOOKUP_FAILED;
        } else if (nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
            if (sl_diag_parse_message(nlh, &fresh[i]) < 0)
                return -EBADMSG;
            result[i] = SL_LOOKUP_FOUND;
        } else {
            return -EBADMSG;
        }
        answered++;
        nlh = mnl_nlmsg_next(nlh, &left);
    }
    return left == 0 ? answered : -EBADMSG;
}

struct sl_lookup *sl_lookup_open(void)
{
    struct sl_lookup *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    int one = 1, room = BATCH * 4096;              /* an answer's truesize, with margin */
    if (l->fd < 0 ||
        setsockopt(l->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one) != 0) {
        int saved = errno;
        if (l->fd >= 0)
            close(l->fd);
        free(l);
        errno = saved;
        return NULL;
    }
    setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &room, sizeof room);   /* capped by rmem_max */
    l->seq = (uint32_t)time(NULL) << 8;
    return l;
}

void sl_lookup_close(struct sl_lookup *l)
{
    if (!l)
        return;
    close(l->fd);
    free(l);
}

struct sl_lookup_stats sl_lookup_stats(const struct sl_lookup *l)
{
    return l->stats;
}

/* Take every answer queued for this batch (they are all there once send
 * returned); what is missing stays FAILED. */
static int receive_batch(struct sl_lookup *l, uint32_t first_seq, size_t count,
                         struct sl_socket *fresh, enum sl_lookup_result *result)
{
    struct mmsghdr msgs[BATCH];
    size_t answered = 0;
    while (answered < count) {
        int n = sl_diag_receive_many(l->fd, l->answers[0], ANSWER_ROOM, BATCH, msgs);
        l->stats.receives++;
        if (n < 0)
            return errno == EAGAIN || errno == ENOBUFS ? 0 : -errno;
        for (int k = 0; k < n; k++) {
            if (msgs[k].msg_hdr.msg_flags & MSG_TRUNC)
                continue;                          /* too big to read: FAILED, asked again */
            int got = sl_lookup_parse_answer(l->answers[k], msgs[k].msg_len, first_seq, count,
                                             fresh, result);
            if (got > 0)
                answered += (size_t)got;
        }
        if (n < BATCH)
            break;
    }
    return 0;
}

int sl_lookup_sockets(struct sl_lookup *l, const struct sl_socket *known, size_t count,
                      bool want_tcp_info, struct sl_socket *fresh,
                      enum sl_lookup_result *result)
{
    for (size_t i = 0; i < count; i++)
        result[i] = SL_LOOKUP_FAILED;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    for (size_t at = 0; at < count; at += BATCH) {
        size_t n = count - at < BATCH ? count - at : BATCH, used = 0;
        uint32_t first_seq = l->seq;
        l->seq += BATCH;
        for (size_t i = 0; i < n; i++)
            used += sl_lookup_put_request(l->requests + used, sizeof l->requests - used,
                                          &known[at + i], first_seq + (uint32_t)i,
                                          want_tcp_info);
        if (sendto(l->fd, l->requests, used, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
            return -errno;
        l->stats.sends++;
        l->stats.requests += n;
        int rc = receive_batch(l, first_seq, n, fresh + at, result + at);
        if (rc < 0)
            return rc;
    }
    return 0;
}
