/* tui.c — the shared widgets, drawn with ncurses (see tui.h).
 *
 * Line drawing goes through ncurses' ACS characters, so the diagram is drawn
 * with box-drawing glyphs where the terminal has them and with + - | where it
 * has not. Colour marks what is alive (states with sockets, edges just taken,
 * the selected socket's state, a reset, an outcome); without colour, bold,
 * dim and reverse do. */
#include "socklab/tui.h"

#include "tui_internal.h"

#include "socklab/i18n.h"
#include "socklab/socket_format.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
    short fg, bg;
    attr_t mono;                    /* without colour */
} colours[SL_TUI_COLOUR_COUNT] = {
    [SL_TUI_COLOUR_EDGE_TAKEN] = { COLOR_YELLOW, -1, A_BOLD },
    [SL_TUI_COLOUR_EDGE_FADING] = { COLOR_CYAN, -1, A_NORMAL },
    [SL_TUI_COLOUR_STATE_OCCUPIED] = { COLOR_GREEN, -1, A_BOLD },
    [SL_TUI_COLOUR_RESET] = { COLOR_WHITE, COLOR_RED, A_BOLD | A_REVERSE },
    [SL_TUI_COLOUR_HEADER] = { COLOR_BLACK, COLOR_CYAN, A_REVERSE },
    [SL_TUI_COLOUR_KEYS] = { COLOR_BLACK, COLOR_WHITE, A_REVERSE },
    [SL_TUI_COLOUR_CLOSED_ROW] = { COLOR_RED, -1, A_DIM },
    [SL_TUI_COLOUR_HELD] = { COLOR_GREEN, COLOR_BLACK, A_BOLD },
    [SL_TUI_COLOUR_FAILED] = { COLOR_YELLOW, COLOR_RED, A_BOLD | A_REVERSE },
    [SL_TUI_COLOUR_UNSURE] = { COLOR_YELLOW, COLOR_BLACK, A_BOLD },
    [SL_TUI_COLOUR_CODE_WORD] = { COLOR_BLUE, -1, A_BOLD },
    [SL_TUI_COLOUR_CODE_QUOTE] = { COLOR_MAGENTA, -1, A_NORMAL },
};

static bool colour;

void sl_tui_colour_pair(enum sl_tui_colour c, short *fg, short *bg)
{
    *fg = c > 0 && c < SL_TUI_COLOUR_COUNT ? colours[c].fg : -1;
    *bg = c > 0 && c < SL_TUI_COLOUR_COUNT ? colours[c].bg : -1;
}

static attr_t paint(enum sl_tui_colour c)
{
    return colour ? (attr_t)COLOR_PAIR(c) | (colours[c].mono & A_BOLD) : colours[c].mono;
}

static attr_t look_attr(enum sl_tui_look look)
{
    switch (look) {
    case SL_TUI_BOLD: return A_BOLD;
    case SL_TUI_DIM: return A_DIM;
    case SL_TUI_REVERSE: return A_REVERSE;
    case SL_TUI_HEADING: return A_BOLD | A_UNDERLINE;
    case SL_TUI_HEADER: return paint(SL_TUI_COLOUR_HEADER);
    case SL_TUI_KEYS: return paint(SL_TUI_COLOUR_KEYS);
    case SL_TUI_HELD: return paint(SL_TUI_COLOUR_HELD);
    case SL_TUI_FAILED: return paint(SL_TUI_COLOUR_FAILED);
    case SL_TUI_UNSURE: return paint(SL_TUI_COLOUR_UNSURE);
    case SL_TUI_CODE_WORD: return paint(SL_TUI_COLOUR_CODE_WORD);
    case SL_TUI_CODE_QUOTE: return paint(SL_TUI_COLOUR_CODE_QUOTE);
    default: return A_NORMAL;
    }
}

void sl_tui_start(void)
{
    struct termios shell;
    bool have_shell = tcgetattr(STDIN_FILENO, &shell) == 0;
    initscr();
    if (have_shell)
        sl_tui_remember_exit(&shell);
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
        for (int c = 1; c < SL_TUI_COLOUR_COUNT; c++)
            init_pair((short)c, colours[c].fg, colours[c].bg);
    }
}

void sl_tui_stop(void)
{
    sl_tui_forget_exit();
    if (!isendwin())
        endwin();
    sl_tui_release_stderr();
}

void sl_tui_size(int *rows, int *cols)
{
    getmaxyx(stdscr, *rows, *cols);
}

void sl_tui_frame_begin(void)
{
    erase();
}

void sl_tui_frame_end(void)
{
    refresh();
}

static void put_attr(int y, int x, int width, const char *text, attr_t attr)
{
    if (width <= 0)
        return;
    wchar_t wide[512];
    int used = sl_text_wide(text, width < 511 ? width : 511, wide, 512);
    attron(attr);
    mvaddwstr(y, x, wide);
    for (int i = used; i < width; i++)
        addch(' ');
    attroff(attr);
}

void sl_tui_put(int y, int x, int width, const char *text, enum sl_tui_look look)
{
    put_attr(y, x, width, text, look_attr(look));
}

/* What marks a cut: an ellipsis where the locale can show one. */
static const char *cut_mark(int *columns)
{
    bool utf8 = MB_CUR_MAX > 1;
    *columns = utf8 ? 1 : 3;
    return utf8 ? "\u2026" : "...";
}

static void put_words_attr(int y, int x, int width, const char *text, attr_t attr)
{
    char fitted[512];
    int mark_columns;
    const char *mark = cut_mark(&mark_columns);
    sl_text_fit_words(text, width < 500 ? width : 500, mark, fitted, sizeof fitted);
    put_attr(y, x, width, fitted, attr);
}

/* A table cell: the text in `width` columns, one left between it and the next
 * cell unless it is the last; too long, it ends with the cut mark. */
static void put_cell(int y, int x, int width, bool last, const char *text, attr_t attr)
{
    int room = last ? width : width - 1, mark_columns;
    const char *mark = cut_mark(&mark_columns);
    char fitted[160];
    sl_text_cut(text, room, mark, fitted, sizeof fitted);
    put_attr(y, x, width, fitted, attr);
}

void sl_tui_put_words(int y, int x, int width, const char *text, enum sl_tui_look look)
{
    put_words_attr(y, x, width, text, look_attr(look));
}

void sl_tui_clear(struct sl_tui_rect r)
{
    for (int y = 0; y < r.h; y++)
        put_attr(r.y + y, r.x, r.w, "", A_NORMAL);
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

static int selected_state(const struct sl_tui_model *m)
{
    const struct sl_tui_row *sel = sl_tui_model_selected(m);
    return sel && !sel->gone_at ? sl_diagram_box_state(sel->socket.state) : -1;
}

/* A state's look: reversed when the selected socket is in it, coloured when
 * sockets are. */
static attr_t state_attr(const struct sl_tui_model *m, int state, int selected)
{
    if (state == selected)
        return A_REVERSE | A_BOLD;
    if (state != SL_TCP_CLOSE && m->counts[state])
        return paint(SL_TUI_COLOUR_STATE_OCCUPIED);
    return A_NORMAL;
}

static attr_t mark_attr(const struct sl_tui_model *m, const struct sl_diagram_cell *c)
{
    int heat = sl_tui_model_edge_heat(m, c->edge);
    if (c->edge == SL_DIAGRAM_RESET)
        return heat > 0 ? paint(SL_TUI_COLOUR_RESET) : A_DIM;
    if (heat >= SL_TUI_LIT_FRAMES - 1)
        return paint(SL_TUI_COLOUR_EDGE_TAKEN);
    if (heat > 0)
        return paint(SL_TUI_COLOUR_EDGE_FADING);
    return c->label ? A_DIM : A_NORMAL;
}

void sl_tui_draw_diagram(const struct sl_tui_model *m, enum sl_diagram_form form,
                         struct sl_tui_rect r)
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

void sl_tui_draw_strip(const struct sl_tui_model *m, struct sl_tui_rect r)
{
    int states[SL_DIAGRAM_STRIP_ITEMS], lines[SL_DIAGRAM_STRIP_ITEMS], cols[SL_DIAGRAM_STRIP_ITEMS];
    int selected = selected_state(m);
    sl_diagram_strip(r.w, m->counts, states, lines, cols);
    sl_tui_clear(r);
    for (int i = 0; i < SL_DIAGRAM_STRIP_ITEMS; i++) {
        if (lines[i] >= r.h)
            continue;
        char item[32];
        sl_diagram_strip_item(states[i], m->counts[states[i]], item, sizeof item);
        put_attr(r.y + lines[i], r.x + cols[i], sl_text_columns(item), item,
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

/* The last line: what the selected socket's state means, after where it
 * stands among the rows when they do not all show ("4/12"). */
static void draw_meaning(const struct sl_tui_model *m, int shown, struct sl_tui_rect r, int y)
{
    const struct sl_tui_row *row = sl_tui_model_selected(m);
    char line[400], where[32] = "";
    if (!row) {
        put_attr(y, r.x, r.w, _("no sockets match the filter"), A_DIM);
        return;
    }
    if (m->row_count > (size_t)shown)
        snprintf(where, sizeof where, "%zu/%zu ", m->selected + 1, m->row_count);
    const struct sl_socket *s = &row->socket;
    if (row->gone_at)
        snprintf(line, sizeof line, _("%sclosed: the kernel no longer lists this socket "
                                      "(it stays here a few seconds)"), where);
    else if (s->state == SL_TCP_LISTEN)
        snprintf(line, sizeof line, _("%sLISTEN: %s; accept queue %u of backlog %u"), where,
                 sl_state_meaning(s->state), s->recv_q, s->send_q);
    else
        snprintf(line, sizeof line, "%s%s: %s", where, sl_state_name(s->state),
                 sl_state_meaning(s->state));
    put_words_attr(y, r.x, r.w, line, A_BOLD);
}

int sl_tui_table_rows(int h)
{
    return h - 2 > 1 ? h - 2 : 1;
}

static const struct {
    const char *head, *brief;   /* brief: the heading of a column narrower than head */
    int width;                  /* with the space after it; Owner: at least */
} table_columns[SL_TUI_TABLE_COLUMNS] = {
    { "State", NULL, 11 }, { "Recv-Q", NULL, 7 }, { "Send-Q", NULL, 7 },
    { "Local Address:Port", "Local Address", 21 }, { "Peer Address:Port", "Peer Address", 21 },
    { "Timer", NULL, 14 }, { "Owner", NULL, 8 },
};
enum { COLUMN_LOCAL = 3, COLUMN_PEER = 4 };

/* The columns shown need this many columns (the last needs no space after it). */
static int table_need(const int *base, const bool *shown)
{
    int need = 0, last = 0;
    for (int c = 0; c < SL_TUI_TABLE_COLUMNS; c++)
        if (shown[c]) {
            need += base[c];
            last = c;
        }
    return last == SL_TUI_TABLE_COLUMNS - 1 ? need : need - 1;
}

/* Which columns of these widths fit, dropped whole, least important first;
 * what is left over widens the addresses up to their full headings, then
 * the last column. */
static int choose_columns(const int *base, int width, bool owners, int *which, int *widths)
{
    static const int drop_order[] = { 6, 2, 1, 4, 5, 3 };   /* State stays */
    enum { DROPS = sizeof drop_order / sizeof drop_order[0] };
    bool shown[SL_TUI_TABLE_COLUMNS];
    for (int c = 0; c < SL_TUI_TABLE_COLUMNS; c++)
        shown[c] = c < SL_TUI_TABLE_COLUMNS - 1 || owners;
    int dropped = 0;
    while (dropped < DROPS && table_need(base, shown) > width)
        shown[drop_order[dropped++]] = false;
    for (int k = dropped - 1; k >= 0; k--) {        /* a smaller one may fit again */
        shown[drop_order[k]] = true;
        if (table_need(base, shown) > width)
            shown[drop_order[k]] = false;
    }
    int n = 0, used = 0;
    for (int c = 0; c < SL_TUI_TABLE_COLUMNS; c++)
        if (shown[c]) {
            which[n] = c;
            widths[n] = base[c];
            used += widths[n++];
        }
    for (int i = 0; i < n - 1; i++)                 /* the full heading, if there is room */
        if (which[i] == COLUMN_LOCAL || which[i] == COLUMN_PEER) {
            int more = table_columns[which[i]].width - widths[i];
            more = more < width - used ? more : width - used;
            if (more > 0) {
                widths[i] += more;
                used += more;
            }
        }
    widths[n - 1] += width - used;                  /* the last takes what is left */
    return n;
}

int sl_tui_table_columns(int width, bool owners, int *which, int *widths)
{
    int base[SL_TUI_TABLE_COLUMNS];
    for (int c = 0; c < SL_TUI_TABLE_COLUMNS; c++)
        base[c] = table_columns[c].width;
    return choose_columns(base, width, owners, which, widths);
}

/* A row's cells, as the table writes them. A closed row keeps its addresses;
 * its queues and timer are no longer the kernel's, so they are not shown. */
static void row_cells(const struct sl_tui_row *row, char cells[SL_TUI_TABLE_COLUMNS][96])
{
    const struct sl_socket *s = &row->socket;
    snprintf(cells[0], sizeof cells[0], "%s", row->gone_at ? "CLOSED" : sl_state_name(s->state));
    format_queues(s, cells[1], cells[2], sizeof cells[1]);
    sl_tuple_local(&s->tuple, cells[3], sizeof cells[3]);
    sl_tuple_peer(&s->tuple, cells[4], sizeof cells[4]);
    sl_timer_format(s, cells[5], sizeof cells[5]);
    if (row->owner.pid)
        snprintf(cells[6], sizeof cells[6], "%d/%s", row->owner.pid, row->owner.command);
    else
        snprintf(cells[6], sizeof cells[6], "-");
    if (row->gone_at) {
        strcpy(cells[1], "-");
        strcpy(cells[2], "-");
        strcpy(cells[5], "-");
    }
}

/* The width of each of a row's cells as row_cells writes them, counted
 * (socket_format.h), not printed: at 11,000 sockets printing and measuring
 * every cell of every row was a sixth of a core. The Owner, always the last
 * column, takes what is left and is not measured. */
static void row_widths(const struct sl_tui_row *row, int widths[SL_TUI_TABLE_COLUMNS])
{
    const struct sl_socket *s = &row->socket;
    size_t len[SL_SOCKET_CELLS];
    sl_socket_cell_lengths(s, len);
    for (int c = 0; c < SL_SOCKET_CELLS; c++)
        widths[c] = (int)len[c] + 1;
    widths[SL_TUI_TABLE_COLUMNS - 1] = 0;
    if (row->gone_at) {                             /* "CLOSED", and "-" for what went */
        widths[0] = (int)strlen("CLOSED") + 1;
        widths[1] = widths[2] = widths[5] = 2;
    } else if (s->state == SL_TCP_LISTEN) {         /* "q=", "bl=" (format_queues) */
        widths[1] += 2;
        widths[2] += 3;
    }
}

void sl_tui_measure_rows(struct sl_tui_model *m)
{
    memset(m->widest, 0, sizeof m->widest);
    for (size_t i = 0; i < m->row_count; i++) {
        int w[SL_TUI_TABLE_COLUMNS];
        row_widths(&m->rows[i], w);
        for (int c = 0; c < SL_TUI_TABLE_COLUMNS; c++)
            m->widest[c] = w[c] > m->widest[c] ? w[c] : m->widest[c];
    }
}

/* Addresses need what the widest takes (loopback's are short, so the peer
 * fits in a narrow pane); the other columns grow past their usual width for
 * a cell that needs it (bl=4096), never shrink, so the table does not jitter. */
int sl_tui_table_fit(const struct sl_tui_model *m, int width, bool owners, int *which,
                     int *widths)
{
    int base[SL_TUI_TABLE_COLUMNS];
    for (int c = 0; c < SL_TUI_TABLE_COLUMNS; c++)
        base[c] = table_columns[c].width;
    for (int c = 0; m->row_count && c < SL_TUI_TABLE_COLUMNS; c++) {
        int least = sl_text_columns(table_columns[c].brief ? table_columns[c].brief
                                                           : table_columns[c].head) + 1;
        if (c == COLUMN_LOCAL || c == COLUMN_PEER)
            base[c] = m->widest[c] > least ? m->widest[c] : least;
        else if (c != SL_TUI_TABLE_COLUMNS - 1 && m->widest[c] > base[c])
            base[c] = m->widest[c];
    }
    return choose_columns(base, width, owners, which, widths);
}

/* The heading of column c in `width` columns. */
static const char *heading(int c, int width)
{
    const char *head = table_columns[c].head;
    return table_columns[c].brief && sl_text_columns(head) >= width ? table_columns[c].brief
                                                                    : head;
}

void sl_tui_draw_table(const struct sl_tui_model *m, struct sl_tui_rect r, bool owners)
{
    int which[SL_TUI_TABLE_COLUMNS], widths[SL_TUI_TABLE_COLUMNS];
    int n = sl_tui_table_fit(m, r.w, owners, which, widths), x = r.x;
    for (int c = 0; c < n; c++) {
        put_cell(r.y, x, widths[c], c == n - 1, heading(which[c], widths[c]),
                 A_BOLD | A_UNDERLINE);
        x += widths[c];
    }
    int rows = sl_tui_table_rows(r.h);
    size_t first = sl_tui_first_shown(m->selected, rows);
    for (int i = 0; i < rows; i++) {
        size_t at = first + (size_t)i;
        int y = r.y + 1 + i;
        if (at >= m->row_count) {
            put_attr(y, r.x, r.w, "", A_NORMAL);
            continue;
        }
        const struct sl_tui_row *row = &m->rows[at];
        char cells[SL_TUI_TABLE_COLUMNS][96];
        row_cells(row, cells);
        attr_t attr = at == m->selected ? A_REVERSE
                    : row->gone_at ? paint(SL_TUI_COLOUR_CLOSED_ROW) : A_NORMAL;
        x = r.x;
        for (int c = 0; c < n; c++) {
            put_cell(y, x, widths[c], c == n - 1, cells[which[c]], attr);
            x += widths[c];
        }
    }
    if (r.h >= 3)
        draw_meaning(m, rows, r, r.y + r.h - 1);
}

/* A state as the log names it: a socket that closed is CLOSED, as in the RFC
 * (ss writes UNCONN, which reads oddly in a transition). */
static const char *log_state(int state)
{
    return state == SL_TCP_CLOSE ? "CLOSED" : sl_state_name(state);
}

/* text wrapped between words from line y on, its continuation lines `hang`
 * columns in, no further than `end`; returns the next free line. */
static int put_wrapped(int y, int end, struct sl_tui_rect r, int hang, const char *text,
                       attr_t attr)
{
    for (const char *at = text, *next; *at && y < end; at = next, y++) {
        int indent = at == text ? 0 : hang;
        int len = (int)sl_text_wrap(at, r.w - indent, &next);
        char out[300];
        snprintf(out, sizeof out, "%*s%.*s", indent, "", len < 280 ? len : 280, at);
        put_attr(y, r.x, r.w, out, attr);
    }
    return y;
}

/* Each transition on one line when it fits; in a narrow panel the addresses
 * go on the next line (and a long end on two), so none is cut off. */
void sl_tui_draw_log(const struct sl_tui_model *m, struct sl_tui_rect r)
{
    put_attr(r.y, r.x, r.w, _("Transitions, newest first"), A_BOLD | A_UNDERLINE);
    int y = r.y + 1, end = r.y + r.h, hang = r.w >= 40 ? 9 : 2;
    for (size_t i = 0; y < end; i++) {
        const struct sl_tui_log_entry *e = sl_tui_model_log_entry(m, i);
        if (!e)
            break;
        char what[160], where[2 * SL_ADDR_STRLEN + 4], line[sizeof what + sizeof where + 4];
        char local[SL_ADDR_STRLEN], peer[SL_ADDR_STRLEN];
        const char *from = e->kind == SL_APPEARED ? _("(new)") : log_state(e->from);
        snprintf(what, sizeof what, "%7.1fs %-5s %s -> %s", e->at / 1000.0,
                 e->traced ? "trace" : "poll", from, sl_tui_log_destination(e));
        snprintf(where, sizeof where, "%s %s", sl_tuple_local(&e->tuple, local, sizeof local),
                 sl_tuple_peer(&e->tuple, peer, sizeof peer));
        snprintf(line, sizeof line, "%s  %s", what, where);
        attr_t attr = i == 0 ? A_BOLD : A_NORMAL;
        if (sl_text_columns(line) <= r.w) {
            put_attr(y++, r.x, r.w, line, attr);
            continue;
        }
        y = put_wrapped(y, end, r, hang, what, attr);
        char indented[sizeof where + 16];
        snprintf(indented, sizeof indented, "%*s%s", hang, "", where);
        y = put_wrapped(y, end, r, hang, indented, attr);
    }
    for (; y < end; y++)
        put_attr(y, r.x, r.w, "", A_NORMAL);
}

void sl_tui_draw_bar(int y, int cols, const struct sl_tui_segment *keys, int count)
{
    char line[512];
    sl_tui_fit_segments(keys, count, "  ", cols, line, sizeof line);
    if (sl_text_columns(line) > cols)               /* one space between keys, if that fits */
        sl_tui_fit_segments(keys, count, " ", cols, line, sizeof line);
    put_attr(y, 0, cols, line, paint(SL_TUI_COLOUR_KEYS));
}

/* The lines a text makes wrapped at `width`, one at a time: the one walk
 * every drawing of paragraphs (scrolled or not) goes through. An empty
 * paragraph is one blank line. */
struct line_walk {
    const char *const *paragraphs;
    int count, width;
    int paragraph;              /* the paragraph of the next line */
    const char *at;             /* where in it the next line starts; NULL: at its start */
};

struct text_line {
    const char *text;
    int len, paragraph;
    bool first;                 /* the paragraph's first line */
    bool section;               /* the first line after a SL_TUI_SECTION mark */
};

static bool next_line(struct line_walk *w, struct text_line *out)
{
    bool section = false;
    while (!w->at && w->paragraph < w->count && !strcmp(w->paragraphs[w->paragraph], SL_TUI_SECTION)) {
        section = true;                             /* a mark takes no line */
        w->paragraph++;
    }
    if (w->paragraph >= w->count)
        return false;
    const char *text = w->at ? w->at : w->paragraphs[w->paragraph], *next = text;
    *out = (struct text_line){ text, 0, w->paragraph, w->at == NULL, section };
    if (*text)
        out->len = (int)sl_text_wrap(text, w->width, &next);
    if (*next) {
        w->at = next;
    } else {
        w->paragraph++;
        w->at = NULL;
    }
    return true;
}

/* Lines [first, last) of the text on rows r.y.. (bold: the paragraphs so
 * marked, or the first alone when bold is NULL); returns the text's lines. */
static int draw_lines(struct sl_tui_rect r, const char *const *paragraphs, int count,
                      const bool *bold, int first, int last)
{
    struct line_walk w = { paragraphs, count, r.w, 0, NULL };
    struct text_line line;
    int n = 0;
    for (; next_line(&w, &line); n++) {
        if (n < first || n >= last || r.y + n - first >= r.y + r.h)
            continue;
        char out[512];
        snprintf(out, sizeof out, "%.*s", line.len < 511 ? line.len : 511, line.text);
        bool strong = bold ? bold[line.paragraph] : line.paragraph == 0;
        put_attr(r.y + n - first, r.x, r.w, out, strong ? A_BOLD : A_NORMAL);
    }
    return n;
}

int sl_tui_draw_paragraphs(struct sl_tui_rect r, const char *const *paragraphs, int count,
                           int skip)
{
    sl_tui_clear(r);
    return draw_lines(r, paragraphs, count, NULL, skip, skip + r.h);
}

/* Where each page of `rows` lines starts (a line number), into starts (room
 * for `room`); returns how many pages. A paragraph, or a section (from a
 * SL_TUI_SECTION mark to the next), that fits on a page is not split across
 * two; a page does not start with a blank line. */
static int paginate(const char *const *paragraphs, int count, int width, int rows,
                    int *starts, int room)
{
    enum { MOST = 64 };
    int own[2 * MOST], *sizes = count <= MOST ? own : calloc(2 * (size_t)count, sizeof *sizes);
    if (!sizes)
        return 0;
    int *section_sizes = sizes + (count <= MOST ? MOST : count), section = 0;
    memset(sizes, 0, 2 * (size_t)(count <= MOST ? MOST : count) * sizeof *sizes);
    struct line_walk w = { paragraphs, count, width, 0, NULL };
    struct text_line line;
    while (next_line(&w, &line)) {                  /* the lines of each paragraph and section */
        section += line.section && section + 1 < count;
        sizes[line.paragraph]++;
        section_sizes[section]++;
    }
    int pages = 1, used = 0;
    starts[0] = 0;
    section = 0;
    w = (struct line_walk){ paragraphs, count, width, 0, NULL };
    for (int n = 0; next_line(&w, &line); n++) {
        section += line.section && section + 1 < count;
        int together = line.section && section_sizes[section] <= rows ? section_sizes[section]
                     : line.first && sizes[line.paragraph] <= rows ? sizes[line.paragraph] : 0;
        if (used > 0 && (used == rows || used + together > rows) && pages < room) {
            starts[pages++] = n;
            used = 0;
        }
        if (used == 0 && line.len == 0 && !*line.text && n > 0)
            starts[pages - 1] = n + 1;      /* the page starts after its blank line */
        else
            used++;
    }
    if (sizes != own)
        free(sizes);
    return pages;
}

struct sl_tui_scroll sl_tui_draw_scrolled(struct sl_tui_rect r, const char *const *paragraphs,
                                          int count, const bool *bold, enum sl_tui_unit unit,
                                          int at, const char *keys)
{
    enum { MOST_PAGES = 64 };
    struct sl_tui_rect text = { r.y, r.x, r.h > 1 ? r.h - 1 : 1, r.w };
    struct sl_tui_scroll view = { 0, 0 };
    int starts[MOST_PAGES + 1], first, last;
    sl_tui_clear(r);
    if (unit == SL_TUI_BY_PAGE) {
        view.count = paginate(paragraphs, count, text.w, text.h, starts, MOST_PAGES);
        view.at = at < 0 ? 0 : at >= view.count ? view.count - 1 : at;
        first = view.count ? starts[view.at] : 0;
        last = view.at + 1 < view.count ? starts[view.at + 1] : first + text.h;
    } else {
        view.count = draw_lines(text, paragraphs, count, bold, 0, 0);   /* counted, not drawn */
        int most = view.count > text.h ? view.count - text.h : 0;
        view.at = at < 0 ? 0 : at > most ? most : at;
        first = view.at;
        last = first + text.h;
    }
    int lines = draw_lines(text, paragraphs, count, bold, first, last);
    char where[96] = "";
    if (unit == SL_TUI_BY_PAGE)
        snprintf(where, sizeof where, _("page %d of %d"), view.at + 1, view.count);
    else if (lines > text.h)
        snprintf(where, sizeof where, _("lines %d-%d of %d"), first + 1,
                 last < lines ? last : lines, lines);
    if (r.h > 1) {
        const struct sl_tui_segment footer[] = { { where, NULL, 2 }, { keys ? keys : "", NULL, 1 } };
        char line[512];
        sl_tui_fit_segments(where[0] ? footer : footer + 1, where[0] ? 2 : 1, "   ", r.w, line,
                            sizeof line);
        put_words_attr(r.y + r.h - 1, r.x, r.w, line, A_BOLD);
    }
    return view;
}

size_t sl_tui_first_shown(size_t selected, int rows)
{
    return rows > 0 && selected >= (size_t)rows ? selected - (size_t)rows + 1 : 0;
}

int sl_tui_draw_messages(struct sl_tui_rect r, const char *const *messages, int count, int skip)
{
    enum { MOST = 64 };
    const char *shown[MOST];
    int n = count < MOST ? count : MOST;
    for (int i = 0; i < n; i++)
        shown[i] = messages[i][0] ? _(messages[i]) : "";   /* gettext("") is the header */
    return sl_tui_draw_paragraphs(r, shown, n, skip);
}

void sl_tui_draw_too_small(int rows, int cols, int need_cols, int need_rows)
{
    char need[64], whole[160];
    snprintf(need, sizeof need, _("(need %dx%d)"), need_cols, need_rows);
    snprintf(whole, sizeof whole, _("terminal too small %s"), need);
    const char *halves[] = { whole, NULL }, *lines[8];
    if (sl_text_columns(whole) > cols) {            /* two halves, each whole if it can be */
        halves[0] = _("terminal too small");
        halves[1] = need;
    }
    int lens[8], n = 0;
    for (int h = 0; h < 2 && halves[h]; h++) {
        for (const char *at = halves[h], *next; n < 8 && *at; at = next) {
            lines[n] = at;
            lens[n++] = (int)sl_text_wrap(at, cols, &next);
        }
    }
    for (int i = 0; i < n; i++) {
        char line[160];
        snprintf(line, sizeof line, "%.*s", lens[i], lines[i]);
        int width = sl_text_columns(line), y = (rows - n) / 2 + i;   /* centred in columns */
        if (y >= 0 && y < rows)
            put_attr(y, (cols - width) / 2, width, line, A_BOLD);
    }
}
