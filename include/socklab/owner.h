/* owner.h — which process holds a socket: its inode, found among the open
 * files of /proc/PID/fd ("socket:[INODE]"), as ss -p and netstat -p do.
 *
 * The scan is the expensive part, so it runs once per refresh, on demand, and
 * only looks for the inodes of the snapshot it is given. A socket the kernel
 * reports with inode 0 (TIME-WAIT, an orphaned FIN-WAIT-2, request sockets)
 * has no file, so no process holds it: it has no owner, as in ss -p. */
#ifndef SOCKLAB_OWNER_H
#define SOCKLAB_OWNER_H

#include "socklab/diag.h"

struct sl_owner {
    int pid;
    char command[16];           /* /proc/PID/comm: at most 15 characters */
};

struct sl_owners;

struct sl_owners *sl_owners_new(void);
void sl_owners_free(struct sl_owners *owners);

/* Find the owners of the sockets in snap: one scan of /proc, and only when
 * snap holds an inode the last refresh did not see. Returns the number of
 * inodes whose owner is known. (An owner, once found, is kept while its
 * socket lives: a descriptor passed to another process is not noticed.) */
size_t sl_owners_refresh(struct sl_owners *owners, const struct sl_snapshot *snap);

/* The owner of a socket of the last refreshed snapshot, or NULL. */
const struct sl_owner *sl_owners_find(const struct sl_owners *owners,
                                      const struct sl_socket *s);

#endif
