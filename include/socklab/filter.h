/* filter.h — which sockets to look at: a set of states and port ranges, in the
 * words ss uses.
 *
 *   ports:  "8080", "8000-8100", "80,443,9000-9010"   (local or peer port)
 *   states: "listen,time-wait", "connected", "closing"  (see tcpstate.h)
 *
 * The diag module hands as much of a filter as it can to the kernel. */
#ifndef SOCKLAB_FILTER_H
#define SOCKLAB_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "socklab/tcpstate.h"

#define SL_FILTER_MAX_RANGES 16

struct sl_port_range {
    uint16_t low, high;         /* inclusive */
};

struct sl_filter {
    sl_state_mask states;       /* SL_STATES_ALL: every state */
    int range_count;            /* 0: every port */
    struct sl_port_range ranges[SL_FILTER_MAX_RANGES];
};

struct sl_socket;

/* Every state, every port. */
void sl_filter_init(struct sl_filter *f);

/* Add the port ranges in text ("80,443,9000-9010"). On failure *why says what
 * is wrong with which part. */
bool sl_filter_add_ports(struct sl_filter *f, const char *text, char *why, size_t why_len);

/* Add one range. False when the filter is full. */
bool sl_filter_add_range(struct sl_filter *f, uint16_t low, uint16_t high);

/* Restrict to the states in text (see sl_state_parse_list). */
bool sl_filter_set_states(struct sl_filter *f, const char *text, char *why, size_t why_len);

/* Whether one port, or a socket (by its state and local or peer port), passes. */
bool sl_filter_port_match(const struct sl_filter *f, uint16_t port);
bool sl_filter_match(const struct sl_filter *f, const struct sl_socket *s);

#endif
