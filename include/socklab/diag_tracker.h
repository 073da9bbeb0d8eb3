/* diag_tracker.h — follow a filter's sockets by the cheapest exact means.
 *
 * A dump walks every socket of the machine to find the filter's few (the
 * kernel runs the filter on each); an exact lookup is a hash lookup. So the
 * tracker dumps only to discover sockets it does not know yet, and follows
 * the ones it knows by exact lookups keyed by their cookies, batched in one
 * send():
 *   - a refresh looks the known sockets up (found: their state, queues and
 *     tcp_info now; gone: they are dropped);
 *   - a dump runs at the first refresh, then once every `discover_every_ms`
 *     (0: only when asked: with the tracepoint, which announces every new
 *     socket), at once after a listener's accept queue grew (connections
 *     arrived), and when sl_tracker_discover_soon() asks (a key, the
 *     tracepoint);
 *   - ends come from the destroy groups (diag_destroy.h) with the final
 *     tcp_info, and go to the closed list; a connection on the filter's
 *     ports that began and ended between two dumps is still caught there (a
 *     filter of states alone keeps only the ends of the sockets it saw, and
 *     a filter above the tracker, a process's, only those it marked);
 *   - a socket can leave the kernel's tables long before it is freed: a
 *     connect() that failed, a connection reset, stay in CLOSE, out of
 *     every dump and lookup, until their process closes them (a paused lab:
 *     minutes). The last SL_TRACKER_DEPARTED_KEEP sockets that left unseen
 *     are remembered until their event, which then finds how they were (a
 *     failed connect's event has lost its ports: only its cookie names it);
 *   - with more than SL_TRACKER_LOOKUP_LIMIT known sockets (a filter that
 *     takes in most of the machine) one dump is cheaper than that many
 *     lookups, and every refresh dumps, without tcp_info (it makes the kernel
 *     fill 232 bytes more per connection); so does the /proc source, which
 *     has no lookups.
 * Time is the caller's (sl_clock_ms(), or a fake clock in tests). */
#ifndef SOCKLAB_DIAG_TRACKER_H
#define SOCKLAB_DIAG_TRACKER_H

#include <stdbool.h>
#include <stddef.h>

#include "socklab/closed.h"
#include "socklab/diag.h"

#define SL_TRACKER_LOOKUP_LIMIT 1024
#define SL_TRACKER_DISCOVER_MS 5000     /* the default discovery interval */
#define SL_TRACKER_DEPARTED_KEEP 64

struct sl_tracker_options {
    struct sl_filter filter;
    enum sl_diag_source source;
    bool want_tcp_info;             /* ask for tcp_info in dumps and lookups */
    double discover_every_ms;       /* 0: only when asked */
    bool destroy_events;            /* join the destroy groups (closed list, quick ends) */
    bool marked_ends_only;          /* the caller filters above the tracker (a process):
                                       only the ends of the sockets it marked
                                       (sl_tracker_mark) go to the closed list */
    struct sl_diag_channel *channel; /* the dumps go through it (diag.h; the caller's, kept
                                        open: a process out of descriptors still dumps);
                                        NULL: each dump opens a socket of its own */
};

struct sl_tracker;

/* NULL only when out of memory. When the destroy groups or the lookups are
 * out of reach, the tracker still works (by dumps, or without the closed
 * list) and note says so in one sentence; otherwise note is empty. */
struct sl_tracker *sl_tracker_open(const struct sl_tracker_options *o, char *note,
                                   size_t note_len);
void sl_tracker_close(struct sl_tracker *t);

/* A refresh at now_ms: the filter's sockets into out (which it owns; its
 * storage is reused). Returns 0, or -errno when the socket table cannot be
 * read. */
int sl_tracker_refresh(struct sl_tracker *t, double now_ms, struct sl_snapshot *out);

/* Dump at the next refresh (a new socket is likely: a key, the tracepoint). */
void sl_tracker_discover_soon(struct sl_tracker *t);

/* The descriptor of the destroy events (-1 without them), and reading them
 * (call when it is readable; refresh reads them too). */
int sl_tracker_event_fd(const struct sl_tracker *t);
void sl_tracker_read_events(struct sl_tracker *t, double now_ms);

/* The connections that ended so far, newest first (sl_closed_get). */
const struct sl_closed_list *sl_tracker_closed(const struct sl_tracker *t);

/* The caller's filter took the known socket with this cookie: its end goes
 * to the closed list under marked_ends_only (a mark lasts the socket's life,
 * TIME-WAIT included: it was the process's connection). */
void sl_tracker_mark(struct sl_tracker *t, uint64_t cookie);

/* When the socket with this cookie was first seen alive (-1: not known). */
double sl_tracker_first_seen(struct sl_tracker *t, uint64_t cookie);

struct sl_tracker_stats {
    unsigned long refreshes;
    unsigned long dumps;            /* full (filtered) dumps: the walks */
    unsigned long lookup_rounds;    /* refreshes done by lookups alone */
    unsigned long lookups;          /* sockets looked up by the refreshes */
    unsigned long end_lookups;      /* ... and after their ends (a TIME-WAIT record?) */
    unsigned long departed_ends;    /* ends of sockets that had left the tables */
    unsigned long events;           /* destroy events read */
    unsigned long overruns;         /* times the kernel dropped events */
};
struct sl_tracker_stats sl_tracker_stats(const struct sl_tracker *t);

#endif
