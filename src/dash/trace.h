/* trace.h — exact state changes from the sock:inet_sock_set_state tracepoint,
 * read through tracefs in a private trace instance (root only).
 *
 * Polling sees a socket every few hundred milliseconds and misses states that
 * last microseconds on loopback (LAST-ACK, SYN-RECV); the tracepoint misses
 * none. It does not report entering TIME-WAIT (the kernel replaces the socket
 * with a time-wait record without a state change), which polling fills in. */
#ifndef SOCKDASH_TRACE_H
#define SOCKDASH_TRACE_H

#include "socklab/diag.h"
#include "socklab/watch.h"

struct dash_trace;

/* Open a private instance with a kernel-side filter on the filter's ports.
 * NULL, with a one-sentence reason in why, when that cannot be done. */
struct dash_trace *dash_trace_open(const struct sl_filter *filter, char *why, size_t why_len);

/* The descriptor to poll for events. */
int dash_trace_fd(const struct dash_trace *t);

/* Read what is waiting (never blocks) and append the transitions to out. */
void dash_trace_read(struct dash_trace *t, struct sl_changes *out);

/* Disable and remove the instance (and unmount tracefs if we mounted it). */
void dash_trace_close(struct dash_trace *t);

/* Parse one line of trace_pipe; false when it is not an inet_sock_set_state
 * event for TCP. */
bool dash_trace_parse_line(const char *line, struct sl_change *out);

/* The tracepoint's filter for these port ranges ("protocol == 6 && (...)"). */
void dash_trace_filter_text(const struct sl_filter *filter, char *buf, size_t len);

#endif
