/* labs/11-epoll-server/clients.h — the HTTP clients lab 11 points at both
 * servers: loopback only, every wait bounded by a timeout in milliseconds.
 *
 * A client is buffered, so that replies to pipelined requests are read one by
 * one; bodies are counted and dropped. */
#ifndef LAB11_CLIENTS_H
#define LAB11_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_client {
    int fd;                     /* -1 when closed */
    size_t have;                /* bytes of buf not yet read as a reply */
    char buf[16384];
};

/* How a wait for one reply ended. */
enum reply_outcome {
    REPLY_FULL,                 /* a complete reply: status line, headers, body */
    REPLY_CLOSED,               /* the server closed (FIN or RST) before a reply */
    REPLY_TIMEOUT,              /* nothing complete before the timeout */
};

/* A GET request for path, HTTP/1.1 keep-alive. */
extern const char http_get_root[];
extern const char http_get_big[];

/* Connect to ip:port within timeout_ms (rcvbuf > 0: SO_RCVBUF set before the
 * connect, which keeps the advertised window small). False on failure. */
bool client_open(struct http_client *c, const char *ip, uint16_t port, int rcvbuf,
                 int timeout_ms);

/* Send all of bytes within timeout_ms. */
bool client_send(struct http_client *c, const char *bytes, size_t len, int timeout_ms);
bool client_send_text(struct http_client *c, const char *text, int timeout_ms);

/* Wait for one reply; its status code in *status (0 when none), its body
 * length in *body (may be NULL). */
enum reply_outcome client_read_reply(struct http_client *c, int timeout_ms, int *status,
                                     long *body);

/* Wait until the server closes the connection (EOF or RST), discarding what it
 * sends; returns the milliseconds waited, or -1 when it was still open. */
double client_wait_closed(struct http_client *c, int timeout_ms);

/* A slowloris: one byte of a request's headers every interval_ms, never the
 * end; returns the milliseconds until the server closed, or -1. */
double client_trickle(struct http_client *c, int interval_ms, int timeout_ms);

void client_close(struct http_client *c);

/* The same for n clients at once: open each (a failed one keeps fd -1), send
 * the same text on each open one, wait for one reply on each (the outcomes
 * counted; a client that is not open counts as closed), close them all. */
void clients_open(struct http_client *c, int n, const char *ip, uint16_t port);
void clients_send_text(struct http_client *c, int n, const char *text);
struct reply_count {
    int full, closed, timeout;
};
struct reply_count clients_read_replies(struct http_client *c, int n, int timeout_ms);
void clients_close(struct http_client *c, int n);

/* What a burst of clients got. */
struct burst_result {
    int served;                 /* a complete 200 reply */
    int refused;                /* refused, reset, or closed without a reply */
    int reset;                  /* ... of those, the ones the server's kernel reset */
    int unstarted;              /* no socket or no local port for it */
    int connecting;             /* still waiting for the handshake: their kernel
                                   retries the SYN (docs/labs/02: 1 s apart at first
                                   with tcp_syn_linear_timeouts, then doubling) */
    int waiting;                /* connected, no reply yet */
    double slowest_ms;          /* the last reply's wait */
};

/* n clients connecting at once, each sending `request` and waiting for one
 * reply, all within timeout_ms. */
struct burst_result client_burst(const char *ip, uint16_t port, int n, const char *request,
                                 int timeout_ms);

const char *reply_outcome_name(enum reply_outcome outcome);

#endif
