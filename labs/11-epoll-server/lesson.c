/* labs/11-epoll-server/lesson.c — lab 11, the capstone: the original notes'
 * epoll server and a correct one, side by side, under the same clients.
 *
 * What it shows (each scenario on both servers, each a child of the lab)
 *   1. two servers: the notes' (listen backlog 10) and the correct one;
 *   2. keep-alive: the notes' server answers one request per connection;
 *   3. pipelined requests (answered in order, or dropped) and a half-close;
 *   4. who gets TIME-WAIT: the side that closes first;
 *   5. half a request: the notes' read loop spins on EAGAIN, at a full CPU;
 *   6. a slow reader: the notes' blocking send() makes everyone wait;
 *   7. a burst of 200 connections: all served;
 *   8. sizeof(events) as maxevents: 30 events in a 20-slot array;
 *   9. EMFILE: the notes' accept loop strands clients for good;
 *  10. idle and slowloris clients: held forever, or closed at a deadline;
 *  11. an oversized request: past the notes' fixed buffer, or 431;
 *  12. what each of the correct server's techniques saves, in system calls.
 *
 * Run it
 *   terminal 1:  socklab run 11
 *   terminal 2:  sockdash --port N,M (the two ports it prints), or at a pause
 *                the ss command it prints
 *
 * What you should see
 *   At step 4, TIME-WAIT on the notes' port; at step 5, the notes' server at
 *   100% CPU in top; at step 9, the notes' listener with connections in its
 *   Recv-Q that no one will ever accept.
 *
 * Files: notes-server.c (the notes, transcribed on purpose), server.c (the
 * correct server), clients.c, servers.c, lesson-http.c, lesson-abuse.c,
 * lesson-cost.c.
 * Notes: docs/labs/11-epoll-server.md  (socklab notes 11) */
#include "lesson.h"

#include "lesson-steps.h"

#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/diag.h"
#include "socklab/lab.h"
#include "socklab/tcpstate.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 11,
    .name = "epoll-server",
    .title = N_("The notes' epoll server, measured, beside a correct one"),
    .goal = N_("Run the original notes' edge-triggered server and a correct one under the "
               "same clients and see each bug of the notes happen: one request per "
               "connection, a spinning read loop, a blocking send, stranded connections "
               "at EMFILE, no deadlines, a fixed buffer, maxevents in bytes."),
    .ports = 2,
};

#define BIG_EXTRA (1 << 20)     /* the big reply: tcp_wmem's maximum and 1 MiB */
#define BIG_MOST (256 << 20)    /* beyond this the lab will not write it out twice */

void lesson_reverse_tuple(const struct sl_tuple *t, struct sl_tuple *out)
{
    struct sl_tuple from = *t;                  /* t and out may be the same */
    *out = from;
    out->local_port = from.peer_port;
    out->peer_port = from.local_port;
    memcpy(out->local, from.peer, sizeof out->local);
    memcpy(out->peer, from.local, sizeof out->peer);
}

/* How many of the tuples' sockets pass match in one fresh snapshot (queue:
 * the Recv-Q of the first one found, or -1). */
static int count_now(const struct sl_tuple *tuples, int n,
                     bool (*match)(const struct sl_socket *, int), int arg, int *queue)
{
    struct sl_snapshot snap = { 0 };
    int count = 0;
    *queue = -1;
    if (sl_snapshot_take(&snap, NULL, SL_SOURCE_AUTO) == 0)
        for (int i = 0; i < n; i++) {
            const struct sl_socket *s = sl_snapshot_find(&snap, &tuples[i]);
            if (s && *queue < 0)
                *queue = (int)s->recv_q;
            count += s && match(s, arg);
        }
    sl_snapshot_free(&snap);
    return count;
}

int lesson_count_sockets(const struct sl_tuple *tuples, int n,
                         bool (*match)(const struct sl_socket *, int), int arg, int timeout_ms)
{
    double deadline = sl_clock_ms() + timeout_ms;
    int count, queue;
    while ((count = count_now(tuples, n, match, arg, &queue)) < n && sl_clock_ms() < deadline)
        sl_sleep_ms(5);
    return count;
}

bool lesson_enough_descriptors(struct sl_lab *lab, long needed)
{
    struct rlimit limit;
    CHECK(getrlimit(RLIMIT_NOFILE, &limit));
    if (limit.rlim_cur >= (rlim_t)needed)
        return true;
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < (rlim_t)needed)
        return false;
    lab_show(lab, "RLIMIT_NOFILE raised from %ld to %ld for the lab's clients",
             (long)limit.rlim_cur, needed);
    limit.rlim_cur = (rlim_t)needed;
    return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

int lesson_time_wait_count(void)
{
    struct sl_filter only;
    char why[128];
    sl_filter_init(&only);
    struct sl_snapshot snap = { 0 };
    int count = 0;
    if (sl_filter_set_states(&only, "time-wait", why, sizeof why) &&
        sl_snapshot_take(&snap, &only, SL_SOURCE_AUTO) == 0)
        count = (int)snap.count;
    sl_snapshot_free(&snap);
    return count;
}

bool lesson_in_state(const struct sl_socket *s, int state)
{
    return s->state == state;
}

int lesson_count_observed(const struct sl_lab *lab, const struct sl_tuple *tuples, int n,
                          int state)
{
    int count = 0;
    for (int i = 0; i < n; i++)
        count += sl_lab_state(lab, &tuples[i]) == state;
    return count;
}

bool lesson_queue_at_most(const struct sl_socket *s, int most)
{
    return s->recv_q <= (uint32_t)most;
}

bool lesson_queue_at_least(const struct sl_socket *s, int least)
{
    return s->recv_q >= (uint32_t)least;
}

bool lesson_wait_queue(const struct http_client *c, bool server_side,
                       bool (*match)(const struct sl_socket *, int), int bytes, int timeout_ms)
{
    struct sl_tuple tuple;
    sl_tuple_of_fd(c->fd, &tuple);
    if (server_side)
        lesson_reverse_tuple(&tuple, &tuple);
    return lesson_count_sockets(&tuple, 1, match, bytes, timeout_ms) == 1;
}

int lesson_requests_queued(const struct http_client *c, int n, int timeout_ms)
{
    struct sl_tuple servers[n];
    for (int i = 0; i < n; i++) {
        memset(&servers[i], 0, sizeof servers[i]);
        if (c[i].fd >= 0 && sl_tuple_of_fd(c[i].fd, &servers[i]))
            lesson_reverse_tuple(&servers[i], &servers[i]);
    }
    return lesson_count_sockets(servers, n, lesson_queue_at_least, 1, timeout_ms);
}

int lesson_accept_queue(const struct lab_server *s, int timeout_ms)
{
    struct sl_tuple listener;
    sl_tuple_of_fd(s->listener, &listener);
    double deadline = sl_clock_ms() + timeout_ms;
    int queue;
    while (count_now(&listener, 1, lesson_queue_at_most, 0, &queue) < 1 &&
           sl_clock_ms() < deadline)
        sl_sleep_ms(5);
    return queue < 0 ? 0 : queue;
}

/* The temporary root, for the lab that ends during the step (q at a pause). */
static char big_file[96];

static void remove_big_file(void)
{
    if (big_file[0]) {
        unlink(big_file);
        *strrchr(big_file, '/') = '\0';
        rmdir(big_file);
        big_file[0] = '\0';
    }
}

/* The file the slow-reader step asks for: more than a send buffer can hold,
 * as /big under a temporary root, and the same bytes as the notes' reply. */
bool lesson_make_big_reply(struct lesson *l)
{
    long wmem[3] = { 0, 0, 4 << 20 };
    sl_lab_sysctl_values(l->lab, "net.ipv4.tcp_wmem", wmem, 3);
    l->big_size = (size_t)wmem[2] + BIG_EXTRA;
    if (l->big_size > BIG_MOST)
        return false;
    snprintf(l->root, sizeof l->root, "/tmp/socklab-lab11-XXXXXX");
    CHECK(mkdtemp(l->root) ? 0 : -1);
    char head[128];
    snprintf(big_file, sizeof big_file, "%s/big", l->root);
    static bool registered;
    if (!registered && atexit(remove_big_file) == 0)
        registered = true;
    int head_len = snprintf(head, sizeof head,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                            "Content-Length: %zu\r\n\r\n", l->big_size);
    char *bytes = malloc((size_t)head_len + l->big_size);
    CHECK(bytes ? 0 : -1);
    memcpy(bytes, head, (size_t)head_len);
    memset(bytes + head_len, 'x', l->big_size);
    int fd = CHECK(open(big_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    for (size_t done = 0; done < l->big_size;)
        done += (size_t)CHECK(write(fd, bytes + head_len + done, l->big_size - done));
    CHECK(close(fd));
    l->big_reply.bytes = bytes;
    l->big_reply.len = (size_t)head_len + l->big_size;
    return true;
}

void lesson_remove_big_reply(struct lesson *l)
{
    remove_big_file();
    free((char *)l->big_reply.bytes);
}

static void step_two_servers(struct lesson *l)
{
    lab_step(l->lab, "Two servers side by side");
    lab_say(l->lab, "The notes' server (notes-server.c, their loop transcribed into C, "
                    "bugs kept, each marked) and the correct one (server.c). The lab keeps "
                    "both listening sockets; each step starts a fresh child on each, runs "
                    "the same clients against both, and ends them.");
    server_open(l->lab, &l->servers[NOTES], SERVER_NOTES, 0);
    server_open(l->lab, &l->servers[CORRECT], SERVER_CORRECT, 1);
    struct sl_tuple notes, correct;
    sl_tuple_of_fd(l->servers[NOTES].listener, &notes);
    sl_tuple_of_fd(l->servers[CORRECT].listener, &correct);
    sl_lab_observe(l->lab);
    const struct sl_socket *listening = sl_lab_socket(l->lab, &notes);
    lab_show(l->lab, "the notes' server listens on port %u, the correct one on port %u",
             l->servers[NOTES].port, l->servers[CORRECT].port);
    lab_expect(l->lab, listening && listening->state == SL_TCP_LISTEN &&
                           sl_lab_state(l->lab, &correct) == SL_TCP_LISTEN,
               "both servers' sockets are in LISTEN");
    long somaxconn = sl_lab_sysctl(l->lab, "net.core.somaxconn");
    long backlog = somaxconn >= 0 && somaxconn < NOTES_BACKLOG ? somaxconn : NOTES_BACKLOG;
    struct sl_snapshot source = { 0 };                  /* which source answers */
    bool netlink = sl_snapshot_take(&source, NULL, SL_SOURCE_AUTO) == 0 &&
                   source.source == SL_SOURCE_NETLINK;
    sl_snapshot_free(&source);
    if (!netlink)
        lab_skip(l->lab, "/proc/net/tcp does not show a listener's backlog",
                 "the notes' listener shows its backlog as Send-Q");
    else
        lab_expect(l->lab, listening && listening->send_q == (uint32_t)backlog,
                   "the notes' listener shows its backlog as Send-Q: listen(sock, 10), "
                   "capped at net.core.somaxconn, is %ld", backlog);
    lab_pause(l->lab, "two LISTEN sockets; run sockdash --port %u,%u in another pane",
              l->servers[NOTES].port, l->servers[CORRECT].port);
}

int lab11_lesson(int argc, char **argv)
{
    struct lesson l = { .lab = sl_lab_begin(argc, argv, &info) };
    l.ip = sl_lab_bind_ip(l.lab);

    step_two_servers(&l);
    step_keep_alive(&l);
    step_pipelined(&l);
    step_time_wait(&l);
    step_half_request(&l);
    step_slow_reader(&l);
    step_burst(&l);
    step_maxevents(&l);
    step_emfile(&l);
    step_idle_and_slowloris(&l);
    step_oversized(&l);
    step_cost(&l);

    for (int k = 0; k < SERVERS; k++)
        server_close(&l.servers[k]);
    return sl_lab_end(l.lab);
}
