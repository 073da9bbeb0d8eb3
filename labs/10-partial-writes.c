/* labs/10-partial-writes.c — a byte stream, not messages; send() that does not
 * send it all; EAGAIN and EPOLLOUT.
 *
 * What it shows
 *   1. two send() calls arrive in one recv(), one send() in many recv() calls:
 *      TCP keeps no message boundaries;
 *   2. the fix: a delimiter, and a read loop that keeps what it has;
 *   3. the buffers: tcp_wmem/tcp_rmem give the defaults, SO_SNDBUF is doubled;
 *   4. a non-blocking send() to a peer that does not read fills its Send-Q and
 *      the peer's Recv-Q, returns a short count, then EAGAIN; the zero window
 *      shows as the persist timer;
 *   5. a blocking send() returns a short count too, when a signal interrupts it;
 *   6. one that copied nothing: SA_RESTART restarts it, unless SO_SNDTIMEO is
 *      set (then EINTR, whatever SA_RESTART says: signal(7));
 *   7. EPOLLOUT: level-triggered it fires on every epoll_wait while there is
 *      room, edge-triggered once per "room again" after the buffer was full,
 *      not per ACK;
 *   8. a blocking send() stalls a whole single-threaded server;
 *   9. the fix: non-blocking sockets, the rest kept, EPOLLOUT while it waits;
 *  10. a send-all loop against the naive single send().
 *
 * Run it
 *   terminal 1:  socklab run 10
 *   terminal 2:  at a pause, the ss command it prints (-o shows the timers)
 *   terminal 3:  socklab dash --port PORT: Send-Q and Recv-Q filling up
 *
 * What you should see
 *   At the pause of step 4, the server's Send-Q and the client's Recv-Q full,
 *   and timer:(persist,...) on the server: the client's window is zero.
 *
 * Notes: docs/labs/10-partial-writes.md  (socklab notes 10) */
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/lab.h"
#include "socklab/net.h"

#include <errno.h>
#include <limits.h>
#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 10,
    .name = "partial-writes",
    .title = N_("Partial writes: a stream, short send() counts, EAGAIN and EPOLLOUT"),
    .goal = N_("See that TCP delivers bytes, not messages; that send() may take fewer bytes "
               "than asked, blocking or not; why a blocking send() stalls a single-threaded "
               "server; and how EPOLLOUT and a send-all loop deliver the rest."),
    .ports = 1,
    .bind_rules = SL_BIND_IPV6,
};

#define ASKED_BUF 65536             /* what the lab asks for SO_SNDBUF and SO_RCVBUF */
#define STALL_MS 1000               /* the blocking server's send() bound (SO_SNDTIMEO) */
#define ROUNDS 100                  /* epoll_wait calls counted in step 6 */
#define GUARD_MS 3000               /* every other blocking call gives up after this */

static char payload[4 << 20];       /* what the lab sends; its content does not matter */

static volatile double alarm_at;   /* when SIGALRM's handler last ran (sl_clock_ms) */

static void on_alarm(int sig)
{
    (void)sig;                      /* only here to interrupt send() */
    alarm_at = sl_clock_ms();
}

static void on_guard(int sig)
{
    (void)sig;                      /* ends a restarted send() that waited too long */
}

/* The receiver reads until the sender's Send-Q is empty (bounded). */
static void drain_until_acknowledged(int sender, int receiver)
{
    int unacknowledged = 1;
    double deadline = sl_clock_ms() + GUARD_MS;
    while (CHECK(ioctl(sender, SIOCOUTQ, &unacknowledged)) == 0 && unacknowledged > 0 &&
           sl_clock_ms() < deadline)
        if (sl_wait_fd(receiver, POLLIN, 10))
            sl_drain(receiver);
}

/* Wait (bounded) until fd's receive queue holds `want` bytes. */
static bool queued(int fd, int want)
{
    int have = 0;
    double deadline = sl_clock_ms() + GUARD_MS;
    while (CHECK(ioctl(fd, FIONREAD, &have)) == 0 && have < want && sl_clock_ms() < deadline)
        sl_sleep_ms(1);
    return have >= want;
}

/* 1 when the socket with this tuple is probing a zero window. */
static int persisting(const struct sl_snapshot *snap, void *tuple)
{
    const struct sl_socket *s = sl_snapshot_find(snap, tuple);
    return s && s->timer == SL_TIMER_PERSIST;
}

/* Fill the pipe from sender until the receiver's window is zero (the
 * server's persist timer runs); false when it did not get there in time. */
static bool fill_pipe(struct sl_lab *lab, int sender, const struct sl_tuple *server)
{
    while (send(sender, payload, sizeof payload, MSG_DONTWAIT) > 0)
        continue;                                               /* full, */
    bool settled = sl_lab_wait_count(lab, persisting, (void *)server, 1, GUARD_MS) == 1;
    while (send(sender, payload, sizeof payload, MSG_DONTWAIT) > 0)
        continue;                                               /* the window zero */
    return settled;
}

/* A listener whose accepted sockets send through a set SO_SNDBUF (set buffers
 * are not autotuned); *size: more than that buffer and a client's set
 * SO_RCVBUF (client_of) can hold together, segments the kernel adds included. */
static int server_listener(struct sl_lab *lab, long *size)
{
    int listener = sl_listen_on(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), 4);
    int asked = ASKED_BUF, sndbuf;
    socklen_t len = sizeof sndbuf;
    CHECK(setsockopt(listener, SOL_SOCKET, SO_SNDBUF, &asked, sizeof asked));
    CHECK(getsockopt(listener, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len));
    sl_lab_track_port(lab, sl_local_port(listener));
    sl_bound_blocking(listener, GUARD_MS);
    *size = 2L * (sndbuf + 2 * ASKED_BUF + 512 * 1024);
    return listener;
}

/* A client of listener whose SO_RCVBUF is set before connect(): the window
 * it advertises fits that buffer from the first segment on. */
static int client_of(int listener)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    int asked = ASKED_BUF;
    CHECK(getsockname(listener, (struct sockaddr *)&addr, &len));
    int fd = CHECK(socket(addr.ss_family, SOCK_STREAM, 0));
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &asked, sizeof asked));
    sl_bound_blocking(fd, GUARD_MS);                    /* connect() too */
    CHECK(connect(fd, (struct sockaddr *)&addr, len));
    return fd;
}

/* A client (pair[0]) and the server's side (pair[1]) with set buffers. */
static long set_pair(struct sl_lab *lab, int pair[2])
{
    long size;
    int listener = server_listener(lab, &size);
    pair[0] = client_of(listener);
    pair[1] = CHECK(sl_accept_within(listener, GUARD_MS));
    sl_bound_blocking(pair[1], GUARD_MS);
    close(listener);
    return size;
}

static void stream(struct sl_lab *lab, const int pair[2], long size)
{
    lab_step(lab, "A stream: two send() calls, one recv(); one send(), many recv() calls");
    lab_say(lab, "Claim M61 (docs/myths.md): pieces read into char buf[1024] until EAGAIN "
                 "join into one whole message. The server sends \"hello\" and \"world\"; then a child sends "
                 "%ld bytes in one blocking send(), and the client reads with room for all.",
            size);
    static char buf[4 << 20];
    lab_call(lab, send(pair[1], "hello", 5, 0));
    lab_call(lab, send(pair[1], "world", 5, 0));
    bool both = queued(pair[0], 10);
    ssize_t n = lab_call(lab, recv(pair[0], buf, sizeof buf, 0));
    lab_expect_sound(lab, both, n == 10 && memcmp(buf, "helloworld", 10) == 0,
                     "one recv() returned both messages: \"helloworld\", 10 bytes");
    int status;
    pid_t sender = sl_lab_fork(lab);
    if (sender == 0)
        _exit(send(pair[1], payload, size, MSG_NOSIGNAL) == size ? 0 : 1);
    long got = 0, calls = 0;
    while (got < size && (n = recv(pair[0], buf, size, 0)) > 0)
        got += n, calls++;
    sl_lab_wait_child(lab, sender, GUARD_MS, &status);
    lab_expect(lab, got == size && calls > 1,
               "the %ld bytes of one send() arrived in %ld recv() calls", got, calls);
}

static void delimiter(struct sl_lab *lab, const int pair[2])
{
    lab_step(lab, "The fix: a delimiter and a read loop that keeps what it has");
    lab_say(lab, "The sender marks where each message ends (here \\n; a length prefix works "
                 "too). The reader appends what each recv() gives to a buffer and takes out "
                 "whole messages only; it reads 7 bytes at a time to cut messages apart.");
    CHECK(send(pair[1], "GET /a\nGET /bb\nGET /ccc\n", 24, 0));
    char kept[64];
    size_t used = 0;
    int messages = 0, reads = 0;
    ssize_t n;
    while (messages < 3 && (n = recv(pair[0], kept + used, 7, 0)) > 0) {
        used += n, reads++;
        char *end;
        while ((end = memchr(kept, '\n', used))) {          /* a whole message */
            lab_show(lab, "message %d: \"%.*s\"", ++messages, (int)(end - kept), kept);
            used -= end + 1 - kept;
            memmove(kept, end + 1, used);                   /* keep the rest */
        }
    }
    lab_expect(lab, messages == 3 && used == 0,
               "3 messages recovered from %d recv() calls that cut them anywhere", reads);
}

static void buffers(struct sl_lab *lab)
{
    lab_step(lab, "How big the buffers are: tcp_wmem, tcp_rmem, SO_SNDBUF, SO_RCVBUF");
    lab_say(lab, "A new TCP socket starts with the middle values of tcp_wmem and tcp_rmem; "
                 "the kernel grows them (up to the last values) as a connection needs. "
                 "Setting SO_SNDBUF or SO_RCVBUF stops that, and the kernel doubles what it "
                 "is asked, capped by wmem_max or rmem_max, to leave room for its own "
                 "bookkeeping.");
    long wmem[3], rmem[3];
    bool known = (sl_lab_sysctl_values(lab, "net.ipv4.tcp_wmem", wmem, 3) == 3) &
                 (sl_lab_sysctl_values(lab, "net.ipv4.tcp_rmem", rmem, 3) == 3);
    long wmem_max = sl_lab_sysctl(lab, "net.core.wmem_max");
    long rmem_max = sl_lab_sysctl(lab, "net.core.rmem_max");
    int fd = CHECK(socket(AF_INET, SOCK_STREAM, 0)), sndbuf, rcvbuf, asked = ASKED_BUF;
    socklen_t len = sizeof sndbuf;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len));
    CHECK(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len));
    if (!known)
        lab_skip(lab, "tcp_wmem or tcp_rmem cannot be read here", "the defaults of a new socket");
    else
        lab_expect(lab, sndbuf == wmem[1] && rcvbuf == rmem[1],
                   "a new socket: SO_SNDBUF %d, SO_RCVBUF %d, the defaults of tcp_wmem and "
                   "tcp_rmem", sndbuf, rcvbuf);
    CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &asked, sizeof asked));
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &asked, sizeof asked));
    CHECK(getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len));
    CHECK(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len));
    if (wmem_max < 0 || rmem_max < 0)
        lab_skip(lab, "net.core.wmem_max or rmem_max cannot be read here", "doubled buffers");
    else
        lab_expect(lab, sndbuf == 2 * (asked < wmem_max ? asked : wmem_max) &&
                        rcvbuf == 2 * (asked < rmem_max ? asked : rmem_max),
                   "asked %d for both, the kernel set SO_SNDBUF %d and SO_RCVBUF %d: double, "
                   "capped by wmem_max and rmem_max", asked, sndbuf, rcvbuf);
    close(fd);
}

static void partial_send(struct sl_lab *lab, const int pair[2], long size,
                         const struct sl_tuple *client, struct sl_tuple *server)
{
    lab_step(lab, "A non-blocking send() that does not send it all");
    lab_say(lab, "Claim M59 (docs/myths.md): sending must be blocking, as a send cannot "
                 "return before all is sent. Here the server's socket stays non-blocking "
                 "and sends %ld bytes, more than its SO_SNDBUF and the client's SO_RCVBUF "
                 "hold; the client does not read.", size);
    long total = 0;
    ssize_t n, first = 0;
    while ((n = lab_call(lab, send(pair[1], payload, size, MSG_DONTWAIT))) > 0) {
        first = first ? first : n;
        total += n;
    }
    lab_expect(lab, first > 0 && first < size && n == -1 && errno == EAGAIN,
               "send() of %ld bytes took %zd and returned; once nothing fitted, EAGAIN",
               size, first);
    lab_expect(lab, sl_lab_wait_count(lab, persisting, server, 1, GUARD_MS) == 1,
               "the client's window is zero: the server probes it on the persist timer");
    struct sl_wire_match closed = { .from = client, .zero_window = true },
                         probe = { .from = server, .probe = true };
    lab_expect_segment(lab, &closed, GUARD_MS, "on the wire: the client advertised win 0");
    lab_expect_segment(lab, &probe, GUARD_MS, "on the wire: the server's zero-window probe");
    const struct sl_socket *c = sl_lab_socket(lab, client), *s = sl_lab_socket(lab, server);
    lab_expect(lab, c && s && s->send_q + c->recv_q == total,
               "the %ld bytes taken wait in the server's Send-Q (%u) and the client's "
               "Recv-Q (%u)", total, s ? s->send_q : 0, c ? c->recv_q : 0);
    lab_pause(lab, "Send-Q and Recv-Q full; the server's timer: persist");
}

static void interrupted_send(struct sl_lab *lab, const int pair[2], long size)
{
    lab_step(lab, "A blocking send() returns early too");
    lab_say(lab, "The client reads what is queued, so there is room again. The server, "
                 "blocking now, sends more than fits; a signal arrives 100 ms later.");
    sl_drain(pair[0]);
    struct sigaction alarm_action = { .sa_handler = on_alarm };    /* no SA_RESTART */
    CHECK(sigaction(SIGALRM, &alarm_action, NULL));
    struct itimerval once = { .it_value = { .tv_usec = 100 * 1000 } };
    CHECK(setitimer(ITIMER_REAL, &once, NULL));
    ssize_t n = lab_call(lab, send(pair[1], payload, size, 0));
    lab_expect(lab, n > 0 && n < size,
               "the interrupted blocking send() of %ld bytes returned %zd: what it had "
               "copied, not all, and not an error", size, n);
    signal(SIGALRM, SIG_DFL);
}

/* Edge-triggered EPOLLOUT on a socket that never fills: ROUNDS one-byte
 * sends, each acknowledged (and read) before the next; how many events
 * epoll_wait(..., 0) reported after each (registering a writable socket
 * reports it once: that event is taken first, not counted). */
static int edge_events_per_ack(const int pair[2])
{
    drain_until_acknowledged(pair[1], pair[0]);
    int ep = CHECK(epoll_create1(EPOLL_CLOEXEC)), events = 0;
    struct epoll_event ev = { .events = EPOLLOUT | EPOLLET, .data.fd = pair[1] };
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, pair[1], &ev));
    CHECK(epoll_wait(ep, &ev, 1, 0));
    for (int i = 0; i < ROUNDS; i++) {
        CHECK(send(pair[1], "x", 1, 0));
        drain_until_acknowledged(pair[1], pair[0]);
        events += CHECK(epoll_wait(ep, &ev, 1, 0));
    }
    close(ep);
    return events;
}

/* A child that reads, from at_ms on, the bytes queued towards fd (what the
 * sender's send buffer and fd's receive buffer hold), so that a blocked
 * send() has room again; then, as a guard, ends a send() still blocked after
 * GUARD_MS more with SIGUSR1 (installed without SA_RESTART). */
static pid_t late_reader(struct sl_lab *lab, int fd, int sender, int at_ms)
{
    int in_flight = 0, in_buffer = 0;
    CHECK(ioctl(sender, SIOCOUTQ, &in_flight));
    CHECK(ioctl(fd, FIONREAD, &in_buffer));
    pid_t reader = sl_lab_fork(lab);
    if (reader == 0) {
        sl_sleep_ms(at_ms);
        sl_read_up_to(fd, (long)in_flight + in_buffer, NULL);
        sl_sleep_ms(GUARD_MS);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    return reader;
}

static void restarted_send(struct sl_lab *lab, const int pair[2], struct sl_tuple *server)
{
    lab_step(lab, "A send() that copied nothing: SA_RESTART, and SO_SNDTIMEO");
    lab_say(lab, "The pipe is full, so a blocking send() copies nothing and waits. SIGALRM "
                 "comes after 100 ms, its handler installed with SA_RESTART; a child reads "
                 "at 300 ms. Without a time-out the kernel restarts send(), which returns "
                 "once there is room. With SO_SNDTIMEO set it is never restarted (signal(7)): "
                 "EINTR, whatever SA_RESTART says. Lab 03 showed the same for recv().");
    static const struct { const char *name; int timeout_s; const char *claim; } cases[] = {
        { N_("no SO_SNDTIMEO"), 0,
          N_("without SO_SNDTIMEO and with SA_RESTART the interrupted send() carried on and "
             "sent all 65536 bytes once the reader made room") },
        { N_("SO_SNDTIMEO 3 s"), GUARD_MS / 1000,
          N_("with SO_SNDTIMEO the interrupted send() fails with EINTR: SA_RESTART does not "
             "restart it") },
    };
    struct sigaction restart = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
    struct sigaction guard = { .sa_handler = on_guard };                /* no SA_RESTART */
    CHECK(sigaction(SIGALRM, &restart, NULL));
    CHECK(sigaction(SIGUSR1, &guard, NULL));
    for (size_t i = 0; i < 2; i++) {
        ssize_t n;
        int err, status, attempt = 0;
        double began;
        bool sound;
        do {
            bool settled = fill_pipe(lab, pair[1], server);
            struct timeval limit = { .tv_sec = cases[i].timeout_s };
            CHECK(setsockopt(pair[1], SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit));
            pid_t reader = late_reader(lab, pair[0], pair[1], 300);
            struct itimerval once = { .it_value = { .tv_usec = 100 * 1000 } };
            alarm_at = 0;
            began = sl_clock_ms();
            CHECK(setitimer(ITIMER_REAL, &once, NULL));
            n = lab_call(lab, send(pair[1], payload, 65536, 0));
            err = errno;
            sl_lab_wait_child(lab, reader, 0, &status);                 /* done: no guard */
            sound = settled && alarm_at > 0 && alarm_at - began < 250;
        } while (!sound && sl_lab_again(lab, &attempt, "the signal did not come while send() "
                                        "waited: the machine is busy"));
        lab_show(lab, "%s: the handler ran at %.0f ms; send() returned at %.0f ms",
                 _(cases[i].name), alarm_at - began, sl_clock_ms() - began);
        lab_expect_sound(lab, sound, cases[i].timeout_s ? n == -1 && err == EINTR : n == 65536,
                         "%s", _(cases[i].claim));
    }
    sl_bound_blocking(pair[1], GUARD_MS);
    signal(SIGALRM, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
}

static void epollout(struct sl_lab *lab, const int pair[2], struct sl_tuple *server)
{
    lab_step(lab, "EPOLLOUT: level-triggered and edge-triggered");
    lab_say(lab, "EPOLLOUT means \"there is room in the send buffer\". Lab 04 counted it on "
                 "an idle socket; here each mode is counted over %d calls of epoll_wait(..., "
                 "0) while the pipe is full (the window zero), then once the client has read "
                 "everything: the moment a sender waits for.", ROUNDS);
    static const struct { const char *name; uint32_t events; int with_room; } modes[] = {
        { N_("level-triggered"), EPOLLOUT, ROUNDS },
        { N_("edge-triggered"), EPOLLOUT | EPOLLET, 1 },
    };
    struct epoll_event ev;
    for (size_t m = 0; m < 2; m++) {
        bool settled = fill_pipe(lab, pair[1], server);
        int ep = CHECK(epoll_create1(EPOLL_CLOEXEC)), full = 0, room = 0;
        ev = (struct epoll_event){ .events = modes[m].events, .data.fd = pair[1] };
        CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, pair[1], &ev));
        for (int i = 0; i < ROUNDS; i++)
            full += epoll_wait(ep, &ev, 1, 0);
        drain_until_acknowledged(pair[1], pair[0]);
        for (int i = 0; i < ROUNDS; i++)
            room += epoll_wait(ep, &ev, 1, 0);
        lab_expect_sound(lab, settled, full == 0 && room == modes[m].with_room,
                         "%s: %d wake-ups while full, %d of %d with room", _(modes[m].name),
                         full, room, ROUNDS);
        close(ep);
    }
    lab_say(lab, "So a level-triggered loop asks for EPOLLOUT only while it has unsent data, "
                 "and removes it once all is sent; otherwise epoll_wait never sleeps.");
    int acked = edge_events_per_ack(pair);
    lab_expect(lab, acked == 0, "edge-triggered: %d wake-ups for %d small sends, each "
                                "acknowledged: an ACK is an event only once the buffer had "
                                "filled", acked, ROUNDS);
}

/* The two clients of steps 7 and 8, seen from their side. */
struct visits {
    double asked_ms, answered_ms;     /* client 2's request, and its answer's first byte */
    ssize_t second_got;
    long first_got;                   /* what client 1 received in all */
};

/* Client 1 asks and does not read; once its answer has begun, client 2 asks
 * and waits (bounded) for the first byte of its own; then client 1 reads. */
static void two_clients(int listener, long size, struct visits *v)
{
    char buf[256];
    int first = client_of(listener);
    CHECK(send(first, "GET\n", 4, 0));
    sl_wait_fd(first, POLLIN, GUARD_MS);
    int second = client_of(listener);
    sl_bound_blocking(second, STALL_MS + GUARD_MS);
    v->asked_ms = sl_clock_ms();
    CHECK(send(second, "GET\n", 4, 0));
    v->second_got = recv(second, buf, sizeof buf, 0);
    v->answered_ms = sl_clock_ms();
    close(second);
    v->first_got = sl_read_up_to(first, size, NULL);
    close(first);
}

static void blocking_server(struct sl_lab *lab)
{
    lab_step(lab, "A blocking send() stalls a single-threaded server");
    lab_say(lab, "A single-threaded server in a child answers each request with more bytes "
                 "than its send buffer and the client's receive buffer hold, with a blocking "
                 "send(). Claim M60 (docs/myths.md): that is harmless in an event loop. "
                 "Client 1 asks and does not read; then client 2 asks. The lab bounds the "
                 "server's send() at %d ms; without a bound it would wait for client 1 "
                 "forever.", STALL_MS);
    long size;
    int listener = server_listener(lab, &size), report[2], attempt = 0, status;
    double sent[3] = { 0, 0, 0 };               /* began, returned, bytes */
    struct visits v;
    bool sound, told;
    do {
        CHECK(pipe(report));
        pid_t server = sl_lab_fork(lab);
        if (server == 0) {                      /* one process, one thread, blocking */
            for (int i = 0; i < 2; i++) {
                int conn = CHECK(accept(listener, NULL, NULL));
                recv(conn, (char[64]){ 0 }, 64, 0);
                sl_bound_blocking(conn, STALL_MS);
                double began = sl_clock_ms();
                ssize_t n = send(conn, payload, size, MSG_NOSIGNAL);
                double mine[3] = { began, sl_clock_ms(), (double)n };
                CHECK(write(report[1], mine, sizeof mine));     /* client 1's first */
                close(conn);
            }
            _exit(0);
        }
        close(report[1]);
        two_clients(listener, size, &v);
        sl_lab_wait_child(lab, server, GUARD_MS, &status);
        told = read(report[0], sent, sizeof sent) == sizeof sent;
        close(report[0]);
        sound = told && sent[0] < v.asked_ms && v.asked_ms + 100 < sent[1];
    } while (!sound && sl_lab_again(lab, &attempt, "client 2 asked too late to see the stall"));
    lab_expect(lab, sent[2] > 0 && sent[2] < size && sent[1] - sent[0] >= STALL_MS - 20,
               "the blocking send() to client 1 waited %.0f ms, its whole bound, then returned "
               "%.0f of %ld bytes: even blocking, send() can return before all is sent",
               sent[1] - sent[0], sent[2], size);
    lab_expect_sound(lab, sound, v.second_got > 0 && v.answered_ms >= sent[1],
                     "client 2 waited %.0f ms: its answer came only after the send() to "
                     "client 1 gave up; one slow reader stalled every client",
                     v.answered_ms - v.asked_ms);
    lab_expect(lab, v.first_got == (long)sent[2],
               "client 1 got only the %ld bytes send() returned: a sender that "
               "ignores that count loses the rest", v.first_got);
    close(listener);
}

static void epollout_server(struct sl_lab *lab)
{
    lab_step(lab, "The fix: non-blocking send(), the rest kept for EPOLLOUT");
    lab_say(lab, "The same clients, a server that never blocks: it sends what fits, keeps "
                 "the count of what is left, asks epoll for EPOLLOUT while something is "
                 "left, and goes back to EPOLLIN when all is sent.");
    long size;
    int listener = server_listener(lab, &size), status;
    pid_t server = sl_lab_fork(lab);
    if (server == 0) {                          /* one thread, non-blocking sockets */
        int ep = CHECK(epoll_create1(0)), done = 0;
        struct epoll_event ev = { .events = EPOLLIN, .data.fd = listener };
        CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev));
        long left[1024] = { 0 };                /* bytes still to send, per descriptor */
        while (done < 2 && epoll_wait(ep, &ev, 1, GUARD_MS) == 1) {
            int fd = ev.data.fd;
            if (fd == listener) {
                fd = CHECK(accept4(listener, NULL, NULL, SOCK_NONBLOCK));
                CHECK_TRUE(fd < 1024);          /* left[] has room for it */
                ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = fd };
                CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
                continue;
            }
            ssize_t got = ev.events & EPOLLIN ? recv(fd, (char[64]){ 0 }, 64, 0) : -1;
            left[fd] = got > 0 ? size : left[fd];  /* a request: its answer is pending */
            ssize_t n = left[fd] ? send(fd, payload + size - left[fd], left[fd], MSG_NOSIGNAL) : 0;
            if (got == 0 || (ev.events & EPOLLERR) || (n == -1 && errno != EAGAIN)) {
                close(fd);                      /* the client left */
                done++;
                continue;
            }
            left[fd] -= n > 0 ? n : 0;
            ev = (struct epoll_event){ .events = left[fd] ? EPOLLOUT : EPOLLIN, .data.fd = fd };
            CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev));      /* EPOLLOUT only while data waits */
        }
        _exit(0);
    }
    struct visits v;
    two_clients(listener, size, &v);
    sl_lab_wait_child(lab, server, GUARD_MS, &status);
    lab_expect(lab, v.second_got > 0, "client 2 waited %.1f ms: it was answered while client 1, "
                                      "which had read nothing, was still owed most of its "
                                      "answer", v.answered_ms - v.asked_ms);
    lab_expect(lab, v.first_got == size, "client 1 then received all %ld bytes: the rest went "
                                         "out on EPOLLOUT", v.first_got);
    close(listener);
}

/* A child that reads fd until EOF (bounded) and writes the count to report;
 * it closes its copy of the sender's descriptor, so the sender's close() is
 * the last one. */
static pid_t start_reader(struct sl_lab *lab, int fd, int sender, int report)
{
    pid_t reader = sl_lab_fork(lab);
    if (reader == 0) {
        close(sender);
        long got = sl_read_up_to(fd, LONG_MAX, NULL);
        _exit(write(report, &got, sizeof got) == sizeof got ? 0 : 1);
    }
    return reader;
}

static void send_all(struct sl_lab *lab)
{
    lab_step(lab, "A send-all loop against a single send()");
    lab_say(lab, "A child, started after the first send(), reads everything and counts it. "
                 "The naive sender calls send() once and believes the count it asked for; "
                 "the loop sends the rest after each short count, retries EINTR, and waits "
                 "for room on EAGAIN.");
    static const struct { const char *name; bool loop; } ways[] = {
        { N_("one send()"), false },
        { N_("the send-all loop"), true },
    };
    for (size_t w = 0; w < 2; w++) {
        int pair[2], report[2], status;
        long size = set_pair(lab, pair), left = size, got = 0;
        int server = pair[1];
        CHECK(pipe(report));
        pid_t reader = 0;
        do {
            ssize_t n = send(server, payload + size - left, left, MSG_DONTWAIT);
            int err = errno;
            if (!reader)                                    /* after the first send() */
                reader = start_reader(lab, pair[0], server, report[1]);
            if (n >= 0)
                left -= n;                                  /* a short count: send the rest */
            else if (err == EAGAIN && !sl_wait_fd(server, POLLOUT, GUARD_MS))
                break;                                      /* no room, for too long */
            else if (err != EAGAIN && err != EINTR)
                break;                                      /* a real error */
        } while (ways[w].loop && left > 0);
        close(server);                                      /* EOF: the reader reports */
        close(pair[0]);
        sl_lab_wait_child(lab, reader, GUARD_MS, &status);
        close(report[1]);
        if (read(report[0], &got, sizeof got) != sizeof got)
            sl_lab_setup_error(lab, "the reading child did not report");
        close(report[0]);
        lab_expect(lab, ways[w].loop ? got == size : got < size,
                   "%s: the sender meant %ld bytes, the reader got %ld", _(ways[w].name), size,
                   got);
    }
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    int pair[2];
    struct sl_tuple client, server;
    long size = set_pair(lab, pair);
    sl_lab_follow_pair(lab, pair, &client, &server);
    stream(lab, pair, size);
    delimiter(lab, pair);
    buffers(lab);
    partial_send(lab, pair, size, &client, &server);
    interrupted_send(lab, pair, size);
    restarted_send(lab, pair, &server);
    epollout(lab, pair, &server);
    close(pair[0]);
    close(pair[1]);
    blocking_server(lab);
    epollout_server(lab);
    send_all(lab);
    return sl_lab_end(lab);
}
