/* tcpstate.h — the TCP states as the Linux kernel numbers them, their names as
 * ss and netstat print them, what each one means, and the RFC 9293 state
 * machine (Figure 5) as a table of transitions.
 *
 * The numbers are the kernel's (include/net/tcp_states.h); sock_diag and
 * /proc/net/tcp report them, and so does TCP_INFO's tcpi_state. */
#ifndef SOCKLAB_TCPSTATE_H
#define SOCKLAB_TCPSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sl_tcp_state {
    SL_TCP_ESTABLISHED = 1,
    SL_TCP_SYN_SENT,
    SL_TCP_SYN_RECV,
    SL_TCP_FIN_WAIT1,
    SL_TCP_FIN_WAIT2,
    SL_TCP_TIME_WAIT,
    SL_TCP_CLOSE,
    SL_TCP_CLOSE_WAIT,
    SL_TCP_LAST_ACK,
    SL_TCP_LISTEN,
    SL_TCP_CLOSING,
    SL_TCP_NEW_SYN_RECV,     /* a request socket: SYN received, SYN-ACK sent */
    SL_TCP_BOUND_INACTIVE,   /* bound, neither listening nor connecting (Linux 6.8+) */
    SL_TCP_STATE_COUNT       /* one past the last: size of per-state arrays */
};

/* A set of states: bit (1u << state). */
typedef uint32_t sl_state_mask;
#define SL_STATE_BIT(s) ((sl_state_mask)1u << (s))
/* Every state but BOUND_INACTIVE, as ss asks by default: listing bound-inactive
 * sockets makes the kernel walk its bind hash too, which costs as much as the
 * rest of the dump when many ports are in use. Ask for them by name. */
#define SL_STATES_ALL   ((((sl_state_mask)1u << SL_TCP_STATE_COUNT) - 2u) & \
                         ~SL_STATE_BIT(SL_TCP_BOUND_INACTIVE))

bool sl_state_valid(int state);
const char *sl_state_name(int state);          /* as ss prints it:      "ESTAB"       */
const char *sl_state_netstat_name(int state);  /* as netstat prints it: "ESTABLISHED" */
const char *sl_state_rfc_name(int state);      /* as RFC 9293 names it: "ESTABLISHED" */
const char *sl_state_meaning(int state);       /* one line for a student */

/* A state from its ss, netstat or RFC name, any case; -1 when unknown. */
int sl_state_from_name(const char *name);

/* The states a sentence names in capitals, as the labs write them ("5
 * CLOSE-WAIT on the server's port, 5 FIN-WAIT-2 on the clients' side"): ss,
 * netstat or RFC names, each once, in the order they first appear, into
 * states (room of them); returns how many. Words in lower case ("closed",
 * "listen") are prose, not names. */
int sl_states_named(const char *text, int *states, int room);

/* Parse a comma-separated list of state names and groups into a mask. Groups
 * are ss's (all, connected, synchronized, bucket, big) and socklab's
 * (listening, opening, established, closing). On failure *why names the word. */
bool sl_state_parse_list(const char *list, sl_state_mask *mask,
                         char *why, size_t why_len);

/* A group name's mask, 0 when the name is not a group. */
sl_state_mask sl_state_group(const char *name);

/* One edge of RFC 9293 Figure 5. States are kernel numbers; the RFC's CLOSED is
 * SL_TCP_CLOSE and SYN-RECEIVED is SL_TCP_SYN_RECV. */
struct sl_transition {
    int from;
    int to;
    const char *event;     /* what causes it: "rcv SYN", "CLOSE", "Timeout (Linux: 60 s)" */
    const char *action;    /* what TCP does: "snd SYN,ACK", "delete TCB", "x" (nothing) */
};

const struct sl_transition *sl_transitions(size_t *count);

/* The edge from -> to, or NULL when the RFC's figure has none. */
const struct sl_transition *sl_transition_find(int from, int to);

#endif
