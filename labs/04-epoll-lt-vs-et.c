/* labs/04-epoll-lt-vs-et.c — level vs edge triggering, draining, the accept
 * loop, and what epoll_create's and epoll_wait's numbers mean.
 *
 * What it shows
 *   1. epoll_create(size): the size is not a limit (fs.epoll.max_user_watches is);
 *   2. level-triggered: data left after a partial read is reported again;
 *   3. edge-triggered: it is not, until new data arrives (ss shows it waiting);
 *   4. edge-triggered on a blocking socket: the event comes, the drain stalls;
 *   5. an edge-triggered listener with three queued connections wakes once:
 *      one accept() per wake-up strands two, the accept loop takes them all;
 *   6. maxevents counts events: the notes' sizeof(events) lets the kernel
 *      write past a 20-slot array (shown inside a guard region);
 *   7. epoll_wait returns as soon as one event is ready, not after 20;
 *   8. a peer's close as EPOLLIN, EPOLLRDHUP and EPOLLHUP;
 *   9-10. the same workload served four ways, wake-ups and system calls counted;
 *   11. EPOLLOUT on an idle socket: level-triggered spins, edge-triggered wakes once.
 *
 * Run it
 *   terminal 1:  socklab run 4
 *   terminal 2:  at a pause, the ss command it prints
 *
 * What you should see
 *   At the pause of step 3, a socket with Recv-Q 90 that epoll no longer
 *   reports; at step 5, the listener's Recv-Q (its accept queue) at 2.
 *
 * Notes: docs/labs/04-epoll-lt-vs-et.md  (socklab notes 4) */
#include "socklab/addr.h"
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/lab.h"
#include "socklab/net.h"
#include "socklab/text.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 4,
    .name = "epoll-lt-vs-et",
    .title = N_("epoll: level vs edge triggering, draining, the accept loop, maxevents"),
    .goal = N_("See what epoll reports after a partial read in each mode, why edge-"
               "triggered code must drain until EAGAIN (and accept in a loop), what "
               "epoll_create's size and epoll_wait's maxevents mean, and what each mode "
               "costs for the same work."),
    .ports = 2,
};

#define CLIENTS 20
#define MESSAGES 10
#define MESSAGE_SIZE 100
#define READ_SIZE 256

/* What the steps share: the pairs of steps 2 and 3, the eventfds of step 1. */
struct story {
    const char *ip;
    int lt_pair[2], et_pair[2], fds[300], ep_fds;
    struct epoll_event events[240];   /* step 6: 20 slots, then a guard region */
    char buf[4096];
};

struct cost {
    int waits, reads;
    long unread;                                  /* bytes never read: a stall */
};

static void step_create(struct sl_lab *lab, struct story *st)
{
    lab_step(lab, "epoll_create(size): a hint nobody reads");
    lab_say(lab, "Claim M22 (docs/myths.md): epoll_create(256) makes an epoll that holds "
                 "256 sockets. "
                 "Since Linux 2.6.8 the size is ignored; it must only be above 0. What does "
                 "limit an epoll is fs.epoll.max_user_watches: all the watches one user "
                 "may have, in every epoll together.");
    sl_lab_sysctl(lab, "fs.epoll.max_user_watches");
    int bad = lab_call(lab, epoll_create(0));
    lab_expect(lab, bad == -1 && errno == EINVAL, "epoll_create(0) fails with EINVAL");
    st->ep_fds = lab_call(lab, epoll_create(1));
    int added = 0, err = 0;
    for (int i = 0; i < 300; i++) {
        st->fds[i] = CHECK(eventfd(0, EFD_CLOEXEC));
        struct epoll_event ev = { .events = EPOLLIN, .data.fd = st->fds[i] };
        if (epoll_ctl(st->ep_fds, EPOLL_CTL_ADD, st->fds[i], &ev) == 0)
            added++;
        else
            err = errno;
    }
    if (added < 300 && err == ENOSPC)
        lab_skip(lab, "this user reached fs.epoll.max_user_watches (ENOSPC)",
                 "an epoll made with size 1 takes 300 descriptors");
    else
        lab_expect(lab, added == 300,
                   "an epoll made with size 1 takes 300 descriptors (%d added)", added);
}

static void step_level(struct sl_lab *lab, struct story *st)
{
    lab_step(lab, "Level-triggered: what is left is reported again");
    lab_say(lab, "100 bytes arrive on a socket watched for EPOLLIN, the default "
                 "(level-triggered) mode. We read only 10 and ask epoll again.");
    sl_tcp_pair(st->ip, sl_lab_port(lab, 0), st->lt_pair);
    sl_lab_track_port(lab, sl_local_port(st->lt_pair[1]));
    int lt = CHECK(epoll_create1(EPOLL_CLOEXEC));
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = st->lt_pair[1] };
    CHECK(epoll_ctl(lt, EPOLL_CTL_ADD, st->lt_pair[1], &ev));
    CHECK(send(st->lt_pair[0], st->buf, 100, 0));
    int n = lab_call(lab, epoll_wait(lt, st->events, 8, 1000));
    lab_call(lab, recv(st->lt_pair[1], st->buf, 10, 0));
    int again = lab_call(lab, epoll_wait(lt, st->events, 8, 100));
    lab_expect(lab, n == 1 && again == 1,
               "after reading 10 of 100 bytes, level-triggered epoll reports EPOLLIN again");
    close(lt);
}

static void step_edge(struct sl_lab *lab, struct story *st, int *et)
{
    lab_step(lab, "Edge-triggered: what is left is not reported again");
    lab_say(lab, "The same with EPOLLIN | EPOLLET on a non-blocking socket: an event only "
                 "when something new arrives. Then one more byte, and the drain loop.");
    sl_tcp_pair(st->ip, sl_lab_port(lab, 1), st->et_pair);
    struct sl_tuple server;
    sl_lab_follow(lab, st->et_pair[1], &server);
    sl_set_nonblocking(st->et_pair[1], true);
    *et = CHECK(epoll_create1(EPOLL_CLOEXEC));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.fd = st->et_pair[1] };
    CHECK(epoll_ctl(*et, EPOLL_CTL_ADD, st->et_pair[1], &ev));
    CHECK(send(st->et_pair[0], st->buf, 100, 0));
    int n = lab_call(lab, epoll_wait(*et, st->events, 8, 1000));
    lab_call(lab, recv(st->et_pair[1], st->buf, 10, 0));
    int again = lab_call(lab, epoll_wait(*et, st->events, 8, 100));
    sl_lab_observe(lab);
    const struct sl_socket *s = sl_lab_socket(lab, &server);
    lab_expect(lab, n == 1 && again == 0 && s && s->recv_q == 90,
               "edge-triggered: no new event, while 90 bytes wait in Recv-Q");
    lab_say(lab, "Step 2's socket holds 90 unread bytes too: level-triggered epoll "
                 "would report those again.");
    char where[SL_ADDR_STRLEN];
    lab_pause(lab, "Recv-Q 90 on %s, and epoll stays silent",
              sl_addr_format_raw(server.family, server.local, server.local_port, where,
                                 sizeof where));
    CHECK(send(st->et_pair[0], st->buf, 1, 0));
    n = lab_call(lab, epoll_wait(*et, st->events, 8, 1000));
    long drained = 0;
    ssize_t got;
    while ((got = recv(st->et_pair[1], st->buf, sizeof st->buf, 0)) > 0)   /* until EAGAIN */
        drained += got;
    lab_expect(lab, n == 1 && drained == 91 && got == -1 && errno == EAGAIN,
               "one more byte is a new edge: reported, then drained until EAGAIN (91 bytes)");
}

static void step_edge_blocking(struct sl_lab *lab, struct story *st, int et)
{
    lab_step(lab, "Edge-triggered on a blocking socket");
    lab_say(lab, "Claim M23 (docs/myths.md): edge-triggered mode works only with "
                 "non-blocking sockets. "
                 "The event does come; what fails is the drain loop: its last recv() "
                 "blocks instead of answering EAGAIN. Only the lab's guard ends it: "
                 "SO_RCVTIMEO of 200 ms, after which recv() fails with EAGAIN, which here "
                 "means \"timed out\", not \"drained\".");
    sl_set_nonblocking(st->et_pair[1], false);
    struct timeval guard = { .tv_usec = 200 * 1000 };   /* or it blocks for ever */
    CHECK(setsockopt(st->et_pair[1], SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard));
    CHECK(send(st->et_pair[0], st->buf, 50, 0));
    int n = lab_call(lab, epoll_wait(et, st->events, 8, 1000));
    lab_call(lab, recv(st->et_pair[1], st->buf, sizeof st->buf, 0));
    ssize_t last = lab_call(lab, recv(st->et_pair[1], st->buf, sizeof st->buf, 0));
    int err = errno;
    double stalled = sl_lab_last_call_ms(lab);
    lab_expect(lab, n == 1 && last == -1 && err == EAGAIN && stalled >= 150,
               "the event arrives, but the drain's last recv() blocks until the guard "
               "times it out (%.0f ms): draining needs non-blocking sockets", stalled);
}

static void step_listener(struct sl_lab *lab, struct story *st)
{
    lab_step(lab, "An edge-triggered listener and three waiting connections");
    lab_say(lab, "A non-blocking listener (backlog 8, capped at net.core.somaxconn) "
                 "watched with EPOLLET. Three clients connect before anyone accepts; the "
                 "handshake does not wait for accept().");
    long somaxconn = sl_lab_sysctl(lab, "net.core.somaxconn");
    if (somaxconn < 2) {                         /* the queue holds min(8, somaxconn) + 1 */
        lab_skip(lab, "net.core.somaxconn holds fewer than 3 connections in the accept queue",
                 "one wake-up for three connections; the accept loop takes the other 2");
        return;
    }
    int listener = sl_listen_on(st->ip, sl_lab_port(lab, 0), 8);
    struct sl_tuple listen_tuple;
    sl_lab_follow(lab, listener, &listen_tuple);
    sl_set_nonblocking(listener, true);
    int lep = CHECK(epoll_create1(EPOLL_CLOEXEC));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.fd = listener };
    CHECK(epoll_ctl(lep, EPOLL_CTL_ADD, listener, &ev));
    int clients[3];
    for (int i = 0; i < 3; i++)
        clients[i] = sl_connect_to(listener, 2000);
    int n = lab_call(lab, epoll_wait(lep, st->events, 8, 1000));
    int first = lab_call(lab, accept(listener, NULL, NULL));
    int again = lab_call(lab, epoll_wait(lep, st->events, 8, 100));
    sl_lab_observe(lab);
    const struct sl_socket *s = sl_lab_socket(lab, &listen_tuple);
    lab_expect(lab, n == 1 && first >= 0 && again == 0 && s && s->recv_q == 2,
               "one wake-up for three connections: after one accept(), no new event while "
               "2 wait in the accept queue (the listener's Recv-Q)");
    lab_pause(lab, "2 in the LISTEN socket's accept queue (q=2): no new event will "
                   "announce them");
    int accepted = 0, fd;
    while ((fd = accept(listener, NULL, NULL)) >= 0) {   /* the fix: accept until EAGAIN */
        accepted++;
        close(fd);
    }
    lab_expect(lab, accepted == 2 && errno == EAGAIN,
               "the accept loop takes the other 2, then stops at EAGAIN");
    for (int i = 0; i < 3; i++)
        close(clients[i]);
    close(first);
    close(lep);
    close(listener);
}

static void step_maxevents(struct sl_lab *lab, struct story *st)
{
    lab_step(lab, "maxevents counts events, not bytes");
    lab_say(lab, "30 descriptors are ready and the program's array has 20 slots. Claim "
                 "M28 (docs/myths.md) passes sizeof(events), %zu here, as maxevents. To show what the "
                 "kernel does without corrupting the lab, the 20-slot array sits at the "
                 "start of a %zu-slot region whose tail is filled with a guard pattern.",
            sizeof(struct epoll_event[20]), sizeof st->events / sizeof st->events[0]);
    for (int i = 0; i < 30; i++)
        CHECK(eventfd_write(st->fds[i], 1));
    struct epoll_event *array = st->events;          /* "struct epoll_event array[20]" */
    memset(st->events + 20, 0xAB, sizeof st->events - 20 * sizeof st->events[0]);
    int right = lab_call(lab, epoll_wait(st->ep_fds, array, 20, 0));
    int wrong = lab_call(lab, epoll_wait(st->ep_fds, array, sizeof(struct epoll_event[20]), 0));
    unsigned char *guard = (unsigned char *)(st->events + 20);
    lab_expect(lab, right == 20, "with maxevents 20 the kernel returns at most 20 events");
    lab_expect(lab, wrong == 30 && guard[0] != 0xAB,
               "with maxevents = sizeof(events) it wrote %d events into a 20-slot array: "
               "%d past its end", wrong, wrong - 20);
    for (int i = 0; i < 300; i++)
        close(st->fds[i]);
    close(st->ep_fds);
}

static void step_one_is_enough(struct sl_lab *lab, struct story *st)
{
    lab_step(lab, "epoll_wait returns as soon as one event is ready");
    lab_say(lab, "Claim M29 (docs/myths.md): epoll_wait(fd, events, 20, 500) waits for 20 "
                 "events or 500 ms. One ready event is enough: the 90 bytes of step 2 are still "
                 "unread.");
    int ep = CHECK(epoll_create1(EPOLL_CLOEXEC));
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = st->lt_pair[1] };
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, st->lt_pair[1], &ev));
    int n = lab_call(lab, epoll_wait(ep, st->events, 20, 500));
    lab_expect(lab, n == 1 && sl_lab_last_call_ms(lab) < 250,
               "with one ready descriptor epoll_wait returns 1 at once");
    sl_drain(st->lt_pair[1]);                        /* now nothing is ready */
    n = lab_call(lab, epoll_wait(ep, st->events, 20, 500));
    lab_expect(lab, n == 0 && sl_lab_last_call_ms(lab) >= 450,
               "with none, it returns 0 when the 500 ms timeout ends");
    close(ep);
}

static void step_peer_closes(struct sl_lab *lab, struct story *st)
{
    lab_step(lab, "The peer closes: EPOLLIN, EPOLLRDHUP, EPOLLHUP");
    lab_say(lab, "The peer shuts down its sending side; then this side shuts down its "
                 "own. epoll reports each with its own bits (EPOLLRDHUP only if asked for).");
    int ep = CHECK(epoll_create1(EPOLL_CLOEXEC));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.fd = st->lt_pair[1] };
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, st->lt_pair[1], &ev));
    CHECK(shutdown(st->lt_pair[0], SHUT_WR));
    sl_wait_fd(st->lt_pair[1], POLLIN, 1000);
    int n = lab_call(lab, epoll_wait(ep, st->events, 8, 1000));
    uint32_t seen = n == 1 ? st->events[0].events : 0;
    lab_show(lab, "events: %s%s%s", seen & EPOLLIN ? "EPOLLIN " : "",
             seen & EPOLLRDHUP ? "EPOLLRDHUP " : "", seen & EPOLLHUP ? "EPOLLHUP" : "");
    lab_expect(lab, seen == (EPOLLIN | EPOLLRDHUP),
               "the peer's FIN shows as EPOLLIN | EPOLLRDHUP, and recv() would return 0");
    CHECK(shutdown(st->lt_pair[1], SHUT_WR));
    n = lab_call(lab, epoll_wait(ep, st->events, 8, 1000));
    seen = n == 1 ? st->events[0].events : 0;
    lab_expect(lab, seen & EPOLLHUP, "once both directions are shut, EPOLLHUP is added");
    close(ep);
}

/* Set-up for step 9, not its subject: CLIENTS pairs, every message queued
 * on the server side before the loop starts. */
static void queue_messages(struct story *st, int peers[CLIENTS], int servers[CLIENTS])
{
    for (int i = 0; i < CLIENTS; i++) {
        int p[2];
        sl_tcp_pair(st->ip, 0, p);
        peers[i] = p[0];
        servers[i] = p[1];
        sl_set_nonblocking(servers[i], true);
        for (int m = 0; m < MESSAGES; m++)
            CHECK(send(peers[i], st->buf, MESSAGE_SIZE, 0));
    }
    for (int i = 0; i < CLIENTS; i++)
        sl_wait_queued(servers[i], MESSAGES * MESSAGE_SIZE, 500);
}

/* Step 9 holds CLIENTS connections at once; with too few local ports (shown)
 * it is left out, and says so. */
static bool enough_local_ports(struct sl_lab *lab)
{
    long range[2] = { 0, 0 };
    if (sl_lab_sysctl_values(lab, "net.ipv4.ip_local_port_range", range, 2) == 2 &&
        range[1] - range[0] < 3 * CLIENTS) {
        lab_say(lab, "Too few local ports for %d connections at once: this step is left out.",
                CLIENTS);
        return false;
    }
    return true;
}

static const struct way {
    const char *name;
    uint32_t mode;
    bool drain;
} ways[4] = {
    { N_("edge-triggered, drain"), EPOLLET, true },
    { N_("level-triggered, drain"), 0, true },
    { N_("level-triggered, one recv per wake-up"), 0, false },
    { N_("edge-triggered, one recv per wake-up"), EPOLLET, false },
};

static void step_four_ways(struct sl_lab *lab, struct story *st, struct cost cost[4])
{
    lab_step(lab, "The same work four ways: the loop under test");
    lab_say(lab, "%d connections each send %d messages of %d bytes; the server reads %d "
                 "bytes at a time, in each of four ways. Counted: epoll_wait calls and recv "
                 "calls.", CLIENTS, MESSAGES, MESSAGE_SIZE, READ_SIZE);
    if (!enough_local_ports(lab)) {
        cost[0].waits = -1;                           /* step 10 skips its claims */
        return;
    }
    for (int w = 0; w < 4; w++) {
        int peers[CLIENTS], servers[CLIENTS];
        queue_messages(st, peers, servers);
        int ep = CHECK(epoll_create1(EPOLL_CLOEXEC));
        for (int i = 0; i < CLIENTS; i++) {
            struct epoll_event ev = { .events = EPOLLIN | ways[w].mode,
                                      .data.fd = servers[i] };
            CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, servers[i], &ev));
        }
        long left = (long)CLIENTS * MESSAGES * MESSAGE_SIZE;
        cost[w] = (struct cost){ 0, 0, 0 };
        while (left > 0) {
            int n = CHECK(epoll_wait(ep, st->events, 32, 200));
            cost[w].waits++;
            if (n == 0)
                break;                                /* no event, data left: stalled */
            for (int i = 0; i < n; i++) {
                ssize_t got;
                do {
                    got = recv(st->events[i].data.fd, st->buf, READ_SIZE, 0);
                    cost[w].reads++;
                    left -= got > 0 ? got : 0;
                } while (ways[w].drain && got > 0);
            }
        }
        cost[w].unread = left;
        char name[128];                   /* padded in columns: the name may be translated */
        sl_text_pad(_(ways[w].name), 37, name, sizeof name);
        lab_show(lab, "%s %d waits %3d recvs %5ld unread", name, cost[w].waits, cost[w].reads,
                 cost[w].unread);
        for (int i = 0; i < CLIENTS; i++) {
            close(peers[i]);
            close(servers[i]);
        }
        close(ep);
    }
}

static void step_compare(struct sl_lab *lab, const struct cost cost[4])
{
    lab_step(lab, "Four ways compared: is level-triggered \"very inefficient\"?");
    lab_say(lab, "Draining, both modes make the same system calls. Reading once per "
                 "wake-up is correct in level-triggered mode and loses data in "
                 "edge-triggered mode.");
    if (cost[0].waits < 0) {
        lab_skip(lab, "net.ipv4.ip_local_port_range has too few ports for step 9's connections",
                 "the four ways compared");
        return;
    }
    lab_expect(lab, cost[0].waits == cost[1].waits && cost[0].reads == cost[1].reads &&
                    cost[0].unread == 0 && cost[1].unread == 0,
               "draining, both modes read everything with the same system calls");
    lab_expect(lab, cost[2].unread == 0 && cost[2].waits > cost[1].waits &&
                    cost[2].reads < cost[1].reads,
               "one recv per wake-up is correct in level-triggered mode: more wake-ups, "
               "fewer recv calls, nothing lost");
    lab_expect(lab, cost[3].unread > 0,
               "one recv per wake-up in edge-triggered mode stalls with data unread");
}

/* Wake-ups of epoll_wait on ep in a window of ms; *calls counts the calls. */
static int wakeups_within(int ep, int ms, int *calls, struct epoll_event *events)
{
    int woken = 0;
    *calls = 0;
    for (double end = sl_clock_ms() + ms, left; (left = end - sl_clock_ms()) > 0; (*calls)++)
        woken += CHECK(epoll_wait(ep, events, 8, (int)left + 1)) > 0;
    return woken;
}

static void step_writable(struct sl_lab *lab, struct story *st)
{
    lab_step(lab, "An idle writable socket: EPOLLOUT in each mode");
    lab_say(lab, "Where level-triggered mode does cost more: a program that watches "
                 "EPOLLIN | EPOLLOUT on a socket with room in its send buffer and nothing "
                 "to write. Each mode gets 100 ms; wake-ups are counted.");
    int pair[2], calls[2], woken[2], attempt = 0;
    sl_tcp_pair(st->ip, 0, pair);
    bool sound;
    do {
        for (int m = 0; m < 2; m++) {             /* 0: level-triggered, 1: EPOLLET */
            int ep = CHECK(epoll_create1(EPOLL_CLOEXEC));
            struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | (m ? EPOLLET : 0),
                                      .data.fd = pair[1] };
            CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, pair[1], &ev));
            woken[m] = wakeups_within(ep, 100, &calls[m], st->events);
            close(ep);
        }
        lab_show(lab, "level-triggered: %d wake-ups in %d calls; edge-triggered: %d in %d",
                 woken[0], calls[0], woken[1], calls[1]);
        sound = calls[0] >= 10;                   /* the lab ran, not the machine's other work */
    } while (!sound && sl_lab_again(lab, &attempt, "only %d calls in 100 ms", calls[0]));
    lab_expect_sound(lab, sound, woken[0] == calls[0] && woken[1] == 1,
                     "level-triggered wakes on every call while the socket is writable (it "
                     "spins); edge-triggered wakes once");
    lab_say(lab, "So a level-triggered program asks for EPOLLOUT only while it has "
                 "something to write (EPOLL_CTL_MOD to add it, and again to remove it).");
    close(pair[0]);
    close(pair[1]);
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    struct story st = { .ip = sl_lab_bind_ip(lab) };
    struct cost cost[4];
    int et;

    step_create(lab, &st);
    step_level(lab, &st);
    step_edge(lab, &st, &et);
    step_edge_blocking(lab, &st, et);
    step_listener(lab, &st);
    step_maxevents(lab, &st);
    step_one_is_enough(lab, &st);
    step_peer_closes(lab, &st);
    step_four_ways(lab, &st, cost);
    step_compare(lab, cost);
    step_writable(lab, &st);

    close(et);
    for (int i = 0; i < 2; i++) {
        close(st.lt_pair[i]);
        close(st.et_pair[i]);
    }
    return sl_lab_end(lab);
}
