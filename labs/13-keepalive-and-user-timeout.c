/* labs/13-keepalive-and-user-timeout.c — noticing a dead peer: a connection
 * whose far end vanishes without a FIN or a RST (its packets dropped on the
 * lab's own loopback), and the three clocks that can notice it.
 *
 * What it shows
 *   1. nobody notices: an idle connection to a vanished peer stays ESTAB, no
 *      timer runs, and a recv() waits as long as it is let;
 *   2. SO_KEEPALIVE, with TCP_KEEPIDLE/KEEPINTVL/KEEPCNT set small: the
 *      probes leave one by one (on the wire, and ss's timer:(keepalive,...)),
 *      then recv() fails with ETIMEDOUT and the socket is gone; the
 *      machine's defaults (net.ipv4.tcp_keepalive_*: two hours and more)
 *      read and shown;
 *   3. data to a dead peer: retransmissions with exponential back-off, and
 *      net.ipv4.tcp_retries2 as a time budget, not a count;
 *   4. TCP_USER_TIMEOUT cuts that to what the program asks, and an event
 *      loop sees EPOLLERR | EPOLLHUP;
 *   5. a CLOSE-WAIT socket with keepalive on is ended by a dead peer too.
 *
 * The lab runs in a network of its own (a user and network namespace, no
 * root needed), where it may drop packets on its loopback; where the kernel
 * refuses one, every step says so and is skipped.
 *
 * Run it
 *   terminal 1:  socklab run 13
 *   terminal 2:  at each pause, the command it prints (socklab ss ...: the
 *                lab's sockets live in its own network)
 *
 * Notes: docs/labs/13-keepalive-and-user-timeout.md  (socklab notes 13) */
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/lab.h"
#include "socklab/net.h"

#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 13,
    .name = "keepalive-and-user-timeout",
    .title = N_("A dead peer: keepalive, retransmissions and TCP_USER_TIMEOUT"),
    .goal = N_("See that nothing notices a peer that vanished, then watch keepalive probes, "
               "retransmissions and TCP_USER_TIMEOUT each end the connection with ETIMEDOUT, "
               "and learn which clock decides how long that takes."),
    .ports = 5,
    .bind_rules = SL_BIND_IPV6,
    .own_network = true,
};

#define IDLE_S 1                        /* TCP_KEEPIDLE: the first probe after 1 s idle */
#define INTERVAL_S 1                    /* TCP_KEEPINTVL: then one a second */
#define PROBES 3                        /* TCP_KEEPCNT: 3 unanswered, and it is dead */
#define USER_TIMEOUT_MS 1500
#define FAST_RTO_MIN_US 20000           /* step 3: the first timeout after 20 ms, not 200 */

/* A connection one end of which will vanish: pair[0] the client, pair[1]
 * the server, their tuples followed. False, with the step's claim (marked
 * N_() by the caller) skipped, when the lab has no network of its own to
 * drop packets in. */
static bool doomed_pair(struct sl_lab *lab, int index, int pair[2], struct sl_tuple tuples[2],
                        const char *claim)
{
    if (!sl_lab_private(lab)) {
        lab_skip(lab, sl_lab_private_refused(lab) ? sl_lab_private_refused(lab)
                                                  : "the lab has no network of its own",
                 "%s", _(claim));
        return false;
    }
    sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, index), pair);
    sl_lab_follow_pair(lab, pair, &tuples[0], &tuples[1]);
    return true;
}

/* The end of a step: the drop rule lifted, both ends closed. */
static void bury(struct sl_lab *lab, int pair[2])
{
    sl_lab_undrop(lab);
    close(pair[0]);
    close(pair[1]);
}

/* What a socket's kernel says of it after it died: its error, its
 * retransmissions (tcp_info outlives the connection). */
static int socket_error(int fd)
{
    int err = 0;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &(socklen_t){ sizeof err }));
    return err;
}

static unsigned retransmissions(int fd)
{
    struct tcp_info ti;
    memset(&ti, 0, sizeof ti);
    CHECK(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &(socklen_t){ sizeof ti }));
    return ti.tcpi_total_retrans;
}

/* The keepalive probes a client sends during the step's last call, as the
 * capture sees them: empty ACKs. */
static struct sl_wire_match probes_from(const struct sl_tuple *client)
{
    return (struct sl_wire_match){ .from = client, .flags = SL_TCP_ACK,
                                   .without = SL_TCP_SYN | SL_TCP_FIN | SL_TCP_RST | SL_TCP_PSH,
                                   .in_last_call = true };
}

static void step_nobody_notices(struct sl_lab *lab)
{
    lab_step(lab, "A peer that vanishes: nobody notices");
    lab_say(lab, "A client and a server, connected and idle. Then the server's machine is "
                 "gone — no FIN, no RST: here every segment sent to the server's port is "
                 "dropped on the lab's loopback. The client waits for an answer.");
    int pair[2];
    struct sl_tuple t[2];
    if (!doomed_pair(lab, 0, pair, t, N_("an idle connection to a vanished peer stays ESTAB")))
        return;
    sl_lab_drop(lab, t[1].local_port, 0, 0);
    sl_bound_blocking(pair[0], 2000);               /* the lab's patience, not TCP's */
    char byte;
    ssize_t n = lab_call(lab, recv(pair[0], &byte, 1, 0));
    int err = errno;
    sl_lab_observe(lab);
    const struct sl_socket *s = sl_lab_socket(lab, &t[0]);
    lab_expect(lab, n == -1 && err == EAGAIN && s && s->state == SL_TCP_ESTABLISHED &&
                    s->timer == SL_TIMER_OFF,
               "an idle connection to a vanished peer stays ESTAB, with no timer: recv() "
               "waits until the lab gives up (2 s)");
    struct sl_wire_match any = { .on = &t[0], .in_last_call = true };
    lab_expect_no_segment(lab, &any, 0, "and not one segment is sent either way while it waits");
    lab_pause(lab, "the client ESTAB with no timer: it would wait forever");
    bury(lab, pair);
}

static void step_keepalive(struct sl_lab *lab)
{
    lab_step(lab, "SO_KEEPALIVE: probes, then ETIMEDOUT");
    lab_say(lab, "Keepalive makes the kernel probe an idle connection: after TCP_KEEPIDLE "
                 "seconds without a segment, an empty ACK every TCP_KEEPINTVL seconds; "
                 "TCP_KEEPCNT of them unanswered, and the connection is dead. For sockets "
                 "that set none, the network's defaults (the lab's own network has the "
                 "kernel's; the machine's may be tuned):");
    long idle = sl_lab_sysctl(lab, "net.ipv4.tcp_keepalive_time");
    long interval = sl_lab_sysctl(lab, "net.ipv4.tcp_keepalive_intvl");
    long probes = sl_lab_sysctl(lab, "net.ipv4.tcp_keepalive_probes");
    lab_show(lab, "so by default a dead idle peer is noticed after %ld s (%.1f hours)",
             idle + probes * interval, (idle + probes * interval) / 3600.0);
    int pair[2];
    struct sl_tuple t[2];
    double start = sl_clock_ms();                   /* idle from its handshake on */
    if (!doomed_pair(lab, 1, pair, t, N_("after the probes recv() fails with ETIMEDOUT")))
        return;
    CHECK(lab_call(lab, setsockopt(pair[0], SOL_SOCKET, SO_KEEPALIVE, &(int){ 1 }, sizeof(int))));
    CHECK(setsockopt(pair[0], IPPROTO_TCP, TCP_KEEPIDLE, &(int){ IDLE_S }, sizeof(int)));
    CHECK(setsockopt(pair[0], IPPROTO_TCP, TCP_KEEPINTVL, &(int){ INTERVAL_S }, sizeof(int)));
    CHECK(setsockopt(pair[0], IPPROTO_TCP, TCP_KEEPCNT, &(int){ PROBES }, sizeof(int)));
    sl_lab_drop(lab, t[1].local_port, 0, 0);
    sl_lab_observe(lab);
    const struct sl_socket *s = sl_lab_socket(lab, &t[0]);
    lab_expect(lab, s && s->timer == SL_TIMER_KEEPALIVE,
               "the client's timer is now keepalive (ss -o: timer:(keepalive,...))");
    sl_bound_blocking(pair[0], 10000);
    ssize_t n = lab_call(lab, recv(pair[0], &(char){ 0 }, 1, 0));
    int err = errno, dead_after = IDLE_S + PROBES * INTERVAL_S;
    lab_show(lab, "recv() returned %.1f s after the connection was made",
             (sl_clock_ms() - start) / 1000);
    lab_expect(lab, n == -1 && err == ETIMEDOUT && sl_clock_ms() - start >= dead_after * 1000,
               "after %d s idle and %d unanswered probes, recv() fails with ETIMEDOUT",
               IDLE_S, PROBES);
    struct sl_wire_match probes_sent = probes_from(&t[0]);
    lab_expect_segment_count(lab, &probes_sent, PROBES, 0,
                             "%d probes, empty ACKs, left the client while recv() waited", PROBES);
    struct sl_wire_match reset = { .from = &t[0], .flags = SL_TCP_RST };   /* the step's */
    lab_expect_segment(lab, &reset, 1000, "then a RST: giving up, the client resets the connection "
                                       "it declares dead");
    sl_lab_observe(lab);
    lab_expect(lab, sl_lab_state(lab, &t[0]) == 0, "and the kernel no longer lists the socket");
    bury(lab, pair);
}

/* How long the kernel keeps retransmitting before ETIMEDOUT, for tcp_retries2
 * = retries: the time that many retransmissions would take with the timeout
 * doubling from 200 ms (TCP_RTO_MIN) up to 120 s (TCP_RTO_MAX); the kernel's
 * tcp_model_timeout(), net/ipv4/tcp_timer.c. */
static double give_up_ms(long retries)
{
    const double rto_min = 200, rto_max = 120000;
    int doubling = 0;
    while (rto_min * (2 << doubling) <= rto_max)
        doubling++;                                 /* ilog2(rto_max / rto_min) = 9 */
    if (retries <= doubling)
        return ((2 << retries) - 1) * rto_min;
    return ((2 << doubling) - 1) * rto_min + (retries - doubling) * rto_max;
}

/* Why step 3's first wait is not 20 ms (fast: the lab set it), or NULL. */
static const char *slow_first_wait(long rto_min_us, bool fast)
{
    if (fast)
        return NULL;
    return rto_min_us > 0 ? N_("net.ipv4.tcp_rto_min_us cannot be set in this network")
                          : N_("this kernel has no net.ipv4.tcp_rto_min_us (Linux 6.11): with "
                               "the first wait the 200 ms the budget assumes, a count and a time "
                               "give the same answer");
}

static void step_retries(struct sl_lab *lab)
{
    lab_step(lab, "Data to a dead peer: retransmissions, and tcp_retries2's time budget");
    lab_say(lab, "Unacknowledged data is sent again: first a tail loss probe, then on the "
                 "retransmission timer, each time after twice the wait (ss -o shows "
                 "timer:(on,...,N)). tcp_retries2 sounds like a count of retransmissions; the "
                 "kernel turns it into a time: what that many would take with the first wait "
                 "200 ms, the loopback's minimum. To tell a time from a count, the lab makes "
                 "its first wait 20 ms (net.ipv4.tcp_rto_min_us, read when the socket is made): "
                 "a count would end sooner, a time no sooner.");
    long retries2 = sl_lab_sysctl(lab, "net.ipv4.tcp_retries2");
    lab_show(lab, "in this network tcp_retries2 = %ld: ETIMEDOUT after about %.0f s of "
                  "retransmitting",
             retries2, give_up_ms(retries2) / 1000);
    long rto_min_us = sl_lab_sysctl(lab, "net.ipv4.tcp_rto_min_us");    /* Linux 6.11 */
    bool fast = rto_min_us > 0 &&
                sl_lab_sysctl_set(lab, "net.ipv4.tcp_rto_min_us", FAST_RTO_MIN_US);
    int pair[2];
    struct sl_tuple t[2];
    if (!doomed_pair(lab, 2, pair, t, N_("tcp_retries2 is a time budget, not a count")))
        return;
    sl_lab_sysctl_set(lab, "net.ipv4.tcp_retries2", 3);
    sl_lab_drop(lab, t[1].local_port, 0, 0);
    double start = sl_clock_ms();
    CHECK(lab_call(lab, send(pair[0], "hello", 5, 0)));
    sl_bound_blocking(pair[0], 20000);
    ssize_t n = lab_call(lab, recv(pair[0], &(char){ 0 }, 1, 0));
    int err = errno;
    double waited = sl_clock_ms() - start;
    unsigned sent_again = retransmissions(pair[0]);
    lab_show(lab, "recv() failed %.1f s after the send(); the data was sent again %u times",
             waited / 1000, sent_again);
    lab_expect(lab, n == -1 && err == ETIMEDOUT && waited >= give_up_ms(3),
               "with tcp_retries2 = 3 the connection dies no sooner than 3 retransmissions "
               "would take from 200 ms (%.1f s)", give_up_ms(3) / 1000);
    lab_expect_unless(lab, slow_first_wait(rto_min_us, fast), true, sent_again > 3 + 1,
                      "with the first wait 20 ms, more than 3 retransmissions and the tail loss "
                      "probe went in that time: the budget is a time, not a count");
    struct sl_wire_match data = { .from = &t[0], .data = true };
    lab_expect_segment_count(lab, &data, (int)sent_again + 1, 0,
                             "the data left the client %u times", sent_again + 1);
    struct sl_wire_match reset = { .from = &t[0], .flags = SL_TCP_RST };   /* the step's */
    lab_expect_no_segment(lab, &reset, 200, "and no RST when it gave up: a timeout of "
                                          "retransmissions ends the connection silently");
    sl_lab_sysctl_set(lab, "net.ipv4.tcp_retries2", retries2);
    if (fast)
        sl_lab_sysctl_set(lab, "net.ipv4.tcp_rto_min_us", rto_min_us);
    bury(lab, pair);
}

static void step_user_timeout(struct sl_lab *lab)
{
    lab_step(lab, "TCP_USER_TIMEOUT: the program's own deadline");
    lab_say(lab, "TCP_USER_TIMEOUT (milliseconds) replaces tcp_retries2 for one socket: data "
                 "still unacknowledged that long after its first timeout, and the connection "
                 "is dead. An event loop learns "
                 "it from epoll: the socket reports EPOLLERR and EPOLLHUP.");
    int pair[2];
    struct sl_tuple t[2];
    if (!doomed_pair(lab, 3, pair, t, N_("ETIMEDOUT after TCP_USER_TIMEOUT")))
        return;
    CHECK(lab_call(lab, setsockopt(pair[0], IPPROTO_TCP, TCP_USER_TIMEOUT,
                                   &(unsigned){ USER_TIMEOUT_MS }, sizeof(unsigned))));
    int ep = CHECK(epoll_create1(EPOLL_CLOEXEC));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, pair[0], &ev));
    sl_lab_drop(lab, t[1].local_port, 0, 0);
    double start = sl_clock_ms();
    CHECK(lab_call(lab, send(pair[0], "hello", 5, 0)));
    int n = lab_call(lab, epoll_wait(ep, &ev, 1, 10000));
    double waited = sl_clock_ms() - start;
    lab_show(lab, "epoll_wait() returned %.2f s after the send(), with events 0x%x; SO_ERROR "
                  "is %s",
             waited / 1000, n == 1 ? ev.events : 0, strerrorname_np(socket_error(pair[0])));
    lab_expect(lab, n == 1 && (ev.events & (EPOLLERR | EPOLLHUP)) == (EPOLLERR | EPOLLHUP),
               "the event loop sees EPOLLERR | EPOLLHUP (with EPOLLIN: a read reports the error)");
    lab_expect_sound(lab, waited < USER_TIMEOUT_MS + 1500, waited >= USER_TIMEOUT_MS,
                     "the connection dies after TCP_USER_TIMEOUT (%d ms), not tcp_retries2's "
                     "minutes", USER_TIMEOUT_MS);
    close(ep);
    bury(lab, pair);
}

/* For sl_lab_wait_count: 1 once the closed client's FIN is acknowledged:
 * the client in FIN-WAIT-2, or gone where tcp_max_tw_buckets leaves no room
 * for the time-wait socket it becomes. */
static int fin_acknowledged(const struct sl_snapshot *snap, void *client)
{
    const struct sl_socket *s = sl_snapshot_find(snap, client);
    return !s || s->state == SL_TCP_FIN_WAIT2;
}

/* After the client's close(): true once the server is in CLOSE-WAIT and the
 * client's FIN acknowledged, before the client vanishes. A FIN still
 * unacknowledged would be retransmitted into the server, each copy
 * restarting the keepalive clock; and a copy sent because its ACK came after
 * the client's retransmission timeout (a busy machine) can reach the server
 * once the client is gone: the server's answer meets no socket, and the
 * client's kernel resets the server, whose keepalive then never runs. The
 * same RST answers a probe that reaches a client which kept no time-wait
 * socket (tcp_max_tw_buckets = 0): the step turns keepalive on only once
 * segments to the client are dropped. */
static bool close_wait_settled(struct sl_lab *lab, struct sl_tuple t[2])
{
    struct sl_wire_match fins = { .from = &t[0], .flags = SL_TCP_FIN },
                         client_reset = { .from = &t[0], .flags = SL_TCP_RST };
    return sl_lab_wait_state(lab, &t[1], SL_TCP_CLOSE_WAIT, 3000) &&
           sl_lab_wait_count(lab, fin_acknowledged, &t[0], 1, 3000) == 1 &&
           sl_lab_wire_count(lab, &fins) <= 1 && sl_lab_wire_count(lab, &client_reset) <= 0;
}

static void step_close_wait(struct sl_lab *lab)
{
    lab_step(lab, "A CLOSE-WAIT socket with keepalive, and a dead peer");
    lab_say(lab, "A server that never closes keeps a CLOSE-WAIT socket after the client's FIN "
                 "(lab 08) — forever, unless keepalive is on: CLOSE-WAIT is probed like an "
                 "idle ESTAB socket. The client's machine then vanishes.");
    int pair[2], attempt = 0;
    struct sl_tuple t[2];
    bool settled;
    for (;;) {
        if (!doomed_pair(lab, 4, pair, t, "keepalive ends a CLOSE-WAIT socket whose peer is "
                                          "dead"))
            return;
        CHECK(lab_call(lab, close(pair[0])));               /* the client's FIN */
        settled = close_wait_settled(lab, t);
        sl_lab_drop(lab, t[0].local_port, 0, 0);
        /* Keepalive once nothing reaches the client (idle past TCP_KEEPIDLE, it
         * probes at once), its settings first: SO_KEEPALIVE starts the clock. */
        CHECK(setsockopt(pair[1], IPPROTO_TCP, TCP_KEEPIDLE, &(int){ IDLE_S }, sizeof(int)));
        CHECK(setsockopt(pair[1], IPPROTO_TCP, TCP_KEEPINTVL, &(int){ INTERVAL_S }, sizeof(int)));
        CHECK(setsockopt(pair[1], IPPROTO_TCP, TCP_KEEPCNT, &(int){ PROBES }, sizeof(int)));
        CHECK(setsockopt(pair[1], SOL_SOCKET, SO_KEEPALIVE, &(int){ 1 }, sizeof(int)));
        if (settled || !sl_lab_again(lab, &attempt, "the client's FIN was acknowledged late"))
            break;
        sl_lab_undrop(lab);
        close(pair[1]);
    }
    sl_lab_observe(lab);
    const struct sl_socket *s = sl_lab_socket(lab, &t[1]);
    lab_expect_sound(lab, settled, s && s->state == SL_TCP_CLOSE_WAIT &&
                                       s->timer == SL_TIMER_KEEPALIVE,
                     "the server's CLOSE-WAIT socket has a keepalive timer");
    bool gone = sl_lab_wait_state(lab, &t[1], 0, (IDLE_S + PROBES * INTERVAL_S + 4) * 1000);
    lab_expect_sound(lab, settled, gone && socket_error(pair[1]) == ETIMEDOUT,
                     "after the unanswered probes the CLOSE-WAIT socket is gone, with "
                     "ETIMEDOUT, though its program never closed it");
    struct sl_wire_match reset = { .from = &t[1], .flags = SL_TCP_RST };
    if (settled)
        lab_expect_segment(lab, &reset, 1000, "on the wire, its probes end in a RST, as in step 2");
    else
        lab_expect_sound(lab, false, false, "on the wire, its probes end in a RST, as in step 2");
    lab_pause(lab, "no CLOSE-WAIT left; the descriptor is still open until close()");
    sl_lab_undrop(lab);
    close(pair[1]);
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    step_nobody_notices(lab);
    sl_lab_untrack_all(lab);
    step_keepalive(lab);
    sl_lab_untrack_all(lab);
    step_retries(lab);
    sl_lab_untrack_all(lab);
    step_user_timeout(lab);
    sl_lab_untrack_all(lab);
    step_close_wait(lab);
    return sl_lab_end(lab);
}
