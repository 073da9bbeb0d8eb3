/* diag-events.c — record what the exact lookups and the destroy groups say
 * about connections on loopback, for the fixtures (tests/fixtures/README.md).
 *
 *   diag-events PREFIX      write PREFIX-lookup.bin, PREFIX-destroy.bin
 *   diag-events --print     say what each scenario gave, and write nothing
 *
 * On a listener of its own (127.0.0.1, a port the kernel chooses) it makes
 *   an established pair                         looked up by cookie: two answers
 *   the same pair closed client first           the client's TIME-WAIT, by cookie
 *   a connection gone (both ends closed, reset) looked up by cookie: ENOENT,
 *                                               and without it: the listener
 *   a pair closed in order, a pair reset (SO_LINGER 0), a refused connect
 *                                               their destroy events
 * The lookup answers are written as recv() returned them, one datagram after
 * another, each preceded by its length as 4 bytes (host order); so are the
 * destroy events (only those of its own connections). The client's first
 * answer is also written with its tcp_info cut to the sizes older kernels
 * send (PREFIX-info-104.bin, -168.bin, -232.bin: 3.x, 4.9, 5.4), every length
 * in it rewritten to match, as such a kernel would have sent it. */
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/net.h"
#include "../../src/observe/diag_internal.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static FILE *lookup_out, *destroy_out;
static bool print;
static const char *prefix;
static uint16_t our_ports[8];
static int our_port_count;

static void ours(uint16_t port)
{
    if (our_port_count < 8)
        our_ports[our_port_count++] = port;
}

static bool is_ours(const struct sl_socket *s)
{
    for (int i = 0; i < our_port_count; i++)
        if (s->tuple.local_port == our_ports[i] || s->tuple.peer_port == our_ports[i])
            return true;
    return false;
}

/* The answer again, as a kernel whose struct tcp_info is `size` bytes sends it. */
static void write_older(const char *answer, size_t len, size_t size)
{
    _Alignas(struct nlmsghdr) char out[4096];
    const struct nlmsghdr *in = (const struct nlmsghdr *)answer;
    size_t head = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct inet_diag_msg));
    CHECK_TRUE(len <= sizeof out && in->nlmsg_len == len);
    memcpy(out, answer, head);
    size_t at = head;
    for (size_t from = head; from + sizeof(struct nlattr) <= len;) {
        const struct nlattr *a = (const struct nlattr *)(answer + from);
        size_t payload = a->nla_len - NLA_HDRLEN;
        if (a->nla_type == INET_DIAG_INFO && payload > size)
            payload = size;
        struct nlattr *b = (struct nlattr *)(out + at);
        memcpy(b, a, NLA_HDRLEN + payload);
        b->nla_len = (uint16_t)(NLA_HDRLEN + payload);
        at += NLA_ALIGN(b->nla_len);
        from += NLA_ALIGN(a->nla_len);
    }
    ((struct nlmsghdr *)out)->nlmsg_len = (uint32_t)at;
    char path[512];
    snprintf(path, sizeof path, "%s-info-%zu.bin", prefix, size);
    FILE *f = fopen(path, "wb");
    CHECK_TRUE(f != NULL);
    fwrite(out, 1, at, f);
    fclose(f);
}

static void save(FILE *out, const void *buf, size_t len)
{
    if (!out)
        return;
    uint32_t n = (uint32_t)len;
    fwrite(&n, sizeof n, 1, out);
    fwrite(buf, 1, len, out);
}

static void describe(const char *what, const struct sl_socket *s)
{
    if (!print)
        return;
    char local[64], peer[64];
    printf("%-28s %-11s %s %s cookie=%llu info=%u", what, sl_state_name(s->state),
           sl_tuple_local(&s->tuple, local, sizeof local),
           sl_tuple_peer(&s->tuple, peer, sizeof peer), (unsigned long long)s->cookie,
           s->has_info ? s->info.present : 0);
    if (s->has_info)
        printf(" acked=%llu recvd=%llu sent=%llu retrans=%u backoff=%u unacked=%u rtt=%u",
               (unsigned long long)s->info.bytes_acked,
               (unsigned long long)s->info.bytes_received,
               (unsigned long long)s->info.bytes_sent, s->info.total_retrans,
               s->info.retransmits, s->info.unacked, s->info.rtt_us);
    printf("\n");
}

/* One exact lookup, its answer saved as it came; returns the result. */
static enum sl_lookup_result lookup(int nl, const struct sl_socket *key, const char *what,
                                    struct sl_socket *found)
{
    _Alignas(struct nlmsghdr) char req[256], answer[4096];
    static uint32_t seq = 1000;
    size_t len = sl_lookup_put_request(req, sizeof req, key, ++seq, true);
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    CHECK(sendto(nl, req, len, 0, (struct sockaddr *)&kernel, sizeof kernel));
    ssize_t n = CHECK(recv(nl, answer, sizeof answer, 0));
    save(lookup_out, answer, (size_t)n);
    static bool first = true;
    if (prefix && first) {
        for (size_t k = 0; k < 3; k++)
            write_older(answer, (size_t)n, (size_t[]){ 104, 168, 232 }[k]);
        first = false;
    }
    enum sl_lookup_result r = SL_LOOKUP_FAILED;
    CHECK_TRUE(sl_lookup_parse_answer(answer, (size_t)n, seq, 1, found, &r) == 1);
    if (print) {
        if (r == SL_LOOKUP_FOUND)
            describe(what, found);
        else
            printf("%-28s %s\n", what, r == SL_LOOKUP_GONE ? "ENOENT" : "error");
    }
    return r;
}

/* The socket of fd as a dump of its port sees it (its cookie included). */
static struct sl_socket seen(const struct sl_tuple *t)
{
    struct sl_filter f;
    sl_filter_init(&f);
    sl_filter_add_range(&f, t->local_port, t->local_port);
    struct sl_snapshot snap = { 0 };
    CHECK_TRUE(sl_snapshot_take(&snap, &f, SL_SOURCE_NETLINK) == 0);
    const struct sl_socket *s = sl_snapshot_find(&snap, t);
    CHECK_TRUE(s != NULL);
    struct sl_socket copy = *s;
    sl_snapshot_free(&snap);
    return copy;
}

static struct sl_socket seen_fd(int fd)
{
    struct sl_tuple t;
    CHECK_TRUE(sl_tuple_of_fd(fd, &t));
    return seen(&t);
}

/* The destroy events that come within `ms`, saved and described. */
static void drain_events(int fd, int ms, const char *what)
{
    double deadline = sl_clock_ms() + ms;
    _Alignas(struct nlmsghdr) char buf[4096];
    while (sl_clock_ms() < deadline) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 20) <= 0)
            continue;
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0)
            continue;
        struct sl_snapshot one = { 0 };
        int rc = sl_destroy_parse(buf, (size_t)n, NULL, &one);
        if (rc == 1 && !is_ours(&one.sockets[0])) {
            sl_snapshot_free(&one);
            continue;                              /* another program's socket */
        }
        save(destroy_out, buf, (size_t)n);
        if (print && rc != 1)
            printf("%-28s parse %d, %zd bytes\n", what, rc, n);
        if (rc == 1)
            describe(what, &one.sockets[0]);
        sl_snapshot_free(&one);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: diag-events PREFIX | --print\n");
        return 2;
    }
    print = !strcmp(argv[1], "--print");
    if (!print) {
        prefix = argv[1];
        char path[512];
        snprintf(path, sizeof path, "%s-lookup.bin", argv[1]);
        lookup_out = fopen(path, "wb");
        snprintf(path, sizeof path, "%s-destroy.bin", argv[1]);
        destroy_out = fopen(path, "wb");
        CHECK_TRUE(lookup_out && destroy_out);
    }
    int listener = sl_listen_on("127.0.0.1", 0, 16);
    ours(sl_local_port(listener));
    struct sl_filter ports;
    sl_filter_init(&ports);
    sl_filter_add_range(&ports, sl_local_port(listener), sl_local_port(listener));
    char why[200];
    struct sl_destroy *events = sl_destroy_open(getenv("NOBPF") ? NULL : &ports, why, sizeof why);
    if (!events) {
        fprintf(stderr, "diag-events: %s\n", why);
        return 2;
    }
    int nl = CHECK(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    int one = 1;
    CHECK(setsockopt(nl, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one));

    /* An established pair, looked up by cookie; then with data moved. */
    int client = sl_connect_to(listener, 2000);
    int server = (int)CHECK(sl_accept_within(listener, 2000));
    CHECK(send(client, "hello", 5, 0));
    char buf[16];
    sl_bound_blocking(server, 2000);
    CHECK(recv(server, buf, sizeof buf, 0));
    struct sl_socket c = seen_fd(client), s = seen_fd(server), found;
    lookup(nl, &c, "client by cookie", &found);
    lookup(nl, &s, "server by cookie", &found);
    struct sl_socket l = seen_fd(listener);
    lookup(nl, &l, "listener by cookie", &found);

    /* Closed client first: the client's event comes now, its TIME-WAIT
     * record keeps the cookie; the server's comes with the last ACK. */
    CHECK(close(client));
    sl_bound_blocking(server, 2000);
    CHECK(recv(server, buf, sizeof buf, 0));
    CHECK(close(server));
    drain_events(sl_destroy_fd(events), 300, "destroyed, closed in order");
    lookup(nl, &c, "client after close, cookie", &found);
    lookup(nl, &s, "server after close, cookie", &found);
    struct sl_socket any = s;
    any.cookie = 0;                                /* the lookup without a cookie */
    lookup(nl, &any, "server after close, no cookie", &found);

    /* A reset: SO_LINGER 0 on the client. */
    client = sl_connect_to(listener, 2000);
    server = (int)CHECK(sl_accept_within(listener, 2000));
    ours(sl_local_port(client));                   /* its event loses the peer */
    struct linger zero = { 1, 0 };
    CHECK(setsockopt(client, SOL_SOCKET, SO_LINGER, &zero, sizeof zero));
    CHECK(close(client));
    sl_bound_blocking(server, 2000);
    recv(server, buf, sizeof buf, 0);              /* ECONNRESET: the point */
    CHECK(close(server));
    drain_events(sl_destroy_fd(events), 300, "destroyed, reset");

    /* A connect refused: the port of the listener, closed. */
    uint16_t gone_port = sl_local_port(listener);
    CHECK(close(listener));
    int refused = CHECK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(gone_port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    connect(refused, (struct sockaddr *)&to, sizeof to);   /* ECONNREFUSED: the point */
    ours(sl_local_port(refused));
    CHECK(close(refused));
    drain_events(sl_destroy_fd(events), 300, "destroyed, refused/listener");

    close(nl);
    sl_destroy_close(events);
    if (lookup_out) {
        fclose(lookup_out);
        fclose(destroy_out);
    }
    return 0;
}
