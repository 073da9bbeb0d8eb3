/* trace.c — the inet_sock_set_state tracepoint through libtracefs (see trace.h).
 *
 * A private instance (instances/sockdash-PID) keeps our filter and buffer
 * apart from anyone else's tracing. The filter runs in the kernel, so only
 * TCP events on the watched ports reach us. A line of trace_pipe looks like:
 *
 *   sockdash-1234 [001] ..s1. 812.123: inet_sock_set_state: family=AF_INET
 *   protocol=IPPROTO_TCP sport=8080 dport=40212 saddr=127.0.0.1 daddr=127.0.0.1
 *   saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_ESTABLISHED
 *   newstate=TCP_FIN_WAIT1
 *
 * What is left behind, and what is not:
 * - tracefs stays mounted. A mount is not reference-counted: whoever mounted
 *   it cannot know whether another sockdash, trace-cmd or perf started using
 *   it since, and unmounting would pull it from under them.
 * - Our instance is removed on close. One left by a sockdash that was killed
 *   (its PID is gone) is removed by the next one that starts. The kernel
 *   refuses to remove an instance whose trace_pipe is open (EBUSY), so a live
 *   reader keeps its instance even if its PID means nothing here (another PID
 *   namespace).
 */
#include "trace_internal.h"

#include "socklab/i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tracefs.h>
#include <unistd.h>

#define INSTANCE_PREFIX "sockdash-"
#define SYSTEM "sock"
#define EVENT "inet_sock_set_state"

struct sl_trace {
    struct tracefs_instance *instance;
    int fd;                     /* its trace_pipe, non-blocking */
    struct sl_filter filter;    /* applied here too, whatever the kernel filters */
    enum sl_trace_kernel_filter kernel_filter;
    char pending[65536];        /* what one read() takes, and a line split across reads */
    size_t pending_len;
};

/* "(sport >= L && sport <= H) || (dport >= L && dport <= H)", shorter for one port. */
static void port_condition(FILE *out, unsigned low, unsigned high)
{
    if (low == high)
        fprintf(out, "sport == %u || dport == %u", low, low);
    else
        fprintf(out, "(sport >= %u && sport <= %u) || (dport >= %u && dport <= %u)",
                low, high, low, high);
}

char *sl_trace_filter_text(const struct sl_filter *filter, enum sl_trace_kernel_filter level)
{
    char *text = NULL;
    size_t len;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return NULL;
    fputs("protocol == 6", out);
    if (filter->range_count && level != SL_TRACE_FILTER_TCP) {
        fputs(" && (", out);
        if (level == SL_TRACE_FILTER_EXACT) {
            for (int i = 0; i < filter->range_count; i++) {
                fputs(i ? " || " : "", out);
                port_condition(out, filter->ranges[i].low, filter->ranges[i].high);
            }
        } else {
            unsigned low = 65535, high = 0;
            for (int i = 0; i < filter->range_count; i++) {
                low = filter->ranges[i].low < low ? filter->ranges[i].low : low;
                high = filter->ranges[i].high > high ? filter->ranges[i].high : high;
            }
            port_condition(out, low, high);
        }
        fputc(')', out);
    }
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* "sockdash-PID" for a PID that no longer runs (or is ours: then it was left
 * by an earlier process with our number, since we have not made ours yet). */
static bool stale_instance(const char *name)
{
    if (strncmp(name, INSTANCE_PREFIX, strlen(INSTANCE_PREFIX)))
        return false;
    const char *digits = name + strlen(INSTANCE_PREFIX);
    char *end;
    errno = 0;
    long pid = strtol(digits, &end, 10);
    if (errno || end == digits || *end || pid <= 0 || pid > 4194304)
        return false;
    return pid == getpid() || (kill((pid_t)pid, 0) != 0 && errno == ESRCH);
}

static int remove_if_stale(const char *name, void *context)
{
    (void)context;
    if (!stale_instance(name))
        return 0;
    struct tracefs_instance *stale = tracefs_instance_alloc(NULL, name);
    if (stale) {
        tracefs_instance_destroy(stale);    /* EBUSY if someone still reads it: kept */
        tracefs_instance_free(stale);
    }
    return 0;
}

static const char *const level_names[] = {
    [SL_TRACE_FILTER_EXACT] = N_("the exact port filter"),
    [SL_TRACE_FILTER_SPAN] = N_("a filter on the span of the ports"),
    [SL_TRACE_FILTER_TCP] = N_("a filter on TCP alone"),
};

/* Give the kernel the finest filter it accepts, from `first` on. */
static bool set_kernel_filter(struct sl_trace *t, enum sl_trace_kernel_filter first,
                              char *why, size_t why_len)
{
    int refused = 0;
    for (int level = first; level <= SL_TRACE_FILTER_TCP; level++) {
        char *text = sl_trace_filter_text(&t->filter, (enum sl_trace_kernel_filter)level);
        if (!text) {
            snprintf(why, why_len, "%s", _("out of memory"));
            return false;
        }
        bool taken = tracefs_event_file_write(t->instance, SYSTEM, EVENT, "filter", text) >= 0;
        if (!taken && !refused)
            refused = errno;
        free(text);
        if (taken) {
            t->kernel_filter = (enum sl_trace_kernel_filter)level;
            if (level != (int)first)
                snprintf(why, why_len, _("the kernel refused %s for %d port ranges (%s), so "
                                         "it runs %s and the ports are checked here"),
                         _(level_names[first]), t->filter.range_count,
                         strerrorname_np(refused), _(level_names[level]));
            return true;
        }
    }
    snprintf(why, why_len, _("the kernel refused every filter for the tracepoint %s:%s (%s)"),
             SYSTEM, EVENT, strerrorname_np(refused));
    return false;
}

struct sl_trace *sl_trace_open_from(const struct sl_filter *filter,
                                    enum sl_trace_kernel_filter first, char *why,
                                    size_t why_len)
{
    why[0] = '\0';
    if (geteuid() != 0) {
        snprintf(why, why_len, "%s",
                 _("--trace needs root (the tracepoint is read through tracefs)"));
        return NULL;
    }
    if (!tracefs_tracing_dir()) {
        snprintf(why, why_len, "%s",
                 _("tracefs is neither mounted nor mountable at /sys/kernel/tracing"));
        return NULL;
    }
    struct sl_trace *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(why, why_len, "%s", _("out of memory"));
        return NULL;
    }
    t->fd = -1;
    t->filter = *filter;
    tracefs_instances_walk(remove_if_stale, NULL);
    char name[32];
    snprintf(name, sizeof name, INSTANCE_PREFIX "%d", (int)getpid());
    if (tracefs_instance_exists(name)) {            /* still read: a sockdash elsewhere */
        snprintf(why, why_len, _("the trace instance %s is in use by a sockdash in another PID "
                                 "namespace"), name);
        free(t);
        return NULL;
    }
    if (!(t->instance = tracefs_instance_create(name))) {
        snprintf(why, why_len, _("a trace instance cannot be made in tracefs (%s)"),
                 strerror(errno));
        free(t);
        return NULL;
    }
    if (!tracefs_event_file_exists(t->instance, SYSTEM, EVENT, "enable")) {
        snprintf(why, why_len, _("this kernel has no tracepoint %s:%s"), SYSTEM, EVENT);
        sl_trace_close(t);
        return NULL;
    }
    if (!set_kernel_filter(t, first, why, why_len)) {
        sl_trace_close(t);
        return NULL;
    }
    /* Room for a burst: at 5,000 connections a second on the filter's ports the
     * events come at 50,000 a second, and the instance's default (1.4 MB a CPU)
     * would be overwritten before a refresh drains it. Best effort. */
    tracefs_instance_file_write(t->instance, "buffer_size_kb", "8192");
    if (tracefs_event_enable(t->instance, SYSTEM, EVENT) != 0 ||
        (t->fd = tracefs_instance_file_open(t->instance, "trace_pipe",
                                            O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
        snprintf(why, why_len, _("the tracepoint %s:%s cannot be read (%s)"), SYSTEM, EVENT,
                 strerror(errno));
        sl_trace_close(t);
        return NULL;
    }
    return t;
}

struct sl_trace *sl_trace_open(const struct sl_filter *filter, char *why, size_t why_len)
{
    return sl_trace_open_from(filter, SL_TRACE_FILTER_EXACT, why, why_len);
}

enum sl_trace_kernel_filter sl_trace_kernel_filter(const struct sl_trace *t)
{
    return t->kernel_filter;
}

int sl_trace_fd(const struct sl_trace *t)
{
    return t->fd;
}

void sl_trace_close(struct sl_trace *t)
{
    if (!t)
        return;
    if (t->fd >= 0)
        close(t->fd);                       /* an open trace_pipe keeps the instance busy */
    tracefs_instance_destroy(t->instance);  /* disables its events with it */
    tracefs_instance_free(t->instance);
    free(t);
}

/* The value of key= in line, copied into out; false when it is not there. */
static bool field(const char *line, const char *key, char *out, size_t len)
{
    char pattern[32];
    snprintf(pattern, sizeof pattern, " %s=", key);
    const char *at = strstr(line, pattern);
    if (!at)
        return false;
    at += strlen(pattern);
    size_t n = strcspn(at, " \n");
    if (n == 0 || n >= len)
        return false;
    memcpy(out, at, n);
    out[n] = '\0';
    return true;
}

static int state_from_trace(const char *name)
{
    static const char *const names[] = {
        [SL_TCP_ESTABLISHED] = "TCP_ESTABLISHED", [SL_TCP_SYN_SENT] = "TCP_SYN_SENT",
        [SL_TCP_SYN_RECV] = "TCP_SYN_RECV", [SL_TCP_FIN_WAIT1] = "TCP_FIN_WAIT1",
        [SL_TCP_FIN_WAIT2] = "TCP_FIN_WAIT2", [SL_TCP_TIME_WAIT] = "TCP_TIME_WAIT",
        [SL_TCP_CLOSE] = "TCP_CLOSE", [SL_TCP_CLOSE_WAIT] = "TCP_CLOSE_WAIT",
        [SL_TCP_LAST_ACK] = "TCP_LAST_ACK", [SL_TCP_LISTEN] = "TCP_LISTEN",
        [SL_TCP_CLOSING] = "TCP_CLOSING", [SL_TCP_NEW_SYN_RECV] = "TCP_NEW_SYN_RECV",
        [SL_TCP_BOUND_INACTIVE] = "TCP_BOUND_INACTIVE",
    };
    for (int s = 1; s < SL_TCP_STATE_COUNT; s++)
        if (!strcmp(name, names[s]))
            return s;
    return -1;
}

bool sl_trace_parse_line(const char *line, struct sl_change *out)
{
    char family[16], protocol[24], sport[8], dport[8], saddr[64], daddr[64], old[32], new[32];
    const char *event = strstr(line, "inet_sock_set_state:");
    if (!event || !field(event, "family", family, sizeof family) ||
        !field(event, "protocol", protocol, sizeof protocol) ||
        strcmp(protocol, "IPPROTO_TCP") || !field(event, "sport", sport, sizeof sport) ||
        !field(event, "dport", dport, sizeof dport) ||
        !field(event, "oldstate", old, sizeof old) || !field(event, "newstate", new, sizeof new))
        return false;
    bool v6 = !strcmp(family, "AF_INET6");
    if (!v6 && strcmp(family, "AF_INET"))
        return false;
    if (!field(event, v6 ? "saddrv6" : "saddr", saddr, sizeof saddr) ||
        !field(event, v6 ? "daddrv6" : "daddr", daddr, sizeof daddr))
        return false;
    memset(out, 0, sizeof *out);
    out->tuple.family = v6 ? AF_INET6 : AF_INET;
    if (inet_pton(out->tuple.family, saddr, out->tuple.local) != 1 ||
        inet_pton(out->tuple.family, daddr, out->tuple.peer) != 1)
        return false;
    out->tuple.local_port = (uint16_t)atoi(sport);
    out->tuple.peer_port = (uint16_t)atoi(dport);
    int from = state_from_trace(old), to = state_from_trace(new);
    if (from < 0 || to < 0)
        return false;
    out->kind = SL_CHANGED;
    out->from = (uint8_t)from;
    out->to = (uint8_t)to;
    return true;
}

/* Whether the change is on the filter's ports: the kernel's filter may be
 * coarser than ours. */
static bool on_our_ports(const struct sl_trace *t, const struct sl_change *c)
{
    return sl_filter_port_match(&t->filter, c->tuple.local_port) ||
           sl_filter_port_match(&t->filter, c->tuple.peer_port);
}

void sl_trace_read(struct sl_trace *t, struct sl_changes *out)
{
    for (;;) {
        ssize_t n = read(t->fd, t->pending + t->pending_len,
                         sizeof t->pending - 1 - t->pending_len);
        if (n <= 0)
            return;                                 /* EAGAIN: nothing more for now */
        t->pending_len += (size_t)n;
        t->pending[t->pending_len] = '\0';
        char *line = t->pending, *nl;
        while ((nl = strchr(line, '\n'))) {
            *nl = '\0';
            struct sl_change c;
            if (sl_trace_parse_line(line, &c) && on_our_ports(t, &c))
                sl_changes_add(out, &c);
            line = nl + 1;
        }
        t->pending_len = strlen(line);              /* keep the unfinished line */
        memmove(t->pending, line, t->pending_len + 1);
        if (t->pending_len == sizeof t->pending - 1)
            t->pending_len = 0;                     /* a line this long is not ours */
    }
}
