/* layout.c — panel rectangles for a screen size (see layout.h).
 *
 *   row 0            header: counts per state group
 *   rows 1..         a diagram (full 90 x 33, compact 60 x 18) or the strip,
 *                    then the socket table and the log
 *   last row         the help bar
 */
#include "layout.h"

#include "socklab/i18n.h"

#include <string.h>

#define TABLE_MIN_ROWS 6        /* a heading, four sockets and the meaning line */
#define LOG_MIN_ROWS 2          /* a heading and one transition */
#define TABLE_WIDE_COLS 105     /* every column, an owner of 24 characters */
#define LOG_WIDE_COLS 100       /* the longest transition, with IPv4 addresses */

/* The richest form that fits in cols x rows, or -1 for none. */
static int form_that_fits(int cols, int rows)
{
    static const enum sl_diagram_form richest_first[] = { SL_DIAGRAM_FULL, SL_DIAGRAM_COMPACT };
    for (int i = 0; i < 2; i++) {
        const struct sl_diagram_layout *l = sl_diagram_layout(richest_first[i]);
        if (cols >= l->width && rows >= l->height)
            return (int)richest_first[i];
    }
    return -1;
}

/* The table and the log share `area`: side by side when wide, else stacked,
 * and the table alone when there is no room for both. */
static void table_and_log(struct sl_tui_rect area, struct dash_layout *out)
{
    if (area.w >= 120) {
        /* The table keeps what its columns need (an owner of about 24); the
         * log takes the rest, up to what its longest line needs. */
        int log_w = area.w - TABLE_WIDE_COLS - 1;
        log_w = log_w > LOG_WIDE_COLS ? LOG_WIDE_COLS : log_w < area.w / 3 ? area.w / 3 : log_w;
        out->table = (struct sl_tui_rect){ area.y, area.x, area.h, area.w - log_w - 1 };
        out->log = (struct sl_tui_rect){ area.y, area.x + area.w - log_w, area.h, log_w };
    } else if (area.h >= TABLE_MIN_ROWS + 3) {
        int log_h = area.h / 3 < 3 ? 3 : area.h / 3;
        out->table = (struct sl_tui_rect){ area.y, area.x, area.h - log_h, area.w };
        out->log = (struct sl_tui_rect){ area.y + area.h - log_h, area.x, log_h, area.w };
    } else {
        out->table = area;
    }
}

/* The diagram of `form` centred at the top of body; returns what is left below. */
static struct sl_tui_rect place_diagram(struct sl_tui_rect body, enum sl_diagram_form form,
                                      struct dash_layout *out)
{
    const struct sl_diagram_layout *l = sl_diagram_layout(form);
    out->form = form;
    out->diagram = (struct sl_tui_rect){ body.y, body.x + (body.w - l->width) / 2, l->height,
                                       l->width };
    return (struct sl_tui_rect){ body.y + l->height, body.x, body.h - l->height, body.w };
}

void dash_layout(int cols, int rows, enum dash_view wanted, struct dash_layout *out)
{
    memset(out, 0, sizeof *out);
    if (cols < DASH_MIN_COLS || rows < DASH_MIN_ROWS) {
        out->too_small = true;
        return;
    }
    out->header = (struct sl_tui_rect){ 0, 0, 1, cols };
    out->help = (struct sl_tui_rect){ rows - 1, 0, 1, cols };
    struct sl_tui_rect body = { 1, 0, rows - 2, cols };
    int with_table = form_that_fits(cols, body.h - TABLE_MIN_ROWS);
    int alone = form_that_fits(cols, body.h);

    enum dash_view view = wanted;
    if (view == DASH_VIEW_ALL && with_table < 0)
        view = DASH_VIEW_DIAGRAM;
    if (view == DASH_VIEW_DIAGRAM && alone < 0)
        view = DASH_VIEW_TABLE;
    out->view = view;

    struct sl_tui_rect below;
    switch (view) {
    case DASH_VIEW_ALL:
        table_and_log(place_diagram(body, (enum sl_diagram_form)with_table, out), out);
        break;
    case DASH_VIEW_DIAGRAM:
        below = place_diagram(body, (enum sl_diagram_form)alone, out);
        if (below.h >= LOG_MIN_ROWS)
            out->log = below;
        break;
    default: {
        /* Room for counts of four digits, so the strip does not jump as they grow. */
        unsigned wide[SL_TCP_STATE_COUNT];
        for (int s = 0; s < SL_TCP_STATE_COUNT; s++)
            wide[s] = 9999;
        int lines = sl_diagram_strip(cols, wide, NULL, NULL, NULL);
        out->strip = (struct sl_tui_rect){ body.y, 0, lines, cols };
        table_and_log((struct sl_tui_rect){ body.y + lines, 0, body.h - lines, cols }, out);
        break;
    }
    }
}

enum dash_view dash_layout_next_view(int cols, int rows, enum dash_view shown)
{
    for (int k = 1; k < DASH_VIEW_COUNT; k++) {
        enum dash_view next = (enum dash_view)((shown + k) % DASH_VIEW_COUNT);
        struct dash_layout l;
        dash_layout(cols, rows, next, &l);
        if (!l.too_small && l.view != shown)
            return next;
    }
    return shown;
}

int dash_layout_table_rows(const struct dash_layout *l)
{
    return sl_tui_table_rows(l->table.h);
}

const char *dash_view_name(enum dash_view view)
{
    static const char *const names[] = { N_("all"), N_("diagram"), N_("table") };
    return view < DASH_VIEW_COUNT ? names[view] : "?";
}
