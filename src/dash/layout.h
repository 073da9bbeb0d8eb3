/* layout.h — where each panel goes on a screen of a given size. Pure
 * arithmetic, so every size (and every resize) is tested without a terminal.
 *
 * The dashboard picks the richest picture of the state machine that fits:
 * the full figure, the compact one, or the states with their counts in a row
 * (the strip). Tab moves between the views this size offers. */
#ifndef SOCKDASH_LAYOUT_H
#define SOCKDASH_LAYOUT_H

#include <stdbool.h>

#include "socklab/diagram.h"
#include "socklab/tui.h"

#define DASH_MIN_COLS 60
#define DASH_MIN_ROWS 15

enum dash_view {
    DASH_VIEW_ALL,              /* a diagram above the table and the log */
    DASH_VIEW_DIAGRAM,          /* the largest diagram that fits, the log below it */
    DASH_VIEW_TABLE,            /* the strip, the table and the log */
    DASH_VIEW_COUNT
};

struct dash_layout {
    bool too_small;             /* below DASH_MIN_COLS x DASH_MIN_ROWS */
    enum dash_view view;        /* the view actually laid out */
    enum sl_diagram_form form;  /* the diagram's form, when diagram.h > 0 */
    struct sl_tui_rect header, diagram, strip, table, log, help;
};

/* Lay out a cols x rows screen. `wanted` is the view asked for (DASH_VIEW_ALL
 * at start); what does not fit falls back to the next richest view that does:
 * ALL, then DIAGRAM, then TABLE. */
void dash_layout(int cols, int rows, enum dash_view wanted, struct dash_layout *out);

/* The view to ask for on Tab, when `shown` is on screen: the next one that
 * looks different at this size (shown itself when there is no other). */
enum dash_view dash_layout_next_view(int cols, int rows, enum dash_view shown);

/* Socket rows in the table (for PgUp/PgDn): its height less the heading and
 * the line that explains the selected state; at least 1. */
int dash_layout_table_rows(const struct dash_layout *l);

const char *dash_view_name(enum dash_view view);     /* "all", "diagram", "table" */

#endif
