/* history.h — the last minute of each connection's RTT and cwnd, for the
 * selected connection's sparkline. Bounded: HISTORY_SOCKETS connections
 * (the least recently sampled is forgotten first), HISTORY_SAMPLES samples
 * each, so memory stays under HISTORY_SOCKETS * HISTORY_SAMPLES * 16 bytes
 * (about 250 KB) however many sockets the dashboard follows. */
#ifndef SOCKDASH_HISTORY_H
#define SOCKDASH_HISTORY_H

#include <stdint.h>

#include "socklab/snapshot.h"

#define HISTORY_SOCKETS 128
#define HISTORY_SAMPLES 120             /* a minute at the default 500 ms */
#define HISTORY_SPAN_MS 60000

struct history_entry {
    uint64_t cookie;
    double last_ms;
    int count, next;                    /* a ring */
    double at[HISTORY_SAMPLES];
    float rtt_ms[HISTORY_SAMPLES], cwnd[HISTORY_SAMPLES];
};

struct history {
    struct history_entry entries[HISTORY_SOCKETS];
};

/* A sample of every connection of snap with tcp_info, at now. */
void history_add(struct history *h, const struct sl_snapshot *snap, double now);

/* The last minute (to now) of one connection, oldest first, into rtt_ms and
 * cwnd (room each); returns how many samples. */
int history_get(const struct history *h, uint64_t cookie, double now, double *rtt_ms,
                double *cwnd, int room);

#endif
