/* capture.c — libpcap on a loopback, filtered in the kernel (see capture.h). */
#include "socklab/capture.h"

#include "socklab/clock.h"
#include "socklab/i18n.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sl_capture {
    pcap_t *pcap;
    int link;
    double realtime_minus_monotonic_ms;
    struct sl_flows flows;
    unsigned long undecoded;
    void (*each)(const struct sl_segment *, void *);
    void *arg;
    int handed;
};

static double realtime_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* How far the realtime clock is ahead of the monotonic one. Two clocks are
 * never read at once: each realtime reading is bracketed by two monotonic
 * ones and paired with their middle, and the tightest of a few brackets is
 * kept. Read once, one after the other, an interrupt or a preemption
 * between the two reads would shift every segment of the lab later by as
 * long, and a lab's call windows are a few microseconds wide (a RST that
 * close() sent then seems to come after it). */
static double realtime_minus_monotonic_ms(void)
{
    double best_gap = -1, offset = 0;
    for (int i = 0; i < 8; i++) {
        double before = sl_clock_ms(), real = realtime_ms(), after = sl_clock_ms();
        if (best_gap < 0 || after - before < best_gap) {
            best_gap = after - before;
            offset = real - (before + after) / 2;
        }
    }
    return offset;
}

int sl_capture_open(struct sl_capture **out, const char *device, char *why, size_t len)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    struct sl_capture *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    c->pcap = pcap_create(device, err);
    if (!c->pcap) {
        snprintf(why, len, _("cannot capture on %s: %s"), device, err);
        free(c);
        return -ENODEV;
    }
    /* Immediate mode: each frame readable at once (libpcap then uses a ring
     * whose frames need no block to fill up), headers only, a fixed ring,
     * nanosecond stamps. */
    pcap_set_immediate_mode(c->pcap, 1);
    pcap_set_snaplen(c->pcap, SL_CAPTURE_SNAPLEN);
    pcap_set_buffer_size(c->pcap, SL_CAPTURE_BUFFER);
    pcap_set_tstamp_precision(c->pcap, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(c->pcap);
    if (rc < 0) {
        int e = rc == PCAP_ERROR_PERM_DENIED ? -EPERM : rc == PCAP_ERROR_NO_SUCH_DEVICE
                ? -ENODEV : -EIO;
        snprintf(why, len, _("cannot capture on %s: %s"), device, pcap_geterr(c->pcap));
        pcap_close(c->pcap);
        free(c);
        return e;
    }
    if (pcap_setnonblock(c->pcap, 1, err) == -1) {
        snprintf(why, len, _("cannot make the capture non-blocking: %s"), err);
        pcap_close(c->pcap);
        free(c);
        return -EIO;
    }
    c->link = pcap_datalink(c->pcap);
    /* One conversion, measured once: realtime stamps to the monotonic clock. */
    c->realtime_minus_monotonic_ms = realtime_minus_monotonic_ms();
    sl_flows_init(&c->flows);
    *out = c;
    return sl_capture_ports(c, NULL, 0);
}

int sl_capture_ports(struct sl_capture *c, const uint16_t *ports, int count)
{
    char expr[16 + SL_CAPTURE_MAX_PORTS * 16];
    size_t n;
    if (count < 0)
        n = (size_t)snprintf(expr, sizeof expr, "tcp");
    else if (count == 0)
        n = (size_t)snprintf(expr, sizeof expr, "tcp and port 0");   /* nothing yet */
    else if (count > SL_CAPTURE_MAX_PORTS)
        n = (size_t)snprintf(expr, sizeof expr, "tcp");
    else {
        n = (size_t)snprintf(expr, sizeof expr, "tcp and (");
        for (int i = 0; i < count && n < sizeof expr; i++)
            n += (size_t)snprintf(expr + n, sizeof expr - n, "%sport %u", i ? " or " : "",
                                  ports[i]);
        if (n < sizeof expr)
            n += (size_t)snprintf(expr + n, sizeof expr - n, ")");
    }
    if (n >= sizeof expr)
        return -E2BIG;
    struct bpf_program program;
    if (pcap_compile(c->pcap, &program, expr, 1, PCAP_NETMASK_UNKNOWN) == -1)
        return -EINVAL;
    int rc = pcap_setfilter(c->pcap, &program);
    pcap_freecode(&program);
    return rc == -1 ? -EIO : 0;
}

static void one_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct sl_capture *c = (struct sl_capture *)user;
    struct sl_segment s;
    if (sl_segment_decode(c->link, bytes, h->caplen, &s) != 0) {
        c->undecoded++;
        return;
    }
    /* With nanosecond precision libpcap puts nanoseconds in tv_usec. */
    s.t_ms = (double)h->ts.tv_sec * 1e3 + (double)h->ts.tv_usec / 1e6 -
             c->realtime_minus_monotonic_ms;
    sl_flows_relate(&c->flows, &s);
    c->handed++;
    c->each(&s, c->arg);
}

int sl_capture_read(struct sl_capture *c, int max,
                    void (*each)(const struct sl_segment *s, void *arg), void *arg)
{
    c->each = each;
    c->arg = arg;
    c->handed = 0;
    int rc = pcap_dispatch(c->pcap, max > 0 ? max : 1, one_frame, (u_char *)c);
    if (rc == PCAP_ERROR)
        return -EIO;
    return c->handed;
}

int sl_capture_fd(const struct sl_capture *c)
{
    return pcap_get_selectable_fd(c->pcap);
}

void sl_capture_losses(struct sl_capture *c, unsigned long *dropped, unsigned long *undecoded)
{
    struct pcap_stat st;
    *dropped = pcap_stats(c->pcap, &st) == 0 ? st.ps_drop : 0;
    *undecoded = c->undecoded;
}

void sl_capture_close(struct sl_capture *c)
{
    if (!c)
        return;
    pcap_close(c->pcap);
    free(c);
}
