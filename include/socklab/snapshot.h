/* snapshot.h — a snapshot of TCP sockets, however it was taken: each
 * socket's identity (its tuple), state, queues, timer and a subset of
 * tcp_info; room to add to it, lookups and a census. It knows no source:
 * diag.h takes one from the kernel, the dashboard replays one from a file,
 * tests build one by hand.
 *
 * Addresses are kept as the kernel keeps them (network byte order); ports and
 * everything else in host order. A TIME-WAIT entry reports its sub-state in
 * `state`: a socket closed in FIN-WAIT-2 and handed to the time-wait table is
 * FIN-WAIT-2 with the timewait timer, as ss shows it. */
#ifndef SOCKLAB_SNAPSHOT_H
#define SOCKLAB_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "socklab/tcp_info.h"
#include "socklab/tcpstate.h"

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
    bool has_info;              /* info below is filled (netlink, a full socket) */
    uint32_t recv_q;            /* LISTEN: connections waiting in the accept queue */
    uint32_t send_q;            /* LISTEN: the backlog (netlink only; /proc has none) */
    uint32_t timer_ms;          /* time left on the timer */
    uint32_t uid;
    uint32_t ifindex;           /* the device it is bound to (0: none); part of its key */
    uint64_t inode;             /* 0 for TIME-WAIT and request sockets */
    uint64_t cookie;            /* the kernel's socket cookie (netlink only; 0: unknown):
                                   what an exact lookup is keyed by, and what a
                                   TIME-WAIT record keeps of its socket */
    struct sl_tcp_info info;    /* struct tcp_info as far as the kernel sent it */
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

void sl_snapshot_free(struct sl_snapshot *snap);

/* Room for one more socket; NULL when memory runs out. */
struct sl_socket *sl_snapshot_add(struct sl_snapshot *snap);

const char *sl_timer_name(int timer);               /* "on", "keepalive", ... */
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

/* Who opened the connection t, by the listeners in snap: 0 a listener on its
 * local port made it, 1 it connected to a listener's port, -1 unknown. */
int sl_snapshot_opener(const struct sl_snapshot *snap, const struct sl_tuple *t);

/* "127.0.0.1:8080" for the local or peer side of a tuple. */
char *sl_tuple_local(const struct sl_tuple *t, char *buf, size_t len);
char *sl_tuple_peer(const struct sl_tuple *t, char *buf, size_t len);

bool sl_tuple_equal(const struct sl_tuple *a, const struct sl_tuple *b);

/* The same connection seen from its other end: local and peer swapped. */
struct sl_tuple sl_tuple_other_end(const struct sl_tuple *t);

/* A total order on tuples (family, local address and port, then the peer's),
 * for sorting and binary search. */
int sl_tuple_compare(const struct sl_tuple *a, const struct sl_tuple *b);

/* The tuple of a socket as getsockname/getpeername see it (a connected fd). */
bool sl_tuple_of_fd(int fd, struct sl_tuple *out);

/* A tuple from two socket addresses of the same family (peer may be NULL). */
void sl_tuple_from_addrs(const struct sockaddr_storage *local,
                         const struct sockaddr_storage *peer, struct sl_tuple *out);

#endif
