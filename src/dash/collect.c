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
    sl_lookup_close(c->lookup);
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

static bool by_process(const struct dash_collector *c)
{
    return c->process[0] || c->pid;
}

static int open_tracker(struct dash_collector *c)
{
    struct sl_tracker_options o = {
        .filter = c->filter, .source = c->source, .want_tcp_info = c->want_tcp_info,
        .discover_every_ms = c->discover_ms, .destroy_events = c->want_events,
        .marked_ends_only = by_process(c),   /* (the tracker knows no processes) */
    };
    c->tracker = sl_tracker_open(&o, c->note, sizeof c->note);
    return c->tracker ? 0 : -ENOMEM;
}

static bool owner_matches(const struct dash_collector *c, const struct sl_socket *s)
{
    if (!by_process(c))
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

/* A socket can leave what the filter shows without ending: under "estab" a
 * connection that closes moves on to FIN-WAIT or TIME-WAIT, under "process
 * NAME" one its program let go lingers ownerless. The diff sees it go; an
 * exact lookup by its cookie (diag_lookup.h) says it is still there, and in
 * what state: the change becomes that move, so the log says "ESTAB ->
 * TIME-WAIT" and the table does not keep it as closed. Only a filter of
 * states or of a process can lose a live socket (ports never change), and
 * only so many ends a frame are asked after (beyond that, the ends stay ends). */
static void moved_out_of_the_filter(struct dash_collector *c)
{
    bool can_lose = c->filter.states != SL_STATES_ALL || by_process(c);
    size_t ends = 0;
    for (size_t i = 0; can_lose && i < c->polled.count; i++)
        ends += c->polled.items[i].kind == SL_GONE;
    if (!ends || ends > SL_TRACKER_LOOKUP_LIMIT || c->source == SL_SOURCE_PROC)
        return;
    if (!c->lookup_tried) {
        c->lookup_tried = true;
        c->lookup = sl_lookup_open();
    }
    struct sl_socket *ask = c->lookup ? calloc(2 * ends, sizeof *ask) : NULL;
    enum sl_lookup_result *result = ask ? calloc(ends, sizeof *result) : NULL;
    size_t *change = result ? calloc(ends, sizeof *change) : NULL;
    size_t n = 0;
    if (change) {
        struct sl_tuple_index before;              /* (out of memory: empty, finds none) */
        sl_tuple_index_build(&before, c->previous.sockets, c->previous.count,
                             sizeof *c->previous.sockets, offsetof(struct sl_socket, tuple));
        for (size_t i = 0; i < c->polled.count; i++) {
            long was = c->polled.items[i].kind == SL_GONE
                       ? sl_tuple_index_find(&before, &c->polled.items[i].tuple) : -1;
            if (was >= 0) {                        /* asked after by its cookie */
                ask[n] = c->previous.sockets[was];
                change[n++] = i;
            }
        }
        sl_tuple_index_free(&before);
    }
    struct sl_socket *fresh = ask ? ask + ends : NULL;
    bool dropped = false;
    if (n && sl_lookup_sockets(c->lookup, ask, n, false, fresh, result) == 0)
        for (size_t k = 0; k < n; k++) {
            struct sl_change *e = &c->polled.items[change[k]];
            if (result[k] != SL_LOOKUP_FOUND)
                continue;                          /* it did end */
            e->kind = SL_CHANGED;                  /* alive, in a state the filter leaves out */
            e->to = fresh[k].state;
            dropped |= e->to == e->from;           /* no move: only its owner let it go */
        }
    size_t kept = 0;
    for (size_t i = 0; i < c->polled.count; i++)
        if (!dropped || c->polled.items[i].kind != SL_CHANGED ||
            c->polled.items[i].from != c->polled.items[i].to)
            c->polled.items[kept++] = c->polled.items[i];
    c->polled.count = kept;
    free(change);
    free(result);
    free(ask);
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
        if (owner_matches(c, &c->current.sockets[i])) {
            if (by_process(c))                     /* its end is the process's too */
                sl_tracker_mark(c->tracker, c->current.sockets[i].cookie);
            c->current.sockets[kept++] = c->current.sockets[i];
        }
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
    moved_out_of_the_filter(c);
    merge(c);
    return rc;
}
