/* diag_proc.c — TCP sockets from /proc/net/tcp and /proc/net/tcp6, the source
 * netstat reads, for when netlink is not there.
 *
 * A line, as the kernel prints it (net/ipv4/tcp_ipv4.c, get_tcp4_sock):
 *
 *    sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
 *    0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 41287 ...
 *
 * Mind two things. Addresses are the raw 32-bit words printed with %08X: read
 * back into a uint32_t and stored as-is, they give the bytes in network order
 * on any host (IPv6 is four such words). And tm->when is in clock ticks
 * (USER_HZ, see sysconf(_SC_CLK_TCK)), not in milliseconds.
 *
 * /proc does not give the backlog of a listener (Send-Q is 0 there) nor the
 * tcp_info fields; everything else matches the netlink source. */
#include "diag_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void store_words(uint8_t *addr, const unsigned *words, int count)
{
    for (int i = 0; i < count; i++) {
        uint32_t w = words[i];
        memcpy(addr + 4 * i, &w, 4);
    }
}

static int parse_line(const char *line, int family, long ticks_per_second,
                      struct sl_socket *s)
{
    unsigned local[4] = { 0 }, peer[4] = { 0 };
    unsigned local_port, peer_port, state, tx, rx, timer, retransmits, uid;
    unsigned long when, inode;
    int probes, n;
    if (family == AF_INET)
        n = sscanf(line, " %*d: %8x:%4x %8x:%4x %2x %8x:%8x %2x:%8lx %8x %u %d %lu",
                   &local[0], &local_port, &peer[0], &peer_port, &state, &tx, &rx,
                   &timer, &when, &retransmits, &uid, &probes, &inode);
    else
        n = sscanf(line, " %*d: %8x%8x%8x%8x:%4x %8x%8x%8x%8x:%4x %2x %8x:%8x %2x:%8lx %8x "
                         "%u %d %lu",
                   &local[0], &local[1], &local[2], &local[3], &local_port,
                   &peer[0], &peer[1], &peer[2], &peer[3], &peer_port, &state, &tx, &rx,
                   &timer, &when, &retransmits, &uid, &probes, &inode);
    if (n != (family == AF_INET ? 13 : 19) || !sl_state_valid((int)state) ||
        timer > SL_TIMER_PERSIST)
        return -EBADMSG;

    memset(s, 0, sizeof *s);
    s->tuple.family = (uint8_t)family;
    store_words(s->tuple.local, local, family == AF_INET ? 1 : 4);
    store_words(s->tuple.peer, peer, family == AF_INET ? 1 : 4);
    s->tuple.local_port = (uint16_t)local_port;
    s->tuple.peer_port = (uint16_t)peer_port;
    s->state = (uint8_t)state;
    s->timer = (uint8_t)timer;
    s->timer_ms = timer ? (uint32_t)(when * 1000 / (unsigned long)ticks_per_second) : 0;
    s->retransmits = retransmits > 255 ? 255 : (uint8_t)retransmits;
    s->recv_q = rx;
    s->send_q = tx;
    s->uid = uid;
    s->inode = inode;
    return 0;
}

int sl_diag_parse_proc(const char *text, int family, const struct sl_filter *filter,
                       struct sl_snapshot *snap)
{
    long ticks = sysconf(_SC_CLK_TCK);
    if (ticks <= 0)
        ticks = 100;
    const char *line = strchr(text, '\n');        /* the first line is the header */
    if (!line)
        return *text ? -EBADMSG : 0;
    for (line++; *line; ) {
        const char *end = strchr(line, '\n');
        struct sl_socket parsed;
        if (parse_line(line, family, ticks, &parsed) < 0)
            return -EBADMSG;
        if (sl_filter_match(filter, &parsed)) {
            struct sl_socket *s = sl_snapshot_add(snap);
            if (!s)
                return -ENOMEM;
            *s = parsed;
        }
        if (!end)
            break;
        line = end + 1;
    }
    return 0;
}

/* The whole file, NUL-terminated, in a buffer the caller frees; NULL on error. */
static char *read_all(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t size = 0, room = 1 << 16;
    char *text = malloc(room);
    for (;;) {
        if (!text)
            break;
        if (size + 4096 > room) {
            char *grown = realloc(text, room *= 2);
            if (!grown) {
                free(text);
                text = NULL;
                break;
            }
            text = grown;
        }
        ssize_t n = read(fd, text + size, room - size - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0) {
                free(text);
                text = NULL;
            }
            break;
        }
        size += (size_t)n;
    }
    int saved = errno;
    close(fd);
    errno = saved;
    if (text)
        text[size] = '\0';
    return text;
}

int sl_diag_take_proc(struct sl_snapshot *snap, const struct sl_filter *filter)
{
    static const struct { const char *path; int family; } files[] = {
        { "/proc/net/tcp", AF_INET }, { "/proc/net/tcp6", AF_INET6 },
    };
    for (size_t i = 0; i < 2; i++) {
        char *text = read_all(files[i].path);
        if (!text) {
            if (files[i].family == AF_INET6 && errno == ENOENT)
                continue;                        /* a kernel without IPv6 */
            return -errno;
        }
        int rc = sl_diag_parse_proc(text, files[i].family, filter, snap);
        free(text);
        if (rc < 0)
            return rc;
    }
    return 0;
}
