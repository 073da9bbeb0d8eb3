/* segment.h — a TCP segment decoded from the bytes a capture holds.
 *
 * What tcpdump would print of it: the flags in tcpdump's letters (S, S., .,
 * P., F., R, R.), sequence and acknowledgment numbers relative to each
 * connection's initial sequence number, the window scaled by the sender's
 * window scale, the payload's length and the options of the handshake (MSS,
 * window scale, SACK permitted, timestamps) and of the data (SACK blocks).
 *
 * Decoding trusts nothing: a frame that is truncated, whose lengths disagree
 * or that is not IPv4/IPv6 TCP is refused (-EINVAL, -EPROTONOSUPPORT), never
 * read past its end. Relative numbers need the connection's history, kept in
 * a struct sl_flows: a bounded table (the connections seen last are kept,
 * the oldest forgotten). */
#ifndef SOCKLAB_SEGMENT_H
#define SOCKLAB_SEGMENT_H

#include "socklab/snapshot.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The flag bits as they stand in the TCP header. */
enum {
    SL_TCP_FIN = 0x01, SL_TCP_SYN = 0x02, SL_TCP_RST = 0x04, SL_TCP_PSH = 0x08,
    SL_TCP_ACK = 0x10, SL_TCP_URG = 0x20, SL_TCP_ECE = 0x40, SL_TCP_CWR = 0x80,
};

/* The link layers a capture on loopback may deliver (pcap's DLT numbers). */
enum {
    SL_LINK_ETHERNET = 1,       /* DLT_EN10MB: lo has an Ethernet header of zeros */
    SL_LINK_RAW = 101,          /* LINKTYPE_RAW: the IP header first */
    SL_LINK_LINUX_SLL = 113,    /* DLT_LINUX_SLL: the "any" device */
};

#define SL_SEGMENT_MAX_SACK 4

struct sl_segment {
    struct sl_tuple tuple;      /* local = the sender, peer = the receiver */
    double t_ms;                /* when captured, on the clock of sl_clock_ms() */
    uint8_t flags;              /* SL_TCP_* */
    uint32_t seq, ack;          /* as on the wire */
    uint32_t rel_seq, rel_ack;  /* relative to each direction's ISN (sl_flows_relate) */
    bool relative;              /* rel_* are relative to an ISN seen in a SYN */
    uint32_t window;            /* scaled when both SYNs were seen with a window scale */
    uint16_t raw_window;        /* as on the wire */
    uint32_t payload;           /* bytes of data after the header */
    bool opener;                /* sent by the end that sent the first SYN (the client) */
    bool opener_known;          /* ... which is known: the connection's SYN was seen */
    /* options (0 / -1 / false when absent) */
    uint16_t mss;
    int wscale;
    bool sack_permitted;
    bool has_timestamps;
    uint32_t ts_val, ts_ecr;
    int sack_blocks;
    uint32_t sack[SL_SEGMENT_MAX_SACK][2];   /* left and right edges, as on the wire */
};

/* Decode one captured frame. `caplen` bytes are present; 0, or -EINVAL for
 * a frame that is short or inconsistent, -EPROTONOSUPPORT for one that is
 * not TCP over IPv4 or IPv6. The relative fields are left for sl_flows_relate. */
int sl_segment_decode(int link, const uint8_t *bytes, size_t caplen, struct sl_segment *out);

/* The flags as tcpdump writes them: "S", "S.", ".", "P.", "F.", "R", "R.",
 * "FP.", "SEW"; "none" for none. buf holds at least 12 bytes. */
char *sl_segment_flags(uint8_t flags, char *buf, size_t len);

/* The options in tcpdump's words, one per entry: "mss 65495", "sackOK",
 * "TS val 1 ecr 0", "nop", "wscale 7", "sack 1 {1:2}". Returns how many were
 * written (at most room); each is at most 48 bytes. */
int sl_segment_options(const struct sl_segment *s, char (*out)[48], int room);

/* The connections seen, for relative numbers and window scaling. */
#define SL_FLOWS_MAX 256

struct sl_flow {
    struct sl_tuple tuple;      /* local = the opener when known, else the first sender */
    bool opener_known;
    uint32_t isn[2];            /* [0] the local end's, [1] the peer's */
    bool isn_known[2], isn_from_syn[2];
    int wscale[2];              /* -1: not seen in a SYN */
    uint64_t last_used;
};

struct sl_flows {
    struct sl_flow flow[SL_FLOWS_MAX];
    int count;
    uint64_t clock;             /* counts segments, for forgetting the oldest */
};

void sl_flows_init(struct sl_flows *flows);

/* Fill the relative fields of s from its connection's history (and learn from
 * it: a SYN's ISN and window scale). */
void sl_flows_relate(struct sl_flows *flows, struct sl_segment *s);

#endif
