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

/* Open a private instance that reports the filter's ports. Instances left by
 * a sockdash that is gone (killed, say) are removed first. tracefs is mounted
 * when it is not, and left mounted: others may be using it by then.
 *
 * NULL, with a one-sentence reason in why, when that cannot be done. On
 * success why is empty, or holds one sentence saying the kernel refused the
 * exact port filter and a coarser one is used (the ports are then also
 * filtered here, so the changes reported are the same). */
struct sl_trace *sl_trace_open(const struct sl_filter *filter, char *why, size_t why_len);

/* The descriptor to poll for events. */
int sl_trace_fd(const struct sl_trace *t);

/* Read what is waiting (never blocks) and append the transitions on the
 * filter's ports to out. */
void sl_trace_read(struct sl_trace *t, struct sl_changes *out);

/* Close the pipe and remove the instance. */
void sl_trace_close(struct sl_trace *t);

#endif
