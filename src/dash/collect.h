/* collect.h — one frame of the live dashboard: a snapshot of the sockets that
 * pass the filters (from the tracker: a dump to discover, exact lookups to
 * follow, see diag_tracker.h), their owners, what changed since the last
 * frame, by polling and (with --trace) from the tracepoint, and the
 * connections that ended. */
#ifndef SOCKDASH_COLLECT_H
#define SOCKDASH_COLLECT_H

#include "dash_options.h"
#include "socklab/diag_lookup.h"
#include "socklab/diag_tracker.h"
#include "socklab/trace.h"

#include "socklab/owner.h"
#include "socklab/watch.h"

struct dash_collector {
    struct sl_filter filter;        /* ports and states: the kernel applies them */
    enum sl_diag_source source;
    char process[32];               /* keep sockets whose command contains this ... */
    int pid;                        /* ... or that this process holds (0: any) */
    bool want_owners;
    bool want_tcp_info;             /* ask the kernel for tcp_info (rtt, cwnd, ...) */
    bool want_events;               /* join the destroy groups (the closed list) */
    double discover_ms;             /* the tracker's discovery interval (0: when asked) */
    struct sl_tracker *tracker;     /* opened by the first frame */
    char note[256];                 /* what the tracker could not have (one sentence) */
    struct sl_owners *owners;
    struct sl_snapshot previous, current;
    struct sl_owner *owner_of;      /* owner_of[i]: the owner of current.sockets[i] */
    size_t owner_room;
    unsigned frames;
    struct sl_changes polled;       /* this frame's changes found by polling */
    struct sl_changes traced;       /* this frame's changes seen by the tracepoint */
    struct sl_changes held;         /* tracepoint events waiting for the next frame */
    struct sl_trace *trace;
    struct sl_lookup *lookup;       /* asks after sockets that left the filter (NULL: none) */
    bool lookup_tried;
};

void dash_collector_init(struct dash_collector *c, const struct dash_options *o);
void dash_collector_free(struct dash_collector *c);

/* Take a frame. Returns 0, or -errno when the socket table cannot be read. */
int dash_collect(struct dash_collector *c);

/* Start the tracepoint; false with a reason when it cannot be had. When it
 * starts, why is empty or holds a note worth showing (see sl_trace_open). */
bool dash_collector_trace(struct dash_collector *c, char *why, size_t why_len);

/* Read what the tracepoint has for us (call when its descriptor is readable);
 * a socket being born (leaving CLOSED, LISTEN or SYN-RECV) makes the next
 * frame a discovery. */
void dash_collector_read_trace(struct dash_collector *c);

/* The destroy events' descriptor (-1: none), and reading them. */
int dash_collector_event_fd(const struct dash_collector *c);
void dash_collector_read_events(struct dash_collector *c);

/* The next frame discovers new sockets (a key was pressed). */
void dash_collector_discover(struct dash_collector *c);

#endif
