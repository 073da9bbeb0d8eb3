/* labs/06-time-wait.c — who ends in TIME-WAIT, for how long, and what it does
 * to a server that restarts.
 *
 * What it shows
 *   1. the side that closes first passes FIN-WAIT-2 and ends in TIME-WAIT; the
 *      other passes CLOSE-WAIT and LAST-ACK and is gone;
 *   2. how long TIME-WAIT lasts on Linux, read from the kernel's own timer, and
 *      a new SYN on the same 4-tuple ending one early;
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
#include <sys/socket.h>
#include <unistd.h>

static const struct sl_lab_flag flags[] = {
    { "wait-out", N_("wait (up to 61 s) for a TIME-WAIT to expire (ignored with --auto)") },
    { NULL, NULL },
};

static const struct sl_lab_info info = {
    .number = 6,
    .name = "time-wait",
    .title = N_("TIME-WAIT: who gets it, for how long, and EADDRINUSE"),
    .goal = N_("See that the side closing first ends in TIME-WAIT, which starts at 60 s on "
               "Linux, why a restarting server's bind() fails with EADDRINUSE and how "
               "SO_REUSEADDR (on both the old and the new socket) avoids it, and which "
               "sysctls matter."),
    .ports = 4,
    .flags = flags,
};

#define TIME_WAIT_MS 60000      /* TCP_TIMEWAIT_LEN: compiled into the kernel */
#define CONNECTIONS 20          /* per side in the last step */


/* One connection to listener, closed first by the server or by the client;
 * the closer's tuple and the other side's go into the lists (the server's
 * closes first, then the clients'). */
struct closes {
    struct sl_tuple closer[2 * CONNECTIONS], other[2 * CONNECTIONS];
    int count;
};

static void connect_and_close(int listener, bool server_first, struct closes *log)
{
    int client = sl_connect_to(listener, 2000);
    int server = CHECK(sl_accept_within(listener, 2000));
    int first = server_first ? server : client, second = server_first ? client : server;
    if (log) {
        CHECK_TRUE(sl_tuple_of_fd(first, &log->closer[log->count]));
        CHECK_TRUE(sl_tuple_of_fd(second, &log->other[log->count]));
        log->count++;
    }
    CHECK(close(first));
    sl_wait_fd(second, POLLIN, 2000);            /* its FIN */
    CHECK(close(second));
}

/* The old server of steps 6 and 7 (fd: its socket, options set): it binds,
 * listens, accepts one connection and closes it first, then stops. A port
 * another run holds is a set-up error. */
static void run_old_server(struct sl_lab *lab, int fd, struct sockaddr_storage *addr,
                           socklen_t *len)
{
    if (bind(fd, (struct sockaddr *)addr, *len) == -1)
        sl_lab_setup_error(lab, "cannot bind the old server: %s; a TIME-WAIT of another run "
                                "(it may be another user's) may hold the port: wait 60 s or "
                                "choose another --port", strerrorname_np(errno));
    CHECK(getsockname(fd, (struct sockaddr *)addr, len));   /* the port it got */
    CHECK(listen(fd, 8));
    sl_lab_track_port(lab, sl_local_port(fd));
    connect_and_close(fd, true, NULL);           /* the server closes first */
    CHECK(close(fd));
}

/* How many of a list of tuples the snapshot shows in TIME-WAIT. */
struct tuples {
    const struct sl_tuple *list;
    int count;
};

static int in_time_wait(const struct sl_snapshot *snap, void *arg)
{
    const struct tuples *t = arg;
    int found = 0;
    for (int i = 0; i < t->count; i++) {
        const struct sl_socket *s = sl_snapshot_find(snap, &t->list[i]);
        found += s && s->state == SL_TCP_TIME_WAIT;
    }
    return found;
}

/* Keep each tuple once: a connection that reused the 4-tuple of an earlier
 * one's TIME-WAIT ended it early (step 5 shows how), so each 4-tuple
 * leaves one TIME-WAIT. Returns how many are left. */
static int distinct(struct sl_tuple *list, int count)
{
    int kept = 0;
    for (int i = 0; i < count; i++) {
        bool seen = false;
        for (int j = 0; j < kept && !seen; j++)
            seen = sl_tuple_equal(&list[i], &list[j]);
        if (!seen)
            list[kept++] = list[i];
    }
    return kept;
}

/* Room for the lab's TIME-WAIT records in this network namespace
 * (tcp_max_tw_buckets, minus those in use); when there is none, the closing
 * steps are skipped, with the reason. */
static bool time_wait_room(struct sl_lab *lab)
{
    long max = sl_lab_sysctl(lab, "net.ipv4.tcp_max_tw_buckets");
    struct sl_filter f;
    sl_filter_init(&f);
    f.states = SL_STATE_BIT(SL_TCP_TIME_WAIT);
    struct sl_snapshot snap = { 0 };
    long now = sl_snapshot_take(&snap, &f, SL_SOURCE_AUTO) == 0 ? (long)snap.count : 0;
    sl_snapshot_free(&snap);
    if (max < 0 || max - now >= 3 * CONNECTIONS)
        return true;
    lab_skip(lab, "net.ipv4.tcp_max_tw_buckets leaves room for fewer TIME-WAIT records than "
                  "this lab makes (about 50)", "the closing steps: FIN-WAIT-2, TIME-WAIT, "
                  "EADDRINUSE and SO_REUSEADDR");
    return false;
}

/* How long a closed socket may wait in FIN-WAIT-2, measured on this kernel:
 * tcp_fin_timeout up to 60 s; above, (t - 60) s as a full socket, then as
 * long again as a time-wait record; never below 3.5 retransmission timeouts. */
static double orphan_lifetime_ms(long fin_timeout, double rto_ms)
{
    double ms = fin_timeout <= 60 ? fin_timeout * 1000.0 : 2 * (fin_timeout - 60) * 1000.0;
    return ms > 3.5 * rto_ms ? ms : 3.5 * rto_ms;
}

struct connection {
    int pair[2];
    struct sl_tuple client, server;
    double client_closed_at, server_closed_at;
    long fin_timeout;
    bool time_wait;                              /* the client reached TIME-WAIT */
};

static void step_connection(struct sl_lab *lab, struct connection *c)
{
    lab_step(lab, "A connection");
    lab_say(lab, "A client and a server's accepted socket, connected over loopback. "
                 "Nobody has closed anything yet.");
    sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), c->pair);
    sl_lab_follow_pair(lab, c->pair, &c->client, &c->server);
    sl_lab_observe(lab);
    lab_expect(lab, sl_lab_state(lab, &c->client) == SL_TCP_ESTABLISHED &&
                    sl_lab_state(lab, &c->server) == SL_TCP_ESTABLISHED,
               "both ends are ESTAB");
    lab_pause(lab, "one connection, both ends ESTAB");
}

/* False when this machine has no room for the lab's TIME-WAIT records. */
static bool step_close_first(struct sl_lab *lab, struct connection *c)
{
    lab_step(lab, "The client closes first");
    lab_say(lab, "The client calls close(): with nothing unread it sends a FIN (with unread "
                 "data, or SO_LINGER {1, 0}, close() sends a RST and nobody gets TIME-WAIT: "
                 "lab 09, steps 4 and 5). The server's kernel acknowledges it; its program "
                 "learns of it the next time it reads (recv() returns 0). A closed socket "
                 "waits in FIN-WAIT-2 only as long as tcp_fin_timeout allows.");
    if (!time_wait_room(lab))
        return false;
    c->fin_timeout = sl_lab_sysctl(lab, "net.ipv4.tcp_fin_timeout");
    c->client_closed_at = sl_clock_ms();
    CHECK(close(c->pair[0]));
    lab_expect(lab, sl_lab_wait_state(lab, &c->server, SL_TCP_CLOSE_WAIT, 1000),
               "the server, which received the FIN, is in CLOSE-WAIT");
    lab_expect(lab, sl_lab_wait_state(lab, &c->client, SL_TCP_FIN_WAIT2, 1000),
               "the client, whose FIN was acknowledged, is in FIN-WAIT-2");
    struct sl_wire_match fin_acked[] = {
        { .from = &c->client, .flags = SL_TCP_FIN },
        { .from = &c->server, .flags = SL_TCP_ACK, .without = SL_TCP_FIN | SL_TCP_RST } };
    lab_expect_segments(lab, fin_acked, 2, 1000, "on the wire: the client's F., the server's .");
    const struct sl_socket *server = sl_lab_socket(lab, &c->server);
    lab_expect(lab, server && server->recv_q == 1,
               "the server's Recv-Q reads 1 with no data sent: the FIN, not read yet");
    lab_say(lab, "ss counts the FIN in the queues: it takes one sequence number, and Recv-Q "
                 "is \"received minus read\" until recv() returns 0 (lab 05). In FIN-WAIT-1 "
                 "the client's Send-Q reads 1 the same way: its FIN, not yet acknowledged.");
    lab_pause(lab, "the client in FIN-WAIT-2, the server in CLOSE-WAIT");
    return true;
}

static void step_close_second(struct sl_lab *lab, struct connection *c)
{
    lab_step(lab, "The server closes too");
    lab_say(lab, "CLOSE-WAIT lasts until the server's program closes or shuts down its side "
                 "(or a RST arrives). It calls close(): its FIN goes out and it waits in "
                 "LAST-ACK for the client's ACK. On loopback that ACK comes back within "
                 "microseconds, faster than any polling sees (sockdash --trace, as root, "
                 "catches it). The client answers from TIME-WAIT.");
    double waited = sl_clock_ms() - c->client_closed_at;
    c->server_closed_at = sl_clock_ms();
    CHECK(close(c->pair[1]));
    if (waited > orphan_lifetime_ms(c->fin_timeout, 200) - 500)
        lab_skip(lab, "the client waited longer in FIN-WAIT-2 than tcp_fin_timeout allows, "
                      "so the kernel had removed it; run again without a long pause",
                 "the client, which closed first, is in TIME-WAIT");
    else
        c->time_wait = lab_expect(lab, sl_lab_wait_state(lab, &c->client, SL_TCP_TIME_WAIT,
                                                         1000),
                                  "the client, which closed first, is in TIME-WAIT");
    lab_expect(lab, sl_lab_wait_state(lab, &c->server, 0, 1000),
               "the server's socket, which closed second, is gone: no TIME-WAIT for it");
    struct sl_wire_match last_ack[] = {
        { .from = &c->server, .flags = SL_TCP_FIN },
        { .from = &c->client, .flags = SL_TCP_ACK, .without = SL_TCP_FIN | SL_TCP_RST } };
    if (c->time_wait)
        lab_expect_segments(lab, last_ack, 2, 1000, "on the wire: the server's F., then the "
                            "last ACK (.) from the client, which sent the first FIN");
    lab_pause(lab, "the client alone, in TIME-WAIT; the server is gone");
}

static void step_how_long(struct sl_lab *lab, struct connection *c)
{
    lab_step(lab, "How long TIME-WAIT lasts on Linux");
    lab_say(lab, "Claim M46 (docs/myths.md): TIME_WAIT lasts 4 minutes (2 MSL, MSL = 2 "
                 "min). Linux starts the timer at "
                 "60 s (TCP_TIMEWAIT_LEN, compiled in; Linux has no MSL setting, and "
                 "tcp_fin_timeout does not change it). A retransmitted FIN restarts it; an "
                 "acceptable new SYN on the same 4-tuple, tcp_tw_reuse, or a RST end it "
                 "early (a RST only while tcp_rfc1337 = 0; 1 ignores it).");
    sl_lab_sysctl(lab, "net.ipv4.tcp_rfc1337");
    sl_lab_observe(lab);
    const struct sl_socket *tw = sl_lab_socket(lab, &c->client);
    double since = sl_clock_ms() - c->server_closed_at;   /* the timer started after that */
    unsigned left_ms = tw ? tw->timer_ms : 0;
    lab_show(lab, "the kernel's timer on it: %.1f s left, %.1f s after the server's close",
             left_ms / 1000.0, since / 1000.0);
    if (!c->time_wait)
        lab_skip(lab, "the client's FIN-WAIT-2 ran out before the server closed (step 3)",
                 "the TIME-WAIT timer started at 60 s, not 4 minutes");
    else
        lab_expect(lab, tw && tw->timer == SL_TIMER_TIMEWAIT && left_ms <= TIME_WAIT_MS &&
                        left_ms + since + 100 >= TIME_WAIT_MS,
                   "the TIME-WAIT timer started at 60 s (%u ms left), not 4 minutes", left_ms);
    lab_pause(lab, "TIME-WAIT, about 60 s left: timer:(timewait,...)");
    if (sl_lab_flag(lab, "wait-out") && !sl_lab_auto(lab))
        lab_expect(lab, sl_lab_wait_state(lab, &c->client, 0, 61000),
                   "the TIME-WAIT socket is gone once its 60 s are over");
}

static void step_new_syn(struct sl_lab *lab)
{
    lab_step(lab, "A new SYN on the same 4-tuple ends a TIME-WAIT early");
    lab_say(lab, "The server closes first, so its side holds the TIME-WAIT. A new client "
                 "binds the old client's port and connects again. Its SYN carries a higher "
                 "sequence number (RFC 1122, 4.2.2.13) and a newer timestamp (RFC 6191): "
                 "either lets the kernel hand the 4-tuple to the new connection at once "
                 "instead of after 60 s.");
    int listener = sl_listen_on(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), 8);
    struct sockaddr_storage from, to;
    socklen_t len = sl_lab_address(lab, 0, &from), to_len = sizeof to;
    CHECK(getsockname(listener, (struct sockaddr *)&to, &to_len));
    int client = CHECK(socket(from.ss_family, SOCK_STREAM, 0));
    CHECK(bind(client, (struct sockaddr *)&from, len));   /* a port nobody else uses */
    CHECK(getsockname(client, (struct sockaddr *)&from, &len));
    CHECK(connect(client, (struct sockaddr *)&to, to_len));
    int server = CHECK(sl_accept_within(listener, 2000));
    struct sl_tuple old_server;
    sl_lab_follow(lab, server, &old_server);
    CHECK(close(server));                                   /* the server closes first */
    sl_wait_fd(client, POLLIN, 2000);
    CHECK(close(client));
    lab_expect(lab, sl_lab_wait_state(lab, &old_server, SL_TCP_TIME_WAIT, 1000),
               "the server's side, which closed first, is in TIME-WAIT");
    client = CHECK(socket(from.ss_family, SOCK_STREAM, 0));
    CHECK(bind(client, (struct sockaddr *)&from, len));   /* the old client's port again */
    sl_bound_blocking(client, 2000);
    int rc = lab_call(lab, connect(client, (struct sockaddr *)&to, to_len));
    server = CHECK(sl_accept_within(listener, 2000));
    lab_expect(lab, rc == 0 && sl_lab_wait_state(lab, &old_server, SL_TCP_ESTABLISHED, 1000),
               "the same 4-tuple is ESTABLISHED again: the new SYN ended the TIME-WAIT");
    close(client);
    close(server);
    close(listener);
}

static void step_restart(struct sl_lab *lab)
{
    lab_step(lab, "A server restarts: bind() to a port in TIME-WAIT");
    lab_say(lab, "A server with SO_REUSEADDR accepts a connection and closes it first, so "
                 "the TIME-WAIT is on the server's own port. Then the server stops (its "
                 "listener closes) and a new one binds the same port.");
    struct sockaddr_storage addr;
    socklen_t len = sl_lab_address(lab, sl_lab_port(lab, 1), &addr);
    int on = 1;
    int old = CHECK(socket(addr.ss_family, SOCK_STREAM, 0));
    CHECK(setsockopt(old, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));
    run_old_server(lab, old, &addr, &len);
    int fresh = CHECK(socket(addr.ss_family, SOCK_STREAM, 0));
    int rc = lab_call(lab, bind(fresh, (struct sockaddr *)&addr, len));
    lab_expect(lab, rc == -1 && errno == EADDRINUSE,
               "without SO_REUSEADDR, bind() fails with EADDRINUSE while TIME-WAIT holds the port");
    CHECK(setsockopt(fresh, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));
    rc = lab_call(lab, bind(fresh, (struct sockaddr *)&addr, len));
    int listening = rc == 0 ? lab_call(lab, listen(fresh, 8)) : -1;
    lab_expect(lab, rc == 0 && listening == 0,
               "with SO_REUSEADDR, bind() and listen() succeed at once");
    close(fresh);
}

static void step_old_reuseaddr(struct sl_lab *lab)
{
    lab_step(lab, "The old socket's SO_REUSEADDR counts too");
    lab_say(lab, "Same again, but the old server did not set SO_REUSEADDR. The TIME-WAIT "
                 "socket inherited the option (listener -> accepted socket -> TIME-WAIT), "
                 "and the kernel's bind check needs it on both sides.");
    struct sockaddr_storage addr;
    socklen_t len = sl_lab_address(lab, sl_lab_port(lab, 2), &addr);
    int old = CHECK(socket(addr.ss_family, SOCK_STREAM, 0));    /* no SO_REUSEADDR */
    run_old_server(lab, old, &addr, &len);
    int fresh = CHECK(socket(addr.ss_family, SOCK_STREAM, 0)), on = 1;
    CHECK(setsockopt(fresh, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));
    int rc = lab_call(lab, bind(fresh, (struct sockaddr *)&addr, len));
    lab_expect(lab, rc == -1 && errno == EADDRINUSE,
               "with SO_REUSEADDR on the new socket only, bind() still fails with EADDRINUSE");
    close(fresh);
}

static void step_sysctls(struct sl_lab *lab)
{
    lab_step(lab, "What the sysctls govern");
    lab_say(lab, "tcp_fin_timeout limits how long a *closed* socket waits in FIN-WAIT-2 for "
                 "the peer's FIN: up to 60 s as a time-wait record; above 60 s it first stays "
                 "a full socket with a keepalive timer for the excess. tcp_tw_reuse (2 = "
                 "loopback only) lets a new *outgoing* connection take a TIME-WAIT's 4-tuple "
                 "when timestamps prove it safe and the TIME-WAIT is old enough: "
                 "tcp_tw_reuse_delay, a sysctl since Linux 6.14 (1000 ms by default), a "
                 "fixed 1 s before. tcp_tw_recycle broke clients behind NAT and was removed "
                 "in Linux 4.12.");
    long fin_timeout = sl_lab_sysctl(lab, "net.ipv4.tcp_fin_timeout");
    sl_lab_sysctl(lab, "net.ipv4.tcp_tw_reuse");
    sl_lab_sysctl(lab, "net.ipv4.tcp_tw_reuse_delay");
    int pair[2];
    struct sl_tuple client, server;
    sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), pair);
    sl_lab_untrack_all(lab);                     /* this pair alone */
    sl_lab_follow_pair(lab, pair, &client, &server);
    struct tcp_info ti;
    socklen_t ti_len = sizeof ti;
    CHECK(getsockopt(pair[1], IPPROTO_TCP, TCP_INFO, &ti, &ti_len));
    double closed_at = sl_clock_ms(), limit = orphan_lifetime_ms(fin_timeout, ti.tcpi_rto / 1000.0);
    CHECK(close(pair[1]));                           /* server closes, client never does */
    sl_lab_wait_state(lab, &server, SL_TCP_FIN_WAIT2, 1000);
    const struct sl_socket *orphan = sl_lab_socket(lab, &server);
    double since = sl_clock_ms() - closed_at, first = fin_timeout > 60 ? limit / 2 : limit;
    bool full = fin_timeout > 60;                    /* a full socket first, keepalive timer */
    lab_expect(lab, orphan && orphan->state == SL_TCP_FIN_WAIT2 &&
                    orphan->timer == (full ? SL_TIMER_KEEPALIVE : SL_TIMER_TIMEWAIT) &&
                    orphan->timer_ms <= first + 100 && orphan->timer_ms + since + 100 >= first,
               "a closed socket in FIN-WAIT-2 is timed by tcp_fin_timeout (%ld s): %s timer, "
               "%.0f s", fin_timeout, full ? _("a keepalive") : _("a time-wait"), first / 1000);
    lab_expect(lab, sl_lab_sysctl(lab, "net.ipv4.tcp_tw_recycle") == -1,
               "/proc/sys/net/ipv4/tcp_tw_recycle does not exist on this kernel");
    lab_pause(lab, "the closed socket: FIN-WAIT-2, timed by tcp_fin_timeout");
    close(pair[0]);
}

/* False (and the step skipped, with the reason) when clients would run out
 * of ports: ip_local_port_range. */
static bool enough_client_ports(struct sl_lab *lab)
{
    long range[2] = { 0, 0 };
    sl_lab_sysctl_values(lab, "net.ipv4.ip_local_port_range", range, 2);
    if (range[1] - range[0] >= 3 * CONNECTIONS)
        return true;
    lab_skip(lab, "ip_local_port_range leaves too few client ports for this step",
             "each connection leaves one TIME-WAIT, on the side that closed first");
    return false;
}

static void step_who_collects(struct sl_lab *lab)
{
    lab_step(lab, "Who collects TIME-WAIT: the side that closes first");
    lab_say(lab, "A keep-alive server that closes idle connections itself collects one "
                 "TIME-WAIT per connection on its own port; when clients close first, the "
                 "TIME-WAITs are theirs. %d connections each way, each to its own listener "
                 "(so no client reuses a 4-tuple the server's side holds):", CONNECTIONS);
    if (!enough_client_ports(lab))
        return;
    int servers_close = sl_listen_on(sl_lab_bind_ip(lab), sl_lab_port(lab, 3), 32);
    int clients_close = sl_listen_on(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), 32);
    sl_lab_track_port(lab, sl_local_port(servers_close));
    sl_lab_track_port(lab, sl_local_port(clients_close));
    struct closes log = { .count = 0 };
    for (int i = 0; i < CONNECTIONS; i++)
        connect_and_close(servers_close, true, &log);
    for (int i = 0; i < CONNECTIONS; i++)
        connect_and_close(clients_close, false, &log);
    struct tuples by_server = { log.closer, distinct(log.closer, CONNECTIONS) };
    struct tuples by_client = { log.closer + CONNECTIONS,
                                distinct(log.closer + CONNECTIONS, CONNECTIONS) };
    struct tuples others = { log.other, 2 * CONNECTIONS };
    int server_side = sl_lab_wait_count(lab, in_time_wait, &by_server,
                                        by_server.count, 3000);
    int client_side = sl_lab_wait_count(lab, in_time_wait, &by_client,
                                        by_client.count, 3000);
    int wrong_side = sl_lab_wait_count(lab, in_time_wait, &others, 0, 0);
    lab_show(lab, "the server closes: %d of %d 4-tuples in TIME-WAIT on the server's side",
             server_side, by_server.count);
    lab_show(lab, "the clients close: %d of %d 4-tuples in TIME-WAIT on the clients' side",
             client_side, by_client.count);
    lab_expect(lab, server_side == by_server.count &&
                    client_side == by_client.count && !wrong_side,
               "each connection leaves one TIME-WAIT, on the side that closed first");
    uint16_t port = sl_local_port(servers_close);
    sl_lab_untrack_all(lab);                 /* one port at the pause */
    sl_lab_track_port(lab, port);
    lab_pause(lab, "%d TIME-WAIT on port %u, the server's side", server_side, port);
    CHECK(close(servers_close));
    CHECK(close(clients_close));
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    struct connection c = { .time_wait = false };

    step_connection(lab, &c);
    if (step_close_first(lab, &c)) {
        step_close_second(lab, &c);
        step_how_long(lab, &c);
        step_new_syn(lab);
        step_restart(lab);
        step_old_reuseaddr(lab);
        step_sysctls(lab);
        step_who_collects(lab);
        lab_say(lab, "This lab leaves its TIME-WAIT sockets behind, as TCP requires; the "
                     "kernel removes them within 60 s.");
    }
    return sl_lab_end(lab);
}
