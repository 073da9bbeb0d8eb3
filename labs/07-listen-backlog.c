/* labs/07-listen-backlog.c — what listen()'s backlog limits: the queue of
 * finished connections nobody has accepted yet, and nothing else.
 *
 * What it shows
 *   1. the backlog is capped at net.core.somaxconn (the listener's Send-Q);
 *   2. listen(fd, 10) and 14 clients, no accept(): 11 connections complete
 *      (the listener's Recv-Q), the other clients wait in SYN-SENT, retrying;
 *   3. one accept(): the backlog is still 10, not 9; a SYN-SENT client takes
 *      the free place at its next SYN retransmission;
 *   4. every client that sent before being accepted has its bytes delivered,
 *      the first one's included: nobody's data is dropped;
 *   5. when the queue fills between a client's SYN and its final ACK, the ACK
 *      is dropped (tcp_abort_on_overflow = 0) or answered with a RST (= 1).
 *
 * Run it
 *   terminal 1:  socklab run 7 --port 47200
 *   terminal 2:  at each pause, the ss command it prints (-o shows the timers)
 *   terminal 3:  socklab dash --port 47200-47202
 *
 * What you should see
 *   LISTEN with Recv-Q 11 and Send-Q 10; 11 clients ESTAB and 3 in SYN-SENT
 *   with timer:(on,...); after one accept() Recv-Q is 11 again.
 *
 * Notes: docs/labs/07-listen-backlog.md  (socklab notes 7) */
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/lab.h"
#include "socklab/net.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 7,
    .name = "listen-backlog",
    .title = N_("The listen backlog: what it limits, and what happens beyond it"),
    .goal = N_("See that the backlog bounds the queue of finished, unaccepted connections "
               "(backlog + 1 on Linux, capped by somaxconn), that clients beyond it wait in "
               "SYN-SENT and get in later, and that nobody's data is dropped."),
    .ports = 3,
    .bind_rules = SL_BIND_IPV6,
};

#define CLIENTS 14

/* A socket bound to the lab's address and its index-th port. */
static int listener_on(struct sl_lab *lab, int index, int flags)
{
    struct sockaddr_storage addr;
    socklen_t len = sl_lab_address(lab, sl_lab_port(lab, index), &addr);
    int fd = CHECK(socket(addr.ss_family, SOCK_STREAM | flags, 0));
    CHECK(bind(fd, (struct sockaddr *)&addr, len));
    return fd;
}

/* A listener's accept queue, as TCP_INFO reports it for LISTEN sockets:
 * tcpi_unacked is the queue's length, tcpi_sacked its limit (the backlog). */
static struct tcp_info queue_of(int listener)
{
    struct tcp_info ti = { 0 };
    socklen_t len = sizeof ti;
    CHECK(getsockopt(listener, IPPROTO_TCP, TCP_INFO, &ti, &len));
    return ti;
}

/* The census of the clients of a port in one state (for sl_lab_wait_count). */
static struct sl_census clients_in(int state, uint16_t port)
{
    return (struct sl_census){ SL_STATE_BIT(state), 0, port };
}

static void step_cap(struct sl_lab *lab)
{
    lab_step(lab, "The backlog is capped at somaxconn");
    lab_say(lab, "listen() takes any backlog and says nothing about it: the kernel quietly "
                 "keeps at most net.core.somaxconn. TCP_INFO on a listener reports the "
                 "accept queue: tcpi_unacked waiting, tcpi_sacked the limit.");
    long somaxconn = sl_lab_sysctl(lab, "net.core.somaxconn");
    int ask = somaxconn < INT_MAX / 2 ? (int)somaxconn * 2 + 1 : INT_MAX;
    int fd = listener_on(lab, 1, 0);
    CHECK(lab_call(lab, listen(fd, ask)));
    struct tcp_info q = queue_of(fd);
    lab_show(lab, "listen(fd, %d): the kernel keeps a backlog of %u", ask, q.tcpi_sacked);
    lab_expect(lab, q.tcpi_sacked == (unsigned)somaxconn,
               "a backlog above net.core.somaxconn is cut down to it (%ld)", somaxconn);
    close(fd);
}

static void step_fill(struct sl_lab *lab, int *listener, int clients[CLIENTS], bool sent[CLIENTS])
{
    lab_step(lab, "listen(fd, 10) and %d clients; nobody calls accept()", CLIENTS);
    lab_say(lab, "Claims M52 and M53 (docs/myths.md): with listen(fd, 10), 10 is the most "
                 "connections a server can have, and an 11th drops the first one's data. Each client connects and, once connected, "
                 "sends its name.");
    *listener = listener_on(lab, 0, SOCK_NONBLOCK);
    CHECK(lab_call(lab, listen(*listener, 10)));
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    CHECK(getsockname(*listener, (struct sockaddr *)&addr, &len));
    uint16_t port = sl_local_port(*listener);
    sl_lab_track_port(lab, port);
    unsigned backlog = queue_of(*listener).tcpi_sacked, fits = backlog + 1;
    for (int i = 0; i < CLIENTS; i++) {
        clients[i] = CHECK(socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0));
        connect(clients[i], (struct sockaddr *)&addr, len);     /* EINPROGRESS */
    }
    struct sl_census estab = clients_in(SL_TCP_ESTABLISHED, port);
    int connected = sl_lab_wait_count(lab, sl_snapshot_count, &estab, (int)fits, 1000);
    for (int i = 0; i < CLIENTS; i++) {
        char name[16];
        int n = snprintf(name, sizeof name, "client %02d", i);
        sent[i] = sl_wait_fd(clients[i], POLLOUT, 0) & POLLOUT &&
                  send(clients[i], name, (size_t)n, MSG_NOSIGNAL) == n;
    }
    struct sl_census syn_sent = clients_in(SL_TCP_SYN_SENT, port);
    int waiting = sl_lab_wait_count(lab, sl_snapshot_count, &syn_sent, CLIENTS - (int)fits, 1000);
    struct tcp_info q = queue_of(*listener);
    lab_show(lab, "accept queue %u of backlog %u; %d clients ESTAB, %d in SYN-SENT",
             q.tcpi_unacked, q.tcpi_sacked, connected, waiting);
    lab_expect(lab, q.tcpi_unacked == fits && connected == (int)fits,
               "the accept queue holds backlog + 1 = %u finished connections", fits);
    lab_expect(lab, waiting == CLIENTS - (int)fits,
               "the other %d clients wait in SYN-SENT: their SYNs were dropped, not refused",
               CLIENTS - (int)fits);
    struct sl_wire_match answered = { .from_port = port, .flags = SL_TCP_SYN | SL_TCP_ACK },
                         refused = { .from_port = port, .flags = SL_TCP_RST };
    lab_expect_segment_count(lab, &answered, (int)fits, 100, "on the wire: %u S. for %d SYNs: "
                             "the full queue's SYNs got no answer", fits, CLIENTS);
    lab_expect_no_segment(lab, &refused, 0, "on the wire: and no R: dropped, not refused");
    lab_pause(lab, "LISTEN with Recv-Q %u and Send-Q %u; %d clients in SYN-SENT (timer:(on,...))",
              fits, backlog, CLIENTS - (int)fits);
}

/* When the earliest SYN retransmission among the clients still in SYN-SENT
 * is due (sl_clock_ms time, never later than the kernel's); false when none
 * is left. */
static bool next_retry(struct sl_lab *lab, int listener, const int clients[CLIENTS], double *due_at)
{
    struct sockaddr_storage server, local;
    socklen_t len = sizeof server;
    CHECK(getsockname(listener, (struct sockaddr *)&server, &len));
    bool any = false;
    unsigned due = 0;
    double before = sl_clock_ms();                  /* the timers are read after this */
    sl_lab_observe(lab);
    for (int i = 0; i < CLIENTS; i++) {
        len = sizeof local;
        CHECK(getsockname(clients[i], (struct sockaddr *)&local, &len));
        struct sl_tuple t;
        sl_tuple_from_addrs(&local, &server, &t);
        const struct sl_socket *s = sl_lab_socket(lab, &t);
        if (s && s->state == SL_TCP_SYN_SENT && (!any || s->timer_ms < due)) {
            due = s->timer_ms;
            any = true;
        }
    }
    *due_at = before + due;
    return any;
}

static int step_accept_one(struct sl_lab *lab, int listener, const int clients[CLIENTS])
{
    lab_step(lab, "One accept(): does the 10 become 9?");
    lab_say(lab, "Claim M35 (docs/myths.md): after an accept() the 10 becomes 9. accept() "
                 "takes "
                 "the oldest connection out of the queue; the limit does not move.");
    double due_at = 0;
    bool retrying = next_retry(lab, listener, clients, &due_at);
    struct tcp_info before = queue_of(listener);
    int first = CHECK(lab_call(lab, accept(listener, NULL, NULL)));
    struct tcp_info after = queue_of(listener);
    lab_show(lab, "accept queue %u -> %u; backlog %u -> %u", before.tcpi_unacked,
             after.tcpi_unacked, before.tcpi_sacked, after.tcpi_sacked);
    lab_expect(lab, after.tcpi_sacked == before.tcpi_sacked &&
                    after.tcpi_unacked == before.tcpi_unacked - 1,
               "after accept() the backlog is still %u: a limit, not a counter", after.tcpi_sacked);
    if (!retrying) {
        lab_skip(lab, "the SYN-SENT clients gave up while the lab was paused "
                      "(net.ipv4.tcp_syn_retries)", "a SYN-SENT client takes the free place");
        return first;
    }
    double start = sl_clock_ms();
    while (queue_of(listener).tcpi_unacked < before.tcpi_unacked && sl_clock_ms() < due_at + 3000)
        sl_sleep_ms(5);                             /* until the queue is full again */
    double full_at = sl_clock_ms();
    struct sl_census syn_sent = clients_in(SL_TCP_SYN_SENT, sl_local_port(listener));
    lab_show(lab, "the queue was full again %.0f ms after accept(), %.0f ms after the first "
                  "SYN retransmission was due", full_at - start, full_at - due_at);
    struct sl_census half_open = { SL_STATE_BIT(SL_TCP_SYN_RECV), sl_local_port(listener), 0 };
    lab_show(lab, "clients still in SYN-SENT: %d; clients that believe they are connected "
                  "while their final ACK met the full queue (server side SYN-RECV): %d",
             sl_lab_wait_count(lab, sl_snapshot_count, &syn_sent, 0, 0),
             sl_lab_wait_count(lab, sl_snapshot_count, &half_open, 0, 0));
    lab_expect(lab, queue_of(listener).tcpi_unacked == before.tcpi_unacked &&
                    full_at >= due_at - 20,                 /* timers tick in jiffies */
               "a SYN-SENT client took the free place at its next SYN retransmission, "
               "not at accept(): the queue is full again");
    lab_pause(lab, "Recv-Q back at %u, Send-Q still %u", before.tcpi_unacked, after.tcpi_sacked);
    return first;
}

static void step_deliver(struct sl_lab *lab, int listener, int first, const int clients[CLIENTS],
                         const bool sent[CLIENTS])
{
    lab_step(lab, "accept() them all: whose data was dropped?");
    lab_say(lab, "Every client that connected in step 2 sent its name at once, while it "
                 "waited in the queue, and now closes. The server accepts and reads, "
                 "oldest first.");
    int expected = 0, intact = 0, server = first;
    for (int i = 0; i < CLIENTS; i++) {
        expected += sent[i];
        CHECK(close(clients[i]));       /* done: their names are sent, their FIN follows */
    }
    do {
        char buf[16] = "";
        int who = -1;
        sl_wait_fd(server, POLLIN, 500);
        if (recv(server, buf, sizeof buf - 1, MSG_DONTWAIT) == 9 &&
            sscanf(buf, "client %d", &who) == 1 && who >= 0 && who < CLIENTS && sent[who])
            intact++;
        close(server);
    } while (intact < expected && (server = sl_accept_within(listener, 1000)) >= 0);
    lab_show(lab, "%d of the %d clients that sent were read back intact", intact, expected);
    lab_expect(lab, intact == expected && sent[0],
               "every client that sent before being accepted had its bytes delivered, "
               "client 00's included: nobody's data was dropped");
}

/* What a late client sees when the accept queue fills between its handshake
 * and its first data. TCP_DEFER_ACCEPT keeps its connection in SYN-RECV (the
 * SYN queue) until data comes; meanwhile other clients fill the accept queue.
 * Then its data arrives with the ACK that should complete the connection. */
struct late_outcome {
    unsigned queued, room;      /* the accept queue when the late data came */
    int syn_recv;               /* connections waiting in SYN-RECV then */
    int err;                    /* what the late client's recv() said: ECONNRESET or EAGAIN */
    bool delivered;             /* its data arrived once accept() made room */
};

static struct late_outcome late_client(int listener)
{
    struct late_outcome out = { 0 };
    int seconds = 5, fillers[8], filled = 0;
    CHECK(setsockopt(listener, IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds, sizeof seconds));
    CHECK(listen(listener, 3));
    out.room = queue_of(listener).tcpi_sacked + 1;
    int late = -1;
    while (filled < (int)out.room) {
        if (filled == (int)out.room - 1 && late == -1)
            late = sl_connect_to(listener, 1000);         /* handshake done, no data yet */
        fillers[filled] = sl_connect_to(listener, 1000);
        CHECK(send(fillers[filled++], "x", 1, 0));        /* completes this one */
        for (double end = sl_clock_ms() + 1000; queue_of(listener).tcpi_unacked < (unsigned)filled &&
                                                sl_clock_ms() < end;)
            sl_sleep_ms(1);
    }
    /* Wait (bounded) for the queues to settle before counting them: on a busy
     * machine a filler's handshake may still be finishing. */
    struct sl_census syn_recv = { SL_STATE_BIT(SL_TCP_SYN_RECV), sl_local_port(listener), 0 };
    for (double end = sl_clock_ms() + 2000;; sl_sleep_ms(5)) {
        struct sl_snapshot snap = { 0 };
        if (sl_snapshot_take(&snap, NULL, SL_SOURCE_AUTO) == 0)
            out.syn_recv = sl_snapshot_count(&snap, &syn_recv);
        sl_snapshot_free(&snap);
        out.queued = queue_of(listener).tcpi_unacked;
        if ((out.syn_recv == 1 && out.queued == out.room) || sl_clock_ms() >= end)
            break;
    }
    CHECK(send(late, "late", 4, MSG_NOSIGNAL));          /* the ACK that overflows */
    char buf[8];
    out.err = sl_wait_fd(late, POLLIN, 500) && recv(late, buf, sizeof buf, MSG_DONTWAIT) == -1
              ? errno : EAGAIN;
    int servers[8], accepted = 0;
    if (out.err == EAGAIN) {                              /* dropped: make room, wait */
        servers[accepted++] = CHECK(accept(listener, NULL, NULL));
        while (!out.delivered && accepted < 8 &&
               (servers[accepted] = sl_accept_within(listener, 3000)) >= 0) {
            int server = servers[accepted++];
            out.delivered = sl_wait_fd(server, POLLIN, 1000) && recv(server, buf, 4, 0) == 4 &&
                            memcmp(buf, "late", 4) == 0;
        }
    }
    close(late);                          /* clients first: the TIME-WAITs stay theirs */
    for (int i = 0; i < filled; i++)
        close(fillers[i]);
    for (int i = 0; i < accepted; i++) {
        sl_wait_fd(servers[i], POLLRDHUP, 1000);
        sl_drain(servers[i]);
        close(servers[i]);
    }
    return out;
}

/* In a child: a private network namespace with loopback up and
 * tcp_abort_on_overflow set to `value`; the outcome through a pipe. */
static bool late_client_in_namespace(struct sl_lab *lab, long value, struct late_outcome *out,
                                     const char **why)
{
    int pipefd[2];
    CHECK(pipe(pipefd));
    pid_t child = sl_lab_fork(lab);
    if (child == 0) {
        close(pipefd[0]);
        struct ifreq lo = { .ifr_name = "lo" };
        char text[4];
        int n = snprintf(text, sizeof text, "%ld", value);
        if (unshare(CLONE_NEWNET) == -1)
            _exit(10);
        int fd = socket(AF_INET, SOCK_DGRAM, 0), sysctl;
        if (ioctl(fd, SIOCGIFFLAGS, &lo) == -1 || (lo.ifr_flags |= IFF_UP, ioctl(fd, SIOCSIFFLAGS, &lo)) == -1)
            _exit(11);
        if ((sysctl = open("/proc/sys/net/ipv4/tcp_abort_on_overflow", O_WRONLY)) == -1 ||
            write(sysctl, text, (size_t)n) != n)
            _exit(12);
        int listener = sl_listen_on("127.0.0.1", 0, 3);
        struct late_outcome result = late_client(listener);
        _exit(write(pipefd[1], &result, sizeof result) == sizeof result ? 0 : 13);
    }
    close(pipefd[1]);
    int status = 0;
    bool done = sl_lab_wait_child(lab, child, 10000, &status);
    bool got = done && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
               read(pipefd[0], out, sizeof *out) == sizeof *out;
    close(pipefd[0]);
    int code = done && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    *why = code == 10 ? _("unshare(CLONE_NEWNET) was refused")
         : code == 11 ? _("loopback could not be brought up in the namespace")
         : code == 12 ? _("/proc/sys/net/ipv4/tcp_abort_on_overflow could not be written")
                      : _("the child did not finish");
    return got;
}

static void expect_overflow(struct sl_lab *lab, long abort_on, const struct late_outcome *r,
                            const char *where)
{
    if (r->delivered)
        lab_show(lab, "%s: accept queue %u of %u, %d in SYN-RECV; the late client's recv(): %s; "
                      "its data arrived after an accept()", where, r->queued, r->room,
                 r->syn_recv, strerrorname_np(r->err));
    else
        lab_show(lab, "%s: accept queue %u of %u, %d in SYN-RECV; the late client's recv(): %s",
                 where, r->queued, r->room, r->syn_recv, strerrorname_np(r->err));
    if (abort_on == 0)
        lab_expect(lab, r->err == EAGAIN && r->delivered,
                   "with tcp_abort_on_overflow = 0 the overflowing ACK is dropped; the client "
                   "retransmits and its data arrives once accept() makes room");
    else
        lab_expect(lab, r->err == ECONNRESET,
                   "with tcp_abort_on_overflow = 1 the overflow is answered with a RST: the "
                   "client's recv() fails with ECONNRESET");
}

static void step_overflow(struct sl_lab *lab)
{
    lab_step(lab, "The queue fills between a client's handshake and its data");
    long abort_on = sl_lab_sysctl(lab, "net.ipv4.tcp_abort_on_overflow");
    long cookies = sl_lab_sysctl(lab, "net.ipv4.tcp_syncookies");
    sl_lab_sysctl(lab, "net.ipv4.tcp_max_syn_backlog");
    lab_say(lab, "Two queues: connections still in the handshake wait in the SYN queue "
                 "(SYN-RECV, bounded by the backlog and tcp_max_syn_backlog, or by SYN "
                 "cookies); finished ones in the accept queue. A client whose final ACK "
                 "finds the accept queue full meets tcp_abort_on_overflow.");
    long somaxconn = sl_lab_sysctl(lab, "net.core.somaxconn");
    if (cookies == 2 || (cookies == 0 && somaxconn < 2)) {
        lab_skip(lab, cookies == 2 ? _("tcp_syncookies = 2 answers every SYN with a cookie: "
                                       "no connection waits in SYN-RECV")
                                   : _("without SYN cookies the SYN queue is bounded by the "
                                       "backlog too, and somaxconn < 2 leaves no room for a "
                                       "second handshake"),
                 "the late client's data meets a full accept queue");
        return;
    }
    int listener = listener_on(lab, 2, SOCK_NONBLOCK);
    sl_lab_track_port(lab, sl_local_port(listener));
    CHECK(lab_call(lab, setsockopt(listener, IPPROTO_TCP, TCP_DEFER_ACCEPT, &(int){ 5 }, sizeof(int))));
    struct late_outcome here = late_client(listener);
    close(listener);
    lab_expect(lab, here.queued == here.room && here.syn_recv == 1,
               "a connection in SYN-RECV waits in the SYN queue, outside the full accept queue");
    expect_overflow(lab, abort_on, &here, sl_lab_private(lab) ? _("the lab's network")
                                                              : _("this machine"));
    long other = !abort_on;
    const char *why = NULL;
    struct late_outcome there;
    if (!sl_lab_privileged(lab))
        lab_skip(lab, "needs root or --private: a network namespace of its own, to set "
                      "tcp_abort_on_overflow without changing this machine",
                 "tcp_abort_on_overflow = %ld", other);
    else if (!late_client_in_namespace(lab, other, &there, &why))
        lab_skip(lab, why, "tcp_abort_on_overflow = %ld in a private network namespace", other);
    else
        expect_overflow(lab, other, &there, _("a private namespace"));
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    int listener, clients[CLIENTS];
    bool sent[CLIENTS];
    step_cap(lab);
    step_fill(lab, &listener, clients, sent);
    int first = step_accept_one(lab, listener, clients);
    step_deliver(lab, listener, first, clients, sent);
    close(listener);
    step_overflow(lab);
    return sl_lab_end(lab);
}
