/* quiet_listener.h — a loopback listener on a port no other socket uses, not
 * even a TIME-WAIT left by another program (the kernel's choice of a free
 * port may land on one, and the tests count what they find on the port).
 * Once it listens, no connect() elsewhere takes its port as a source port. */
#ifndef SOCKLAB_TEST_QUIET_LISTENER_H
#define SOCKLAB_TEST_QUIET_LISTENER_H

#include "socklab/diag.h"
#include "socklab/net.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline int quiet_listener(int backlog)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = sl_listen_on("127.0.0.1", 0, backlog);
        struct sl_filter f;
        sl_filter_init(&f);
        sl_filter_add_range(&f, sl_local_port(fd), sl_local_port(fd));
        struct sl_snapshot snap = { 0 };
        size_t n = sl_snapshot_take(&snap, &f, SL_SOURCE_NETLINK) == 0 ? snap.count : 0;
        sl_snapshot_free(&snap);
        if (n == 1)
            return fd;
        close(fd);
    }
    fprintf(stderr, "no quiet port found\n");
    exit(1);
}

#endif
