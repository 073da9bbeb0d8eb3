/* collect.c — snapshot, owners, process filter, diff, and the merge of polled
 * and traced transitions (see collect.h).
 *
 * With the tracepoint on, both sources see most changes. The trace is exact,
 * so a polled change of a socket the trace spoke of is dropped. The one thing
 * the tracepoint never reports is the entry into TIME-WAIT: the kernel swaps
 * the socket for a time-wait record, and the trace says "-> CLOSE". When the
 * poll finds a time-wait record on that tuple, the trace's change is
 * corrected to "-> TIME-WAIT". */
#include "collect.h"

#include "socklab/clock.h"
#include "socklab/tuple_index.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dash_collector_init(struct dash_collector *c, const struct dash_options *o)
{
    memset(c, 0, sizeof *c);
    c->filter = o->filter;
    c->source = o->source;
    snprintf(c->process, sizeof c->process, "%s", o->process);
    c->pid = o->pid;
    c->want_owners = !o->no_process || o->process[0] || o->pid;
    c->want_tcp_info = true;
    c->want_events = true;
    c->discover_ms = o->trace ? 0 : o->discover_ms;   /* the tracepoint announces new ones */
    if (c->want_owners)
        c->owners = sl_owners_new();
}

void dash_collector_free(struct dash_collector *c)
{
    sl_trace_close(c->trace);
    sl_tracker_close(c->tracker);
    sl_owners_free(c->owners);
    free(c->owner_of);
    sl_snapshot_free(&c->previous);
    sl_snapshot_free(&c->current);
    sl_changes_free(&c->polled);
    sl_changes_free(&c->traced);
    sl_changes_free(&c->held);
    memset(c, 0, sizeof *c);
}

bool dash_collector_trace(struct dash_collector *c, char *why, size_t why_len)
{
    c->trace = sl_trace_open(&c->filter, why, why_len);
    return c->trace != NULL;
}

void dash_collector_read_trace(struct dash_collector *c)
{
    if (!c->trace)
        return;
    size_t before = c->held.count;
    sl_trace_read(c->trace, &c->held);
    for (size_t i = before; c->tracker && i < c->held.count; i++) {
        const struct sl_change *e = &c->held.items[i];
        bool born = e->from == SL_TCP_CLOSE || e->from == SL_TCP_LISTEN ||
                    e->from == SL_TCP_NEW_SYN_RECV || e->from == SL_TCP_SYN_RECV;
        if (born) {                                /* a socket we cannot know yet */
            sl_tracker_discover_soon(c->tracker);
            break;
        }
    }
}

int dash_collector_event_fd(const struct dash_collector *c)
{
    return c->tracker ? sl_tracker_event_fd(c->tracker) : -1;
}

void dash_collector_read_events(struct dash_collector *c)
{
    if (c->tracker)
        sl_tracker_read_events(c->tracker, sl_clock_ms());
}

void dash_collector_discover(struct dash_collector *c)
{
    if (c->tracker)
        sl_tracker_discover_soon(c->tracker);
}

static int open_tracker(struct dash_collector *c)
{
    struct sl_tracker_options o = {
        .filter = c->filter, .source = c->source, .want_tcp_info = c->want_tcp_info,
        .discover_every_ms = c->discover_ms, .destroy_events = c->want_events,
    };
    c->tracker = sl_tracker_open(&o, c->note, sizeof c->note);
    return c->tracker ? 0 : -ENOMEM;
}

static bool owner_matches(const struct dash_collector *c, const struct sl_socket *s)
{
    if (!c->process[0] && !c->pid)
        return true;
    const struct sl_owner *o = c->owners ? sl_owners_find(c->owners, s) : NULL;
    if (!o)
        return false;
    return c->pid ? o->pid == c->pid : strstr(o->command, c->process) != NULL;
}

/* The traced changes against the frame's sockets, by hashes of their tuples
 * (tuple_index.h): at 5,000 connections a second a frame holds tens of
 * thousands of traced changes and as many sockets, and comparing each with
 * each would stall the dashboard (and let the tracepoint's buffer overflow).
 * Without traced changes there is nothing to match, and nothing is hashed. */
static void merge(struct dash_collector *c)
{
    c->traced.count = 0;
    if (!c->held.count)
        return;
    struct sl_tuple_index sockets, held;
    sl_tuple_index_build(&sockets, c->current.sockets, c->current.count,
                         sizeof *c->current.sockets, offsetof(struct sl_socket, tuple));
    sl_tuple_index_build(&held, c->held.items, c->held.count, sizeof *c->held.items,
                         offsetof(struct sl_change, tuple));
    for (size_t i = 0; i < c->held.count; i++) {
        struct sl_change e = c->held.items[i];
        long hit = e.to == SL_TCP_CLOSE ? sl_tuple_index_find(&sockets, &e.tuple) : -1;
        const struct sl_socket *tw = hit >= 0 ? &c->current.sockets[hit] : NULL;
        if (tw && tw->timer == SL_TIMER_TIMEWAIT) {   /* "-> CLOSE" was really "-> TIME-WAIT" */
            e.to = tw->state;                      /* (or FIN-WAIT-2, for an orphan's record) */
            if (e.to == e.from)
                continue;
        }
        sl_changes_add(&c->traced, &e);
    }
    size_t kept = 0;
    for (size_t i = 0; i < c->polled.count; i++) {
        const struct sl_change *p = &c->polled.items[i];
        if (sl_tuple_index_find(&held, &p->tuple) < 0)     /* the trace told it exactly */
            c->polled.items[kept++] = *p;
    }
    c->polled.count = kept;
    c->held.count = 0;
    sl_tuple_index_free(&sockets);
    sl_tuple_index_free(&held);
}

int dash_collect(struct dash_collector *c)
{
    if (!c->tracker && open_tracker(c) < 0)
        return -ENOMEM;
    struct sl_snapshot next = c->previous;         /* reuse the oldest buffer */
    c->previous = c->current;
    int rc = sl_tracker_refresh(c->tracker, sl_clock_ms(), &next);
    c->current = next;
    if (rc < 0)
        return rc;
    if (c->owners)
        sl_owners_refresh(c->owners, &c->current);
    size_t kept = 0;
    for (size_t i = 0; i < c->current.count; i++)
        if (owner_matches(c, &c->current.sockets[i]))
            c->current.sockets[kept++] = c->current.sockets[i];
    c->current.count = kept;
    if (c->owners && c->owner_room < kept) {
        struct sl_owner *grown = realloc(c->owner_of, kept * sizeof *grown);
        if (!grown)
            return -ENOMEM;
        c->owner_of = grown;
        c->owner_room = kept;
    }
    for (size_t i = 0; c->owners && i < kept; i++) {
        const struct sl_owner *o = sl_owners_find(c->owners, &c->current.sockets[i]);
        c->owner_of[i] = o ? *o : (struct sl_owner){ 0 };
    }
    c->polled.count = 0;
    if (c->frames++ > 0)                           /* the first frame is where we start */
        rc = sl_watch_diff(&c->previous, &c->current, &c->polled);
    merge(c);
    return rc;
}
