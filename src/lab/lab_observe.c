/* lab_observe.c — what the kernel says about the lab's own sockets: a snapshot
 * of the watched ports, shown, kept, and searched (see lab.h). */
#include "lab_internal.h"

#include "socklab/clock.h"
#include "socklab/tcpstate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sl_lab_observe_end(struct sl_lab *lab)
{
    sl_tracker_close(lab->tracker);
    lab->tracker = NULL;
}

/* A tracker for the lab's ports as they are now, in this process. */
static bool tracker_ready(struct sl_lab *lab)
{
    if (lab->tracker && lab->tracked_count == lab->port_count && lab->tracker_owner == getpid() &&
        !memcmp(lab->tracked_ports, lab->ports, (size_t)lab->port_count * sizeof lab->ports[0]))
        return true;
    sl_lab_observe_end(lab);                   /* other ports, or a child's copy */
    /* A second between discoveries at most, for the --tui presenter's live view
     * (which only follows); every look of the lab's own discovers at once. */
    struct sl_tracker_options o = { .source = SL_SOURCE_AUTO, .want_tcp_info = true,
                                    .discover_every_ms = 1000, .channel = lab->diag };
    sl_filter_init(&o.filter);
    for (int i = 0; i < lab->port_count; i++)
        sl_filter_add_range(&o.filter, lab->ports[i], lab->ports[i]);
    if (lab->port_count == 0)
        sl_filter_add_range(&o.filter, 0, 0);  /* nothing watched: show nothing */
    char note[256];
    lab->tracker = sl_tracker_open(&o, note, sizeof note);
    memcpy(lab->tracked_ports, lab->ports, (size_t)lab->port_count * sizeof lab->ports[0]);
    lab->tracked_count = lab->port_count;
    lab->tracker_owner = getpid();
    return lab->tracker != NULL;
}

bool sl_lab_take(struct sl_lab *lab, bool discover, struct sl_snapshot *out)
{
    if (!tracker_ready(lab))
        return false;
    if (discover)
        sl_tracker_discover_soon(lab->tracker);
    int rc = sl_tracker_refresh(lab->tracker, sl_clock_ms(), out);
    if (rc < 0)
        errno = -rc;                          /* for a presenter that says why */
    return rc == 0;
}

/* Quietly refresh lab->observed; false when no source could be read. A lab
 * makes its sockets between two looks, so a look discovers, unless it waits
 * for a socket it knows already: then lookups follow it. */
static bool take(struct sl_lab *lab, bool discover)
{
    sl_lab_wire_read(lab);                /* segments as they come, in every wait */
    return sl_lab_take(lab, discover, &lab->observed);
}

void sl_lab_observe(struct sl_lab *lab)
{
    int saved = errno;
    sl_lab_flush_source(lab);
    if (take(lab, true))
        lab->out->observe(lab, &lab->observed);
    errno = saved;
}

const struct sl_socket *sl_lab_socket(const struct sl_lab *lab, const struct sl_tuple *tuple)
{
    return sl_snapshot_find(&lab->observed, tuple);
}

int sl_lab_state(const struct sl_lab *lab, const struct sl_tuple *tuple)
{
    const struct sl_socket *s = sl_lab_socket(lab, tuple);
    return s ? s->state : 0;
}

/* A count over at most this many sockets shows them; more are one line. */
#define SHOWN_WHOLE 8

/* Waits longer than this show a countdown on a terminal (and take q). */
#define COUNTDOWN_AFTER_MS 3000

/* How long, in ms since boot, tasks waited for a CPU: the time during which
 * at least one task on the machine was runnable and not running (PSI's cpu
 * "some" total), else the time this process did (its schedstat run delay);
 * -1 when the kernel tells neither (CONFIG_PSI off or psi=0, and no
 * CONFIG_SCHED_INFO). */
static double cpu_wait_ms(void)
{
    unsigned long long us, ns;
    FILE *f = fopen("/proc/pressure/cpu", "re");
    int got = f ? fscanf(f, "some avg10=%*f avg60=%*f avg300=%*f total=%llu", &us) : 0;
    if (f)
        fclose(f);
    if (got == 1)
        return (double)us / 1e3;
    f = fopen("/proc/self/schedstat", "re");
    got = f ? fscanf(f, "%*u %llu", &ns) : 0;
    if (f)
        fclose(f);
    return got == 1 ? (double)ns / 1e6 : -1;
}

/* A wait whose time ran out is busy when tasks waited for a CPU for at least
 * this share of it: then the state it waits for may be late for want of a
 * CPU (the process that would cause it not run), not because the kernel
 * disagrees. On an idle machine the share is near 0. */
#define BUSY_SHARE 0.1

/* How much longer a busy wait goes on, at most, each time (SL_LAB_ATTEMPTS
 * times in all): a 1 s wait then ends after 3 s at most, a 60 s wait after
 * 64 s. */
#define BUSY_MORE_MS 2000

/* Observe until done(lab, arg) or the deadline; true when done. A long wait
 * tells the presenter how long is left, about once a second. A wait that
 * ran out on a busy machine is taken again (sl_lab_again), and one that
 * ran out busy every time leaves lab->wait_busy set: the next claim that
 * fails is inconclusive (lab.c), since the machine, not the kernel, may
 * have kept the state away. */
static bool observe_until(struct sl_lab *lab, bool (*done)(struct sl_lab *, void *), void *arg,
                          const struct sl_tuple *follow,
                          int timeout_ms, const char *what, bool show)
{
    double start = sl_clock_ms(), deadline = start + timeout_ms, told = start;
    double window = start, waited = cpu_wait_ms();
    bool counting = timeout_ms > COUNTDOWN_AFTER_MS && !lab->opt.auto_mode;
    bool there = false;
    int attempt = 0;
    /* A count looks for new sockets every time; a wait for one socket only
     * until it is known, then follows it by lookups. */
    for (bool discover = true;
         take(lab, discover);
         discover = !follow || !sl_snapshot_find(&lab->observed, follow)) {
        there = done(lab, arg);
        double now = sl_clock_ms();
        if (!there && now >= deadline && timeout_ms > 0) {   /* 0: one look, no wait */
            double waited_now = cpu_wait_ms();
            bool busy = waited >= 0 && waited_now - waited >= BUSY_SHARE * (now - window);
            if (busy && sl_lab_again(lab, &attempt, "tasks waited for a CPU for %.0f ms of the "
                                                    "%.0f ms this wait lasted",
                                     waited_now - waited, now - window)) {
                window = now;
                waited = waited_now;
                deadline = now + (timeout_ms < BUSY_MORE_MS ? timeout_ms : BUSY_MORE_MS);
                continue;
            }
            lab->wait_busy |= busy;
        }
        if (there || now >= deadline)
            break;
        if (counting && now - told >= 1000) {
            told = now;
            if (!lab->out->waiting(lab, what, (int)(deadline - now)))
                sl_lab_stop(lab, true, sl_lab_status(lab));
        }
        sl_sleep_ms(timeout_ms > COUNTDOWN_AFTER_MS ? 20 : 2);
    }
    if (counting)
        lab->out->waiting(lab, what, 0);
    if (show)
        lab->out->observe(lab, &lab->observed);
    return there;
}

struct state_wanted {
    const struct sl_tuple *tuple;
    int state;
};

static bool in_state(struct sl_lab *lab, void *arg)
{
    const struct state_wanted *w = arg;
    return sl_lab_state(lab, w->tuple) == w->state;
}

bool sl_lab_wait_state(struct sl_lab *lab, const struct sl_tuple *tuple, int state,
                       int timeout_ms)
{
    int saved = errno;
    sl_lab_flush_source(lab);
    struct state_wanted w = { tuple, state };
    char what[128];
    if (state)
        snprintf(what, sizeof what, _("waiting for %s"), sl_state_name(state));
    else
        snprintf(what, sizeof what, "%s", _("waiting for the socket to go"));
    bool there = observe_until(lab, in_state, &w, tuple, timeout_ms, what, true);
    errno = saved;
    return there;
}

struct count_wanted {
    int (*count_of)(const struct sl_snapshot *, void *);
    void *arg;
    int want, last;
};

static bool counted(struct sl_lab *lab, void *arg)
{
    struct count_wanted *w = arg;
    w->last = w->count_of(&lab->observed, w->arg);
    return w->last >= w->want;
}

int sl_lab_wait_count(struct sl_lab *lab, int (*count_of)(const struct sl_snapshot *, void *),
                      void *arg, int want, int timeout_ms)
{
    int saved = errno;
    sl_lab_flush_source(lab);
    struct count_wanted w = { count_of, arg, want, 0 };
    double start = sl_clock_ms();
    bool there = observe_until(lab, counted, &w, NULL, timeout_ms, _("counting"), false);
    if (lab->observed.count <= SHOWN_WHOLE)       /* a few sockets: the table */
        lab->out->observe(lab, &lab->observed);
    else if (there)                               /* many: one line, not a screenful */
        sl_lab_show(lab, "counted %d after %.0f ms (waiting for %d; %zu sockets on the "
                         "lab's ports)", w.last, sl_clock_ms() - start, want,
                    lab->observed.count);
    else
        sl_lab_show(lab, "counted %d when the wait ended at %.0f ms (waiting for %d; %zu "
                         "sockets on the lab's ports)", w.last, sl_clock_ms() - start, want,
                    lab->observed.count);
    errno = saved;
    return w.last;
}

/* Where the pause first names a state (its ss or netstat name), as a rank:
 * named states first, in the order named; then LISTEN, then the others in
 * the kernel's order. qsort has no context argument: the ranks are worked
 * out before it runs and kept beside the sockets. */
static int state_rank(int state, const char *look)
{
    const char *names[2] = { sl_state_name(state), sl_state_netstat_name(state) };
    const char *first = NULL;
    for (int i = 0; i < 2 && look; i++) {
        size_t len = strlen(names[i]);
        for (const char *p = strstr(look, names[i]); p; p = strstr(p + 1, names[i])) {
            bool whole = (p == look || !(p[-1] == '-' || p[-1] == '_' ||
                                        (p[-1] >= 'A' && p[-1] <= 'Z'))) &&
                         !(p[len] == '-' || p[len] == '_' || (p[len] >= 'A' && p[len] <= 'Z') ||
                           (p[len] >= '0' && p[len] <= '9'));
            if (whole) {
                if (!first || p < first)
                    first = p;
                break;
            }
        }
    }
    if (first)
        return (int)(first - look);
    return 100000 + (state == SL_TCP_LISTEN ? 0 : 1 + state);
}

struct ranked {
    int rank;
    struct sl_socket socket;
};

static int by_rank_then_port(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->socket.tuple.local_port != y->socket.tuple.local_port)
        return x->socket.tuple.local_port < y->socket.tuple.local_port ? -1 : 1;
    if (x->socket.tuple.peer_port != y->socket.tuple.peer_port)
        return x->socket.tuple.peer_port < y->socket.tuple.peer_port ? -1 : 1;
    return sl_tuple_compare(&x->socket.tuple, &y->socket.tuple);
}

void sl_lab_sort_sockets(struct sl_snapshot *snap, const char *look)
{
    if (snap->count < 2)
        return;
    struct ranked *r = malloc(snap->count * sizeof *r);
    if (!r)
        return;                           /* unsorted, but shown */
    for (size_t i = 0; i < snap->count; i++)
        r[i] = (struct ranked){ state_rank(snap->sockets[i].state, look), snap->sockets[i] };
    qsort(r, snap->count, sizeof *r, by_rank_then_port);
    for (size_t i = 0; i < snap->count; i++)
        snap->sockets[i] = r[i].socket;
    free(r);
}
