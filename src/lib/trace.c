/* trace.c — the inet_sock_set_state tracepoint through tracefs (see trace.h).
 *
 * A private instance (instances/sockdash-PID) keeps our filter and buffer
 * apart from anyone else's tracing. The filter runs in the kernel, so only
 * TCP events on the watched ports reach us. A line of trace_pipe looks like:
 *
 *   sockdash-1234 [001] ..s1. 812.123: inet_sock_set_state: family=AF_INET
 *   protocol=IPPROTO_TCP sport=8080 dport=40212 saddr=127.0.0.1 daddr=127.0.0.1
 *   saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.1 oldstate=TCP_ESTABLISHED
 *   newstate=TCP_FIN_WAIT1
 */
#include "socklab/trace.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRACEFS "/sys/kernel/tracing"
#define EVENT "events/sock/inet_sock_set_state"

struct sl_trace {
    char dir[128];              /* the instance */
    int fd;                     /* its trace_pipe, non-blocking */
    bool mounted_here;          /* tracefs was mounted by us */
    char pending[4096];         /* a line split across reads */
    size_t pending_len;
};

static bool write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    close(fd);
    return ok;
}

void sl_trace_filter_text(const struct sl_filter *filter, char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "protocol == 6");
    for (int i = 0; i < filter->range_count && used < len; i++) {
        const struct sl_port_range *r = &filter->ranges[i];
        used += (size_t)snprintf(buf + used, len - used,
                                 "%s(sport >= %u && sport <= %u) || (dport >= %u && dport <= %u)",
                                 i ? " || " : " && (", r->low, r->high, r->low, r->high);
    }
    if (filter->range_count && used < len)
        snprintf(buf + used, len - used, ")");
}

struct sl_trace *sl_trace_open(const struct sl_filter *filter, char *why, size_t why_len)
{
    if (geteuid() != 0) {
        snprintf(why, why_len, "--trace needs root (the tracepoint is read through tracefs)");
        return NULL;
    }
    struct sl_trace *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(why, why_len, "out of memory");
        return NULL;
    }
    t->fd = -1;
    if (access(TRACEFS "/instances", F_OK) != 0) {
        if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) != 0) {
            snprintf(why, why_len, "tracefs is not available at " TRACEFS " (%s)", strerror(errno));
            free(t);
            return NULL;
        }
        t->mounted_here = true;
    }
    snprintf(t->dir, sizeof t->dir, TRACEFS "/instances/sockdash-%d", (int)getpid());
    char filter_text[1024], path[256];
    sl_trace_filter_text(filter, filter_text, sizeof filter_text);
    snprintf(path, sizeof path, "%s/trace_pipe", t->dir);
    if (mkdir(t->dir, 0700) != 0 || !write_file(t->dir, EVENT "/filter", filter_text) ||
        !write_file(t->dir, EVENT "/enable", "1") ||
        (t->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
        snprintf(why, why_len, "the tracepoint sock:inet_sock_set_state cannot be used (%s)",
                 strerror(errno));
        sl_trace_close(t);
        return NULL;
    }
    return t;
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
        close(t->fd);
    write_file(t->dir, EVENT "/enable", "0");
    rmdir(t->dir);
    if (t->mounted_here)
        umount2(TRACEFS, MNT_DETACH);
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
            if (sl_trace_parse_line(line, &c))
                sl_changes_add(out, &c);
            line = nl + 1;
        }
        t->pending_len = strlen(line);              /* keep the unfinished line */
        memmove(t->pending, line, t->pending_len + 1);
        if (t->pending_len == sizeof t->pending - 1)
            t->pending_len = 0;                     /* a line this long is not ours */
    }
}
