/* present.c — sockets as table rows and JSON objects (see present.h). */
#include "socklab/present.h"

#include "socklab/addr.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

char *sl_timer_format(const struct sl_socket *s, char *buf, size_t len)
{
    if (s->timer == SL_TIMER_OFF)
        snprintf(buf, len, "-");
    else if (s->timer_ms >= 10000)
        snprintf(buf, len, "%s %us", sl_timer_name(s->timer), s->timer_ms / 1000);
    else if (s->timer_ms >= 1000)
        snprintf(buf, len, "%s %.1fs", sl_timer_name(s->timer), s->timer_ms / 1000.0);
    else
        snprintf(buf, len, "%s %ums", sl_timer_name(s->timer), s->timer_ms);
    if (s->retransmits && s->timer != SL_TIMER_OFF) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, " (%u)", s->retransmits);
    }
    return buf;
}

enum { COL_STATE, COL_RECVQ, COL_SENDQ, COL_LOCAL, COL_PEER, COL_TIMER, COL_PROCESS,
       COLUMNS };

struct row {
    char cell[COLUMNS][SL_ADDR_STRLEN + 8];
};

static void fill_row(struct row *r, const struct sl_socket *s, const struct sl_owners *owners)
{
    snprintf(r->cell[COL_STATE], sizeof r->cell[0], "%s", sl_state_name(s->state));
    snprintf(r->cell[COL_RECVQ], sizeof r->cell[0], "%u", s->recv_q);
    snprintf(r->cell[COL_SENDQ], sizeof r->cell[0], "%u", s->send_q);
    sl_tuple_local(&s->tuple, r->cell[COL_LOCAL], sizeof r->cell[0]);
    sl_tuple_peer(&s->tuple, r->cell[COL_PEER], sizeof r->cell[0]);
    sl_timer_format(s, r->cell[COL_TIMER], sizeof r->cell[0]);
    const struct sl_owner *o = owners ? sl_owners_find(owners, s) : NULL;
    if (o)
        snprintf(r->cell[COL_PROCESS], sizeof r->cell[0], "%d/%s", o->pid, o->command);
    else
        snprintf(r->cell[COL_PROCESS], sizeof r->cell[0], "-");
}

void sl_print_socket_table(FILE *out, const struct sl_snapshot *snap,
                           const struct sl_owners *owners, const char *indent)
{
    static const char *const heads[COLUMNS] = {
        "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port", "Timer",
        "Process",
    };
    int columns = owners ? COLUMNS : COLUMNS - 1;
    int width[COLUMNS];
    for (int c = 0; c < COLUMNS; c++)
        width[c] = (int)strlen(heads[c]);
    /* Two passes, one row in hand at a time: widths first, then the lines. */
    struct row r;
    for (size_t i = 0; i < snap->count; i++) {
        fill_row(&r, &snap->sockets[i], owners);
        for (int c = 0; c < columns; c++) {
            int w = (int)strlen(r.cell[c]);
            width[c] = w > width[c] ? w : width[c];
        }
    }
    fputs(indent, out);
    for (int c = 0; c < columns - 1; c++)
        fprintf(out, "%-*s ", width[c], heads[c]);
    fprintf(out, "%s\n", heads[columns - 1]);
    for (size_t i = 0; i < snap->count; i++) {
        fill_row(&r, &snap->sockets[i], owners);
        fputs(indent, out);
        for (int c = 0; c < columns - 1; c++) {
            bool number = c == COL_RECVQ || c == COL_SENDQ;
            fprintf(out, number ? "%*s " : "%-*s ", width[c], r.cell[c]);
        }
        fprintf(out, "%s\n", r.cell[columns - 1]);
    }
}

void sl_json_socket_fields(struct sl_json *j, const struct sl_socket *s,
                           const struct sl_owner *owner)
{
    char local[SL_ADDR_STRLEN], peer[SL_ADDR_STRLEN];
    sl_json_string(j, "state", sl_state_name(s->state));
    sl_json_string(j, "netstat_state", sl_state_netstat_name(s->state));
    sl_json_string(j, "family", s->tuple.family == AF_INET6 ? "ipv6" : "ipv4");
    sl_json_string(j, "local", sl_tuple_local(&s->tuple, local, sizeof local));
    sl_json_string(j, "peer", sl_tuple_peer(&s->tuple, peer, sizeof peer));
    sl_json_uint(j, "local_port", s->tuple.local_port);
    sl_json_uint(j, "peer_port", s->tuple.peer_port);
    sl_json_uint(j, "recv_q", s->recv_q);
    sl_json_uint(j, "send_q", s->send_q);
    sl_json_string(j, "timer", sl_timer_name(s->timer));
    sl_json_uint(j, "timer_ms", s->timer_ms);
    sl_json_uint(j, "retransmits", s->retransmits);
    sl_json_uint(j, "uid", s->uid);
    sl_json_uint(j, "inode", s->inode);
    if (owner) {
        sl_json_int(j, "pid", owner->pid);
        sl_json_string(j, "command", owner->command);
    }
    if (s->has_info) {
        sl_json_uint(j, "rtt_us", s->rtt_us);
        sl_json_uint(j, "rttvar_us", s->rttvar_us);
        sl_json_uint(j, "rto_us", s->rto_us);
        sl_json_uint(j, "cwnd", s->snd_cwnd);
        sl_json_uint(j, "bytes_acked", s->bytes_acked);
        sl_json_uint(j, "bytes_received", s->bytes_received);
    }
}
