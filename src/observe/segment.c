/* segment.c — TCP segments decoded from captured frames (see segment.h). */
#include "socklab/segment.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Where the IP header starts after the link layer, and its ethertype. */
static int link_header(int link, const uint8_t *b, size_t caplen, size_t *off, uint16_t *type)
{
    switch (link) {
    case SL_LINK_ETHERNET:
        if (caplen < 14)
            return -EINVAL;
        *off = 14;
        *type = be16(b + 12);
        return 0;
    case SL_LINK_LINUX_SLL:
        if (caplen < 16)
            return -EINVAL;
        *off = 16;
        *type = be16(b + 14);
        return 0;
    case SL_LINK_RAW:
        if (caplen < 1)
            return -EINVAL;
        *off = 0;
        *type = (b[0] >> 4) == 6 ? 0x86dd : 0x0800;
        return 0;
    default:
        return -EPROTONOSUPPORT;
    }
}

/* The IP header: addresses into out->tuple; where TCP starts and how long
 * the IP payload is (by the header's own length, bounded by what was captured). */
static int ip_header(const uint8_t *ip, size_t room, uint16_t type, struct sl_segment *out,
                     size_t *tcp_off, size_t *tcp_len)
{
    if (type == 0x0800) {
        if (room < 20 || (ip[0] >> 4) != 4)
            return -EINVAL;
        size_t ihl = (size_t)(ip[0] & 0x0f) * 4, total = be16(ip + 2);
        if (ihl < 20 || total < ihl || ihl > room)
            return -EINVAL;
        if (ip[9] != 6)
            return -EPROTONOSUPPORT;
        if ((be16(ip + 6) & 0x1fff) != 0)
            return -EPROTONOSUPPORT;      /* a later fragment carries no TCP header */
        out->tuple.family = AF_INET;
        memcpy(out->tuple.local, ip + 12, 4);
        memcpy(out->tuple.peer, ip + 16, 4);
        *tcp_off = ihl;
        *tcp_len = total - ihl;
        return 0;
    }
    if (type == 0x86dd) {
        if (room < 40 || (ip[0] >> 4) != 6)
            return -EINVAL;
        if (ip[6] != 6)
            return -EPROTONOSUPPORT;      /* extension headers: not on loopback TCP */
        out->tuple.family = AF_INET6;
        memcpy(out->tuple.local, ip + 8, 16);
        memcpy(out->tuple.peer, ip + 24, 16);
        *tcp_off = 40;
        *tcp_len = be16(ip + 4);
        return 0;
    }
    return -EPROTONOSUPPORT;
}

static void parse_options(const uint8_t *o, size_t len, struct sl_segment *out)
{
    size_t i = 0;
    while (i < len) {
        uint8_t kind = o[i];
        if (kind == 0)                    /* end of options */
            break;
        if (kind == 1) {                  /* nop */
            i++;
            continue;
        }
        if (i + 1 >= len || o[i + 1] < 2 || i + o[i + 1] > len)
            break;                        /* a length that lies: stop, keep what was read */
        uint8_t size = o[i + 1];
        const uint8_t *v = o + i + 2;
        if (kind == 2 && size == 4)
            out->mss = be16(v);
        else if (kind == 3 && size == 3)
            out->wscale = v[0] > 14 ? 14 : v[0];    /* RFC 7323: larger means 14 */
        else if (kind == 4 && size == 2)
            out->sack_permitted = true;
        else if (kind == 5 && size >= 10 && (size - 2) % 8 == 0)
            for (int b = 0; b < (size - 2) / 8 && out->sack_blocks < SL_SEGMENT_MAX_SACK; b++) {
                out->sack[out->sack_blocks][0] = be32(v + 8 * b);
                out->sack[out->sack_blocks][1] = be32(v + 8 * b + 4);
                out->sack_blocks++;
            }
        else if (kind == 8 && size == 10) {
            out->has_timestamps = true;
            out->ts_val = be32(v);
            out->ts_ecr = be32(v + 4);
        }
        i += size;
    }
}

int sl_segment_decode(int link, const uint8_t *bytes, size_t caplen, struct sl_segment *out)
{
    memset(out, 0, sizeof *out);
    out->wscale = -1;
    size_t off;
    uint16_t type;
    int err = link_header(link, bytes, caplen, &off, &type);
    if (err)
        return err;
    size_t tcp_off, tcp_len;
    if ((err = ip_header(bytes + off, caplen - off, type, out, &tcp_off, &tcp_len)) != 0)
        return err;
    const uint8_t *tcp = bytes + off + tcp_off;
    size_t room = caplen - off - tcp_off;
    if (caplen < off + tcp_off || room < 20 || tcp_len < 20)
        return -EINVAL;
    size_t header = (size_t)(tcp[12] >> 4) * 4;
    if (header < 20 || header > tcp_len)
        return -EINVAL;
    out->tuple.local_port = be16(tcp);
    out->tuple.peer_port = be16(tcp + 2);
    out->seq = be32(tcp + 4);
    out->ack = be32(tcp + 8);
    out->flags = tcp[13];
    out->raw_window = be16(tcp + 14);
    out->window = out->raw_window;
    out->payload = (uint32_t)(tcp_len - header);
    /* The options may be cut by the snap length: read what was captured. */
    parse_options(tcp + 20, (header < room ? header : room) - 20, out);
    return 0;
}

char *sl_segment_flags(uint8_t flags, char *buf, size_t len)
{
    /* tcpdump's order and letters (print-tcp.c's tcp_flag_values). */
    static const struct { uint8_t bit; char letter; } order[] = {
        { SL_TCP_FIN, 'F' }, { SL_TCP_SYN, 'S' }, { SL_TCP_RST, 'R' }, { SL_TCP_PSH, 'P' },
        { SL_TCP_ACK, '.' }, { SL_TCP_URG, 'U' }, { SL_TCP_ECE, 'E' }, { SL_TCP_CWR, 'W' },
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0] && n + 1 < len; i++)
        if (flags & order[i].bit)
            buf[n++] = order[i].letter;
    if (n == 0)
        snprintf(buf, len, "none");
    else
        buf[n] = '\0';
    return buf;
}

int sl_segment_options(const struct sl_segment *s, char (*out)[48], int room)
{
    int n = 0;
    if (s->mss && n < room)
        snprintf(out[n++], 48, "mss %u", s->mss);
    if (s->sack_permitted && n < room)
        snprintf(out[n++], 48, "sackOK");
    if (s->has_timestamps && n < room)
        snprintf(out[n++], 48, "TS val %u ecr %u", s->ts_val, s->ts_ecr);
    if (s->wscale >= 0 && n < room)
        snprintf(out[n++], 48, "wscale %d", s->wscale);
    for (int b = 0; b < s->sack_blocks && n < room; b++)
        snprintf(out[n++], 48, "sack {%u:%u}", s->sack[b][0], s->sack[b][1]);
    return n;
}

void sl_flows_init(struct sl_flows *flows)
{
    memset(flows, 0, sizeof *flows);
}

/* The flow of s and which end sent it (0: the flow's local end); the
 * least recently used slot is reused for a connection not seen before. */
static struct sl_flow *flow_of(struct sl_flows *flows, const struct sl_segment *s, int *end)
{
    struct sl_tuple back = sl_tuple_other_end(&s->tuple);
    struct sl_flow *oldest = NULL;
    for (int i = 0; i < flows->count; i++) {
        struct sl_flow *f = &flows->flow[i];
        if (sl_tuple_equal(&f->tuple, &s->tuple) || sl_tuple_equal(&f->tuple, &back)) {
            *end = sl_tuple_equal(&f->tuple, &s->tuple) ? 0 : 1;
            return f;
        }
        if (!oldest || f->last_used < oldest->last_used)
            oldest = f;
    }
    struct sl_flow *f = flows->count < SL_FLOWS_MAX ? &flows->flow[flows->count++] : oldest;
    memset(f, 0, sizeof *f);
    f->tuple = s->tuple;
    f->wscale[0] = f->wscale[1] = -1;
    *end = 0;
    return f;
}

void sl_flows_relate(struct sl_flows *flows, struct sl_segment *s)
{
    int end;
    struct sl_flow *f = flow_of(flows, s, &end);
    f->last_used = ++flows->clock;
    bool syn = s->flags & SL_TCP_SYN, ack = s->flags & SL_TCP_ACK;
    if (syn && !ack) {                    /* a connection opens (or opens again): anew */
        memset(f, 0, sizeof *f);
        f->tuple = s->tuple;
        f->last_used = flows->clock;
        f->opener_known = true;
        end = 0;
    }
    if (syn) {
        f->isn[end] = s->seq;             /* a SYN (or its retransmission) names the ISN */
        f->isn_known[end] = f->isn_from_syn[end] = true;
        f->wscale[end] = s->wscale;
        if (!ack)
            f->wscale[1] = -1;
    }
    if (!f->isn_known[end]) {             /* joined late: number from what we saw first */
        f->isn[end] = s->seq;
        f->isn_known[end] = true;
    }
    if (ack && !f->isn_known[1 - end]) {
        f->isn[1 - end] = s->ack - 1;     /* so that this ack reads 1, as after a SYN */
        f->isn_known[1 - end] = true;
    }
    s->rel_seq = s->seq - f->isn[end];
    s->rel_ack = ack ? s->ack - f->isn[1 - end] : 0;
    s->relative = f->isn_from_syn[end] && (!ack || f->isn_from_syn[1 - end]);
    s->opener_known = f->opener_known;
    s->opener = f->opener_known && end == 0;
    /* RFC 7323: windows are scaled when both SYNs carried the option, never in a SYN. */
    if (!syn && f->wscale[0] >= 0 && f->wscale[1] >= 0)
        s->window = (uint32_t)s->raw_window << f->wscale[end];
}
