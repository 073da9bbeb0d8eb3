/* labs/14-reuseport-and-the-herd.c — many processes serving one port: who
 * may listen on it, whom the kernel wakes for a connection, and what a
 * listener's close does to the connections queued on it.
 *
 * What it shows
 *   1. a second listener on a taken port fails with EADDRINUSE, with
 *      SO_REUSEADDR on both sockets too;
 *   2. with SO_REUSEPORT on both, two listeners share the port, and the kernel
 *      spreads connections between them by a hash of each connection's
 *      addresses and ports;
 *   3. 4 processes blocked in accept() on one listener: each connection wakes
 *      one of them;
 *   4. 4 processes, each with a level-triggered epoll on that one listener:
 *      each connection wakes all four, and the losers' accept() finds nothing
 *      (the thundering herd);
 *   5. the same with EPOLLEXCLUSIVE: one wakes;
 *   6. one SO_REUSEPORT listener per process: one wakes, the one whose
 *      listener the kernel chose; the four ways side by side;
 *   7. closing one listener of the group resets the connections queued on it
 *      (unless net.ipv4.tcp_migrate_req moves them): drain before you close;
 *   8. a classic BPF program attached to the group chooses the listener.
 *
 * Run it
 *   terminal 1:  socklab run 14
 *   terminal 2:  at each pause, the ss command it prints; at the herd steps
 *                the ps command it prints shows where each worker sleeps
 *
 * What you should see
 *   Two (then four) LISTEN lines on one port in ss; wake-ups per connection
 *   of about 1, 4, 1 and 1 for the four ways; clients reset when a listener
 *   closes with connections queued.
 *
 * Notes: docs/labs/14-reuseport-and-the-herd.md  (socklab notes 14) */
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/lab.h"
#include "socklab/net.h"
#include "socklab/text.h"

#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 14,
    .name = "reuseport-and-the-herd",
    .title = N_("Many processes on one port: SO_REUSEPORT and the thundering herd"),
    .goal = N_("See that only SO_REUSEPORT lets listeners share a port, that the kernel wakes "
               "every epoll waiting on a shared listener but one accept(), that EPOLLEXCLUSIVE "
               "and a listener per process end the herd, and that closing a listener resets "
               "what it had queued."),
    .ports = 7,
    .bind_rules = SL_BIND_IPV6,
};

#define WORKERS 4
#define CONNECTIONS 50
#define QUEUED 16                       /* step 7's clients, waiting in accept queues */

/* What a herd's workers tell the lab, in memory they share with it; each
 * worker counts in its own slot. */
struct tally {
    atomic_long accepted[WORKERS];      /* connections it accepted */
    atomic_long found_nothing[WORKERS]; /* accept() calls that failed with EAGAIN */
};

struct herd {
    pid_t pid[WORKERS];
    struct tally *tally;
    struct sockaddr_storage addr;       /* where the clients connect */
    socklen_t len;
    double wakeups[4], found_nothing[4];  /* per connection, for each of steps 3-6 */
};

/* The lab's address with the index-th port (or with `port`, when not 0). */
static socklen_t address_of(struct sl_lab *lab, int index, uint16_t port,
                            struct sockaddr_storage *addr)
{
    return sl_lab_address(lab, port ? port : sl_lab_port(lab, index), addr);
}

/* A connection nobody will send on, closed with a RST (SO_LINGER 0): the
 * many connections of this lab leave no TIME-WAIT behind. */
static int connect_briefly(const struct sockaddr_storage *addr, socklen_t len)
{
    int fd = CHECK(socket(addr->ss_family, SOCK_STREAM, 0));
    CHECK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger){ 1, 0 },
                     sizeof(struct linger)));
    sl_bound_blocking(fd, 2000);
    CHECK(connect(fd, (const struct sockaddr *)addr, len));
    return fd;
}

/* Which of n non-blocking listeners a new connection lands on. */
static int which_listener(const int *listeners, int n, const struct sockaddr_storage *addr,
                          socklen_t len)
{
    int client = connect_briefly(addr, len), found = -1;
    for (double end = sl_clock_ms() + 2000; found < 0 && sl_clock_ms() < end;) {
        for (int i = 0; i < n && found < 0; i++) {
            int conn = accept(listeners[i], NULL, NULL);
            if (conn >= 0) {
                found = i;
                close(conn);
            }
        }
        if (found < 0)
            sl_sleep_ms(1);
    }
    close(client);
    return found;
}

static void step_taken(struct sl_lab *lab)
{
    lab_step(lab, "A second listener on a port that is taken");
    lab_say(lab, "A second copy of a server starts while the first still listens. bind() "
                 "refuses it; does SO_REUSEADDR on both sockets let both listen? (the belief "
                 "is in docs/myths.md)");
    struct sockaddr_storage addr;
    socklen_t len = address_of(lab, 0, 0, &addr);
    int first = CHECK(socket(addr.ss_family, SOCK_STREAM, 0));
    CHECK(bind(first, (struct sockaddr *)&addr, len));
    CHECK(lab_call(lab, listen(first, 16)));
    len = address_of(lab, 0, sl_local_port(first), &addr);     /* the port it got */
    sl_lab_track_port(lab, sl_local_port(first));
    int second = CHECK(socket(addr.ss_family, SOCK_STREAM, 0));
    int rc = lab_call(lab, bind(second, (struct sockaddr *)&addr, len));
    lab_expect(lab, rc == -1 && errno == EADDRINUSE,
               "a second bind() to a port with a listener fails with EADDRINUSE");
    close(first);
    close(second);
    int a = CHECK(socket(addr.ss_family, SOCK_STREAM, 0));
    int b = CHECK(socket(addr.ss_family, SOCK_STREAM, 0));
    CHECK(setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int)));
    CHECK(setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int)));
    CHECK(bind(a, (struct sockaddr *)&addr, len));
    CHECK(lab_call(lab, listen(a, 16)));
    rc = lab_call(lab, bind(b, (struct sockaddr *)&addr, len));
    lab_expect(lab, rc == -1 && errno == EADDRINUSE,
               "with SO_REUSEADDR on both it fails too: SO_REUSEADDR lets a listener reuse a "
               "port whose old connections linger, it does not let two listen on one address "
               "and port at once");
    close(a);
    close(b);
}

/* Two SO_REUSEPORT listeners on one port (the index-th: 0 lets the kernel
 * choose), non-blocking; group[0] joins the group first. */
static uint16_t reuseport_pair(struct sl_lab *lab, int index, int group[2],
                               struct sockaddr_storage *addr, socklen_t *len)
{
    *len = address_of(lab, index, 0, addr);
    for (int i = 0; i < 2; i++) {
        group[i] = CHECK(socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0));
        CHECK(setsockopt(group[i], SOL_SOCKET, SO_REUSEPORT, &(int){ 1 }, sizeof(int)));
        CHECK(bind(group[i], (struct sockaddr *)addr, *len));
        CHECK(listen(group[i], QUEUED));
        *len = address_of(lab, index, sl_local_port(group[0]), addr);  /* the second joins it */
    }
    sl_lab_track_port(lab, sl_local_port(group[0]));
    return sl_local_port(group[0]);
}

static void step_share(struct sl_lab *lab)
{
    lab_step(lab, "SO_REUSEPORT on both: two listeners, one port");
    lab_say(lab, "SO_REUSEPORT, set on every socket before bind() (by the same user), makes "
                 "the listeners a group. Each new connection goes to one of them: %d "
                 "connections, and where each landed.", CONNECTIONS);
    struct sockaddr_storage addr;
    socklen_t len = address_of(lab, 1, 0, &addr);
    int group[2];
    for (int i = 0; i < 2; i++) {
        group[i] = CHECK(socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0));
        CHECK(setsockopt(group[i], SOL_SOCKET, SO_REUSEPORT, &(int){ 1 }, sizeof(int)));
        CHECK(lab_call(lab, bind(group[i], (struct sockaddr *)&addr, len)));
        CHECK(lab_call(lab, listen(group[i], QUEUED)));
        len = address_of(lab, 1, sl_local_port(group[0]), &addr);  /* the second joins it */
    }
    uint16_t port = sl_local_port(group[0]);
    sl_lab_track_port(lab, port);
    int got[2] = { 0, 0 };
    for (int c = 0; c < CONNECTIONS; c++) {
        int i = which_listener(group, 2, &addr, len);
        if (i < 0)
            sl_lab_setup_error(lab, "a connection to port %u was accepted by neither listener "
                                    "within 2 s", port);
        got[i]++;
    }
    lab_show(lab, "of %d connections, %d went to the first listener and %d to the second",
             CONNECTIONS, got[0], got[1]);
    lab_expect(lab, got[0] >= CONNECTIONS / 10 && got[1] >= CONNECTIONS / 10,
               "the kernel spreads the connections between the listeners (it picks one by a "
               "hash of the connection's addresses and ports)");
    lab_pause(lab, "two LISTEN sockets on port %u", port);
    close(group[0]);
    close(group[1]);
}

/* --- the herd: how many workers one connection wakes ---------------------- */

/* The workers' voluntary context switches so far: a worker makes one each time
 * it goes to sleep, so their sum counts wake-ups, whether a wake-up found work
 * or not (and whether or not its epoll_wait() even returned). */
static long wakeups_so_far(const struct herd *h)
{
    long sum = 0;
    for (int w = 0; w < WORKERS; w++) {
        char path[64], line[128];
        snprintf(path, sizeof path, "/proc/%d/status", (int)h->pid[w]);
        FILE *f = fopen(path, "r");
        long n = 0;
        while (f && fgets(line, sizeof line, f) &&
               sscanf(line, "voluntary_ctxt_switches: %ld", &n) != 1)
            ;
        if (f)
            fclose(f);
        sum += n;
    }
    return sum;
}

/* True once every worker sleeps (state S), within 2 s. */
static bool all_asleep(const struct herd *h)
{
    for (double end = sl_clock_ms() + 2000; sl_clock_ms() < end; sl_sleep_ms(1)) {
        int sleeping = 0;
        for (int w = 0; w < WORKERS; w++) {
            char path[64], text[512] = "";
            snprintf(path, sizeof path, "/proc/%d/stat", (int)h->pid[w]);
            FILE *f = fopen(path, "r");
            if (f) {
                text[fread(text, 1, sizeof text - 1, f)] = '\0';
                fclose(f);
            }
            const char *end_of_name = strrchr(text, ')');
            sleeping += end_of_name && end_of_name[1] == ' ' && end_of_name[2] == 'S';
        }
        if (sleeping == WORKERS)
            return true;
    }
    return false;
}

static long accepted_so_far(const struct herd *h, atomic_long *counts)
{
    (void)h;
    long sum = 0;
    for (int w = 0; w < WORKERS; w++)
        sum += atomic_load(&counts[w]);
    return sum;
}

/* CONNECTIONS connections, one at a time, each made once every worker sleeps
 * and counted once a worker accepted it: the wake-ups per connection (and
 * h->found_nothing[way] the empty accept()s), or -1 when the machine was too
 * busy to see the workers asleep (then taken again, at most SL_LAB_ATTEMPTS). */
static double wakeups_per_connection(struct sl_lab *lab, struct herd *h, int way)
{
    int attempt = 0;
    for (;;) {
        long woken = 0, accepted = accepted_so_far(h, h->tally->accepted);
        long nothing = accepted_so_far(h, h->tally->found_nothing);
        int c = 0;
        for (; c < CONNECTIONS && all_asleep(h); c++) {
            long before = wakeups_so_far(h);
            int client = connect_briefly(&h->addr, h->len);
            for (double end = sl_clock_ms() + 2000;
                 accepted_so_far(h, h->tally->accepted) <= accepted && sl_clock_ms() < end;)
                sl_sleep_ms(1);
            accepted = accepted_so_far(h, h->tally->accepted);
            if (!all_asleep(h))
                break;                  /* they still run: this connection is not counted */
            woken += wakeups_so_far(h) - before;
            close(client);
        }
        if (c == CONNECTIONS) {
            h->found_nothing[way] =
                (double)(accepted_so_far(h, h->tally->found_nothing) - nothing) / CONNECTIONS;
            return (double)woken / CONNECTIONS;
        }
        if (!sl_lab_again(lab, &attempt, "the workers were not all asleep within 2 s, "
                                         "%d connections in: a busy machine", c))
            return -1;
    }
}

/* A worker took a connection (conn >= 0) or found none (-1, EAGAIN): count
 * it; the connection before it is closed now (its client has gone). */
static void tally(struct herd *h, int w, int conn, int *previous)
{
    if (conn < 0) {
        atomic_fetch_add(&h->tally->found_nothing[w], 1);
        return;
    }
    if (*previous >= 0)
        close(*previous);
    *previous = conn;
    atomic_fetch_add(&h->tally->accepted[w], 1);
}

/* The listener the workers share, on the index-th port; h->addr is its address. */
static int shared_listener(struct sl_lab *lab, int index, struct herd *h)
{
    h->len = address_of(lab, index, 0, &h->addr);
    int fd = CHECK(socket(h->addr.ss_family, SOCK_STREAM, 0));
    CHECK(bind(fd, (struct sockaddr *)&h->addr, h->len));
    CHECK(listen(fd, QUEUED));
    h->len = address_of(lab, index, sl_local_port(fd), &h->addr);
    sl_lab_track_port(lab, sl_local_port(fd));
    return fd;
}

static void stop_workers(struct sl_lab *lab, struct herd *h)
{
    for (int w = 0; w < WORKERS; w++) {
        int status;
        kill(h->pid[w], SIGKILL);
        sl_lab_wait_child(lab, h->pid[w], 1000, &status);
    }
    memset(h->tally, 0, sizeof *h->tally);
}

static void step_accept_herd(struct sl_lab *lab, struct herd *h)
{
    lab_step(lab, "%d processes blocked in accept() on one listener", WORKERS);
    lab_say(lab, "A pre-forking server: the parent listens and forks workers, and every "
                 "worker blocks in accept() on the same listening socket. How many of them "
                 "does one connection wake? (Counted: each worker's voluntary context "
                 "switches, one per sleep.)");
    int listener = shared_listener(lab, 2, h);
    for (int w = 0; w < WORKERS; w++)
        if ((h->pid[w] = sl_lab_fork(lab)) == 0)
            for (int previous = -1;;)           /* a worker */
                tally(h, w, accept(listener, NULL, NULL), &previous);
    h->wakeups[0] = wakeups_per_connection(lab, h, 0);
    lab_show(lab, "%.2f wake-ups per connection", h->wakeups[0]);
    lab_expect_sound(lab, h->wakeups[0] >= 0, h->wakeups[0] <= 1.25,
                     "each connection wakes one worker: accept() sleeps in an exclusive "
                     "queue, and the kernel wakes one exclusive sleeper");
    lab_pause(lab, "one LISTEN, its %d workers asleep in accept(), seen by ps -o pid,wchan:20 "
                   "--ppid %d (inet_csk_accept)", WORKERS, (int)getpid());
    stop_workers(lab, h);
    close(listener);
}

static const struct epoll_way {
    const char *title;
    uint32_t events;
} epoll_ways[2] = {
    { N_("each with a level-triggered epoll on it"), EPOLLIN },
    { N_("each with EPOLLEXCLUSIVE on it"), EPOLLIN | EPOLLEXCLUSIVE },
};

static void step_epoll_herd(struct sl_lab *lab, struct herd *h, int way)
{
    const struct epoll_way *e = &epoll_ways[way - 1];
    lab_step(lab, "%d processes on one listener, %s", WORKERS, _(e->title));
    if (way == 1)
        lab_say(lab, "An event-loop server forked %d times: each worker waits in epoll_wait() "
                     "on the shared listener. Every epoll that watches the listener is told of "
                     "a connection.", WORKERS);
    else
        lab_say(lab, "An event-loop server forked %d times: each worker waits in epoll_wait() "
                     "on the shared listener. EPOLLEXCLUSIVE (Linux 4.5) asks the kernel to "
                     "wake one or more of them.", WORKERS);
    int listener = shared_listener(lab, 2 + way, h);
    sl_set_nonblocking(listener, true);         /* a worker that finds nothing must not block */
    for (int w = 0; w < WORKERS; w++)
        if ((h->pid[w] = sl_lab_fork(lab)) == 0) {
            int ep = CHECK(epoll_create1(0));
            struct epoll_event ev = { .events = e->events };
            CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev));
            for (int previous = -1;;)           /* a worker */
                if (epoll_wait(ep, &ev, 1, -1) == 1)
                    tally(h, w, accept4(listener, NULL, NULL, SOCK_NONBLOCK), &previous);
        }
    h->wakeups[way] = wakeups_per_connection(lab, h, way);
    lab_show(lab, "%.2f wake-ups per connection; %.2f accept() calls per connection found "
                  "nothing (EAGAIN)", h->wakeups[way], h->found_nothing[way]);
    if (way == 1)
        lab_expect_sound(lab, h->wakeups[1] >= 0, h->wakeups[1] >= WORKERS - 0.75,
                         "each connection wakes every worker: the thundering herd");
    else
        lab_expect_sound(lab, h->wakeups[2] >= 0, h->wakeups[2] <= 1.5,
                         "with EPOLLEXCLUSIVE one connection wakes one worker");
    lab_pause(lab, "one LISTEN, its %d workers asleep in epoll_wait(), seen by ps -o "
                   "pid,wchan:20 --ppid %d (do_epoll_wait)", WORKERS, (int)getpid());
    stop_workers(lab, h);
    close(listener);
}

static void step_one_listener_each(struct sl_lab *lab, struct herd *h)
{
    lab_step(lab, "One SO_REUSEPORT listener per process");
    lab_say(lab, "Each worker opens its own listener on the port, with SO_REUSEPORT: the "
                 "kernel picks one listener per connection, so it wakes that one worker.");
    h->len = address_of(lab, 5, 0, &h->addr);
    int holder = CHECK(socket(h->addr.ss_family, SOCK_STREAM, 0));  /* bound, not listening: */
    CHECK(setsockopt(holder, SOL_SOCKET, SO_REUSEPORT, &(int){ 1 }, sizeof(int)));
    CHECK(bind(holder, (struct sockaddr *)&h->addr, h->len));       /* it holds the port */
    h->len = address_of(lab, 5, sl_local_port(holder), &h->addr);
    sl_lab_track_port(lab, sl_local_port(holder));
    for (int w = 0; w < WORKERS; w++)
        if ((h->pid[w] = sl_lab_fork(lab)) == 0) {
            int own = CHECK(socket(h->addr.ss_family, SOCK_STREAM, 0));
            CHECK(setsockopt(own, SOL_SOCKET, SO_REUSEPORT, &(int){ 1 }, sizeof(int)));
            CHECK(bind(own, (struct sockaddr *)&h->addr, h->len));
            CHECK(listen(own, QUEUED));
            for (int previous = -1;;)           /* a worker */
                tally(h, w, accept(own, NULL, NULL), &previous);
        }
    struct sl_census listening = { SL_STATE_BIT(SL_TCP_LISTEN), sl_local_port(holder), 0 };
    if (sl_lab_wait_count(lab, sl_snapshot_count, &listening, WORKERS, 2000) < WORKERS)
        sl_lab_setup_error(lab, "the workers' listeners did not all appear within 2 s");
    h->wakeups[3] = wakeups_per_connection(lab, h, 3);
    int idle = 0;
    for (int w = 0; w < WORKERS; w++)
        idle += atomic_load(&h->tally->accepted[w]) == 0;
    lab_show(lab, "%.2f wake-ups per connection; workers that got no connection: %d",
             h->wakeups[3], idle);
    lab_expect_sound(lab, h->wakeups[3] >= 0, h->wakeups[3] <= 1.25 && idle == 0,
                     "one wake-up per connection, and every worker gets connections");
    lab_pause(lab, "%d LISTEN sockets on port %u, one per worker", WORKERS, sl_local_port(holder));
    stop_workers(lab, h);
    close(holder);
}

static void step_compare(struct sl_lab *lab, const struct herd *h)
{
    lab_step(lab, "Four ways to share a port, side by side");
    lab_say(lab, "The herd costs what it wakes: every wasted wake-up is a process scheduled "
                 "to find nothing. Per connection, for each way (one connection at a time; "
                 "under a burst, workers that are still busy are not woken again, so the "
                 "waste is lower):");
    static const char *const names[4] = {
        N_("blocking accept(), one listener"), N_("level-triggered epoll, one listener"),
        N_("EPOLLEXCLUSIVE, one listener"), N_("SO_REUSEPORT, a listener each"),
    };
    char name[128];                       /* padded in columns: the names may be translated */
    sl_text_pad("", 36, name, sizeof name);
    lab_show(lab, "%s wake-ups  empty accept()", name);   /* each per connection */
    for (int i = 0; i < 4; i++) {
        sl_text_pad(_(names[i]), 36, name, sizeof name);
        lab_show(lab, "%s %8.2f %15.2f", name, h->wakeups[i], h->found_nothing[i]);
    }
    bool measured = h->wakeups[0] >= 0 && h->wakeups[1] >= 0 && h->wakeups[2] >= 0 &&
                    h->wakeups[3] >= 0;
    lab_expect_sound(lab, measured, h->wakeups[1] > 2 * h->wakeups[2] &&
                                        h->wakeups[1] > 2 * h->wakeups[3],
                     "a shared level-triggered epoll wakes more than twice as many workers as "
                     "EPOLLEXCLUSIVE or a listener each");
}

/* A listener's accept queue: TCP_INFO's tcpi_unacked on a LISTEN socket. */
static unsigned queue_of(int listener)
{
    struct tcp_info q;
    CHECK(getsockopt(listener, IPPROTO_TCP, TCP_INFO, &q, &(socklen_t){ sizeof q }));
    return q.tcpi_unacked;
}

/* The accept queues of a group of two (queued[i]), once they hold all
 * `clients` (bounded, 2 s: a busy machine may finish a handshake after its
 * connect() returned); the index of the fuller. */
static unsigned fuller_queue(struct sl_lab *lab, const int group[2], unsigned queued[2],
                             unsigned clients)
{
    for (double end = sl_clock_ms() + 2000;; sl_sleep_ms(1)) {
        for (int i = 0; i < 2; i++)
            queued[i] = queue_of(group[i]);
        if (queued[0] + queued[1] >= clients || sl_clock_ms() > end)
            break;
    }
    lab_show(lab, "queued: %u on the first listener, %u on the second; closing the one with %u",
             queued[0], queued[1], queued[0] >= queued[1] ? queued[0] : queued[1]);
    return queued[0] >= queued[1] ? 0 : 1;
}

/* How many of the clients were reset (their recv() fails with ECONNRESET),
 * once `expected` are or 2 s have passed (a busy machine may deliver the
 * RSTs after close() returned); with none expected, after 100 ms. Each
 * client is asked once it has something to read, so no reset is missed. */
static int resets_among(const int *clients, int n, int expected)
{
    bool reset[QUEUED] = { false };
    int count = 0;
    double end = sl_clock_ms() + (expected > 0 ? 2000 : 100);
    do {
        for (int i = 0; i < n; i++)
            if (!reset[i] && sl_wait_fd(clients[i], POLLIN, 0) &&
                recv(clients[i], &(char){ 0 }, 1, MSG_DONTWAIT) == -1 && errno == ECONNRESET) {
                reset[i] = true;
                count++;
            }
        if (count < expected || expected == 0)
            sl_sleep_ms(1);
    } while ((expected == 0 || count < expected) && sl_clock_ms() < end);
    return count;
}

static void step_close_one(struct sl_lab *lab)
{
    lab_step(lab, "Closing one listener of the group with connections queued");
    lab_say(lab, "%d clients connect; nobody accepts, so each waits in the accept queue of "
                 "the listener the kernel chose. Then one listener is closed, as a worker "
                 "that exits would. Where do its queued connections go?", QUEUED);
    long migrate = sl_lab_sysctl(lab, "net.ipv4.tcp_migrate_req");    /* Linux 5.14 */
    if (sl_lab_sysctl(lab, "net.core.somaxconn") < QUEUED) {
        lab_skip(lab, "net.core.somaxconn is below the 16 connections each queue must hold",
                 "the closed listener's queued connections are reset");
        return;
    }
    int passes = sl_lab_private(lab) && migrate >= 0 ? 2 : 1;  /* its own network: both */
    for (int pass = 0; pass < passes; pass++) {
        if (pass == 1 && sl_lab_sysctl_set(lab, "net.ipv4.tcp_migrate_req", !migrate))
            migrate = !migrate;
        struct sockaddr_storage addr;
        socklen_t len;
        int group[2], clients[QUEUED];
        uint16_t port = reuseport_pair(lab, 6, group, &addr, &len);
        for (int i = 0; i < QUEUED; i++)
            clients[i] = connect_briefly(&addr, len);
        unsigned queued[2], closing = fuller_queue(lab, group, queued, QUEUED);
        CHECK(lab_call(lab, close(group[closing])));
        int reset = resets_among(clients, QUEUED, migrate == 1 ? 0 : (int)queued[closing]);
        unsigned left = queue_of(group[!closing]);
        lab_show(lab, "clients reset: %d; the other listener's queue: %u", reset, left);
        struct sl_wire_match resets = { .from_port = port, .flags = SL_TCP_RST,
                                        .in_last_call = true };
        if (migrate == 1)
            lab_expect(lab, reset == 0 && left == QUEUED, "with tcp_migrate_req = 1 the "
                       "queued connections move to the other listener");
        else
            lab_expect(lab, reset == (int)queued[closing] && left == queued[!closing], "the "
                       "closed listener's queued connections are reset, not handed to the "
                       "other listener: drain a listener before closing it");
        lab_expect_segment_count(lab, &resets, migrate == 1 ? 0 : (int)queued[closing], 200,
                                 migrate == 1 ? N_("close() sent no RST to its %u queued clients")
                                              : N_("close() sent a RST to each of its %u "
                                                   "queued clients"), queued[closing]);
        lab_pause(lab, "one LISTEN left on port %u with Recv-Q %u", port, left);
        for (int i = 0; i < QUEUED; i++)
            close(clients[i]);
        close(group[!closing]);
        sl_lab_untrack_all(lab);
    }
}

static void step_steer(struct sl_lab *lab)
{
    lab_step(lab, "A BPF program chooses the listener");
    lab_say(lab, "The hash can be replaced: SO_ATTACH_REUSEPORT_CBPF attaches a classic BPF "
                 "program to the group, and the number it returns is the index of the "
                 "listener that gets the connection (in the order they joined).");
    struct sockaddr_storage addr;
    socklen_t len;
    int group[2];
    uint16_t port = reuseport_pair(lab, 6, group, &addr, &len);
    struct sock_filter always_second[] = { BPF_STMT(BPF_RET | BPF_K, 1) };
    struct sock_fprog program = { 1, always_second };
    int rc = lab_call(lab, setsockopt(group[0], SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF,
                                      &program, sizeof program));
    if (rc == -1) {
        lab_skip(lab, "this kernel refused SO_ATTACH_REUSEPORT_CBPF", "the program chooses");
    } else {
        int second = 0;
        for (int c = 0; c < CONNECTIONS / 2; c++)
            second += which_listener(group, 2, &addr, len) == 1;
        lab_show(lab, "%d of %d connections went to the second listener", second,
                 CONNECTIONS / 2);
        lab_expect(lab, second == CONNECTIONS / 2,
                   "every connection goes to the listener the program returns (index 1)");
    }
    lab_pause(lab, "two LISTEN sockets on port %u; the kernel asks the program, not the hash",
              port);
    close(group[0]);
    close(group[1]);
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    struct herd h = { .tally = mmap(NULL, sizeof *h.tally, PROT_READ | PROT_WRITE,
                                    MAP_SHARED | MAP_ANONYMOUS, -1, 0) };
    if (h.tally == MAP_FAILED)
        sl_lab_setup_error(lab, "no shared memory for the workers' counts");
    step_taken(lab);
    sl_lab_untrack_all(lab);
    step_share(lab);
    sl_lab_untrack_all(lab);
    step_accept_herd(lab, &h);
    sl_lab_untrack_all(lab);
    step_epoll_herd(lab, &h, 1);
    sl_lab_untrack_all(lab);
    step_epoll_herd(lab, &h, 2);
    sl_lab_untrack_all(lab);
    step_one_listener_each(lab, &h);
    step_compare(lab, &h);
    sl_lab_untrack_all(lab);
    step_close_one(lab);
    sl_lab_untrack_all(lab);
    step_steer(lab);
    munmap(h.tally, sizeof *h.tally);
    return sl_lab_end(lab);
}
