/* capture.h — the TCP segments of a few ports, captured on a loopback.
 *
 * libpcap on one device ("lo": the private network's loopback, or the
 * machine's as root), filtered in the kernel (a BPF program compiled from
 * "tcp and (port A or port B ...)") so that only the ports asked for are
 * copied. Each frame is decoded (segment.h) and related to its connection.
 *
 * Bounded in memory and time:
 *  - the kernel writes frames into a ring of fixed size (SL_CAPTURE_BUFFER);
 *    when a reader falls behind the kernel drops frames and counts them (the
 *    counts say so), it never grows the ring or blocks the sender;
 *  - only the headers are copied (SL_CAPTURE_SNAPLEN bytes a frame);
 *  - the handle is non-blocking: sl_capture_read takes what is there, at
 *    most `max` frames, and returns. Nothing here reads on its own (no
 *    thread, no signal): the caller chooses when, and a step engine reads
 *    only between a lab's calls, never while one is being timed.
 *
 * On loopback a frame passes the device twice (sent, then received); libpcap
 * keeps one copy — the received one — so each segment is delivered once (the
 * kernel's count of frames seen is then twice the segments).
 *
 * Timestamps are the kernel's, on the realtime clock; they are converted
 * once, at open, to the monotonic clock of sl_clock_ms(), so a segment's time
 * compares with the times of the calls that caused it.
 *
 * Functions return 0 (or a count) or -errno, with one sentence in `why`
 * where they take one. */
#ifndef SOCKLAB_CAPTURE_H
#define SOCKLAB_CAPTURE_H

#include "socklab/segment.h"

#include <stddef.h>
#include <stdint.h>

#define SL_CAPTURE_BUFFER (2 << 20)     /* bytes of kernel ring */
#define SL_CAPTURE_SNAPLEN 160          /* Ethernet + IPv6 + TCP with every option */
#define SL_CAPTURE_MAX_PORTS 48         /* more than this: every TCP port of the device */

struct sl_capture;

/* Open a capture on `device` (needs CAP_NET_RAW over its network: root, or
 * a private network). It captures nothing until sl_capture_ports. */
int sl_capture_open(struct sl_capture **out, const char *device, char *why, size_t len);

/* Capture these ports (either end of a segment), and only these; count < 0:
 * every TCP port of the device. */
int sl_capture_ports(struct sl_capture *c, const uint16_t *ports, int count);

/* Decode the frames waiting, at most max, and hand each segment to `each`.
 * Returns how many were handed, or -errno. Never waits. */
int sl_capture_read(struct sl_capture *c, int max,
                    void (*each)(const struct sl_segment *s, void *arg), void *arg);

/* A descriptor that polls readable when a frame waits. */
int sl_capture_fd(const struct sl_capture *c);

/* Frames the kernel dropped for want of room, and frames that were not
 * decoded (not TCP, truncated), since open. */
void sl_capture_losses(struct sl_capture *c, unsigned long *dropped, unsigned long *undecoded);

void sl_capture_close(struct sl_capture *c);

#endif
