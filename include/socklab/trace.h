/* trace.h — exact state changes from the sock:inet_sock_set_state tracepoint,
 * read through tracefs in a private trace instance (root only).
 *
 * Polling sees a socket every few hundred milliseconds and misses states that
 * last microseconds on loopback (LAST-ACK, SYN-RECV); the tracepoint misses
 * none. It does not report entering TIME-WAIT (the kernel replaces the socket
 * with a time-wait record without a state change), which polling fills in. */
#ifndef SOCKLAB_TRACE_H
#define SOCKLAB_TRACE_H

#include "socklab/diag.h"
#include "socklab/watch.h"

struct sl_trace;

/* Open a private instance with a kernel-side filter on the filter's ports.
 * NULL, with a one-sentence reason in why, when that cannot be done. */
struct sl_trace *sl_trace_open(const struct sl_filter *filter, char *why, size_t why_len);

/* The descriptor to poll for events. */
int sl_trace_fd(const struct sl_trace *t);

/* Read what is waiting (never blocks) and append the transitions to out. */
void sl_trace_read(struct sl_trace *t, struct sl_changes *out);

/* Disable and remove the instance (and unmount tracefs if we mounted it). */
void sl_trace_close(struct sl_trace *t);

/* Parse one line of trace_pipe; false when it is not an inet_sock_set_state
 * event for TCP. */
bool sl_trace_parse_line(const char *line, struct sl_change *out);

/* The tracepoint's filter for these port ranges ("protocol == 6 && (...)"). */
void sl_trace_filter_text(const struct sl_filter *filter, char *buf, size_t len);

#endif
