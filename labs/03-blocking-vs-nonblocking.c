/* labs/03-blocking-vs-nonblocking.c — what recv() returns, when, and why.
 *
 * What it shows
 *   1. a blocking recv(fd, buf, 10, 0) with 5 bytes queued returns those 5 at
 *      once: it waits for *some* data, not for 10 bytes;
 *   2. MSG_WAITALL is the flag that waits for all 10;
 *   3. on an empty non-blocking socket recv() fails with EAGAIN: it never
 *      returns 0 for "no data";
 *   4. MSG_DONTWAIT gives the same answer for one call, leaving the socket as
 *      it was;
 *   5. the read-until-EAGAIN loop that drains a non-blocking socket;
 *   6. 0 means end of stream: the peer closed its side;
 *   7. SO_RCVTIMEO bounds a blocking wait;
 *   8. a signal interrupts one: EINTR without SA_RESTART, the call carries on
 *      with it;
 *   9. a non-blocking connect() answers EINPROGRESS, even on loopback.
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

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 3,
    .name = "blocking-vs-nonblocking",
    .title = "Blocking vs non-blocking: what recv() returns, when, and why",
    .goal = "See that a blocking recv() returns what is there rather than waiting for "
            "the full length, that an empty non-blocking socket answers EAGAIN (and "
            "0 means end of stream), and how programs drain, bound and interrupt reads.",
    .ports = 1,
};

/* Every blocking call in this lab gives up after this long, so nothing can hang. */
#define GUARD_MS 3000

/* When SIGALRM was handled, in ms after alarm_base (set before the timer). */
static double alarm_base;
static volatile sig_atomic_t alarm_ms = -1;

static void on_alarm(int sig)
{
    (void)sig;                                  /* here to interrupt recv(), and to say when */
    alarm_ms = (sig_atomic_t)(sl_clock_ms() - alarm_base);
}

/* A child that sleeps ms, notes the time (sl_clock_ms), sends text on fd and
 * reports the time it noted through report: the waiting side compares it with
 * its own clock, so a late parent cannot make a wait look shorter. */
static pid_t send_later(struct sl_lab *lab, int fd, int ms, const char *text, int report[2])
{
    CHECK(pipe(report));
    pid_t child = sl_lab_fork(lab);
    if (child == 0) {
        sl_sleep_ms(ms);
        double at = sl_clock_ms();
        bool sent = send(fd, text, strlen(text), 0) == (ssize_t)strlen(text);
        _exit(sent && write(report[1], &at, sizeof at) == sizeof at ? 0 : 1);
    }
    close(report[1]);
    return child;
}

/* When the child of send_later() sent (waiting for it to end), or a set-up error. */
static double sent_at(struct sl_lab *lab, pid_t child, int report[2])
{
    double at = 0;
    ssize_t got;
    while ((got = read(report[0], &at, sizeof at)) == -1 && errno == EINTR)
        ;
    close(report[0]);
    int status;
    if (!sl_lab_wait_child(lab, child, GUARD_MS, &status) || got != sizeof at)
        sl_lab_setup_error(lab, "the sending child did not send");
    return at;
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
    double began, sent;
    bool sound;
    int attempt = 0;
    do {
        CHECK(send(client, "01234", 5, 0));
        int report[2];
        pid_t child = send_later(lab, client, 200, "56789", report);
        began = sl_clock_ms();
        n = lab_call(lab, recv(server, buf, 10, MSG_WAITALL));
        sent = sent_at(lab, child, report);
        sound = began < sent;                    /* recv() was waiting when the rest was sent */
    } while (!sound && sl_lab_again(lab, &attempt, "the parent reached recv() %.0f ms after the "
                                    "child sent: the machine is busy", began - sent));
    lab_show(lab, "returned %zd bytes (\"%.*s\") %.0f ms after the child sent the last 5 "
                  "(recv() took %.0f ms)", n, (int)(n > 0 ? n : 0), buf,
             began + sl_lab_last_call_ms(lab) - sent, sl_lab_last_call_ms(lab));
    lab_expect_sound(lab, sound, n == 10,
                     "with MSG_WAITALL recv() waits until all 10 bytes have arrived");
}

/* The two answers to a signal during a blocking recv(), one a step. */
struct signal_case {
    const char *title, *story;
    int sa_flags;
};

static const struct signal_case signal_cases[] = {
    { "EINTR: a signal interrupts a blocking recv()",
      "A timer sends SIGALRM after 100 ms to a process blocked in recv(); a child sends "
      "5 bytes after 300 ms (its exit bounds the wait: no SO_RCVTIMEO here, since signal(7) "
      "says a recv() with a timeout is never restarted). The handler is installed without "
      "SA_RESTART, so recv() returns -1 with EINTR. The notes treat EINTR like EAGAIN (\"no "
      "more data\"); it only means \"try again\": nothing about the socket changed.", 0 },
    { "SA_RESTART: the interrupted recv() carries on",
      "The same, with the handler installed with SA_RESTART: the handler runs at 100 ms, "
      "then the kernel restarts recv(), which returns the child's 5 bytes at 300 ms. The "
      "program never sees EINTR.", SA_RESTART },
};

static void step_signal(struct sl_lab *lab, const struct signal_case *c)
{
    lab_step(lab, "%s", c->title);
    lab_say(lab, "%s", c->story);
    struct sigaction action = { .sa_handler = on_alarm, .sa_flags = c->sa_flags };
    CHECK(sigaction(SIGALRM, &action, NULL));
    char buf[16];
    ssize_t n;
    int err, attempt = 0;
    bool sound;
    do {
        int pair[2], report[2];
        sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), pair);   /* blocking, no timeout */
        pid_t child = send_later(lab, pair[0], 300, "hello", report);
        close(pair[0]);                          /* the child's exit ends the stream */
        alarm_base = sl_clock_ms();
        alarm_ms = -1;
        struct itimerval once = { .it_value = { .tv_usec = 100 * 1000 } };
        CHECK(setitimer(ITIMER_REAL, &once, NULL));
        double began = sl_clock_ms() - alarm_base;
        n = lab_call(lab, recv(pair[1], buf, sizeof buf, 0));
        err = errno;
        double sent = sent_at(lab, child, report) - alarm_base;
        sound = alarm_ms > began && alarm_ms < sent;   /* the signal came while recv() waited */
        close(pair[1]);
    } while (!sound && sl_lab_again(lab, &attempt, "the signal did not come while recv() "
                                    "waited: the machine is busy"));
    if (c->sa_flags & SA_RESTART)
        lab_expect_sound(lab, sound, n == 5, "with SA_RESTART the interrupted recv() carries "
                         "on and returns the 5 bytes sent after the signal");
    else
        lab_expect_sound(lab, sound, n == -1 && err == EINTR,
                         "the interrupted recv() fails with EINTR");
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
    lab_say(lab, "The original notes claim a blocking read of 10 bytes waits until 10 "
                 "are there. The client sends 5 and nothing more; if recv() waited for "
                 "10 it would sit until its %d ms guard ran out. (It returns as soon as "
                 "SO_RCVLOWAT bytes are there: 1 unless a program raises it.)", GUARD_MS);
    CHECK(send(client, "hello", 5, 0));
    ssize_t n = lab_call(lab, recv(server, buf, 10, 0));
    lab_expect(lab, n == 5 && sl_lab_last_call_ms(lab) < GUARD_MS / 2,
               "a blocking recv() returns the 5 bytes that are there, without waiting "
               "for 10 (the notes are wrong)");

    step_waitall(lab, client, server);

    lab_step(lab, "An empty non-blocking socket");
    lab_say(lab, "fcntl() sets O_NONBLOCK on the server socket. Nothing is queued. The "
                 "notes say recv() then returns 0; the kernel says otherwise.");
    int flags = CHECK(fcntl(server, F_GETFL));
    CHECK(fcntl(server, F_SETFL, flags | O_NONBLOCK));
    n = lab_call(lab, recv(server, buf, sizeof buf, 0));
    int err = errno;
    lab_expect(lab, n == -1 && err == EAGAIN && sl_lab_last_call_ms(lab) < GUARD_MS / 2,
               "recv() on an empty non-blocking socket fails at once with EAGAIN, not 0");
    lab_expect(lab, EAGAIN == EWOULDBLOCK, "EWOULDBLOCK is EAGAIN on Linux: one test covers both");
    lab_pause(lab, "the server is still ESTAB: EAGAIN lost nothing and closed nothing");

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
    int queued = 0;                              /* wait (bounded) until all 900 are queued */
    for (double end = sl_clock_ms() + GUARD_MS; queued < 900 && sl_clock_ms() < end; sl_sleep_ms(1))
        CHECK(ioctl(server, FIONREAD, &queued));
    CHECK(fcntl(server, F_SETFL, flags | O_NONBLOCK));
    long total = 0;
    int calls = 0;
    for (;;) {
        calls++;
        n = recv(server, buf, 256, 0);
        if (n <= 0)
            break;
        total += n;
    }
    err = errno;
    lab_show(lab, "%d calls read %ld bytes; the last one answered %zd (%s)", calls, total, n,
             n == -1 ? strerrorname_np(err) : "end of stream");
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
    lab_say(lab, "The client waits in FIN-WAIT-1 until its FIN is acknowledged. Linux "
                 "may delay that ACK by a few tens of milliseconds, so look quickly and "
                 "you can catch FIN-WAIT-1 with its retransmission timer running.");
    lab_expect(lab, sl_lab_wait_state(lab, &client_tuple, SL_TCP_FIN_WAIT2, 1000),
               "the client reaches FIN-WAIT-2 once its FIN is acknowledged");
    lab_pause(lab, "the server in CLOSE-WAIT (it has not closed), the client in FIN-WAIT-2");
    close(client);
    close(server);

    lab_step(lab, "SO_RCVTIMEO: a blocking wait with a limit");
    lab_say(lab, "The notes say a blocking read with no data \"blocks a while, then "
                 "returns\". Without a timeout it blocks for ever. SO_RCVTIMEO sets one: "
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

    for (size_t i = 0; i < sizeof signal_cases / sizeof signal_cases[0]; i++)
        step_signal(lab, &signal_cases[i]);

    lab_step(lab, "A non-blocking connect()");
    lab_say(lab, "The notes say a non-blocking connect() \"returns directly\". It does, "
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
    lab_show(lab, "poll() saw POLLOUT: %s; SO_ERROR = %d", ready & POLLOUT ? "yes" : "no",
             so_error);
    lab_expect(lab, rc == -1 && err == EINPROGRESS && (ready & POLLOUT) && so_error == 0,
               "a non-blocking connect() answers EINPROGRESS, then POLLOUT with SO_ERROR 0");
    close(fd);
    close(listener);

    return sl_lab_end(lab);
}
