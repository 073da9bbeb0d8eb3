/* layout.h — where each panel goes on a screen of a given size. Pure
 * arithmetic, so every size (and every resize) is tested without a terminal. */
#ifndef SOCKDASH_LAYOUT_H
#define SOCKDASH_LAYOUT_H

#include <stdbool.h>

#define DASH_MIN_COLS 60
#define DASH_MIN_ROWS 15

enum dash_view {
    VIEW_ALL,                   /* diagram above, table and log below: a big terminal */
    VIEW_DIAGRAM,               /* the diagram and the log (Tab switches) */
    VIEW_TABLE,                 /* the table and the log */
};

struct dash_rect {
    int y, x, h, w;             /* h == 0: not shown */
};

struct dash_layout {
    bool too_small;             /* below DASH_MIN_COLS x DASH_MIN_ROWS */
    enum dash_view view;        /* the view actually laid out */
    struct dash_rect header, diagram, table, log, help;
};

/* Lay out a cols x rows screen. `wanted` is VIEW_ALL unless the viewer chose
 * with Tab; what does not fit falls back to a view that does. */
void dash_layout(int cols, int rows, enum dash_view wanted, struct dash_layout *out);

/* Whether the diagram fits on its own on a screen of this size. */
bool dash_layout_diagram_fits(int cols, int rows);

#endif
