/* labs/11-epoll-server/lesson-http.c — lab 11's steps with well-behaved
 * clients: keep-alive, pipelining, who keeps TIME-WAIT, a burst of
 * connections, and the notes' maxevents under load. Each step runs the same
 * clients against both servers, then checks what it counted. */
#include "lesson-steps.h"

#include "socklab/clock.h"
#include "socklab/diag.h"
#include "socklab/lab.h"
#include "socklab/tcpstate.h"

#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define KEEP_ALIVE_REQUESTS 100
#define TIME_WAIT_CONNECTIONS 20
#define BURST 200
#define BURST_MS 4000
#define MAXEVENTS_CLIENTS 30

void step_keep_alive(struct lesson *l)
{
    lab_step(l->lab, "Keep-alive: 100 requests on one connection");
    lab_say(l->lab, "HTTP/1.1 keeps a connection open between requests unless one side "
                    "says \"Connection: close\". One client sends 100 requests, one after "
                    "the other, on a single connection, and counts the replies. In "
                    "sockdash the notes' connection goes to TIME-WAIT on the server's port "
                    "after its first reply; the correct server's stays ESTAB.");
    int answered[SERVERS];
    for (int k = 0; k < SERVERS; k++) {
        struct lab_server *s = &l->servers[k];
        server_start(l->lab, s, NULL);
        struct http_client c;
        answered[k] = 0;
        int status;
        if (client_open(&c, l->ip, s->port, 0, 2000))
            while (answered[k] < KEEP_ALIVE_REQUESTS &&
                   client_send_text(&c, http_get_root, 2000) &&
                   client_read_reply(&c, 2000, &status, NULL) == REPLY_FULL)
                answered[k]++;
        lab_show(l->lab, "%s answered %d of %d requests", s->name, answered[k],
                 KEEP_ALIVE_REQUESTS);
        if (k == CORRECT)
            lab_pause(l->lab, "after 100 requests the connection to port %u is still ESTAB",
                      s->port);
        client_close(&c);
        server_stop(l->lab, s);
    }
    lab_expect(l->lab, answered[NOTES] == 1,
               "the notes' server answers one request, then closes the connection");
    lab_expect(l->lab, answered[CORRECT] == KEEP_ALIVE_REQUESTS,
               "the correct server answers all 100 requests on one connection");
    struct sl_wire_match reply_then_fin[] = {
        { .from_port = l->servers[NOTES].port, .data = true },
        { .from_port = l->servers[NOTES].port, .any = SL_TCP_FIN | SL_TCP_RST } },
                         handshake = { .from_port = l->servers[CORRECT].port,
                                       .flags = SL_TCP_SYN | SL_TCP_ACK };
    lab_expect_segments(l->lab, reply_then_fin, 2, 1000,
                        "on the wire: the notes' server sent its reply, then ended the "
                        "connection: F., or R. when the next request came before its close() "
                        "(unread data, lab 09)");
    lab_expect_segment_count(l->lab, &handshake, 1, 0,
                             "on the wire: one handshake (one S.) for the correct server's "
                             "100 replies");
}

/* Read replies until one does not come; their status codes go to statuses[]. */
static int read_replies(struct http_client *c, int *statuses, int max)
{
    int n = 0;
    while (n < max && client_read_reply(c, 2000, &statuses[n], NULL) == REPLY_FULL)
        n++;
    return n;
}

void step_pipelined(struct lesson *l)
{
    lab_step(l->lab, "Pipelined requests, and a client that half-closes");
    lab_say(l->lab, "Three requests in one send() (one segment): /, a path that does not "
                    "exist, / again. The replies must come back in that order: 200, 404, "
                    "200. Then a client sends one request and shuts down its sending "
                    "side (shutdown SHUT_WR) before reading: a FIN right after the request.");
    static const char three[] = "GET / HTTP/1.1\r\nHost: lab\r\n\r\n"
                                "GET /no-such-page HTTP/1.1\r\nHost: lab\r\n\r\n"
                                "GET / HTTP/1.1\r\nHost: lab\r\n\r\n";
    int pipelined[SERVERS], statuses[SERVERS][3] = { { 0 } };
    enum reply_outcome half_closed[SERVERS];
    for (int k = 0; k < SERVERS; k++) {
        struct lab_server *s = &l->servers[k];
        server_start(l->lab, s, NULL);
        struct http_client c;
        pipelined[k] = 0;
        if (client_open(&c, l->ip, s->port, 0, 2000) && client_send_text(&c, three, 2000))
            pipelined[k] = read_replies(&c, statuses[k], 3);
        client_close(&c);
        half_closed[k] = REPLY_CLOSED;
        int status = 0;
        if (client_open(&c, l->ip, s->port, 0, 2000) &&
            client_send_text(&c, http_get_root, 2000) && shutdown(c.fd, SHUT_WR) == 0)
            half_closed[k] = client_read_reply(&c, 2000, &status, NULL);
        client_close(&c);
        lab_show(l->lab, "%s: %d of 3 pipelined replies (%d %d %d); half-closed client: %s",
                 s->name, pipelined[k], statuses[k][0], statuses[k][1], statuses[k][2],
                 reply_outcome_name(half_closed[k]));
        server_stop(l->lab, s);
    }
    lab_expect(l->lab, pipelined[NOTES] == 1,
               "the notes' server answers the first of 3 pipelined requests and drops the "
               "other two with the connection");
    lab_expect(l->lab, pipelined[CORRECT] == 3 && statuses[CORRECT][0] == 200 &&
                           statuses[CORRECT][1] == 404 && statuses[CORRECT][2] == 200,
               "the correct server answers 3 pipelined requests in order: 200, 404, 200");
    lab_expect(l->lab, half_closed[NOTES] == REPLY_FULL && half_closed[CORRECT] == REPLY_FULL,
               "a client that half-closes after its request still gets its reply from both");
}

/* One request on each of n new connections, whose tuples go to tuples[]. When
 * client_closes_first, each client closes once it has the reply; otherwise it
 * waits (bounded) for the server to close, then closes. */
static void one_request_each(struct lesson *l, const struct lab_server *s, int n,
                             bool client_closes_first, struct sl_tuple *tuples)
{
    for (int i = 0; i < n; i++) {
        struct http_client c;
        int status;
        memset(&tuples[i], 0, sizeof tuples[i]);
        if (!client_open(&c, l->ip, s->port, 0, 2000))
            continue;
        sl_tuple_of_fd(c.fd, &tuples[i]);
        if (client_send_text(&c, http_get_root, 2000))
            client_read_reply(&c, 2000, &status, NULL);
        if (!client_closes_first)
            client_wait_closed(&c, 2000);
        client_close(&c);
    }
}

void step_time_wait(struct lesson *l)
{
    lab_step(l->lab, "Who gets TIME-WAIT");
    lab_say(l->lab, "TIME-WAIT stays with the side that closes first. The notes' server "
                    "closes each connection after one reply: the TIME-WAITs pile up on "
                    "its own port. With keep-alive the client closes first and keeps "
                    "them. %d connections, one request each, on each server.",
            TIME_WAIT_CONNECTIONS);
    long buckets = sl_lab_sysctl(l->lab, "net.ipv4.tcp_max_tw_buckets");
    bool room = buckets < 0 || lesson_time_wait_count() + 2 * TIME_WAIT_CONNECTIONS <= buckets;
    struct sl_tuple clients[TIME_WAIT_CONNECTIONS], servers[TIME_WAIT_CONNECTIONS];
    int on_server[SERVERS] = { 0 }, on_client[SERVERS] = { 0 };
    for (int k = 0; k < SERVERS; k++) {
        struct lab_server *s = &l->servers[k];
        server_start(l->lab, s, NULL);
        one_request_each(l, s, TIME_WAIT_CONNECTIONS, k == CORRECT, clients);
        for (int i = 0; i < TIME_WAIT_CONNECTIONS; i++)
            lesson_reverse_tuple(&clients[i], &servers[i]);
        /* wait (bounded) for the side that should hold TIME-WAIT, then count
         * both sides in one observation */
        lesson_count_sockets(k == NOTES ? servers : clients, TIME_WAIT_CONNECTIONS,
                             lesson_in_state, SL_TCP_TIME_WAIT, 2000);
        sl_lab_observe(l->lab);
        on_server[k] = lesson_count_observed(l->lab, servers, TIME_WAIT_CONNECTIONS,
                                             SL_TCP_TIME_WAIT);
        on_client[k] = lesson_count_observed(l->lab, clients, TIME_WAIT_CONNECTIONS,
                                             SL_TCP_TIME_WAIT);
        lab_show(l->lab, "%s: %d TIME-WAIT on its port %u, %d on the clients' side",
                 s->name, on_server[k], s->port, on_client[k]);
        server_stop(l->lab, s);
    }
    lab_pause(l->lab, "TIME-WAIT on port %u (the notes' server); on the correct server's "
                      "port %u only as the peer port of the clients' TIME-WAIT",
              l->servers[NOTES].port, l->servers[CORRECT].port);
    if (!room) {
        const char *why = _("tcp_max_tw_buckets leaves no room for 40 more TIME-WAIT records");
        lab_skip(l->lab, why, "the notes' server closes first: all 20 TIME-WAIT are on the "
                              "server's port");
        lab_skip(l->lab, why, "with keep-alive the clients close first: all 20 TIME-WAIT "
                              "are theirs");
        return;
    }
    lab_expect(l->lab, on_server[NOTES] == TIME_WAIT_CONNECTIONS && on_client[NOTES] == 0,
               "the notes' server closes first: all 20 TIME-WAIT are on the server's port");
    lab_expect(l->lab, on_client[CORRECT] == TIME_WAIT_CONNECTIONS &&
                           on_server[CORRECT] == 0,
               "with keep-alive the clients close first: all 20 TIME-WAIT are theirs");
}

/* What this machine's settings rule out in the burst step: all of it or the
 * correct server's claim (NULL: nothing); and whether a final ACK that meets
 * a full accept queue is reset. Shown as read. */
struct burst_rules {
    const char *whole, *correct;
    bool overflow_resets;
};

static struct burst_rules burst_rules(struct lesson *l)
{
    struct burst_rules rules = { NULL, NULL, false };
    long ports[2] = { 32768, 60999 };
    sl_lab_sysctl_values(l->lab, "net.ipv4.ip_local_port_range", ports, 2);
    if (ports[1] - ports[0] + 1 < 2 * BURST)
        rules.whole = _("net.ipv4.ip_local_port_range leaves too few local ports for 200 "
                        "clients (and the TIME-WAIT of the steps before)");
    if (!lesson_enough_descriptors(l->lab, BURST + 64))
        rules.whole = _("RLIMIT_NOFILE (ulimit -n) is below 264 and cannot be raised");
    rules.overflow_resets = sl_lab_sysctl(l->lab, "net.ipv4.tcp_abort_on_overflow") > 0;
    if (sl_lab_sysctl(l->lab, "net.core.somaxconn") < BURST)
        rules.correct = _("net.core.somaxconn caps the correct server's accept queue below "
                          "200");
    sl_lab_sysctl(l->lab, "net.ipv4.tcp_syncookies");
    return rules;
}

void step_burst(struct lesson *l)
{
    lab_step(l->lab, "A burst of 200 connections");
    lab_say(l->lab, "200 clients connect at the same moment, each sends one request and "
                    "waits for its reply (at most %d s in all). The notes' server's "
                    "listen(sock, 10) leaves room for about 10 connections in the accept "
                    "queue (claim M65 in docs/myths.md: 10 is the most connections); the "
                    "kernel drops SYNs that do not fit, whatever tcp_abort_on_overflow "
                    "says. With SYN cookies a dropped client may "
                    "already believe it is connected: it sends its request again and "
                    "again, waiting twice as long each time: ss shows it ESTAB with its "
                    "request in Send-Q, while the server has no socket for it at all.",
            BURST_MS / 1000);
    const char *notes_claim = _("no client of the notes' server is refused: each is served or "
                                "still retrying what the full queue dropped");
    const char *correct_claim = _("the correct server serves every one of 200 simultaneous "
                                  "connections");
    struct burst_rules rules = burst_rules(l);
    struct burst_result got[SERVERS];
    for (int k = 0; k < SERVERS && !rules.whole; k++) {
        struct lab_server *s = &l->servers[k];
        server_start(l->lab, s, NULL);
        got[k] = client_burst(l->ip, s->port, BURST, http_get_root, BURST_MS);
        lab_show(l->lab, "%s: %d served (the last after %.0f ms), %d refused (%d reset); "
                 "still retrying: %d handshakes, %d requests", s->name, got[k].served,
                 got[k].slowest_ms, got[k].refused, got[k].reset, got[k].connecting,
                 got[k].waiting);
        server_stop(l->lab, s);
    }
    if (rules.whole)
        lab_skip(l->lab, rules.whole, "%s", notes_claim);
    else if (!rules.overflow_resets)
        lab_expect(l->lab, got[NOTES].refused == 0 && got[NOTES].unstarted == 0 &&
                               got[NOTES].served > 0, "%s", notes_claim);
    else                        /* a final ACK that meets the full queue is reset */
        lab_expect(l->lab, got[NOTES].refused == got[NOTES].reset && got[NOTES].unstarted == 0 &&
                               got[NOTES].served > 0,
                   "the notes' server turns no client away: each is served, still retrying, "
                   "or reset by its kernel when a final ACK met the full queue "
                   "(tcp_abort_on_overflow = 1): %d reset", got[NOTES].reset);
    if (rules.whole || rules.correct)
        lab_skip(l->lab, rules.whole ? rules.whole : rules.correct, "%s", correct_claim);
    else
        lab_expect(l->lab, got[CORRECT].served == BURST, "%s", correct_claim);
}

void step_maxevents(struct lesson *l)
{
    lab_step(l->lab, "sizeof(events) as maxevents, under load");
    lab_say(l->lab, "The notes' server passes sizeof(events) = %zu as maxevents for a "
                    "%d-slot array. 30 connected clients; the server is frozen (SIGSTOP) "
                    "while all 30 send a request, then let go (SIGCONT): its next "
                    "epoll_wait() finds 30 ready sockets. In the lab's transcription the "
                    "array starts a guard region, so the overflow is counted, not suffered.",
            sizeof(struct epoll_event[NOTES_EVENTS]), NOTES_EVENTS);
    int answered[SERVERS];
    bool all_ready = false;
    for (int k = 0; k < SERVERS; k++) {
        struct lab_server *s = &l->servers[k];
        int attempt = 0, queued;
        bool ready;
        do {                                /* all 30 ready at once, or no test at all */
            server_start(l->lab, s, NULL);
            struct http_client c[MAXEVENTS_CLIENTS];
            clients_open(c, MAXEVENTS_CLIENTS, l->ip, s->port);
            int unaccepted = lesson_accept_queue(s, 2000);
            server_freeze(s, true);
            clients_send_text(c, MAXEVENTS_CLIENTS, http_get_root);
            queued = lesson_requests_queued(c, MAXEVENTS_CLIENTS, 2000);
            server_freeze(s, false);
            answered[k] = clients_read_replies(c, MAXEVENTS_CLIENTS, 2000).full;
            clients_close(c, MAXEVENTS_CLIENTS);
            lab_show(l->lab, "%s: %d requests queued while frozen, %d answered", s->name,
                     queued, answered[k]);
            server_stop(l->lab, s);
            ready = unaccepted == 0 && queued == MAXEVENTS_CLIENTS;
        } while (!ready && sl_lab_again(l->lab, &attempt, "%d of 30 requests were ready "
                                                          "together", queued));
        if (k == NOTES)
            all_ready = ready;
    }
    int most = atomic_load(&l->servers[NOTES].report->most_events);
    lab_show(l->lab, "the notes' epoll_wait() returned at most %d events at once", most);
    lab_expect_sound(l->lab, all_ready, most == MAXEVENTS_CLIENTS,
                     "with maxevents = sizeof(events) the notes' server took 30 events into "
                     "its 20-slot array: %d past its end", most - NOTES_EVENTS);
    lab_expect(l->lab, answered[NOTES] == MAXEVENTS_CLIENTS &&
                           answered[CORRECT] == MAXEVENTS_CLIENTS,
               "both answer all 30 (in the notes' C program, the 10 extra events would "
               "have overwritten whatever follows the array)");
}
