/* labs/05-sigpipe.c — writing to a peer that has closed: which send() works,
 * what the peer answers, who raises SIGPIPE, and how programs opt out.
 *
 * What it shows
 *   1. the server closes: it sends a FIN, the client goes to CLOSE-WAIT;
 *   2. the client's first send() after that succeeds: the data is queued and
 *      sent, and the server's kernel, whose program closed, answers with a
 *      RST, which ends the client's connection and leaves EPIPE in SO_ERROR;
 *   3. recv() on that socket returns 0: the FIN came before the RST;
 *   4. the next send(), with the default SIGPIPE disposition, kills the
 *      *sending* process with SIGPIPE (shown in a child);
 *   5. with SIGPIPE ignored, the same send() fails with EPIPE;
 *   6. MSG_NOSIGNAL gives EPIPE without a signal, for one call;
 *   7. a RST while still ESTABLISHED (the peer closed with unread data): the
 *      first send() fails with ECONNRESET and no signal, the next with EPIPE
 *      and SIGPIPE;
 *   8. the RST's error is reported once, to whichever call looks first.
 *
 * Run it
 *   terminal 1:  socklab run 5
 *   terminal 2:  at the pause, the ss command it prints
 *
 * What you should see
 *   At the pause, the client in CLOSE-WAIT and the server's socket in
 *   FIN-WAIT-2 (closed, waiting for the client's FIN). After the first send,
 *   the client's connection is gone from ss: the RST ended it.
 *
 * Notes: docs/labs/05-sigpipe.md  (socklab notes 5) */
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/lab.h"
#include "socklab/net.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 5,
    .name = "sigpipe",
    .title = N_("SIGPIPE: writing to a closed peer"),
    .goal = N_("See that the first send() to a closed peer succeeds and draws a RST, that "
               "the next one raises SIGPIPE in the sending process itself (not in the "
               "peer), and how SIG_IGN, MSG_NOSIGNAL and SO_ERROR let a program handle it."),
    .ports = 1,
};

/* A connected pair whose server side has closed and whose client has then
 * sent once, drawing the RST: the state every later step starts from. */
static int reset_client(struct sl_lab *lab)
{
    int pair[2];
    sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), pair);
    CHECK(close(pair[1]));
    sl_wait_fd(pair[0], POLLIN, 1000);              /* the FIN has arrived */
    CHECK(send(pair[0], "x", 1, MSG_NOSIGNAL));
    double deadline = sl_clock_ms() + 1000;         /* POLLHUP: the RST has ended it */
    while (!(sl_wait_fd(pair[0], POLLIN, 100) & POLLHUP) && sl_clock_ms() < deadline)
        sl_sleep_ms(1);
    return pair[0];
}

/* A connected pair whose server closes with one byte unread: its close()
 * sends a RST, which reaches a client that is still ESTABLISHED. */
static int reset_while_established(struct sl_lab *lab)
{
    int pair[2];
    struct sl_tuple client, server;
    sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), pair);
    sl_lab_untrack_all(lab);                    /* watch this pair alone */
    sl_lab_follow_pair(lab, pair, &client, &server);
    CHECK(send(pair[0], "x", 1, 0));
    sl_wait_fd(pair[1], POLLIN, 1000);              /* the byte is there, unread */
    CHECK(close(pair[1]));
    lab_expect(lab, sl_lab_wait_state(lab, &client, 0, 1000) && !sl_lab_state(lab, &server),
               "close() with unread data sends a RST: both ends are gone at once, with no "
               "FIN-WAIT, CLOSE-WAIT or TIME-WAIT");
    return pair[0];
}

/* "was killed by SIGPIPE" or "exited with status 0", after "the child". */
static const char *child_fate(int status, char *buf, size_t len)
{
    const char *signal_name = WIFSIGNALED(status) ? sigabbrev_np(WTERMSIG(status)) : NULL;
    if (signal_name)
        snprintf(buf, len, _("was killed by SIG%s"), signal_name);
    else
        sl_wait_status_describe(status, buf, len);
    return buf;
}

static void step_reset_established(struct sl_lab *lab)
{
    lab_step(lab, "A RST while ESTABLISHED: ECONNRESET first, then EPIPE and SIGPIPE");
    lab_say(lab, "The client sends 1 byte the server never reads, then the server calls "
                 "close(): with unread data that sends a RST, not a FIN, so the client is "
                 "reset while still ESTABLISHED. A child with SIGPIPE at its default sends "
                 "twice and reports the first answer through a pipe.");
    int client = reset_while_established(lab), report[2];
    CHECK(pipe(report));
    pid_t child = sl_lab_fork(lab);
    if (child == 0) {
        signal(SIGPIPE, SIG_DFL);
        int first = send(client, "hello", 5, 0) == -1 ? errno : 0;   /* ECONNRESET */
        bool told = write(report[1], &first, sizeof first) == sizeof first;
        send(client, "again", 5, 0);              /* EPIPE, and SIGPIPE ends the child */
        _exit(told ? 0 : 1);
    }
    close(report[1]);
    close(client);
    int first = 0, status;
    bool reported = read(report[0], &first, sizeof first) == sizeof first;
    close(report[0]);
    sl_lab_wait_child(lab, child, 2000, &status);
    char name[16], text[64];
    lab_show(lab, "the child's first send(): %s; then the child %s",
             reported && first ? sl_errno_name(first, name) : _("no error"),
             child_fate(status, text, sizeof text));
    lab_expect(lab, reported && first == ECONNRESET,
               "the first send() after a RST in ESTABLISHED fails with ECONNRESET, and "
               "raises no SIGPIPE (the child lived to report it)");
    lab_expect(lab, WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE,
               "the next send() fails with EPIPE and raises SIGPIPE: it killed the child");
    lab_pause(lab, "both ends gone at once: no line left, no TIME-WAIT");
}

static void step_recv_first(struct sl_lab *lab)
{
    lab_step(lab, "The RST's error is reported once: here recv() looks first");
    lab_say(lab, "The same reset, but recv() is the first call to look: it takes the "
                 "ECONNRESET. The error is then gone: recv() returns 0, and send() fails "
                 "with EPIPE (MSG_NOSIGNAL keeps the lab alive).");
    int client = reset_while_established(lab);
    char buf[16];
    ssize_t n = lab_call(lab, recv(client, buf, sizeof buf, MSG_DONTWAIT));
    lab_expect(lab, n == -1 && errno == ECONNRESET, "recv() first: it fails with ECONNRESET");
    n = lab_call(lab, recv(client, buf, sizeof buf, MSG_DONTWAIT));
    ssize_t sent = lab_call(lab, send(client, "hello", 5, MSG_NOSIGNAL));
    lab_expect(lab, n == 0 && sent == -1 && errno == EPIPE,
               "after that recv() returns 0 and send() fails with EPIPE: ECONNRESET is "
               "reported once");
    close(client);
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    char buf[64], status_text[64];
    int status;

    lab_step(lab, "The server closes its socket");
    lab_say(lab, "A connected pair; the server calls close(). Its FIN reaches the client, "
                 "which moves to CLOSE-WAIT: it knows the server will send nothing more. "
                 "It does not know whether the server still reads.");
    long fin_timeout = sl_lab_sysctl(lab, "net.ipv4.tcp_fin_timeout");
    int pair[2];
    sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), pair);
    int client = pair[0];
    struct sl_tuple client_tuple, server_tuple;
    sl_lab_follow_pair(lab, pair, &client_tuple, &server_tuple);
    CHECK(close(pair[1]));
    lab_expect(lab, sl_lab_wait_state(lab, &client_tuple, SL_TCP_CLOSE_WAIT, 1000),
               "the client is in CLOSE-WAIT");
    long buckets = sl_lab_sysctl(lab, "net.ipv4.tcp_max_tw_buckets");
    if (buckets == 0 && fin_timeout <= 60)     /* a closed socket waits as a time-wait record */
        lab_expect(lab, sl_lab_wait_state(lab, &server_tuple, 0, 1000),
                   "with tcp_max_tw_buckets = 0 there is no room for the time-wait record a "
                   "closed socket waits in: the kernel drops the server's socket instead");
    else
        lab_expect(lab, sl_lab_wait_state(lab, &server_tuple, SL_TCP_FIN_WAIT2, 1000),
                   "the server's closed socket reaches FIN-WAIT-2 once the client ACKs its FIN "
                   "(FIN-WAIT-1 until then: a ms or two on a connection that carried no "
                   "data, some 40 ms, the delayed ACK, after data)");
    lab_say(lab, "Claim M36 (docs/myths.md): the side that closes goes to TIME_WAIT at "
                 "once. It goes to "
                 "FIN-WAIT-2 first; TIME-WAIT comes only after the other side's FIN. A "
                 "closed socket waits there at most tcp_fin_timeout (%ld s here).", fin_timeout);
    lab_pause(lab, "the client in CLOSE-WAIT, the server in FIN-WAIT-2");

    lab_step(lab, "The first send() after the peer closed");
    lab_say(lab, "send() only copies the data into the socket's send buffer; the kernel "
                 "sends it. The server's socket still exists (FIN-WAIT-2, step 1), but its "
                 "program closed it: nothing can ever read the data, so the server's kernel "
                 "answers with a RST.");
    ssize_t n = lab_call(lab, send(client, "hello", 5, MSG_NOSIGNAL));
    lab_expect(lab, n == 5, "the first send() to a closed peer succeeds: it returns 5");
    struct sl_wire_match data_then_reset[] = { { .from = &client_tuple, .data = true },
                                               { .from = &server_tuple, .flags = SL_TCP_RST } };
    lab_expect_segments(lab, data_then_reset, 2, 1000,
                        "on the wire: the 5 bytes went out (P.) and the closed peer answered R");
    lab_expect(lab, sl_lab_wait_state(lab, &client_tuple, 0, 1000),
               "the RST ends the client's connection: it is gone from the socket table");
    int so_error = 0;
    socklen_t len = sizeof so_error;
    CHECK(getsockopt(client, SOL_SOCKET, SO_ERROR, &so_error, &len));
    lab_show(lab, "SO_ERROR = %s", so_error ? strerrorname_np(so_error) : "0");
    lab_expect(lab, so_error == EPIPE,
               "the RST left EPIPE pending in SO_ERROR (a RST in CLOSE-WAIT means EPIPE, "
               "not ECONNRESET); reading SO_ERROR clears it");
    lab_expect(lab, !sl_lab_state(lab, &server_tuple),
               "the server's closed socket is gone too: nothing is left on the port");
    lab_pause(lab, "nothing left on the port: the RST ended both sockets");

    lab_step(lab, "recv() on the reset socket");
    lab_say(lab, "The client's receive queue still holds the server's FIN, which came "
                 "before the RST. What does recv() make of it?");
    n = lab_call(lab, recv(client, buf, sizeof buf, MSG_DONTWAIT));
    lab_expect(lab, n == 0, "recv() returns 0: the FIN was the last thing in the stream");
    close(client);

    lab_step(lab, "The next send(), default SIGPIPE disposition, in a child");
    lab_say(lab, "Claim M39 (docs/myths.md): the second send makes the client send SIGPIPE "
                 "to the server. No signal crosses the network: the kernel raises SIGPIPE in "
                 "the process that wrote, and by default SIGPIPE ends it. A child process "
                 "does the send, so the lab survives to tell.");
    client = reset_client(lab);
    pid_t child = sl_lab_fork(lab);
    if (child == 0) {
        signal(SIGPIPE, SIG_DFL);
        send(client, "again", 5, 0);              /* killed here */
        _exit(0);
    }
    close(client);
    sl_lab_wait_child(lab, child, 2000, &status);
    lab_show(lab, "the child %s", child_fate(status, status_text, sizeof status_text));
    lab_expect(lab, WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE,
               "the writing process itself is killed by SIGPIPE");

    lab_step(lab, "SIGPIPE ignored: send() fails with EPIPE");
    lab_say(lab, "A fresh reset connection, and this time the lab itself sends, with "
                 "SIGPIPE set to SIG_IGN: the kernel raises no signal, and send() reports "
                 "EPIPE instead.");
    client = reset_client(lab);
    struct sigaction ignore = { .sa_handler = SIG_IGN }, previous;
    CHECK(sigaction(SIGPIPE, &ignore, &previous));
    n = lab_call(lab, send(client, "again", 5, 0));
    lab_expect(lab, n == -1 && errno == EPIPE,
               "with SIGPIPE ignored the same send() fails with EPIPE, and the program "
               "goes on");
    CHECK(sigaction(SIGPIPE, &previous, NULL));
    close(client);

    lab_step(lab, "MSG_NOSIGNAL: EPIPE without the signal, for one call");
    lab_say(lab, "Ignoring SIGPIPE is process-wide (and a library cannot decide it for "
                 "its program). MSG_NOSIGNAL asks for EPIPE instead of the signal on "
                 "this one send(). The child keeps the default disposition to prove it.");
    client = reset_client(lab);
    child = sl_lab_fork(lab);
    if (child == 0) {
        signal(SIGPIPE, SIG_DFL);
        ssize_t r = send(client, "again", 5, MSG_NOSIGNAL);
        _exit(r == -1 && errno == EPIPE ? 0 : 1);
    }
    close(client);
    sl_lab_wait_child(lab, child, 2000, &status);
    lab_show(lab, "the child %s", child_fate(status, status_text, sizeof status_text));
    lab_expect(lab, WIFEXITED(status) && WEXITSTATUS(status) == 0,
               "with MSG_NOSIGNAL the child got EPIPE and lived, SIGPIPE at its default");

    step_reset_established(lab);
    step_recv_first(lab);
    return sl_lab_end(lab);
}
