/* net.h — the socket boilerplate that is *not* the lesson.
 *
 * Whatever a lab teaches, it writes out raw; these helpers carry only the set-up
 * around it: a listener on loopback, a connected pair, O_NONBLOCK on or off, and
 * waits that always end. Every wait here takes a timeout in milliseconds.
 * Failures of the set-up are reported as CHECK does (exit status 2). */
#ifndef SOCKLAB_NET_H
#define SOCKLAB_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* A TCP listener on ip:port (port 0: the kernel chooses), SO_REUSEADDR set. */
int sl_listen_on(const char *ip, uint16_t port, int backlog);

/* The local port a socket is bound to, in host order. */
uint16_t sl_local_port(int fd);

/* Connect a new TCP socket to the address listen_fd is bound to (a wildcard
 * address is reached through loopback). Blocking socket; the connect itself is
 * bounded by timeout_ms. Returns the connected fd. */
int sl_connect_to(int listen_fd, int timeout_ms);

/* accept() that waits at most timeout_ms; returns -1 with errno ETIMEDOUT. */
int sl_accept_within(int listen_fd, int timeout_ms);

/* A connected client/server pair over ip (a listener on an ephemeral port, or on
 * `port` when non-zero, closed once the server side is accepted).
 * pair[0] is the client, pair[1] the server. */
void sl_tcp_pair(const char *ip, uint16_t port, int pair[2]);

/* Set or clear O_NONBLOCK. */
void sl_set_nonblocking(int fd, bool on);

/* poll() one fd for `events` for at most timeout_ms: returns the revents seen,
 * 0 on timeout. Signal interruptions are retried within the same deadline. */
short sl_wait_fd(int fd, short events, int timeout_ms);

/* Bound every blocking call on fd: recv/accept give up after ms with EAGAIN,
 * send and connect after ms with EAGAIN/EINPROGRESS (SO_RCVTIMEO, SO_SNDTIMEO). */
void sl_bound_blocking(int fd, int ms);

/* Close a connection client first, so that its TIME-WAIT stays on the
 * client's port and leaves the server's port free for the next run: the
 * client closes, the server waits (at most 1 s) for its FIN, reads what is
 * left, then closes. */
void sl_close_client_first(int client, int server);

/* Read and discard whatever is queued on fd right now; returns the bytes read. */
long sl_drain(int fd);

/* Wait (polling FIONREAD every millisecond, for at most timeout_ms) until at
 * least `bytes` are queued for reading on fd; returns how many are queued. */
int sl_wait_queued(int fd, int bytes, int timeout_ms);

/* Read and discard, waiting as fd's blocking mode says (bound it with
 * sl_bound_blocking), until EOF, an error or `limit` bytes; returns the bytes
 * read. *eof (when not NULL) tells whether it stopped at EOF. */
long sl_read_up_to(int fd, long limit, bool *eof);

#endif
