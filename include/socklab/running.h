/* running.h — the labs running now, for commands typed in another terminal.
 *
 * `socklab ss` at a lab's pause must show that lab's sockets, even when the
 * lab runs in a private network (netns.h) that the terminal is not in. So a
 * running lab leaves a note of one line, DIR/PID:
 *
 *     PID START NUMBER NAME PRIVATE
 *
 * DIR is $XDG_RUNTIME_DIR/socklab when that is set, else /tmp/socklab-UID;
 * it is made mode 0700 and refused when it is not this user's. START is the
 * process's start time (field 22 of /proc/PID/stat): a note whose process has
 * gone (SIGKILL leaves it behind) or whose pid another process now has is
 * stale, and the reader removes it. The lab removes its note however it ends
 * (the engine's guard unlinks it, even from a signal handler). */
#ifndef SOCKLAB_RUNNING_H
#define SOCKLAB_RUNNING_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sl_running {
    pid_t pid;
    unsigned long long start;   /* the process's start time, in clock ticks since boot */
    int number;                 /* the lab's number */
    char name[64];              /* "handshake" */
    bool private_net;           /* it runs in a network of its own */
};

/* Write this process's note; `path` receives its name (for the caller to
 * unlink). 0 or -errno. */
int sl_running_register(int number, const char *name, bool private_net, char *path,
                        size_t len);

/* The live labs of this user, the most recently started first; stale notes
 * are removed. Returns how many were found (at most room), or -errno when the
 * directory cannot be read (-ENOENT: no lab has run). */
int sl_running_list(struct sl_running *out, int room);

#endif
