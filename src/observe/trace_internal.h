/* trace_internal.h — the parts of trace.c that its unit tests reach; not for
 * programs (they use socklab/trace.h). */
#ifndef SOCKLAB_TRACE_INTERNAL_H
#define SOCKLAB_TRACE_INTERNAL_H

#include "socklab/trace.h"

/* Parse one line of trace_pipe; false when it is not an inet_sock_set_state
 * event for TCP. */
bool sl_trace_parse_line(const char *line, struct sl_change *out);

/* How much of a port filter the kernel is asked to run, finest first. */
enum sl_trace_kernel_filter {
    SL_TRACE_FILTER_EXACT,      /* every port range of the filter */
    SL_TRACE_FILTER_SPAN,       /* one range, from the lowest port to the highest */
    SL_TRACE_FILTER_TCP,        /* TCP only, every port */
};

/* The tracepoint's filter text at that level ("protocol == 6 && (...)"),
 * allocated; NULL when out of memory. */
char *sl_trace_filter_text(const struct sl_filter *filter, enum sl_trace_kernel_filter level);

/* sl_trace_open, trying the kernel filters from `first` on. */
struct sl_trace *sl_trace_open_from(const struct sl_filter *filter,
                                    enum sl_trace_kernel_filter first, char *why,
                                    size_t why_len);

/* The kernel filter in use. */
enum sl_trace_kernel_filter sl_trace_kernel_filter(const struct sl_trace *t);

#endif
