/* tui_model.c — what the screens show between frames (see tui.h): rows, counts, the log, lit edges. */
#include "socklab/tui.h"

#include "tui_internal.h"

#include "socklab/i18n.h"
#include "socklab/tuple_index.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void sl_tui_model_init(struct sl_tui_model *m)
{
    memset(m, 0, sizeof *m);
}

void sl_tui_model_free(struct sl_tui_model *m)
{
    free(m->rows);
    memset(m, 0, sizeof *m);
}

static void light(struct sl_tui_model *m, int edge)
{
    if (edge >= 0 && edge < SL_DIAGRAM_MARKS)
        m->edge_lit[edge] = m->frame + 1;          /* + 1: 0 means never */
}

/* Light what a change passed through, and say how an end was drawn. A poll
 * may skip states (ESTAB, then TIME-WAIT one refresh later): the shortest
 * path is lit, because the state reached proves it. An end is the figure's
 * edge to CLOSED, the reset mark, or nothing (see sl_diagram_end); a socket
 * that appears is lit only where the figure is unambiguous. */
static enum sl_tui_ending light_change(struct sl_tui_model *m, const struct sl_change *c,
                                     bool traced)
{
    if (c->kind == SL_APPEARED) {
        light(m, sl_diagram_edge_of(SL_TCP_CLOSE, c->to));
        return SL_TUI_ENDING_NONE;
    }
    if (c->kind == SL_GONE || c->to == SL_TCP_CLOSE) {
        int mark = sl_diagram_end(c->from, traced);
        light(m, mark);
        if (mark < 0)
            return sl_diagram_closed_first(c->from) ? SL_TUI_ENDING_TIMED_OUT
                                                    : SL_TUI_ENDING_UNSEEN;
        return mark == SL_DIAGRAM_RESET ? SL_TUI_ENDING_RESET : SL_TUI_ENDING_CLOSED;
    }
    int direct = sl_diagram_edge_of(c->from, c->to);
    if (direct >= 0) {
        light(m, direct);
        return SL_TUI_ENDING_NONE;
    }
    int path[8];
    int n = sl_diagram_path(c->from, c->to, path, 8);
    for (int i = 0; i < n; i++)
        light(m, path[i]);
    return SL_TUI_ENDING_NONE;
}

void sl_tui_model_log(struct sl_tui_model *m, const struct sl_change *c, bool traced, double now)
{
    struct sl_tui_log_entry *e = &m->log[m->log_next];
    *e = (struct sl_tui_log_entry){ .at = now, .kind = c->kind, .tuple = c->tuple,
                                  .from = c->from, .to = c->to, .traced = traced };
    m->log_next = (m->log_next + 1) % SL_TUI_LOG_CAPACITY;
    if (m->log_count < SL_TUI_LOG_CAPACITY)
        m->log_count++;
    e->ending = light_change(m, c, traced);
}

const char *sl_tui_log_destination(const struct sl_tui_log_entry *e)
{
    switch (e->ending) {
    case SL_TUI_ENDING_CLOSED: return "CLOSED";
    case SL_TUI_ENDING_RESET: return _("gone (RST or abort)");
    case SL_TUI_ENDING_UNSEEN: return _("gone (LAST-ACK unseen, or RST)");
    case SL_TUI_ENDING_TIMED_OUT: return _("gone (timed out, or RST)");
    default: return e->to == SL_TCP_CLOSE ? "CLOSED" : sl_state_name(e->to);
    }
}

const struct sl_tui_log_entry *sl_tui_model_log_entry(const struct sl_tui_model *m, size_t i)
{
    if (i >= m->log_count)
        return NULL;
    return &m->log[(m->log_next + SL_TUI_LOG_CAPACITY - 1 - i) % SL_TUI_LOG_CAPACITY];
}

int sl_tui_model_edge_heat(const struct sl_tui_model *m, int edge)
{
    if (edge < 0 || edge >= SL_DIAGRAM_MARKS || !m->edge_lit[edge])
        return 0;
    unsigned age = m->frame + 1 - m->edge_lit[edge];   /* 0: taken in the latest frame */
    return age >= SL_TUI_LIT_FRAMES ? 0 : (int)(SL_TUI_LIT_FRAMES - age);
}

static struct sl_tui_row *add_row(struct sl_tui_row **rows, size_t *count, size_t *capacity)
{
    if (*count == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 64;
        struct sl_tui_row *bigger = realloc(*rows, grown * sizeof *bigger);
        if (!bigger)
            return NULL;
        *rows = bigger;
        *capacity = grown;
    }
    struct sl_tui_row *r = &(*rows)[(*count)++];
    memset(r, 0, sizeof *r);
    return r;
}

/* Sockets that just went (a polled change says so) stay a while, marked
 * gone; so do those still within their few seconds, unless the kernel lists
 * their tuple again. Both sides are found by hashes of their tuples
 * (tuple_index.h): a machine's table holds tens of thousands of rows and a
 * refresh hundreds of ends, and comparing each with each stalled the screen.
 * (Out of memory, the indexes are empty: no closed row is kept.) */
static void keep_gone_rows(const struct sl_tui_model *m, const struct sl_snapshot *snap,
                           const struct sl_changes *changes, double now,
                           struct sl_tui_row **rows, size_t *count, size_t *capacity)
{
    struct sl_tuple_index ends, listed;
    bool listed_built = false;
    sl_tuple_index_build(&ends, changes ? changes->items : NULL, changes ? changes->count : 0,
                         sizeof *changes->items, offsetof(struct sl_change, tuple));
    for (size_t i = 0; i < m->row_count; i++) {
        const struct sl_tui_row *old = &m->rows[i];
        bool still_shown = old->gone_at && now - old->gone_at < SL_TUI_GONE_KEEP_MS;
        bool just_gone = false;
        size_t at = sl_tuple_index_start(&ends, &old->socket.tuple);
        for (long c; !old->gone_at && !just_gone &&
                     (c = sl_tuple_index_next(&ends, &old->socket.tuple, &at)) >= 0;)
            just_gone = changes->items[c].kind == SL_GONE;
        if (!still_shown && !just_gone)
            continue;
        if (!listed_built) {
            sl_tuple_index_build(&listed, snap->sockets, snap->count, sizeof *snap->sockets,
                                 offsetof(struct sl_socket, tuple));
            listed_built = true;
        }
        struct sl_tui_row *r;
        if (sl_tuple_index_find(&listed, &old->socket.tuple) < 0 &&
            (r = add_row(rows, count, capacity))) {
            *r = *old;
            if (just_gone)
                r->gone_at = now;
        }
    }
    if (listed_built)
        sl_tuple_index_free(&listed);
    sl_tuple_index_free(&ends);
}

void sl_tui_model_apply(struct sl_tui_model *m, const struct sl_snapshot *snap,
                      const struct sl_owner *owners, const struct sl_changes *traced,
                      const struct sl_changes *changes, double now)
{
    size_t count = 0, capacity = snap->count + 16;  /* the closed rows kept grow it */
    struct sl_tui_row *rows = malloc(capacity * sizeof *rows), *r;
    if (!rows)
        capacity = 0;
    struct sl_tuple selected;
    bool had_selection = m->selected < m->row_count;
    if (had_selection)
        selected = m->rows[m->selected].socket.tuple;

    m->frame++;
    m->now = now;
    memset(m->counts, 0, sizeof m->counts);
    for (size_t i = 0; i < snap->count; i++) {
        if (!(r = add_row(&rows, &count, &capacity)))
            break;
        r->socket = snap->sockets[i];
        if (owners)
            r->owner = owners[i];
        m->counts[sl_diagram_box_state(r->socket.state)]++;
    }
    m->socket_count = count;
    keep_gone_rows(m, snap, changes, now, &rows, &count, &capacity);
    free(m->rows);
    m->rows = rows;
    m->row_count = count;
    m->row_capacity = capacity;

    for (size_t c = 0; traced && c < traced->count; c++)
        sl_tui_model_log(m, &traced->items[c], true, now);
    for (size_t c = 0; changes && c < changes->count; c++)
        sl_tui_model_log(m, &changes->items[c], false, now);

    sl_tui_model_sort(m);
    m->selected = 0;
    for (size_t i = 0; had_selection && i < m->row_count; i++)
        if (sl_tuple_equal(&m->rows[i].socket.tuple, &selected))
            m->selected = i;
    sl_tui_measure_rows(m);
}

void sl_tui_model_keep(struct sl_tui_model *m, const struct sl_filter *f)
{
    struct sl_tuple selected;
    bool had_selection = m->selected < m->row_count;
    if (had_selection)
        selected = m->rows[m->selected].socket.tuple;
    size_t kept = 0, live = 0;
    memset(m->counts, 0, sizeof m->counts);
    for (size_t i = 0; i < m->row_count; i++) {
        if (!sl_filter_match(f, &m->rows[i].socket))
            continue;
        m->rows[kept] = m->rows[i];
        if (!m->rows[kept].gone_at) {
            m->counts[sl_diagram_box_state(m->rows[kept].socket.state)]++;
            live++;
        }
        kept++;
    }
    m->row_count = kept;
    m->socket_count = live;
    m->selected = 0;
    for (size_t i = 0; had_selection && i < m->row_count; i++)
        if (sl_tuple_equal(&m->rows[i].socket.tuple, &selected))
            m->selected = i;
    sl_tui_measure_rows(m);
}

/* Where a row goes before the sort key: the states named first, in their
 * order; then the rest; closed rows last when the viewer asks. */
static int rank(const struct sl_tui_model *m, const struct sl_tui_row *r)
{
    if (r->gone_at && m->gone_last)
        return m->first_count + 1;
    int state = r->socket.state == SL_TCP_NEW_SYN_RECV ? SL_TCP_SYN_RECV : r->socket.state;
    for (int i = 0; i < m->first_count; i++)
        if (m->first_states[i] == state && !r->gone_at)
            return i;
    return m->first_count;
}

size_t sl_tui_model_first_rows(const struct sl_tui_model *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->row_count; i++)
        n += rank(m, &m->rows[i]) < m->first_count;
    return n;
}

/* The tuple seen from the peer's side, to sort by peer first. */
static struct sl_tuple reversed(const struct sl_tuple *t)
{
    struct sl_tuple r = *t;
    memcpy(r.local, t->peer, 16);
    memcpy(r.peer, t->local, 16);
    r.local_port = t->peer_port;
    r.peer_port = t->local_port;
    return r;
}

static int compare_rows(const void *pa, const void *pb, void *context)
{
    const struct sl_tui_row *a = pa, *b = pb;
    const struct sl_tui_model *m = context;
    int c = rank(m, a) - rank(m, b);
    if (c)
        return c;
    switch (m->sort) {
    case SL_TUI_SORT_STATE: c = a->socket.state - b->socket.state; break;
    case SL_TUI_SORT_LOCAL: c = sl_tuple_compare(&a->socket.tuple, &b->socket.tuple); break;
    case SL_TUI_SORT_PEER: {
        struct sl_tuple ra = reversed(&a->socket.tuple), rb = reversed(&b->socket.tuple);
        c = sl_tuple_compare(&ra, &rb);
        break;
    }
    case SL_TUI_SORT_RECVQ: c = (a->socket.recv_q > b->socket.recv_q) - (a->socket.recv_q < b->socket.recv_q); break;
    case SL_TUI_SORT_SENDQ: c = (a->socket.send_q > b->socket.send_q) - (a->socket.send_q < b->socket.send_q); break;
    case SL_TUI_SORT_TIMER: c = (a->socket.timer_ms > b->socket.timer_ms) - (a->socket.timer_ms < b->socket.timer_ms); break;
    case SL_TUI_SORT_OWNER: c = strcmp(a->owner.command, b->owner.command); break;
    default: break;
    }
    if (m->sort_reverse)
        c = -c;
    if (!c)                                 /* a stable, total order: the table never jitters */
        c = sl_tuple_compare(&a->socket.tuple, &b->socket.tuple);
    return c;
}

void sl_tui_model_sort(struct sl_tui_model *m)
{
    if (!m->row_count)
        return;
    struct sl_tuple selected = m->rows[m->selected < m->row_count ? m->selected : 0].socket.tuple;
    qsort_r(m->rows, m->row_count, sizeof m->rows[0], compare_rows, m);
    for (size_t i = 0; i < m->row_count; i++)
        if (sl_tuple_equal(&m->rows[i].socket.tuple, &selected))
            m->selected = i;
}

void sl_tui_model_move(struct sl_tui_model *m, long delta)
{
    if (!m->row_count) {
        m->selected = 0;
        return;
    }
    long at = (long)m->selected + delta;
    if (at < 0)
        at = 0;
    if (at >= (long)m->row_count)
        at = (long)m->row_count - 1;
    m->selected = (size_t)at;
}

const struct sl_tui_row *sl_tui_model_selected(const struct sl_tui_model *m)
{
    return m->selected < m->row_count ? &m->rows[m->selected] : NULL;
}

const char *sl_tui_sort_name(enum sl_tui_sort sort)
{
    static const char *const names[] = { "state", "local", "peer", "recv-q", "send-q",
                                         "timer", "owner" };
    return sort < SL_TUI_SORT_KEYS ? names[sort] : "?";
}
