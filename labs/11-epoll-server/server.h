/* labs/11-epoll-server/server.h — the correct epoll HTTP/1.1 server, as a
 * function a program (serve.c, the lesson, the fuzzer) can run.
 *
 *     struct http_server_config cfg = { .bind_ip = "127.0.0.1", .port = 8080 };
 *     static volatile sig_atomic_t stop;   // set by a SIGINT/SIGTERM handler
 *     int status = http_server_run(&cfg, &stop);
 *
 * http_server_run() serves until *stop becomes non-zero, then shuts down
 * gracefully: it stops accepting, closes idle connections, lets the responses
 * in flight finish (for at most shutdown_ms), and returns 0. Set-up errors
 * (bind, epoll) are returned as -errno with a sentence in cfg->error_out, never
 * an exit from here. Zero in any numeric field means its default. It sets
 * SIGPIPE to SIG_IGN in the calling process (sendfile() has no MSG_NOSIGNAL). */
#ifndef LAB11_SERVER_H
#define LAB11_SERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct http_server_config {
    const char *bind_ip;        /* default 127.0.0.1 (ignored when listen_fd >= 0) */
    uint16_t port;              /* 0: the kernel chooses (see on_listening) */
    int listen_fd;              /* > 0: serve this listening socket instead of binding
                                   (the server closes it when it stops) */
    const char *root;           /* static files under this directory; NULL: none */
    FILE *log;                  /* one line per request; NULL: no log */
    int max_connections;        /* default 16384; beyond it a client gets a 503 */
    int idle_timeout_ms;        /* a connection with no request in progress; default 60 s */
    int header_timeout_ms;      /* from a request's first byte to its end; default 10 s */
    int header_limit;           /* bytes of request line and headers; default 8192 */
    int shutdown_ms;            /* how long responses in flight may take at stop; default 3 s */
    /* Called once the socket listens, with its port (for port 0). */
    void (*on_listening)(uint16_t port, void *arg);
    void *on_listening_arg;
    char *error_out;            /* a sentence on a set-up error; may be NULL */
    size_t error_len;
    /* Where the server counts its system calls and requests (NULL: nowhere);
     * it may be shared memory, read by another process while the server runs. */
    struct http_server_stats *stats;
    /* The techniques lab 11 measures, each turned off on its own, to count
     * what it saves (all false: the server as it should be). */
    struct http_server_without {
        bool short_read_rule;   /* read again after a short read, to see EAGAIN */
        bool batching;          /* one send() per response, not one per read */
        bool prepared;          /* format every response, Date too, per request */
        bool edge_triggered;    /* level-triggered: epoll_ctl() turns EPOLLIN/OUT on, off */
        bool accept4;           /* accept(), then fcntl() for O_NONBLOCK and FD_CLOEXEC */
        bool level_listener;    /* an edge-triggered listener, accepted until EAGAIN */
    } without;
};

/* The system calls the server makes, by kind, counted where each is made. */
enum http_call {
    CALL_ACCEPT,                /* accept4(), or accept() without it */
    CALL_RECV,
    CALL_SEND,
    CALL_SENDFILE,
    CALL_EPOLL_WAIT,
    CALL_EPOLL_CTL,
    CALL_CLOSE,
    CALL_FCNTL,
    CALL_SETSOCKOPT,
    CALL_SHUTDOWN,
    CALL_OPEN,                  /* openat2(), open() */
    CALL_FSTAT,
    CALL_READ,                  /* pread() of a small file into the cache */
    CALL_OTHER,                 /* set-up: socket, bind, listen, epoll_create1, ... */
    HTTP_CALLS
};

struct http_server_stats {
    unsigned long long calls[HTTP_CALLS];
    unsigned long long requests;        /* answered (queued), good or bad */
    unsigned long long connections;     /* accepted */
    unsigned long long blocked_writes;  /* send() or sendfile() said EAGAIN */
};

/* "recv", "epoll_ctl", ... (as strace names them: "accept4", not "accept"). */
const char *http_call_name(enum http_call call);

/* The switches of `without` by name, for --without LIST: "short-read-rule",
 * "batching", "prepared", "edge-triggered", "accept4", "level-listener".
 * False: no such name. */
bool http_without_set(struct http_server_without *without, const char *name);
extern const char *const http_without_names[];      /* NULL-terminated */

int http_server_run(const struct http_server_config *cfg, volatile sig_atomic_t *stop);

/* The built-in page served at "/", and its length. */
extern const char http_builtin_page[];
extern const size_t http_builtin_page_len;

/* The request path without sockets, for the fuzzer and tests: feed `len`
 * bytes (in pieces cut at every offset in `cuts`, ascending, each < len) to
 * one fresh connection's parser and answer as the server would. The
 * responses are returned in *response (malloc'd, caller frees), the number
 * of responses in *count; *closes says whether the server would close the
 * connection after them. Static files are served when cfg->root is set. */
void http_answer_bytes(const struct http_server_config *cfg, const char *bytes, size_t len,
                       const size_t *cuts, size_t ncuts, char **response, size_t *response_len,
                       int *count, bool *closes);

#endif
