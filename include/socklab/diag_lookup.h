/* diag_lookup.h — known sockets looked up exactly, by their cookie, without a dump.
 *
 * A SOCK_DIAG_BY_FAMILY request without NLM_F_DUMP names one socket (its
 * 4-tuple, device and cookie): the kernel finds it with a hash lookup
 * (inet_diag_find_one_icsk) instead of walking every socket on the machine,
 * and answers with the same message a dump would, or -ENOENT. Many requests
 * go in one send(); their answers come back in order, each with its
 * request's sequence number. Any user may ask.
 *
 * The cookie matters: without it, a lookup of a connection that has gone
 * falls through to the listener on its port, and the answer is the wrong
 * socket. A TIME-WAIT record keeps its socket's cookie, so a connection is
 * followed into TIME-WAIT and out of it. */
#ifndef SOCKLAB_DIAG_LOOKUP_H
#define SOCKLAB_DIAG_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "socklab/snapshot.h"

/* What one lookup found. */
enum sl_lookup_result {
    SL_LOOKUP_FOUND = 1,        /* fresh[i] holds the socket as the kernel has it now */
    SL_LOOKUP_GONE = 0,         /* no socket with that key and cookie (ENOENT) */
    SL_LOOKUP_FAILED = -1,      /* no answer this time (a full buffer, an error): try again */
};

struct sl_lookup;

/* A NETLINK_SOCK_DIAG socket for lookups; NULL with errno set. */
struct sl_lookup *sl_lookup_open(void);
void sl_lookup_close(struct sl_lookup *l);

/* Look up count known sockets (each by tuple, ifindex and cookie; a cookie
 * of 0 is sent as "any"), with their tcp_info when want_tcp_info. result[i]
 * says what became of known[i]; fresh[i] is filled when FOUND. Returns 0, or
 * -errno when the socket itself failed (then every result is FAILED). */
int sl_lookup_sockets(struct sl_lookup *l, const struct sl_socket *known, size_t count,
                      bool want_tcp_info, struct sl_socket *fresh,
                      enum sl_lookup_result *result);

/* What the lookups have cost so far. */
struct sl_lookup_stats {
    unsigned long requests;     /* sockets asked about */
    unsigned long sends;        /* send() calls (each a batch of requests) */
    unsigned long receives;     /* recvmmsg() calls */
};
struct sl_lookup_stats sl_lookup_stats(const struct sl_lookup *l);

#endif
