/* socket_format.h — how a socket is written down: as a row of an ss-like table, and
 * as a JSON object. Labs (their observations) and sockdash --once share it. */
#ifndef SOCKLAB_SOCKET_FORMAT_H
#define SOCKLAB_SOCKET_FORMAT_H

#include <stdio.h>

#include "socklab/closed.h"
#include "socklab/diag.h"
#include "socklab/json.h"
#include "socklab/owner.h"

/* "timewait 59.2s", "on 204ms (2)", "keepalive 7199s", or "-" when off. */
char *sl_timer_format(const struct sl_socket *s, char *buf, size_t len);

/* How many characters each cell of s takes as the table below writes it
 * (State, Recv-Q, Send-Q, Local, Peer, Timer: ASCII, so as many columns),
 * counted rather than printed: a table measures every row, thousands a frame. */
#define SL_SOCKET_CELLS 6
void sl_socket_cell_lengths(const struct sl_socket *s, size_t len[SL_SOCKET_CELLS]);

/* The sockets as ss -tan lays them out (State, Recv-Q, Send-Q, Local, Peer),
 * plus Timer, and Process when owners is not NULL; columns sized to fit.
 * Every line starts with indent. */
void sl_print_socket_table(FILE *out, const struct sl_snapshot *snap,
                           const struct sl_owners *owners, const char *indent);

/* The fields of one socket into the JSON object being written. */
void sl_json_socket_fields(struct sl_json *j, const struct sl_socket *s,
                           const struct sl_owner *owner);

/* An ended connection in one line: "FIN, closed first  127.0.0.1:40000 ->
 * 127.0.0.1:8080  2.1s  sent 5 B  received 0 B  retrans 0  rtt 0.025 ms"
 * (the duration with ">=" when its start was not seen, "?" when it never was). */
char *sl_closed_format(const struct sl_closed *c, char *buf, size_t len);

/* An ended connection's fields into the JSON object being written. */
void sl_json_closed_fields(struct sl_json *j, const struct sl_closed *c);

/* The tcp_info fields into the JSON object being written (rtt_us, cwnd, ...;
 * a field this kernel does not report is left out). */
void sl_json_tcp_info_fields(struct sl_json *j, const struct sl_tcp_info *info);

#endif
