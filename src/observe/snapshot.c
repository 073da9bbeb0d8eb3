/* snapshot.c — a snapshot's storage and its lookups: sockets, their tuples,
 * a census (see snapshot.h). It knows no source: diag.c and its two sources
 * fill it. */
#include "socklab/snapshot.h"

#include "socklab/addr.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct sl_socket *sl_snapshot_add(struct sl_snapshot *snap)
{
    if (snap->count == snap->capacity) {
        size_t capacity = snap->capacity ? snap->capacity * 2 : 1024;
        struct sl_socket *grown = realloc(snap->sockets, capacity * sizeof *grown);
        if (!grown)
            return NULL;
        snap->sockets = grown;
        snap->capacity = capacity;
    }
    struct sl_socket *s = &snap->sockets[snap->count++];
    memset(s, 0, sizeof *s);
    return s;
}

void sl_snapshot_free(struct sl_snapshot *snap)
{
    free(snap->sockets);
    memset(snap, 0, sizeof *snap);
}

const char *sl_timer_name(int timer)
{
    static const char *const names[] = { "off", "on", "keepalive", "timewait", "persist" };
    return timer >= 0 && timer <= SL_TIMER_PERSIST ? names[timer] : "unknown";
}

bool sl_tuple_equal(const struct sl_tuple *a, const struct sl_tuple *b)
{
    size_t n = a->family == AF_INET6 ? 16 : 4;
    return a->family == b->family && a->local_port == b->local_port &&
           a->peer_port == b->peer_port && !memcmp(a->local, b->local, n) &&
           !memcmp(a->peer, b->peer, n);
}

int sl_tuple_compare(const struct sl_tuple *a, const struct sl_tuple *b)
{
    if (a->family != b->family)
        return a->family - b->family;
    int c = memcmp(a->local, b->local, 16);
    if (c)
        return c;
    if (a->local_port != b->local_port)
        return a->local_port - b->local_port;
    c = memcmp(a->peer, b->peer, 16);
    if (c)
        return c;
    return a->peer_port - b->peer_port;
}

const struct sl_socket *sl_snapshot_find(const struct sl_snapshot *snap,
                                         const struct sl_tuple *tuple)
{
    for (size_t i = 0; i < snap->count; i++)
        if (sl_tuple_equal(&snap->sockets[i].tuple, tuple))
            return &snap->sockets[i];
    return NULL;
}

struct sl_tuple sl_tuple_other_end(const struct sl_tuple *t)
{
    struct sl_tuple o = *t;
    memcpy(o.local, t->peer, sizeof o.local);
    memcpy(o.peer, t->local, sizeof o.peer);
    o.local_port = t->peer_port;
    o.peer_port = t->local_port;
    return o;
}

int sl_snapshot_count(const struct sl_snapshot *snap, void *census)
{
    const struct sl_census *c = census;
    int n = 0;
    for (size_t i = 0; i < snap->count; i++) {
        const struct sl_socket *s = &snap->sockets[i];
        n += (c->states & SL_STATE_BIT(s->state)) &&
             (!c->local_port || s->tuple.local_port == c->local_port) &&
             (!c->peer_port || s->tuple.peer_port == c->peer_port);
    }
    return n;
}

int sl_snapshot_opener(const struct sl_snapshot *snap, const struct sl_tuple *t)
{
    if (!t->peer_port)
        return -1;                                 /* a listener itself, or unconnected */
    for (size_t i = 0; i < snap->count; i++) {
        const struct sl_socket *l = &snap->sockets[i];
        if (l->state != SL_TCP_LISTEN || l->tuple.family != t->family)
            continue;
        if (l->tuple.local_port == t->local_port)
            return 0;
        if (l->tuple.local_port == t->peer_port)
            return 1;
    }
    return -1;
}

char *sl_tuple_local(const struct sl_tuple *t, char *buf, size_t len)
{
    return sl_addr_format_raw(t->family, t->local, t->local_port, buf, len);
}

char *sl_tuple_peer(const struct sl_tuple *t, char *buf, size_t len)
{
    return sl_addr_format_raw(t->family, t->peer, t->peer_port, buf, len);
}

static void side_of(const struct sockaddr_storage *ss, uint8_t *addr, uint16_t *port)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        memcpy(addr, &in->sin_addr, 4);
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        memcpy(addr, &in6->sin6_addr, 16);
    }
    *port = sl_addr_port((const struct sockaddr *)ss);
}

void sl_tuple_from_addrs(const struct sockaddr_storage *local,
                         const struct sockaddr_storage *peer, struct sl_tuple *out)
{
    memset(out, 0, sizeof *out);
    out->family = (uint8_t)local->ss_family;
    side_of(local, out->local, &out->local_port);
    if (peer)
        side_of(peer, out->peer, &out->peer_port);
}

bool sl_tuple_of_fd(int fd, struct sl_tuple *out)
{
    struct sockaddr_storage local, peer;
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (getsockname(fd, (struct sockaddr *)&local, &local_len) == -1)
        return false;
    bool connected = getpeername(fd, (struct sockaddr *)&peer, &peer_len) == 0;
    sl_tuple_from_addrs(&local, connected ? &peer : NULL, out);
    return true;
}
