/* labs/05-sigpipe.c — writing to a peer that has closed: which send() works,
 * what the peer answers, who raises SIGPIPE, and how programs opt out.
 *
 * What it shows
 *   1. the server closes: it sends a FIN, the client goes to CLOSE-WAIT;
 *   2. the client's first send() after that succeeds: the data is queued and
 *      sent, and the closed socket answers with a RST;
 *   3. the RST ends the client's connection, leaving EPIPE in SO_ERROR;
 *   4. the next send(), with the default SIGPIPE disposition, kills the
 *      *sending* process with SIGPIPE (shown in a child);
 *   5. with SIGPIPE ignored, the same send() fails with EPIPE;
 *   6. MSG_NOSIGNAL gives EPIPE without a signal, for one call;
 *   7. recv() on that socket returns 0: the FIN came before the RST.
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
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 5,
    .name = "sigpipe",
    .title = "SIGPIPE: writing to a closed peer",
    .goal = "See that the first send() to a closed peer succeeds and draws a RST, that "
            "the next one raises SIGPIPE in the sending process itself (not in the "
            "peer), and how SIG_IGN, MSG_NOSIGNAL and SO_ERROR let a program handle it.",
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

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    char buf[64], status_text[64];
    int status;

    lab_step(lab, "The server closes its socket");
    lab_say(lab, "A connected pair; the server calls close(). Its FIN reaches the client, "
                 "which moves to CLOSE-WAIT: it knows the server will send nothing more. "
                 "It does not know whether the server still reads.");
    int pair[2];
    sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), pair);
    int client = pair[0];
    struct sl_tuple client_tuple, server_tuple;
    sl_tuple_of_fd(client, &client_tuple);
    sl_tuple_of_fd(pair[1], &server_tuple);
    sl_lab_track_port(lab, server_tuple.local_port);
    CHECK(close(pair[1]));
    lab_expect(lab, sl_lab_wait_state(lab, &client_tuple, SL_TCP_CLOSE_WAIT, 1000),
               "the client is in CLOSE-WAIT");
    lab_expect(lab, sl_lab_wait_state(lab, &server_tuple, SL_TCP_FIN_WAIT2, 1000),
               "the server's closed socket reaches FIN-WAIT-2 once the client ACKs its FIN "
               "(Linux may delay that ACK by a few tens of ms: FIN-WAIT-1 until then)");
    lab_say(lab, "The notes say the side that closes goes to TIME_WAIT at once. It goes to "
                 "FIN-WAIT-2 first; TIME-WAIT comes only after the other side's FIN.");
    lab_pause(lab, "the client in CLOSE-WAIT, the server in FIN-WAIT-2");

    lab_step(lab, "The first send() after the peer closed");
    lab_say(lab, "send() only copies the data into the socket's send buffer; the kernel "
                 "sends it. The server has no socket to read it with any more, so its "
                 "kernel answers with a RST.");
    ssize_t n = lab_call(lab, send(client, "hello", 5, MSG_NOSIGNAL));
    lab_expect(lab, n == 5, "the first send() to a closed peer succeeds: it returns 5");
    lab_expect(lab, sl_lab_wait_state(lab, &client_tuple, 0, 1000),
               "the RST ends the client's connection: it is gone from the socket table");
    int so_error = 0;
    socklen_t len = sizeof so_error;
    CHECK(getsockopt(client, SOL_SOCKET, SO_ERROR, &so_error, &len));
    lab_show(lab, "SO_ERROR = %s", so_error ? strerrorname_np(so_error) : "0");
    lab_expect(lab, so_error == EPIPE,
               "the RST left EPIPE pending in SO_ERROR (a RST in CLOSE-WAIT means EPIPE, "
               "not ECONNRESET); reading SO_ERROR clears it");

    lab_step(lab, "recv() on the reset socket");
    n = lab_call(lab, recv(client, buf, sizeof buf, MSG_DONTWAIT));
    lab_expect(lab, n == 0, "recv() returns 0: the FIN was the last thing in the stream");
    close(client);

    lab_step(lab, "The next send(), default SIGPIPE disposition, in a child");
    lab_say(lab, "The notes say the second send makes the client send SIGPIPE to the "
                 "server. No signal crosses the network: the kernel raises SIGPIPE in "
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
    lab_show(lab, "the child %s", sl_wait_status_describe(status, status_text, sizeof status_text));
    lab_expect(lab, WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE,
               "the writing process itself is killed by SIGPIPE");

    lab_step(lab, "SIGPIPE ignored: send() fails with EPIPE");
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
    lab_show(lab, "the child %s", sl_wait_status_describe(status, status_text, sizeof status_text));
    lab_expect(lab, WIFEXITED(status) && WEXITSTATUS(status) == 0,
               "with MSG_NOSIGNAL the child got EPIPE and lived, SIGPIPE at its default");

    return sl_lab_end(lab);
}
