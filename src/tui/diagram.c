/* diagram.c — RFC 9293 Figure 5, laid out for a terminal (see diagram.h).
 *
 * The layout follows the RFC's own: CLOSED on top, the opening states below
 * it (the passive side on the left, the active side on the right), ESTAB in
 * the middle, the active close down the left and the passive close down the
 * right, TIME-WAIT and a second CLOSED at the bottom. Labels are the RFC's:
 * the event above (or beside) the line, what TCP sends below it.
 *
 * The compact form keeps the same places in a 60 x 18 grid: one-line boxes
 * ("ESTAB        4"), the same edges in the same order, no labels.
 *
 * RFC 9293 times TIME-WAIT out after 2 MSL; Linux has no MSL setting and
 * starts a fixed 60 s timer (TCP_TIMEWAIT_LEN), which the full form says. */
#include "socklab/diagram.h"

#include <stdio.h>
#include <string.h>

static const struct sl_diagram_box full_boxes[] = {
    { SL_TCP_CLOSE, 44, 0, 0 },
    { SL_TCP_LISTEN, 14, 6, 0 },
    { SL_TCP_SYN_SENT, 74, 6, 0 },
    { SL_TCP_SYN_RECV, 14, 12, 0 },
    { SL_TCP_ESTABLISHED, 44, 12, 0 },
    { SL_TCP_FIN_WAIT1, 14, 18, 0 },
    { SL_TCP_CLOSE_WAIT, 74, 18, 0 },
    { SL_TCP_FIN_WAIT2, 6, 24, 0 },
    { SL_TCP_CLOSING, 44, 24, 0 },
    { SL_TCP_LAST_ACK, 74, 24, 0 },
    { SL_TCP_TIME_WAIT, 44, 30, 0 },
    { SL_TCP_CLOSE, 74, 30, 0 },
};

#define E(from, to) SL_TCP_##from, SL_TCP_##to
static const struct sl_diagram_edge full_edges[] = {
    { E(CLOSE, LISTEN), 3, { { 43, 1 }, { 18, 1 }, { 18, 5 } },
      1, { { "passive OPEN", 21, 0 } } },
    { E(LISTEN, CLOSE), 4, { { 25, 5 }, { 25, 4 }, { 46, 4 }, { 46, 3 } },
      1, { { "CLOSE", 27, 3 } } },
    { E(CLOSE, SYN_SENT), 3, { { 58, 1 }, { 83, 1 }, { 83, 5 } },
      2, { { "active OPEN", 60, 0 }, { "snd SYN", 60, 2 } } },
    { E(SYN_SENT, CLOSE), 4, { { 77, 5 }, { 77, 4 }, { 55, 4 }, { 55, 3 } },
      1, { { "CLOSE", 65, 3 } } },
    { E(LISTEN, SYN_SENT), 2, { { 28, 7 }, { 73, 7 } },
      2, { { "SEND", 45, 6 }, { "snd SYN", 45, 8 } } },
    { E(LISTEN, SYN_RECV), 2, { { 18, 9 }, { 18, 11 } },
      2, { { "rcv SYN", 10, 9 }, { "snd SYN,ACK", 6, 10 } } },
    { E(SYN_RECV, LISTEN), 2, { { 23, 11 }, { 23, 9 } },
      1, { { "rcv RST", 24, 9 } } },
    { E(SYN_SENT, SYN_RECV), 4, { { 77, 9 }, { 77, 10 }, { 26, 10 }, { 26, 11 } },
      2, { { "rcv SYN", 45, 9 }, { "snd SYN,ACK", 45, 11 } } },
    { E(SYN_SENT, ESTABLISHED), 3, { { 83, 9 }, { 83, 13 }, { 58, 13 } },
      2, { { "rcv SYN,ACK", 71, 12 }, { "snd ACK", 71, 14 } } },
    { E(SYN_RECV, ESTABLISHED), 2, { { 28, 13 }, { 43, 13 } },
      1, { { "rcv ACK of SYN", 29, 12 } } },
    { E(SYN_RECV, FIN_WAIT1), 2, { { 18, 15 }, { 18, 17 } },
      2, { { "CLOSE", 12, 15 }, { "snd FIN", 10, 16 } } },
    { E(ESTABLISHED, FIN_WAIT1), 4, { { 47, 15 }, { 47, 16 }, { 24, 16 }, { 24, 17 } },
      2, { { "CLOSE", 31, 15 }, { "snd FIN", 31, 17 } } },
    { E(ESTABLISHED, CLOSE_WAIT), 3, { { 54, 15 }, { 54, 19 }, { 73, 19 } },
      2, { { "rcv FIN", 60, 18 }, { "snd ACK", 60, 20 } } },
    { E(FIN_WAIT1, FIN_WAIT2), 2, { { 17, 21 }, { 17, 23 } },
      2, { { "rcv ACK", 9, 21 }, { "of FIN", 10, 22 } } },
    { E(FIN_WAIT1, CLOSING), 4, { { 28, 19 }, { 31, 19 }, { 31, 25 }, { 43, 25 } },
      2, { { "rcv FIN", 33, 24 }, { "snd ACK", 33, 26 } } },
    { E(FIN_WAIT1, TIME_WAIT), 4, { { 24, 21 }, { 24, 28 }, { 46, 28 }, { 46, 29 } },
      2, { { "rcv FIN,ACK", 26, 27 }, { "snd ACK", 26, 29 } } },
    { E(FIN_WAIT2, TIME_WAIT), 3, { { 10, 27 }, { 10, 31 }, { 43, 31 } },
      2, { { "rcv FIN", 12, 30 }, { "snd ACK", 12, 32 } } },
    { E(CLOSING, TIME_WAIT), 2, { { 50, 27 }, { 50, 29 } },
      1, { { "rcv ACK of FIN", 52, 28 } } },
    { E(CLOSE_WAIT, LAST_ACK), 2, { { 80, 21 }, { 80, 23 } },
      2, { { "CLOSE", 82, 21 }, { "snd FIN", 82, 22 } } },
    { E(LAST_ACK, CLOSE), 2, { { 80, 27 }, { 80, 29 } },
      2, { { "rcv ACK", 82, 28 }, { "of FIN", 82, 29 } } },
    { E(TIME_WAIT, CLOSE), 2, { { 58, 31 }, { 73, 31 } },      /* Linux: TCP_TIMEWAIT_LEN */
      2, { { "2MSL timeout", 60, 30 }, { "Linux: 60 s", 60, 32 } } },
};

/* The compact form: box rows at 0, 4, 8, 11, 14, 17; box columns at 0, 15, 31, 46. */
static const struct sl_diagram_box compact_boxes[] = {
    { SL_TCP_CLOSE, 31, 0, 0 },
    { SL_TCP_LISTEN, 15, 4, 0 },
    { SL_TCP_SYN_SENT, 46, 4, 0 },
    { SL_TCP_SYN_RECV, 15, 8, 0 },
    { SL_TCP_ESTABLISHED, 31, 8, 0 },
    { SL_TCP_FIN_WAIT1, 15, 11, 0 },
    { SL_TCP_CLOSE_WAIT, 46, 11, 0 },
    { SL_TCP_FIN_WAIT2, 0, 14, 0 },
    { SL_TCP_CLOSING, 31, 14, 0 },
    { SL_TCP_LAST_ACK, 46, 14, 0 },
    { SL_TCP_TIME_WAIT, 31, 17, 14 },   /* room for a count of four digits */
    { SL_TCP_CLOSE, 47, 17, 0 },
};

static const struct sl_diagram_edge compact_edges[] = {
    { E(CLOSE, LISTEN), 3, { { 30, 0 }, { 19, 0 }, { 19, 3 } }, 0, { { 0 } } },
    { E(LISTEN, CLOSE), 4, { { 24, 3 }, { 24, 2 }, { 36, 2 }, { 36, 1 } }, 0, { { 0 } } },
    { E(CLOSE, SYN_SENT), 3, { { 44, 0 }, { 52, 0 }, { 52, 3 } }, 0, { { 0 } } },
    { E(SYN_SENT, CLOSE), 4, { { 49, 3 }, { 49, 2 }, { 39, 2 }, { 39, 1 } }, 0, { { 0 } } },
    { E(LISTEN, SYN_SENT), 2, { { 28, 4 }, { 45, 4 } }, 0, { { 0 } } },
    { E(LISTEN, SYN_RECV), 2, { { 18, 5 }, { 18, 7 } }, 0, { { 0 } } },
    { E(SYN_RECV, LISTEN), 2, { { 22, 7 }, { 22, 5 } }, 0, { { 0 } } },
    { E(SYN_SENT, SYN_RECV), 4, { { 50, 5 }, { 50, 6 }, { 26, 6 }, { 26, 7 } }, 0, { { 0 } } },
    { E(SYN_SENT, ESTABLISHED), 3, { { 55, 5 }, { 55, 8 }, { 44, 8 } }, 0, { { 0 } } },
    { E(SYN_RECV, ESTABLISHED), 2, { { 28, 8 }, { 30, 8 } }, 0, { { 0 } } },
    { E(SYN_RECV, FIN_WAIT1), 2, { { 18, 9 }, { 18, 10 } }, 0, { { 0 } } },
    { E(ESTABLISHED, FIN_WAIT1), 3, { { 34, 9 }, { 34, 11 }, { 28, 11 } }, 0, { { 0 } } },
    { E(ESTABLISHED, CLOSE_WAIT), 3, { { 40, 9 }, { 40, 11 }, { 45, 11 } }, 0, { { 0 } } },
    { E(FIN_WAIT1, FIN_WAIT2), 3, { { 14, 11 }, { 6, 11 }, { 6, 13 } }, 0, { { 0 } } },
    { E(FIN_WAIT1, CLOSING), 3, { { 25, 12 }, { 25, 14 }, { 30, 14 } }, 0, { { 0 } } },
    { E(FIN_WAIT1, TIME_WAIT), 4, { { 20, 12 }, { 20, 15 }, { 36, 15 }, { 36, 16 } },
      0, { { 0 } } },
    { E(FIN_WAIT2, TIME_WAIT), 3, { { 6, 15 }, { 6, 17 }, { 30, 17 } }, 0, { { 0 } } },
    { E(CLOSING, TIME_WAIT), 2, { { 40, 15 }, { 40, 16 } }, 0, { { 0 } } },
    { E(CLOSE_WAIT, LAST_ACK), 2, { { 52, 12 }, { 52, 13 } }, 0, { { 0 } } },
    { E(LAST_ACK, CLOSE), 2, { { 52, 15 }, { 52, 16 } }, 0, { { 0 } } },
    { E(TIME_WAIT, CLOSE), 2, { { 45, 17 }, { 46, 17 } }, 0, { { 0 } } },
};
#undef E

#define COUNT(a) (int)(sizeof a / sizeof a[0])
_Static_assert(COUNT(full_edges) == SL_DIAGRAM_EDGE_COUNT, "one edge per transition");
_Static_assert(COUNT(compact_edges) == SL_DIAGRAM_EDGE_COUNT, "the same edges in each form");

static const struct sl_diagram_layout layouts[] = {
    [SL_DIAGRAM_FULL] = { 90, 33, 14, 3, full_boxes, COUNT(full_boxes), full_edges,
                          { "RST/abort", 0, 0 } },
    [SL_DIAGRAM_COMPACT] = { 60, 18, 13, 1, compact_boxes, COUNT(compact_boxes), compact_edges,
                             { "RST/abort", 0, 0 } },
};

const struct sl_diagram_layout *sl_diagram_layout(enum sl_diagram_form form)
{
    return &layouts[form == SL_DIAGRAM_COMPACT ? SL_DIAGRAM_COMPACT : SL_DIAGRAM_FULL];
}

int sl_diagram_box_state(int kernel_state)
{
    if (kernel_state == SL_TCP_NEW_SYN_RECV)
        return SL_TCP_SYN_RECV;
    if (kernel_state == SL_TCP_BOUND_INACTIVE)
        return SL_TCP_CLOSE;
    return kernel_state;
}

int sl_diagram_edge_of(int from, int to)
{
    from = sl_diagram_box_state(from);
    to = sl_diagram_box_state(to);
    for (int i = 0; i < SL_DIAGRAM_EDGE_COUNT; i++)
        if (full_edges[i].from == from && full_edges[i].to == to)
            return i;
    return -1;
}

bool sl_diagram_closed_first(int state)
{
    state = sl_diagram_box_state(state);
    return state == SL_TCP_FIN_WAIT1 || state == SL_TCP_FIN_WAIT2 || state == SL_TCP_CLOSING;
}

int sl_diagram_end(int from, bool exact)
{
    int edge = sl_diagram_edge_of(from, SL_TCP_CLOSE);
    if (edge >= 0)
        return edge;
    if (sl_diagram_closed_first(from))
        return -1;              /* a time-out ends an orphan as often as a RST does */
    from = sl_diagram_box_state(from);
    bool passive_close_possible = from == SL_TCP_ESTABLISHED || from == SL_TCP_SYN_RECV ||
                                  from == SL_TCP_CLOSE_WAIT;
    return exact || !passive_close_possible ? SL_DIAGRAM_RESET : -1;
}

int sl_diagram_path(int from, int to, int *path, int room)
{
    const struct sl_diagram_edge *edges = full_edges;
    from = sl_diagram_box_state(from);
    to = sl_diagram_box_state(to);
    if (!sl_state_valid(from) || !sl_state_valid(to) || from == to || to == SL_TCP_CLOSE)
        return 0;
    int via[SL_TCP_STATE_COUNT];                   /* the edge that first reached a state */
    int queue[SL_TCP_STATE_COUNT], head = 0, tail = 0;
    for (int s = 0; s < SL_TCP_STATE_COUNT; s++)
        via[s] = -2;                                /* unreached */
    via[from] = -1;
    queue[tail++] = from;
    while (head < tail && via[to] == -2) {          /* breadth first: fewest edges */
        int s = queue[head++];
        if (s == SL_TCP_CLOSE && s != from)
            continue;                               /* a socket that closed is gone */
        for (int e = 0; e < SL_DIAGRAM_EDGE_COUNT; e++)
            if (edges[e].from == s && via[edges[e].to] == -2) {
                via[edges[e].to] = e;
                queue[tail++] = edges[e].to;
            }
    }
    if (via[to] == -2)
        return 0;
    int n = 0;
    for (int s = to; s != from; s = edges[via[s]].from)
        n++;
    if (n > room)
        return 0;
    int i = n;
    for (int s = to; s != from; s = edges[via[s]].from)
        path[--i] = via[s];
    return n;
}

static void set(sl_diagram_grid grid, int x, int y, enum sl_glyph glyph, char ch)
{
    if (x >= 0 && x < SL_DIAGRAM_MAX_WIDTH && y >= 0 && y < SL_DIAGRAM_MAX_HEIGHT) {
        grid[y][x].glyph = (unsigned char)glyph;
        grid[y][x].ch = ch;
    }
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* The corner where a path moving (dx1, dy1) turns to move (dx2, dy2): it joins
 * the side the path came in from and the side it goes out to. */
static enum sl_glyph corner(int dx1, int dy1, int dx2, int dy2)
{
    bool west = dx1 > 0 || dx2 < 0;
    bool south = dy1 < 0 || dy2 > 0;
    if (south)
        return west ? SL_GLYPH_URCORNER : SL_GLYPH_ULCORNER;
    return west ? SL_GLYPH_LRCORNER : SL_GLYPH_LLCORNER;
}

static void draw_edge(sl_diagram_grid grid, const struct sl_diagram_edge *edge, int e)
{
    int dx = 0, dy = 0;
    for (int i = 0; i + 1 < edge->point_count; i++) {
        struct sl_diagram_point a = edge->points[i], b = edge->points[i + 1];
        dx = sign(b.x - a.x);
        dy = sign(b.y - a.y);
        for (int x = a.x, y = a.y;; x += dx, y += dy) {
            struct sl_diagram_cell *c = &grid[y][x];
            bool crossing = (dx && c->glyph == SL_GLYPH_VLINE) || (dy && c->glyph == SL_GLYPH_HLINE);
            set(grid, x, y, crossing ? SL_GLYPH_CROSS : dx ? SL_GLYPH_HLINE : SL_GLYPH_VLINE, 0);
            if (!crossing)
                c->edge = (signed char)e;
            if (x == b.x && y == b.y)
                break;
        }
        if (i > 0) {                                /* the bend at a */
            struct sl_diagram_point p = edge->points[i - 1];
            set(grid, a.x, a.y, corner(sign(a.x - p.x), sign(a.y - p.y), dx, dy), 0);
        }
    }
    struct sl_diagram_point end = edge->points[edge->point_count - 1];
    set(grid, end.x, end.y, dx > 0 ? SL_GLYPH_RARROW : dx < 0 ? SL_GLYPH_LARROW
                            : dy > 0 ? SL_GLYPH_DARROW : SL_GLYPH_UARROW, 0);
}

static void put_text(sl_diagram_grid grid, int x, int y, const char *text, int box, int edge)
{
    for (int i = 0; text[i]; i++) {
        set(grid, x + i, y, SL_GLYPH_CHAR, text[i]);
        if (x + i < SL_DIAGRAM_MAX_WIDTH && y < SL_DIAGRAM_MAX_HEIGHT) {
            grid[y][x + i].box = (signed char)box;
            grid[y][x + i].edge = (signed char)edge;
            grid[y][x + i].label = edge >= 0;
        }
    }
}

static const char *box_name(int state)
{
    return state == SL_TCP_SYN_RECV ? "SYN-RCVD" : state == SL_TCP_CLOSE ? "CLOSED"
                                                 : sl_state_name(state);
}

/* A framed box, three rows high: the name inside, the count on the bottom edge. */
static void draw_framed_box(sl_diagram_grid grid, const struct sl_diagram_layout *l, int b,
                            const unsigned counts[SL_TCP_STATE_COUNT])
{
    const struct sl_diagram_box *box = &l->boxes[b];
    int w = sl_diagram_box_width(l, b), x = box->x, y = box->y;
    for (int i = 0; i < w; i++)
        for (int r = 0; r < 3; r++) {
            enum sl_glyph g = r == 1 ? SL_GLYPH_EMPTY : SL_GLYPH_HLINE;
            if (i == 0 || i == w - 1)
                g = r == 1 ? SL_GLYPH_VLINE
                  : r == 0 ? (i ? SL_GLYPH_URCORNER : SL_GLYPH_ULCORNER)
                  : (i ? SL_GLYPH_LRCORNER : SL_GLYPH_LLCORNER);
            set(grid, x + i, y + r, g, ' ');
            grid[y + r][x + i].box = (signed char)b;
            grid[y + r][x + i].edge = -1;
        }
    const char *name = box_name(box->state);
    int len = (int)strlen(name);
    put_text(grid, x + (w - len) / 2, y + 1, name, b, -1);
    if (box->state != SL_TCP_CLOSE) {               /* the count, on the bottom border */
        char count[16];
        snprintf(count, sizeof count, " %u ", counts[box->state]);
        len = (int)strlen(count);
        put_text(grid, x + (w - len) / 2, y + 2, count, b, -1);
    }
}

int sl_diagram_box_width(const struct sl_diagram_layout *l, int b)
{
    return l->boxes[b].width ? l->boxes[b].width : l->box_width;
}

/* A count in at most `room` characters: whole, else in thousands or millions
 * ("12k", "3M"); "" when even that does not fit. */
static void fit_count(unsigned count, int room, char *out, size_t len)
{
    static const struct { unsigned divisor; const char *suffix; } forms[] = {
        { 1, "" }, { 1000, "k" }, { 1000000, "M" },
    };
    out[0] = '\0';
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (i > 0 && count < forms[i].divisor)
            return;
        char text[16];
        int n = snprintf(text, sizeof text, "%u%s", count / forms[i].divisor, forms[i].suffix);
        if (n <= room) {
            snprintf(out, len, "%s", text);
            return;
        }
    }
}

/* A one-line box: the name on the left, the count on the right. A count too
 * wide for the room after the name is shortened to thousands ("12k"); only if
 * that does not fit either is the name shortened, with a visible '~'. */
static void draw_line_box(sl_diagram_grid grid, const struct sl_diagram_layout *l, int b,
                          const unsigned counts[SL_TCP_STATE_COUNT])
{
    const struct sl_diagram_box *box = &l->boxes[b];
    int width = sl_diagram_box_width(l, b);
    const char *name = box_name(box->state);
    char count[16] = "", text[48];
    if (box->state != SL_TCP_CLOSE) {
        fit_count(counts[box->state], width - (int)strlen(name) - 1, count, sizeof count);
        if (!count[0])
            snprintf(count, sizeof count, "%u", counts[box->state]);
    }
    int room = width - (int)strlen(count) - (count[0] ? 1 : 0);
    if ((int)strlen(name) <= room)
        snprintf(text, sizeof text, "%-*s%s%s", room, name, count[0] ? " " : "", count);
    else
        snprintf(text, sizeof text, "%.*s~ %s", room > 1 ? room - 1 : 0, name, count);
    put_text(grid, box->x, box->y, text, b, -1);
}

void sl_diagram_render(const struct sl_diagram_layout *l, sl_diagram_grid grid,
                       const unsigned counts[SL_TCP_STATE_COUNT])
{
    for (int y = 0; y < SL_DIAGRAM_MAX_HEIGHT; y++)
        for (int x = 0; x < SL_DIAGRAM_MAX_WIDTH; x++)
            grid[y][x] = (struct sl_diagram_cell){ SL_GLYPH_EMPTY, ' ', -1, -1, false };
    for (int e = 0; e < SL_DIAGRAM_EDGE_COUNT; e++)
        draw_edge(grid, &l->edges[e], e);
    for (int b = 0; b < l->box_count; b++) {
        if (l->box_height == 3)
            draw_framed_box(grid, l, b, counts);
        else
            draw_line_box(grid, l, b, counts);
    }
    for (int e = 0; e < SL_DIAGRAM_EDGE_COUNT; e++)
        for (int i = 0; i < l->edges[e].label_count; i++)
            put_text(grid, l->edges[e].labels[i].x, l->edges[e].labels[i].y,
                     l->edges[e].labels[i].text, -1, e);
    put_text(grid, l->reset.x, l->reset.y, l->reset.text, -1, SL_DIAGRAM_RESET);
}

/* The strip's order: the figure read top to bottom, left to right. */
static const int strip_states[SL_DIAGRAM_STRIP_ITEMS] = {
    SL_TCP_LISTEN, SL_TCP_SYN_SENT, SL_TCP_SYN_RECV, SL_TCP_ESTABLISHED, SL_TCP_FIN_WAIT1,
    SL_TCP_CLOSE_WAIT, SL_TCP_FIN_WAIT2, SL_TCP_CLOSING, SL_TCP_LAST_ACK, SL_TCP_TIME_WAIT,
};

void sl_diagram_strip_item(int state, unsigned count, char *out, size_t len)
{
    snprintf(out, len, "%s %u", box_name(state), count);
}

int sl_diagram_strip(int width, const unsigned counts[SL_TCP_STATE_COUNT], int *states,
                     int *lines, int *columns)
{
    int line = 0, x = 0;
    for (int i = 0; i < SL_DIAGRAM_STRIP_ITEMS; i++) {
        char item[32];
        sl_diagram_strip_item(strip_states[i], counts[strip_states[i]], item, sizeof item);
        int len = (int)strlen(item);
        if (x > 0 && x + 2 + len > width) {         /* wrap between items, never inside one */
            line++;
            x = 0;
        } else if (x > 0) {
            x += 2;
        }
        if (states) {
            states[i] = strip_states[i];
            lines[i] = line;
            columns[i] = x;
        }
        x += len;
    }
    return line + 1;
}
