/* diag.h — a snapshot of the kernel's TCP sockets, IPv4 and IPv6.
 *
 * The source is NETLINK_SOCK_DIAG, the interface ss uses: one dump per address
 * family, with the state set and the port ranges of the filter compiled into
 * the kernel's own bytecode, so sockets outside the filter are never copied
 * to us. When netlink is not available (or asked not to be used), the same
 * snapshot is read from /proc/net/tcp and /proc/net/tcp6. The caller does not
 * need to know which source answered; `source` says it for the curious.
 *
 * Addresses are kept as the kernel keeps them (network byte order); ports and
 * everything else in host order. A TIME-WAIT entry reports its sub-state in
 * `state`: a socket closed in FIN-WAIT-2 and handed to the time-wait table is
 * FIN-WAIT-2 with the timewait timer, as ss shows it. */
#ifndef SOCKLAB_DIAG_H
#define SOCKLAB_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "socklab/filter.h"

/* A connection's identity: family, local and peer address and port. */
struct sl_tuple {
    uint8_t family;             /* AF_INET or AF_INET6 */
    uint16_t local_port, peer_port;
    uint8_t local[16], peer[16];  /* network order; IPv4 uses the first 4 bytes */
};

/* The timer kinds, numbered as the kernel reports them; named as ss -o names them. */
enum sl_timer {
    SL_TIMER_OFF = 0,
    SL_TIMER_ON = 1,            /* retransmission (or SYN-ACK) timer */
    SL_TIMER_KEEPALIVE = 2,
    SL_TIMER_TIMEWAIT = 3,
    SL_TIMER_PERSIST = 4,       /* zero-window probe */
};

struct sl_socket {
    struct sl_tuple tuple;
    uint8_t state;              /* kernel number, see tcpstate.h */
    uint8_t timer;              /* enum sl_timer */
    uint8_t retransmits;
    bool has_info;              /* the tcp_info fields below are filled */
    uint32_t recv_q;            /* LISTEN: connections waiting in the accept queue */
    uint32_t send_q;            /* LISTEN: the backlog (netlink only; /proc has none) */
    uint32_t timer_ms;          /* time left on the timer */
    uint32_t uid;
    uint64_t inode;             /* 0 for TIME-WAIT and request sockets */
    /* a subset of struct tcp_info (netlink only) */
    uint32_t rtt_us, rttvar_us, rto_us, snd_cwnd;
    uint64_t bytes_acked, bytes_received;
};

enum sl_diag_source {
    SL_SOURCE_AUTO,             /* netlink, else /proc */
    SL_SOURCE_NETLINK,
    SL_SOURCE_PROC,
};

struct sl_snapshot {
    bool want_tcp_info;         /* set before taking: ask for the tcp_info fields
                                   (netlink only; they cost the kernel time) */
    struct sl_socket *sockets;
    size_t count, capacity;
    enum sl_diag_source source; /* which one answered */
    double taken_ms;            /* sl_clock_ms() when taken */
};

/* Take a snapshot of the sockets that pass the filter (NULL: all). Returns 0,
 * or -errno when the source cannot be read (AUTO fails only when both fail). */
int sl_snapshot_take(struct sl_snapshot *snap, const struct sl_filter *filter,
                     enum sl_diag_source source);

void sl_snapshot_free(struct sl_snapshot *snap);

/* Room for one more socket; NULL when memory runs out. */
struct sl_socket *sl_snapshot_add(struct sl_snapshot *snap);

const char *sl_timer_name(int timer);               /* "on", "keepalive", ... */
const char *sl_source_name(enum sl_diag_source s);   /* "netlink", "proc" */
bool sl_source_parse(const char *text, enum sl_diag_source *out);

/* The socket in snap with this tuple (and inode, when both are known), or NULL. */
const struct sl_socket *sl_snapshot_find(const struct sl_snapshot *snap,
                                         const struct sl_tuple *tuple);

/* Which sockets to count: those in any of `states` whose local and peer
 * ports are local_port and peer_port (0: any port). */
struct sl_census {
    sl_state_mask states;
    uint16_t local_port, peer_port;
};

/* How many sockets of snap the census (a struct sl_census *) takes in. The
 * argument is void * so that it can be sl_lab_wait_count's counter:
 *     sl_lab_wait_count(lab, sl_snapshot_count, &census, 5, 1000); */
int sl_snapshot_count(const struct sl_snapshot *snap, void *census);

/* "127.0.0.1:8080" for the local or peer side of a tuple. */
char *sl_tuple_local(const struct sl_tuple *t, char *buf, size_t len);
char *sl_tuple_peer(const struct sl_tuple *t, char *buf, size_t len);

bool sl_tuple_equal(const struct sl_tuple *a, const struct sl_tuple *b);

/* A total order on tuples (family, local address and port, then the peer's),
 * for sorting and binary search. */
int sl_tuple_compare(const struct sl_tuple *a, const struct sl_tuple *b);

/* The tuple of a socket as getsockname/getpeername see it (a connected fd). */
bool sl_tuple_of_fd(int fd, struct sl_tuple *out);

/* A tuple from two socket addresses of the same family (peer may be NULL). */
void sl_tuple_from_addrs(const struct sockaddr_storage *local,
                         const struct sockaddr_storage *peer, struct sl_tuple *out);

/* --- the two sources, for tests and benchmarks ------------------------------ */

/* Parse a buffer of sock_diag replies (as recv() returned it) into snap. Returns
 * 1 when more messages follow, 0 at NLMSG_DONE, -errno for an error message or
 * -EBADMSG for anything malformed (nothing outside buf is ever read). */
int sl_diag_parse_netlink(const void *buf, size_t len, struct sl_snapshot *snap);

/* Build the inet_diag bytecode for the filter's port ranges into buf; returns
 * its length (0: no port ranges, no bytecode), or -1 when buf is too small. */
int sl_diag_bytecode(const struct sl_filter *f, void *buf, size_t len);

/* Parse the text of /proc/net/tcp or /proc/net/tcp6 into snap, keeping what
 * passes the filter. Returns 0, or -EBADMSG for a line it cannot read. */
int sl_diag_parse_proc(const char *text, int family, const struct sl_filter *filter,
                       struct sl_snapshot *snap);

/* Walk the message headers of a reply buffer only: 1 when more follow, 0 at
 * NLMSG_DONE, -errno for an error message, -EBADMSG when malformed. */
int sl_diag_scan_netlink(const void *buf, size_t len);

/* The raw dump, IPv4 then IPv6 (with INET_DIAG_INFO when want_tcp_info): every
 * reply buffer goes to sink, which returns what sl_diag_parse_netlink or
 * sl_diag_scan_netlink would (1 more, 0 done, -errno stop). For fixtures and
 * for the benchmark's floor. Returns 0 or -errno. */
typedef int (*sl_diag_sink)(const void *buf, size_t len, int family, void *context);
int sl_diag_dump_netlink(const struct sl_filter *filter, bool want_tcp_info,
                         sl_diag_sink sink, void *context);

int sl_diag_take_netlink(struct sl_snapshot *snap, const struct sl_filter *filter);
int sl_diag_take_proc(struct sl_snapshot *snap, const struct sl_filter *filter);

#endif
