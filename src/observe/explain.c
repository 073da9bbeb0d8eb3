/* explain.c — a socket's cells in words (see explain.h). Each part is one
 * function; the asked-for cell's part goes first, the rest in table order. */
#include "socklab/explain.h"

#include "socklab/addr.h"
#include "socklab/i18n.h"
#include "socklab/sysctl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void part(struct sl_explanation *out, const char *heading, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A part: its heading, the name of the table's column it explains (as the
 * table writes it, in every language), and its text in the user's language
 * (the format is translated before it is formatted: xgettext knows part). */
static void part(struct sl_explanation *out, const char *heading, const char *fmt, ...)
{
    if (out->count >= SL_EXPLAIN_PARTS)
        return;
    snprintf(out->heading[out->count], sizeof out->heading[0], "%s", heading);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->text[out->count], sizeof out->text[0], _(fmt), ap);
    va_end(ap);
    out->count++;
}

const char *sl_explain_cell_name(enum sl_explain_cell cell)
{
    static const char *const names[SL_CELL_COUNT] = {
        "state", "recv-q", "send-q", "local", "peer", "timer", "owner",
        "rtt", "cwnd", "retrans", "windows", "bytes",
    };
    return cell < SL_CELL_COUNT ? names[cell] : "?";
}

const char *sl_explain_lab(const struct sl_socket *s)
{
    if (s->state != SL_TCP_LISTEN && (s->timer == SL_TIMER_PERSIST || s->send_q > 0))
        return "10 partial-writes";
    switch (s->state) {
    case SL_TCP_LISTEN: return s->recv_q ? "07 listen-backlog" : "02 handshake";
    case SL_TCP_SYN_SENT: case SL_TCP_SYN_RECV: case SL_TCP_NEW_SYN_RECV:
    case SL_TCP_ESTABLISHED: return "02 handshake";
    case SL_TCP_CLOSE_WAIT: return "08 close-wait-leak";
    case SL_TCP_FIN_WAIT1: case SL_TCP_FIN_WAIT2: case SL_TCP_CLOSING: case SL_TCP_TIME_WAIT:
    case SL_TCP_LAST_ACK: return "06 time-wait";
    default: return NULL;
    }
}

/* "TCP: snd ACK", or that it sends nothing (the figure's "x"). */
static const char *answer(const struct sl_transition *t, char *buf, size_t len)
{
    if (!strcmp(t->action, "x"))
        return _("TCP sends nothing");
    snprintf(buf, len, "TCP: %s", t->action);
    return buf;
}

static void explain_state(const struct sl_socket *s, const struct sl_explain_context *c,
                          struct sl_explanation *out)
{
    char said[96];
    char how[320] = "";
    const struct sl_transition *t = c->from_state ? sl_transition_find(c->from_state, s->state)
                                                  : NULL;
    if (c->from_state && t && c->traced)
        snprintf(how, sizeof how, _(" It was traced coming from %s on %s (%s)."),
                 sl_state_name(c->from_state), t->event, answer(t, said, sizeof said));
    else if (c->from_state && t)
        snprintf(how, sizeof how, _(" It was seen coming from %s on %s (%s)."),
                 sl_state_name(c->from_state), t->event, answer(t, said, sizeof said));
    else if (c->from_state)
        snprintf(how, sizeof how, _(" It was seen in %s before (the states between went by "
                                    "faster than a refresh)."), sl_state_name(c->from_state));
    else {
        size_t n;
        const struct sl_transition *all = sl_transitions(&n);
        int skip_from = s->state != SL_TCP_ESTABLISHED ? 0               /* the ways into ESTAB */
                      : c->opened_actively == 0 ? SL_TCP_SYN_SENT        /* depend on who */
                      : c->opened_actively == 1 ? SL_TCP_SYN_RECV : 0;   /* opened it */
        for (size_t i = 0; i < n; i++)
            if (all[i].to == s->state && all[i].from != skip_from) {   /* the first way in */
                snprintf(how, sizeof how, _(" Most likely it came from %s on %s (%s)."),
                         sl_state_rfc_name(all[i].from), all[i].event,
                         answer(&all[i], said, sizeof said));
                break;
            }
    }
    if (s->timer == SL_TIMER_TIMEWAIT && s->state == SL_TCP_FIN_WAIT2)
        snprintf(how, sizeof how, "%s",
                 _(" Its program has closed it: the kernel keeps this "
                   "FIN-WAIT-2 as a record until the peer's FIN comes "
                   "or net.ipv4.tcp_fin_timeout passes."));
    /* TRANSLATORS: a state, what it means, then how it got there (a sentence of its own) */
    part(out, "state", "%s: %s.%s", sl_state_name(s->state), sl_state_meaning(s->state),
         how);
}

static void explain_queues(const struct sl_socket *s, struct sl_explanation *out, bool recv)
{
    if (s->state == SL_TCP_LISTEN) {
        long somaxconn = sl_sysctl_long("net.core.somaxconn", -1);
        part(out, recv ? "recv-q" : "send-q", "For a listener the queues mean something else. "
             "Recv-Q %u is its accept queue: connections that finished the handshake and "
             "wait for the program to call accept(). Send-Q %u is the backlog, how many the "
             "queue may hold (listen()'s argument, capped by net.core.somaxconn = %ld). When "
             "it is full, the kernel drops new handshakes' last ACK and the clients wait.",
             s->recv_q, s->send_q, somaxconn);
    } else if (s->timer == SL_TIMER_TIMEWAIT || s->state == SL_TCP_TIME_WAIT) {
        part(out, recv ? "recv-q" : "send-q", "A TIME-WAIT record keeps no data: both queues "
             "are 0. It holds only the 4-tuple and its timer.");
    } else if (recv) {
        if (s->state == SL_TCP_CLOSE_WAIT)
            part(out, "recv-q", "Recv-Q %u: bytes that arrived and that the program has not "
                 "read yet; a recv() now returns them at once. After them comes the peer's "
                 "FIN: recv() then returns 0 (end of file).", s->recv_q);
        else
            part(out, "recv-q", "Recv-Q %u: bytes that arrived and that the program has not "
                 "read yet; a recv() now returns them at once.", s->recv_q);
    } else if (s->timer == SL_TIMER_PERSIST) {
        part(out, "send-q", "Send-Q %u: bytes the program has sent that the peer has not "
             "acknowledged yet (%u segments in flight). send() returned long ago: it only "
             "copies into this queue. The peer's window is zero, so they wait.", s->send_q,
             s->info.unacked);
    } else {
        part(out, "send-q", "Send-Q %u: bytes the program has sent that the peer has not "
             "acknowledged yet (%u segments in flight). send() returned long ago: it only "
             "copies into this queue.", s->send_q, s->info.unacked);
    }
}

static void explain_addresses(const struct sl_socket *s, struct sl_explanation *out, bool local)
{
    char text[SL_ADDR_STRLEN];
    if (local && s->state == SL_TCP_LISTEN)
        part(out, "local", "Local %s: the address and port this socket is bound to; "
             "connections to it come to this listener.",
             sl_tuple_local(&s->tuple, text, sizeof text));
    else if (local)
        part(out, "local", "Local %s: the address and port this socket is bound to; a "
             "client's port is chosen by the kernel from net.ipv4.ip_local_port_range.",
             sl_tuple_local(&s->tuple, text, sizeof text));
    else if (s->tuple.peer_port)
        part(out, "peer", "Peer %s: the other end of the connection; the four numbers (both "
             "addresses, both ports) name it.", sl_tuple_peer(&s->tuple, text, sizeof text));
    else
        part(out, "peer", "Peer %s: no peer: a listener answers any address and port.",
             sl_tuple_peer(&s->tuple, text, sizeof text));
}

static void explain_timer(const struct sl_socket *s, struct sl_explanation *out)
{
    switch (s->timer) {
    case SL_TIMER_ON:
        part(out, "timer", "The retransmission timer fires in %u ms (RTO %u ms): if no ACK "
             "comes by then, TCP sends the oldest unacknowledged segment again and doubles "
             "the timeout. It has backed off %u times; after net.ipv4.tcp_retries2 "
             "(%ld) it gives the connection up.%s", s->timer_ms, s->info.rto_us / 1000,
             s->retransmits, sl_sysctl_long("net.ipv4.tcp_retries2", 15),
             s->state == SL_TCP_SYN_SENT ? _(" In SYN-SENT it is the SYN that is sent again "
                                             "(net.ipv4.tcp_syn_retries).") : "");
        break;
    case SL_TIMER_KEEPALIVE:
        part(out, "timer", "The keepalive timer: in %u s TCP probes an idle connection to "
             "learn whether the peer is still there (SO_KEEPALIVE; "
             "net.ipv4.tcp_keepalive_time).", s->timer_ms / 1000);
        break;
    case SL_TIMER_TIMEWAIT:
        part(out, "timer", "The record goes in %u.%u s. Linux keeps TIME-WAIT 60 s (the "
             "RFC says 2 MSL), so that a late segment of this connection cannot be taken "
             "for one of a new connection on the same four numbers.", s->timer_ms / 1000,
             s->timer_ms % 1000 / 100);
        break;
    case SL_TIMER_PERSIST:
        part(out, "timer", "The persist timer: the peer advertised a zero window, so in %u "
             "ms TCP sends a zero-window probe to learn when it may send again (%u probes "
             "so far).", s->timer_ms, s->info.probes);
        break;
    default:
        part(out, "timer", "No timer runs: nothing is waiting to be acknowledged, and the "
             "socket waits for its program or its peer.");
    }
}

static void explain_owner(const struct sl_socket *s, const struct sl_explain_context *c,
                          struct sl_explanation *out)
{
    if (c->owner && c->owner->pid)
        part(out, "owner", "Process %d (%s) holds it: the socket is one of the files in "
             "/proc/%d/fd (inode %llu).", c->owner->pid, c->owner->command, c->owner->pid,
             (unsigned long long)s->inode);
    else if (!s->inode)
        part(out, "owner", "No process holds it: its program has closed it, and the kernel "
             "alone keeps it until it is done (a TIME-WAIT record, an orphan, a handshake "
             "not yet accepted).");
    else if (c->owners_looked_up)
        part(out, "owner", "No process we can see holds inode %llu: it belongs to another "
             "user's process (or one in another PID namespace), whose /proc/PID/fd is closed "
             "to us.", (unsigned long long)s->inode);
}

static void explain_info(const struct sl_socket *s, enum sl_explain_cell cell,
                         struct sl_explanation *out)
{
    const struct sl_tcp_info *i = &s->info;
    if (!s->has_info)
        return;
    if (cell == SL_CELL_RTT)
        part(out, "rtt", "RTT %.3f ms (varies by %.3f ms): how long a segment takes to be "
             "acknowledged, smoothed; the retransmission timeout is built from them (RTO "
             "%u ms, at least 200 ms on Linux).", i->rtt_us / 1000.0, i->rttvar_us / 1000.0,
             i->rto_us / 1000);
    else if (cell == SL_CELL_CWND)
        part(out, "cwnd", "cwnd %u: how many segments TCP may have unacknowledged before it "
             "waits (the congestion window); it grows as ACKs come and shrinks on loss. "
             "ssthresh %u is where slow start (doubling) gives way to slow growth.",
             i->snd_cwnd, i->snd_ssthresh);
    else if (cell == SL_CELL_RETRANS)
        part(out, "retrans", "%u segments sent again in all, %u unacknowledged now (%u of "
             "them retransmitted and still out). On loopback nothing is lost: "
             "retransmissions mean the peer did not answer.", i->total_retrans, i->unacked,
             i->retrans);
    else if (cell == SL_CELL_WINDOWS)
        part(out, "windows", "The peer lets us send %u bytes beyond what it acknowledged "
             "(its advertised window); we let it send %u to us (ours). A zero window "
             "stops the sender until the reader reads.", i->snd_wnd, i->rcv_wnd);
    else if (cell == SL_CELL_BYTES)
        part(out, "bytes", "%llu bytes acknowledged by the peer, %llu received from it "
             "(each count also holds the FIN, and the client's the SYN); delivered at "
             "%llu bytes/s lately.", (unsigned long long)i->bytes_acked,
             (unsigned long long)i->bytes_received, (unsigned long long)i->delivery_rate);
}

static void explain_cell(const struct sl_socket *s, const struct sl_explain_context *c,
                         enum sl_explain_cell cell, struct sl_explanation *out)
{
    switch (cell) {
    case SL_CELL_STATE: explain_state(s, c, out); break;
    case SL_CELL_RECV_Q: explain_queues(s, out, true); break;
    case SL_CELL_SEND_Q: explain_queues(s, out, false); break;
    case SL_CELL_LOCAL: explain_addresses(s, out, true); break;
    case SL_CELL_PEER: explain_addresses(s, out, false); break;
    case SL_CELL_TIMER: explain_timer(s, out); break;
    case SL_CELL_OWNER: explain_owner(s, c, out); break;
    default: explain_info(s, cell, out); break;
    }
}

void sl_explain(const struct sl_socket *s, const struct sl_explain_context *c,
                enum sl_explain_cell cell, struct sl_explanation *out)
{
    out->count = 0;
    explain_cell(s, c, cell < SL_CELL_COUNT ? cell : SL_CELL_STATE, out);
    static const enum sl_explain_cell rest[] = { SL_CELL_STATE, SL_CELL_RECV_Q, SL_CELL_SEND_Q,
                                                 SL_CELL_TIMER, SL_CELL_OWNER };
    bool listener = s->state == SL_TCP_LISTEN;     /* its two queues have one paragraph */
    for (size_t k = 0; k < sizeof rest / sizeof rest[0]; k++) {
        bool queue = rest[k] == SL_CELL_RECV_Q || rest[k] == SL_CELL_SEND_Q;
        bool said = rest[k] == cell || (listener && queue &&
                                        (cell == SL_CELL_RECV_Q || cell == SL_CELL_SEND_Q ||
                                         rest[k] == SL_CELL_SEND_Q));
        if (!said)
            explain_cell(s, c, rest[k], out);
    }
    const char *lab = sl_explain_lab(s);
    if (lab)
        part(out, "lab", "Lab %s shows this on a socket of its own: socklab run %.2s.", lab,
             lab);
}
