/* netns.h — a network of this process's own, and entering another process's.
 *
 * A private network is a network namespace: its own loopback, its own ports,
 * its own network sysctls; nothing outside it sees its sockets, and nothing
 * done in it changes the machine. As root it is a network namespace alone;
 * for any other user it is a user namespace with a network namespace inside
 * (unshare(CLONE_NEWUSER | CLONE_NEWNET), Debian allows it unprivileged).
 *
 * Inside the user namespace the user's uid and gid are mapped to themselves:
 * getuid() still says who the user is, so nothing that asks "am I root?" for
 * something of the whole machine (tracefs, a privileged port of the host) is
 * fooled. The process holds every capability over its new namespaces — it may
 * change this network's settings, capture on its loopback, filter packets —
 * until it calls execve() (a uid other than 0 keeps none across it), and the
 * children it forks inherit the network and those capabilities.
 *
 * Every function here returns 0 or -errno, and fills `why` with one sentence
 * (what failed, why, what to try) when it fails. */
#ifndef SOCKLAB_NETNS_H
#define SOCKLAB_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What sl_netns_make made. */
enum sl_netns_kind {
    SL_NETNS_NET,               /* a network namespace (the process is root) */
    SL_NETNS_USER_NET,          /* a user namespace with a network namespace inside */
};

/* Move this process into a private network and bring its loopback up. Must be
 * called while the process has one thread (unshare(CLONE_NEWUSER) refuses a
 * threaded process). */
int sl_netns_make(enum sl_netns_kind *kind, char *why, size_t len);

/* True when capability `cap` (CAP_NET_ADMIN = 12, CAP_SYS_ADMIN = 21) is in
 * this process's effective set: over its own user namespace, which for a
 * private network is not the machine's. */
bool sl_netns_capable(int cap);

/* True when this process is root on the machine: in the machine's own user
 * namespace with CAP_SYS_ADMIN. False inside a private network made by a user
 * (whatever its capabilities there). */
bool sl_netns_root_on_machine(void);

/* Enter the network of process `pid` (and its user namespace, when that is
 * not ours: the same user owns it, so no privilege is needed). Nothing to do
 * when it already is ours. Must be called while single-threaded. */
int sl_netns_join(pid_t pid, char *why, size_t len);

/* Bring the loopback interface of the current network up (netlink). */
int sl_netns_loopback_up(void);

#endif
