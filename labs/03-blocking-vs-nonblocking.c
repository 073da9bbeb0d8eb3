/* labs/03-blocking-vs-nonblocking.c — what recv() returns, when, and why.
 *
 * What it shows, step by step
 *   2.    a blocking recv(fd, buf, 10, 0) with 5 bytes queued returns those 5
 *         at once: it waits for *some* data, not for 10 bytes;
 *   3.    MSG_WAITALL is the flag that waits for all 10;
 *   4, 5. an empty non-blocking socket (or MSG_DONTWAIT, for one call) makes
 *         recv() fail with EAGAIN: it never returns 0 for "no data";
 *   6.    the read-until-EAGAIN loop that drains a non-blocking socket;
 *   7.    0 means end of stream: the peer closed its side;
 *   8.    SO_RCVTIMEO bounds a blocking wait;
 *   9, 10. a signal interrupts one: EINTR without SA_RESTART; with it, the
 *         call carries on;
 *   11.   a non-blocking connect() answers EINPROGRESS, even on loopback.
 * Every call says how long it took.
 *
 * Run it
 *   terminal 1:  socklab run 3
 *   terminal 2:  at a pause, the ss command it prints, e.g.
 *                ss -tano '( sport = :41234 or dport = :41234 )'
 *
 * What you should see
 *   recv() returning 5 after a fraction of a millisecond; MSG_WAITALL waiting
 *   ~200 ms for a sender; -1 EAGAIN on the empty socket; 0 after the peer's
 *   shutdown, with the server in CLOSE-WAIT and the client in FIN-WAIT-2.
 *
 * Notes: docs/labs/03-blocking-vs-nonblocking.md  (socklab notes 3) */
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/lab.h"
#include "socklab/net.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 3,
    .name = "blocking-vs-nonblocking",
    .title = N_("Blocking vs non-blocking: what recv() returns, when, and why"),
    .goal = N_("See that a blocking recv() returns what is there rather than waiting for "
               "the full length, that an empty non-blocking socket answers EAGAIN (and "
               "0 means end of stream), and how programs drain, bound and interrupt reads."),
    .ports = 1,
};

/* Every blocking call in this lab gives up after this long, so nothing can hang. */
#define GUARD_MS 3000

/* When SIGALRM was handled, in ms after alarm_base (set by arm_alarm). */
static double alarm_base;
static volatile sig_atomic_t alarm_ms = -1;

static void on_alarm(int sig)                   /* it interrupts recv(), and says when */
{
    (void)sig;
    alarm_ms = (sig_atomic_t)(sl_clock_ms() - alarm_base);
}

static void arm_alarm(int ms)                   /* SIGALRM in ms milliseconds, once */
{
    alarm_base = sl_clock_ms();
    alarm_ms = -1;
    struct itimerval once = { .it_value = { .tv_usec = ms * 1000 } };
    CHECK(setitimer(ITIMER_REAL, &once, NULL));
}

/* A child that sends text on a socket some ms later, and the times (on
 * sl_clock_ms, one clock for every process) that tell the order of events:
 * when the parent was about to make its call, when the child sent (noted
 * just before its send()), when the parent's call returned. */
struct late_send {
    pid_t child;
    int report;                                 /* the child writes `sent` here */
    double called, sent, returned;
};

static void late_send_start(struct sl_lab *lab, struct late_send *late, int fd, int ms,
                            const char *text)
{
    int report[2];
    CHECK(pipe(report));
    late->child = sl_lab_fork(lab);
    if (late->child == 0) {
        sl_sleep_ms(ms);
        double at = sl_clock_ms();
        bool sent = send(fd, text, strlen(text), 0) == (ssize_t)strlen(text);
        _exit(sent && write(report[1], &at, sizeof at) == sizeof at ? 0 : 1);
    }
    close(report[1]);
    late->report = report[0];
    late->called = sl_clock_ms();
}

/* Called as soon as the parent's call returned: notes when, then waits for
 * the child and its report (a child that did not send is a set-up error). */
static void late_send_end(struct sl_lab *lab, struct late_send *late)
{
    late->returned = sl_clock_ms();
    ssize_t got;
    while ((got = read(late->report, &late->sent, sizeof late->sent)) == -1 && errno == EINTR)
        ;
    close(late->report);
    int status;
    if (!sl_lab_wait_child(lab, late->child, GUARD_MS, &status) || got != sizeof late->sent)
        sl_lab_setup_error(lab, "the sending child did not send");
}

/* True, and said, when a busy machine made the parent reach its call only
 * after the child sent: the order of events is spoiled; measure again. */
static bool called_too_late(struct sl_lab *lab, const struct late_send *late, int *attempt)
{
    return late->called > late->sent &&
           sl_lab_again(lab, attempt, "the parent reached recv() %.0f ms after the child "
                        "sent: the machine is busy", late->called - late->sent);
}

static void step_waitall(struct sl_lab *lab, int client, int server)
{
    lab_step(lab, "MSG_WAITALL: now it does wait for all 10");
    lab_say(lab, "Again 5 bytes are queued. A child process sends the other 5 after "
                 "200 ms and notes when; recv() with MSG_WAITALL returns only when it has "
                 "all 10. The proof is the order of events: recv() began before the child "
                 "sent, and returned 10 bytes.");
    char buf[16];
    ssize_t n;
    struct late_send late;
    int attempt = 0;
    do {
        CHECK(send(client, "01234", 5, 0));
        late_send_start(lab, &late, client, 200, "56789");
        n = lab_call(lab, recv(server, buf, 10, MSG_WAITALL));
        late_send_end(lab, &late);
    } while (called_too_late(lab, &late, &attempt));
    double after = late.returned - late.sent;
    if (after < 1)
        lab_show(lab, "recv() got \"%.*s\", less than 1 ms after the send",
                 (int)(n > 0 ? n : 0), buf);
    else
        lab_show(lab, "recv() got \"%.*s\", %.0f ms after the send", (int)(n > 0 ? n : 0), buf,
                 after);
    lab_expect_sound(lab, late.called < late.sent, n == 10,
                     "with MSG_WAITALL recv() waits until all 10 "
                     "bytes have arrived");
}

/* The two answers to a signal during a blocking recv(), one a step. */
static const struct signal_case {
    const char *title, *story;
    int sa_flags;
    const char *flags_name, *claim;
    ssize_t returns;                            /* what recv() returns: -1 (EINTR) or 5 */
} signal_cases[] = {
    { N_("EINTR: a signal interrupts a blocking recv()"),
      N_("A timer sends SIGALRM after 100 ms to a process blocked in recv(); a child sends "
         "5 bytes after 300 ms (no SO_RCVTIMEO: by signal(7) a recv() with a timeout is never "
         "restarted). Without SA_RESTART recv() returns -1 with EINTR. Claim M18 "
         "(docs/myths.md) treats EINTR like EAGAIN, \"no more data\"; it only means "
         "\"try again\"."),
      0, "0", N_("the interrupted recv() fails with EINTR"), -1 },
    { N_("SA_RESTART: the interrupted recv() carries on"),
      N_("The same, with the handler installed with SA_RESTART: the handler runs at 100 ms, "
         "then the kernel restarts recv(), which returns the child's 5 bytes at 300 ms. The "
         "program never sees EINTR."),
      SA_RESTART, "SA_RESTART", N_("with SA_RESTART the interrupted recv() carries on and "
                                   "returns the 5 bytes sent after the signal"), 5 },
};

/* True, and said, when SIGALRM did not come after recv() began and before
 * the child sent: the machine was busy; measure again. */
static bool alarm_missed(struct sl_lab *lab, const struct late_send *late, int *attempt)
{
    bool sound = alarm_ms > 0 && alarm_base + alarm_ms < late->sent;
    return !sound && sl_lab_again(lab, attempt, "the signal did not come while recv() "
                                  "waited: the machine is busy");
}

static void step_signal(struct sl_lab *lab, const struct signal_case *c)
{
    lab_step(lab, "%s", _(c->title));           /* the table's words, translated */
    lab_say(lab, "%s", _(c->story));
    lab_show(lab, "this step: sa_flags = %s", c->flags_name);
    struct sigaction action = { .sa_handler = on_alarm,
                                .sa_flags = c->sa_flags };
    CHECK(sigaction(SIGALRM, &action, NULL));
    char buf[16];
    ssize_t n;
    int err, attempt = 0;
    struct late_send late;
    do {
        int pair[2];                    /* blocking, no SO_RCVTIMEO */
        sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), pair);
        late_send_start(lab, &late, pair[0], 300, "hello");
        close(pair[0]);           /* the child's exit will end the stream */
        arm_alarm(100);
        n = lab_call(lab, recv(pair[1], buf, sizeof buf, 0));
        err = errno;
        late_send_end(lab, &late);
        close(pair[1]);
    } while (alarm_missed(lab, &late, &attempt));
    lab_show(lab, "handler ran at %d ms; recv() returned at %.0f ms",
             (int)alarm_ms, late.returned - alarm_base);
    lab_expect_sound(lab, alarm_ms > 0 && alarm_base + alarm_ms < late.sent,
                     n == c->returns && (n != -1 || err == EINTR),
                     "%s", _(c->claim));
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    char buf[4096];

    lab_step(lab, "A connected pair over loopback");
    lab_say(lab, "One socket is the client, one the server's accepted socket. Both "
                 "start blocking, as every socket does.");
    int pair[2];
    sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), pair);
    int client = pair[0], server = pair[1];
    sl_bound_blocking(server, GUARD_MS);
    struct sl_tuple client_tuple, server_tuple;
    sl_lab_follow_pair(lab, pair, &client_tuple, &server_tuple);
    sl_lab_observe(lab);
    lab_expect(lab, sl_lab_state(lab, &server_tuple) == SL_TCP_ESTABLISHED,
               "both ends are ESTAB");

    lab_step(lab, "Blocking recv() asking for 10 bytes, with 5 queued");
    lab_say(lab, "Claim M13 (docs/myths.md): a blocking read of 10 bytes waits until 10 "
                 "are there. The client sends 5 and nothing more; if recv() waited for "
                 "10 it would sit until its %d ms guard ran out. (It returns as soon as "
                 "SO_RCVLOWAT bytes are there: 1 unless a program raises it.)", GUARD_MS);
    CHECK(send(client, "hello", 5, 0));
    ssize_t n = lab_call(lab, recv(server, buf, 10, 0));
    lab_expect(lab, n == 5 && sl_lab_last_call_ms(lab) < GUARD_MS / 2,
               "a blocking recv() returns the 5 bytes that are there, without waiting "
               "for 10");

    step_waitall(lab, client, server);

    lab_step(lab, "An empty non-blocking socket");
    lab_say(lab, "fcntl() sets O_NONBLOCK on the server socket. Nothing is queued. Claim "
                 "M15 (docs/myths.md): recv() then returns 0. The kernel says otherwise.");
    int flags = CHECK(fcntl(server, F_GETFL));
    CHECK(fcntl(server, F_SETFL, flags | O_NONBLOCK));
    n = lab_call(lab, recv(server, buf, sizeof buf, 0));
    int err = errno;
    lab_expect(lab, n == -1 && err == EAGAIN && sl_lab_last_call_ms(lab) < GUARD_MS / 2,
               "recv() on an empty non-blocking socket fails at once with EAGAIN, not 0");
    lab_expect(lab, EAGAIN == EWOULDBLOCK, "EWOULDBLOCK is EAGAIN on Linux: one test covers both");
    lab_pause(lab, "the server is still ESTAB: EAGAIN lost nothing");

    lab_step(lab, "MSG_DONTWAIT: non-blocking for one call only");
    lab_say(lab, "The socket goes back to blocking. The MSG_DONTWAIT flag makes one recv() "
                 "behave as if O_NONBLOCK were set, without touching the socket's flags: "
                 "handy when other code shares the descriptor.");
    CHECK(fcntl(server, F_SETFL, flags));        /* back to blocking */
    n = lab_call(lab, recv(server, buf, sizeof buf, MSG_DONTWAIT));
    err = errno;
    lab_expect(lab, n == -1 && err == EAGAIN && !(fcntl(server, F_GETFL) & O_NONBLOCK),
               "MSG_DONTWAIT gives EAGAIN for this call and leaves the socket blocking");

    lab_step(lab, "Draining: read until EAGAIN");
    lab_say(lab, "The client sends three chunks of 300 bytes. A non-blocking reader "
                 "reads 256 bytes at a time until recv() says EAGAIN: that is how a "
                 "program knows it has taken everything there is, right now.");
    long rmem[3] = { 0, 0, 0 };
    sl_lab_sysctl_values(lab, "net.ipv4.tcp_rmem", rmem, 3);     /* min default max */
    char chunk[300];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 3; i++)
        CHECK(send(client, chunk, sizeof chunk, 0));
    int queued = sl_wait_queued(server, 900, GUARD_MS);    /* all 900 in the receive queue */
    CHECK(fcntl(server, F_SETFL, flags | O_NONBLOCK));
    long total = 0;
    int calls;
    for (calls = 1; (n = recv(server, buf, 256, 0)) > 0; calls++)
        total += n;                              /* until 0 (end) or -1 (EAGAIN) */
    err = errno;
    lab_show(lab, "%d calls read %ld bytes; the last one answered %zd (%s)", calls, total, n,
             n == -1 ? strerrorname_np(err) : _("end of stream"));
    if (queued < 900)
        lab_skip(lab, "net.ipv4.tcp_rmem leaves a receive buffer too small to queue 900 bytes",
                 "the loop read all 900 bytes and stopped at EAGAIN");
    else
        lab_expect(lab, total == 900 && n == -1 && err == EAGAIN,
                   "the loop read all 900 bytes and stopped at EAGAIN");

    lab_step(lab, "End of stream: 0 means the peer closed its side");
    lab_say(lab, "The client calls shutdown(SHUT_WR): its FIN tells the server no more "
                 "data will come. recv() returns 0, which is never \"no data yet\".");
    CHECK(shutdown(client, SHUT_WR));
    sl_wait_fd(server, POLLIN, GUARD_MS);
    n = lab_call(lab, recv(server, buf, sizeof buf, 0));
    lab_expect(lab, n == 0, "after the peer's FIN, recv() returns 0: end of stream");
    lab_expect(lab, sl_lab_wait_state(lab, &server_tuple, SL_TCP_CLOSE_WAIT, 1000),
               "the server, which got the FIN, is in CLOSE-WAIT");
    lab_say(lab, "The client waits in FIN-WAIT-1 until its FIN is acknowledged. After "
                 "data, Linux may delay that ACK (the delayed ACK, some 40 ms), so look "
                 "quickly and you can catch FIN-WAIT-1 with its retransmission timer "
                 "running.");
    lab_expect(lab, sl_lab_wait_state(lab, &client_tuple, SL_TCP_FIN_WAIT2, 1000),
               "the client reaches FIN-WAIT-2 once its FIN is acknowledged");
    lab_pause(lab, "server CLOSE-WAIT (not closed yet), client FIN-WAIT-2");
    close(client);
    close(server);

    lab_step(lab, "SO_RCVTIMEO: a blocking wait with a limit");
    lab_say(lab, "Claim M16 (docs/myths.md): a blocking read with no data waits a while, "
                 "then returns. Without a timeout it blocks for ever. SO_RCVTIMEO sets one: "
                 "here 300 ms, after which recv() fails with EAGAIN.");
    sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), pair);
    struct timeval limit = { .tv_sec = 0, .tv_usec = 300 * 1000 };
    CHECK(setsockopt(pair[1], SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit));
    n = lab_call(lab, recv(pair[1], buf, sizeof buf, 0));
    err = errno;
    double took = sl_lab_last_call_ms(lab);      /* measured around the call itself */
    lab_expect(lab, n == -1 && err == EAGAIN && took >= 250,
               "with SO_RCVTIMEO = 300 ms a blocking recv() gives up with EAGAIN after "
               "about 300 ms (%.0f ms)", took);

    close(pair[0]);
    close(pair[1]);

    step_signal(lab, &signal_cases[0]);          /* without SA_RESTART */
    step_signal(lab, &signal_cases[1]);          /* with SA_RESTART */

    lab_step(lab, "A non-blocking connect()");
    lab_say(lab, "Claim M19 (docs/myths.md): a non-blocking connect() returns at once, "
                 "without waiting. It does, "
                 "with -1 and EINPROGRESS: the handshake goes on without us. poll() for "
                 "POLLOUT says when it is over, SO_ERROR says how it ended.");
    int listener = sl_listen_on(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), 4);
    struct sockaddr_storage where;
    socklen_t where_len = sizeof where;
    CHECK(getsockname(listener, (struct sockaddr *)&where, &where_len));
    int fd = CHECK(socket(where.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0));
    int rc = lab_call(lab, connect(fd, (struct sockaddr *)&where, where_len));
    err = errno;
    short ready = sl_wait_fd(fd, POLLOUT, GUARD_MS);
    int so_error = -1;
    socklen_t so_len = sizeof so_error;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len));
    lab_show(lab, "poll() saw POLLOUT: %s; SO_ERROR = %d", ready & POLLOUT ? _("yes") : _("no"),
             so_error);
    lab_expect(lab, rc == -1 && err == EINPROGRESS && (ready & POLLOUT) && so_error == 0,
               "a non-blocking connect() answers EINPROGRESS, then POLLOUT with SO_ERROR 0");
    close(fd);
    close(listener);

    return sl_lab_end(lab);
}
