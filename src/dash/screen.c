/* screen.c — the dashboard on screen (see screen.h).
 *
 * Line drawing goes through ncurses' ACS characters, so the diagram is drawn
 * with box-drawing glyphs where the terminal has them and with + - | where it
 * has not. Colour marks what is alive (states with sockets, edges just taken,
 * the selected socket's state, a reset); without colour, bold and reverse do. */
#include "screen.h"

#include "text.h"

#include "socklab/present.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    short fg, bg;
    attr_t mono;                    /* without colour */
} colours[DASH_COLOUR_COUNT] = {
    [DASH_COLOUR_EDGE_TAKEN] = { COLOR_YELLOW, -1, A_BOLD },
    [DASH_COLOUR_EDGE_FADING] = { COLOR_CYAN, -1, A_NORMAL },
    [DASH_COLOUR_STATE_OCCUPIED] = { COLOR_GREEN, -1, A_BOLD },
    [DASH_COLOUR_RESET] = { COLOR_WHITE, COLOR_RED, A_BOLD | A_REVERSE },
    [DASH_COLOUR_HEADER] = { COLOR_BLACK, COLOR_CYAN, A_REVERSE },
    [DASH_COLOUR_HELP_BAR] = { COLOR_BLACK, COLOR_WHITE, A_REVERSE },
    [DASH_COLOUR_CLOSED_ROW] = { COLOR_RED, -1, A_DIM },
};

static bool colour;

void dash_colour_pair(enum dash_colour c, short *fg, short *bg)
{
    *fg = c > 0 && c < DASH_COLOUR_COUNT ? colours[c].fg : -1;
    *bg = c > 0 && c < DASH_COLOUR_COUNT ? colours[c].bg : -1;
}

static attr_t paint(enum dash_colour c)
{
    return colour ? (attr_t)COLOR_PAIR(c) | (colours[c].mono & A_BOLD) : colours[c].mono;
}

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
        for (int c = 1; c < DASH_COLOUR_COUNT; c++)
            init_pair((short)c, colours[c].fg, colours[c].bg);
    }
}

void dash_screen_stop(void)
{
    if (!isendwin())
        endwin();
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

/* Like put, but cut between words. */
static void put_words(int y, int x, int width, const char *text, attr_t attr)
{
    char fitted[512];
    dash_fit_words(text, width < 511 ? width : 511, fitted, sizeof fitted);
    put(y, x, width, fitted, attr);
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

static int selected_state(const struct dash_model *m)
{
    const struct dash_row *sel = dash_model_selected(m);
    return sel && !sel->gone_at ? sl_diagram_box_state(sel->socket.state) : -1;
}

/* A state's look: reversed when the selected socket is in it, coloured when
 * sockets are. */
static attr_t state_attr(const struct dash_model *m, int state, int selected)
{
    if (state == selected)
        return A_REVERSE | A_BOLD;
    if (state != SL_TCP_CLOSE && m->counts[state])
        return paint(DASH_COLOUR_STATE_OCCUPIED);
    return A_NORMAL;
}

static attr_t mark_attr(const struct dash_model *m, const struct sl_diagram_cell *c)
{
    int heat = dash_model_edge_heat(m, c->edge);
    if (c->edge == SL_DIAGRAM_RESET)
        return heat > 0 ? paint(DASH_COLOUR_RESET) : A_DIM;
    if (heat >= DASH_LIT_FRAMES - 1)
        return paint(DASH_COLOUR_EDGE_TAKEN);
    if (heat > 0)
        return paint(DASH_COLOUR_EDGE_FADING);
    return c->label ? A_DIM : A_NORMAL;
}

static void draw_diagram(const struct dash_model *m, enum sl_diagram_form form,
                         struct dash_rect r)
{
    sl_diagram_grid grid;
    const struct sl_diagram_layout *l = sl_diagram_layout(form);
    int selected = selected_state(m);
    sl_diagram_render(l, grid, m->counts);
    for (int y = 0; y < l->height && y < r.h; y++)
        for (int x = 0; x < l->width && x < r.w; x++) {
            const struct sl_diagram_cell *c = &grid[y][x];
            attr_t attr = A_NORMAL;
            if (c->box >= 0)                        /* a one-line box is underlined */
                attr = state_attr(m, l->boxes[c->box].state, selected) |
                       (l->box_height == 1 ? A_UNDERLINE : 0);
            else if (c->edge >= 0)
                attr = mark_attr(m, c);
            mvaddch(r.y + y, r.x + x, glyph(c) | attr);
        }
}

/* The states in a row, where not even the compact figure fits. */
static void draw_strip(const struct dash_model *m, struct dash_rect r)
{
    int states[SL_DIAGRAM_STRIP_ITEMS], lines[SL_DIAGRAM_STRIP_ITEMS], cols[SL_DIAGRAM_STRIP_ITEMS];
    int selected = selected_state(m);
    sl_diagram_strip(r.w, m->counts, states, lines, cols);
    for (int y = 0; y < r.h; y++)
        put(r.y + y, r.x, r.w, "", A_NORMAL);
    for (int i = 0; i < SL_DIAGRAM_STRIP_ITEMS; i++) {
        if (lines[i] >= r.h)
            continue;
        char item[32];
        sl_diagram_strip_item(states[i], m->counts[states[i]], item, sizeof item);
        put(r.y + lines[i], r.x + cols[i], (int)strlen(item), item,
            state_attr(m, states[i], selected));
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
    put_words(y, r.x, r.w, line, A_BOLD);
}

static void draw_table(const struct dash_model *m, struct dash_rect r, int rows)
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
    size_t first = m->selected >= (size_t)rows ? m->selected - (size_t)rows + 1 : 0;
    for (int i = 0; i < rows; i++) {
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
        attr_t attr = at == m->selected ? A_REVERSE
                    : row->gone_at ? paint(DASH_COLOUR_CLOSED_ROW) : A_NORMAL;
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
            snprintf(line, sizeof line, "%7.1fs %-5s %s -> %s  %s %s", e->at / 1000.0,
                     e->traced ? "trace" : "poll", from, dash_log_destination(e),
                     sl_tuple_local(&e->tuple, local, sizeof local),
                     sl_tuple_peer(&e->tuple, peer, sizeof peer));
        }
        put_words(r.y + i, r.x, r.w, line, i == 1 && e ? A_BOLD : A_NORMAL);
    }
}

static unsigned group_count(const struct dash_model *m, const char *group)
{
    sl_state_mask mask = sl_state_group(group);
    unsigned n = 0;
    for (int s = 0; s < SL_TCP_STATE_COUNT; s++)
        if (mask & SL_STATE_BIT(s))
            n += m->counts[s];
    return n;
}

static void draw_header(const struct dash_model *m, const struct dash_status *st, int cols)
{
    unsigned listening = group_count(m, "listening"), opening = group_count(m, "opening");
    unsigned established = m->counts[SL_TCP_ESTABLISHED], closing = group_count(m, "closing");
    char counts[160], counts_brief[96], where[160], where_brief[96], filter[160];
    snprintf(counts, sizeof counts, "%zu socket%s: listening %u  opening %u  established %u  "
             "closing %u", m->socket_count, m->socket_count == 1 ? "" : "s", listening, opening,
             established, closing);
    snprintf(counts_brief, sizeof counts_brief, "%zu: listen %u open %u estab %u closing %u",
             m->socket_count, listening, opening, established, closing);
    if (st->replay) {
        const char *end = st->replay_frame == st->replay_frames ? " (end)" : "";
        snprintf(where, sizeof where, "replay %s frame %zu/%zu%s", st->source, st->replay_frame,
                 st->replay_frames, end);
        snprintf(where_brief, sizeof where_brief, "replay %zu/%zu%s", st->replay_frame,
                 st->replay_frames, end);
    } else {
        snprintf(where, sizeof where, "%s%s every %d ms", st->source,
                 st->tracing ? "+trace" : "", st->interval_ms);
        snprintf(where_brief, sizeof where_brief, "%s%s %dms", st->source,
                 st->tracing ? "+trace" : "", st->interval_ms);
    }
    snprintf(filter, sizeof filter, "%s", st->filter);
    struct dash_segment parts[5];
    int n = 0;
    parts[n++] = (struct dash_segment){ " sockdash", NULL, 0 };
    parts[n++] = (struct dash_segment){ counts, counts_brief, 1 };
    parts[n++] = (struct dash_segment){ where, where_brief, 2 };
    if (st->paused)
        parts[n++] = (struct dash_segment){ "PAUSED", NULL, 4 };
    if (filter[0])
        parts[n++] = (struct dash_segment){ filter, NULL, 3 };
    char line[512];
    dash_fit_segments(parts, n, " | ", cols, line, sizeof line);
    put(0, 0, cols, line, paint(DASH_COLOUR_HEADER));
}

static void draw_prompt(const struct dash_status *st, int y, int cols)
{
    static const char *const intros[] = {
        " filter (ports 80,8000-8100 | states listen,time-wait | process NAME|pid=N; "
        "empty: none): ",
        " filter (ports, states, process; empty: none): ",
        " filter: ",
    };
    char line[512];
    size_t typed = strlen(st->prompt);
    for (size_t i = 0; i < sizeof intros / sizeof intros[0]; i++) {
        size_t room = cols > 0 ? (size_t)cols : 0;
        bool last = i + 1 == sizeof intros / sizeof intros[0];
        if (strlen(intros[i]) + typed + 1 <= room || last) {
            size_t intro = strlen(intros[i]);
            const char *shown = st->prompt;
            if (intro + typed + 1 > room && room > intro + 2)  /* the end of what is typed */
                shown = st->prompt + typed - (room - intro - 2);
            snprintf(line, sizeof line, "%s%s%s_", intros[i],
                     shown == st->prompt ? "" : "<", shown);
            break;
        }
    }
    put(y, 0, cols, line, paint(DASH_COLOUR_HELP_BAR));
}

static void draw_help_bar(const struct dash_model *m, const struct dash_status *st,
                          enum dash_view shown, int y, int cols)
{
    if (st->prompt) {
        draw_prompt(st, y, cols);
        return;
    }
    char line[512];
    if (st->message) {
        snprintf(line, sizeof line, " %s", st->message);
        put_words(y, 0, cols, line, A_BOLD);
        return;
    }
    char sort[48], sort_brief[32], view[48], view_brief[32];
    snprintf(sort, sizeof sort, "s:sort(%s%s)", dash_sort_name(m->sort),
             m->sort_reverse ? ",rev" : "");
    snprintf(sort_brief, sizeof sort_brief, "s:%s%s", dash_sort_name(m->sort),
             m->sort_reverse ? ",rev" : "");
    snprintf(view, sizeof view, "Tab:view(%s)", dash_view_name(shown));
    snprintf(view_brief, sizeof view_brief, "Tab:%s", dash_view_name(shown));
    const struct dash_segment keys[] = {
        { " ?:help", NULL, 9 },
        { "/:filter", NULL, 7 },
        { sort, sort_brief, 5 },
        { st->paused ? "p:resume" : "p:pause", NULL, 8 },
        { "space:step", NULL, 3 },
        { "+/-:interval", "+/-:rate", 2 },
        { view, view_brief, 6 },
        { "q:quit", NULL, 9 },
    };
    int n = (int)(sizeof keys / sizeof keys[0]);
    dash_fit_segments(keys, n, "  ", cols, line, sizeof line);
    if ((int)strlen(line) > cols)                   /* one space between keys, if that fits */
        dash_fit_segments(keys, n, " ", cols, line, sizeof line);
    put(y, 0, cols, line, paint(DASH_COLOUR_HELP_BAR));
}

/* The help replaces the body: nothing of the panels shows through it. */
static void draw_help(struct dash_rect body)
{
    static const char *const paragraphs[] = {
        "sockdash: the kernel's TCP sockets, live",
        "",
        "Up/Down, PgUp/PgDn, Home/End: select a socket; its state lights up.",
        "/: filter by ports (80,8000-8100), states (listen,time-wait, closing...), a "
        "process name or pid=N; empty clears it.",
        "s / S: sort by the next column / reverse the order.",
        "p: pause the screen (collection goes on: nothing is missed).",
        "space: show the latest while paused (one frame in a replay).",
        "+ / -: refresh less / more often.",
        "Tab: the next view (all, diagram, table) this size offers.",
        "q, F10: quit.   ?, F1: this help (any key closes it).",
        "",
        "The diagram is RFC 9293's state machine: each box counts the sockets in that "
        "state, an edge lights up when a socket takes it and fades after a few refreshes. "
        "A socket gone without TIME-WAIT lights RST/abort, which the figure leaves out. "
        "Polling sees a socket every interval and can miss states that last microseconds "
        "(LAST-ACK on loopback): the log says 'poll' for what it inferred, 'trace' for "
        "what --trace saw exactly.",
        "For LISTEN, Recv-Q is the accept queue (q=) and Send-Q the backlog (bl=).",
    };
    int width = body.w - 4 > 76 ? 76 : body.w - 4, x = (body.w - width) / 2;
    for (int y = 0; y < body.h; y++)
        put(body.y + y, body.x, body.w, "", A_NORMAL);
    int y = body.y + 1;
    for (size_t p = 0; p < sizeof paragraphs / sizeof paragraphs[0]; p++) {
        const char *text = paragraphs[p], *next;
        if (!*text)
            y++;
        int len;
        while ((len = dash_wrap_line(text, width, &next)) > 0 && y < body.y + body.h) {
            char line[160];
            snprintf(line, sizeof line, "%.*s", len, text);
            put(y++, body.x + x, width, line, p == 0 ? A_BOLD : A_NORMAL);
            text = next;
        }
    }
}

/* "terminal too small (need 60x15)" on one line if it fits, else as its two
 * halves, each wrapped between words if it has to be. */
static void draw_too_small(int rows, int cols)
{
    char need[32], whole[64];
    snprintf(need, sizeof need, "(need %dx%d)", DASH_MIN_COLS, DASH_MIN_ROWS);
    snprintf(whole, sizeof whole, "terminal too small %s", need);
    const char *halves[] = { whole, NULL }, *lines[8];
    if ((int)strlen(whole) > cols) {
        halves[0] = "terminal too small";
        halves[1] = need;
    }
    int lens[8], n = 0;
    for (int h = 0; h < 2 && halves[h]; h++) {
        const char *at = halves[h], *next;
        int len;
        while (n < 8 && (len = dash_wrap_line(at, cols, &next)) > 0) {
            lines[n] = at;
            lens[n++] = len;
            at = next;
        }
    }
    for (int i = 0; i < n; i++) {
        char line[64];
        snprintf(line, sizeof line, "%.*s", lens[i], lines[i]);
        int y = (rows - n) / 2 + i;
        if (y >= 0 && y < rows)
            put(y, (cols - lens[i]) / 2, lens[i], line, A_BOLD);
    }
}

struct dash_layout dash_screen_draw(const struct dash_model *m, const struct dash_status *st)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    struct dash_layout lay;
    dash_layout(cols, rows, st->view, &lay);
    erase();
    if (lay.too_small) {
        draw_too_small(rows, cols);
        refresh();
        return lay;
    }
    draw_header(m, st, cols);
    if (st->help) {
        draw_help((struct dash_rect){ 1, 0, rows - 2, cols });
    } else {
        if (lay.diagram.h)
            draw_diagram(m, lay.form, lay.diagram);
        if (lay.strip.h)
            draw_strip(m, lay.strip);
        if (lay.table.h)
            draw_table(m, lay.table, dash_layout_table_rows(&lay));
        if (lay.log.h)
            draw_log(m, lay.log);
    }
    draw_help_bar(m, st, lay.view, lay.help.y, cols);
    refresh();
    return lay;
}
