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
 *   7. SO_RCVTIMEO bounds a blocking wait, and a signal interrupts one (EINTR);
 *   8. a non-blocking connect() answers EINPROGRESS, even on loopback.
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

static void on_alarm(int sig)
{
    (void)sig;                                  /* only here to interrupt recv() */
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    char buf[4096];
    double t0;

    lab_step(lab, "A connected pair over loopback");
    lab_say(lab, "One socket is the client, one the server's accepted socket. Both "
                 "start blocking, as every socket does.");
    int pair[2];
    sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), pair);
    int client = pair[0], server = pair[1];
    sl_bound_blocking(server, GUARD_MS);
    struct sl_tuple client_tuple, server_tuple;
    sl_tuple_of_fd(client, &client_tuple);
    sl_tuple_of_fd(server, &server_tuple);
    sl_lab_track_port(lab, server_tuple.local_port);
    sl_lab_observe(lab);
    lab_expect(lab, sl_lab_state(lab, &server_tuple) == SL_TCP_ESTABLISHED,
               "both ends are ESTAB");

    lab_step(lab, "Blocking recv() asking for 10 bytes, with 5 queued");
    lab_say(lab, "The original notes claim a blocking read of 10 bytes waits until 10 "
                 "are there. The client sends 5 and nothing more; if recv() waited for "
                 "10 it would sit until its %d ms guard ran out.", GUARD_MS);
    CHECK(send(client, "hello", 5, 0));
    t0 = sl_clock_ms();
    ssize_t n = lab_call(lab, recv(server, buf, 10, 0));
    double took = sl_clock_ms() - t0;
    lab_show(lab, "returned %zd bytes after %.2f ms", n, took);
    lab_expect(lab, n == 5 && took < GUARD_MS / 2,
               "a blocking recv() returns the 5 bytes that are there, without waiting "
               "for 10 (the notes are wrong)");

    lab_step(lab, "MSG_WAITALL: now it does wait for all 10");
    lab_say(lab, "Again 5 bytes are queued. A child process sends the other 5 after "
                 "200 ms; recv() with MSG_WAITALL returns only when it has all 10.");
    CHECK(send(client, "01234", 5, 0));
    pid_t sender = sl_lab_fork(lab);
    if (sender == 0) {                           /* the child: wait, then send the rest */
        sl_sleep_ms(200);
        _exit(send(client, "56789", 5, 0) == 5 ? 0 : 1);
    }
    t0 = sl_clock_ms();
    n = lab_call(lab, recv(server, buf, 10, MSG_WAITALL));
    took = sl_clock_ms() - t0;
    int status;
    sl_lab_wait_child(lab, sender, GUARD_MS, &status);
    lab_show(lab, "returned %zd bytes (\"%.*s\") after %.0f ms", n, (int)(n > 0 ? n : 0), buf, took);
    lab_expect(lab, n == 10 && took >= 150,
               "with MSG_WAITALL recv() waits until all 10 bytes have arrived");

    lab_step(lab, "An empty non-blocking socket");
    lab_say(lab, "fcntl() sets O_NONBLOCK on the server socket. Nothing is queued. The "
                 "notes say recv() then returns 0; the kernel says otherwise.");
    int flags = CHECK(fcntl(server, F_GETFL));
    CHECK(fcntl(server, F_SETFL, flags | O_NONBLOCK));
    t0 = sl_clock_ms();
    n = lab_call(lab, recv(server, buf, sizeof buf, 0));
    int err = errno;
    took = sl_clock_ms() - t0;
    lab_expect(lab, n == -1 && err == EAGAIN && took < GUARD_MS / 2,
               "recv() on an empty non-blocking socket fails at once with EAGAIN, not 0");
    lab_expect(lab, EAGAIN == EWOULDBLOCK, "EWOULDBLOCK is EAGAIN on Linux: one test covers both");
    lab_pause(lab, "the server is still ESTAB: EAGAIN lost nothing and closed nothing");

    lab_step(lab, "MSG_DONTWAIT: non-blocking for one call only");
    CHECK(fcntl(server, F_SETFL, flags));        /* back to blocking */
    n = lab_call(lab, recv(server, buf, sizeof buf, MSG_DONTWAIT));
    err = errno;
    lab_expect(lab, n == -1 && err == EAGAIN && !(fcntl(server, F_GETFL) & O_NONBLOCK),
               "MSG_DONTWAIT gives EAGAIN for this call and leaves the socket blocking");

    lab_step(lab, "Draining: read until EAGAIN");
    lab_say(lab, "The client sends three chunks of 1000 bytes. A non-blocking reader "
                 "reads 512 bytes at a time until recv() says EAGAIN: that is how a "
                 "program knows it has taken everything there is, right now.");
    char chunk[1000];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 3; i++)
        CHECK(send(client, chunk, sizeof chunk, 0));
    sl_wait_fd(server, POLLIN, GUARD_MS);
    CHECK(fcntl(server, F_SETFL, flags | O_NONBLOCK));
    long total = 0;
    int calls = 0;
    for (;;) {
        calls++;
        n = recv(server, buf, 512, 0);
        if (n <= 0)
            break;
        total += n;
    }
    err = errno;
    lab_show(lab, "%d calls read %ld bytes; the last one answered %zd (%s)", calls, total, n,
             n == -1 ? strerrorname_np(err) : "end of stream");
    lab_expect(lab, total == 3000 && n == -1 && err == EAGAIN,
               "the loop read all 3000 bytes and stopped at EAGAIN");

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
    t0 = sl_clock_ms();
    n = lab_call(lab, recv(pair[1], buf, sizeof buf, 0));
    err = errno;
    took = sl_clock_ms() - t0;
    lab_expect(lab, n == -1 && err == EAGAIN && took >= 250,
               "with SO_RCVTIMEO = 300 ms a blocking recv() gives up with EAGAIN after "
               "about 300 ms (%.0f ms)", took);

    lab_step(lab, "EINTR: a signal interrupts a blocking recv()");
    lab_say(lab, "A timer sends SIGALRM after 100 ms to a process blocked in recv(). "
                 "The handler is installed without SA_RESTART, so recv() returns -1 "
                 "with EINTR. The notes treat EINTR like EAGAIN (\"no more data\"); it "
                 "only means \"try again\": nothing about the socket changed.");
    struct sigaction alarm_action = { .sa_handler = on_alarm };   /* no SA_RESTART */
    CHECK(sigaction(SIGALRM, &alarm_action, NULL));
    sl_bound_blocking(pair[1], GUARD_MS);
    struct itimerval once = { .it_value = { .tv_usec = 100 * 1000 } };
    CHECK(setitimer(ITIMER_REAL, &once, NULL));
    n = lab_call(lab, recv(pair[1], buf, sizeof buf, 0));
    err = errno;
    lab_expect(lab, n == -1 && err == EINTR, "the interrupted recv() fails with EINTR");
    close(pair[0]);
    close(pair[1]);

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
