/* private_network.h — a live test alone in a network of its own (netns.h).
 *
 * The live tests of the tracker and of the destroy events count what they
 * find on their port and every event that reaches them. On a shared machine,
 * other programs' resets and closing listeners pass the events' filter (their
 * peer port is 0, see diag_destroy.h) by the thousand: they overran the
 * socket that reads them, which made the tracker dump again and lost the
 * test's own ends. In a private network no other program's sockets are.
 * Where none can be made, the test runs in the machine's network and says so. */
#ifndef SOCKLAB_TEST_PRIVATE_NETWORK_H
#define SOCKLAB_TEST_PRIVATE_NETWORK_H

#include "socklab/netns.h"

#include <stdio.h>

/* Call first in main(), while the test has one thread. */
static inline void alone_in_a_network(void)
{
    enum sl_netns_kind kind;
    char why[256];
    if (sl_netns_make(&kind, why, sizeof why) < 0)
        printf("# %s; the live tests run in the machine's network\n", why);
}

#endif
