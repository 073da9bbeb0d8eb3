/* diag_tracker.c — dumps to discover, lookups to follow, events to end (see
 * diag_tracker.h).
 *
 * `known` holds the sockets followed, `meta` what the tracker remembers of
 * each (when it was first seen, a listener's last queue), and `by_cookie`
 * an index sorted by cookie, rebuilt when known changes, through which a
 * dump's sockets find their memories and a destroy event its socket.
 * `departed` remembers the last sockets the tables stopped holding before
 * their destroy event came (see diag_tracker.h). */
#include "socklab/diag_tracker.h"

#include "diag_internal.h"
#include "socklab/i18n.h"
#include "socklab/sysctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct meta {
    double first_seen_ms;           /* < 0: never seen alive (a record found by its end) */
    bool seen_born;                 /* first seen opening */
    bool marked;                    /* sl_tracker_mark */
};

struct cookie_index {
    uint64_t cookie;
    size_t at;
};

struct departed {
    struct sl_socket socket;        /* as last seen; cookie 0: the slot is free */
    struct meta meta;
};

struct sl_tracker {
    struct sl_tracker_options o;
    struct sl_lookup *lookup;
    struct sl_destroy *destroy;
    struct sl_snapshot known, dumped, events;
    struct meta *meta, *meta_next;
    size_t meta_room, meta_next_room;
    struct cookie_index *by_cookie;
    size_t index_room;
    bool index_stale;               /* known changed since by_cookie was sorted */
    struct sl_socket *fresh;
    enum sl_lookup_result *result;
    size_t lookup_room;
    double next_discovery_ms;
    bool discover_now, started;
    unsigned ephemeral_low, ephemeral_high;
    struct sl_closed_list *closed;
    struct departed departed[SL_TRACKER_DEPARTED_KEEP];
    size_t departed_next;           /* the slot taken next: the oldest */
    struct sl_tracker_stats stats;
};

static int compare_cookies(const void *a, const void *b)
{
    uint64_t x = ((const struct cookie_index *)a)->cookie;
    uint64_t y = ((const struct cookie_index *)b)->cookie;
    return (x > y) - (x < y);
}

static bool grow(void **array, size_t *room, size_t want, size_t size)
{
    if (*room >= want)
        return true;
    size_t n = want < 64 ? 64 : want * 2;
    void *bigger = realloc(*array, n * size);
    if (!bigger)
        return false;
    *array = bigger;
    *room = n;
    return true;
}

/* by_cookie is sorted when it is next needed (a --once never needs it). */
static int index_known(struct sl_tracker *t)
{
    t->index_stale = true;
    return 0;
}

static int sort_index(struct sl_tracker *t)
{
    t->index_stale = false;
    if (!grow((void **)&t->by_cookie, &t->index_room, t->known.count, sizeof *t->by_cookie))
        return -ENOMEM;
    for (size_t i = 0; i < t->known.count; i++)
        t->by_cookie[i] = (struct cookie_index){ t->known.sockets[i].cookie, i };
    if (t->known.count)
        qsort(t->by_cookie, t->known.count, sizeof *t->by_cookie, compare_cookies);
    return 0;
}

/* The known socket with this cookie, or -1. */
static long find_cookie(struct sl_tracker *t, uint64_t cookie)
{
    if (!cookie || !t->known.count || (t->index_stale && sort_index(t) < 0))
        return -1;
    struct cookie_index key = { cookie, 0 };
    const struct cookie_index *hit = bsearch(&key, t->by_cookie, t->known.count,
                                             sizeof key, compare_cookies);
    return hit ? (long)hit->at : -1;
}

static bool opening(int state)
{
    return state == SL_TCP_SYN_SENT || state == SL_TCP_SYN_RECV || state == SL_TCP_NEW_SYN_RECV;
}

struct sl_tracker *sl_tracker_open(const struct sl_tracker_options *o, char *note,
                                   size_t note_len)
{
    note[0] = '\0';
    struct sl_tracker *t = calloc(1, sizeof *t);
    if (!t || !(t->closed = calloc(1, sizeof *t->closed))) {
        free(t);
        return NULL;
    }
    t->o = *o;
    long range[2] = { 32768, 60999 };              /* the kernel's default */
    sl_sysctl_read("net.ipv4.ip_local_port_range", range, 2);
    t->ephemeral_low = (unsigned)range[0];
    t->ephemeral_high = (unsigned)range[1];
    if (o->source == SL_SOURCE_PROC)
        return t;                                  /* /proc: dumps only, no events */
    if (!(t->lookup = sl_lookup_open()))
        snprintf(note, note_len, _("exact lookups are refused (%s): every refresh is a full "
                   "dump"), strerrorname_np(errno));
    if (o->destroy_events) {
        char why[200];
        t->destroy = sl_destroy_open(&o->filter, why, sizeof why);
        if (!t->destroy && !note[0])
            snprintf(note, note_len, _("%s: no closed connections are kept"), why);
    }
    return t;
}

void sl_tracker_close(struct sl_tracker *t)
{
    if (!t)
        return;
    sl_lookup_close(t->lookup);
    sl_destroy_close(t->destroy);
    sl_snapshot_free(&t->known);
    sl_snapshot_free(&t->dumped);
    sl_snapshot_free(&t->events);
    free(t->meta);
    free(t->meta_next);
    free(t->by_cookie);
    free(t->fresh);
    free(t->result);
    free(t->closed);
    free(t);
}

void sl_tracker_discover_soon(struct sl_tracker *t)
{
    t->discover_now = true;
}

int sl_tracker_event_fd(const struct sl_tracker *t)
{
    return t->destroy ? sl_destroy_fd(t->destroy) : -1;
}

const struct sl_closed_list *sl_tracker_closed(const struct sl_tracker *t)
{
    return t->closed;
}

struct sl_tracker_stats sl_tracker_stats(const struct sl_tracker *t)
{
    struct sl_tracker_stats s = t->stats;
    if (t->destroy) {
        struct sl_destroy_stats d = sl_destroy_stats(t->destroy);
        s.events = d.events;
        s.overruns = d.overruns;
    }
    return s;
}

void sl_tracker_mark(struct sl_tracker *t, uint64_t cookie)
{
    long at = find_cookie(t, cookie);
    if (at >= 0)
        t->meta[at].marked = true;
}

double sl_tracker_first_seen(struct sl_tracker *t, uint64_t cookie)
{
    long at = find_cookie(t, cookie);
    return at >= 0 ? t->meta[at].first_seen_ms : -1;
}

/* A known socket the tables no longer hold: remembered until its destroy
 * event (which only the destroy groups bring), the oldest making room. */
static void depart(struct sl_tracker *t, const struct sl_socket *s, const struct meta *m)
{
    if (!t->destroy)
        return;
    t->departed[t->departed_next] = (struct departed){ *s, *m };
    t->departed_next = (t->departed_next + 1) % SL_TRACKER_DEPARTED_KEEP;
}

static int remember(struct sl_tracker *t, const struct sl_socket *s, double now);

/* A departed socket with this cookie goes back into known, with what was
 * remembered of it, to meet its end there like any other. */
static void return_departed(struct sl_tracker *t, uint64_t cookie)
{
    for (size_t i = 0; cookie && i < SL_TRACKER_DEPARTED_KEEP; i++) {
        struct departed *d = &t->departed[i];
        if (d->socket.cookie != cookie)
            continue;
        if (remember(t, &d->socket, 0) == 0) {      /* (out of memory: its end is unknown) */
            t->meta[t->known.count - 1] = d->meta;
            t->stats.departed_ends++;
        }
        d->socket.cookie = 0;
        return;
    }
}

/* Remove known[i] (the order of known does not matter): a lookup found it gone. */
static void forget(struct sl_tracker *t, size_t i)
{
    depart(t, &t->known.sockets[i], &t->meta[i]);
    size_t last = --t->known.count;
    t->known.sockets[i] = t->known.sockets[last];
    t->meta[i] = t->meta[last];
    t->index_stale = true;
}

static int remember(struct sl_tracker *t, const struct sl_socket *s, double now)
{
    if (!grow((void **)&t->meta, &t->meta_room, t->known.count + 1, sizeof *t->meta))
        return -ENOMEM;
    struct sl_socket *slot = sl_snapshot_add(&t->known);
    if (!slot)
        return -ENOMEM;
    *slot = *s;
    t->meta[t->known.count - 1] = (struct meta){ now, opening(s->state), false };
    t->index_stale = true;
    return 0;
}

/* A full dump: the new known set, each socket keeping what was remembered of it. */
static int discover(struct sl_tracker *t, double now)
{
    /* tcp_info makes the kernel fill 232 bytes more for each connection: asked for
     * while the filter holds few enough sockets to follow by lookups. */
    t->dumped.want_tcp_info = t->o.want_tcp_info && t->known.count <= SL_TRACKER_LOOKUP_LIMIT;
    int rc = sl_snapshot_take_via(t->o.channel, &t->dumped, &t->o.filter, t->o.source);
    if (rc < 0)
        return rc;
    t->stats.dumps++;
    if (!grow((void **)&t->meta_next, &t->meta_next_room, t->dumped.count, sizeof *t->meta) ||
        !grow((void **)&t->meta, &t->meta_room, t->dumped.count, sizeof *t->meta))
        return -ENOMEM;
    for (size_t i = 0; i < t->dumped.count; i++) {
        const struct sl_socket *s = &t->dumped.sockets[i];
        long was = find_cookie(t, s->cookie);
        t->meta_next[i] = was >= 0 ? t->meta[was]
                                   : (struct meta){ now, opening(s->state) && t->started, false };
    }
    struct meta *swap = t->meta;
    t->meta = t->meta_next;
    t->meta_next = swap;
    size_t swap_room = t->meta_room;
    t->meta_room = t->meta_next_room;
    t->meta_next_room = swap_room;
    struct sl_snapshot keep = t->known;
    t->known = t->dumped;
    t->dumped = keep;
    t->index_stale = true;
    /* Those the dump did not find again depart (t->dumped and t->meta_next
     * hold the old set now). Not past the lookup limit: there every refresh
     * dumps, and the ring would only churn. */
    if (t->destroy && t->dumped.count <= SL_TRACKER_LOOKUP_LIMIT)
        for (size_t i = 0; i < t->dumped.count; i++)
            if (find_cookie(t, t->dumped.sockets[i].cookie) < 0)
                depart(t, &t->dumped.sockets[i], &t->meta_next[i]);
    t->next_discovery_ms = t->o.discover_every_ms > 0 ? now + t->o.discover_every_ms : -1;
    t->discover_now = false;
    return index_known(t);
}

static int ensure_lookup_room(struct sl_tracker *t, size_t n)
{
    if (t->lookup_room >= n)
        return 0;
    size_t want = n * 2;
    struct sl_socket *fresh = realloc(t->fresh, want * sizeof *fresh);
    if (fresh)
        t->fresh = fresh;
    enum sl_lookup_result *result = realloc(t->result, want * sizeof *result);
    if (result)
        t->result = result;
    if (!fresh || !result)
        return -ENOMEM;
    t->lookup_room = want;
    return 0;
}

/* Keep only the known sockets not marked gone, in their order. */
static void forget_marked(struct sl_tracker *t, const bool *gone)
{
    size_t kept = 0;
    for (size_t i = 0; i < t->known.count; i++)
        if (!gone[i]) {
            t->known.sockets[kept] = t->known.sockets[i];
            t->meta[kept++] = t->meta[i];
        }
    t->known.count = kept;
    t->index_stale = true;
}

/* Every known socket looked up again; true when a listener's queue grew. */
static int follow(struct sl_tracker *t, bool *queue_grew)
{
    size_t n = t->known.count;
    int rc = ensure_lookup_room(t, n);
    if (rc < 0)
        return rc;
    rc = sl_lookup_sockets(t->lookup, t->known.sockets, n, t->o.want_tcp_info, t->fresh,
                           t->result);
    if (rc < 0)
        return rc;
    t->stats.lookup_rounds++;
    t->stats.lookups += n;
    for (size_t i = n; i-- > 0;) {                 /* from the end: forget() moves the last */
        struct sl_socket *s = &t->known.sockets[i];
        if (t->result[i] == SL_LOOKUP_FOUND) {
            if (s->state == SL_TCP_LISTEN && t->fresh[i].recv_q > s->recv_q)
                *queue_grew = true;
            *s = t->fresh[i];
        } else if (t->result[i] == SL_LOOKUP_GONE) {
            forget(t, i);
        }
    }
    return index_known(t);
}

/* Who opened s: 0 a listener on its local port, 1 it connected to one, -1 unknown.
 * The listeners known say it best; the ephemeral port range otherwise. */
static int opened_actively(const struct sl_tracker *t, const struct sl_tuple *s)
{
    int opener = sl_snapshot_opener(&t->known, s);
    if (opener >= 0)
        return opener;
    bool local = s->local_port >= t->ephemeral_low && s->local_port <= t->ephemeral_high;
    bool peer = s->peer_port >= t->ephemeral_low && s->peer_port <= t->ephemeral_high;
    return local == peer ? -1 : local;
}

/* Whether the end of a socket never seen alive is one the filter takes: one
 * on its ports, or any when it takes every socket. A filter of states alone
 * cannot tell (which states did it pass through?), nor a process's above the
 * tracker (whose was it?): only the ends of the sockets they saw, those known
 * or departed. */
static bool unseen_end_taken(const struct sl_tracker *t, const struct sl_tuple *s)
{
    const struct sl_filter *f = &t->o.filter;
    if (t->o.marked_ends_only)
        return false;
    if (!f->range_count)
        return f->states == SL_STATES_ALL;
    return sl_filter_port_match(f, s->local_port) || sl_filter_port_match(f, s->peer_port);
}

/* The two ends of a loopback connection both end here. When one closed first
 * (a TIME-WAIT record followed it), the other closed second, whatever its own
 * event could not tell (who opened it, when neither port says). */
static void pair_with_other_end(struct sl_tracker *t, struct sl_closed *c)
{
    struct sl_tuple other = sl_tuple_other_end(&c->tuple);
    for (size_t i = 0; i < 64 && sl_closed_get(t->closed, i); i++) {
        struct sl_closed *o = (struct sl_closed *)sl_closed_get(t->closed, i);
        if (o->cookie == c->cookie || !sl_tuple_equal(&o->tuple, &other))
            continue;
        if (o->ending == SL_END_FIN_FIRST && c->ending == SL_END_UNKNOWN)
            c->ending = SL_END_FIN_SECOND;
        else if (c->ending == SL_END_FIN_FIRST && o->ending == SL_END_UNKNOWN)
            o->ending = SL_END_FIN_SECOND;
        return;
    }
}

/* What became of each ended socket: looked up by its cookie (a TIME-WAIT
 * record keeps it), then recorded in the closed list. */
static void end_sockets(struct sl_tracker *t, double now)
{
    /* Only the ends of ours: a socket known (or departed), or one the filter
     * takes that began and ended unseen (the BPF filter also passes every
     * socket that lost its peer, the machine's closing listeners among them). */
    size_t n = 0;
    for (size_t e = 0; e < t->events.count; e++) {
        const struct sl_socket *ev = &t->events.sockets[e];
        if (find_cookie(t, ev->cookie) < 0)
            return_departed(t, ev->cookie);
        if (find_cookie(t, ev->cookie) >= 0 ||
            (ev->tuple.peer_port && unseen_end_taken(t, &ev->tuple)))
            t->events.sockets[n++] = *ev;
    }
    t->events.count = n;
    if (!n || ensure_lookup_room(t, n) < 0)
        return;
    long *at = calloc(n, sizeof *at);
    if (!at)
        return;
    for (size_t e = 0; e < n; e++) {
        struct sl_socket *ev = &t->events.sockets[e];
        at[e] = find_cookie(t, ev->cookie);
        /* The key to look up. A socket whose cookie was made only for its own
         * event (never dumped) left a TIME-WAIT record with a cookie of its own:
         * look that one up by its tuple alone, and take only a record on it. */
        t->fresh[e] = at[e] >= 0 ? t->known.sockets[at[e]] : *ev;
        t->fresh[e].cookie = at[e] >= 0 ? ev->cookie : 0;
    }
    /* Following more than SL_TRACKER_LOOKUP_LIMIT, every refresh dumps anyway
     * and shows the TIME-WAIT records: no lookup per end (a busy machine ends
     * thousands of connections a second). */
    bool looked = t->lookup && t->known.count <= SL_TRACKER_LOOKUP_LIMIT &&
                  sl_lookup_sockets(t->lookup, t->fresh, n, false, t->fresh, t->result) == 0;
    if (looked)
        t->stats.end_lookups += n;
    for (size_t e = 0; e < n; e++) {
        const struct sl_socket *ev = &t->events.sockets[e];
        bool known = at[e] >= 0;
        bool time_wait = looked && t->result[e] == SL_LOOKUP_FOUND &&
                         t->fresh[e].timer == SL_TIMER_TIMEWAIT &&
                         sl_tuple_equal(&t->fresh[e].tuple, known ? &t->known.sockets[at[e]].tuple
                                                                  : &ev->tuple);
        const struct sl_socket *alive = known ? &t->known.sockets[at[e]] : NULL;
        struct sl_end_context ctx = {
            .last_state = alive ? alive->state : 0,
            .opened_actively = opened_actively(t, alive ? &alive->tuple : &ev->tuple),
            .time_wait_followed = time_wait,
        };
        struct sl_closed c = {
            .tuple = alive ? alive->tuple : ev->tuple, .cookie = ev->cookie,
            .seen_alive = known && t->meta[at[e]].first_seen_ms >= 0,
            .first_seen_ms = known ? t->meta[at[e]].first_seen_ms : 0,
            .seen_born = known && t->meta[at[e]].seen_born, .ended_ms = now,
            .last_state = ctx.last_state, .ending = sl_ending_of(ev, &ctx), .info = ev->info,
        };
        pair_with_other_end(t, &c);
        if (!t->o.marked_ends_only || (known && t->meta[at[e]].marked))
            sl_closed_add(t->closed, &c);       /* (followed all the same: a record, or gone) */
        if (known && time_wait) {
            t->known.sockets[at[e]] = t->fresh[e]; /* the connection goes on as a record */
        } else if (!known && time_wait && find_cookie(t, t->fresh[e].cookie) < 0 &&
                   !remember(t, &t->fresh[e], now)) {     /* (a record a dump found is known) */
            t->meta[t->known.count - 1].first_seen_ms = -1;  /* its life was not seen */
        }
    }
    /* Those known and not found again are gone. */
    bool *gone = calloc(t->known.count + 1, sizeof *gone);
    for (size_t e = 0; gone && e < n; e++)
        if (at[e] >= 0 && looked && t->result[e] == SL_LOOKUP_GONE)
            gone[at[e]] = true;
    if (gone)
        forget_marked(t, gone);
    free(gone);
    free(at);
    t->events.count = 0;
    index_known(t);
}

void sl_tracker_read_events(struct sl_tracker *t, double now_ms)
{
    if (!t->destroy)
        return;
    if (sl_destroy_read(t->destroy, &t->events) == -ENOBUFS)
        t->discover_now = true;                    /* some ends were lost: look again */
    end_sockets(t, now_ms);
}

int sl_tracker_refresh(struct sl_tracker *t, double now, struct sl_snapshot *out)
{
    t->stats.refreshes++;
    sl_tracker_read_events(t, now);
    bool dump = !t->started || t->discover_now || !t->lookup ||
                t->known.count > SL_TRACKER_LOOKUP_LIMIT ||
                (t->next_discovery_ms >= 0 && now >= t->next_discovery_ms);
    int rc;
    if (dump) {
        rc = discover(t, now);
    } else {
        bool queue_grew = false;
        rc = follow(t, &queue_grew);
        if (rc == 0 && queue_grew)
            rc = discover(t, now);                 /* connections arrived: find them now */
    }
    if (rc < 0)
        return rc;
    t->started = true;
    out->count = 0;
    out->source = t->o.source == SL_SOURCE_AUTO ? t->known.source : t->o.source;
    out->taken_ms = now;
    for (size_t i = 0; i < t->known.count; i++) {
        if (!sl_filter_match(&t->o.filter, &t->known.sockets[i]))
            continue;
        struct sl_socket *s = sl_snapshot_add(out);
        if (!s)
            return -ENOMEM;
        *s = t->known.sockets[i];
    }
    return 0;
}
