/* labs/02-handshake.c — the three-way handshake, state by state: LISTEN,
 * SYN-SENT, SYN-RECV, ESTABLISHED, and what accept() and connect() wait for.
 *
 * What it shows
 *   1. a socket that is only bound is not listening; listen() makes it LISTEN;
 *   2. connect() returns once the handshake is done, before any accept(): the
 *      finished connection waits in the listener's accept queue (Recv-Q 1);
 *   3. accept() takes that finished connection; the server may speak first;
 *   4. SYN-RECV made visible: with TCP_DEFER_ACCEPT the server's side waits
 *      for data, while the client is already ESTAB, its timer resending
 *      nothing;
 *   5. ... until the deferral runs out: then accept() gets the connection
 *      without data;
 *   6. SYN-SENT made visible: a listener whose accept queue is full drops the
 *      SYN; the client retransmits and gets in once accept() makes room;
 *   7. a port nobody listens on refuses at once (ECONNREFUSED); a blocking
 *      connect() waits for a time-out only when its SYNs get no answer, and
 *      the time-out is a time budget, not a number of retransmissions.
 *
 * Run it
 *   terminal 1:  socklab run 2 --port 47100
 *   terminal 2:  at each pause, the ss command it prints (-o shows the timers)
 *   terminal 3:  socklab dash --port 47100-47103 (as root, --trace shows every
 *                state of the handshake, even those that last microseconds)
 *
 * What you should see
 *   The listener in LISTEN; the server's ESTAB socket before anyone accepted
 *   it; a client ESTAB facing a server in SYN-RECV; a client in SYN-SENT with
 *   timer:(on,...) until the full listener makes room.
 *
 * Notes: docs/labs/02-handshake.md  (socklab notes 2) */
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/diag.h"
#include "socklab/lab.h"
#include "socklab/net.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 2,
    .name = "handshake",
    .title = N_("The handshake: LISTEN, SYN-SENT, SYN-RECV, ESTABLISHED"),
    .goal = N_("See each state of the three-way handshake on the running kernel, that "
               "connect() returns before any accept(), that accept() only takes finished "
               "connections, and when connect() is refused at once or waits for a time-out."),
    .ports = 4,
    .bind_rules = SL_BIND_IPV6,
};


/* Connections waiting in a listener's accept queue (its Recv-Q). */
static long accept_queue(struct sl_lab *lab, const struct sl_tuple *listener)
{
    const struct sl_socket *s = sl_lab_socket(lab, listener);
    return s ? (long)s->recv_q : -1;
}

static int step_listen(struct sl_lab *lab, struct sl_tuple *listener)
{
    lab_step(lab, "socket(), bind(), listen()");
    lab_say(lab, "bind() gives a socket an address; only listen() makes it a server. "
                 "Between the two, ss does not list it at all.");
    struct sockaddr_storage addr;
    socklen_t len = sl_lab_address(lab, sl_lab_port(lab, 0), &addr);
    int fd = CHECK(lab_call(lab, socket(addr.ss_family, SOCK_STREAM, 0)));
    CHECK(lab_call(lab, bind(fd, (struct sockaddr *)&addr, len)));
    sl_lab_follow(lab, fd, listener);
    sl_lab_observe(lab);
    lab_expect(lab, sl_lab_state(lab, listener) == 0,
               "a socket that is only bound is not in LISTEN (ss -tan does not list it)");
    CHECK(lab_call(lab, listen(fd, 8)));
    long somaxconn = sl_lab_sysctl(lab, "net.core.somaxconn");
    long backlog = somaxconn >= 0 && somaxconn < 8 ? somaxconn : 8;
    lab_expect(lab, sl_lab_wait_state(lab, listener, SL_TCP_LISTEN, 1000),
               "after listen() the socket is in LISTEN");
    const struct sl_socket *s = sl_lab_socket(lab, listener);
    lab_expect(lab, s && s->send_q == backlog,
               "a listener's Send-Q shows its backlog: %ld (8, capped at somaxconn)", backlog);
    lab_pause(lab, "the LISTEN socket; Recv-Q 0 (nobody waiting), Send-Q %ld", backlog);
    return fd;
}

static int step_connect(struct sl_lab *lab, int listener, const struct sl_tuple *listening)
{
    lab_step(lab, "connect() returns before any accept()");
    lab_say(lab, "A client connects; the server has not called accept(). The kernel does "
                 "the whole handshake (SYN, SYN-ACK, ACK) by itself and queues the "
                 "finished connection on the listener.");
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    CHECK(getsockname(listener, (struct sockaddr *)&addr, &len));
    int client = CHECK(lab_call(lab, socket(addr.ss_family, SOCK_STREAM, 0)));
    int rc = lab_call(lab, connect(client, (struct sockaddr *)&addr, len));
    struct sl_wire_match handshake[] = {
        { .flags = SL_TCP_SYN, .without = SL_TCP_ACK, .in_last_call = true },
        { .flags = SL_TCP_SYN | SL_TCP_ACK, .in_last_call = true },
        { .flags = SL_TCP_ACK, .without = SL_TCP_SYN, .in_last_call = true },
    };
    lab_expect_segments(lab, handshake, 3, 1000,
                        "on the wire: S, S., . all came and went before connect() returned");
    struct sl_tuple client_tuple;
    sl_tuple_of_fd(client, &client_tuple);
    struct sl_tuple server_side = sl_tuple_other_end(&client_tuple);
    lab_expect(lab, rc == 0 && sl_lab_wait_state(lab, &server_side, SL_TCP_ESTABLISHED, 1000) &&
                    sl_lab_state(lab, &client_tuple) == SL_TCP_ESTABLISHED,
               "connect() returned 0 and both ends are ESTAB, with no accept() called");
    lab_expect(lab, accept_queue(lab, listening) == 1,
               "the listener's Recv-Q counts 1 finished connection waiting for accept()");
    lab_pause(lab, "the server's ESTAB socket exists before accept(); the listener's Recv-Q is 1");
    return client;
}

static void step_accept(struct sl_lab *lab, int listener, int client, const struct sl_tuple *listening)
{
    lab_step(lab, "accept() takes a finished connection; the server speaks first");
    lab_say(lab, "accept() does not take part in the handshake: it dequeues a connection "
                 "that is already ESTAB. Then nothing orders the calls: this server "
                 "writes a greeting before reading anything, as SMTP and FTP servers do.");
    int server = CHECK(lab_call(lab, accept(listener, NULL, NULL)));
    struct sl_tuple client_tuple, accepted;
    sl_tuple_of_fd(client, &client_tuple);
    sl_tuple_of_fd(server, &accepted);
    struct sl_tuple expected = sl_tuple_other_end(&client_tuple);
    sl_lab_observe(lab);
    lab_expect(lab, sl_tuple_equal(&accepted, &expected) && accept_queue(lab, listening) == 0,
               "accept() returned the client's connection and the accept queue is empty");
    CHECK(lab_call(lab, send(server, "220 hello\r\n", 11, 0)));
    char buf[32] = "";
    ssize_t n = lab_call(lab, recv(client, buf, sizeof buf - 1, 0));
    lab_expect(lab, n == 11 && memcmp(buf, "220 hello", 9) == 0,
               "the server wrote first and the client read it: nothing forces read() first");
    sl_close_client_first(client, server);
}

/* True, and the claim skipped with the reason, when tcp_syncookies = 2: every
 * SYN is then answered with a cookie and no SYN-RECV request is kept. */
static bool cookies_for_every_syn(struct sl_lab *lab, const char *claim)
{
    if (sl_lab_sysctl(lab, "net.ipv4.tcp_syncookies") != 2)
        return false;
    lab_skip(lab, "tcp_syncookies = 2 answers every SYN with a cookie and keeps no "
                  "SYN-RECV request", "%s", claim);
    return true;
}

/* A non-blocking socket bound to the lab's index-th port, not yet listening. */
static int bound_on(struct sl_lab *lab, int index)
{
    struct sockaddr_storage addr;
    socklen_t len = sl_lab_address(lab, sl_lab_port(lab, index), &addr);
    int fd = CHECK(socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0));
    CHECK(bind(fd, (struct sockaddr *)&addr, len));
    return fd;
}

/* A blocking client of listener, connected; its tuple and the server side's.
 * The pauses show this listener's port alone from now on. */
static int client_of(struct sl_lab *lab, int listener, struct sl_tuple *client,
                     struct sl_tuple *server_side)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    CHECK(getsockname(listener, (struct sockaddr *)&addr, &len));
    int fd = CHECK(socket(addr.ss_family, SOCK_STREAM, 0));
    CHECK(lab_call(lab, connect(fd, (struct sockaddr *)&addr, len)));
    sl_tuple_of_fd(fd, client);
    *server_side = sl_tuple_other_end(client);
    sl_lab_untrack_all(lab);
    sl_lab_track_port(lab, client->peer_port);
    return fd;
}

/* How many SYN-ACKs the server resent before the connection was made (the
 * accepted socket's tcp_info starts from its request's count). */
static unsigned synack_retransmissions(int server)
{
    struct tcp_info ti = { 0 };
    socklen_t len = sizeof ti;
    CHECK(getsockopt(server, IPPROTO_TCP, TCP_INFO, &ti, &len));
    return ti.tcpi_total_retrans;
}

static void step_syn_recv(struct sl_lab *lab)
{
    lab_step(lab, "SYN-RECV: the server's side waits (TCP_DEFER_ACCEPT)");
    lab_say(lab, "On loopback the final ACK arrives microseconds after the SYN-ACK, too "
                 "fast to see. TCP_DEFER_ACCEPT tells the kernel to drop a bare final ACK: "
                 "the server's side stays in SYN-RECV (ss: SYN-RECV, netstat: SYN_RECV; "
                 "\"SYN_REVD\", claim M10 in docs/myths.md, is no name either prints) until "
                 "data comes or the deferral runs out (next step). Its timer counts the "
                 "deferral; nothing is resent.");
    if (cookies_for_every_syn(lab, _("the server's side waits in SYN-RECV")))
        return;
    int listener = bound_on(lab, 1), seconds = 30, kept;
    socklen_t len = sizeof kept;
    CHECK(lab_call(lab, setsockopt(listener, IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds, sizeof seconds)));
    CHECK(lab_call(lab, getsockopt(listener, IPPROTO_TCP, TCP_DEFER_ACCEPT, &kept, &len)));
    lab_show(lab, "asked %d s, the kernel keeps %d s: whole SYN-ACK retransmission slots "
                  "(1, 3, 7, 15, 31 s...)", seconds, kept);
    CHECK(listen(listener, 8));
    struct sl_tuple client_tuple, server_side;
    int client = client_of(lab, listener, &client_tuple, &server_side);
    lab_expect(lab, sl_lab_wait_state(lab, &server_side, SL_TCP_SYN_RECV, 1000) &&
                    sl_lab_state(lab, &client_tuple) == SL_TCP_ESTABLISHED,
               "the client is ESTAB while the server's side is still SYN-RECV: the two "
               "ends become ESTABLISHED at different moments");
    int early = lab_call(lab, accept(listener, NULL, NULL));     /* non-blocking listener */
    lab_expect(lab, early == -1 && errno == EAGAIN,
               "accept() has nothing to take (EAGAIN): the connection is not finished on the "
               "server's side");
    lab_pause(lab, "the client ESTAB, the server's side SYN-RECV (ss -o: timer on, 0 resent)");
    sl_lab_observe(lab);
    bool deferred = sl_lab_state(lab, &server_side) == SL_TCP_SYN_RECV;
    CHECK(lab_call(lab, send(client, "GET /", 5, 0)));
    sl_lab_wait_state(lab, &server_side, SL_TCP_ESTABLISHED, 1000);
    int server = CHECK(lab_call(lab, accept(listener, NULL, NULL)));
    if (!deferred)
        lab_skip(lab, "the pause outlasted the deferral: the kernel had already finished "
                      "the connection, as the next step shows", "the client's data completes "
                      "the connection, and no SYN-ACK was resent while the server waited");
    else
        lab_expect(lab, synack_retransmissions(server) == 0,
                   "the client's data completes the connection, and no SYN-ACK was resent "
                   "while the server waited (tcpi_total_retrans 0)");
    sl_close_client_first(client, server);
    close(listener);
}

static void step_deferral_ends(struct sl_lab *lab)
{
    lab_step(lab, "The deferral runs out: accept() takes a connection without data");
    lab_say(lab, "A client connects and sends nothing. When the deferral runs out the "
                 "server's kernel resends its SYN-ACK, once; the client's kernel answers "
                 "with an ACK, which now completes the connection: accept() returns it "
                 "with nothing to read.");
    if (cookies_for_every_syn(lab, _("a connection without data is accepted when the "
                                     "deferral runs out")))
        return;
    int listener = bound_on(lab, 1), seconds = 2, kept, queued = -1;
    socklen_t len = sizeof kept;
    CHECK(lab_call(lab, setsockopt(listener, IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds, sizeof seconds)));
    CHECK(lab_call(lab, getsockopt(listener, IPPROTO_TCP, TCP_DEFER_ACCEPT, &kept, &len)));
    CHECK(listen(listener, 8));
    struct sl_tuple client_tuple, server_side;
    double start = sl_clock_ms();
    int client = client_of(lab, listener, &client_tuple, &server_side);
    bool ready = sl_wait_fd(listener, POLLIN, kept * 1000 + 3000) & POLLIN;
    double waited = sl_clock_ms() - start;
    int server = lab_call(lab, accept(listener, NULL, NULL));
    if (server >= 0)
        CHECK(ioctl(server, FIONREAD, &queued));
    unsigned resent = server >= 0 ? synack_retransmissions(server) : 0;
    lab_show(lab, "asked %d s, kept %d s; accept() had the connection after %.0f ms, with "
                  "%d bytes to read; SYN-ACKs resent: %u", seconds, kept, waited, queued, resent);
    lab_expect(lab, ready && server >= 0 && queued == 0 && waited >= kept * 1000 - 20,
               "when the %d s deferral ran out, accept() returned the connection although "
               "no data came", kept);
    lab_expect(lab, resent == 1, "one SYN-ACK was resent, when the deferral ran out, and "
                                 "none before: the timer counted the deferral");
    if (server >= 0)
        sl_close_client_first(client, server);
    else
        close(client);
    close(listener);
}

static int step_syn_sent(struct sl_lab *lab, int *full, int *waiting, struct sl_tuple *waiting_tuple)
{
    lab_step(lab, "SYN-SENT: a listener whose accept queue is full");
    lab_say(lab, "listen(fd, 0) leaves room for one finished connection. A first client "
                 "takes it; nobody accepts. The kernel drops the next client's SYN, so "
                 "that client waits in SYN-SENT (netstat: SYN_SENT; \"SYN_SEND\", claim "
                 "M10 in docs/myths.md, is no name either prints) and retransmits its SYN "
                 "on a timer.");
    struct sockaddr_storage addr;
    socklen_t len = sl_lab_address(lab, sl_lab_port(lab, 2), &addr);
    *full = CHECK(socket(addr.ss_family, SOCK_STREAM, 0));
    CHECK(bind(*full, (struct sockaddr *)&addr, len));
    CHECK(lab_call(lab, listen(*full, 0)));
    sl_lab_untrack_all(lab);
    sl_lab_track_port(lab, sl_local_port(*full));
    int first = sl_connect_to(*full, 2000);             /* takes the one place */
    len = sizeof addr;
    CHECK(getsockname(*full, (struct sockaddr *)&addr, &len));
    *waiting = CHECK(socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0));
    int rc = lab_call(lab, connect(*waiting, (struct sockaddr *)&addr, len));
    lab_expect(lab, rc == -1 && errno == EINPROGRESS, "the non-blocking connect() is in progress");
    struct sockaddr_storage local;
    socklen_t local_len = sizeof local;
    CHECK(getsockname(*waiting, (struct sockaddr *)&local, &local_len));
    sl_tuple_from_addrs(&local, &addr, waiting_tuple);  /* no peer name before ESTAB */
    sl_lab_observe(lab);
    const struct sl_socket *s = sl_lab_socket(lab, waiting_tuple);
    lab_expect(lab, s && s->state == SL_TCP_SYN_SENT && s->timer == SL_TIMER_ON,
               "its SYN was dropped: the client waits in SYN-SENT, its retransmission timer on");
    struct sl_wire_match answer = { .on = waiting_tuple, .flags = SL_TCP_SYN | SL_TCP_ACK };
    lab_expect_no_segment(lab, &answer, 100, "on the wire: its SYN got no answer (no S.)");
    lab_pause(lab, "the client in SYN-SENT with timer:(on,...) in ss -o");
    return first;
}

static void step_make_room(struct sl_lab *lab, int full, int first, int waiting,
                           const struct sl_tuple *waiting_tuple)
{
    lab_step(lab, "accept() makes room; the SYN-SENT client gets in");
    lab_say(lab, "The dropped SYN was not kept anywhere: when accept() frees the place, "
                 "nobody tells the waiting client. It gets in when its own timer fires "
                 "and it sends the SYN again.");
    sl_lab_observe(lab);
    const struct sl_socket *s = sl_lab_socket(lab, waiting_tuple);
    if (!s || s->state != SL_TCP_SYN_SENT) {
        lab_skip(lab, "the client gave up while the lab was paused (net.ipv4.tcp_syn_retries)",
                 "the SYN-SENT client gets in once the listener has room");
        close(first);
        return;
    }
    unsigned timer_ms = s->timer_ms;
    lab_show(lab, "its next SYN retransmission is due in %u ms", timer_ms);
    int accepted = CHECK(lab_call(lab, accept(full, NULL, NULL)));
    double start = sl_clock_ms();
    bool in = sl_wait_fd(waiting, POLLOUT, (int)timer_ms + 3000) & POLLOUT;
    double took = sl_clock_ms() - start;
    int err = 0;
    socklen_t len = sizeof err;
    CHECK(getsockopt(waiting, SOL_SOCKET, SO_ERROR, &err, &len));
    lab_show(lab, "the client was connected %.0f ms after accept() (SO_ERROR %s)", took,
             err ? strerrorname_np(err) : "0");
    lab_expect(lab, in && err == 0 && sl_lab_wait_state(lab, waiting_tuple, SL_TCP_ESTABLISHED, 1000),
               "the SYN-SENT client got in on a SYN retransmission once accept() made room");
    struct sl_wire_match again[] = { { .from = waiting_tuple, .flags = SL_TCP_SYN },
                                     { .on = waiting_tuple, .flags = SL_TCP_SYN | SL_TCP_ACK } };
    lab_expect_segments(lab, again, 2, 1000, "on the wire: a retransmitted S, then the S.");
    sl_close_client_first(first, accepted);
}

static void step_refused(struct sl_lab *lab)
{
    lab_step(lab, "connect() to a port nobody listens on: refused at once");
    lab_say(lab, "Claim M8 (docs/myths.md): a blocking connect() waits until the "
                 "connection times out. "
                 "A port with no listener answers the SYN with a RST: connect() fails at "
                 "once. This port is bound (so nobody else takes it) but not listening.");
    struct sockaddr_storage addr;
    socklen_t len = sl_lab_address(lab, sl_lab_port(lab, 3), &addr);
    int bound = CHECK(socket(addr.ss_family, SOCK_STREAM, 0));
    CHECK(bind(bound, (struct sockaddr *)&addr, len));
    len = sizeof addr;
    CHECK(getsockname(bound, (struct sockaddr *)&addr, &len));
    sl_lab_track_port(lab, sl_local_port(bound));
    int rc, err, attempt = 0;
    double ms;
    do {
        int fd = CHECK(socket(addr.ss_family, SOCK_STREAM, 0));
        rc = lab_call(lab, connect(fd, (struct sockaddr *)&addr, len));
        err = errno;
        ms = sl_lab_last_call_ms(lab);
        close(fd);
    } while (ms >= 1000 && sl_lab_again(lab, &attempt, "the call took %.0f ms", ms));
    lab_expect(lab, rc == -1 && err == ECONNREFUSED,
               "connect() to a bound port with no listener fails with ECONNREFUSED");
    struct sl_wire_match refusal = { .from_port = sl_local_port(bound), .flags = SL_TCP_RST };
    lab_expect_segment(lab, &refusal, 1000, "on the wire: the port answered the SYN with R.");
    lab_expect_sound(lab, ms < 1000, rc == -1 && err == ECONNREFUSED,
                     "it was refused before the first SYN retransmission (1 s): no time-out");
    close(bound);
}

/* The kernel's rule for a SYN nobody answers: the timer fires after 1 s
 * (TCP_TIMEOUT_INIT), then after gaps that stay 1 s for the first `linear`
 * retransmissions (tcp_syn_linear_timeouts, Linux 6.5 and later; 0 before)
 * and double after; each time it fires, the kernel gives up once it has
 * retransmitted retries + linear times (SYN-SENT) or once the time `retries`
 * doubling retransmissions would take has passed: 1 + 2 + ... s, 3 s for 1.
 * Returns the retransmissions it makes; *gives_up_ms when it gives up. */
static int syn_retransmissions_expected(int retries, int linear, int *gives_up_ms)
{
    int budget = retries <= 6 ? ((2 << retries) - 1) * 1000 : 127000 + (retries - 6) * 120000;
    int at = 0, gap = 1000, sent = 0;
    for (;;) {
        at += gap;                                  /* the timer fires */
        if (sent >= retries + linear || at >= budget)
            break;
        sent++;                                     /* ... and the SYN goes again */
        if (sent > linear)
            gap = gap * 2 < 120000 ? gap * 2 : 120000;
    }
    *gives_up_ms = at;
    return sent;
}

/* A child that watches (sock_diag, every 20 ms) the SYN-SENT sockets that
 * connect to port and reports through *report the most retransmissions one
 * had, once none is left or timeout_ms has passed. */
static pid_t watch_syn_retransmissions(struct sl_lab *lab, uint16_t port, int timeout_ms,
                                       int *report)
{
    int pipefd[2];
    CHECK(pipe(pipefd));
    pid_t child = sl_lab_fork(lab);
    if (child == 0) {
        struct sl_filter only;
        sl_filter_init(&only);
        only.states = SL_STATE_BIT(SL_TCP_SYN_SENT);
        sl_filter_add_range(&only, port, port);
        int most = 0;
        bool seen = false;
        for (double end = sl_clock_ms() + timeout_ms; sl_clock_ms() < end; sl_sleep_ms(20)) {
            struct sl_snapshot snap = { 0 };
            int here = -1;
            if (sl_snapshot_take(&snap, &only, SL_SOURCE_AUTO) == 0)
                for (size_t i = 0; i < snap.count; i++)
                    if (snap.sockets[i].tuple.peer_port == port && snap.sockets[i].retransmits > here)
                        here = snap.sockets[i].retransmits;
            sl_snapshot_free(&snap);
            if (here < 0 && seen)
                break;                              /* it gave up */
            seen = seen || here >= 0;
            most = here > most ? here : most;
        }
        _exit(write(pipefd[1], &most, sizeof most) == sizeof most ? 0 : 1);
    }
    close(pipefd[1]);
    *report = pipefd[0];
    return child;
}

/* The same time-out for a SYN lost on the way: in a network of its own the
 * lab drops the SYNs to a port that has a listener (nftables). */
static void timed_out_dropped(struct sl_lab *lab, struct sockaddr_storage *addr, socklen_t len)
{
    const char *claim = _("a SYN dropped on the way (a firewall) times out the same way: "
                          "ETIMEDOUT");
    int listener = sl_listen_on(sl_lab_bind_ip(lab), 0, 8), fd;
    sl_lab_track_port(lab, sl_local_port(listener));
    CHECK(getsockname(listener, (struct sockaddr *)addr, &len));
    if (!sl_lab_drop(lab, sl_local_port(listener), SL_TCP_SYN, SL_TCP_ACK)) {
        lab_skip(lab, "needs a network of its own (--private): a rule dropping SYNs on the "
                      "machine's loopback would touch every user", "%s", claim);
    } else {
        fd = CHECK(socket(addr->ss_family, SOCK_STREAM, 0));
        CHECK(setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &(int){ 1 }, sizeof(int)));
        int rc = lab_call(lab, connect(fd, (struct sockaddr *)addr, len));
        lab_expect(lab, rc == -1 && errno == ETIMEDOUT, "%s", claim);
        close(fd);
        sl_lab_undrop(lab);
    }
    close(listener);
}

static void step_timed_out(struct sl_lab *lab, int full)
{
    lab_step(lab, "A blocking connect() times out only when its SYNs get no answer");
    lab_say(lab, "The full listener drops SYNs without a word. TCP_SYNCNT = 1 gives this "
                 "socket the time one doubling retransmission takes: 1 s + 2 s. The kernel "
                 "gives up once that time is spent, checked each time its timer fires; "
                 "where the first gaps are 1 s, more retransmissions fit. (By default, "
                 "tcp_syn_retries = 6: 127 s.)");
    long linear = sl_lab_sysctl(lab, "net.ipv4.tcp_syn_linear_timeouts");
    struct utsname kernel;
    CHECK(uname(&kernel));
    if (linear >= 0)
        lab_show(lab, "Linux %s: the first tcp_syn_linear_timeouts gaps are 1 s (since 6.5)",
                 kernel.release);
    else
        lab_show(lab, "Linux %s: every gap doubles (tcp_syn_linear_timeouts came with 6.5)",
                 kernel.release);
    int expected_ms, expected = syn_retransmissions_expected(1, linear > 0 ? (int)linear : 0,
                                                             &expected_ms), report, count = -1;
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    CHECK(getsockname(full, (struct sockaddr *)&addr, &len));
    pid_t watcher = watch_syn_retransmissions(lab, sl_local_port(full), expected_ms + 3000,
                                              &report);
    int fd = CHECK(socket(addr.ss_family, SOCK_STREAM, 0)), once = 1, status;
    CHECK(lab_call(lab, setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &once, sizeof once)));
    int rc = lab_call(lab, connect(fd, (struct sockaddr *)&addr, len));
    int err = errno;
    double waited = sl_lab_last_call_ms(lab);
    if (!sl_lab_wait_child(lab, watcher, 3000, &status) || read(report, &count, sizeof count) != sizeof count)
        count = -1;
    close(report);
    lab_show(lab, "the SYN went %d more times (sock_diag's retransmission count); the rule "
                  "predicts %d and a time-out after %d ms", count, expected, expected_ms);
    lab_expect(lab, rc == -1 && err == ETIMEDOUT && waited >= expected_ms - 20,
               "connect() to a listener that drops SYNs waited %.0f ms for its "
               "retransmissions, then failed with ETIMEDOUT", waited);
    lab_expect(lab, count == expected,
               "the SYN was retransmitted %d times, as the time budget and "
               "tcp_syn_linear_timeouts imply", count);
    struct sl_wire_match syn = { .flags = SL_TCP_SYN, .without = SL_TCP_ACK, .in_last_call = true };
    lab_expect_segment_count(lab, &syn, 1 + expected, 0, "on the wire: the SYN went %d times, "
                             "the first and %d retransmissions, before it gave up",
                             1 + expected, expected);
    close(fd);
    timed_out_dropped(lab, &addr, len);
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    struct sl_tuple listening, waiting_tuple;
    int listener = step_listen(lab, &listening);
    int client = step_connect(lab, listener, &listening);
    step_accept(lab, listener, client, &listening);
    close(listener);
    step_syn_recv(lab);
    step_deferral_ends(lab);
    int full, waiting;
    int first = step_syn_sent(lab, &full, &waiting, &waiting_tuple);
    step_make_room(lab, full, first, waiting, &waiting_tuple);
    step_refused(lab);
    step_timed_out(lab, full);
    close(waiting);
    close(full);
    return sl_lab_end(lab);
}
