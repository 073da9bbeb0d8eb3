/* labs/04-epoll-lt-vs-et.c — level vs edge triggering, draining, the accept
 * loop, and what epoll_create's and epoll_wait's numbers mean.
 *
 * What it shows
 *   1. epoll_create(size): the size is not a limit;
 *   2. level-triggered: data left after a partial read is reported again;
 *   3. edge-triggered: it is not, until new data arrives (ss shows it waiting);
 *   4. edge-triggered on a blocking socket: the event comes, the drain stalls;
 *   5. an edge-triggered listener with three queued connections wakes once:
 *      one accept() per wake-up strands two, the accept loop takes them all;
 *   6. maxevents counts events: the notes' sizeof(events) lets the kernel
 *      write past a 20-slot array (shown inside a guard region);
 *   7. epoll_wait returns as soon as one event is ready, not after 20;
 *   8. a peer's close as EPOLLIN, EPOLLRDHUP and EPOLLHUP;
 *   9. the same workload served four ways, wake-ups and system calls counted.
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
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/lab.h"
#include "socklab/net.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 4,
    .name = "epoll-lt-vs-et",
    .title = "epoll: level vs edge triggering, draining, the accept loop, maxevents",
    .goal = "See what epoll reports after a partial read in each mode, why edge-"
            "triggered code must drain until EAGAIN (and accept in a loop), what "
            "epoll_create's size and epoll_wait's maxevents mean, and what each mode "
            "costs for the same work.",
    .ports = 2,
};

#define CLIENTS 20
#define MESSAGES 10
#define MESSAGE_SIZE 100
#define READ_SIZE 256

/* Register fd for `events` on a new epoll instance. */
static int watch(int fd, uint32_t events)
{
    int ep = CHECK(epoll_create1(EPOLL_CLOEXEC));
    struct epoll_event ev = { .events = events, .data.fd = fd };
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    return ep;
}

struct cost {
    int waits, reads;
    long unread;                                  /* bytes never read: a stall */
};

/* Serve every queued byte of servers[]: the loop under test. `drain` reads
 * until EAGAIN on each wake-up; otherwise one recv() per wake-up. */
static struct cost serve(const int *servers, uint32_t mode, bool drain)
{
    struct cost cost = { 0, 0, 0 };
    int ep = CHECK(epoll_create1(EPOLL_CLOEXEC));
    for (int i = 0; i < CLIENTS; i++) {
        struct epoll_event ev = { .events = EPOLLIN | mode, .data.fd = servers[i] };
        CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, servers[i], &ev));
    }
    long left = (long)CLIENTS * MESSAGES * MESSAGE_SIZE;
    struct epoll_event events[32];
    char buf[READ_SIZE];
    while (left > 0) {
        int n = CHECK(epoll_wait(ep, events, 32, 200));
        cost.waits++;
        if (n == 0)
            break;                                /* no event, data left: stalled */
        for (int i = 0; i < n; i++) {
            ssize_t got;
            do {
                got = recv(events[i].data.fd, buf, sizeof buf, 0);
                cost.reads++;
                left -= got > 0 ? got : 0;
            } while (drain && got > 0);
        }
    }
    close(ep);
    cost.unread = left;
    return cost;
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    const char *ip = sl_lab_bind_ip(lab);
    struct epoll_event events[240];
    char buf[4096];

    lab_step(lab, "epoll_create(size): a hint nobody reads");
    lab_say(lab, "The notes say epoll_create(256) makes an epoll that holds 256 sockets. "
                 "Since Linux 2.6.8 the size is ignored; it must only be above 0.");
    int bad = lab_call(lab, epoll_create(0));
    lab_expect(lab, bad == -1 && errno == EINVAL, "epoll_create(0) fails with EINVAL");
    int ep = lab_call(lab, epoll_create(1));
    int fds[300], added = 0;
    for (int i = 0; i < 300; i++) {
        fds[i] = CHECK(eventfd(0, EFD_CLOEXEC));
        struct epoll_event ev = { .events = EPOLLIN, .data.fd = fds[i] };
        added += epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) == 0;
    }
    lab_expect(lab, added == 300, "an epoll made with size 1 takes 300 descriptors (%d added)",
               added);

    lab_step(lab, "Level-triggered: what is left is reported again");
    int lt_pair[2];
    sl_tcp_pair(ip, sl_lab_port(lab, 0), lt_pair);
    sl_lab_track_port(lab, sl_local_port(lt_pair[1]));
    int lt = watch(lt_pair[1], EPOLLIN);
    CHECK(send(lt_pair[0], buf, 100, 0));
    int n = lab_call(lab, epoll_wait(lt, events, 8, 1000));
    lab_call(lab, recv(lt_pair[1], buf, 10, 0));
    int again = lab_call(lab, epoll_wait(lt, events, 8, 100));
    lab_expect(lab, n == 1 && again == 1,
               "after reading 10 of 100 bytes, level-triggered epoll reports EPOLLIN again");

    lab_step(lab, "Edge-triggered: what is left is not reported again");
    int et_pair[2];
    sl_tcp_pair(ip, sl_lab_port(lab, 1), et_pair);
    sl_lab_track_port(lab, sl_local_port(et_pair[1]));
    struct sl_tuple et_server;
    sl_tuple_of_fd(et_pair[1], &et_server);
    sl_set_nonblocking(et_pair[1], true);
    int et = watch(et_pair[1], EPOLLIN | EPOLLET);
    CHECK(send(et_pair[0], buf, 100, 0));
    n = lab_call(lab, epoll_wait(et, events, 8, 1000));
    lab_call(lab, recv(et_pair[1], buf, 10, 0));
    again = lab_call(lab, epoll_wait(et, events, 8, 100));
    sl_lab_observe(lab);
    const struct sl_socket *s = sl_lab_socket(lab, &et_server);
    lab_expect(lab, n == 1 && again == 0 && s && s->recv_q == 90,
               "edge-triggered: no new event, while 90 bytes wait in Recv-Q");
    lab_pause(lab, "Recv-Q 90 on the server socket: data epoll will not mention again");
    CHECK(send(et_pair[0], buf, 1, 0));
    n = lab_call(lab, epoll_wait(et, events, 8, 1000));
    long drained = sl_drain(et_pair[1]);
    lab_expect(lab, n == 1 && drained == 91,
               "one more byte is a new edge: reported, then drained until EAGAIN (91 bytes)");

    lab_step(lab, "Edge-triggered on a blocking socket");
    lab_say(lab, "The notes say edge-triggered mode only supports non-blocking sockets. "
                 "The event does come; what fails is the drain loop: its last recv() "
                 "blocks instead of answering EAGAIN (here a 200 ms guard ends it).");
    sl_set_nonblocking(et_pair[1], false);
    sl_bound_blocking(et_pair[1], 200);
    CHECK(send(et_pair[0], buf, 50, 0));
    n = lab_call(lab, epoll_wait(et, events, 8, 1000));
    lab_call(lab, recv(et_pair[1], buf, sizeof buf, 0));
    double t0 = sl_clock_ms();
    ssize_t last = lab_call(lab, recv(et_pair[1], buf, sizeof buf, 0));
    double stalled = sl_clock_ms() - t0;
    lab_expect(lab, n == 1 && last == -1 && stalled >= 150,
               "the event arrives, but the drain's last recv() blocks (%.0f ms, until the "
               "guard): non-blocking sockets are what makes draining work", stalled);

    lab_step(lab, "An edge-triggered listener and three waiting connections");
    int listener = sl_listen_on(ip, sl_lab_port(lab, 0), 8);
    sl_lab_track_port(lab, sl_local_port(listener));
    struct sl_tuple listen_tuple;
    sl_tuple_of_fd(listener, &listen_tuple);
    sl_set_nonblocking(listener, true);
    int lep = watch(listener, EPOLLIN | EPOLLET);
    int clients[3];
    for (int i = 0; i < 3; i++)
        clients[i] = sl_connect_to(listener, 2000);
    n = lab_call(lab, epoll_wait(lep, events, 8, 1000));
    int first = lab_call(lab, accept(listener, NULL, NULL));
    again = lab_call(lab, epoll_wait(lep, events, 8, 100));
    sl_lab_observe(lab);
    s = sl_lab_socket(lab, &listen_tuple);
    lab_expect(lab, n == 1 && first >= 0 && again == 0 && s && s->recv_q == 2,
               "one wake-up for three connections: after one accept(), no new event while "
               "2 wait in the accept queue (the listener's Recv-Q)");
    lab_pause(lab, "the LISTEN socket's Recv-Q is 2: two connections nobody will accept");
    int accepted = 0, fd;
    while ((fd = accept(listener, NULL, NULL)) >= 0) {   /* the fix: accept until EAGAIN */
        accepted++;
        close(fd);
    }
    lab_expect(lab, accepted == 2 && errno == EAGAIN,
               "the accept loop takes the other 2, then stops at EAGAIN");
    close(first);

    lab_step(lab, "maxevents counts events, not bytes");
    lab_say(lab, "30 descriptors are ready and the program's array has 20 slots. The "
                 "notes pass sizeof(events), %zu here, as maxevents. To show what the "
                 "kernel does without corrupting the lab, the 20-slot array sits at the "
                 "start of a %zu-slot region whose tail is filled with a guard pattern.",
            sizeof(struct epoll_event[20]), sizeof events / sizeof events[0]);
    for (int i = 0; i < 30; i++)
        CHECK(eventfd_write(fds[i], 1));
    struct epoll_event *array = events;              /* "struct epoll_event array[20]" */
    memset(events + 20, 0xAB, sizeof events - 20 * sizeof events[0]);
    int right = lab_call(lab, epoll_wait(ep, array, 20, 0));
    int wrong = lab_call(lab, epoll_wait(ep, array, sizeof(struct epoll_event[20]), 0));
    unsigned char *guard = (unsigned char *)(events + 20);
    lab_expect(lab, right == 20, "with maxevents 20 the kernel returns at most 20 events");
    lab_expect(lab, wrong == 30 && guard[0] != 0xAB,
               "with maxevents = sizeof(events) it wrote %d events into a 20-slot array: "
               "%d past its end", wrong, wrong - 20);

    lab_step(lab, "epoll_wait returns as soon as one event is ready");
    lab_say(lab, "The notes read epoll_wait(fd, events, 20, 500) as \"wait for 20 events "
                 "or 500 ms\". One ready event is enough.");
    for (int i = 0; i < 300; i++)
        close(fds[i]);
    close(ep);
    ep = watch(lt_pair[1], EPOLLIN);                 /* 90 bytes still unread there */
    t0 = sl_clock_ms();
    n = lab_call(lab, epoll_wait(ep, events, 20, 500));
    lab_expect(lab, n == 1 && sl_clock_ms() - t0 < 250,
               "with one ready descriptor epoll_wait returns 1 at once");
    sl_drain(lt_pair[1]);
    t0 = sl_clock_ms();
    n = lab_call(lab, epoll_wait(ep, events, 20, 500));
    lab_expect(lab, n == 0 && sl_clock_ms() - t0 >= 450,
               "with none, it returns 0 when the 500 ms timeout ends");

    lab_step(lab, "The peer closes: EPOLLIN, EPOLLRDHUP, EPOLLHUP");
    close(ep);
    ep = watch(lt_pair[1], EPOLLIN | EPOLLRDHUP);
    CHECK(shutdown(lt_pair[0], SHUT_WR));
    sl_wait_fd(lt_pair[1], POLLIN, 1000);
    n = lab_call(lab, epoll_wait(ep, events, 8, 1000));
    uint32_t seen = n == 1 ? events[0].events : 0;
    lab_show(lab, "events: %s%s%s", seen & EPOLLIN ? "EPOLLIN " : "",
             seen & EPOLLRDHUP ? "EPOLLRDHUP " : "", seen & EPOLLHUP ? "EPOLLHUP" : "");
    lab_expect(lab, seen == (EPOLLIN | EPOLLRDHUP),
               "the peer's FIN shows as EPOLLIN | EPOLLRDHUP, and recv() would return 0");
    CHECK(shutdown(lt_pair[1], SHUT_WR));
    n = lab_call(lab, epoll_wait(ep, events, 8, 1000));
    seen = n == 1 ? events[0].events : 0;
    lab_expect(lab, seen & EPOLLHUP,
               "once both directions are shut, EPOLLHUP is added");
    close(ep);

    lab_step(lab, "The same work four ways: is level-triggered \"very inefficient\"?");
    lab_say(lab, "%d connections each send %d messages of %d bytes; the server reads %d "
                 "bytes at a time. Counted: epoll_wait calls and recv calls.",
            CLIENTS, MESSAGES, MESSAGE_SIZE, READ_SIZE);
    struct cost cost[4];
    const char *names[4] = { "edge-triggered, drain", "level-triggered, drain",
                             "level-triggered, one recv per wake-up",
                             "edge-triggered, one recv per wake-up" };
    for (int way = 0; way < 4; way++) {
        int servers[CLIENTS], peers[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) {
            int p[2];
            sl_tcp_pair(ip, 0, p);
            peers[i] = p[0];
            servers[i] = p[1];
            sl_set_nonblocking(servers[i], true);
            for (int m = 0; m < MESSAGES; m++)
                CHECK(send(peers[i], buf, MESSAGE_SIZE, 0));
        }
        for (int i = 0; i < CLIENTS; i++) {          /* every byte queued before we start */
            int queued = 0;
            for (int tries = 0; tries < 500 && queued < MESSAGES * MESSAGE_SIZE; tries++) {
                CHECK(ioctl(servers[i], FIONREAD, &queued));
                if (queued < MESSAGES * MESSAGE_SIZE)
                    sl_sleep_ms(1);
            }
        }
        cost[way] = serve(servers, way == 0 || way == 3 ? EPOLLET : 0, way < 2);
        lab_show(lab, "%-37s %d waits %3d recvs %5ld unread", names[way],
                 cost[way].waits, cost[way].reads, cost[way].unread);
        for (int i = 0; i < CLIENTS; i++) {
            close(peers[i]);
            close(servers[i]);
        }
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

    for (int i = 0; i < 3; i++)
        close(clients[i]);
    close(lep);
    close(listener);
    close(lt);
    close(et);
    close(lt_pair[0]);
    close(lt_pair[1]);
    close(et_pair[0]);
    close(et_pair[1]);
    return sl_lab_end(lab);
}
