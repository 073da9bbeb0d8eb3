/* layout.c — panel rectangles for a screen size (see layout.h).
 *
 *   row 0            header: counts per state group
 *   rows 1..         the diagram (90 x 33) and/or the socket table and the log
 *   last row         the help bar
 */
#include "layout.h"

#include "socklab/diagram.h"

#include <string.h>

#define TABLE_MIN_ROWS 8        /* a heading, a meaning line and six sockets */

bool dash_layout_diagram_fits(int cols, int rows)
{
    return cols >= SL_DIAGRAM_WIDTH && rows - 2 >= SL_DIAGRAM_HEIGHT;
}

/* The table and the log share `area`: side by side when wide, else stacked. */
static void table_and_log(struct dash_rect area, struct dash_layout *out)
{
    if (area.w >= 120) {
        int log_w = area.w / 3 > 64 ? 64 : area.w / 3;
        out->table = (struct dash_rect){ area.y, area.x, area.h, area.w - log_w - 1 };
        out->log = (struct dash_rect){ area.y, area.x + area.w - log_w, area.h, log_w };
    } else {
        int log_h = area.h / 3 < 3 ? 3 : area.h / 3;
        out->table = (struct dash_rect){ area.y, area.x, area.h - log_h, area.w };
        out->log = (struct dash_rect){ area.y + area.h - log_h, area.x, log_h, area.w };
    }
}

void dash_layout(int cols, int rows, enum dash_view wanted, struct dash_layout *out)
{
    memset(out, 0, sizeof *out);
    if (cols < DASH_MIN_COLS || rows < DASH_MIN_ROWS) {
        out->too_small = true;
        return;
    }
    out->header = (struct dash_rect){ 0, 0, 1, cols };
    out->help = (struct dash_rect){ rows - 1, 0, 1, cols };
    struct dash_rect body = { 1, 0, rows - 2, cols };
    bool diagram_fits = dash_layout_diagram_fits(cols, rows);
    bool all_fits = diagram_fits && body.h >= SL_DIAGRAM_HEIGHT + TABLE_MIN_ROWS;

    enum dash_view view = wanted;
    if (view == VIEW_ALL && !all_fits)
        view = VIEW_TABLE;
    if (view == VIEW_DIAGRAM && !diagram_fits)
        view = VIEW_TABLE;
    out->view = view;

    struct dash_rect diagram = { body.y, (cols - SL_DIAGRAM_WIDTH) / 2, SL_DIAGRAM_HEIGHT,
                                 SL_DIAGRAM_WIDTH };
    struct dash_rect below = { body.y + SL_DIAGRAM_HEIGHT, 0, body.h - SL_DIAGRAM_HEIGHT, cols };
    switch (view) {
    case VIEW_ALL:
        out->diagram = diagram;
        table_and_log(below, out);
        break;
    case VIEW_DIAGRAM:
        out->diagram = diagram;
        if (below.h > 0)
            out->log = below;
        break;
    case VIEW_TABLE:
        table_and_log(body, out);
        break;
    }
}
