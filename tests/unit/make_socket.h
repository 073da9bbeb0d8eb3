/* make_socket.h — an IPv4 loopback socket for tests that build snapshots by
 * hand: 127.0.0.1:local_port to 127.0.0.1:peer_port (peer 0: no peer), and a
 * change of one. */
#ifndef SOCKLAB_TEST_MAKE_SOCKET_H
#define SOCKLAB_TEST_MAKE_SOCKET_H

#include "socklab/diag.h"
#include "socklab/watch.h"

#include <netinet/in.h>
#include <string.h>

static inline struct sl_socket make_socket(uint16_t local_port, uint16_t peer_port, int state,
                                           uint64_t inode)
{
    struct sl_socket s = { .state = (uint8_t)state, .inode = inode };
    s.tuple.family = AF_INET;
    s.tuple.local_port = local_port;
    s.tuple.peer_port = peer_port;
    memcpy(s.tuple.local, "\x7f\0\0\x01", 4);
    if (peer_port)
        memcpy(s.tuple.peer, "\x7f\0\0\x01", 4);
    return s;
}

/* A change of the socket local -> peer, from one state to another. */
static inline struct sl_change make_change(enum sl_change_kind kind, uint16_t local,
                                           uint16_t peer, int from, int to)
{
    struct sl_socket s = make_socket(local, peer, to, 0);
    return (struct sl_change){ .kind = kind, .tuple = s.tuple, .from = (uint8_t)from,
                               .to = (uint8_t)to };
}

#endif
