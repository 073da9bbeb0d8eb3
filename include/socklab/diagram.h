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

#define SL_DIAGRAM_WIDTH 90
#define SL_DIAGRAM_HEIGHT 33
#define SL_DIAGRAM_BOX_WIDTH 14         /* boxes are 3 rows high */

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
    signed char edge;                   /* index into sl_diagram_edges(), or -1 */
    signed char box;                    /* index into sl_diagram_boxes(), or -1 */
    bool label;                         /* part of an edge's label text */
};

struct sl_diagram_box {
    int state;                          /* SL_TCP_CLOSE appears twice, as in the RFC */
    int x, y;                           /* top-left corner */
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

const struct sl_diagram_box *sl_diagram_boxes(size_t *count);
const struct sl_diagram_edge *sl_diagram_edges(size_t *count);

/* The edge for the transition from -> to (request sockets count as SYN-RECV),
 * or -1 when the figure has none. */
int sl_diagram_edge_of(int from, int to);

/* The edges along a shortest path from -> to (polling can miss the states in
 * between), written to path; returns how many, 0 when there is none. A path
 * never passes through CLOSED: a socket that got there is gone. */
int sl_diagram_path(int from, int to, int *path, int room);

/* Draw the figure into grid; counts[state] goes on each state's box (CLOSED
 * has none). */
void sl_diagram_render(struct sl_diagram_cell grid[SL_DIAGRAM_HEIGHT][SL_DIAGRAM_WIDTH],
                       const unsigned counts[SL_TCP_STATE_COUNT]);

/* The state a box counts: request sockets are SYN-RECV, and a box shows the
 * kernel's TIME-WAIT records under their sub-state, as ss does. */
int sl_diagram_box_state(int kernel_state);

#endif
