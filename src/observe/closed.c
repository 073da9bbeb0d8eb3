/* closed.c — ended connections and how they ended (see closed.h).
 *
 * The final tcp_info tells what the wire did. bytes_acked counts every
 * sequence number the peer acknowledged: the data, our FIN, and, for the end
 * that called connect(), its SYN (the passive end's SYN-ACK is acknowledged
 * before the counter starts). So the acknowledged sequence numbers beyond
 * the data sent say whether our FIN got through:
 *     beyond = bytes_acked - (bytes_sent - bytes_retrans) - (opened actively ? 1 : 0)
 * is 1 when it did and 0 when it did not (measured on 6.18: a client that
 * sent 5 bytes and closed first ends with bytes_acked 7, its peer with 1).
 * A socket that reset its own connection is disconnected before it is freed:
 * its counters and its peer are cleared, and the event says peer port 0. */
#include "socklab/closed.h"
#include "socklab/i18n.h"

#include <netinet/in.h>
#include <string.h>

static bool all_zero(const uint8_t *addr, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (addr[i])
            return false;
    return true;
}

static bool closing_first(int state)
{
    return state == SL_TCP_FIN_WAIT1 || state == SL_TCP_FIN_WAIT2 ||
           state == SL_TCP_CLOSING || state == SL_TCP_TIME_WAIT;
}

enum sl_ending sl_ending_of(const struct sl_socket *e, const struct sl_end_context *c)
{
    const struct sl_tcp_info *i = &e->info;
    size_t addr_len = e->tuple.family == AF_INET6 ? 16 : 4;
    if (c->last_state == SL_TCP_LISTEN ||
        (e->tuple.peer_port == 0 && all_zero(e->tuple.peer, addr_len) && !c->last_state))
        return SL_END_LISTENER;
    if (e->tuple.peer_port == 0)                   /* disconnected by its own side */
        return c->last_state == 0 || c->last_state == SL_TCP_SYN_SENT ? SL_END_CONNECT_FAILED
                                                                      : SL_END_RESET_SENT;
    if (c->last_state == SL_TCP_SYN_SENT)
        return SL_END_CONNECT_FAILED;
    if (c->time_wait_followed || closing_first(c->last_state))
        return SL_END_FIN_FIRST;
    if (i->present && (i->retransmits > 0 || i->probes > 0) && i->unacked > 0)
        return SL_END_TIMED_OUT;
    if (c->last_state == SL_TCP_LAST_ACK)
        return SL_END_FIN_SECOND;
    if ((i->present & SL_INFO_BYTES) && (i->present & SL_INFO_BYTES_SENT) &&
        c->opened_actively >= 0) {
        uint64_t data = i->bytes_sent - i->bytes_retrans;
        bool fin_acked = i->bytes_acked >= data + (uint64_t)c->opened_actively + 1;
        return fin_acked ? SL_END_FIN_SECOND : SL_END_RESET_RECEIVED;
    }
    return SL_END_UNKNOWN;
}

const char *sl_ending_name(enum sl_ending e)
{
    static const char *const names[SL_END_KINDS] = {
        [SL_END_UNKNOWN] = N_("unknown"),
        [SL_END_FIN_FIRST] = N_("FIN, closed first"),
        [SL_END_FIN_SECOND] = N_("FIN, closed second"),
        [SL_END_RESET_SENT] = N_("RST sent"),
        [SL_END_RESET_RECEIVED] = N_("RST received"),
        [SL_END_CONNECT_FAILED] = N_("connect failed"),
        [SL_END_TIMED_OUT] = N_("timed out"),
        [SL_END_LISTENER] = N_("listener closed"),
    };
    return e < SL_END_KINDS ? names[e] : "unknown";
}

const char *sl_ending_meaning(enum sl_ending e)
{
    static const char *const meanings[SL_END_KINDS] = {
        [SL_END_UNKNOWN] = N_("this kernel's tcp_info does not say how it ended"),
        [SL_END_FIN_FIRST] = N_("it called close() first: its FIN was acknowledged and it waits in "
                                "TIME-WAIT so that a late segment cannot join a new connection"),
        [SL_END_FIN_SECOND] = N_("the peer closed first; this end answered with its own FIN and "
                                 "the peer acknowledged it (CLOSE-WAIT, LAST-ACK, CLOSED)"),
        [SL_END_RESET_SENT] = N_("this end sent a RST: close() with SO_LINGER 0 or with unread "
                                 "data aborts the connection instead of closing it"),
        [SL_END_RESET_RECEIVED] = N_("it went away with its FIN never acknowledged: the peer "
                                     "sent a RST (or the connection was aborted)"),
        [SL_END_CONNECT_FAILED] = N_("connect() never finished: nobody listened on the port "
                                     "(refused with a RST) or the SYN went unanswered"),
        [SL_END_TIMED_OUT] = N_("data stayed unacknowledged through every retransmission "
                                "(tcp_retries2) and TCP gave the connection up"),
        [SL_END_LISTENER] = N_("a listening socket was closed; connections it had not handed "
                               "to accept() were reset"),
    };
    return _(e < SL_END_KINDS ? meanings[e] : meanings[SL_END_UNKNOWN]);
}

void sl_closed_add(struct sl_closed_list *list, const struct sl_closed *c)
{
    list->items[list->next] = *c;
    list->next = (list->next + 1) % SL_CLOSED_KEEP;
    if (list->count < SL_CLOSED_KEEP)
        list->count++;
    list->total++;
}

const struct sl_closed *sl_closed_get(const struct sl_closed_list *list, size_t i)
{
    if (i >= list->count)
        return NULL;
    return &list->items[(list->next + SL_CLOSED_KEEP - 1 - i) % SL_CLOSED_KEEP];
}

double sl_closed_duration_ms(const struct sl_closed *c)
{
    return c->seen_alive && c->ended_ms > c->first_seen_ms ? c->ended_ms - c->first_seen_ms : 0;
}
