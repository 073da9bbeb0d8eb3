/* screen.c — the dashboard on screen (see screen.h).
 *
 * Line drawing goes through ncurses' ACS characters, so the diagram is drawn
 * with box-drawing glyphs where the terminal has them and with + - | where it
 * has not. Colour marks what is alive (states with sockets, edges just taken,
 * the selected socket's state); without colour, bold and reverse do. */
#include "screen.h"

#include "text.h"

#include "socklab/diagram.h"
#include "socklab/present.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PAIR_LIT = 1, PAIR_WARM, PAIR_ALIVE, PAIR_HEAD, PAIR_KEY, PAIR_GONE };

static bool colour;
static int table_rows;

void dash_screen_start(void)
{
    initscr();
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    const char *no_colour = getenv("NO_COLOR");
    colour = has_colors() && !(no_colour && *no_colour);
    if (colour) {
        start_color();
        use_default_colors();
        init_pair(PAIR_LIT, COLOR_YELLOW, -1);
        init_pair(PAIR_WARM, COLOR_YELLOW, -1);
        init_pair(PAIR_ALIVE, COLOR_GREEN, -1);
        init_pair(PAIR_HEAD, COLOR_BLACK, COLOR_CYAN);
        init_pair(PAIR_KEY, COLOR_BLACK, COLOR_CYAN);
        init_pair(PAIR_GONE, COLOR_RED, -1);
    }
}

void dash_screen_stop(void)
{
    if (!isendwin())
        endwin();
}

int dash_screen_table_rows(void)
{
    return table_rows > 1 ? table_rows : 1;
}

static attr_t paint(int pair, attr_t fallback)
{
    return colour ? (attr_t)COLOR_PAIR(pair) | (fallback & A_BOLD) : fallback;
}

/* Text at y, x, cut or padded to exactly `width` columns (wide characters
 * counted as the terminal counts them). */
static void put(int y, int x, int width, const char *text, attr_t attr)
{
    if (width <= 0)
        return;
    wchar_t wide[512];
    int used = dash_text_fit(text, width < 511 ? width : 511, wide, 512);
    attron(attr);
    mvaddwstr(y, x, wide);
    for (int i = used; i < width; i++)
        addch(' ');
    attroff(attr);
}

static chtype glyph(const struct sl_diagram_cell *c)
{
    switch (c->glyph) {
    case SL_GLYPH_CHAR: return (chtype)(unsigned char)c->ch;
    case SL_GLYPH_HLINE: return ACS_HLINE;
    case SL_GLYPH_VLINE: return ACS_VLINE;
    case SL_GLYPH_ULCORNER: return ACS_ULCORNER;
    case SL_GLYPH_URCORNER: return ACS_URCORNER;
    case SL_GLYPH_LLCORNER: return ACS_LLCORNER;
    case SL_GLYPH_LRCORNER: return ACS_LRCORNER;
    case SL_GLYPH_CROSS: return ACS_PLUS;
    case SL_GLYPH_RARROW: return ACS_RARROW;
    case SL_GLYPH_LARROW: return ACS_LARROW;
    case SL_GLYPH_UARROW: return ACS_UARROW;
    case SL_GLYPH_DARROW: return ACS_DARROW;
    default: return ' ';
    }
}

static void draw_diagram(const struct dash_model *m, struct dash_rect r)
{
    static struct sl_diagram_cell grid[SL_DIAGRAM_HEIGHT][SL_DIAGRAM_WIDTH];
    size_t box_count;
    const struct sl_diagram_box *boxes = sl_diagram_boxes(&box_count);
    const struct dash_row *sel = dash_model_selected(m);
    int selected_state = sel && !sel->gone_at ? sl_diagram_box_state(sel->socket.state) : -1;
    sl_diagram_render(grid, m->counts);
    for (int y = 0; y < SL_DIAGRAM_HEIGHT && y < r.h; y++)
        for (int x = 0; x < SL_DIAGRAM_WIDTH && x < r.w; x++) {
            const struct sl_diagram_cell *c = &grid[y][x];
            attr_t attr = A_NORMAL;
            if (c->box >= 0) {
                int state = boxes[c->box].state;
                if (state == selected_state)
                    attr = A_REVERSE | A_BOLD;
                else if (state != SL_TCP_CLOSE && m->counts[state])
                    attr = paint(PAIR_ALIVE, A_BOLD);
            } else if (c->edge >= 0) {
                int heat = dash_model_edge_heat(m, c->edge);
                if (heat >= DASH_LIT_FRAMES - 1)
                    attr = paint(PAIR_LIT, A_BOLD);
                else if (heat > 0)
                    attr = paint(PAIR_WARM, A_NORMAL);
                else if (c->label)
                    attr = A_DIM;
            }
            mvaddch(r.y + y, r.x + x, glyph(c) | attr);
        }
}

static void format_queues(const struct sl_socket *s, char *recv_q, char *send_q, size_t len)
{
    if (s->state == SL_TCP_LISTEN) {             /* a listener's queues mean something else */
        snprintf(recv_q, len, "q=%u", s->recv_q);
        snprintf(send_q, len, "bl=%u", s->send_q);
    } else {
        snprintf(recv_q, len, "%u", s->recv_q);
        snprintf(send_q, len, "%u", s->send_q);
    }
}

static void draw_meaning(const struct dash_row *row, struct dash_rect r, int y)
{
    char line[256];
    if (!row) {
        put(y, r.x, r.w, "no sockets match the filter", A_DIM);
        return;
    }
    const struct sl_socket *s = &row->socket;
    if (row->gone_at)
        snprintf(line, sizeof line, "closed: the kernel no longer lists this socket "
                                    "(it stays here a few seconds)");
    else if (s->state == SL_TCP_LISTEN)
        snprintf(line, sizeof line, "LISTEN: %s; accept queue %u of backlog %u",
                 sl_state_meaning(s->state), s->recv_q, s->send_q);
    else
        snprintf(line, sizeof line, "%s: %s", sl_state_name(s->state), sl_state_meaning(s->state));
    put(y, r.x, r.w, line, A_BOLD);
}

static void draw_table(const struct dash_model *m, struct dash_rect r)
{
    static const struct { const char *head; int width; } cols[] = {
        { "State", 11 }, { "Recv-Q", 7 }, { "Send-Q", 7 }, { "Local Address:Port", 21 },
        { "Peer Address:Port", 21 }, { "Timer", 13 }, { "Owner", 0 },
    };
    int n = 7, x = r.x, widths[7];
    for (int c = 0; c < n; c++) {
        int left = r.x + r.w - x;
        widths[c] = c == n - 1 || cols[c].width > left ? left : cols[c].width;
        if (c < n - 1 && cols[c].width + 8 > left) {  /* narrow: the last columns go */
            widths[c] = left;
            n = c + 1;
        }
        put(r.y, x, widths[c], cols[c].head, A_BOLD | A_UNDERLINE);
        x += widths[c];
    }
    table_rows = r.h - 2;                           /* heading and meaning line */
    size_t first = m->selected >= (size_t)table_rows ? m->selected - (size_t)table_rows + 1 : 0;
    for (int i = 0; i < table_rows; i++) {
        size_t at = first + (size_t)i;
        int y = r.y + 1 + i;
        if (at >= m->row_count) {
            put(y, r.x, r.w, "", A_NORMAL);
            continue;
        }
        const struct dash_row *row = &m->rows[at];
        const struct sl_socket *s = &row->socket;
        char cells[7][96];
        snprintf(cells[0], sizeof cells[0], "%s", row->gone_at ? "CLOSED" : sl_state_name(s->state));
        format_queues(s, cells[1], cells[2], sizeof cells[1]);
        sl_tuple_local(&s->tuple, cells[3], sizeof cells[3]);
        sl_tuple_peer(&s->tuple, cells[4], sizeof cells[4]);
        sl_timer_format(s, cells[5], sizeof cells[5]);
        if (row->owner.pid)
            snprintf(cells[6], sizeof cells[6], "%d/%s", row->owner.pid, row->owner.command);
        else
            snprintf(cells[6], sizeof cells[6], "-");
        attr_t attr = at == m->selected ? A_REVERSE : row->gone_at ? paint(PAIR_GONE, A_DIM)
                                                                 : A_NORMAL;
        x = r.x;
        for (int c = 0; c < n; c++) {
            put(y, x, widths[c], cells[c], attr);
            x += widths[c];
        }
    }
    draw_meaning(dash_model_selected(m), r, r.y + r.h - 1);
}

/* A state as the log names it: a socket that closed is CLOSED, as in the RFC
 * (ss writes UNCONN, which reads oddly in a transition). */
static const char *log_state(int state)
{
    return state == SL_TCP_CLOSE ? "CLOSED" : sl_state_name(state);
}

static void draw_log(const struct dash_model *m, struct dash_rect r)
{
    put(r.y, r.x, r.w, "Transitions, newest first", A_BOLD | A_UNDERLINE);
    for (int i = 1; i < r.h; i++) {
        const struct dash_log_entry *e = dash_model_log_entry(m, (size_t)i - 1);
        char line[256] = "", local[SL_ADDR_STRLEN], peer[SL_ADDR_STRLEN];
        if (e) {
            const char *from = e->kind == SL_APPEARED ? "(new)" : log_state(e->from);
            const char *to = e->kind == SL_GONE ? "CLOSED" : log_state(e->to);
            snprintf(line, sizeof line, "%7.1fs %-5s %s -> %s  %s %s", e->at / 1000.0,
                     e->traced ? "trace" : "poll", from, to,
                     sl_tuple_local(&e->tuple, local, sizeof local),
                     sl_tuple_peer(&e->tuple, peer, sizeof peer));
        }
        put(r.y + i, r.x, r.w, line, i == 1 && e ? A_BOLD : A_NORMAL);
    }
}

static void draw_header(const struct dash_model *m, const struct dash_status *st, int cols)
{
    unsigned listening = m->counts[SL_TCP_LISTEN];
    unsigned opening = m->counts[SL_TCP_SYN_SENT] + m->counts[SL_TCP_SYN_RECV];
    unsigned established = m->counts[SL_TCP_ESTABLISHED];
    unsigned closing = 0;
    const int closing_states[] = { SL_TCP_FIN_WAIT1, SL_TCP_FIN_WAIT2, SL_TCP_CLOSING,
                                   SL_TCP_TIME_WAIT, SL_TCP_CLOSE_WAIT, SL_TCP_LAST_ACK };
    for (size_t i = 0; i < sizeof closing_states / sizeof closing_states[0]; i++)
        closing += m->counts[closing_states[i]];
    char line[512], where[160];
    if (st->replay)
        snprintf(where, sizeof where, "replay %s frame %zu/%zu%s", st->source, st->replay_frame,
                 st->replay_frames, st->replay_frame == st->replay_frames ? " (end)" : "");
    else
        snprintf(where, sizeof where, "%s%s every %d ms", st->source,
                 st->tracing ? "+trace" : "", st->interval_ms);
    snprintf(line, sizeof line, " sockdash | %zu socket%s: listening %u  opening %u  "
             "established %u  closing %u | %s%s%s%s", m->socket_count,
             m->socket_count == 1 ? "" : "s", listening, opening,
             established, closing, where, st->paused ? " | PAUSED" : "",
             st->filter[0] ? " | " : "", st->filter);
    put(0, 0, cols, line, paint(PAIR_HEAD, A_REVERSE));
}

static void draw_help_bar(const struct dash_model *m, const struct dash_status *st, int y,
                          int cols)
{
    char line[512];
    if (st->prompt)
        snprintf(line, sizeof line, " filter (ports 80,8000-8100 | states listen,time-wait | "
                 "process NAME|pid=N; empty: none): %s_", st->prompt);
    else if (st->message)
        snprintf(line, sizeof line, " %s", st->message);
    else
        snprintf(line, sizeof line, " ?:help  /:filter  s:sort(%s%s)  p:%s  space:step  "
                 "+/-:interval  Tab:view  q:quit", dash_sort_name(m->sort),
                 m->sort_reverse ? ",rev" : "", st->paused ? "resume" : "pause");
    put(y, 0, cols, line, st->message && !st->prompt ? A_BOLD : paint(PAIR_KEY, A_REVERSE));
}

static void draw_help(int rows, int cols)
{
    static const char *const lines[] = {
        "sockdash: the kernel's TCP sockets, live",
        "",
        "  Up/Down, PgUp/PgDn, Home/End   select a socket; its state lights up",
        "  /           filter: ports (80,8000-8100), states (listen,time-wait,",
        "              closing...), a process name or pid=N; empty clears it",
        "  s / S       sort by the next column / reverse the order",
        "  p           pause the screen (collection goes on: nothing is missed)",
        "  space       show the latest while paused (one frame in a replay)",
        "  + / -       refresh less / more often",
        "  Tab         diagram or table, when both do not fit",
        "  q, F10      quit          ?, F1      this help (any key closes it)",
        "",
        "The diagram is RFC 9293's state machine: each box counts the sockets in",
        "that state, an edge lights up when a socket takes it and fades after a",
        "few refreshes. Polling sees a socket every interval and can miss states",
        "that last microseconds (LAST-ACK on loopback): the log says 'poll' for",
        "what it inferred, 'trace' for what --trace saw exactly.",
        "For LISTEN, Recv-Q is the accept queue (q=) and Send-Q the backlog (bl=).",
    };
    int n = (int)(sizeof lines / sizeof lines[0]);
    int w = 78 < cols - 2 ? 78 : cols - 2, h = n + 2 < rows - 2 ? n + 2 : rows - 2;
    int y0 = (rows - h) / 2, x0 = (cols - w) / 2;
    for (int y = 0; y < h; y++)
        put(y0 + y, x0, w, y == 0 || y == h - 1 ? "" : lines[y - 1], A_REVERSE);
}

enum dash_view dash_screen_draw(const struct dash_model *m, const struct dash_status *st)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    struct dash_layout lay;
    dash_layout(cols, rows, st->view, &lay);
    erase();
    if (lay.too_small) {
        char text[96];
        snprintf(text, sizeof text, "terminal too small (need %dx%d)", DASH_MIN_COLS,
                 DASH_MIN_ROWS);
        int len = (int)strlen(text);
        put(rows / 2, cols > len ? (cols - len) / 2 : 0, cols < len ? cols : len, text, A_BOLD);
        refresh();
        return st->view;
    }
    draw_header(m, st, cols);
    if (lay.diagram.h)
        draw_diagram(m, lay.diagram);
    if (lay.table.h)
        draw_table(m, lay.table);
    if (lay.log.h)
        draw_log(m, lay.log);
    draw_help_bar(m, st, lay.help.y, cols);
    if (st->help)
        draw_help(rows, cols);
    refresh();
    return lay.view;
}
