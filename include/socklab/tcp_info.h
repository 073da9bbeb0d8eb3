/* tcp_info.h — the kernel's struct tcp_info, read by its length.
 *
 * struct tcp_info grew over the kernel's releases (104 bytes in 3.x, 168 in
 * 4.9, 232 in 5.4, 248 in 6.7 ...): a kernel sends the size it has, and a
 * program built against other headers must read what is there and no more.
 * Each field here is taken only when the attribute holds all of its bytes;
 * `present` says which groups of fields were there, so "0" and "not reported
 * by this kernel" stay apart.
 *
 * The offsets are the kernel's uapi layout (include/uapi/linux/tcp.h); the
 * fields newer than this system's headers are placed by their offsets. */
#ifndef SOCKLAB_TCP_INFO_H
#define SOCKLAB_TCP_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which groups of fields the kernel sent, by the release that added them. */
enum sl_tcp_info_part {
    SL_INFO_BASE = 1 << 0,          /* 2.6: state, rto, rtt, cwnd, unacked, retrans ... */
    SL_INFO_BYTES = 1 << 1,         /* 4.1: bytes acked and received */
    SL_INFO_SEGS = 1 << 2,          /* 4.2: segments in and out */
    SL_INFO_MIN_RTT = 1 << 3,       /* 4.6: min_rtt, notsent bytes */
    SL_INFO_DELIVERY = 1 << 4,      /* 4.9: delivery rate */
    SL_INFO_BYTES_SENT = 1 << 5,    /* 4.19: bytes sent and retransmitted */
    SL_INFO_SND_WND = 1 << 6,       /* 5.4: the peer's advertised window */
    SL_INFO_RCV_WND = 1 << 7,       /* 6.5: our advertised window */
    SL_INFO_TOTAL_RTO = 1 << 8,     /* 6.7: retransmission timeouts in all */
};

struct sl_tcp_info {
    uint16_t present;               /* enum sl_tcp_info_part bits; 0: no tcp_info */
    uint8_t state, ca_state;
    uint8_t retransmits;            /* unrecovered RTO timeouts (the backoff count) */
    uint8_t probes;                 /* unanswered zero-window or keepalive probes */
    uint8_t backoff;
    uint16_t total_rto;             /* SL_INFO_TOTAL_RTO */
    uint32_t rto_us, ato_us, snd_mss, rcv_mss;
    uint32_t unacked, sacked, lost, retrans;        /* segments, now */
    uint32_t last_data_sent_ms, last_data_recv_ms, last_ack_recv_ms;
    uint32_t rtt_us, rttvar_us, snd_ssthresh, snd_cwnd, total_retrans;
    uint32_t segs_out, segs_in;                     /* SL_INFO_SEGS */
    uint32_t min_rtt_us, notsent_bytes;             /* SL_INFO_MIN_RTT */
    uint32_t snd_wnd, rcv_wnd;                      /* SL_INFO_SND_WND, SL_INFO_RCV_WND */
    uint64_t bytes_acked, bytes_received;           /* SL_INFO_BYTES */
    uint64_t delivery_rate;                         /* bytes/s, SL_INFO_DELIVERY */
    uint64_t bytes_sent, bytes_retrans;             /* SL_INFO_BYTES_SENT */
};

/* Read `len` bytes of an INET_DIAG_INFO payload into out (which is cleared
 * first). Returns out->present; 0 when len is too short for even the first
 * group (the kernel's own minimum, 104 bytes, holds them all). */
unsigned sl_tcp_info_parse(const void *payload, size_t len, struct sl_tcp_info *out);

/* The smallest payload that holds a group: 104 for SL_INFO_BASE ... (for
 * tests and for the documentation of what a kernel's size implies). */
size_t sl_tcp_info_size_for(enum sl_tcp_info_part part);

#endif
