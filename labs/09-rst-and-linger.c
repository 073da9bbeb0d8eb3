/* labs/09-rst-and-linger.c — how a connection ends: a FIN or a RST, SO_LINGER,
 * the half-close, and a descriptor two processes share.
 *
 * What it shows
 *   1. the default close() sends a FIN and returns at once: the kernel keeps
 *      sending what was queued, from a socket no program holds;
 *   2. shutdown(SHUT_WR), the half-close: the peer reads EOF and still answers;
 *   3. close() sends nothing while another process holds the descriptor;
 *   4. close() with unread data sends a RST: the peer gets ECONNRESET, what it
 *      sent is lost, and nobody is left in TIME-WAIT (what send() says after
 *      such a RST: lab 05);
 *   5. SO_LINGER {1, 0}: close() aborts the connection with a RST;
 *   6. SO_LINGER {1, N}: close() waits up to N s for its data to be acknowledged,
 *   7. ... and returns as soon as the peer's reading lets that happen;
 *   8. a RST can end a TIME-WAIT too, unless tcp_rfc1337 says no.
 *
 * Run it
 *   terminal 1:  socklab run 9
 *   terminal 2:  at a pause, the ss command it prints (-o shows the timers)
 *   terminal 3:  socklab dash --port PORT: a FIN walks the states, a RST jumps
 *
 * What you should see
 *   A closed socket in FIN-WAIT-1 with a full Send-Q; FIN-WAIT-2 and CLOSE-WAIT
 *   while the answer of a half-closed exchange still flows; both ends ESTAB
 *   after a close() another process made useless; connections that vanish
 *   from ss at once, without TIME-WAIT, when a RST ends them.
 *
 * Notes: docs/labs/09-rst-and-linger.md  (socklab notes 9) */
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/lab.h"
#include "socklab/net.h"

#include <errno.h>
#include <limits.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 9,
    .name = "rst-and-linger",
    .title = N_("RST and linger: close(), shutdown(), SO_LINGER and ECONNRESET"),
    .goal = N_("See when close() sends a FIN and when a RST, what SO_LINGER changes, how a "
               "half-close lets the answer through, why close() on a shared descriptor "
               "sends nothing, and what a reset connection answers to recv()."),
    .ports = 1,
    .bind_rules = SL_BIND_IPV6,
};

#define LINGER_S 1                  /* SO_LINGER's l_linger in steps 6 and 7 */
#define READ_AFTER_MS 200           /* when the peer starts reading in step 7 */
#define GUARD_MS 3000               /* every blocking call gives up after this */

/* A connected pair on the lab's port, both tuples followed; observations
 * and pauses look at this pair alone, not at the TIME-WAITs of earlier ones. */
static void new_pair(struct sl_lab *lab, int pair[2], struct sl_tuple *client,
                     struct sl_tuple *server)
{
    sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), pair);
    sl_lab_untrack_all(lab);
    sl_lab_follow_pair(lab, pair, client, server);
    sl_bound_blocking(pair[0], GUARD_MS);
    sl_bound_blocking(pair[1], GUARD_MS);
}

/* True when fd has data it cannot send until the peer reads: its send
 * buffer holds unsent bytes, none in flight, and the peer's window is zero
 * (tcpi_snd_wnd, Linux 6.2; older kernels: the first two only). */
static bool stuck(int fd)
{
    struct tcp_info ti = { 0 };
    socklen_t len = sizeof ti;
    int queued = 0, unsent = 0;
    CHECK(ioctl(fd, SIOCOUTQ, &queued));        /* not yet acknowledged */
    CHECK(ioctl(fd, SIOCOUTQNSD, &unsent));     /* not yet sent */
    CHECK(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
    bool window_known = len >= offsetof(struct tcp_info, tcpi_snd_wnd) + sizeof ti.tcpi_snd_wnd;
    return unsent > 0 && queued == unsent && (!window_known || ti.tcpi_snd_wnd == 0);
}

/* Send until the kernel takes no more and the peer, which does not read, has
 * a full receive buffer: the rest waits unsent in fd's send buffer (lab 10
 * shows the send loop). Bounded. */
static long fill_until_full(int fd)
{
    static char chunk[65536];
    long total = 0;
    double deadline = sl_clock_ms() + GUARD_MS;
    do {
        ssize_t n;
        while ((n = send(fd, chunk, sizeof chunk, MSG_DONTWAIT)) > 0)
            total += n;
        if (errno != EAGAIN)
            sl_die_errno(errno, "filling the send buffer");
        sl_sleep_ms(1);                         /* acknowledgements may make room */
    } while (!stuck(fd) && sl_clock_ms() < deadline);
    return total;
}

/* A pair whose server side has filled the pipe: the client has not read. */
static void full_pair(struct sl_lab *lab, int pair[2], struct sl_tuple *server)
{
    struct sl_tuple client;
    new_pair(lab, pair, &client, server);
    fill_until_full(pair[1]);
}

static void default_close(struct sl_lab *lab)
{
    lab_step(lab, "The default close(): a FIN, and the kernel keeps sending");
    lab_say(lab, "The server fills the pipe with an answer the client does not read yet, "
                 "then calls close(). The kernel does not throw the answer away, nor does "
                 "close() wait: the socket, now held by no program, sends it on.");
    int pair[2];
    struct sl_tuple client, server;
    new_pair(lab, pair, &client, &server);
    /* A send buffer of 256 KiB, not tcp_wmem's megabytes: what goes after
     * close() fits in the segments the wire keeps of a step, even through the
     * small window of a small tcp_rmem (the FIN comes last). */
    CHECK(setsockopt(pair[1], SOL_SOCKET, SO_SNDBUF, &(int){ 128 << 10 }, sizeof(int)));
    long queued = fill_until_full(pair[1]);
    lab_call(lab, close(pair[1]));
    bool waiting = sl_lab_wait_state(lab, &server, SL_TCP_FIN_WAIT1, GUARD_MS);
    const struct sl_socket *s = sl_lab_socket(lab, &server);
    lab_expect(lab, waiting && s && s->send_q > 0,
               "close() returned with the data unsent: the closed socket is in FIN-WAIT-1 "
               "with %u bytes in its Send-Q", s ? s->send_q : 0);
    lab_pause(lab, "closed, FIN-WAIT-1, Send-Q full: no program holds it");
    sl_lab_observe(lab);
    bool orphan = sl_lab_state(lab, &server) == SL_TCP_FIN_WAIT1, eof;
    long got = sl_read_up_to(pair[0], LONG_MAX, &eof);
    if (!orphan) {                      /* about 1023 times its RTO: see the notes */
        lab_skip(lab, "the pause outlasted the closed socket: probing a window that stayed "
                      "zero, it gave up and dropped its data", "the client reads "
                      "all the bytes, then EOF: the default close() loses nothing");
    } else {
        lab_expect(lab, eof && got == queued,
                   "the client reads all %ld bytes, then EOF: the default close() loses "
                   "nothing", got);
        struct sl_wire_match fin = { .from = &server, .flags = SL_TCP_FIN };
        lab_expect_segment(lab, &fin, GUARD_MS, "on the wire: the server's FIN (F.) follows "
                                                "its data");
    }
    close(pair[0]);
}

static void half_close(struct sl_lab *lab)
{
    lab_step(lab, "shutdown(SHUT_WR): the half-close");
    lab_say(lab, "The client sends its question and shuts down its sending direction: a FIN "
                 "that means \"I have said everything\", not \"I stop listening\".");
    int pair[2];
    struct sl_tuple client, server;
    new_pair(lab, pair, &client, &server);
    char buf[64];
    CHECK(send(pair[0], "question", 8, 0));
    lab_call(lab, shutdown(pair[0], SHUT_WR));
    ssize_t question = lab_call(lab, recv(pair[1], buf, sizeof buf, 0));
    ssize_t eof = lab_call(lab, recv(pair[1], buf, sizeof buf, 0));
    lab_expect(lab, question == 8 && eof == 0,
               "the server reads the 8-byte question, then EOF (recv() returns 0)");
    CHECK(send(pair[1], "answer", 6, 0));
    ssize_t answer = lab_call(lab, recv(pair[0], buf, sizeof buf, 0));
    lab_expect(lab, answer == 6 && sl_lab_wait_state(lab, &client, SL_TCP_FIN_WAIT2, GUARD_MS) &&
                    sl_lab_state(lab, &server) == SL_TCP_CLOSE_WAIT,
               "the half-closed client still reads the answer, in FIN-WAIT-2 while the "
               "server is in CLOSE-WAIT");
    lab_pause(lab, "client FIN-WAIT-2, server CLOSE-WAIT: half-closed");
    long buckets = sl_lab_sysctl(lab, "net.ipv4.tcp_max_tw_buckets");
    CHECK(close(pair[1]));
    if (buckets == 0)
        lab_expect(lab, sl_lab_wait_state(lab, &client, 0, GUARD_MS),
                   "the server's close() sends the second FIN: with tcp_max_tw_buckets = 0 "
                   "the client, which shut down first, keeps no TIME-WAIT");
    else
        lab_expect(lab, sl_lab_wait_state(lab, &client, SL_TCP_TIME_WAIT, GUARD_MS),
                   "the server's close() sends the second FIN: the client, which shut down "
                   "first, ends in TIME-WAIT");
    close(pair[0]);
}

static void shared_descriptor(struct sl_lab *lab)
{
    lab_step(lab, "close() on a descriptor another process shares");
    lab_say(lab, "A forking server's worker holds a copy of the connection's descriptor. "
                 "A descriptor counts references: close() drops one, and the FIN leaves "
                 "only with the last.");
    int pair[2], done[2], status;
    struct sl_tuple client, server;
    new_pair(lab, pair, &client, &server);
    char buf[64], text[64];
    CHECK(pipe(done));
    pid_t worker = sl_lab_fork(lab);
    if (worker == 0) {                          /* the worker: it holds a copy */
        close(done[1]);
        CHECK(read(done[0], buf, 1));           /* ... until the lab closes `done` */
        _exit(0);                               /* exit closes it */
    }
    close(done[0]);
    lab_call(lab, close(pair[1]));
    ssize_t n = lab_call(lab, recv(pair[0], buf, sizeof buf, MSG_DONTWAIT));
    sl_lab_observe(lab);
    lab_expect(lab, n == -1 && errno == EAGAIN && sl_lab_state(lab, &client) == SL_TCP_ESTABLISHED,
               "close() sent nothing while the worker holds a copy: the client is ESTAB, "
               "no EOF (EAGAIN)");
    lab_pause(lab, "both ends still ESTAB: the worker's copy is open");
    close(done[1]);                             /* the worker's work is done */
    sl_lab_wait_child(lab, worker, GUARD_MS, &status);
    lab_show(lab, "the worker %s", sl_wait_status_describe(status, text, sizeof text));
    n = lab_call(lab, recv(pair[0], buf, sizeof buf, 0));
    lab_expect(lab, n == 0, "the FIN left with the last copy: the client reads EOF");
    close(pair[0]);

    int other[2];
    new_pair(lab, other, &client, &server);
    int copy = CHECK(dup(other[1]));            /* two descriptors, one connection */
    lab_call(lab, shutdown(other[1], SHUT_WR));
    n = lab_call(lab, recv(other[0], buf, sizeof buf, 0));
    lab_expect(lab, n == 0, "shutdown() acts on the connection, not the descriptor: EOF, "
                            "although two descriptors are open");
    close(copy);
    close(other[1]);
    close(other[0]);
}

static void unread_data(struct sl_lab *lab)
{
    lab_step(lab, "close() with unread data: a RST, not a FIN");
    lab_say(lab, "Claim M55 (docs/myths.md): a server may close a connection as soon as "
                 "its read loop stops on EAGAIN. Here the server reads "
                 "4 of the 14 bytes the client sent, answers, and closes. The unread 10 "
                 "bytes can never be delivered, and TCP says so: with a RST.");
    int pair[2];
    struct sl_tuple client, server;
    new_pair(lab, pair, &client, &server);
    char buf[64];
    CHECK(send(pair[0], "GET / and more", 14, 0));
    sl_wait_fd(pair[1], POLLIN, GUARD_MS);
    CHECK(recv(pair[1], buf, 4, 0));            /* 4 of the 14 bytes */
    CHECK(send(pair[1], "answer", 6, 0));
    lab_call(lab, close(pair[1]));              /* 10 bytes unread */
    struct sl_wire_match rst = { .from = &server, .flags = SL_TCP_RST, .in_last_call = true },
                         fin = { .on = &server, .flags = SL_TCP_FIN };
    lab_expect_segment(lab, &rst, GUARD_MS, "on the wire: close() sent a RST (R.) at once");
    ssize_t answer = lab_call(lab, recv(pair[0], buf, sizeof buf, 0));
    ssize_t reset = lab_call(lab, recv(pair[0], buf, sizeof buf, 0));
    lab_expect(lab, answer == 6 && reset == -1 && errno == ECONNRESET,
               "the client reads the answer that came before the RST, then recv() fails "
               "with ECONNRESET");
    lab_expect(lab, sl_lab_wait_state(lab, &server, 0, GUARD_MS) &&
                    sl_lab_wait_state(lab, &client, 0, GUARD_MS),
               "a RST ends both sides at once: no FIN-WAIT, no TIME-WAIT, nothing in ss");
    lab_pause(lab, "the reset connection is gone on both sides, no TIME-WAIT");
    ssize_t after = lab_call(lab, recv(pair[0], buf, sizeof buf, 0));
    lab_expect(lab, after == 0, "the error is reported once: the next recv() returns 0");
    lab_expect_no_segment(lab, &fin, 50, "on the wire: no FIN on this connection, either way");
    lab_say(lab, "What send() answers after such a RST (ECONNRESET once, then EPIPE and "
                 "SIGPIPE) is lab 05's last lesson.");
    close(pair[0]);
}

static void linger_zero(struct sl_lab *lab)
{
    lab_step(lab, "SO_LINGER {1, 0}: close() aborts");
    lab_say(lab, "A linger time of 0 turns close() into an abort: whatever is queued is "
                 "dropped and a RST goes out. The server closes first, and lab 06 showed "
                 "that the side closing first keeps a TIME-WAIT; not this time.");
    int pair[2];
    struct sl_tuple client, server;
    new_pair(lab, pair, &client, &server);
    struct linger abort_close = { .l_onoff = 1, .l_linger = 0 };
    CHECK(setsockopt(pair[1], SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close));
    lab_call(lab, close(pair[1]));
    struct sl_wire_match rst = { .from = &server, .flags = SL_TCP_RST, .in_last_call = true },
                         fin = { .on = &server, .flags = SL_TCP_FIN };
    lab_expect_segment(lab, &rst, GUARD_MS, "on the wire: close() sent a RST (R.) at once");
    lab_expect_no_segment(lab, &fin, 50, "on the wire: no FIN on this connection");
    char buf[64];
    ssize_t n = lab_call(lab, recv(pair[0], buf, sizeof buf, 0));
    lab_expect(lab, n == -1 && errno == ECONNRESET,
               "the client's recv() fails with ECONNRESET: a RST came, not a FIN");
    lab_expect(lab, sl_lab_wait_state(lab, &server, 0, GUARD_MS) &&
                    sl_lab_wait_state(lab, &client, 0, GUARD_MS),
               "the server closed first and has no TIME-WAIT: SO_LINGER {1, 0} left nothing");
    close(pair[0]);
}

static void linger_no_reader(struct sl_lab *lab)
{
    lab_step(lab, "SO_LINGER {1, %d}: close() waits for a peer that does not read", LINGER_S);
    lab_say(lab, "With a linger time, close() on a blocking socket waits until its data is "
                 "acknowledged, for at most l_linger seconds. The client never reads, so "
                 "the data can never be acknowledged: close() waits the whole time.");
    int pair[2], attempt = 0, closed;
    struct sl_tuple server;
    double waited;
    bool sound;
    do {
        full_pair(lab, pair, &server);
        struct linger wait_close = { .l_onoff = 1, .l_linger = LINGER_S };
        CHECK(setsockopt(pair[1], SOL_SOCKET, SO_LINGER, &wait_close, sizeof wait_close));
        closed = lab_call(lab, close(pair[1]));
        waited = sl_lab_last_call_ms(lab);
        sound = waited < LINGER_S * 1000 + 500;
        if (!sound)
            close(pair[0]);
    } while (!sound && sl_lab_again(lab, &attempt, "close() came back %.0f ms late",
                                    waited - LINGER_S * 1000));
    lab_expect_sound(lab, sound, closed == 0 && waited >= LINGER_S * 1000 - 20,
                     "close() returned 0 after waiting its %d s (%.0f ms): Linux reports no "
                     "error when the time runs out", LINGER_S, waited);
    bool left = sl_lab_wait_state(lab, &server, SL_TCP_FIN_WAIT1, GUARD_MS);
    const struct sl_socket *s = sl_lab_socket(lab, &server);
    lab_expect(lab, left && s && s->send_q > 0,
               "the data is not dropped: the closed socket is in FIN-WAIT-1, %u bytes queued",
               s ? s->send_q : 0);
    lab_pause(lab, "closed, FIN-WAIT-1, probing the zero window (persist)");
    close(pair[0]);
}

static void linger_reader(struct sl_lab *lab)
{
    lab_step(lab, "SO_LINGER {1, %d}: the peer's reading releases close()", LINGER_S);
    lab_say(lab, "Same again, but a child holding the client starts reading %d ms after "
                 "close() began. As it reads, the data is acknowledged, and close() returns "
                 "with the last acknowledgement, not with the timer.", READ_AFTER_MS);
    int pair[2], report[2], attempt = 0, status;
    struct sl_tuple server;
    double began, returned, times[2] = { 0, 0 };
    bool sound;
    do {
        full_pair(lab, pair, &server);
        struct linger wait_close = { .l_onoff = 1, .l_linger = LINGER_S };
        CHECK(setsockopt(pair[1], SOL_SOCKET, SO_LINGER, &wait_close, sizeof wait_close));
        CHECK(pipe(report));
        pid_t reader = sl_lab_fork(lab);
        if (reader == 0) {                       /* the client, reading late */
            close(pair[1]);                      /* the server's close() must be the last */
            CHECK(write(report[1], "", 1));      /* ... and now it will be */
            sl_sleep_ms(READ_AFTER_MS);
            times[0] = sl_clock_ms();            /* it starts reading */
            sl_read_up_to(pair[0], LONG_MAX, NULL);
            times[1] = sl_clock_ms();            /* it has read the FIN */
            CHECK(write(report[1], times, sizeof times));
            _exit(0);
        }
        close(report[1]);
        if (read(report[0], &status, 1) != 1)
            sl_lab_setup_error(lab, "the reading child did not start");
        began = sl_clock_ms();
        lab_call(lab, close(pair[1]));
        returned = sl_clock_ms();
        sl_lab_wait_child(lab, reader, GUARD_MS, &status);
        bool told = read(report[0], times, sizeof times) == sizeof times;
        close(report[0]);
        close(pair[0]);
        sound = told && times[0] > began && times[1] < began + LINGER_S * 1000 - 300 &&
                returned < began + LINGER_S * 1000;
    } while (!sound && sl_lab_again(lab, &attempt, "the reader or close() ran late"));
    lab_expect_sound(lab, sound, returned >= times[0],
                     "close() returned at +%.0f ms, after the peer began reading (+%.0f ms) "
                     "and before its %d s were over: the acknowledgements released it",
                     returned - began, times[0] - began, LINGER_S);
}

/* tcp_rfc1337 (0: a RST ends a TIME-WAIT), or -1 and the step skipped, with
 * the reason, when this kernel has no such sysctl or keeps no TIME-WAIT. */
static long rfc1337_setting(struct sl_lab *lab)
{
    long protect = sl_lab_sysctl(lab, "net.ipv4.tcp_rfc1337");
    if (protect >= 0 && sl_lab_sysctl(lab, "net.ipv4.tcp_max_tw_buckets") != 0)
        return protect;
    lab_skip(lab, protect < 0 ? _("net.ipv4.tcp_rfc1337 is not on this kernel")
                              : _("tcp_max_tw_buckets = 0: there is no TIME-WAIT to reset"),
             "a RST into TIME-WAIT");
    return -1;
}

static void rfc1337(struct sl_lab *lab)
{
    lab_step(lab, "A RST into TIME-WAIT: tcp_rfc1337");
    lab_say(lab, "A TIME-WAIT can be ended by a RST too (RFC 1337 calls it assassination). "
                 "A new socket on the server's old port connects to the client's TIME-WAIT; "
                 "the TIME-WAIT answers with an ACK, and the new socket answers that with a "
                 "RST that fits the old connection exactly.");
    long protect = rfc1337_setting(lab);
    if (protect < 0)
        return;
    int pair[2];
    struct sl_tuple client, server;
    new_pair(lab, pair, &client, &server);
    struct sockaddr_storage old_server, old_client;
    socklen_t len = sizeof old_server;
    CHECK(getsockname(pair[1], (struct sockaddr *)&old_server, &len));
    CHECK(getsockname(pair[0], (struct sockaddr *)&old_client, &len));
    CHECK(close(pair[0]));                       /* the client closes first */
    sl_wait_fd(pair[1], POLLIN, GUARD_MS);
    CHECK(close(pair[1]));
    lab_expect(lab, sl_lab_wait_state(lab, &server, 0, GUARD_MS) &&
                    sl_lab_wait_state(lab, &client, SL_TCP_TIME_WAIT, GUARD_MS),
               "the server's side is gone, the client is in TIME-WAIT");
    int stray = CHECK(socket(old_server.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0));
    int on = 1;
    CHECK(setsockopt(stray, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));
    CHECK(bind(stray, (struct sockaddr *)&old_server, len));
    lab_call(lab, connect(stray, (struct sockaddr *)&old_client, len));
    if (protect == 0) {
        lab_expect(lab, sl_lab_wait_state(lab, &client, 0, GUARD_MS),
                   "with tcp_rfc1337 = 0 the RST ends the TIME-WAIT early");
    } else {
        sl_sleep_ms(300);
        sl_lab_observe(lab);
        lab_expect(lab, sl_lab_state(lab, &client) == SL_TCP_TIME_WAIT,
                   "with tcp_rfc1337 = %ld the TIME-WAIT ignores the RST and stays", protect);
    }
    if (protect == 0)
        lab_pause(lab, "stray socket SYN-SENT; the client's TIME-WAIT gone");
    else
        lab_pause(lab, "stray socket SYN-SENT; the client's TIME-WAIT still there");
    close(stray);
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    default_close(lab);
    half_close(lab);
    shared_descriptor(lab);
    unread_data(lab);
    linger_zero(lab);
    linger_no_reader(lab);
    linger_reader(lab);
    rfc1337(lab);
    return sl_lab_end(lab);
}
