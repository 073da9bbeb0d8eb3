/* tcp_info.c — struct tcp_info read by the length the kernel sent (see tcp_info.h).
 *
 * A field is read with memcpy from its offset, never through a cast of the
 * payload: an attribute is 4-byte aligned and the 64-bit fields need not be. */
#include "socklab/tcp_info.h"

#include <linux/tcp.h>
#include <string.h>

/* Newer than the headers this is built against (uapi, Linux 6.5 and 6.7). */
#define OFFSET_RCV_WND 232
#define OFFSET_TOTAL_RTO 240

_Static_assert(offsetof(struct tcp_info, tcpi_snd_wnd) == 228,
               "struct tcp_info is laid out as the kernel's uapi");

/* The last byte each group needs, with the field that ends it. */
static const struct {
    enum sl_tcp_info_part part;
    size_t end;
} groups[] = {
    { SL_INFO_BASE, offsetof(struct tcp_info, tcpi_total_retrans) + 4 },          /* 104 */
    { SL_INFO_BYTES, offsetof(struct tcp_info, tcpi_bytes_received) + 8 },        /* 136 */
    { SL_INFO_SEGS, offsetof(struct tcp_info, tcpi_segs_in) + 4 },                /* 144 */
    { SL_INFO_MIN_RTT, offsetof(struct tcp_info, tcpi_min_rtt) + 4 },             /* 152 */
    { SL_INFO_DELIVERY, offsetof(struct tcp_info, tcpi_delivery_rate) + 8 },      /* 168 */
    { SL_INFO_BYTES_SENT, offsetof(struct tcp_info, tcpi_bytes_retrans) + 8 },    /* 216 */
    { SL_INFO_SND_WND, offsetof(struct tcp_info, tcpi_snd_wnd) + 4 },             /* 232 */
    { SL_INFO_RCV_WND, OFFSET_RCV_WND + 4 },                                      /* 236 */
    { SL_INFO_TOTAL_RTO, OFFSET_TOTAL_RTO + 2 },                                  /* 242 */
};

size_t sl_tcp_info_size_for(enum sl_tcp_info_part part)
{
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (groups[i].part == part)
            return groups[i].end;
    return 0;
}

static uint32_t u32_at(const unsigned char *p, size_t offset)
{
    uint32_t v;
    memcpy(&v, p + offset, sizeof v);
    return v;
}

static uint64_t u64_at(const unsigned char *p, size_t offset)
{
    uint64_t v;
    memcpy(&v, p + offset, sizeof v);
    return v;
}

#define U32(field) u32_at(p, offsetof(struct tcp_info, field))
#define U64(field) u64_at(p, offsetof(struct tcp_info, field))

unsigned sl_tcp_info_parse(const void *payload, size_t len, struct sl_tcp_info *out)
{
    const unsigned char *p = payload;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (len >= groups[i].end)
            out->present |= (uint16_t)groups[i].part;
    if (!(out->present & SL_INFO_BASE))
        return 0;
    out->state = p[offsetof(struct tcp_info, tcpi_state)];
    out->ca_state = p[offsetof(struct tcp_info, tcpi_ca_state)];
    out->retransmits = p[offsetof(struct tcp_info, tcpi_retransmits)];
    out->probes = p[offsetof(struct tcp_info, tcpi_probes)];
    out->backoff = p[offsetof(struct tcp_info, tcpi_backoff)];
    out->rto_us = U32(tcpi_rto);
    out->ato_us = U32(tcpi_ato);
    out->snd_mss = U32(tcpi_snd_mss);
    out->rcv_mss = U32(tcpi_rcv_mss);
    out->unacked = U32(tcpi_unacked);
    out->sacked = U32(tcpi_sacked);
    out->lost = U32(tcpi_lost);
    out->retrans = U32(tcpi_retrans);
    out->last_data_sent_ms = U32(tcpi_last_data_sent);
    out->last_data_recv_ms = U32(tcpi_last_data_recv);
    out->last_ack_recv_ms = U32(tcpi_last_ack_recv);
    out->rtt_us = U32(tcpi_rtt);
    out->rttvar_us = U32(tcpi_rttvar);
    out->snd_ssthresh = U32(tcpi_snd_ssthresh);
    out->snd_cwnd = U32(tcpi_snd_cwnd);
    out->total_retrans = U32(tcpi_total_retrans);
    if (out->present & SL_INFO_BYTES) {
        out->bytes_acked = U64(tcpi_bytes_acked);
        out->bytes_received = U64(tcpi_bytes_received);
    }
    if (out->present & SL_INFO_SEGS) {
        out->segs_out = U32(tcpi_segs_out);
        out->segs_in = U32(tcpi_segs_in);
    }
    if (out->present & SL_INFO_MIN_RTT) {
        out->notsent_bytes = U32(tcpi_notsent_bytes);
        out->min_rtt_us = U32(tcpi_min_rtt);
    }
    if (out->present & SL_INFO_DELIVERY)
        out->delivery_rate = U64(tcpi_delivery_rate);
    if (out->present & SL_INFO_BYTES_SENT) {
        out->bytes_sent = U64(tcpi_bytes_sent);
        out->bytes_retrans = U64(tcpi_bytes_retrans);
    }
    if (out->present & SL_INFO_SND_WND)
        out->snd_wnd = U32(tcpi_snd_wnd);
    if (out->present & SL_INFO_RCV_WND)
        out->rcv_wnd = u32_at(p, OFFSET_RCV_WND);
    if (out->present & SL_INFO_TOTAL_RTO) {
        uint16_t n;
        memcpy(&n, p + OFFSET_TOTAL_RTO, sizeof n);
        out->total_rto = n;
    }
    return out->present;
}
