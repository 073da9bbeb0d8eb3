/* epollout-edges.c — what an edge-triggered EPOLLOUT reports on a TCP socket
 * over loopback, which lab 11's server relies on when it leaves EPOLLOUT in
 * every connection's mask (server.c, conn_watch):
 *
 *   - 100 small sends, each acknowledged and read: no event;
 *   - a send buffer filled until send() says EAGAIN, then drained by the
 *     peer: one event;
 *   - small sends again after that: no event, until another EAGAIN.
 *
 *   epollout-edges      prints the three counts; exit 0 when they are 0, 1, 0,
 *                       1 (with a line on stderr) when not. Every wait bounded. */
#include "socklab/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int must(int value, const char *what)
{
    if (value < 0) {
        fprintf(stderr, "epollout-edges: %s: %s\n", what, strerror(errno));
        exit(2);
    }
    return value;
}

/* Events epoll has for the socket now (no waiting). */
static int events_now(int ep)
{
    struct epoll_event ev[4];
    return must(epoll_wait(ep, ev, 4, 0), "epoll_wait");
}

/* Read all the client has (non-blocking) and wait, bounded, until the
 * server's socket has nothing unacknowledged or unsent. */
static void drain(int client, int server)
{
    char buf[65536];
    double deadline = sl_clock_ms() + 5000;
    int queued = 1;
    while (sl_clock_ms() < deadline) {
        while (recv(client, buf, sizeof buf, MSG_DONTWAIT) > 0)
            ;
        must(ioctl(server, SIOCOUTQ, &queued), "SIOCOUTQ");
        if (queued == 0)
            return;
        struct pollfd p = { .fd = client, .events = POLLIN };
        poll(&p, 1, 10);
    }
    fprintf(stderr, "epollout-edges: %d bytes still unacknowledged after 5 s\n", queued);
    exit(1);
}

/* n small sends, each read by the client and acknowledged before the next:
 * how many events came meanwhile. */
static int small_sends(int ep, int client, int server, int n)
{
    int events = 0;
    for (int i = 0; i < n; i++) {
        must((int)send(server, "0123456789", 10, MSG_NOSIGNAL), "send");
        drain(client, server);
        events += events_now(ep);
    }
    return events;
}

int main(void)
{
    int listener = must(socket(AF_INET, SOCK_STREAM, 0), "socket");
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof addr;
    must(bind(listener, (struct sockaddr *)&addr, sizeof addr), "bind");
    must(listen(listener, 1), "listen");
    must(getsockname(listener, (struct sockaddr *)&addr, &len), "getsockname");
    int client = must(socket(AF_INET, SOCK_STREAM, 0), "socket");
    must(connect(client, (struct sockaddr *)&addr, sizeof addr), "connect");
    int server = must(accept4(listener, NULL, NULL, SOCK_NONBLOCK), "accept4");
    close(listener);

    int ep = must(epoll_create1(0), "epoll_create1");
    struct epoll_event ev = { .events = EPOLLOUT | EPOLLET };
    must(epoll_ctl(ep, EPOLL_CTL_ADD, server, &ev), "epoll_ctl");
    int registered = events_now(ep);        /* ADD reports what is there: writable */

    int acked = small_sends(ep, client, server, 100);

    static char chunk[65536];
    long filled = 0;
    for (ssize_t n; (n = send(server, chunk, sizeof chunk, MSG_NOSIGNAL)) > 0;)
        filled += n;
    if (errno != EAGAIN)
        must(-1, "send until EAGAIN");
    int before_drain = events_now(ep);
    drain(client, server);
    int drained = events_now(ep);

    int after = small_sends(ep, client, server, 10);
    printf("registered %d, 100 small sends acknowledged %d, %ld bytes until EAGAIN then "
           "drained %d (before the drain %d), 10 small sends after %d\n",
           registered, acked, filled, drained, before_drain, after);
    if (registered != 1 || acked != 0 || before_drain != 0 || drained != 1 || after != 0) {
        fprintf(stderr, "epollout-edges: expected 1, 0, then 0 and 1, then 0\n");
        return 1;
    }
    return 0;
}
