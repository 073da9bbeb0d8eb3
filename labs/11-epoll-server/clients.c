/* labs/11-epoll-server/clients.c — the bounded loopback HTTP clients of lab 11.
 * Every socket here is non-blocking and every wait goes through poll() with
 * what is left of its deadline. */
#include "clients.h"

#include "socklab/clock.h"
#include "socklab/i18n.h"
#include "socklab/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

const char http_get_root[] = "GET / HTTP/1.1\r\nHost: lab\r\n\r\n";
const char http_get_big[] = "GET /big HTTP/1.1\r\nHost: lab\r\n\r\n";

/* Milliseconds left until deadline, never negative. */
static int left_ms(double deadline)
{
    double left = deadline - sl_clock_ms();
    return left > 0 ? (int)left + 1 : 0;
}

/* A non-blocking TCP socket connecting to ip:port: connect() in progress. */
static int connect_start(const char *ip, uint16_t port, int rcvbuf)
{
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
    if (inet_pton(AF_INET, ip, &to.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Whether a connect() in progress has succeeded (POLLOUT seen). */
/* How a non-blocking connect() ended: 0, or its errno (SO_ERROR). */
static int connect_error(int fd)
{
    int err = 0;
    socklen_t len = sizeof err;
    return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 ? err : errno;
}

bool client_open(struct http_client *c, const char *ip, uint16_t port, int rcvbuf,
                 int timeout_ms)
{
    c->have = 0;
    c->fd = connect_start(ip, port, rcvbuf);
    if (c->fd < 0)
        return false;
    if (!(sl_wait_fd(c->fd, POLLOUT, timeout_ms) & POLLOUT) || connect_error(c->fd)) {
        client_close(c);
        return false;
    }
    return true;
}

bool client_send(struct http_client *c, const char *bytes, size_t len, int timeout_ms)
{
    double deadline = sl_clock_ms() + timeout_ms;
    while (len > 0) {
        ssize_t n = send(c->fd, bytes, len, MSG_NOSIGNAL);
        if (n > 0) {
            bytes += n;
            len -= (size_t)n;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            return false;
        } else if (!(sl_wait_fd(c->fd, POLLOUT, left_ms(deadline)) & POLLOUT)) {
            return false;
        }
    }
    return true;
}

bool client_send_text(struct http_client *c, const char *text, int timeout_ms)
{
    return client_send(c, text, strlen(text), timeout_ms);
}

/* The length of a complete reply head at the start of buf (0: not complete
 * yet), with its status code and Content-Length (0 when absent). */
static size_t parse_head(const char *buf, size_t have, int *status, long *content_length)
{
    const char *end = memmem(buf, have, "\r\n\r\n", 4);
    if (!end)
        return 0;
    *status = 0;
    *content_length = 0;
    if (have > 12 && memcmp(buf, "HTTP/1.", 7) == 0)
        *status = atoi(buf + 9);
    for (const char *line = buf; line < end;) {
        const char *next = memmem(line, (size_t)(end - line), "\r\n", 2);
        if (!next)
            next = end;
        if (strncasecmp(line, "Content-Length:", 15) == 0)
            *content_length = strtol(line + 15, NULL, 10);
        line = next + 2;
    }
    return (size_t)(end - buf) + 4;
}

/* Read what is there into c->buf (at most what fits): >0 bytes, 0 EOF, -1 error
 * (RST), -2 nothing yet. */
static ssize_t fill(struct http_client *c)
{
    ssize_t n = recv(c->fd, c->buf + c->have, sizeof c->buf - c->have, 0);
    if (n > 0)
        c->have += (size_t)n;
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? -2 : -1;
    return n;
}

enum reply_outcome client_read_reply(struct http_client *c, int timeout_ms, int *status,
                                     long *body)
{
    double deadline = sl_clock_ms() + timeout_ms;
    long length = 0;
    size_t head;
    *status = 0;
    while ((head = parse_head(c->buf, c->have, status, &length)) == 0) {
        if (c->have == sizeof c->buf)
            return REPLY_CLOSED;                /* no reply fits: not HTTP */
        ssize_t n = fill(c);
        if (n == 0 || n == -1)
            return REPLY_CLOSED;
        if (n == -2 && !(sl_wait_fd(c->fd, POLLIN, left_ms(deadline)) & (POLLIN | POLLHUP)))
            return REPLY_TIMEOUT;
    }
    if (body)
        *body = length;
    long missing = length;                      /* body bytes still to come */
    size_t taken = head;
    while (true) {
        size_t here = c->have - taken;
        if ((long)here >= missing) {
            taken += (size_t)missing;
            memmove(c->buf, c->buf + taken, c->have - taken);
            c->have -= taken;
            return REPLY_FULL;
        }
        missing -= (long)here;
        c->have = 0;                            /* the body is counted, not kept */
        taken = 0;
        ssize_t n = fill(c);
        if (n == 0 || n == -1)
            return REPLY_CLOSED;
        if (n == -2 && !(sl_wait_fd(c->fd, POLLIN, left_ms(deadline)) & (POLLIN | POLLHUP)))
            return REPLY_TIMEOUT;
    }
}

double client_wait_closed(struct http_client *c, int timeout_ms)
{
    double start = sl_clock_ms(), deadline = start + timeout_ms;
    while (true) {
        c->have = 0;
        ssize_t n = fill(c);
        if (n == 0 || n == -1)
            return sl_clock_ms() - start;
        if (n == -2 && !(sl_wait_fd(c->fd, POLLIN, left_ms(deadline)) & (POLLIN | POLLHUP)))
            return -1;
    }
}

double client_trickle(struct http_client *c, int interval_ms, int timeout_ms)
{
    static const char request[] = "GET / HTTP/1.1\r\nHost: lab\r\nX-Slow: ";
    double start = sl_clock_ms(), deadline = start + timeout_ms;
    for (size_t i = 0; sl_clock_ms() < deadline; i++) {
        char byte = i < sizeof request - 1 ? request[i] : 'a';
        if (send(c->fd, &byte, 1, MSG_NOSIGNAL) < 0 && errno != EAGAIN)
            return sl_clock_ms() - start;       /* the server reset it */
        int wait = left_ms(deadline) < interval_ms ? left_ms(deadline) : interval_ms;
        if (sl_wait_fd(c->fd, POLLIN, wait) & (POLLIN | POLLHUP)) {
            c->have = 0;
            ssize_t n = fill(c);
            if (n == 0 || n == -1)
                return sl_clock_ms() - start;
        }
    }
    return -1;
}

void client_close(struct http_client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->have = 0;
}

void clients_open(struct http_client *c, int n, const char *ip, uint16_t port)
{
    for (int i = 0; i < n; i++)
        client_open(&c[i], ip, port, 0, 2000);
}

void clients_send_text(struct http_client *c, int n, const char *text)
{
    for (int i = 0; i < n; i++)
        if (c[i].fd >= 0)
            client_send_text(&c[i], text, 2000);
}

struct reply_count clients_read_replies(struct http_client *c, int n, int timeout_ms)
{
    struct reply_count count = { 0, 0, 0 };
    for (int i = 0; i < n; i++) {
        int status;
        switch (c[i].fd < 0 ? REPLY_CLOSED : client_read_reply(&c[i], timeout_ms, &status, NULL)) {
        case REPLY_FULL:
            count.full++;
            break;
        case REPLY_CLOSED:
            count.closed++;
            break;
        case REPLY_TIMEOUT:
            count.timeout++;
            break;
        }
    }
    return count;
}

void clients_close(struct http_client *c, int n)
{
    for (int i = 0; i < n; i++)
        client_close(&c[i]);
}

/* One client of a burst: connecting, then sending, then reading. */
struct burst_client {
    struct http_client http;
    bool connected, done, served;
    bool reset;                 /* ended by a RST from the server's kernel */
};

/* Advance one client of a burst on the events poll() saw. */
static void burst_step(struct burst_client *b, short revents, const char *request)
{
    if (!b->connected) {
        int err = connect_error(b->http.fd);
        if (err || !client_send_text(&b->http, request, 1000)) {
            b->reset = (err ? err : errno) == ECONNRESET;
            b->done = true;
            return;
        }
        b->connected = true;
        return;
    }
    if (!(revents & (POLLIN | POLLHUP | POLLERR)))
        return;
    ssize_t n = fill(&b->http);
    int err = errno, status;
    long length;
    size_t head = parse_head(b->http.buf, b->http.have, &status, &length);
    if (head && b->http.have >= head + (size_t)length) {
        b->served = status == 200;
        b->done = true;
    } else if (n == 0 || n == -1 || b->http.have == sizeof b->http.buf) {
        b->reset = n == -1 && err == ECONNRESET;
        b->done = true;
    }
}

struct burst_result client_burst(const char *ip, uint16_t port, int n, const char *request,
                                 int timeout_ms)
{
    struct burst_result result = { 0, 0, 0, 0, 0, 0, 0 };
    struct burst_client *clients = calloc((size_t)n, sizeof *clients);
    struct pollfd *fds = calloc((size_t)n, sizeof *fds);
    if (!clients || !fds) {
        free(clients);
        free(fds);
        result.refused = n;
        return result;
    }
    double start = sl_clock_ms(), deadline = start + timeout_ms;
    int pending = 0;
    for (int i = 0; i < n; i++) {
        clients[i].http.fd = connect_start(ip, port, 0);
        clients[i].done = clients[i].http.fd < 0;
        result.unstarted += clients[i].done;
        pending += !clients[i].done;
    }
    while (pending > 0 && left_ms(deadline) > 0) {
        for (int i = 0; i < n; i++) {
            fds[i].fd = clients[i].done ? -1 : clients[i].http.fd;
            fds[i].events = clients[i].connected ? POLLIN : POLLOUT;
        }
        if (poll(fds, (nfds_t)n, left_ms(deadline)) <= 0)
            continue;
        for (int i = 0; i < n; i++) {
            if (clients[i].done || !fds[i].revents)
                continue;
            burst_step(&clients[i], fds[i].revents, request);
            pending -= clients[i].done;
            if (clients[i].served)
                result.slowest_ms = sl_clock_ms() - start;
        }
    }
    for (int i = 0; i < n; i++) {
        struct burst_client *b = &clients[i];
        result.served += b->served;
        result.refused += b->done && !b->served && b->http.fd >= 0;
        result.reset += b->done && !b->served && b->reset;
        result.connecting += !b->done && !b->connected;
        result.waiting += !b->done && b->connected;
        if (!b->done && b->http.fd >= 0) {      /* abandoned: a RST, so that no late */
            struct linger now = { 1, 0 };       /* FIN completes a handshake later */
            setsockopt(b->http.fd, SOL_SOCKET, SO_LINGER, &now, sizeof now);
        }
        client_close(&b->http);
    }
    free(clients);
    free(fds);
    return result;
}

const char *reply_outcome_name(enum reply_outcome outcome)
{
    switch (outcome) {
    case REPLY_FULL:
        return _("a full reply");
    case REPLY_CLOSED:
        return _("closed, no reply");
    case REPLY_TIMEOUT:
        return _("no reply yet");
    }
    return "?";
}
