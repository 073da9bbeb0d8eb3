/* explain.h — one socket's cell explained in a student's words: what its
 * state means and how it got there, what its queues mean for that state, its
 * timer and when it fires, who holds it, what its tcp_info says, and which
 * lab teaches it. The text knows no terminal: sockdash's Enter shows it in a
 * panel, `sockdash --once --explain` prints it. */
#ifndef SOCKLAB_EXPLAIN_H
#define SOCKLAB_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "socklab/owner.h"
#include "socklab/snapshot.h"

/* The cells a table shows, in the order of its columns. */
enum sl_explain_cell {
    SL_CELL_STATE, SL_CELL_RECV_Q, SL_CELL_SEND_Q, SL_CELL_LOCAL, SL_CELL_PEER,
    SL_CELL_TIMER, SL_CELL_OWNER, SL_CELL_RTT, SL_CELL_CWND, SL_CELL_RETRANS,
    SL_CELL_WINDOWS, SL_CELL_BYTES, SL_CELL_COUNT
};

/* What else is known of the socket. */
struct sl_explain_context {
    const struct sl_owner *owner;   /* NULL: not known */
    bool owners_looked_up;          /* false: --no-process, so say nothing of an owner */
    int from_state;                 /* the state it was seen leaving for this one, 0 unseen */
    bool traced;                    /* that move was seen by the tracepoint */
    int opened_actively;            /* 1 it called connect(), 0 a listener made it, -1 unknown:
                                       the likely way into ESTAB when none was seen */
};

#define SL_EXPLAIN_PARTS 8
#define SL_EXPLAIN_LEN 640

/* The explanation: parts[0] is the asked-for cell's, the others follow. */
struct sl_explanation {
    int count;
    char heading[SL_EXPLAIN_PARTS][32];
    char text[SL_EXPLAIN_PARTS][SL_EXPLAIN_LEN];
};

void sl_explain(const struct sl_socket *s, const struct sl_explain_context *c,
                enum sl_explain_cell cell, struct sl_explanation *out);

const char *sl_explain_cell_name(enum sl_explain_cell cell);   /* "state", "recv-q", ... */

/* The lab that teaches what this socket shows ("02 handshake"), or NULL. */
const char *sl_explain_lab(const struct sl_socket *s);

#endif
