/* diagram.h — the RFC 9293 state machine (Figure 5) as a picture: where each
 * state's box sits, which way each edge runs and where its label goes, drawn
 * into a grid of cells that any screen can show.
 *
 * The grid knows nothing of ncurses: each cell is a glyph (a line, a corner, an
 * arrow, or a plain character), plus the edge or box it belongs to, so a
 * presenter can light an edge or a box without knowing the geometry. */
#ifndef SOCKLAB_DIAGRAM_H
#define SOCKLAB_DIAGRAM_H

#include <stdbool.h>
#include <stddef.h>

#include "socklab/tcpstate.h"

/* Two forms of the same figure: the full one (framed boxes, every edge with its
 * event and action) and a compact one for a small pane (one-line boxes, the
 * same edges without labels). Both list the same edges in the same order, so
 * an edge index means the same transition in either. */
enum sl_diagram_form { SL_DIAGRAM_FULL, SL_DIAGRAM_COMPACT };

#define SL_DIAGRAM_MAX_WIDTH 90         /* the largest form's size */
#define SL_DIAGRAM_MAX_HEIGHT 33
#define SL_DIAGRAM_EDGE_COUNT 21        /* RFC 9293 Figure 5's transitions, note 2's included */
#define SL_DIAGRAM_RESET SL_DIAGRAM_EDGE_COUNT  /* the reset/abort mark, lit like an edge */
#define SL_DIAGRAM_MARKS (SL_DIAGRAM_EDGE_COUNT + 1)    /* edges and the mark */

enum sl_glyph {
    SL_GLYPH_EMPTY, SL_GLYPH_CHAR,      /* a plain ASCII character, in .ch */
    SL_GLYPH_HLINE, SL_GLYPH_VLINE,
    SL_GLYPH_ULCORNER, SL_GLYPH_URCORNER, SL_GLYPH_LLCORNER, SL_GLYPH_LRCORNER,
    SL_GLYPH_CROSS,
    SL_GLYPH_RARROW, SL_GLYPH_LARROW, SL_GLYPH_UARROW, SL_GLYPH_DARROW,
};

struct sl_diagram_cell {
    unsigned char glyph;                /* enum sl_glyph */
    char ch;                            /* for SL_GLYPH_CHAR */
    signed char edge;                   /* edge index, SL_DIAGRAM_RESET, or -1 */
    signed char box;                    /* index into the form's boxes, or -1 */
    bool label;                         /* part of a label (an edge's, or the mark) */
};

struct sl_diagram_box {
    int state;                          /* SL_TCP_CLOSE appears twice, as in the RFC */
    int x, y;                           /* top-left corner */
    int width;                          /* 0: the layout's box_width */
};

struct sl_diagram_point {
    int x, y;
};

struct sl_diagram_label {
    const char *text;
    int x, y;
};

struct sl_diagram_edge {
    int from, to;                       /* kernel state numbers */
    int point_count;                    /* the path: orthogonal segments */
    struct sl_diagram_point points[5];
    int label_count;                    /* the event above, the action below */
    struct sl_diagram_label labels[2];
};

struct sl_diagram_layout {
    int width, height;
    int box_width, box_height;          /* 14 x 3 framed, count on the bottom edge;
                                           13 x 1 as "NAME   count" */
    const struct sl_diagram_box *boxes;
    int box_count;
    const struct sl_diagram_edge *edges;    /* SL_DIAGRAM_EDGE_COUNT of them */
    struct sl_diagram_label reset;      /* where the reset/abort mark goes */
};

const struct sl_diagram_layout *sl_diagram_layout(enum sl_diagram_form form);

/* The width of the layout's b-th box (a box may be wider than box_width). */
int sl_diagram_box_width(const struct sl_diagram_layout *layout, int b);

typedef struct sl_diagram_cell sl_diagram_grid[SL_DIAGRAM_MAX_HEIGHT][SL_DIAGRAM_MAX_WIDTH];

/* The edge for the transition from -> to (request sockets count as SYN-RECV),
 * or -1 when the figure has none. */
int sl_diagram_edge_of(int from, int to);

/* The edges along a shortest path from -> to (polling can miss the states in
 * between), written to path; returns how many, 0 when there is none. Only
 * paths to a state the socket is still in: reaching it proves the way (a
 * socket now in TIME-WAIT did send and receive a FIN). A path never passes
 * through CLOSED, and never ends there: see sl_diagram_end. */
int sl_diagram_path(int from, int to, int *path, int room);

/* True for the states of the side that closed first, FIN-WAIT-1, FIN-WAIT-2
 * and CLOSING: a socket that ends there without a TIME-WAIT record timed out
 * (an orphaned FIN-WAIT-2 runs out tcp_fin_timeout; an orphan whose FIN or
 * data goes unacknowledged, or whose zero-window probes back off past the
 * longest RTO, is dropped) or was reset, and polling or the tracepoint alike
 * cannot tell which: neither sends a RST that the socket's states show. */
bool sl_diagram_closed_first(int state);

/* What to light when a socket last seen in `from` ends (it is gone, or in
 * CLOSED) without a TIME-WAIT record: the figure's own edge to CLOSED where it
 * has one (a listener or a connecting socket closed, LAST-ACK's last ACK,
 * TIME-WAIT's timeout); -1 for the side that closed first (timed out or
 * reset, see sl_diagram_closed_first); the reset/abort mark, SL_DIAGRAM_RESET,
 * when the end is exact (the tracepoint shows every state, so a skipped
 * LAST-ACK never happened); else -1: polling saw ESTAB, SYN-RECV or
 * CLOSE-WAIT and then nothing, which a RST explains and so does a passive
 * close whose LAST-ACK lasted less than a refresh. The figure leaves resets
 * and time-outs out, and lighting a path the socket may never have taken
 * would show what did not happen. */
int sl_diagram_end(int from, bool exact);

/* Draw a form of the figure into the top-left corner of grid; counts[state]
 * goes on each state's box (CLOSED has none). */
void sl_diagram_render(const struct sl_diagram_layout *layout, sl_diagram_grid grid,
                       const unsigned counts[SL_TCP_STATE_COUNT]);

/* The states in a row, the figure's last resort on a small screen:
 * "LISTEN 2  SYN-SENT 0  ..." wrapped at width. Returns the number of lines;
 * when states is not NULL, the i-th item's state, line and column are written
 * to states[i], lines[i], columns[i] (SL_DIAGRAM_STRIP_ITEMS of each). */
#define SL_DIAGRAM_STRIP_ITEMS 10
int sl_diagram_strip(int width, const unsigned counts[SL_TCP_STATE_COUNT], int *states,
                     int *lines, int *columns);

/* An item of the strip as text: "ESTAB 4". */
void sl_diagram_strip_item(int state, unsigned count, char *out, size_t len);

/* The state a box counts: request sockets are SYN-RECV, and a box shows the
 * kernel's TIME-WAIT records under their sub-state, as ss does. */
int sl_diagram_box_state(int kernel_state);

#endif
