/* screen.c — the dashboard on screen (see screen.h): what goes in the
 * header, the help bar and the help; the panels are the shared widgets. */
#include "screen.h"

#include "socklab/i18n.h"
#include "socklab/text.h"
#include "socklab/tui_panels.h"

#include <stdio.h>
#include <string.h>

static unsigned group_count(const struct sl_tui_model *m, const char *group)
{
    sl_state_mask mask = sl_state_group(group);
    unsigned n = 0;
    for (int s = 0; s < SL_TCP_STATE_COUNT; s++)
        if (mask & SL_STATE_BIT(s))
            n += m->counts[s];
    return n;
}

static void draw_header(const struct sl_tui_model *m, const struct dash_status *st, int cols)
{
    unsigned listening = group_count(m, "listening"), opening = group_count(m, "opening");
    unsigned established = m->counts[SL_TCP_ESTABLISHED], closing = group_count(m, "closing");
    char counts[256], counts_brief[160], where[256], where_brief[160], filter[160];
    snprintf(counts, sizeof counts,
             sl_plural(m->socket_count, "%zu socket: listening %u  opening %u  established %u  "
                                        "closing %u",
                       "%zu sockets: listening %u  opening %u  established %u  closing %u"),
             m->socket_count, listening, opening, established, closing);
    snprintf(counts_brief, sizeof counts_brief, _("%zu: listen %u open %u estab %u closing %u"),
             m->socket_count, listening, opening, established, closing);
    if (st->replay) {
        const char *end = st->replay_frame == st->replay_frames ? _(" (end)") : "";
        snprintf(where, sizeof where, _("replay %s frame %zu/%zu%s"), st->source,
                 st->replay_frame, st->replay_frames, end);
        snprintf(where_brief, sizeof where_brief, _("replay %zu/%zu%s"), st->replay_frame,
                 st->replay_frames, end);
    } else {
        snprintf(where, sizeof where, _("%s%s every %d ms"), st->source,
                 st->tracing ? "+trace" : "", st->interval_ms);
        snprintf(where_brief, sizeof where_brief, "%s%s %dms", st->source,
                 st->tracing ? "+trace" : "", st->interval_ms);
    }
    snprintf(filter, sizeof filter, "%s", st->filter);
    struct sl_tui_segment parts[5];
    int n = 0;
    parts[n++] = (struct sl_tui_segment){ " sockdash", NULL, 0 };
    parts[n++] = (struct sl_tui_segment){ counts, counts_brief, 1 };
    parts[n++] = (struct sl_tui_segment){ where, where_brief, 2 };
    if (st->paused)
        parts[n++] = (struct sl_tui_segment){ _("PAUSED"), NULL, 4 };
    if (filter[0])
        parts[n++] = (struct sl_tui_segment){ filter, NULL, 3 };
    char line[512];
    sl_tui_fit_segments(parts, n, " | ", cols, line, sizeof line);
    sl_tui_put(0, 0, cols, line, SL_TUI_HEADER);
}

static void draw_prompt(const struct dash_status *st, int y, int cols)
{
    static const char *const intros[] = {
        N_(" filter (ports 80,8000-8100 | states listen,time-wait | process NAME|pid=N; "
           "empty: none): "),
        N_(" filter (ports, states, process; empty: none): "),
        N_(" filter: "),
    };
    char line[512];
    int typed = sl_text_columns(st->prompt);        /* columns: the input may be any UTF-8 */
    for (size_t i = 0; i < sizeof intros / sizeof intros[0]; i++) {
        const char *text = _(intros[i]);
        int room = cols > 0 ? cols : 0, intro = sl_text_columns(text);
        bool last = i + 1 == sizeof intros / sizeof intros[0];
        if (intro + typed + 1 <= room || last) {
            const char *shown = st->prompt;
            if (intro + typed + 1 > room && room > intro + 2)  /* the end of what is typed */
                shown = sl_text_suffix(st->prompt, room - intro - 2);
            snprintf(line, sizeof line, "%s%s%s_", text, shown == st->prompt ? "" : "<", shown);
            break;
        }
    }
    sl_tui_put(y, 0, cols, line, SL_TUI_KEYS);
}

static void draw_help_bar(const struct sl_tui_model *m, const struct dash_status *st,
                          enum dash_view shown, int y, int cols)
{
    if (st->prompt) {
        draw_prompt(st, y, cols);
        return;
    }
    char line[512];
    if (st->message) {
        snprintf(line, sizeof line, " %s", st->message);
        sl_tui_put_words(y, 0, cols, line, SL_TUI_BOLD);
        return;
    }
    char sort[96], sort_brief[64], view[96], view_brief[64], enter[96], enter_brief[64];
    snprintf(enter, sizeof enter, _("Enter:explain(%s)"), st->cell);
    snprintf(enter_brief, sizeof enter_brief, "Enter:%s", st->cell);
    snprintf(sort, sizeof sort, _("s:sort(%s%s)"), sl_tui_sort_name(m->sort),
             m->sort_reverse ? _(",rev") : "");
    snprintf(sort_brief, sizeof sort_brief, "s:%s%s", sl_tui_sort_name(m->sort),
             m->sort_reverse ? _(",rev") : "");
    snprintf(view, sizeof view, _("Tab:view(%s)"), _(dash_view_name(shown)));
    snprintf(view_brief, sizeof view_brief, "Tab:%s", _(dash_view_name(shown)));
    /* The keys of the panels (Enter, i, c) come in only where the bar has room
     * for them beside the others in full (the short forms of the others are for
     * narrow terminals, and ? lists every key): all three, Enter alone, or none. */
    const struct sl_tui_segment before[] = {
        { _(" ?:help"), NULL, 9 },
        { _("/:filter"), NULL, 7 },
        { sort, sort_brief, 5 },
        { st->paused ? _("p:resume") : _("p:pause"), NULL, 8 },
        { _("space:step"), NULL, 3 },
    }, panels[] = {
        { enter, NULL, 4 },
        { st->info_table ? _("i:sockets") : "i:tcp_info", NULL, 4 },
        { st->show_closed ? _("c:transitions") : _("c:closed"), NULL, 4 },
    }, after[] = {
        { _("+/-:interval"), _("+/-:rate"), 2 },
        { view, view_brief, 6 },
        { _("q:quit"), NULL, 9 },
    };
    enum { BEFORE = 5, PANELS = 3, AFTER = 3 };
    int width = -2, panel_width[PANELS];         /* in columns: the keys may be translated */
    for (int k = 0; k < BEFORE; k++)
        width += sl_text_columns(before[k].full) + 2;
    for (int k = 0; k < AFTER; k++)
        width += sl_text_columns(after[k].full) + 2;
    for (int k = 0; k < PANELS; k++)
        panel_width[k] = sl_text_columns(panels[k].full) + 2;
    int panel_keys = width + panel_width[0] + panel_width[1] + panel_width[2] <= cols ? 3
              : width + panel_width[0] <= cols ? 1 : 0;
    struct sl_tui_segment keys[BEFORE + PANELS + AFTER];
    int n = 0;
    for (int k = 0; k < BEFORE; k++)
        keys[n++] = before[k];
    for (int k = 0; k < panel_keys; k++)
        keys[n++] = panels[k];
    for (int k = 0; k < AFTER; k++)
        keys[n++] = after[k];
    sl_tui_draw_bar(y, cols, keys, n);
}

/* The help replaces the body: nothing of the panels shows through it. It is
 * the keys, the legend the labs' --tui shows too (a section: whole on a page
 * of its own where it does not fit beside the keys, so at 80x24 "? twice"
 * shows it, as in a lab), then the diagram and the cost, on as many pages as
 * this size needs (80x24: three; a tall terminal fewer), each with its
 * paging line. Returns where it is. */
static struct sl_tui_scroll draw_help(struct sl_tui_rect body, int page, const char *cost)
{
    static const char *const paragraphs[] = {
        N_("sockdash: the kernel's TCP sockets, live"),
        "",
        N_("Up/Down, PgUp/PgDn, Home/End: select a socket; its state lights up."),
        N_("/: filter by ports (80,8000-8100), states (listen,time-wait, closing...), a "
           "process name or pid=N; empty clears it."),
        N_("s / S: sort by the next column / reverse the order."),
        N_("p: pause the screen (collection goes on: nothing is missed)."),
        N_("space: show the latest while paused (one frame in a replay)."),
        N_("+ / -: refresh less / more often."),
        N_("Tab: the next view (all, diagram, table) this size offers."),
        N_("Left/Right: choose a cell of the selected row; Enter: explain it in words (its "
           "state and how it got there, its queues, its timer, its owner, its lab)."),
        N_("i: the table shows each connection's tcp_info (RTT, cwnd, ssthresh, unacked, "
           "retransmissions, windows, bytes, delivery rate) and a sparkline of the selected "
           "one's RTT and cwnd over the last minute."),
        N_("c: the connections that ended, instead of the transitions: how each ended (FIN, "
           "RST, timed out), its duration, bytes each way, retransmissions, final RTT."),
        N_("q, F10: quit.   ? or space: the next page; other keys close the help."),
        "",
        SL_TUI_SECTION,                                  /* the legend goes here */
        "",
        SL_TUI_SECTION,
        N_("The diagram is RFC 9293's state machine: each box counts the sockets in that "
           "state, an edge lights up when a socket takes it and fades after a few refreshes. "
           "A socket gone without TIME-WAIT lights RST/abort, which the figure leaves out. "
           "Polling sees a socket every interval and can miss states that last microseconds "
           "(LAST-ACK on loopback): the log says 'poll' for what it inferred, 'trace' for "
           "what --trace saw exactly."),
        N_("Cost: a refresh looks the known sockets up one by one (hash lookups, batched); "
           "only a discovery (every few seconds, after a listener's queue grows, after a "
           "key) walks every socket of the machine, as ss does."),
    };
    enum { N = sizeof paragraphs / sizeof paragraphs[0], MOST = N + 16 };
    const char *const *legend;
    int legend_count = sl_tui_legend(&legend), n = 0;
    const char *shown[MOST];
    bool bold[MOST] = { true };
    bool legend_done = false;
    for (int k = 0; k < N && n < MOST; k++) {
        const char *p = paragraphs[k];
        if (!strcmp(p, SL_TUI_SECTION) && !legend_done) {   /* the keys, then the legend */
            legend_done = true;
            shown[n++] = p;
            for (int i = 0; i < legend_count && n < MOST; i++) {
                bold[n] = i == 0;                  /* its heading */
                shown[n++] = legend[i][0] ? _(legend[i]) : "";  /* (gettext("") is the header) */
            }
            continue;
        }
        shown[n++] = !strncmp(p, "Cost: ", 6) && cost && *cost ? cost   /* what this session */
                   : p[0] && strcmp(p, SL_TUI_SECTION) ? _(p) : p;     /* has cost, in its place */
    }
    int width = body.w - 4 > 76 ? 76 : body.w - 4;
    sl_tui_clear(body);
    struct sl_tui_rect text = { body.y + 1, body.x + (body.w - width) / 2, body.h - 1, width };
    return sl_tui_draw_scrolled(text, shown, n, bold, SL_TUI_BY_PAGE, page - 1,
                                _("? or space: next page  PgUp: back  other keys: close"));
}

/* "rtt ▁▂▅▂ 0.031 ms  cwnd ▁▁▂▃ 10  (last 60 s)" for the selected connection. */
static void sparkline_of_selected(const struct sl_tui_model *m, const struct dash_status *st,
                                  int width, char *out, size_t len)
{
    const struct sl_tui_row *row = sl_tui_model_selected(m);
    double rtt[HISTORY_SAMPLES], cwnd[HISTORY_SAMPLES];
    int n = row && st->history ? history_get(st->history, row->socket.cookie, st->now_ms, rtt,
                                             cwnd, HISTORY_SAMPLES) : 0;
    if (n == 0) {
        snprintf(out, len, "%s", row ? _("no tcp_info for this socket (a listener's RTT "
                                         "and a TIME-WAIT record's are none)") : "");
        return;
    }
    int each = (width - 44) / 2;                   /* two lines of samples and their labels */
    each = each < 4 ? 4 : each > HISTORY_SAMPLES ? HISTORY_SAMPLES : each;
    char a[HISTORY_SAMPLES * 3 + 1], b[HISTORY_SAMPLES * 3 + 1];   /* 3 bytes a block */
    sl_tui_sparkline(rtt, n, each, a, sizeof a);
    sl_tui_sparkline(cwnd, n, each, b, sizeof b);
    snprintf(out, len, _("rtt %s %.3f ms  cwnd %s %.0f  (last %d s)"), a, rtt[n - 1], b,
             cwnd[n - 1], HISTORY_SPAN_MS / 1000);
}

struct dash_layout dash_screen_draw(const struct sl_tui_model *m, struct dash_status *st)
{
    int rows, cols;
    sl_tui_size(&rows, &cols);
    struct dash_layout lay;
    dash_layout(cols, rows, st->view, &lay);
    sl_tui_frame_begin();
    if (lay.too_small) {
        sl_tui_draw_too_small(rows, cols, DASH_MIN_COLS, DASH_MIN_ROWS);
        sl_tui_frame_end();
        return lay;
    }
    draw_header(m, st, cols);
    struct sl_tui_rect body = { 1, 0, rows - 2, cols };
    if (st->help) {
        struct sl_tui_scroll at = draw_help(body, st->help, st->cost);
        st->help = at.at + 1;
        st->help_pages = at.count;
    } else if (st->explanation) {
        int width = body.w - 4 > 76 ? 76 : body.w - 4;
        sl_tui_clear(body);
        st->explanation_skip = sl_tui_draw_explanation(
            (struct sl_tui_rect){ body.y + 1, body.x + (body.w - width) / 2, body.h - 1, width },
            st->explanation_title, st->explanation, st->explanation_skip).at;
    } else {
        if (lay.diagram.h)
            sl_tui_draw_diagram(m, lay.form, lay.diagram);
        if (lay.strip.h)
            sl_tui_draw_strip(m, lay.strip);
        if (lay.table.h && st->info_table) {
            char spark[1024];
            sparkline_of_selected(m, st, lay.table.w, spark, sizeof spark);
            sl_tui_draw_info_table(m, lay.table, spark);
        } else if (lay.table.h) {
            sl_tui_draw_table(m, lay.table, true);
        }
        if (lay.log.h && st->show_closed && st->closed)
            sl_tui_draw_closed(st->closed, lay.log, st->start_ms);
        else if (lay.log.h)
            sl_tui_draw_log(m, lay.log);
    }
    draw_help_bar(m, st, lay.view, lay.help.y, cols);
    sl_tui_frame_end();
    return lay;
}
