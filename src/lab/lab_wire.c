/* lab_wire.c — the lab's segments: captured, tied to the call that caused
 * them, handed to the presenter, and checked by wire expectations (lab.h).
 *
 * The capture (socklab/capture.h) is opened once the lab runs in a private
 * network (every TCP port there is the lab's) or as root on the machine (the
 * machine's loopback, filtered in the kernel to the ports the lab tracks).
 *
 * Never inside a measured call: the engine reads the capture only in its own
 * functions — in sl_lab_call_start before the call's clock starts, in
 * sl_lab_call_done after it stopped, at observations (and so in every bounded
 * wait), pauses, expectations and step ends. A read takes what the kernel's
 * ring holds (at most WIRE_READ_MAX frames) and never waits; the ring has a
 * fixed size and the kernel drops (and counts) what does not fit rather than
 * slow the sender.
 *
 * A segment captured while a lab_call ran (its kernel timestamp, converted to
 * the monotonic clock, between the call's start and end) is the call's: it
 * is shown under the call's result. One that came later (a retransmitted
 * SYN, a delayed ACK, a zero-window probe) is shown when read, with no call.
 *
 * Bounded per step: the first WIRE_SHOWN segments of a step are shown and
 * the rest counted (said in one line at the step's end); the first WIRE_KEPT
 * are kept for the step's wire expectations, the last WIRE_KEPT_CONTROL of
 * those places for SYNs, FINs and RSTs only. */
#include "lab_internal.h"

#include "socklab/addr.h"
#include "socklab/capture.h"
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/netns.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WIRE_KEPT 512
#define WIRE_KEPT_CONTROL 64
#define WIRE_SHOWN 64
#define WIRE_READ_MAX 4096

struct sl_lab_wire {
    struct sl_capture *capture;
    pid_t owner;                  /* the lab's process: a forked child never reads */
    bool every_port;              /* a private network: every TCP port is the lab's */
    bool ports_full;              /* the machine's loopback: more ports than one filter */
    uint16_t ports[SL_CAPTURE_MAX_PORTS];
    int port_count;
    struct sl_segment kept[WIRE_KEPT];
    int kept_call[WIRE_KEPT];     /* the lab_call each was captured during (its number), 0 */
    int kept_count;
    long unkept, shown, unshown;  /* this step's */
    unsigned long dropped_told;
};

static struct sl_lab_wire *usable(const struct sl_lab *lab)
{
    struct sl_lab_wire *w = lab->wire;
    return w && w->owner == getpid() ? w : NULL;
}

void sl_lab_wire_open(struct sl_lab *lab)
{
    if (!lab->private_net && !sl_netns_root_on_machine()) {
        snprintf(lab->wire_why, sizeof lab->wire_why, "%s", _("no capture: a lab sees its "
                                                              "segments in a network of its "
                                                              "own (--private) or as root"));
        return;
    }
    struct sl_lab_wire *w = calloc(1, sizeof *w);
    char why[300];
    if (!w)
        sl_die("out of memory");
    if (sl_capture_open(&w->capture, "lo", why, sizeof why) != 0) {
        snprintf(lab->wire_why, sizeof lab->wire_why, _("no capture: %s"), why);
        free(w);
        return;
    }
    w->owner = getpid();
    w->every_port = lab->private_net;
    lab->wire = w;
    if (w->every_port)
        sl_capture_ports(w->capture, NULL, -1);
    for (int i = 0; i < lab->port_count; i++)
        sl_lab_wire_track(lab, lab->ports[i]);
}

bool sl_lab_wire(const struct sl_lab *lab)
{
    return usable(lab) != NULL;
}

void sl_lab_wire_track(struct sl_lab *lab, uint16_t port)
{
    struct sl_lab_wire *w = usable(lab);
    if (!w || w->every_port || port == 0)
        return;
    for (int i = 0; i < w->port_count; i++)
        if (w->ports[i] == port)
            return;
    sl_lab_wire_read(lab);                /* what the old filter let through first */
    if (w->port_count < SL_CAPTURE_MAX_PORTS) {
        w->ports[w->port_count++] = port;
        sl_capture_ports(w->capture, w->ports, w->port_count);
    } else {
        /* On the machine's loopback the filter never widens to every port:
         * other users' segments are not the lab's to show. Its later ports
         * go unseen, and a wire claim that misses is inconclusive. */
        w->ports_full = true;
    }
}

static void on_segment(const struct sl_segment *s, void *arg)
{
    struct sl_lab *lab = arg;
    struct sl_lab_wire *w = lab->wire;
    bool during = lab->call_text && s->t_ms >= lab->call_started_ms &&
                  s->t_ms <= lab->call_ended_ms;
    /* The last WIRE_KEPT_CONTROL places are for SYNs, FINs and RSTs: a step
     * that streams data still keeps the segments that open and end it. */
    bool control = s->flags & (SL_TCP_SYN | SL_TCP_FIN | SL_TCP_RST);
    if (w->kept_count < WIRE_KEPT - (control ? 0 : WIRE_KEPT_CONTROL)) {
        w->kept_call[w->kept_count] = during ? lab->calls : 0;
        w->kept[w->kept_count++] = *s;
    } else {
        w->unkept++;
    }
    if (!lab->out->segment)
        return;
    if (w->shown >= WIRE_SHOWN) {
        w->unshown++;
        return;
    }
    w->shown++;
    char src[64], dst[64], flags[12];
    sl_tuple_local(&s->tuple, src, sizeof src);
    sl_tuple_peer(&s->tuple, dst, sizeof dst);
    struct sl_segment_event e = {
        .segment = s,
        .from = s->opener_known ? (s->opener ? "client" : "server") : src,
        .to = s->opener_known ? (s->opener ? "server" : "client") : dst,
        .src = src,
        .dst = dst,
        .flags = sl_segment_flags(s->flags, flags, sizeof flags),
        .call = during ? lab->call_text : NULL,
        .call_line = during ? lab->call_line : 0,
        .t_ms = s->t_ms - lab->started_ms,
    };
    lab->out->segment(lab, &e);
}

void sl_lab_wire_read(struct sl_lab *lab)
{
    struct sl_lab_wire *w = usable(lab);
    if (!w)
        return;
    int saved = errno;
    sl_capture_read(w->capture, WIRE_READ_MAX, on_segment, lab);
    errno = saved;
}

void sl_lab_wire_step_end(struct sl_lab *lab)
{
    struct sl_lab_wire *w = usable(lab);
    if (!w)
        return;
    sl_lab_wire_read(lab);
    if (w->unshown && lab->step > 0)
        sl_lab_show(lab, sl_plural((unsigned long)w->unshown,
                                   "the wire: %ld more segment in this step, not shown (a "
                                   "step shows its first %d)",
                                   "the wire: %ld more segments in this step, not shown (a "
                                   "step shows its first %d)"), w->unshown, WIRE_SHOWN);
    unsigned long dropped, undecoded;
    sl_capture_losses(w->capture, &dropped, &undecoded);
    if (dropped > w->dropped_told && lab->step > 0)
        sl_lab_show(lab, sl_plural(dropped - w->dropped_told,
                                   "the wire: the capture fell behind and the kernel dropped "
                                   "%lu frame (the lab's sockets did not lose it)",
                                   "the wire: the capture fell behind and the kernel dropped "
                                   "%lu frames (the lab's sockets did not lose them)"),
                    dropped - w->dropped_told);
    w->dropped_told = dropped;
    w->kept_count = 0;
    w->unkept = w->shown = w->unshown = 0;
}

void sl_lab_wire_close(struct sl_lab *lab)
{
    struct sl_lab_wire *w = lab->wire;
    if (!w)
        return;
    if (w->owner == getpid())
        sl_capture_close(w->capture);
    free(w);
    lab->wire = NULL;
}

/* A zero-window probe (Linux sends the byte before the window, with no data:
 * seq = snd_una - 1): a bare segment numbered below what its sender has
 * already sent, by one of the step's earlier segments. */
static bool is_probe(const struct sl_lab_wire *w, int i)
{
    const struct sl_segment *s = &w->kept[i];
    if (s->payload || (s->flags & (SL_TCP_SYN | SL_TCP_FIN | SL_TCP_RST)))
        return false;
    for (int j = 0; j < i; j++)
        if (sl_tuple_equal(&w->kept[j].tuple, &s->tuple) &&
            (int32_t)(w->kept[j].rel_seq + w->kept[j].payload - s->rel_seq) > 0)
            return true;
    return false;
}

static bool matches(const struct sl_lab *lab, int i, const struct sl_wire_match *m)
{
    const struct sl_segment *s = &lab->wire->kept[i];
    struct sl_tuple back = m->on ? sl_tuple_other_end(m->on) : s->tuple;
    return (!m->from || sl_tuple_equal(&s->tuple, m->from)) &&
           (!m->on || sl_tuple_equal(&s->tuple, m->on) || sl_tuple_equal(&s->tuple, &back)) &&
           (!m->from_port || s->tuple.local_port == m->from_port) &&
           (s->flags & m->flags) == m->flags && !(s->flags & m->without) &&
           (!m->any || (s->flags & m->any)) &&
           (!m->data || s->payload > 0) && (!m->empty || s->payload == 0) &&
           (!m->zero_window || s->raw_window == 0) &&
           (!m->probe || is_probe(lab->wire, i)) &&
           (!m->in_last_call || lab->wire->kept_call[i] == lab->calls);
}

int sl_lab_wire_count(struct sl_lab *lab, const struct sl_wire_match *m)
{
    struct sl_lab_wire *w = usable(lab);
    if (!w)
        return -1;
    sl_lab_wire_read(lab);
    int n = 0;
    for (int i = 0; i < w->kept_count; i++)
        n += matches(lab, i, m);
    return n;
}

/* How much of the sequence m[0..count) the step's segments hold, in order
 * (for one match: how many segments match it). An entry with after_ms must
 * come that long after the latest match of the entry before it, so while it
 * is awaited a new match of that entry moves the start of the wait. */
static int found(struct sl_lab *lab, const struct sl_wire_match *m, int count)
{
    if (count == 1)
        return sl_lab_wire_count(lab, m);
    sl_lab_wire_read(lab);
    const struct sl_segment *kept = lab->wire->kept;
    int next = 0;
    double previous_ms = 0;
    for (int i = 0; i < lab->wire->kept_count && next < count; i++) {
        if (next > 0 && m[next].after_ms > 0 && matches(lab, i, &m[next - 1])) {
            previous_ms = kept[i].t_ms;
            continue;
        }
        if (matches(lab, i, &m[next]) &&
            (next == 0 || kept[i].t_ms - previous_ms >= m[next].after_ms)) {
            previous_ms = kept[i].t_ms;
            next++;
        }
    }
    return next;
}

bool sl_lab_expect_wire(struct sl_lab *lab, const char *file, int line,
                        const struct sl_wire_match *m, int count, int want, bool exactly,
                        int ms, const char *fmt, ...)
{
    int saved = errno;
    char *claim;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&claim, _(fmt), ap) < 0)    /* the lab's words, translated (lab.c) */
        sl_die("out of memory");
    va_end(ap);
    struct sl_lab_wire *w = usable(lab);
    enum sl_outcome outcome = SL_OUTCOME_SKIPPED;
    const char *why = lab->wire_why[0] ? lab->wire_why : N_("no capture in this process");
    char seen[128];
    if (w) {
        double deadline = sl_clock_ms() + ms;
        int n;
        /* Wait (bounded) until enough segments came, or, for an exact count,
         * out the time a segment in flight needs to arrive (ending early
         * when too many came already). */
        for (;;) {
            n = found(lab, m, count);
            double left = deadline - sl_clock_ms();
            if ((exactly ? n > want : n >= want) || left <= 0)
                break;
            struct pollfd p = { .fd = sl_capture_fd(w->capture), .events = POLLIN };
            poll(&p, 1, left > 50 ? 50 : (int)left + 1);
        }
        why = NULL;
        outcome = (exactly ? n == want : n >= want) ? SL_OUTCOME_HELD : SL_OUTCOME_FAILED;
        unsigned long dropped, undecoded;
        sl_capture_losses(w->capture, &dropped, &undecoded);
        if (outcome == SL_OUTCOME_FAILED && dropped > w->dropped_told) {
            outcome = SL_OUTCOME_INCONCLUSIVE;  /* a busy machine, not the kernel's TCP */
            why = N_("the capture fell behind in this step and the kernel dropped frames");
        } else if (outcome == SL_OUTCOME_FAILED && w->unkept > 0) {
            outcome = SL_OUTCOME_INCONCLUSIVE;
            why = N_("the step had more segments than the wire keeps");
        } else if (outcome == SL_OUTCOME_FAILED && w->ports_full) {
            outcome = SL_OUTCOME_INCONCLUSIVE;
            why = N_("the capture follows only the lab's first ports on the machine's loopback "
                     "(--private follows them all)");
        } else if (outcome == SL_OUTCOME_FAILED) {     /* what the wire said instead */
            if (count == 1)
                snprintf(seen, sizeof seen, _("the step's segments held %d such"), n);
            else
                snprintf(seen, sizeof seen, _("the step's segments held %d of the %d in this "
                                              "order"), n, count);
            why = seen;
        }
    }
    bool held = sl_lab_expect(lab, file, line, outcome, why, "%s", claim);
    free(claim);
    errno = saved;
    return held;
}
