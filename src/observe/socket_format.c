/* socket_format.c — sockets as table rows and JSON objects (see socket_format.h). */
#include "socklab/socket_format.h"

#include "socklab/addr.h"
#include "socklab/i18n.h"
#include "socklab/text.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* Listing 50,000 sockets is mostly the kernel's work; what is ours is kept
 * small: one pass measures every cell (by counting digits, not by printing),
 * one pass formats each row into a line buffer and writes it. printf per cell
 * was most of the user time, and storing the formatted table most of the
 * page faults. */

static size_t put_uint(char *p, unsigned long long v)
{
    char digits[24];
    size_t n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while (v /= 10);
    for (size_t i = 0; i < n; i++)
        p[i] = digits[n - 1 - i];
    return n;
}

static size_t digits(unsigned long long v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

static size_t put_text(char *p, const char *text)
{
    size_t n = strlen(text);
    memcpy(p, text, n);
    return n;
}

/* Address and port as sl_addr_format_raw writes them, without printf for IPv4. */
static size_t put_endpoint(char *p, int family, const uint8_t *addr, uint16_t port)
{
    size_t n = 0;
    if (family != AF_INET) {
        char buf[SL_ADDR_STRLEN];
        return put_text(p, sl_addr_format_raw(family, addr, port, buf, sizeof buf));
    }
    for (int i = 0; i < 4; i++) {
        n += put_uint(p + n, addr[i]);
        p[n++] = i < 3 ? '.' : ':';
    }
    if (port)
        n += put_uint(p + n, port);
    else
        p[n++] = '*';
    return n;
}

static size_t endpoint_length(int family, const uint8_t *addr, uint16_t port)
{
    if (family != AF_INET) {
        char buf[SL_ADDR_STRLEN];
        return put_endpoint(buf, family, addr, port);
    }
    return digits(addr[0]) + digits(addr[1]) + digits(addr[2]) + digits(addr[3]) + 4 +
           (port ? digits(port) : 1);
}

char *sl_timer_format(const struct sl_socket *s, char *buf, size_t len)
{
    char text[64];                          /* the longest: "keepalive 4294967s (255)" */
    size_t n;
    if (s->timer == SL_TIMER_OFF) {
        n = put_text(text, "-");
    } else {
        n = put_text(text, sl_timer_name(s->timer));
        text[n++] = ' ';
        if (s->timer_ms >= 10000) {         /* "59s" */
            n += put_uint(text + n, s->timer_ms / 1000);
            text[n++] = 's';
        } else if (s->timer_ms >= 1000) {   /* "4.2s" */
            n += put_uint(text + n, s->timer_ms / 1000);
            text[n++] = '.';
            n += put_uint(text + n, s->timer_ms % 1000 / 100);
            text[n++] = 's';
        } else {                            /* "204ms" */
            n += put_uint(text + n, s->timer_ms);
            n += put_text(text + n, "ms");
        }
        if (s->retransmits) {               /* " (2)" */
            n += put_text(text + n, " (");
            n += put_uint(text + n, s->retransmits);
            text[n++] = ')';
        }
    }
    if (n >= len)
        n = len ? len - 1 : 0;
    memcpy(buf, text, n);
    if (len)
        buf[n] = '\0';
    return buf;
}

enum { COL_STATE, COL_RECVQ, COL_SENDQ, COL_LOCAL, COL_PEER, COL_TIMER, COL_PROCESS,
       COLUMNS };
_Static_assert(COL_PROCESS == SL_SOCKET_CELLS, "the cells sl_socket_cell_lengths measures");

static size_t put_process(char *p, const struct sl_owner *o)
{
    if (!o)
        return put_text(p, "-");
    size_t n = put_uint(p, (unsigned)o->pid);
    p[n++] = '/';
    return n + put_text(p + n, o->command);
}

void sl_socket_cell_lengths(const struct sl_socket *s, size_t len[SL_SOCKET_CELLS])
{
    char scratch[64];
    const struct sl_tuple *t = &s->tuple;
    len[COL_STATE] = strlen(sl_state_name(s->state));
    len[COL_RECVQ] = digits(s->recv_q);
    len[COL_SENDQ] = digits(s->send_q);
    len[COL_LOCAL] = endpoint_length(t->family, t->local, t->local_port);
    len[COL_PEER] = endpoint_length(t->family, t->peer, t->peer_port);
    len[COL_TIMER] = strlen(sl_timer_format(s, scratch, sizeof scratch));
}

/* The width of every cell of a row, without formatting the common ones. */
static void measure_row(const struct sl_socket *s, const struct sl_owners *owners,
                        size_t len[COLUMNS])
{
    char scratch[64];
    sl_socket_cell_lengths(s, len);
    len[COL_PROCESS] = owners ? put_process(scratch, sl_owners_find(owners, s)) : 1;
}

/* Append cell padded to width (numbers to the right); returns the new end. */
static char *pad_to(char *start, char *end, size_t width, bool right)
{
    size_t len = (size_t)(end - start);
    if (len >= width)
        return end;
    size_t pad = width - len;
    if (right) {
        memmove(start + pad, start, len);
        memset(start, ' ', pad);
    } else {
        memset(end, ' ', pad);
    }
    return start + width;
}

static char *format_row(char *p, const struct sl_socket *s, const struct sl_owners *owners,
                        int columns, const size_t width[COLUMNS])
{
    char timer[48];
    const struct sl_tuple *t = &s->tuple;
    for (int c = 0; c < columns; c++) {
        char *start = p;
        switch (c) {
        case COL_STATE: p += put_text(p, sl_state_name(s->state)); break;
        case COL_RECVQ: p += put_uint(p, s->recv_q); break;
        case COL_SENDQ: p += put_uint(p, s->send_q); break;
        case COL_LOCAL: p += put_endpoint(p, t->family, t->local, t->local_port); break;
        case COL_PEER: p += put_endpoint(p, t->family, t->peer, t->peer_port); break;
        case COL_TIMER: p += put_text(p, sl_timer_format(s, timer, sizeof timer)); break;
        default: p += put_process(p, sl_owners_find(owners, s)); break;
        }
        if (c < columns - 1) {
            p = pad_to(start, p, width[c], c == COL_RECVQ || c == COL_SENDQ);
            *p++ = ' ';
        }
    }
    *p++ = '\n';
    return p;
}

void sl_print_socket_table(FILE *out, const struct sl_snapshot *snap,
                           const struct sl_owners *owners, const char *indent)
{
    static const char *const heads[COLUMNS] = {
        "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port", "Timer",
        "Process",
    };
    int columns = owners ? COLUMNS : COLUMNS - 1;
    size_t width[COLUMNS], len[COLUMNS];
    for (int c = 0; c < COLUMNS; c++)
        width[c] = strlen(heads[c]);
    for (size_t i = 0; i < snap->count; i++) {
        measure_row(&snap->sockets[i], owners, len);
        for (int c = 0; c < columns; c++)
            width[c] = len[c] > width[c] ? len[c] : width[c];
    }

    /* A row is at most: 7 cells of 64 bytes, their padding, and the indent. */
    char line[COLUMNS * 2 * 64 + 64];
    size_t indent_len = strlen(indent) < 32 ? strlen(indent) : 32;
    fwrite(indent, 1, indent_len, out);
    for (int c = 0; c < columns - 1; c++)
        fprintf(out, "%-*s ", (int)width[c], heads[c]);
    fprintf(out, "%s\n", heads[columns - 1]);
    for (size_t i = 0; i < snap->count; i++) {
        memcpy(line, indent, indent_len);
        char *end = format_row(line + indent_len, &snap->sockets[i], owners, columns, width);
        fwrite_unlocked(line, 1, (size_t)(end - line), out);
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
    if (s->cookie)
        sl_json_uint(j, "cookie", s->cookie);
    if (s->has_info)
        sl_json_tcp_info_fields(j, &s->info);
}

void sl_json_tcp_info_fields(struct sl_json *j, const struct sl_tcp_info *i)
{
    sl_json_uint(j, "rtt_us", i->rtt_us);
    sl_json_uint(j, "rttvar_us", i->rttvar_us);
    sl_json_uint(j, "rto_us", i->rto_us);
    sl_json_uint(j, "cwnd", i->snd_cwnd);
    sl_json_uint(j, "ssthresh", i->snd_ssthresh);
    sl_json_uint(j, "unacked", i->unacked);
    sl_json_uint(j, "retrans", i->retrans);
    sl_json_uint(j, "total_retrans", i->total_retrans);
    sl_json_uint(j, "backoff", i->retransmits);
    if (i->present & SL_INFO_SND_WND)
        sl_json_uint(j, "snd_wnd", i->snd_wnd);
    if (i->present & SL_INFO_RCV_WND)
        sl_json_uint(j, "rcv_wnd", i->rcv_wnd);
    if (i->present & SL_INFO_BYTES) {
        sl_json_uint(j, "bytes_acked", i->bytes_acked);
        sl_json_uint(j, "bytes_received", i->bytes_received);
    }
    if (i->present & SL_INFO_BYTES_SENT) {
        sl_json_uint(j, "bytes_sent", i->bytes_sent);
        sl_json_uint(j, "bytes_retrans", i->bytes_retrans);
    }
    if (i->present & SL_INFO_DELIVERY)
        sl_json_uint(j, "delivery_rate", i->delivery_rate);
    if (i->present & SL_INFO_MIN_RTT)
        sl_json_uint(j, "min_rtt_us", i->min_rtt_us);
}

/* "2.1s", "350ms", ">=2.1s" (seen only after it began) or "?" (only its end). */
static void format_duration(const struct sl_closed *c, char *buf, size_t len)
{
    double ms = sl_closed_duration_ms(c);
    const char *at_least = c->seen_born ? "" : ">=";
    if (!c->seen_alive)
        snprintf(buf, len, "?");
    else if (ms >= 1000)
        snprintf(buf, len, "%s%.1fs", at_least, ms / 1000);
    else
        snprintf(buf, len, "%s%.0fms", at_least, ms);
}

char *sl_closed_format(const struct sl_closed *c, char *buf, size_t len)
{
    char local[SL_ADDR_STRLEN], peer[SL_ADDR_STRLEN], duration[32];
    format_duration(c, duration, sizeof duration);
    const struct sl_tcp_info *i = &c->info;
    char ending[96];                          /* padded in columns: it may be translated */
    sl_text_pad(_(sl_ending_name(c->ending)), 18, ending, sizeof ending);
    snprintf(buf, len, _("%s %s -> %s  %s  sent %llu B  received %llu B  retrans %u  "
                         "rtt %.3f ms"), ending, sl_tuple_local(&c->tuple, local, sizeof local),
             sl_tuple_peer(&c->tuple, peer, sizeof peer), duration,
             (unsigned long long)i->bytes_sent, (unsigned long long)i->bytes_received,
             i->total_retrans, i->rtt_us / 1000.0);
    return buf;
}

void sl_json_closed_fields(struct sl_json *j, const struct sl_closed *c)
{
    char local[SL_ADDR_STRLEN], peer[SL_ADDR_STRLEN];
    sl_json_string(j, "ending", sl_ending_name(c->ending));
    sl_json_string(j, "local", sl_tuple_local(&c->tuple, local, sizeof local));
    sl_json_string(j, "peer", sl_tuple_peer(&c->tuple, peer, sizeof peer));
    sl_json_uint(j, "cookie", c->cookie);
    if (c->last_state)
        sl_json_string(j, "last_state", sl_state_name(c->last_state));
    if (c->seen_alive) {
        sl_json_uint(j, "duration_ms", (unsigned long long)sl_closed_duration_ms(c));
        sl_json_bool(j, "duration_whole", c->seen_born);
    }
    if (c->info.present)
        sl_json_tcp_info_fields(j, &c->info);
}
