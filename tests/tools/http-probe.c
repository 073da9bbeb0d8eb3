/* http-probe.c — the client side of the server tests: one scenario a run,
 * against an HTTP server on 127.0.0.1:PORT. Exit 0 when the server behaved,
 * 1 (with one line on stderr saying what it did instead) when not, 2 on bad
 * usage. Every wait is bounded.
 *
 *   http-probe PORT get PATH STATUS [FILE]   one GET: status, and body == FILE
 *   http-probe PORT show PATH                one GET; its whole response on stdout
 *   http-probe PORT head                     HEAD /: 200, Content-Length, no body
 *   http-probe PORT raw TEXT STATUS close|keep  TEXT (\r \n \xHH escapes) -> STATUS
 *   http-probe PORT answered-then-closed TEXT STATUS  one answer, then closed anyway
 *   http-probe PORT keepalive N              N GETs one after another, one connection
 *   http-probe PORT pipeline N               N mixed requests in one send(), in order
 *   http-probe PORT pipeline-flood N         N mixed requests sent at once by a child
 *                                            while the parent reads: all, in order
 *   http-probe PORT halfclose                a GET, shutdown(SHUT_WR): answered, then EOF
 *   http-probe PORT closed-within MS TEXT    TEXT sent, then the server closes within MS
 *   http-probe PORT slowloris MS             a header a byte at a time: closed within MS
 *   http-probe PORT reset-midway PATH        a GET of a big file, a RST after 64 KiB
 *   http-probe PORT slow-reader PATH         a GET of a big file left unread: another
 *                                            client is answered meanwhile
 *   http-probe PORT half-request MS          half a request, then MS ms of waiting
 *   http-probe PORT stalled-reader PATH MS   a GET of a big file, no reading for MS ms:
 *                                            the server gave up on it, the body cut short
 *   http-probe PORT stop-midway PATH SIZE PID  SIGTERM PID mid-download: all SIZE bytes come
 *   http-probe PORT hold N                   N connections open at once, each answered twice
 *   http-probe PORT flood N                  N at once: each answered (200/503) or closed
 *   http-probe PORT load C R                 C connections, R pipelined requests each:
 *                                            every response once, in order
 *   http-probe PORT files C R D ROOT PATH... C connections, R requests each for the
 *                                            PATHs in turn, D at a time in one send():
 *                                            every response once, in order, whole (each
 *                                            body the bytes of ROOT/PATH)
 *
 * `hold` prints how many connections it could open within RLIMIT_NOFILE
 * ("held N") when that is fewer than asked. */
#include "socklab/clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define WAIT_MS 5000            /* the longest any one answer may take */

static uint16_t port;

static _Noreturn void failed(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("http-probe: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static int connect_server(bool nonblocking)
{
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
    if (fd == -1)
        return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == -1 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

static int connect_or_fail(void)
{
    int fd = connect_server(false);
    if (fd == -1)
        failed("cannot connect to 127.0.0.1:%u: %s", port, strerror(errno));
    struct timeval tv = { .tv_sec = WAIT_MS / 1000 };
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

/* A connection whose receive buffer (so its window) is 16 KiB: the
 * server's answers back up in its own send buffer soon. */
static int connect_small_window(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int small = 16 * 1024;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (fd == -1 || connect(fd, (struct sockaddr *)&addr, sizeof addr) == -1)
        failed("cannot connect to 127.0.0.1:%u: %s", port, strerror(errno));
    return fd;
}

static void send_all(int fd, const char *bytes, size_t len)
{
    while (len) {
        ssize_t n = send(fd, bytes, len, MSG_NOSIGNAL);
        if (n <= 0)
            failed("send: %s", n ? strerror(errno) : "0");
        bytes += n, len -= (size_t)n;
    }
}

/* --- reading responses, with what is left over kept for the next one ------ */

struct reader {
    int fd;
    char buf[1 << 18];                  /* a response of a 64 KiB file, and more */
    size_t len;
};

struct response {
    int status;
    long length;                /* Content-Length */
    bool closes;                /* Connection: close */
    char *body;                 /* into the reader's buffer: valid until the next read */
    size_t body_len;
};

/* More bytes within WAIT_MS: 1, 0 at EOF or a reset, -1 on a timeout. */
static int fill(struct reader *r)
{
    struct pollfd p = { .fd = r->fd, .events = POLLIN };
    if (r->len == sizeof r->buf)
        failed("a response larger than %zu bytes", sizeof r->buf);
    if (poll(&p, 1, WAIT_MS) != 1)
        return -1;
    ssize_t n = recv(r->fd, r->buf + r->len, sizeof r->buf - r->len, 0);
    if (n <= 0)
        return 0;
    r->len += (size_t)n;
    return 1;
}

static void drop(struct reader *r, size_t n)
{
    memmove(r->buf, r->buf + n, r->len - n);
    r->len -= n;
}

/* One whole response (no body after HEAD). The previous one's bytes must be
 * dropped by the caller (response_done). */
static struct response read_response(struct reader *r, bool head)
{
    char *end;
    while (!(end = memmem(r->buf, r->len, "\r\n\r\n", 4)))
        if (fill(r) != 1)
            failed("no whole response head (got %zu bytes: %.40s)", r->len, r->buf);
    *end = '\0';
    struct response res = { .length = -1 };
    if (sscanf(r->buf, "HTTP/1.1 %d ", &res.status) != 1)
        failed("not a status line: %.40s", r->buf);
    const char *cl = strcasestr(r->buf, "\r\nContent-Length: ");
    res.length = cl ? strtol(cl + 18, NULL, 10) : -1;
    res.closes = strcasestr(r->buf, "\r\nConnection: close") != NULL;
    *end = '\r';
    size_t head_len = (size_t)(end + 4 - r->buf);
    size_t body = head || res.length < 0 ? 0 : (size_t)res.length;
    while (r->len < head_len + body)
        if (fill(r) != 1)
            failed("a body shorter than its Content-Length %ld", res.length);
    res.body = r->buf + head_len;
    res.body_len = body;
    return res;
}

static void response_done(struct reader *r, const struct response *res)
{
    drop(r, (size_t)(res->body - r->buf) + res->body_len);
}

/* The server closes: EOF or a reset within ms, no byte before it. */
static bool closes_within(struct reader *r, int ms)
{
    long long deadline = (long long)sl_clock_ms() + ms;
    while (sl_clock_ms() < deadline) {
        struct pollfd p = { .fd = r->fd, .events = POLLIN };
        if (poll(&p, 1, (int)(deadline - (long long)sl_clock_ms()) + 1) != 1)
            continue;
        ssize_t n = recv(r->fd, r->buf, sizeof r->buf, 0);
        if (n == 0 || (n == -1 && errno == ECONNRESET))
            return true;
        if (n > 0)
            failed("%zd unexpected bytes: %.40s", n, r->buf);
    }
    return false;
}

static struct reader *reader_new(int fd)
{
    struct reader *r = calloc(1, sizeof *r);
    if (!r)
        failed("out of memory");
    r->fd = fd;
    return r;
}

static void reader_free(struct reader *r)
{
    close(r->fd);
    free(r);
}

/* "a\r\nb\x01" from the shell's "a\\r\\nb\\x01". */
static size_t unescape(const char *text, char *out, size_t room)
{
    size_t n = 0;
    unsigned hex;
    for (; *text && n + 1 < room; text++) {
        if (text[0] == '\\' && (text[1] == 'r' || text[1] == 'n')) {
            out[n++] = text[1] == 'r' ? '\r' : '\n';
            text++;
        } else if (text[0] == '\\' && text[1] == 'x' && sscanf(text + 2, "%2x", &hex) == 1) {
            out[n++] = (char)hex;
            text += 3;
        } else {
            out[n++] = *text;
        }
    }
    return n;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    static char data[1 << 15];
    if (!f)
        failed("cannot read %s", path);
    *len = fread(data, 1, sizeof data, f);
    fclose(f);
    return data;
}

/* Close with a RST (SO_LINGER 0): thousands of closes by the client would
 * otherwise leave as many TIME-WAITs holding the machine's ephemeral ports
 * for a minute, in the way of whatever test picks a port next. */
static void close_abortively(int fd)
{
    struct linger rst = { .l_onoff = 1, .l_linger = 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof rst);
    close(fd);
}

/* --- the scenarios ------------------------------------------------------------ */

static const char GET_ROOT[] = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";

static void send_get(int fd, const char *path)
{
    char request[2048];
    int n = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
    send_all(fd, request, (size_t)n);
}

static void expect_status(const struct response *res, int status, const char *what)
{
    if (res->status != status)
        failed("%s: status %d, expected %d", what, res->status, status);
}

static int scenario_get(const char *path, int status, const char *file)
{
    struct reader *r = reader_new(connect_or_fail());
    send_get(r->fd, path);
    struct response res = read_response(r, false);
    expect_status(&res, status, path);
    if (file) {
        size_t len;
        const char *want = read_file(file, &len);
        if (res.body_len != len || memcmp(res.body, want, len))
            failed("%s: the body (%zu bytes) is not %s (%zu bytes)", path, res.body_len, file,
                   len);
    }
    reader_free(r);
    return 0;
}

static int scenario_show(const char *path)
{
    struct reader *r = reader_new(connect_or_fail());
    send_get(r->fd, path);
    struct response res = read_response(r, false);
    fwrite(r->buf, 1, (size_t)(res.body - r->buf) + res.body_len, stdout);
    reader_free(r);
    return 0;
}

static int scenario_head(void)
{
    struct reader *r = reader_new(connect_or_fail());
    send_all(r->fd, "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n", 28);
    struct response head = read_response(r, true);
    expect_status(&head, 200, "HEAD /");
    response_done(r, &head);
    send_all(r->fd, GET_ROOT, sizeof GET_ROOT - 1);     /* no body came between */
    struct response get = read_response(r, false);
    expect_status(&get, 200, "GET / after HEAD");
    if (head.length != (long)get.body_len || head.length <= 0)
        failed("HEAD's Content-Length %ld is not GET's body length %zu", head.length,
               get.body_len);
    reader_free(r);
    return 0;
}

/* closes: the connection must be closed after the answer; said: its
 * headers must say so too (the notes' server closes without saying). */
static int scenario_raw(const char *text, int status, bool closes, bool said)
{
    char request[16384];
    size_t len = unescape(text, request, sizeof request);
    struct reader *r = reader_new(connect_or_fail());
    send_all(r->fd, request, len);
    struct response res = read_response(r, false);
    expect_status(&res, status, text);
    response_done(r, &res);
    if (closes && !((res.closes || !said) && closes_within(r, WAIT_MS)))
        failed("%s: answered %d but the connection stayed open", text, status);
    if (!closes) {                          /* still usable */
        send_all(r->fd, GET_ROOT, sizeof GET_ROOT - 1);
        struct response next = read_response(r, false);
        expect_status(&next, 200, "the next request");
    }
    reader_free(r);
    return 0;
}

static int scenario_keepalive(int count)
{
    struct reader *r = reader_new(connect_or_fail());
    for (int i = 0; i < count; i++) {
        send_all(r->fd, GET_ROOT, sizeof GET_ROOT - 1);
        struct response res = read_response(r, false);
        if (res.status != 200 || res.closes)
            failed("request %d of %d: status %d%s", i + 1, count, res.status,
                   res.closes ? ", Connection: close" : "");
        response_done(r, &res);
    }
    reader_free(r);
    return 0;
}

/* Request i of a mixed sequence, and what must answer it: GET / (200 with
 * the page), HEAD / (200, no body), GET /missing-i (404). */
static int mixed_request(int i, char *out, size_t room, int *status, bool *head)
{
    static const char *const forms[] = { "GET / HTTP/1.1\r\nHost: t\r\n\r\n",
                                         "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n",
                                         "GET /missing-%d HTTP/1.1\r\nHost: t\r\n\r\n" };
    *status = i % 3 == 2 ? 404 : 200;
    *head = i % 3 == 1;
    return snprintf(out, room, forms[i % 3], i);
}

/* Read the responses to requests first..first+count-1 of the mixed
 * sequence, checking each one's status: in order, or the statuses differ. */
static void expect_mixed_responses(struct reader *r, int first, int count)
{
    for (int i = first; i < first + count; i++) {
        int status;
        bool head;
        char ignored[128];
        mixed_request(i, ignored, sizeof ignored, &status, &head);
        struct response res = read_response(r, head);
        if (res.status != status)
            failed("pipelined response %d: status %d, expected %d (out of order?)", i,
                   res.status, status);
        response_done(r, &res);
    }
}

/* Send requests first..first+count-1 of the mixed sequence at once; read and
 * check their responses in order. */
static void pipelined_batch(struct reader *r, int first, int count)
{
    char batch[64 * 64] = "";
    size_t len = 0;
    for (int i = first; i < first + count; i++) {
        int status;
        bool head;
        len += (size_t)mixed_request(i, batch + len, sizeof batch - len, &status, &head);
    }
    send_all(r->fd, batch, len);
    expect_mixed_responses(r, first, count);
}

static int scenario_pipeline(int count)
{
    struct reader *r = reader_new(connect_or_fail());
    if (count > 64)
        failed("at most 64 pipelined requests in one segment");
    pipelined_batch(r, 0, count);
    reader_free(r);
    return 0;
}

/* More requests than the server will answer before its client reads: it
 * must stop reading, keep what it read, and go on once the answers drain. */
static int scenario_pipeline_flood(int count)
{
    struct reader *r = reader_new(connect_small_window());
    pid_t writer = fork();
    if (writer == 0) {                      /* all the requests, as fast as TCP takes them */
        char request[128];
        for (int i = 0; i < count; i++) {
            int status;
            bool head;
            send_all(r->fd, request, (size_t)mixed_request(i, request, sizeof request, &status,
                                                            &head));
        }
        _exit(0);
    }
    if (writer == -1)
        failed("fork: %s", strerror(errno));
    usleep(200 * 1000);                     /* let the server's sending back up first */
    expect_mixed_responses(r, 0, count);
    int wstatus;
    waitpid(writer, &wstatus, 0);
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus))
        failed("the writer could not send every request");
    reader_free(r);
    return 0;
}

static int scenario_halfclose(void)
{
    struct reader *r = reader_new(connect_or_fail());
    send_all(r->fd, GET_ROOT, sizeof GET_ROOT - 1);
    shutdown(r->fd, SHUT_WR);
    struct response res = read_response(r, false);
    expect_status(&res, 200, "GET then half-close");
    response_done(r, &res);
    if (!closes_within(r, WAIT_MS))
        failed("the server did not close after answering a half-closed client");
    reader_free(r);
    return 0;
}

static int scenario_closed_within(int ms, const char *text)
{
    char request[4096];
    size_t len = unescape(text, request, sizeof request);
    struct reader *r = reader_new(connect_or_fail());
    send_all(r->fd, request, len);
    if (!closes_within(r, ms))
        failed("still open after %d ms", ms);
    reader_free(r);
    return 0;
}

static int scenario_slowloris(int ms)
{
    struct reader *r = reader_new(connect_or_fail());
    send_all(r->fd, "GET / HTTP/1.1\r\nX-Slow: ", 24);
    long long deadline = (long long)sl_clock_ms() + ms;
    while (sl_clock_ms() < deadline) {
        if (send(r->fd, "a", 1, MSG_NOSIGNAL) == -1)
            break;                          /* EPIPE/ECONNRESET: closed */
        if (closes_within(r, 100)) {
            reader_free(r);
            return 0;
        }
    }
    if (!closes_within(r, 100))
        failed("a client sending one header byte every 100 ms is still served after %d ms", ms);
    reader_free(r);
    return 0;
}

static int scenario_reset_midway(const char *path)
{
    int fd = connect_or_fail();
    char buf[65536];
    send_get(fd, path);
    size_t got = 0;
    struct pollfd p = { .fd = fd, .events = POLLIN };
    while (got < sizeof buf && poll(&p, 1, WAIT_MS) == 1) {
        ssize_t n = recv(fd, buf, sizeof buf - got, 0);
        if (n <= 0)
            failed("the download ended after %zu bytes", got);
        got += (size_t)n;
    }
    close_abortively(fd);                   /* a RST, with the server mid-response */
    usleep(100 * 1000);
    return scenario_get("/", 200, NULL);    /* and the server still answers */
}

static int scenario_slow_reader(const char *path)
{
    int slow = connect_or_fail();
    send_get(slow, path);                   /* and never read */
    usleep(100 * 1000);
    scenario_get("/", 200, NULL);
    close(slow);
    return 0;
}

/* Half a request, then nothing: the server must neither answer nor close
 * before the time is up (what it does with its CPU meanwhile, the suite
 * reads from /proc). */
static int scenario_half_request(int ms)
{
    struct reader *r = reader_new(connect_or_fail());
    static const char half[] = "GET / HTTP/1.1\r\nHo";
    send_all(r->fd, half, sizeof half - 1);
    struct pollfd p = { .fd = r->fd, .events = POLLIN };
    if (poll(&p, 1, ms) != 0)
        failed("the server answered or closed half a request within %d ms", ms);
    reader_free(r);
    return 0;
}

static int scenario_stalled_reader(const char *path, int ms)
{
    int fd = connect_small_window();        /* so the file cannot fit in the buffers */
    struct reader *r = reader_new(fd);
    send_get(fd, path);
    usleep((useconds_t)ms * 1000);          /* reading nothing meanwhile */
    if (fill(r) != 1)
        failed("no response at all");
    char *end;
    while (!(end = memmem(r->buf, r->len, "\r\n\r\n", 4)))
        if (fill(r) != 1)
            failed("no whole response head");
    const char *cl = strcasestr(r->buf, "\r\nContent-Length: ");
    long long length = cl ? strtoll(cl + 18, NULL, 10) : 0;
    long long body = (long long)r->len - (end + 4 - r->buf);
    int got;
    for (r->len = 0; (got = fill(r)) == 1; r->len = 0)
        body += (long long)r->len;
    if (got != 0)
        failed("the server neither finished nor closed");
    if (body >= length)
        failed("the whole body came (%lld bytes): the server never gave up", body);
    reader_free(r);
    return 0;
}

static int scenario_stop_midway(const char *path, long size, pid_t server)
{
    struct reader *r = reader_new(connect_or_fail());
    send_get(r->fd, path);
    if (fill(r) != 1)
        failed("no answer to %s", path);
    kill(server, SIGTERM);                  /* while most of the file is still to come */
    long long body = 0;
    char *end = NULL;
    while (!(end = memmem(r->buf, r->len, "\r\n\r\n", 4)))
        if (fill(r) != 1)
            failed("no response head");
    body = (long long)r->len - (end + 4 - r->buf);
    r->len = 0;
    for (int got; body < size && (got = fill(r)) == 1; r->len = 0)
        body += (long long)r->len;
    if (body != size)
        failed("stopped mid-response: %lld of %ld bytes came", body, size);
    if (!closes_within(r, WAIT_MS))
        failed("the server did not close after the response in flight");
    reader_free(r);
    return 0;
}

/* --- many connections at once --------------------------------------------------- */

/* Raise the soft descriptor limit to the hard one; returns how many
 * connections fit (a few descriptors kept for the rest). */
static int connections_that_fit(int wanted)
{
    struct rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
    long room = (long)limit.rlim_cur - 16;
    return room < wanted ? (int)room : wanted;
}

/* Open n non-blocking connections, waiting for each to complete. */
static int *open_many(int n)
{
    int *fds = calloc((size_t)n, sizeof *fds);
    if (!fds)
        failed("out of memory");
    for (int i = 0; i < n; i++) {
        fds[i] = connect_server(true);
        struct pollfd p = { .fd = fds[i], .events = POLLOUT };
        int err = 0;
        socklen_t len = sizeof err;
        if (fds[i] == -1 || poll(&p, 1, WAIT_MS) != 1 ||
            getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err, &len) || err)
            failed("connection %d of %d did not open: %s", i + 1, n,
                   strerror(err ? err : errno));
    }
    return fds;
}

/* Send GET / on every connection, then wait until each has one response
 * (status counted in counts[status / 100]) or was closed. */
static void answer_round(const int *fds, int n, int counts[6], int *closed)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    char (*bufs)[512] = calloc((size_t)n, sizeof *bufs);
    size_t *lens = calloc((size_t)n, sizeof *lens);
    if (ep == -1 || !bufs || !lens)
        failed("out of memory");
    for (int i = 0; i < n; i++) {
        if (send(fds[i], GET_ROOT, sizeof GET_ROOT - 1, MSG_NOSIGNAL) != sizeof GET_ROOT - 1) {
            (*closed)++;
            continue;
        }
        struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    }
    int pending = n - *closed;
    long long deadline = (long long)sl_clock_ms() + 4 * WAIT_MS;
    while (pending > 0 && sl_clock_ms() < deadline) {
        struct epoll_event events[256];
        int ready = epoll_wait(ep, events, 256, 200);
        for (int e = 0; e < ready; e++) {
            int i = (int)events[e].data.u32;
            ssize_t got = recv(fds[i], bufs[i] + lens[i], sizeof bufs[i] - lens[i] - 1, 0);
            if (got > 0)
                lens[i] += (size_t)got;
            bufs[i][lens[i]] = '\0';
            const char *end = strstr(bufs[i], "\r\n\r\n");
            const char *cl = strcasestr(bufs[i], "\r\nContent-Length: ");
            bool whole = end && cl && lens[i] >= (size_t)(end + 4 - bufs[i]) +
                                                    strtoul(cl + 18, NULL, 10);
            if (got > 0 && !whole && lens[i] < sizeof bufs[i] - 1)
                continue;
            int status = 0;
            if (whole && sscanf(bufs[i], "HTTP/1.1 %d", &status) == 1 && status / 100 < 6)
                counts[status / 100]++;
            else
                (*closed)++;
            lens[i] = 0;
            epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
            pending--;
        }
    }
    if (pending > 0)
        failed("%d of %d connections got no answer within %d ms", pending, n, 4 * WAIT_MS);
    close(ep);
    free(bufs);
    free(lens);
}

static int scenario_hold(int wanted)
{
    int n = connections_that_fit(wanted);
    if (n < wanted)
        printf("held %d\n", n);
    int *fds = open_many(n);
    for (int round = 1; round <= 2; round++) {  /* the second proves them held */
        int counts[6] = { 0 }, closed = 0;
        answer_round(fds, n, counts, &closed);
        if (counts[2] != n)
            failed("round %d: %d of %d connections answered 200 (%d closed, %d 503)", round,
                   counts[2], n, closed, counts[5]);
    }
    for (int i = 0; i < n; i++)
        close_abortively(fds[i]);
    free(fds);
    return 0;
}

static int scenario_flood(int n)
{
    int *fds = calloc((size_t)n, sizeof *fds);
    if (!fds)
        failed("out of memory");
    for (int i = 0; i < n; i++)             /* all at once: no waiting in between */
        if ((fds[i] = connect_server(true)) == -1)
            failed("cannot open connection %d: %s", i, strerror(errno));
    for (int i = 0; i < n; i++) {
        struct pollfd p = { .fd = fds[i], .events = POLLOUT };
        poll(&p, 1, WAIT_MS);
    }
    int counts[6] = { 0 }, closed = 0;
    answer_round(fds, n, counts, &closed);
    printf("answered %d, refused %d, closed %d\n", counts[2], counts[5], closed);
    if (counts[2] + counts[5] + closed != n || counts[2] == 0)
        failed("of %d connections: %d answered, %d refused with 503, %d closed", n, counts[2],
               counts[5], closed);
    for (int i = 0; i < n; i++)
        close_abortively(fds[i]);
    free(fds);
    return 0;
}

/* C connections, each sends R requests in pipelined batches of 1..16: the
 * connections take turns, so the server has them all in flight at once. */
static int scenario_load(int conns, int requests)
{
    struct reader **r = calloc((size_t)conns, sizeof *r);
    int *sent = calloc((size_t)conns, sizeof *sent);
    if (!r || !sent)
        failed("out of memory");
    for (int c = 0; c < conns; c++)
        r[c] = reader_new(connect_or_fail());
    srand(11);
    for (int done = 0; done < conns;) {
        int batch[conns];
        for (int c = 0; c < conns; c++) {
            int want = 1 + rand() % 16;
            batch[c] = requests - sent[c] < want ? requests - sent[c] : want;
            if (batch[c] > 0)
                pipelined_batch(r[c], sent[c], batch[c]);
            sent[c] += batch[c];
            done += batch[c] > 0 && sent[c] == requests;
        }
    }
    for (int c = 0; c < conns; c++) {       /* and not one response more */
        shutdown(r[c]->fd, SHUT_WR);
        if (r[c]->len || !closes_within(r[c], WAIT_MS))
            failed("connection %d: more bytes after its last response, or no close", c);
        reader_free(r[c]);
    }
    free(r);
    free(sent);
    return 0;
}

/* A whole file, malloc'd. */
static char *load_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = malloc(1 << 20);
    if (!f || !data)
        failed("cannot read %s", path);
    *len = fread(data, 1, 1 << 20, f);
    fclose(f);
    return data;
}

/* Pipelined requests for files of different sizes (some kept in the
 * server's memory, some sent with sendfile()): each response must be the
 * one asked for, in order, with every byte of its file, and nothing after
 * the last. */
static int scenario_files(int conns, int requests, int depth, const char *root,
                          char **paths, int npaths)
{
    char *bytes[npaths];
    size_t lens[npaths];
    for (int i = 0; i < npaths; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s%s", root, paths[i]);
        bytes[i] = load_file(path, &lens[i]);
    }
    struct reader **r = calloc((size_t)conns, sizeof *r);
    if (!r || depth < 1)
        failed("out of memory, or a depth below 1");
    for (int c = 0; c < conns; c++)
        r[c] = reader_new(connect_or_fail());
    for (int sent = 0; sent < requests; sent += depth) {
        int batch = requests - sent < depth ? requests - sent : depth;
        for (int c = 0; c < conns; c++) {   /* every connection's batch in flight at once */
            char request[64 * 1024];
            size_t len = 0;
            for (int i = sent; i < sent + batch; i++)
                len += (size_t)snprintf(request + len, sizeof request - len,
                                        "GET %s HTTP/1.1\r\nHost: t\r\n\r\n",
                                        paths[(c + i) % npaths]);
            send_all(r[c]->fd, request, len);
        }
        for (int c = 0; c < conns; c++)
            for (int i = sent; i < sent + batch; i++) {
                int which = (c + i) % npaths;
                struct response res = read_response(r[c], false);
                if (res.status != 200 || res.body_len != lens[which] ||
                    memcmp(res.body, bytes[which], lens[which]))
                    failed("connection %d, response %d: status %d, %zu bytes: not %s (%zu "
                           "bytes)", c, i, res.status, res.body_len, paths[which], lens[which]);
                response_done(r[c], &res);
            }
    }
    for (int c = 0; c < conns; c++) {
        shutdown(r[c]->fd, SHUT_WR);
        if (r[c]->len || !closes_within(r[c], WAIT_MS))
            failed("connection %d: more bytes after its last response, or no close", c);
        reader_free(r[c]);
    }
    for (int i = 0; i < npaths; i++)
        free(bytes[i]);
    free(r);
    return 0;
}

static long number(const char *text)
{
    char *end;
    long value = text ? strtol(text, &end, 10) : -1;
    if (!text || *end || value < 0) {
        fprintf(stderr, "http-probe: '%s' is not a number\n", text ? text : "");
        exit(2);
    }
    return value;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: http-probe PORT SCENARIO [ARGS] (see the source)\n");
        return 2;
    }
    port = (uint16_t)number(argv[1]);
    const char *s = argv[2];
    const char *a = argc > 3 ? argv[3] : NULL, *b = argc > 4 ? argv[4] : NULL;
    const char *c = argc > 5 ? argv[5] : NULL;
    if (!strcmp(s, "get") && b)
        return scenario_get(a, (int)number(b), c);
    if (!strcmp(s, "show") && a)
        return scenario_show(a);
    if (!strcmp(s, "head"))
        return scenario_head();
    if (!strcmp(s, "raw") && c)
        return scenario_raw(a, (int)number(b), !strcmp(c, "close"), true);
    if (!strcmp(s, "answered-then-closed") && b)
        return scenario_raw(a, (int)number(b), true, false);
    if (!strcmp(s, "keepalive"))
        return scenario_keepalive((int)number(a));
    if (!strcmp(s, "pipeline"))
        return scenario_pipeline((int)number(a));
    if (!strcmp(s, "pipeline-flood"))
        return scenario_pipeline_flood((int)number(a));
    if (!strcmp(s, "halfclose"))
        return scenario_halfclose();
    if (!strcmp(s, "closed-within") && b)
        return scenario_closed_within((int)number(a), b);
    if (!strcmp(s, "slowloris"))
        return scenario_slowloris((int)number(a));
    if (!strcmp(s, "reset-midway") && a)
        return scenario_reset_midway(a);
    if (!strcmp(s, "slow-reader") && a)
        return scenario_slow_reader(a);
    if (!strcmp(s, "half-request"))
        return scenario_half_request((int)number(a));
    if (!strcmp(s, "stalled-reader") && b)
        return scenario_stalled_reader(a, (int)number(b));
    if (!strcmp(s, "stop-midway") && c)
        return scenario_stop_midway(a, number(b), (pid_t)number(c));
    if (!strcmp(s, "hold"))
        return scenario_hold((int)number(a));
    if (!strcmp(s, "flood"))
        return scenario_flood((int)number(a));
    if (!strcmp(s, "load") && b)
        return scenario_load((int)number(a), (int)number(b));
    if (!strcmp(s, "files") && argc > 7)
        return scenario_files((int)number(a), (int)number(b), (int)number(c), argv[6],
                              argv + 7, argc - 7);
    fprintf(stderr, "http-probe: unknown scenario or missing arguments: %s\n", s);
    return 2;
}
