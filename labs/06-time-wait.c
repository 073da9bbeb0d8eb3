/* labs/06-time-wait.c — who ends in TIME-WAIT, for how long, and what it does
 * to a server that restarts.
 *
 * What it shows
 *   1. the side that closes first passes FIN-WAIT-2 and ends in TIME-WAIT; the
 *      other passes CLOSE-WAIT and LAST-ACK and is gone;
 *   2. how long TIME-WAIT lasts on Linux, read from the kernel's own timer;
 *   3. bind() to a port held by TIME-WAIT: EADDRINUSE, unless SO_REUSEADDR;
 *   4. ... and unless the *old* socket had SO_REUSEADDR too;
 *   5. what tcp_fin_timeout, tcp_tw_reuse and the removed tcp_tw_recycle govern;
 *   6. a server that closes its connections first collects the TIME-WAITs.
 *
 * Run it
 *   terminal 1:  socklab run 6            (--wait-out: watch one TIME-WAIT expire)
 *   terminal 2:  at a pause, the ss command it prints (-o shows the timers)
 *   terminal 3:  socklab dash --port PORT, to see the states change
 *
 * What you should see
 *   The client in FIN-WAIT-2 and the server in CLOSE-WAIT, then the client in
 *   TIME-WAIT with about 60 s left. The lab leaves its TIME-WAIT sockets behind
 *   on purpose; the kernel removes them within 60 s.
 *
 * Notes: docs/labs/06-time-wait.md  (socklab notes 6) */
#include "socklab/addr.h"
#include "socklab/check.h"
#include "socklab/diag.h"
#include "socklab/lab.h"
#include "socklab/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct sl_lab_flag flags[] = {
    { "wait-out", "wait (up to 61 s) for a TIME-WAIT to expire (ignored with --auto)" },
    { NULL, NULL },
};

static const struct sl_lab_info info = {
    .number = 6,
    .name = "time-wait",
    .title = "TIME-WAIT: who gets it, for how long, and EADDRINUSE",
    .goal = "See that the side closing first ends in TIME-WAIT for 60 s on Linux, why a "
            "restarting server's bind() fails with EADDRINUSE and how SO_REUSEADDR (on "
            "both the old and the new socket) avoids it, and which sysctls matter.",
    .ports = 4,
    .flags = flags,
};

/* A listener on the lab's address, with or without SO_REUSEADDR; -1 and errno
 * when bind() fails. */
static int listener_on(struct sl_lab *lab, uint16_t port, int reuse)
{
    struct sockaddr_storage addr;
    socklen_t len;
    const char *why;
    sl_addr_parse_ip(sl_lab_bind_ip(lab), port, &addr, &len, &why);
    int fd = CHECK(socket(addr.ss_family, SOCK_STREAM, 0));
    CHECK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse));
    if (bind(fd, (struct sockaddr *)&addr, len) == -1) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    CHECK(listen(fd, 32));
    return fd;
}

/* One connection to listener, closed by the server first: the server's side
 * of it ends in TIME-WAIT on the listener's port. */
static void server_closes_first(int listener)
{
    int client = sl_connect_to(listener, 2000);
    int server = CHECK(sl_accept_within(listener, 2000));
    CHECK(close(server));
    sl_wait_fd(client, POLLIN, 2000);            /* the server's FIN */
    CHECK(close(client));
}

/* TIME-WAIT sockets whose local (or peer) port is port, read quietly. */
static int count_time_wait(uint16_t port, bool local)
{
    struct sl_filter f;
    sl_filter_init(&f);
    f.states = SL_STATE_BIT(SL_TCP_TIME_WAIT);
    sl_filter_add_range(&f, port, port);
    struct sl_snapshot snap = { 0 };
    int n = 0;
    if (sl_snapshot_take(&snap, &f, SL_SOURCE_AUTO) == 0)
        for (size_t i = 0; i < snap.count; i++)
            n += (local ? snap.sockets[i].tuple.local_port : snap.sockets[i].tuple.peer_port) == port;
    sl_snapshot_free(&snap);
    return n;
}

static long read_sysctl(const char *name)
{
    char path[128], text[32] = "";
    snprintf(path, sizeof path, "/proc/sys/net/ipv4/%s", name);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    if (!fgets(text, sizeof text, f))
        text[0] = '\0';
    fclose(f);
    return strtol(text, NULL, 10);
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);

    lab_step(lab, "A connection");
    lab_say(lab, "A client and a server's accepted socket, connected over loopback. "
                 "Nobody has closed anything yet.");
    int pair[2];
    sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), pair);
    struct sl_tuple client, server;
    sl_tuple_of_fd(pair[0], &client);
    sl_tuple_of_fd(pair[1], &server);
    sl_lab_track_port(lab, server.local_port);
    sl_lab_observe(lab);
    lab_expect(lab, sl_lab_state(lab, &client) == SL_TCP_ESTABLISHED &&
                    sl_lab_state(lab, &server) == SL_TCP_ESTABLISHED,
               "both ends are ESTAB");
    lab_pause(lab, "one connection, both ends ESTAB");

    lab_step(lab, "The client closes first");
    lab_say(lab, "The client calls close(): its FIN goes out, the server's kernel "
                 "acknowledges it, and the server's program learns of it the next time "
                 "it reads (recv() returns 0).");
    CHECK(close(pair[0]));
    lab_expect(lab, sl_lab_wait_state(lab, &server, SL_TCP_CLOSE_WAIT, 1000),
               "the server, which received the FIN, is in CLOSE-WAIT");
    lab_expect(lab, sl_lab_wait_state(lab, &client, SL_TCP_FIN_WAIT2, 1000),
               "the client, whose FIN was acknowledged, is in FIN-WAIT-2");
    lab_pause(lab, "the client in FIN-WAIT-2, the server in CLOSE-WAIT");

    lab_step(lab, "The server closes too");
    lab_say(lab, "The server calls close(): its FIN goes out and it waits in LAST-ACK for "
                 "the client's ACK. On loopback that ACK comes back within microseconds, "
                 "faster than any polling sees (sockdash --trace, as root, catches it). "
                 "The client answers from TIME-WAIT.");
    CHECK(close(pair[1]));
    lab_expect(lab, sl_lab_wait_state(lab, &client, SL_TCP_TIME_WAIT, 1000),
               "the client, which closed first, is in TIME-WAIT");
    lab_expect(lab, sl_lab_wait_state(lab, &server, 0, 1000),
               "the server's socket, which closed second, is gone: no TIME-WAIT for it");

    lab_step(lab, "How long TIME-WAIT lasts on Linux");
    const struct sl_socket *tw = sl_lab_socket(lab, &client);
    unsigned left_ms = tw ? tw->timer_ms : 0;
    long fin_timeout = read_sysctl("tcp_fin_timeout");
    lab_show(lab, "the kernel's timer on it: %.1f s left; tcp_fin_timeout = %ld s",
             left_ms / 1000.0, fin_timeout);
    lab_say(lab, "The notes say TIME-WAIT waits 4 minutes (2 MSL with MSL = 2 min). Linux "
                 "holds it 60 s, a constant compiled into the kernel (TCP_TIMEWAIT_LEN); "
                 "tcp_fin_timeout does not change it.");
    lab_expect(lab, tw && tw->timer == SL_TIMER_TIMEWAIT && left_ms > 50000 && left_ms <= 60000,
               "the TIME-WAIT timer started at 60 s (%u ms left), not 4 minutes", left_ms);
    lab_pause(lab, "TIME-WAIT with about 60 s on its timer (ss -o: timer:(timewait,...))");
    if (sl_lab_flag(lab, "wait-out") && !sl_lab_auto(lab))
        lab_expect(lab, sl_lab_wait_state(lab, &client, 0, 61000),
                   "the TIME-WAIT socket is gone once its 60 s are over");

    lab_step(lab, "A server restarts: bind() to a port in TIME-WAIT");
    lab_say(lab, "A server accepts a connection and closes it first, so the TIME-WAIT is "
                 "on the server's own port. Then the server stops (its listener closes) "
                 "and starts again on the same port.");
    int old = listener_on(lab, sl_lab_port(lab, 1), 1);        /* the old server: SO_REUSEADDR */
    if (old == -1)
        sl_lab_setup_error(lab, "cannot bind port %u: %s", sl_lab_port(lab, 1),
                           strerrorname_np(errno));
    uint16_t port = sl_local_port(old);
    sl_lab_track_port(lab, port);
    server_closes_first(old);
    CHECK(close(old));
    lab_show(lab, "TIME-WAIT sockets on port %u: %d", port, count_time_wait(port, true));
    int fresh = listener_on(lab, port, 0);
    int err = errno;
    lab_show(lab, "new listener without SO_REUSEADDR: %s", fresh == -1 ? strerrorname_np(err) : "bound");
    lab_expect(lab, fresh == -1 && err == EADDRINUSE,
               "without SO_REUSEADDR, bind() fails with EADDRINUSE while TIME-WAIT holds the port");
    fresh = listener_on(lab, port, 1);
    lab_expect(lab, fresh >= 0, "with SO_REUSEADDR, bind() and listen() succeed at once");
    if (fresh >= 0)
        close(fresh);

    lab_step(lab, "The old socket's SO_REUSEADDR counts too");
    lab_say(lab, "Same again, but the old server did not set SO_REUSEADDR. The TIME-WAIT "
                 "socket inherited the option (listener -> accepted socket -> TIME-WAIT), "
                 "and the kernel's bind check needs it on both sides.");
    old = listener_on(lab, sl_lab_port(lab, 2), 0);
    if (old == -1)
        sl_lab_setup_error(lab, "port %u is held by another run's TIME-WAIT (it may be "
                                "another user's); wait 60 s or choose another --port",
                           sl_lab_port(lab, 2));
    port = sl_local_port(old);
    sl_lab_track_port(lab, port);
    server_closes_first(old);
    CHECK(close(old));
    fresh = listener_on(lab, port, 1);
    err = errno;
    lab_show(lab, "new listener with SO_REUSEADDR: %s", fresh == -1 ? strerrorname_np(err) : "bound");
    lab_expect(lab, fresh == -1 && err == EADDRINUSE,
               "with SO_REUSEADDR on the new socket only, bind() still fails with EADDRINUSE");
    if (fresh >= 0)
        close(fresh);

    lab_step(lab, "What the sysctls govern");
    lab_say(lab, "tcp_fin_timeout limits how long a *closed* socket may wait in "
                 "FIN-WAIT-2 for the peer's FIN. tcp_tw_reuse (now %ld; 2 = loopback only) "
                 "lets new outgoing connections reuse a TIME-WAIT 4-tuple when TCP "
                 "timestamps prove it safe. tcp_tw_recycle, often advised in old notes, "
                 "broke clients behind NAT and was removed in Linux 4.12.",
            read_sysctl("tcp_tw_reuse"));
    sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), pair);
    sl_tuple_of_fd(pair[1], &server);
    sl_lab_track_port(lab, server.local_port);
    CHECK(close(pair[1]));                           /* server closes, client never does */
    sl_lab_wait_state(lab, &server, SL_TCP_FIN_WAIT2, 1000);
    const struct sl_socket *orphan = sl_lab_socket(lab, &server);
    lab_expect(lab, orphan && orphan->timer == SL_TIMER_TIMEWAIT &&
                    orphan->timer_ms <= fin_timeout * 1000 &&
                    orphan->timer_ms > (fin_timeout - 5) * 1000,
               "a closed socket in FIN-WAIT-2 is timed by tcp_fin_timeout (%ld s)", fin_timeout);
    lab_expect(lab, read_sysctl("tcp_tw_recycle") == -1 && errno == ENOENT,
               "/proc/sys/net/ipv4/tcp_tw_recycle does not exist on this kernel");
    close(pair[0]);

    lab_step(lab, "Who collects TIME-WAIT: the side that closes first");
    lab_say(lab, "A keep-alive server that closes idle connections itself collects one "
                 "TIME-WAIT per connection on its own port; when clients close first, "
                 "the TIME-WAITs are theirs. 20 connections each way:");
    int listener = sl_listen_on(sl_lab_bind_ip(lab), sl_lab_port(lab, 3), 32);
    port = sl_local_port(listener);
    sl_lab_track_port(lab, port);
    int before_server = count_time_wait(port, true), before_client = count_time_wait(port, false);
    for (int i = 0; i < 20; i++)
        server_closes_first(listener);
    int server_side = count_time_wait(port, true) - before_server;
    for (int i = 0; i < 20; i++) {                 /* now the clients close first */
        int c = sl_connect_to(listener, 2000);
        int s = CHECK(sl_accept_within(listener, 2000));
        CHECK(close(c));
        sl_wait_fd(s, POLLIN, 2000);
        CHECK(close(s));
    }
    int client_side = count_time_wait(port, false) - before_client;
    lab_show(lab, "server closes first: %d new TIME-WAIT on the server's port %u", server_side, port);
    lab_show(lab, "clients close first: %d new TIME-WAIT on the clients' side", client_side);
    lab_expect(lab, server_side == 20 && client_side == 20 &&
                    count_time_wait(port, true) - before_server == 20,
               "each connection leaves one TIME-WAIT, on the side that closed first");
    lab_pause(lab, "20 TIME-WAIT on port %u, the server's side of the first 20", port);
    CHECK(close(listener));

    lab_say(lab, "This lab leaves its TIME-WAIT sockets behind, as TCP requires; the "
                 "kernel removes them within 60 s.");
    return sl_lab_end(lab);
}
