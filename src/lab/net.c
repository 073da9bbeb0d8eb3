/* net.c — listener, pair, O_NONBLOCK and bounded waits (see net.h). */
#include "socklab/net.h"

#include "socklab/addr.h"
#include "socklab/check.h"
#include "socklab/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

int sl_listen_on(const char *ip, uint16_t port, int backlog)
{
    struct sockaddr_storage addr;
    socklen_t len;
    const char *why;
    if (!sl_addr_parse_ip(ip, port, &addr, &len, &why))
        sl_die("cannot listen on '%s': %s", ip, why);
    int fd = (int)CHECK(socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    int on = 1;
    CHECK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));
    CHECK(bind(fd, (struct sockaddr *)&addr, len));
    CHECK(listen(fd, backlog));
    return fd;
}

uint16_t sl_local_port(int fd)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    CHECK(getsockname(fd, (struct sockaddr *)&addr, &len));
    return sl_addr_port((struct sockaddr *)&addr);
}

short sl_wait_fd(int fd, short events, int timeout_ms)
{
    double deadline = sl_clock_ms() + timeout_ms;
    for (;;) {
        struct pollfd p = { .fd = fd, .events = events };
        int left = (int)(deadline - sl_clock_ms());
        int n = poll(&p, 1, left > 0 ? left : 0);
        if (n > 0)
            return p.revents;
        if (n == 0)
            return 0;
        if (errno != EINTR)
            CHECK(n);
    }
}

/* Where to connect to reach listen_fd: its own address, with a wildcard
 * (0.0.0.0 or ::) replaced by the loopback address of the same family. */
static socklen_t reachable_address(int listen_fd, struct sockaddr_storage *addr)
{
    socklen_t len = sizeof *addr;
    CHECK(getsockname(listen_fd, (struct sockaddr *)addr, &len));
    if (addr->ss_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)addr;
        if (in->sin_addr.s_addr == htonl(INADDR_ANY))
            in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else if (addr->ss_family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;
        if (IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr))
            in6->sin6_addr = in6addr_loopback;
    }
    return len;
}

int sl_connect_to(int listen_fd, int timeout_ms)
{
    struct sockaddr_storage addr;
    socklen_t len = reachable_address(listen_fd, &addr);
    int fd = (int)CHECK(socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));

    /* Connect without blocking, so the wait can be bounded, then go back to a
     * plain blocking socket: the caller gets an ordinary connected fd. */
    sl_set_nonblocking(fd, true);
    if (connect(fd, (struct sockaddr *)&addr, len) == -1) {
        if (errno != EINPROGRESS)
            CHECK(-1);
        if (!sl_wait_fd(fd, POLLOUT, timeout_ms)) {
            errno = ETIMEDOUT;
            CHECK(-1);
        }
        int err = 0;
        socklen_t err_len = sizeof err;
        CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len));
        if (err) {
            errno = err;
            CHECK(-1);
        }
    }
    sl_set_nonblocking(fd, false);
    return fd;
}

int sl_accept_within(int listen_fd, int timeout_ms)
{
    if (!(sl_wait_fd(listen_fd, POLLIN, timeout_ms) & POLLIN)) {
        errno = ETIMEDOUT;
        return -1;
    }
    return accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
}

void sl_tcp_pair(const char *ip, uint16_t port, int pair[2])
{
    int listener = sl_listen_on(ip, port, 1);
    pair[0] = sl_connect_to(listener, 2000);
    pair[1] = (int)CHECK(sl_accept_within(listener, 2000));
    CHECK(close(listener));
}

void sl_set_nonblocking(int fd, bool on)
{
    int flags = (int)CHECK(fcntl(fd, F_GETFL));
    flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
    CHECK(fcntl(fd, F_SETFL, flags));
}

void sl_bound_blocking(int fd, int ms)
{
    struct timeval limit = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit));
    CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit));
}

void sl_close_client_first(int client, int server)
{
    CHECK(close(client));
    sl_wait_fd(server, POLLRDHUP, 1000);              /* the client's FIN */
    sl_drain(server);                                 /* unread data would mean a RST */
    CHECK(close(server));
}

long sl_read_up_to(int fd, long limit, bool *eof)
{
    char buf[16384];
    long total = 0;
    ssize_t n = 1;
    while (total < limit &&
           (n = recv(fd, buf, limit - total < (long)sizeof buf ? (size_t)(limit - total)
                                                               : sizeof buf, 0)) > 0)
        total += n;
    if (eof)
        *eof = n == 0;
    return total;
}

long sl_drain(int fd)
{
    char buf[4096];
    long total = 0;
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0)
        total += n;
    return total;
}

int sl_wait_queued(int fd, int bytes, int timeout_ms)
{
    double deadline = sl_clock_ms() + timeout_ms;
    int queued = 0;
    while (CHECK(ioctl(fd, FIONREAD, &queued)) == 0 && queued < bytes &&
           sl_clock_ms() < deadline)
        sl_sleep_ms(1);
    return queued;
}
