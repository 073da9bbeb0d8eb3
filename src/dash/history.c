/* history.c — RTT and cwnd over the last minute, per connection (see history.h). */
#include "history.h"

#include <string.h>

static struct history_entry *entry_for(struct history *h, uint64_t cookie)
{
    struct history_entry *oldest = &h->entries[0];
    for (int i = 0; i < HISTORY_SOCKETS; i++) {
        struct history_entry *e = &h->entries[i];
        if (e->cookie == cookie)
            return e;
        if (e->last_ms < oldest->last_ms)
            oldest = e;
    }
    memset(oldest, 0, sizeof *oldest);             /* forget the least recent */
    oldest->cookie = cookie;
    return oldest;
}

void history_add(struct history *h, const struct sl_snapshot *snap, double now)
{
    for (size_t i = 0; i < snap->count; i++) {
        const struct sl_socket *s = &snap->sockets[i];
        if (!s->has_info || !s->cookie || s->state == SL_TCP_LISTEN)
            continue;
        struct history_entry *e = entry_for(h, s->cookie);
        e->at[e->next] = now;
        e->rtt_ms[e->next] = (float)(s->info.rtt_us / 1000.0);
        e->cwnd[e->next] = (float)s->info.snd_cwnd;
        e->next = (e->next + 1) % HISTORY_SAMPLES;
        if (e->count < HISTORY_SAMPLES)
            e->count++;
        e->last_ms = now;
    }
}

int history_get(const struct history *h, uint64_t cookie, double now, double *rtt_ms,
                double *cwnd, int room)
{
    for (int i = 0; cookie && i < HISTORY_SOCKETS; i++) {
        const struct history_entry *e = &h->entries[i];
        if (e->cookie != cookie)
            continue;
        int n = 0;
        for (int k = 0; k < e->count && n < room; k++) {
            int at = (e->next - e->count + k + HISTORY_SAMPLES) % HISTORY_SAMPLES;
            if (now - e->at[at] > HISTORY_SPAN_MS)
                continue;
            rtt_ms[n] = e->rtt_ms[at];
            cwnd[n++] = e->cwnd[at];
        }
        return n;
    }
    return 0;
}
