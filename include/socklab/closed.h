/* closed.h — connections that have ended, kept with what their end says:
 * how long they were seen, bytes each way, retransmissions, the final RTT
 * (the destroy event's tcp_info, see diag_destroy.h) and how they ended.
 *
 * A bounded list: the newest SL_CLOSED_KEEP ends are kept, the oldest
 * dropped first, so memory stays at SL_CLOSED_KEEP * sizeof(struct sl_closed)
 * however long the dashboard runs. */
#ifndef SOCKLAB_CLOSED_H
#define SOCKLAB_CLOSED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "socklab/snapshot.h"

#define SL_CLOSED_KEEP 1000

/* How a connection ended, as far as its last states and its final tcp_info
 * tell. */
enum sl_ending {
    SL_END_UNKNOWN,
    SL_END_FIN_FIRST,       /* it closed first: FIN sent and acknowledged, TIME-WAIT after */
    SL_END_FIN_SECOND,      /* it closed after its peer: the peer's FIN, then its own, acknowledged */
    SL_END_RESET_SENT,      /* this end reset it: SO_LINGER 0, or close() with unread data */
    SL_END_RESET_RECEIVED,  /* gone with its FIN unacknowledged: the peer's RST, or an abort */
    SL_END_CONNECT_FAILED,  /* connect() never completed: refused (RST) or timed out */
    SL_END_TIMED_OUT,       /* retransmissions went unanswered until TCP gave up */
    SL_END_LISTENER,        /* a listener closed */
    SL_END_KINDS
};

struct sl_closed {
    struct sl_tuple tuple;      /* as last seen alive (a reset socket's event has lost it) */
    uint64_t cookie;
    bool seen_alive;            /* false: only its end was seen */
    double first_seen_ms;       /* when first seen alive */
    double ended_ms;
    bool seen_born;             /* first seen opening (SYN-SENT, SYN-RECV): the duration
                                   is its life; otherwise it is at least that */
    uint8_t last_state;         /* the last state it was seen in alive (0: never) */
    enum sl_ending ending;
    struct sl_tcp_info info;    /* final (present == 0: the kernel sent none) */
};

struct sl_closed_list {
    struct sl_closed items[SL_CLOSED_KEEP];
    size_t count, next;         /* a ring: next is the oldest once full */
    unsigned long total;        /* every end ever added */
};

/* What is known about a socket when its end arrives. */
struct sl_end_context {
    uint8_t last_state;         /* the last state seen alive, 0 if never */
    int opened_actively;        /* 1 it called connect(), 0 a listener made it, -1 unknown */
    bool time_wait_followed;    /* a TIME-WAIT record with its cookie was found after */
};

/* How the socket of this destroy event ended. */
enum sl_ending sl_ending_of(const struct sl_socket *event, const struct sl_end_context *c);

/* "FIN, closed first", "RST sent", ... (in English, as JSON writes it; shown
 * through gettext, _()), and a sentence for a student (in the user's
 * language). */
const char *sl_ending_name(enum sl_ending e);
const char *sl_ending_meaning(enum sl_ending e);

void sl_closed_add(struct sl_closed_list *list, const struct sl_closed *c);

/* The i-th newest; NULL past the end. */
const struct sl_closed *sl_closed_get(const struct sl_closed_list *list, size_t i);

/* Milliseconds it was seen alive for (0 when never). */
double sl_closed_duration_ms(const struct sl_closed *c);

#endif
