/* labs/11-epoll-server/server.c — an edge-triggered epoll HTTP/1.1 server done
 * right: the notes' server, with every one of its bugs answered.
 *
 * Read it top to bottom: the choices first, then the pieces from the inside
 * out (answering one request, parsing, the request path, connections,
 * writing, reading, accepting, deadlines and shutdown), and last the loop
 * that ties them together. What a server needs but is not the lesson lives
 * beside it: deadline.c (the ordered deadline lists), files.c (paths under
 * --root and the file cache), buffer.c (a growable buffer); serve.c parses
 * the options.
 *
 * What a request costs. On loopback the kernel's work for a request (TCP in
 * both directions, waking the peer) is some microseconds and the parser's a
 * fraction of one: what a server controls is how many system calls it makes.
 * Each technique below saves some, is explained where it is written, and can
 * be turned off (`socklab serve --without NAME`, config.without) so that
 * lab 11's last step counts what it saves; the server counts every call it
 * makes (count_call, on the line before each):
 *   - edge triggering for connections, with EPOLLOUT registered once
 *     (conn_watch), and level triggering for the listener, one accept a
 *     turn, so no accept() only to hear EAGAIN (watch_listener);
 *   - the short-read rule: no recv() only to hear EAGAIN (read_once);
 *   - batching: every request of a read answered, then one send() for all
 *     the responses (can_answer_more, write_output);
 *   - the prepared response: the built-in page's whole answer and a file's
 *     head formatted once a second, when the Date header changes, so a
 *     request costs a memcpy() (refresh_date, file_head);
 *   - accept4(): a socket non-blocking and close-on-exec as it is accepted
 *     (accept_one), and registered with epoll at once, not read on the
 *     chance that its first request came with the handshake (conn_open);
 *   - a file's body: a small one kept in memory and sent with its neighbours,
 *     a large one sent with sendfile() from the page cache, never copied
 *     through this process, its descriptor kept open (answer_file).
 *
 * Why edge-triggered. With EPOLLET the kernel reports a socket when something
 * new happens on it, not every time it is still readable or writable. A
 * level-triggered server must keep its epoll mask in step with what it
 * wants: EPOLLOUT on when a send() falls short and off when the rest has
 * gone (or epoll_wait() returns at once, again and again), EPOLLIN off while
 * it will not read a client whose answers pile up, and on again: an
 * epoll_ctl() each time. Edge-triggered, the mask is set once. The price is
 * the rule the notes break: after an edge, a socket must be read (and a
 * listener accepted) until the kernel says EAGAIN, or the rest waits for an
 * edge that never comes. On a TCP socket a read that returns less than it
 * asked for says the same: the queue was empty, and the next byte to arrive
 * makes a new edge. An accept() has no such answer, so an edge-triggered
 * listener costs an accept() that fails after every batch of clients: this
 * one is level-triggered (watch_listener). Each connection keeps a flag,
 * `readable`, for "the last edge said readable and nothing has said EAGAIN
 * since".
 *
 * Where each buffer lives.
 *   - One 64 KiB read buffer for the whole server (server.read_buffer): every
 *     read lands there and goes straight through the parser, which keeps its
 *     state between reads, so a connection owns no input buffer at all...
 *   - ...except `in`, the bytes of pipelined requests read but not yet
 *     parsed because the connection already has enough output waiting
 *     (OUTPUT_HIGH_WATER): the server stops reading such a client, and TCP's
 *     flow control pushes back on it.
 *   - `out`, the responses not yet sent: appended by the request path,
 *     drained by send(); allocated on a connection's first response and kept
 *     for its life, so no request allocates. A large file's body is not
 *     copied: `files` queues it, to follow its head in `out` with
 *     sendfile().
 *   - `url`, the request target, copied from the parser's callbacks, which
 *     hand it over in pieces when it arrives in pieces.
 *
 * How the deadlines work. Two timeouts, so two lists, each ordered by deadline
 * because every insertion is at the tail with "now + the list's timeout":
 *   - idle: a connection with no request in progress (or with output waiting
 *     and the client reading it) must show progress within idle_timeout_ms;
 *     progress moves it to the tail, O(1).
 *   - request: from a request's first byte, the whole request must arrive
 *     within header_timeout_ms; more bytes do not move it (that is what
 *     closes a slowloris client, which sends one byte at a time forever).
 * A connection that is closing and waits for the client's FIN (lingering,
 * see conn_finish) sits in the request list too. Expiring is popping from
 * the heads while their deadline has passed; epoll_wait() sleeps until the
 * earlier head. No tick scans every connection (deadline.c).
 *
 * What EMFILE does. When the process is out of descriptors, accept() fails
 * with EMFILE and the connection stays in the accept queue. With edge
 * triggering no new edge comes for it, and the client waits forever (the
 * notes' server); level-triggered, the listener is reported again on every
 * turn, and a server that only gives up spins. This server keeps one spare
 * descriptor (/dev/null) open: on EMFILE it closes the spare, accepts,
 * answers 503, closes, and opens the spare again. Every client is answered
 * or cleanly refused. Beyond max_connections a client gets the same 503
 * before descriptors run out.
 *
 * How it stops. When *stop is set (a SIGINT/SIGTERM handler's flag; the loop
 * wakes at least every LONGEST_SLEEP_MS to look), the listener is closed,
 * idle connections are closed, and the others finish the response they are
 * sending or the request they are receiving, with Connection: close, for
 * at most shutdown_ms.
 *
 * Parsing is llhttp (the successor of the unmaintained libhttp-parser, from
 * the same project; Debian ships its C sources in node-llhttp and the
 * Makefile compiles them in): the lesson is the event loop, not the parser.
 * It keeps its state between reads, so a request may arrive in any pieces. */
#include "server.h"

#include "buffer.h"
#include "deadline.h"
#include "files.h"

#include <llhttp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libintl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* --- the numbers --------------------------------------------------------- */

enum {
    DEFAULT_MAX_CONNECTIONS = 16384,
    DEFAULT_IDLE_TIMEOUT_MS = 60000,
    DEFAULT_HEADER_TIMEOUT_MS = 10000,
    DEFAULT_HEADER_LIMIT = 8192,
    DEFAULT_SHUTDOWN_MS = 3000,
    MAX_EVENTS = 256,               /* the events array's length: epoll_wait's 3rd argument */
    LONGEST_SLEEP_MS = 250,         /* how late a stop request may be noticed */
    ACCEPT_FAILURES_A_TURN = 16,    /* edge-triggered: accept() errors before giving up */
    READ_BUFFER = 64 * 1024,
    OUTPUT_HIGH_WATER = 64 * 1024,  /* stop answering a client that does not read */
    FILES_QUEUED_MAX = 16,          /* bodies from files queued on one connection */
    SENDFILE_MAX = 1 << 20,         /* one sendfile() at most: others get their turn */
    URL_MAX = 1024,                 /* longer targets get 414 */
};

const char http_builtin_page[] =
    "<!doctype html>\n"
    "<html><head><title>socklab</title></head>\n"
    "<body><h1>socklab lab 11</h1>\n"
    "<p>Served by an edge-triggered epoll loop: one thread, no blocking call.</p>\n"
    "</body></html>\n";
const size_t http_builtin_page_len = sizeof http_builtin_page - 1;

/* --- a connection ---------------------------------------------------------- */

struct conn {
    int fd;
    llhttp_t parser;
    struct server *server;
    char peer[INET6_ADDRSTRLEN + 8];        /* "127.0.0.1:51234", for the log */

    struct deadline_entry deadline;         /* in s->idle or s->request */

    struct buffer in;                       /* pipelined bytes not parsed yet */
    struct buffer out;                      /* responses not sent yet */
    size_t out_sent;                        /* how much of out is gone */
    /* Bodies sent from files with sendfile(), each after out's first `at`
     * bytes (its head), in order: files[first] is the next. */
    struct queued_file {
        size_t at;
        struct file_entry *file;
        off_t offset;
        size_t left;
    } files[FILES_QUEUED_MAX];
    int files_first, files_count;

    char url[URL_MAX];                      /* the request target */
    size_t url_len;
    size_t head_read;                       /* bytes of this request's head parsed */

    bool readable;          /* the last edge said "readable" and no EAGAIN since */
    bool peer_hung_up;      /* EPOLLRDHUP: read until 0 even after a short read */
    bool peer_eof;          /* read() returned 0: the client sends nothing more */
    bool in_request;        /* a request has begun and not yet ended */
    bool url_too_long;
    bool head_done;         /* this request's headers are complete */
    bool close_after;       /* close once the output is sent */
    bool lingering;         /* output done, write side shut, discarding input */
    bool registered;        /* it is in the epoll set */
    uint32_t epoll_mask;    /* what it watches there (changes only level-triggered) */
    bool nodelay;           /* TCP_NODELAY is set */
    bool progress;          /* it read or wrote something since its last deadline */
    bool broken;            /* out of memory: close it */
    int answered;           /* responses queued so far */
};

/* The connection a deadline entry belongs to. */
static struct conn *conn_of(struct deadline_entry *e)
{
    return (struct conn *)((char *)e - offsetof(struct conn, deadline));
}

/* --- the server ----------------------------------------------------------- */

struct server {
    struct http_server_config cfg;          /* with the defaults filled in */
    llhttp_settings_t parser_settings;      /* the callbacks: every parser's */
    int epoll_fd;
    int listen_fd;                          /* -1 once shutting down */
    bool listener_watched;
    int spare_fd;                           /* the descriptor kept for EMFILE */
    struct file_cache files;                /* --root (files.root.fd -1: none) */
    struct http_server_stats *stats;        /* cfg.stats, or own_stats */
    struct http_server_stats own_stats;
    int connections;
    struct deadline_list idle, request;
    long long now_ms;
    bool stopping;
    long long stop_deadline_ms;

    /* Prepared responses for the built-in page, rebuilt once a second when
     * the Date header changes: [keep-alive?] whole GET answer; the HEAD
     * answer is its first head_len bytes. */
    time_t date_second;
    char date[64];                          /* "Date: ...\r\n" */
    char builtin[2][512 + sizeof http_builtin_page];
    size_t builtin_len[2], builtin_head_len[2];

    char read_buffer[READ_BUFFER];
};

static long long monotonic_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Every system call the server makes is counted, on the line before it. */
static void count_call(struct server *s, enum http_call call)
{
    s->stats->calls[call]++;
}

/* Why the server cannot start, in the user's language (gettext: the program
 * that runs the server chose it and bound the catalog). */
static void fail(const struct http_server_config *cfg, const char *fmt, ...)
{
    if (!cfg->error_out || !cfg->error_len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cfg->error_out, cfg->error_len, gettext(fmt), ap);
    va_end(ap);
}

/* --- answering: status lines, headers, the built-in page, files ------------ */

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

static int format_head(char *dst, size_t room, const char *date, int status, const char *type,
                       size_t length, bool keep_alive, const char *extra)
{
    return snprintf(dst, room,
                    "HTTP/1.1 %d %s\r\nServer: socklab\r\n%sContent-Type: %s\r\n"
                    "Content-Length: %zu\r\n%sConnection: %s\r\n\r\n",
                    status, reason(status), date, type, length, extra,
                    keep_alive ? "keep-alive" : "close");
}

/* The Date header for this second. (time() and clock_gettime() are no system
 * calls on Linux: the vDSO answers them in user space.) */
static void format_date(struct server *s, time_t now)
{
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(s->date, sizeof s->date, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
}

/* The prepared response: the built-in page's whole answer is formatted once
 * a second, when the Date header changes, and a request costs one memcpy()
 * of it. (Without: a request formats its head, date and all, itself.) */
static void refresh_date(struct server *s)
{
    time_t now = time(NULL);
    if (now == s->date_second)
        return;
    s->date_second = now;
    format_date(s, now);
    for (int keep = 0; keep < 2; keep++) {
        int head = format_head(s->builtin[keep], sizeof s->builtin[keep], s->date, 200,
                               "text/html", http_builtin_page_len, keep, "");
        memcpy(s->builtin[keep] + head, http_builtin_page, http_builtin_page_len);
        s->builtin_head_len[keep] = (size_t)head;
        s->builtin_len[keep] = (size_t)head + http_builtin_page_len;
    }
}

static void append_out(struct conn *c, const void *bytes, size_t n)
{
    if (!buffer_append(&c->out, bytes, n))
        c->broken = true;
}

static void log_request(struct conn *c, int status, size_t length)
{
    FILE *log = c->server->cfg.log;
    if (!log)
        return;
    const llhttp_t *p = &c->parser;
    fprintf(log, "%s \"%s %.*s HTTP/%u.%u\" %d %zu\n", c->peer,
            llhttp_method_name((llhttp_method_t)p->method), (int)c->url_len, c->url,
            p->http_major, p->http_minor, status, length);
    fflush(log);
}

/* A short error page. After 400, 414, 431, 501, 503 and 505 the connection
 * closes: what follows the bad bytes cannot be trusted to be a request. */
static void answer_error(struct conn *c, int status, bool keep_alive)
{
    char page[128], head[512];
    int body = snprintf(page, sizeof page, "%d %s\n", status, reason(status));
    const char *extra = status == 405 ? "Allow: GET, HEAD\r\n" : "";
    int n = format_head(head, sizeof head, c->server->date, status, "text/plain",
                        (size_t)body, keep_alive, extra);
    append_out(c, head, (size_t)n);
    if (c->parser.method != HTTP_HEAD || status >= 500 || !keep_alive)
        append_out(c, page, (size_t)body);
    if (!keep_alive)
        c->close_after = true;
    log_request(c, status, (size_t)body);
}

/* A file's head, as prepared for this second (see refresh_date). */
static const char *file_head(struct server *s, struct file_entry *f, bool keep_alive,
                             size_t *len)
{
    if (f->head_second != (long long)s->date_second || s->cfg.without.prepared) {
        if (s->cfg.without.prepared)
            format_date(s, time(NULL));
        for (int keep = 0; keep < 2; keep++)
            f->head_len[keep] = (size_t)format_head(f->head[keep], sizeof f->head[keep],
                                                    s->date, 200, f->type, f->size, keep,
                                                    f->last_modified);
        f->head_second = (long long)s->date_second;
    }
    *len = f->head_len[keep_alive];
    return f->head[keep_alive];
}

/* Queue f's body to follow what out holds now, with sendfile(). */
static void queue_file(struct conn *c, struct file_entry *f)
{
    if (c->files_first + c->files_count == FILES_QUEUED_MAX) {   /* room at the front */
        memmove(c->files, c->files + c->files_first, (size_t)c->files_count * sizeof *c->files);
        c->files_first = 0;
    }
    c->files[c->files_first + c->files_count++] = (struct queued_file){
        .at = c->out.len, .file = f, .offset = 0, .left = f->size,
    };
}

/* A file under the root, from the file cache (files.c): a small one is
 * answered whole from memory, head and body copied after the responses
 * before it, so that all leave in one send(); a larger one's body follows
 * its head with sendfile(), from the page cache to the socket without
 * passing through this process. */
static void answer_file(struct conn *c, const char *relative, bool keep_alive, bool head_only)
{
    struct server *s = c->server;
    struct file_entry *f;
    int err = file_cache_get(&s->files, relative, s->now_ms, &f);
    if (err) {
        bool refused = err == -EXDEV || err == -EACCES || err == -ELOOP || err == -EPERM;
        bool busy = err == -EMFILE || err == -ENFILE || err == -ENOMEM;
        answer_error(c, refused ? 403 : busy ? 503 : 404, keep_alive && !busy);
        return;
    }
    size_t head_len;
    const char *head = file_head(s, f, keep_alive, &head_len);
    append_out(c, head, head_len);
    log_request(c, 200, f->size);
    if (head_only || f->size == 0) {
        file_entry_put(f, s->stats);
    } else if (f->body) {
        append_out(c, f->body, f->size);
        file_entry_put(f, s->stats);
    } else {
        queue_file(c, f);                   /* the reference goes with it */
    }
    if (!keep_alive)
        c->close_after = true;
}

/* The built-in page, from the responses prepared once a second. */
static void answer_builtin(struct conn *c, bool keep_alive, bool head_only)
{
    struct server *s = c->server;
    if (s->cfg.without.prepared) {
        char head[512];
        format_date(s, time(NULL));
        int n = format_head(head, sizeof head, s->date, 200, "text/html",
                            http_builtin_page_len, keep_alive, "");
        append_out(c, head, (size_t)n);
        if (!head_only)
            append_out(c, http_builtin_page, http_builtin_page_len);
    } else {
        append_out(c, s->builtin[keep_alive],
                   head_only ? s->builtin_head_len[keep_alive] : s->builtin_len[keep_alive]);
    }
    log_request(c, 200, http_builtin_page_len);
    if (!keep_alive)
        c->close_after = true;
}

/* One complete request: choose and queue its response, in order after the
 * responses already queued. */
static void answer(struct conn *c)
{
    const llhttp_t *p = &c->parser;
    /* An Upgrade is refused by going on in HTTP/1.1, then closing. */
    bool keep_alive = llhttp_should_keep_alive(p) && !p->upgrade && !c->server->stopping;
    bool head_only = p->method == HTTP_HEAD;
    char relative[URL_MAX];
    c->answered++;
    c->server->stats->requests++;

    if (p->http_major != 1 || p->http_minor > 1)
        answer_error(c, 505, false);
    else if (c->url_too_long)
        answer_error(c, 414, false);
    else if (p->method != HTTP_GET && p->method != HTTP_HEAD)
        answer_error(c, 405, keep_alive);
    else if (!file_target_to_relative(c->url, c->url_len, relative, sizeof relative))
        answer_error(c, c->url_len && c->url[0] == '/' ? 403 : 400, keep_alive);
    else if (!relative[0])                  /* "/" */
        answer_builtin(c, keep_alive, head_only);
    else if (c->server->files.root.fd < 0)
        answer_error(c, 404, keep_alive);
    else
        answer_file(c, relative, keep_alive, head_only);
}

/* --- parsing: the parser's callbacks -------------------------------------- */

static int on_message_begin(llhttp_t *p)
{
    struct conn *c = p->data;
    c->in_request = true;
    c->url_len = 0;
    c->url_too_long = false;
    return 0;
}

/* The target may come in several pieces when it arrives in pieces. */
static int on_url(llhttp_t *p, const char *at, size_t len)
{
    struct conn *c = p->data;
    if (c->url_len + len > sizeof c->url)
        c->url_too_long = true;
    else
        memcpy(c->url + c->url_len, at, len), c->url_len += len;
    return 0;
}

static int on_headers_complete(llhttp_t *p)
{
    struct conn *c = p->data;
    c->head_done = true;
    return 0;
}

/* Pause after each request: the loop answers it, then decides whether to go
 * on (it stops while the client has too much output waiting). */
static int on_message_complete(llhttp_t *p)
{
    struct conn *c = p->data;
    c->in_request = false;
    c->head_done = false;                   /* the next request's head begins */
    c->head_read = 0;
    answer(c);
    return HPE_PAUSED;
}

/* --- the request path: bytes in, responses queued ------------------------- */

static bool output_waiting(const struct conn *c)
{
    return c->out.len > c->out_sent || c->files_count;
}

/* Whether the connection may parse (and answer) another request now: not
 * while its output in memory passes the high-water mark or its queue of
 * files is full (a client that does not read is not answered further, and
 * TCP's flow control pushes back on it). Batching: every request already
 * read is answered before anything is sent, so one send() carries them
 * all. (Without: each response is sent before the next request is parsed.) */
static bool can_answer_more(const struct conn *c)
{
    return !c->close_after && !c->broken && c->files_count < FILES_QUEUED_MAX &&
           c->out.len - c->out_sent < OUTPUT_HIGH_WATER &&
           !(c->server->cfg.without.batching && output_waiting(c));
}

/* The parser stopped at `at`. llhttp matches the method against the
 * methods it knows, byte by byte, and stops at the first byte that no known
 * method continues with: when that byte is a capital letter, the client
 * sent a word, just not a method we know (501); anything else is not HTTP. */
static int status_for_parse_error(llhttp_errno_t e, const char *at)
{
    if (e == HPE_INVALID_METHOD && *at >= 'A' && *at <= 'Z')
        return 501;
    return 400;
}

/* Parse as many requests of `bytes` as the connection may answer now;
 * returns how many bytes were used (the rest waits in c->in).
 *
 * The header limit: llhttp has none, so the parser is never given more of a
 * request's head than the limit leaves; a head still not complete at the
 * limit gets 431. Counted in bytes as they come, not in what the callbacks
 * report (llhttp reports a piece of a name or value when its buffer ends,
 * and a bad byte before the end of the piece would then be seen first or
 * not, by where the reads cut the request). */
static size_t parse_requests(struct conn *c, const char *bytes, size_t len)
{
    size_t used = 0, limit = (size_t)c->server->cfg.header_limit;
    while (used < len && can_answer_more(c)) {
        bool in_head = !c->head_done;
        size_t chunk = len - used;
        if (in_head && chunk > limit - c->head_read)
            chunk = limit - c->head_read;
        llhttp_errno_t e = llhttp_execute(&c->parser, bytes + used, chunk);
        if (e == HPE_OK) {
            used += chunk;                  /* all of it, and the request goes on */
            if (in_head && !c->head_done && (c->head_read += chunk) >= limit) {
                c->answered++;
                answer_error(c, 431, false);
                return len;
            }
        } else if (e == HPE_PAUSED) {       /* after a request: where it ended */
            used = (size_t)(llhttp_get_error_pos(&c->parser) - bytes);
            llhttp_resume(&c->parser);
        } else if (e == HPE_PAUSED_UPGRADE) {
            c->close_after = true;          /* answered (keep-alive off); no switch */
            return len;
        } else {
            c->answered++;
            answer_error(c, status_for_parse_error(e, llhttp_get_error_pos(&c->parser)), false);
            return len;                     /* the rest is discarded */
        }
    }
    return used;
}

/* New bytes from the socket: parse them, keep what cannot be parsed yet. */
static void take_bytes(struct conn *c, const char *bytes, size_t len)
{
    if (c->in.len) {                        /* older bytes go first */
        if (!buffer_append(&c->in, bytes, len)) {
            c->broken = true;
            return;
        }
        buffer_consume(&c->in, parse_requests(c, c->in.data, c->in.len));
        return;
    }
    size_t used = parse_requests(c, bytes, len);
    if (used < len && !buffer_append(&c->in, bytes + used, len - used))
        c->broken = true;
}

static bool request_in_progress(const struct conn *c)
{
    return c->in_request || c->in.len;
}

/* --- connections: open, close ---------------------------------------------- */

static struct conn *conn_new(struct server *s, int fd)
{
    struct conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->fd = fd;
    c->server = s;
    llhttp_init(&c->parser, HTTP_REQUEST, &s->parser_settings);
    c->parser.data = c;
    return c;
}

static void conn_free(struct conn *c)
{
    for (int i = 0; i < c->files_count; i++)
        file_entry_put(c->files[c->files_first + i].file, c->server->stats);
    buffer_free(&c->in);
    buffer_free(&c->out);
    free(c);
}

static void watch_listener(struct server *s, bool on);

/* close() also takes the socket out of the epoll set: its only descriptor. */
static void conn_close(struct conn *c)
{
    struct server *s = c->server;
    deadline_remove(&c->deadline);
    count_call(s, CALL_CLOSE);
    close(c->fd);
    conn_free(c);
    s->connections--;
    if (s->spare_fd < 0) {                  /* a descriptor is free again */
        count_call(s, CALL_OPEN);
        s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    if (!s->listener_watched && s->listen_fd >= 0)
        watch_listener(s, true);
}

static bool conn_watch(struct conn *c);
static void linger(struct conn *c);

/* All output is handed to the kernel and the connection must end. If the
 * client may still be sending (bytes after a bad request, pipelined requests
 * after a close), close() now would find unread input, and then Linux sends
 * a RST at once instead of a FIN and throws away what is still in our send
 * queue: the end of a response the client's window has not taken yet. (What
 * already reached the client's kernel stays readable there; lab 09 shows
 * it.) And every byte the client sends after that gets a RST back, so a
 * client still writing sees ECONNRESET. So shut the write side instead (the
 * FIN goes after the last byte of the response), read and discard until the
 * client closes, bounded by the request deadline. */
static void conn_finish(struct conn *c)
{
    bool client_may_send = !c->peer_eof && (c->readable || c->in.len || request_in_progress(c)
                                            || c->answered == 0 ||
                                            llhttp_get_errno(&c->parser) != HPE_OK);
    if (client_may_send)
        count_call(c->server, CALL_SHUTDOWN);
    if (!client_may_send || shutdown(c->fd, SHUT_WR) == -1) {
        conn_close(c);
        return;
    }
    c->lingering = true;
    c->in.len = 0;
    if (!conn_watch(c)) {
        conn_close(c);
        return;
    }
    deadline_append(&c->server->request, &c->deadline, c->server->now_ms);
    if (c->readable)
        linger(c);                          /* what came already, and maybe the FIN */
}

/* --- writing: send what is queued, keep the rest for EPOLLOUT ------------- */

enum write_result { WRITE_DONE, WRITE_PENDING, WRITE_FAILED };

/* Nagle's algorithm, as Linux has it (Minshall's variant), holds a segment
 * shorter than the MSS back while an earlier *short* segment is not yet
 * acknowledged; full segments and a short one after acknowledged short ones
 * go at once. An answer that leaves in one send() never meets it (the
 * client's next request acknowledges the last answer), so TCP_NODELAY costs
 * a system call only where it matters: a response that leaves in pieces (a
 * rest after EAGAIN, a file after its head), whose short last piece would
 * otherwise wait for the client's delayed ACK of the short piece before. */
static void no_nagle(struct conn *c)
{
    int one = 1;
    if (!c->nodelay && c->fd >= 0) {
        count_call(c->server, CALL_SETSOCKOPT);
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    c->nodelay = true;
}

/* Send what is queued: out's bytes up to the next file's head end, the
 * file, and on; one send() for all the responses that came from one read
 * (and one more for each file body). MSG_MORE before a file: its head
 * waits for the body's first bytes instead of leaving as a short segment of
 * its own. */
static enum write_result write_output(struct conn *c)
{
    struct server *s = c->server;
    for (;;) {
        struct queued_file *f = c->files_count ? &c->files[c->files_first] : NULL;
        size_t end = f ? f->at : c->out.len;
        while (c->out_sent < end) {
            count_call(s, CALL_SEND);
            ssize_t n = send(c->fd, c->out.data + c->out_sent, end - c->out_sent,
                             MSG_NOSIGNAL | (f ? MSG_MORE : 0));   /* EPIPE, not SIGPIPE */
            if (n > 0) {
                c->out_sent += (size_t)n;
                c->progress = true;
            } else if (n == -1 && errno == EAGAIN) {
                no_nagle(c);
                s->stats->blocked_writes++;
                return WRITE_PENDING;       /* the rest goes on EPOLLOUT */
            } else if (n == -1 && errno != EINTR) {
                return WRITE_FAILED;
            }
        }
        if (!f)
            break;
        no_nagle(c);                        /* the body's short last segment goes at once */
        while (f->left) {
            count_call(s, CALL_SENDFILE);
            ssize_t n = sendfile(c->fd, f->file->fd, &f->offset,
                                 f->left < SENDFILE_MAX ? f->left : SENDFILE_MAX);
            if (n > 0) {
                f->left -= (size_t)n;
                c->progress = true;
            } else if (n == -1 && errno == EAGAIN) {
                s->stats->blocked_writes++;
                return WRITE_PENDING;
            } else if (n == 0 || errno != EINTR) {
                return WRITE_FAILED;        /* the file shrank, or the peer is gone */
            }
        }
        file_entry_put(f->file, s->stats);
        c->files_first++;
        if (!--c->files_count)
            c->files_first = 0;
    }
    c->out.len = c->out_sent = 0;
    return WRITE_DONE;
}

/* Register the connection with epoll, once, when it is accepted (see
 * conn_open). EPOLLOUT stays in the mask for
 * the connection's life, and costs nothing while output flows: an
 * edge-triggered EPOLLOUT does not report the ACKs that free send buffer
 * (100 small sends acknowledged: no event). The kernel reports it when a
 * send() has found the buffer full (it said EAGAIN) and room came back: one
 * event, and the next only after another EAGAIN. (An event for arriving
 * data carries EPOLLOUT beside EPOLLIN, as the socket is writable then;
 * that is the same event, not another.) So there is no epoll_ctl() to turn
 * EPOLLOUT on when a send() falls short and off when the rest has gone.
 * ADD reports what is already there, so no edge is lost between the last
 * read and the registration. False: it cannot be watched. */
static bool conn_watch(struct conn *c)
{
    struct server *s = c->server;
    uint32_t mask = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    if (s->cfg.without.edge_triggered) {
        /* Level-triggered, a socket is reported as long as it is readable
         * or writable: EPOLLOUT must be off while there is nothing to send
         * (or every epoll_wait() returns at once), and EPOLLIN off while the
         * server will not read (a client whose answers pile up): an
         * epoll_ctl() each time either changes. */
        mask = EPOLLRDHUP | (output_waiting(c) ? EPOLLOUT : 0) |
               (can_answer_more(c) || c->lingering ? EPOLLIN : 0);
    }
    if (c->registered && mask == c->epoll_mask)
        return true;
    struct epoll_event ev = { .events = mask, .data.ptr = c };
    count_call(s, CALL_EPOLL_CTL);
    if (epoll_ctl(s->epoll_fd, c->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd, &ev) == -1)
        return c->registered;               /* a failed MOD keeps the old mask */
    c->registered = true;
    c->epoll_mask = mask;
    return true;
}

/* --- reading ---------------------------------------------------------------- */

/* One read into the server's buffer; false when the connection was closed. */
static bool read_once(struct conn *c)
{
    struct server *s = c->server;
    count_call(s, CALL_RECV);
    ssize_t n = recv(c->fd, s->read_buffer, sizeof s->read_buffer, 0);
    if (n > 0) {
        c->progress = true;
        /* The short-read rule: a read that returns less than it asked for
         * emptied the receive queue (a TCP socket hands over all it has),
         * so the next byte to arrive makes a new edge, and there is no need
         * to spend a system call on the EAGAIN. After EPOLLRDHUP, read on
         * to see the 0. (Without: one recv() more per read, for EAGAIN.) */
        if ((size_t)n < sizeof s->read_buffer && !c->peer_hung_up &&
            !s->cfg.without.short_read_rule)
            c->readable = false;
        take_bytes(c, s->read_buffer, (size_t)n);
        return true;
    }
    if (n == 0) {
        c->peer_eof = true;
        c->readable = false;
        return true;
    }
    if (errno == EAGAIN) {
        c->readable = false;
        return true;
    }
    if (errno == EINTR)
        return true;
    conn_close(c);                          /* ECONNRESET and the like */
    return false;
}

/* A lingering connection: discard until the client closes. */
static void linger(struct conn *c)
{
    for (;;) {
        count_call(c->server, CALL_RECV);
        ssize_t n = recv(c->fd, c->server->read_buffer, sizeof c->server->read_buffer, 0);
        if (n > 0)
            continue;
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1 && errno == EAGAIN) {
            c->readable = false;
            return;
        }
        conn_close(c);                      /* 0 (the client closed) or an error */
        return;
    }
}

/* Where the connection's deadline belongs now (see the top of the file). */
static void settle_deadline(struct conn *c)
{
    struct server *s = c->server;
    if (output_waiting(c) || !request_in_progress(c)) {
        if (c->progress || c->deadline.list != &s->idle)
            deadline_append(&s->idle, &c->deadline, s->now_ms);
    } else if (c->deadline.list != &s->request) {
        deadline_append(&s->request, &c->deadline, s->now_ms);
    }
    c->progress = false;
}

/* Everything the connection can do now without waiting: read and parse while
 * it may answer more, send, and again, until the kernel says EAGAIN on the
 * side that matters or the connection ends. */
static void conn_run(struct conn *c)
{
    if (c->lingering) {
        if (c->readable)                    /* not for an EPOLLOUT alone */
            linger(c);
        return;
    }
    enum write_result w;
    for (;;) {
        while (can_answer_more(c) && (c->in.len || (c->readable && !c->peer_eof))) {
            if (c->in.len)
                buffer_consume(&c->in, parse_requests(c, c->in.data, c->in.len));
            else if (!read_once(c))
                return;
        }
        if (c->broken) {
            conn_close(c);
            return;
        }
        w = write_output(c);
        if (w == WRITE_FAILED) {
            conn_close(c);
            return;
        }
        if (w == WRITE_PENDING)
            break;
        if (c->close_after || (c->peer_eof && !c->in.len)) {
            conn_finish(c);                 /* a half-closed client got every answer */
            return;
        }
        if (!c->in.len && !(c->readable && !c->peer_eof))
            break;
    }
    if (!conn_watch(c)) {
        conn_close(c);
        return;
    }
    settle_deadline(c);
}

/* --- accepting ------------------------------------------------------------- */

/* The listener, unlike a connection, is level-triggered: epoll reports it
 * on every turn while a client waits in its accept queue. So the server
 * accepts one client a turn and never calls accept() only to hear EAGAIN,
 * which edge triggering would demand (accept until EAGAIN, or a client
 * queued behind the edge waits for another that may never come). A turn's
 * epoll_wait() reports the connections that are ready beside the listener,
 * so accepting one at a time keeps them in step; a burst of clients costs
 * one epoll_wait() each, which the connections' events share. (Without:
 * EPOLLET, and one accept() more for each edge, for EAGAIN.) */
static void watch_listener(struct server *s, bool on)
{
    uint32_t edge = s->cfg.without.level_listener ? EPOLLET : 0;
    struct epoll_event ev = { .events = EPOLLIN | edge, .data.ptr = NULL };
    if (on == s->listener_watched)
        return;
    count_call(s, CALL_EPOLL_CTL);
    if (epoll_ctl(s->epoll_fd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, s->listen_fd, &ev) == 0)
        s->listener_watched = on;
}

/* A client the server will not serve: read what it sent, so that close()
 * finds no unread input and sends a FIN after the 503 (with unread input it
 * sends a RST, and drops what of the 503 has not left yet), say 503, close. */
static void refuse(struct server *s, int fd)
{
    char head[512];
    int n = format_head(head, sizeof head, s->date, 503, "text/plain", 0, false, "");
    count_call(s, CALL_RECV);
    recv(fd, s->read_buffer, sizeof s->read_buffer, MSG_DONTWAIT);
    count_call(s, CALL_SEND);
    send(fd, head, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    count_call(s, CALL_CLOSE);
    close(fd);
}

/* Out of descriptors: free the spare to accept one client and refuse it.
 * accept() checks for a free descriptor before it looks at the queue, so
 * EMFILE comes even when no client waits (edge-triggered, after the last
 * one): then the spare's accept() says EAGAIN. If the spare cannot be had
 * back, stop watching the listener until a connection closes, or the loop
 * has the spare again (watch_again): level-triggered, it would be reported
 * on every turn, and the loop would spin; the clients wait in the accept
 * queue, not forever. True: a client was refused, and another may wait. */
static bool refuse_without_descriptors(struct server *s)
{
    if (s->spare_fd >= 0) {
        count_call(s, CALL_CLOSE);
        close(s->spare_fd);
        count_call(s, CALL_ACCEPT);
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0)
            refuse(s, fd);
        count_call(s, CALL_OPEN);
        s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (s->spare_fd >= 0)
            return fd >= 0;
    }
    watch_listener(s, false);
    return false;
}

/* A new connection is registered with epoll at once, and read when epoll
 * says it is readable. Trying a read first, in case the first request came
 * with the handshake, costs a recv() that hears EAGAIN whenever it did not:
 * a client connects, and only then writes, so on loopback the request is
 * almost never there yet. EPOLL_CTL_ADD reports what is already queued, so
 * a request that did come first is read on the next turn all the same. A
 * client that sends one request with Connection: close costs accept4,
 * epoll_ctl, recv, send and close. */
static void conn_open(struct server *s, int fd, const struct sockaddr_storage *addr)
{
    struct conn *c = conn_new(s, fd);
    if (!c) {
        count_call(s, CALL_CLOSE);
        close(fd);
        return;
    }
    if (s->cfg.log) {
        char ip[INET6_ADDRSTRLEN] = "?";
        const struct sockaddr_in *v4 = (const void *)addr;
        const struct sockaddr_in6 *v6 = (const void *)addr;
        bool is_v4 = addr->ss_family == AF_INET;
        inet_ntop(addr->ss_family, is_v4 ? (const void *)&v4->sin_addr : (const void *)&v6->sin6_addr,
                  ip, sizeof ip);
        snprintf(c->peer, sizeof c->peer, "%s:%u", ip, ntohs(is_v4 ? v4->sin_port : v6->sin6_port));
    }
    s->connections++;
    s->stats->connections++;
    deadline_append(&s->idle, &c->deadline, s->now_ms);
    if (!conn_watch(c))
        conn_close(c);
}

/* accept4() makes the new socket non-blocking and close-on-exec in the same
 * call. (Without: accept(), then an fcntl() for each.) */
static int accept_one(struct server *s, struct sockaddr_storage *addr, socklen_t *len)
{
    count_call(s, CALL_ACCEPT);
    if (!s->cfg.without.accept4)
        return accept4(s->listen_fd, (struct sockaddr *)addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    int fd = accept(s->listen_fd, (struct sockaddr *)addr, len);
    if (fd >= 0) {
        count_call(s, CALL_FCNTL);
        fcntl(fd, F_SETFL, O_NONBLOCK);     /* a new socket has no other status flag */
        count_call(s, CALL_FCNTL);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    return fd;
}

/* One client a turn (see watch_listener); edge-triggered (without it),
 * every client until EAGAIN. The listener is non-blocking all the same: the
 * client epoll reported may have been taken by another process sharing the
 * listener, the spare's accept() after EMFILE may find the queue empty, and
 * edge-triggered, the last accept() is the one that finds it empty; a
 * blocking accept() would then wait for the next client, with every
 * connection waiting too. Another error (EINTR, ECONNABORTED, or a network
 * error of the next client that accept(2) passes on) says nothing of the
 * clients behind it: edge-triggered, accept again, a bounded number of
 * times; level-triggered, the next turn does. */
static void accept_clients(struct server *s)
{
    bool until_eagain = s->cfg.without.level_listener;
    int failures = 0;
    while (s->listen_fd >= 0 && s->listener_watched) {
        struct sockaddr_storage addr;
        socklen_t len = sizeof addr;
        int fd = accept_one(s, &addr, &len);
        if (fd == -1) {
            bool again;
            if (errno == EMFILE || errno == ENFILE)
                again = refuse_without_descriptors(s);
            else
                again = errno != EAGAIN && ++failures < ACCEPT_FAILURES_A_TURN;
            if (!again || !until_eagain)
                return;
            continue;
        }
        if (s->connections >= s->cfg.max_connections)
            refuse(s, fd);
        else
            conn_open(s, fd, &addr);
        if (!until_eagain)
            return;
    }
}

/* The listener unwatched for want of the spare (refuse_without_descriptors)
 * and no connection left to close and give one back: try for the spare
 * again each turn (epoll_wait() sleeps at most LONGEST_SLEEP_MS), and
 * watch the listener once it is had. */
static void watch_again(struct server *s)
{
    if (s->listener_watched || s->listen_fd < 0 || s->stopping || s->connections)
        return;
    if (s->spare_fd < 0) {
        count_call(s, CALL_OPEN);
        s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    if (s->spare_fd >= 0)
        watch_listener(s, true);
}

/* --- deadlines and shutdown -------------------------------------------------- */

static void expire(struct deadline_list *l, long long now_ms)
{
    for (struct deadline_entry *due; (due = deadline_due(l, now_ms));)
        conn_close(conn_of(due));           /* idle, slowloris, or done lingering */
}

static int sleep_ms(const struct server *s)
{
    long long until = s->now_ms + LONGEST_SLEEP_MS;
    until = deadline_earliest(&s->request, deadline_earliest(&s->idle, until));
    if (s->stopping && s->stop_deadline_ms < until)
        until = s->stop_deadline_ms;
    return until > s->now_ms ? (int)(until - s->now_ms) : 0;
}

/* Stop accepting; close every connection with nothing in flight; the others
 * finish their response and close (answer() stops keep-alive). */
static void begin_shutdown(struct server *s)
{
    s->stopping = true;
    s->stop_deadline_ms = s->now_ms + s->cfg.shutdown_ms;
    count_call(s, CALL_CLOSE);
    close(s->listen_fd);
    s->listen_fd = -1;
    struct deadline_entry *next;
    for (struct deadline_entry *e = s->idle.head; e; e = next) {
        struct conn *c = conn_of(e);
        next = e->next;
        if (!output_waiting(c) && !request_in_progress(c))
            conn_close(c);
        else
            c->close_after = c->close_after || !request_in_progress(c);
    }
}

static void close_all(struct server *s)
{
    while (s->idle.head)
        conn_close(conn_of(s->idle.head));
    while (s->request.head)
        conn_close(conn_of(s->request.head));
}

/* --- set-up ------------------------------------------------------------------ */

static void fill_defaults(struct server *s, const struct http_server_config *cfg)
{
    s->cfg = *cfg;
    struct http_server_config *c = &s->cfg;
    if (!c->bind_ip)
        c->bind_ip = "127.0.0.1";
    if (c->max_connections <= 0)
        c->max_connections = DEFAULT_MAX_CONNECTIONS;
    if (c->idle_timeout_ms <= 0)
        c->idle_timeout_ms = DEFAULT_IDLE_TIMEOUT_MS;
    if (c->header_timeout_ms <= 0)
        c->header_timeout_ms = DEFAULT_HEADER_TIMEOUT_MS;
    if (c->header_limit <= 0)
        c->header_limit = DEFAULT_HEADER_LIMIT;
    if (c->shutdown_ms <= 0)
        c->shutdown_ms = DEFAULT_SHUTDOWN_MS;
    s->idle.timeout_ms = c->idle_timeout_ms;
    s->request.timeout_ms = c->header_timeout_ms;
    s->parser_settings = (llhttp_settings_t){
        .on_message_begin = on_message_begin,
        .on_url = on_url,
        .on_headers_complete = on_headers_complete,
        .on_message_complete = on_message_complete,
    };
    s->epoll_fd = s->listen_fd = s->spare_fd = s->files.root.fd = -1;
    s->stats = c->stats ? c->stats : &s->own_stats;
    s->files.stats = s->stats;
    s->now_ms = monotonic_ms();
    refresh_date(s);
}

static int open_root(struct server *s)
{
    if (!s->cfg.root)
        return 0;
    count_call(s, CALL_OPEN);
    int err = file_root_open(&s->files.root, s->cfg.root);
    if (err)
        fail(&s->cfg, "the root %s is not a directory that can be opened: %s.", s->cfg.root,
             strerror(-err));
    return err;
}

static int open_listener(struct server *s)
{
    if (s->cfg.listen_fd > 0) {
        s->listen_fd = s->cfg.listen_fd;
    } else {
        struct sockaddr_storage addr = { 0 };
        struct sockaddr_in *v4 = (void *)&addr;
        struct sockaddr_in6 *v6 = (void *)&addr;
        socklen_t len = sizeof *v4;
        if (inet_pton(AF_INET, s->cfg.bind_ip, &v4->sin_addr) == 1) {
            v4->sin_family = AF_INET;
            v4->sin_port = htons(s->cfg.port);
        } else if (inet_pton(AF_INET6, s->cfg.bind_ip, &v6->sin6_addr) == 1) {
            v6->sin6_family = AF_INET6;
            v6->sin6_port = htons(s->cfg.port);
            len = sizeof *v6;
        } else {
            fail(&s->cfg, "'%s' is not an IPv4 or IPv6 address.", s->cfg.bind_ip);
            return -EINVAL;
        }
        int one = 1;
        s->stats->calls[CALL_OTHER] += 3;   /* socket, bind, listen */
        count_call(s, CALL_SETSOCKOPT);
        s->listen_fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s->listen_fd == -1 ||
            setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1 ||
            bind(s->listen_fd, (struct sockaddr *)&addr, len) == -1 ||
            listen(s->listen_fd, SOMAXCONN) == -1) {
            int err = errno;
            fail(&s->cfg, "cannot listen on %s port %u: %s.", s->cfg.bind_ip, s->cfg.port,
                 strerror(err));
            return -err;
        }
    }
    s->stats->calls[CALL_FCNTL] += 2;
    int flags = fcntl(s->listen_fd, F_GETFL);
    fcntl(s->listen_fd, F_SETFL, flags | O_NONBLOCK);   /* see accept_clients */
    count_call(s, CALL_OTHER);
    struct sockaddr_storage bound;
    socklen_t len = sizeof bound;
    getsockname(s->listen_fd, (struct sockaddr *)&bound, &len);
    uint16_t port = ntohs(((struct sockaddr_in *)&bound)->sin_port);    /* same offset in v6 */
    if (s->cfg.on_listening)
        s->cfg.on_listening(port, s->cfg.on_listening_arg);
    return 0;
}

static void release(struct server *s)
{
    close_all(s);
    file_cache_clear(&s->files);
    s->stats->calls[CALL_CLOSE] += (s->listen_fd >= 0) + (s->epoll_fd >= 0) + (s->spare_fd >= 0) +
                                   (s->files.root.fd >= 0);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->epoll_fd >= 0)
        close(s->epoll_fd);
    if (s->spare_fd >= 0)
        close(s->spare_fd);
    file_root_close(&s->files.root);
    free(s);
}

/* --- the loop ---------------------------------------------------------------- */

static void handle_event(struct server *s, const struct epoll_event *ev)
{
    struct conn *c = ev->data.ptr;
    if (!c) {
        accept_clients(s);
        return;
    }
    if (ev->events & EPOLLERR) {
        conn_close(c);                      /* a RST: nothing more to say */
        return;
    }
    if (ev->events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP))
        c->readable = true;
    if (ev->events & (EPOLLRDHUP | EPOLLHUP))
        c->peer_hung_up = true;
    conn_run(c);                            /* EPOLLOUT: conn_run writes too */
}

int http_server_run(const struct http_server_config *cfg, volatile sig_atomic_t *stop)
{
    struct server *s = calloc(1, sizeof *s);
    if (!s) {
        fail(cfg, "out of memory.");
        return -ENOMEM;
    }
    fill_defaults(s, cfg);
    int err = open_root(s);
    if (!err)
        err = open_listener(s);
    s->stats->calls[CALL_OTHER] += !err;
    s->stats->calls[CALL_OPEN] += !err;
    if (!err && ((s->epoll_fd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
                 (s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)) {
        err = -errno;
        fail(cfg, "cannot set up the event loop: %s.", strerror(errno));
    }
    if (err) {
        if (s->cfg.listen_fd > 0)
            s->listen_fd = -1;              /* the caller's to close */
        release(s);
        return err;
    }
    watch_listener(s, true);
    /* send() says MSG_NOSIGNAL; sendfile() has no such flag, so a client that
     * resets during a file would raise SIGPIPE: ignore it in this process. */
    signal(SIGPIPE, SIG_IGN);

    struct epoll_event events[MAX_EVENTS];
    while (!s->stopping || (s->connections > 0 && s->now_ms < s->stop_deadline_ms)) {
        count_call(s, CALL_EPOLL_WAIT);
        int n = epoll_wait(s->epoll_fd, events, MAX_EVENTS, sleep_ms(s));
        if (n == -1 && errno != EINTR) {
            fail(cfg, "epoll_wait: %s.", strerror(errno));
            err = -errno;
            break;
        }
        s->now_ms = monotonic_ms();
        refresh_date(s);
        for (int i = 0; i < n; i++)
            handle_event(s, &events[i]);
        expire(&s->idle, s->now_ms);
        expire(&s->request, s->now_ms);
        watch_again(s);
        if (stop && *stop && !s->stopping)
            begin_shutdown(s);
    }
    release(s);
    return err;
}

/* --- the request path without sockets ------------------------------------------ */

void http_answer_bytes(const struct http_server_config *cfg, const char *bytes, size_t len,
                       const size_t *cuts, size_t ncuts, char **response, size_t *response_len,
                       int *count, bool *closes)
{
    struct server *s = calloc(1, sizeof *s);
    struct buffer all = { 0 };
    struct conn *c = s ? conn_new(s, -1) : NULL;
    if (!c)
        abort();
    fill_defaults(s, cfg);
    open_root(s);
    size_t from = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t to = i < ncuts ? cuts[i] : len;
        if (to <= from || to > len)
            continue;                       /* cuts out of order or range: skipped */
        take_bytes(c, bytes + from, to - from);
        from = to;
        /* What the socket would send: the queued output, each file after
         * the head before it. */
        for (bool more = true; more && !c->broken;) {
            size_t sent = 0;
            const char *out = c->out.data ? c->out.data : "";
            for (int k = c->files_first; k < c->files_first + c->files_count; k++) {
                struct queued_file *f = &c->files[k];
                if (!buffer_append(&all, out + sent, f->at - sent))
                    abort();
                sent = f->at;
                for (char chunk[4096]; f->left;) {
                    ssize_t n = pread(f->file->fd, chunk, sizeof chunk, f->offset);
                    if (n <= 0 || !buffer_append(&all, chunk, (size_t)n))
                        break;                  /* the file shrank: its answer is short */
                    f->offset += n;
                    f->left -= (size_t)n;
                }
                file_entry_put(f->file, s->stats);
            }
            if (!buffer_append(&all, out + sent, c->out.len - sent))
                abort();
            c->out.len = 0;
            c->files_first = c->files_count = 0;
            more = c->in.len && can_answer_more(c);
            if (more)
                buffer_consume(&c->in, parse_requests(c, c->in.data, c->in.len));
        }
    }
    *response = all.data;
    *response_len = all.len;
    *count = c->answered;
    *closes = c->close_after || c->broken;
    conn_free(c);
    file_cache_clear(&s->files);
    file_root_close(&s->files.root);
    free(s);
}

/* --- the names of the calls and the techniques ----------------------------------- */

const char *http_call_name(enum http_call call)
{
    static const char *const names[HTTP_CALLS] = {
        [CALL_ACCEPT] = "accept4",       [CALL_RECV] = "recv",
        [CALL_SEND] = "send",            [CALL_SENDFILE] = "sendfile",
        [CALL_EPOLL_WAIT] = "epoll_wait", [CALL_EPOLL_CTL] = "epoll_ctl",
        [CALL_CLOSE] = "close",          [CALL_FCNTL] = "fcntl",
        [CALL_SETSOCKOPT] = "setsockopt", [CALL_SHUTDOWN] = "shutdown",
        [CALL_OPEN] = "open",            [CALL_FSTAT] = "fstat",
        [CALL_READ] = "pread",           [CALL_OTHER] = "other",
    };
    return call >= 0 && call < HTTP_CALLS ? names[call] : "?";
}

const char *const http_without_names[] = {
    "short-read-rule", "batching", "prepared", "edge-triggered", "accept4", "level-listener",
    NULL,
};

bool http_without_set(struct http_server_without *without, const char *name)
{
    bool *flags[] = { &without->short_read_rule, &without->batching, &without->prepared,
                      &without->edge_triggered, &without->accept4, &without->level_listener };
    for (size_t i = 0; http_without_names[i]; i++)
        if (!strcmp(name, http_without_names[i])) {
            *flags[i] = true;
            return true;
        }
    return false;
}
