/* labs/08-close-wait-leak.c — a server that forgets close(): CLOSE-WAIT piles
 * up, descriptors run out, and what EMFILE does to an epoll loop.
 *
 * What it shows
 *   1. recv() returns 0 and the server never calls close(): one CLOSE-WAIT per
 *      client, the clients in FIN-WAIT-2;
 *   2. no timer ends CLOSE-WAIT (unless SO_KEEPALIVE runs one); close() or
 *      shutdown() does, or the peer's RST;
 *   3. RLIMIT_NOFILE (ulimit -n) counts every descriptor, sockets, pipes,
 *      files and epoll instances alike: past it, each fails with EMFILE;
 *   4. EMFILE under level-triggered epoll: the listener stays readable and
 *      epoll_wait() returns at once, again and again — a busy loop;
 *   5. under edge-triggered epoll the waiting connection is stranded;
 *   6. the fix: a spare descriptor, given up to accept and turn the client away;
 *   7. accept()'s errors: which end the loop, and a reset connection.
 *
 * Run it
 *   terminal 1:  socklab run 8 --port 47300
 *   terminal 2:  at each pause, the ss command it prints
 *   terminal 3:  socklab dash --port 47300 (watch CLOSE-WAIT pile up)
 *
 * What you should see
 *   5 CLOSE-WAIT on the server's port and 5 FIN-WAIT-2 on the clients' side,
 *   until the server closes: then 5 TIME-WAIT on the clients' side. The lab
 *   lowers its own soft RLIMIT_NOFILE for steps 3 to 6 and restores it.
 *
 * Notes: docs/labs/08-close-wait-leak.md  (socklab notes 8) */
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/lab.h"
#include "socklab/net.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 8,
    .name = "close-wait-leak",
    .title = N_("CLOSE-WAIT leaks and EMFILE: a server that forgets close()"),
    .goal = N_("See CLOSE-WAIT pile up when a server never closes, that RLIMIT_NOFILE counts "
               "every descriptor, how EMFILE turns a level-triggered epoll loop into a busy "
               "loop or strands connections under edge-triggering, and how to recover."),
    .ports = 1,
    .bind_rules = SL_BIND_IPV6 | SL_BIND_WILDCARD,
};

#define LEAKS 5
#define LIMIT 64            /* the soft RLIMIT_NOFILE the lab runs steps 3-6 under */

/* Descriptors held only to use up the limit. */
struct hoard {
    int fds[LIMIT];
    int count;
};

/* Open sockets until socket() fails; returns its errno. */
static int hoard_fill(struct hoard *h)
{
    int fd;
    while (h->count < LIMIT && (fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0)
        h->fds[h->count++] = fd;
    return h->count < LIMIT ? errno : 0;
}

static void hoard_release(struct hoard *h)
{
    while (h->count > 0)
        close(h->fds[--h->count]);
}

/* Descriptors open now whose numbers are below limit (the ones it counts). */
static int open_below(int limit)
{
    DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        sl_die_errno(errno, "cannot list /proc/self/fd");
    int n = 0;
    for (struct dirent *e; (e = readdir(dir));)
        n += e->d_name[0] != '.' && atoi(e->d_name) < limit && atoi(e->d_name) != dirfd(dir);
    closedir(dir);
    return n;
}

/* How many of the connections, seen from the server (or from its clients),
 * are in `state`: waits (bounded) for the last one to get there first. */
static int count_in(struct sl_lab *lab, const int servers[LEAKS], bool client_side, int state)
{
    struct sl_tuple t[LEAKS];
    for (int i = 0; i < LEAKS; i++) {
        sl_tuple_of_fd(servers[i], &t[i]);
        if (client_side)
            t[i] = sl_tuple_other_end(&t[i]);
    }
    sl_lab_wait_state(lab, &t[LEAKS - 1], state, 1000);
    int n = 0;
    for (int i = 0; i < LEAKS; i++)
        n += sl_lab_state(lab, &t[i]) == state;
    return n;
}

/* The time-wait records this network namespace holds now: TIME-WAIT, and
 * FIN-WAIT-2 sockets whose program closed them (their timer: timewait). */
static int time_wait_records(void)
{
    struct sl_snapshot snap = { 0 };
    int n = 0;
    if (sl_snapshot_take(&snap, NULL, SL_SOURCE_AUTO) == 0)
        for (size_t i = 0; i < snap.count; i++)
            n += snap.sockets[i].timer == SL_TIMER_TIMEWAIT;
    sl_snapshot_free(&snap);
    return n;
}

/* Whether the kernel has room to keep the clients' closed sockets as
 * time-wait records (FIN-WAIT-2, then TIME-WAIT): tcp_max_tw_buckets bounds
 * the records of each network namespace. The reason when it has not. */
static bool time_wait_room(struct sl_lab *lab, char *why, size_t len)
{
    long buckets = sl_lab_sysctl(lab, "net.ipv4.tcp_max_tw_buckets");
    int held = time_wait_records();
    snprintf(why, len, _("net.ipv4.tcp_max_tw_buckets = %ld, with %d time-wait records held "
                         "in this network namespace, leaves no room for %d more: a client's "
                         "closed socket may vanish at once"), buckets, held, LEAKS);
    return buckets < 0 || buckets - held >= LEAKS;
}

static void step_forget(struct sl_lab *lab, int listener, int servers[LEAKS], bool *room)
{
    lab_step(lab, "A server that never calls close()");
    lab_say(lab, "%d clients connect, then close. The server reads: recv() returns 0, the "
                 "client is gone. The server forgets to close() its socket.", LEAKS);
    char buf[64];
    for (int i = 0; i < LEAKS; i++) {
        int client = sl_connect_to(listener, 1000);
        servers[i] = CHECK(accept(listener, NULL, NULL));
        CHECK(close(client));                           /* the client is done */
    }
    for (int i = 0; i < LEAKS; i++) {
        sl_wait_fd(servers[i], POLLIN, 1000);
        ssize_t n = i ? recv(servers[i], buf, sizeof buf, 0)
                      : lab_call(lab, recv(servers[i], buf, sizeof buf, 0));
        CHECK_TRUE(n == 0);
        /* ... and no close(servers[i]) here: the leak */
    }
    lab_expect(lab, count_in(lab, servers, false, SL_TCP_CLOSE_WAIT) == LEAKS,
               "one CLOSE-WAIT per client the server did not close: %d", LEAKS);
    char why[200];
    if ((*room = time_wait_room(lab, why, sizeof why)))
        lab_expect(lab, count_in(lab, servers, true, SL_TCP_FIN_WAIT2) == LEAKS,
                   "the clients wait in FIN-WAIT-2 for a FIN that does not come");
    else
        lab_skip(lab, why, "the clients wait in FIN-WAIT-2 for a FIN that does not come");
    lab_pause(lab, "%d CLOSE-WAIT on the server's port, %d FIN-WAIT-2 on the clients' side",
              LEAKS, LEAKS);
}

/* The CLOSE-WAIT sockets (of servers[from..]) with no timer: all of them? */
static bool no_timer_on(struct sl_lab *lab, const struct sl_tuple server[LEAKS], int from)
{
    bool untimed = true;
    for (int i = from; i < LEAKS; i++) {
        const struct sl_socket *s = sl_lab_socket(lab, &server[i]);
        untimed = untimed && s && s->state == SL_TCP_CLOSE_WAIT && s->timer == SL_TIMER_OFF;
    }
    return untimed;
}

/* Each client's orphaned FIN-WAIT-2 runs out within tcp_fin_timeout: above
 * 60 s a keepalive timer runs first, then a time-wait one. */
static bool orphans_timed(struct sl_lab *lab, const struct sl_tuple server[LEAKS], long fin_timeout)
{
    bool timed = true;
    for (int i = 0; i < LEAKS; i++) {
        struct sl_tuple client = sl_tuple_other_end(&server[i]);
        const struct sl_socket *c = sl_lab_socket(lab, &client);
        timed = timed && c && c->timer_ms <= (unsigned)fin_timeout * 1000 &&
                (c->timer == SL_TIMER_TIMEWAIT || c->timer == SL_TIMER_KEEPALIVE);
    }
    return timed;
}

static void step_close(struct sl_lab *lab, int servers[LEAKS], bool room)
{
    lab_step(lab, "What ends CLOSE-WAIT: close(), shutdown(), not a timer");
    lab_say(lab, "The clients closed their sockets, so the kernel owns their FIN-WAIT-2 and "
                 "ends it after tcp_fin_timeout. CLOSE-WAIT belongs to a program that still "
                 "holds the socket: no timer runs on it unless the program set SO_KEEPALIVE "
                 "(probes that end it once the peer is gone). The program ends it with "
                 "close(), or with shutdown(SHUT_WR): the FIN goes, the descriptor stays. A "
                 "RST from the peer ends it too (lab 05, step 2).");
    long fin_timeout = sl_lab_sysctl(lab, "net.ipv4.tcp_fin_timeout");
    struct sl_tuple server[LEAKS];
    for (int i = 0; i < LEAKS; i++)
        sl_tuple_of_fd(servers[i], &server[i]);
    CHECK(lab_call(lab, setsockopt(servers[0], SOL_SOCKET, SO_KEEPALIVE, &(int){ 1 }, sizeof(int))));
    sl_lab_observe(lab);
    const struct sl_socket *kept = sl_lab_socket(lab, &server[0]);
    lab_expect(lab, no_timer_on(lab, server, 1),
               "without SO_KEEPALIVE no timer runs on a CLOSE-WAIT socket: nothing will end it");
    lab_expect(lab, kept && kept->state == SL_TCP_CLOSE_WAIT && kept->timer == SL_TIMER_KEEPALIVE,
               "with SO_KEEPALIVE the CLOSE-WAIT has a keepalive timer: its probes find out "
               "whether the peer is still there");
    if (room)
        lab_expect(lab, orphans_timed(lab, server, fin_timeout),
                   "each orphaned FIN-WAIT-2 runs out in tcp_fin_timeout (%ld s)", fin_timeout);
    CHECK(lab_call(lab, shutdown(servers[1], SHUT_WR)));
    lab_expect(lab, sl_lab_wait_state(lab, &server[1], 0, 1000) && fcntl(servers[1], F_GETFD) != -1,
               "shutdown(SHUT_WR) sends the FIN: that CLOSE-WAIT passes LAST-ACK and is gone, "
               "its descriptor still open (the leak is the descriptor now)");
    for (int i = 0; i < LEAKS; i++)
        CHECK(i == 0 ? lab_call(lab, close(servers[0])) : close(servers[i]));
    struct sl_tuple last_client = sl_tuple_other_end(&server[LEAKS - 1]);
    sl_lab_wait_state(lab, &server[LEAKS - 1], 0, 1000);
    sl_lab_wait_state(lab, &last_client, room ? SL_TCP_TIME_WAIT : 0, 1000);
    int gone = 0, ended = 0;
    for (int i = 0; i < LEAKS; i++) {
        struct sl_tuple client = sl_tuple_other_end(&server[i]);
        gone += sl_lab_state(lab, &server[i]) == 0;
        ended += sl_lab_state(lab, &client) == SL_TCP_TIME_WAIT;
    }
    lab_expect(lab, gone == LEAKS, "after close() the CLOSE-WAITs are gone");
    if (room)
        lab_expect(lab, ended == LEAKS, "the clients, which closed first, end in TIME-WAIT");
}

static void step_limit(struct sl_lab *lab, struct rlimit *saved)
{
    lab_step(lab, "RLIMIT_NOFILE counts every descriptor, not only sockets");
    CHECK(lab_call(lab, getrlimit(RLIMIT_NOFILE, saved)));
    lab_show(lab, "soft limit (ulimit -n) %llu, hard limit (ulimit -Hn) %llu",
             (unsigned long long)saved->rlim_cur, (unsigned long long)saved->rlim_max);
    lab_say(lab, "Claim M54 (docs/myths.md): a process cannot open more than ulimit -n "
                 "sockets. The lab "
                 "lowers its own soft limit to %d and opens sockets until the kernel says no.",
            LIMIT);
    int free_slots = LIMIT - open_below(LIMIT);
    struct rlimit low = { LIMIT, saved->rlim_max };
    CHECK(lab_call(lab, setrlimit(RLIMIT_NOFILE, &low)));
    struct hoard h = { .count = 0 };
    int err = hoard_fill(&h);
    lab_show(lab, "socket() succeeded %d times, then failed with %s", h.count, strerrorname_np(err));
    lab_expect(lab, err == EMFILE && h.count == free_slots,
               "socket() fails with EMFILE once every descriptor number below the soft limit "
               "is taken (%d were free)", free_slots);
    int pipefd[2];
    int p = lab_call(lab, pipe(pipefd));
    int p_err = errno;
    int f = lab_call(lab, open("/dev/null", O_RDONLY));
    int f_err = errno;
    int e = lab_call(lab, epoll_create1(0));
    lab_expect(lab, p == -1 && p_err == EMFILE && f == -1 && f_err == EMFILE && e == -1 && errno == EMFILE,
               "pipe(), open() and epoll_create1() fail with EMFILE too: the limit counts "
               "every descriptor");
    struct rlimit back_up = { saved->rlim_max, saved->rlim_max };
    int raised = lab_call(lab, setrlimit(RLIMIT_NOFILE, &back_up));
    int s = lab_call(lab, socket(AF_INET, SOCK_STREAM, 0));
    lab_expect(lab, raised == 0 && s >= 0,
               "any process may raise its soft limit up to the hard one; then socket() works");
    close(s);
    hoard_release(&h);
    CHECK(setrlimit(RLIMIT_NOFILE, saved));
}

/* The set-up of steps 4 to 6: one connection waiting in the accept queue, a
 * spare descriptor kept aside, and every other descriptor number taken. */
struct starved {
    int listener, client, spare, level, edge;
    struct hoard hoard;
};

static void starve(struct starved *s, int listener)
{
    s->listener = listener;
    sl_set_nonblocking(listener, true);
    s->level = CHECK(epoll_create1(0));
    s->edge = CHECK(epoll_create1(0));
    struct epoll_event lt = { .events = EPOLLIN, .data.fd = listener };
    struct epoll_event et = { .events = EPOLLIN | EPOLLET, .data.fd = listener };
    CHECK(epoll_ctl(s->level, EPOLL_CTL_ADD, listener, &lt));
    CHECK(epoll_ctl(s->edge, EPOLL_CTL_ADD, listener, &et));
    s->client = sl_connect_to(listener, 1000);          /* waits in the accept queue */
    s->spare = CHECK(open("/dev/null", O_RDONLY));
    struct rlimit low = { LIMIT, RLIM_INFINITY };
    struct rlimit now;
    CHECK(getrlimit(RLIMIT_NOFILE, &now));
    low.rlim_max = now.rlim_max;
    CHECK(setrlimit(RLIMIT_NOFILE, &low));
    s->hoard.count = 0;
    CHECK_TRUE(hoard_fill(&s->hoard) == EMFILE);
}

static void step_level_busy(struct sl_lab *lab, struct starved *s)
{
    lab_step(lab, "EMFILE under level-triggered epoll: a busy loop");
    lab_say(lab, "A connection waits; the process has no descriptor left. The listener "
                 "stays readable, so a level-triggered epoll_wait() reports it every time, "
                 "and accept() fails every time. 20000 rounds, each allowed to wait 100 ms "
                 "(33 minutes, if they waited):");
    struct epoll_event ev;
    lab_call(lab, epoll_wait(s->level, &ev, 1, 100));
    lab_call(lab, accept(s->listener, NULL, NULL));
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    double start = sl_clock_ms();
    int wakeups = 0, emfile = 0;
    for (int i = 0; i < 20000; i++) {
        if (epoll_wait(s->level, &ev, 1, 100) == 1) {
            wakeups++;
            emfile += accept(s->listener, NULL, NULL) == -1 && errno == EMFILE;
        }
    }
    getrusage(RUSAGE_SELF, &after);
    double cpu = (after.ru_utime.tv_sec - before.ru_utime.tv_sec + after.ru_stime.tv_sec -
                  before.ru_stime.tv_sec) * 1000.0 +
                 (after.ru_utime.tv_usec - before.ru_utime.tv_usec + after.ru_stime.tv_usec -
                  before.ru_stime.tv_usec) / 1000.0;
    lab_show(lab, "%d wake-ups, %d EMFILE, in %.0f ms of wall time and %.0f ms of CPU",
             wakeups, emfile, sl_clock_ms() - start, cpu);
    lab_expect(lab, wakeups == 20000 && emfile == 20000,
               "level-triggered: all 20000 epoll_wait() calls returned at once and every "
               "accept() failed with EMFILE: the loop spins");
}

static void step_edge_stranded(struct sl_lab *lab, struct starved *s)
{
    lab_step(lab, "EMFILE under edge-triggered epoll: the connection is stranded");
    lab_say(lab, "The same waiting connection, watched edge-triggered: epoll reports the "
                 "listener once, when it becomes readable. accept() fails; the listener "
                 "stays readable, but nothing new happens, so no new event comes.");
    struct epoll_event ev;
    int first = lab_call(lab, epoll_wait(s->edge, &ev, 1, 100));
    lab_call(lab, accept(s->listener, NULL, NULL));
    int again = lab_call(lab, epoll_wait(s->edge, &ev, 1, 200));
    struct tcp_info queue;                              /* for a listener: its accept queue */
    socklen_t len = sizeof queue;
    CHECK(getsockopt(s->listener, IPPROTO_TCP, TCP_INFO, &queue, &len));
    lab_expect(lab, first == 1 && again == 0 && queue.tcpi_unacked == 1,
               "edge-triggered: one event, accept() fails, then silence while the "
               "connection still waits");
    close(s->hoard.fds[--s->hoard.count]);              /* a descriptor is free now */
    int later = lab_call(lab, epoll_wait(s->edge, &ev, 1, 200));
    lab_expect(lab, later == 0,
               "even with a descriptor free, no new event: the connection stays stranded "
               "until another client arrives");
    s->hoard.fds[s->hoard.count++] = CHECK(socket(AF_INET, SOCK_STREAM, 0));
}

static void step_spare(struct sl_lab *lab, struct starved *s)
{
    lab_step(lab, "The fix: a spare descriptor, given up to turn the client away");
    lab_say(lab, "The server kept one descriptor aside (/dev/null) for this moment: on "
                 "EMFILE it closes the spare, accepts, closes the connection at once, and "
                 "takes the spare back. The client gets an answer; the loop calms down.");
    struct epoll_event ev;
    int n = lab_call(lab, epoll_wait(s->level, &ev, 1, 100));
    int fd = lab_call(lab, accept(s->listener, NULL, NULL));
    if (n == 1 && fd == -1 && errno == EMFILE) {
        CHECK(lab_call(lab, close(s->spare)));
        fd = CHECK(lab_call(lab, accept(s->listener, NULL, NULL)));
        CHECK(lab_call(lab, close(fd)));                /* turned away: the client sees EOF */
        s->spare = CHECK(lab_call(lab, open("/dev/null", O_RDONLY)));
    }
    int calm = lab_call(lab, epoll_wait(s->level, &ev, 1, 100));
    char buf[8];
    sl_wait_fd(s->client, POLLIN, 1000);
    ssize_t eof = lab_call(lab, recv(s->client, buf, sizeof buf, MSG_DONTWAIT));
    lab_expect(lab, calm == 0 && eof == 0,
               "with the spare descriptor the connection is accepted and closed: the "
               "client reads EOF and epoll_wait() waits again");
}

/* Undo the starvation: every descriptor back, the limit restored. */
static void unstarve(struct starved *s, const struct rlimit *saved)
{
    hoard_release(&s->hoard);
    CHECK(setrlimit(RLIMIT_NOFILE, saved));
    close(s->spare);
    close(s->client);
    close(s->level);
    close(s->edge);
}

static void step_accept_errors(struct sl_lab *lab, int listener)
{
    lab_step(lab, "accept()'s errors: which ones end the loop");
    lab_say(lab, "Claim M34 (docs/myths.md): accept() < 0 means a connection failed, and "
                 "the accept loop should end. EAGAIN is the normal end: nobody else is waiting. EMFILE "
                 "is this process's own shortage (steps 4-6). And a connection that fails "
                 "before accept()? Here a client resets its connection (SO_LINGER 0).");
    int none = lab_call(lab, accept(listener, NULL, NULL));     /* non-blocking */
    lab_expect(lab, none == -1 && errno == EAGAIN,
               "an empty accept queue answers EAGAIN: the end of the loop, not a failure");
    int client = sl_connect_to(listener, 1000);
    struct linger reset = { .l_onoff = 1, .l_linger = 0 };
    CHECK(lab_call(lab, setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, sizeof reset)));
    CHECK(lab_call(lab, close(client)));                        /* sends a RST */
    sl_wait_fd(listener, POLLIN, 1000);
    int fd = lab_call(lab, accept(listener, NULL, NULL));
    char buf[8];
    ssize_t n = fd >= 0 ? lab_call(lab, recv(fd, buf, sizeof buf, 0)) : -2;
    lab_expect(lab, fd >= 0 && n == -1 && errno == ECONNRESET,
               "Linux still hands the reset connection to accept(); the failure shows on "
               "its first recv(): ECONNRESET");
    if (fd >= 0)
        close(fd);
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    int listener = sl_listen_on(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), 16);
    sl_lab_track_port(lab, sl_local_port(listener));
    int servers[LEAKS];
    struct rlimit saved;
    bool room;
    step_forget(lab, listener, servers, &room);
    step_close(lab, servers, room);
    step_limit(lab, &saved);
    struct starved starved;
    starve(&starved, listener);
    step_level_busy(lab, &starved);
    step_edge_stranded(lab, &starved);
    step_spare(lab, &starved);
    unstarve(&starved, &saved);
    step_accept_errors(lab, listener);
    close(listener);
    return sl_lab_end(lab);
}
