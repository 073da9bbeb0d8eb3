/* lab_tui_sockets.c — the sockets pane of the labs' --tui presenter: the
 * lab's own ports looked at (sock_diag, as ss) and fed to the dashboard's
 * model, which lights what changed since the last look; drawn with the
 * dashboard's widgets: the RFC 9293 diagram with counts and lit edges (or the
 * states in a row), the table, the transitions. Other programs' sockets on
 * those ports are left out. */
#include "lab_tui_internal.h"

#include "socklab/check.h"
#include "socklab/clock.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define TIMEWAIT_LEN_MS 60000   /* Linux's TCP_TIMEWAIT_LEN: a TIME-WAIT record's whole timer */
#define TIMER_SLACK_MS 2000     /* the timer's granularity, and the lab's start-up */

void sl_sockets_pane_start(struct sl_lab *lab)
{
    struct sl_lab_tui *t = lab->tui;
    sl_tui_model_init(&t->model);
    t->model.gone_last = true;                  /* closed rows never hide live ones */
    if (lab->opt.base_port) {                   /* what is there before the lab is not its own */
        struct sl_filter filter;
        sl_filter_init(&filter);
        int count = lab->info->ports > 0 ? lab->info->ports : 1;
        sl_filter_add_range(&filter, lab->opt.base_port,
                            (uint16_t)(lab->opt.base_port + count - 1));
        sl_snapshot_take_via(lab->diag, &t->before, &filter, SL_SOURCE_AUTO);
    }
}

void sl_sockets_pane_free(struct sl_lab_tui *t)
{
    sl_tui_model_free(&t->model);
    sl_snapshot_free(&t->frames[0]);
    sl_snapshot_free(&t->frames[1]);
    sl_snapshot_free(&t->before);
    sl_changes_free(&t->changes);
}

void sl_sockets_pane_look_for(struct sl_lab_tui *t, const char *look)
{
    struct sl_tui_model *m = &t->model;
    m->first_count = look ? sl_states_named(look, m->first_states, 8) : 0;
    sl_tui_model_sort(m);
    m->selected = 0;                            /* the first of them in view */
}

int sl_sockets_pane_rows_wanted(const struct sl_lab_tui *t)
{
    const struct sl_tui_model *m = &t->model;
    return (int)(m->first_count ? sl_tui_model_first_rows(m) : m->row_count);
}

/* Whether a socket on the lab's ports is another program's: there before the
 * lab began (with --port, the ports were looked at first), or a TIME-WAIT
 * record older than this run of the lab (its timer starts at 60 s). */
static bool not_the_labs(const struct sl_lab_tui *t, const struct sl_socket *s, double now)
{
    if (t->before.count && sl_snapshot_find(&t->before, &s->tuple))
        return true;
    if (s->state != SL_TCP_TIME_WAIT || s->timer != SL_TIMER_TIMEWAIT)
        return false;
    double age = TIMEWAIT_LEN_MS - (double)s->timer_ms;
    return age > now - t->start_ms + TIMER_SLACK_MS;
}

static void leave_out_others(const struct sl_lab_tui *t, struct sl_snapshot *snap, double now)
{
    size_t kept = 0;
    for (size_t i = 0; i < snap->count; i++)
        if (!not_the_labs(t, &snap->sockets[i], now))
            snap->sockets[kept++] = snap->sockets[i];
    snap->count = kept;
}

static bool same_ports(const struct sl_filter *a, const struct sl_filter *b)
{
    return a->range_count == b->range_count &&
           !memcmp(a->ranges, b->ranges, (size_t)a->range_count * sizeof a->ranges[0]);
}

/* The lab tracks other ports now (sl_lab_untrack_all, then a step's own):
 * what is outside them leaves the table at once, and the next diff does not
 * take it for closed, because the frame it compares with is cut down too. */
static void narrow_to(struct sl_lab_tui *t, const struct sl_filter *ports)
{
    struct sl_snapshot *last = &t->frames[t->newest];
    size_t kept = 0;
    for (size_t i = 0; i < last->count; i++)
        if (sl_filter_match(ports, &last->sockets[i]))
            last->sockets[kept++] = last->sockets[i];
    last->count = kept;
    sl_tui_model_keep(&t->model, ports);
}

/* Look at the lab's ports and feed the model a frame (at most every
 * `every_ms`, and at once when they changed): the dashboard's model lights
 * what changed since the last look. */
void sl_sockets_pane_look(struct sl_lab *lab, double every_ms)
{
    struct sl_lab_tui *t = lab->tui;
    double now = sl_clock_ms();
    if (!lab->port_count)
        return;
    struct sl_filter filter;
    sl_filter_init(&filter);
    for (int i = 0; i < lab->port_count; i++)
        sl_filter_add_range(&filter, lab->ports[i], lab->ports[i]);
    bool moved = t->frame_count > 0 && !same_ports(&filter, &t->ports);
    if (!moved && now - t->looked_ms < every_ms)
        return;                                 /* new ports are looked at at once */
    t->looked_ms = now;
    if (moved)
        narrow_to(t, &filter);
    t->ports = filter;
    int next = 1 - t->newest;
    if (!sl_lab_take(lab, false, &t->frames[next])) {  /* lookups; a dump now and then */
        if (!t->look_error)                     /* what is shown is older: say so */
            t->failing_since = now;
        t->look_error = errno ? errno : EIO;
        return;
    }
    t->look_error = 0;
    leave_out_others(t, &t->frames[next], now);
    t->changes.count = 0;
    if (t->frame_count++ > 0)
        sl_watch_diff(&t->frames[t->newest], &t->frames[next], &t->changes);
    t->newest = next;
    sl_tui_model_apply(&t->model, &t->frames[next], NULL, NULL, &t->changes, now - t->start_ms);
}

void sl_sockets_pane_draw_table(struct sl_lab *lab, struct sl_tui_rect r)
{
    struct sl_lab_tui *t = lab->tui;
    sl_tui_draw_table(&t->model, r, false);
    if (!t->look_error || r.h < 1)
        return;
    char why[128], line[400];
    sl_errno_describe(t->look_error, why, sizeof why);
    snprintf(line, sizeof line, _("not refreshed for %.0f s: the kernel's socket list cannot "
                                  "be read here, %s"), (sl_clock_ms() - t->failing_since) / 1000,
             why);
    sl_tui_put_words(r.y + r.h - 1, r.x, r.w, line, SL_TUI_UNSURE);
}

/* The sockets: the richest diagram that leaves room for a table, the table,
 * the log when there is room; when the table is on the screen already (the
 * stacked lesson), a short space goes to the log instead. */
void sl_sockets_pane_draw(struct sl_lab *lab, struct sl_tui_rect r, bool table_elsewhere)
{
    struct sl_lab_tui *t = lab->tui;
    sl_tui_clear(r);
    struct sl_tui_rect rest = r;
    const struct sl_diagram_layout *full = sl_diagram_layout(SL_DIAGRAM_FULL);
    const struct sl_diagram_layout *compact = sl_diagram_layout(SL_DIAGRAM_COMPACT);
    const struct sl_diagram_layout *form = r.w >= full->width && r.h >= full->height + 8 ? full
                                         : r.w >= compact->width && r.h >= compact->height + 3
                                         ? compact : NULL;
    if (form) {
        struct sl_tui_rect d = { r.y, r.x + (r.w - form->width) / 2, form->height, form->width };
        sl_tui_draw_diagram(&t->model, form == full ? SL_DIAGRAM_FULL : SL_DIAGRAM_COMPACT, d);
        rest = (struct sl_tui_rect){ r.y + form->height, r.x, r.h - form->height, r.w };
    } else {
        int lines = sl_diagram_strip(r.w, t->model.counts, NULL, NULL, NULL);
        sl_tui_draw_strip(&t->model, (struct sl_tui_rect){ r.y, r.x, lines, r.w });
        rest = (struct sl_tui_rect){ r.y + lines, r.x, r.h - lines, r.w };
    }
    if (rest.h >= 12) {
        int log_h = rest.h / 3;
        sl_sockets_pane_draw_table(lab, (struct sl_tui_rect){ rest.y, rest.x, rest.h - log_h,
                                                              rest.w });
        sl_tui_draw_log(&t->model, (struct sl_tui_rect){ rest.y + rest.h - log_h, rest.x, log_h,
                                                          rest.w });
    } else if (table_elsewhere && rest.h >= 2) {
        sl_tui_draw_log(&t->model, rest);
    } else if (rest.h >= 3) {
        sl_sockets_pane_draw_table(lab, rest);
    }
}
