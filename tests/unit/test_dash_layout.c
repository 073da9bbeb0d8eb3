/* test_dash_layout.c — panels and the diagram's form for every screen size,
 * and Tab's next view. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "layout.h"
#include "screen.h"
#include "socklab/tui.h"

#include "socklab/diagram.h"

#include <locale.h>
#include <string.h>

static bool overlap(struct sl_tui_rect a, struct sl_tui_rect b)
{
    if (!a.h || !b.h)
        return false;
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static bool within(struct sl_tui_rect r, int cols, int rows)
{
    return !r.h || (r.x >= 0 && r.y >= 0 && r.w > 0 && r.x + r.w <= cols && r.y + r.h <= rows);
}

static const struct sl_diagram_layout *form(const struct dash_layout *l)
{
    return sl_diagram_layout(l->form);
}

static void too_small_below_the_minimum(void **state)
{
    (void)state;
    struct dash_layout l;
    dash_layout(40, 12, DASH_VIEW_ALL, &l);
    assert_true(l.too_small);
    dash_layout(DASH_MIN_COLS - 1, 40, DASH_VIEW_ALL, &l);
    assert_true(l.too_small);
    dash_layout(DASH_MIN_COLS, DASH_MIN_ROWS, DASH_VIEW_ALL, &l);
    assert_false(l.too_small);
    assert_int_equal(l.view, DASH_VIEW_TABLE);             /* the states in a row */
    assert_true(l.strip.h >= 1 && l.table.h >= 3);
}

static void big_screen_shows_everything(void **state)
{
    (void)state;
    struct dash_layout l;
    dash_layout(200, 60, DASH_VIEW_ALL, &l);
    assert_int_equal(l.view, DASH_VIEW_ALL);
    assert_int_equal(l.form, SL_DIAGRAM_FULL);
    assert_int_equal(l.diagram.w, form(&l)->width);
    assert_int_equal(l.diagram.h, form(&l)->height);
    assert_int_equal(l.diagram.x, (200 - form(&l)->width) / 2);
    assert_true(l.table.h >= 8 && l.log.h >= 8);
    assert_int_equal(l.table.y, l.log.y);                  /* side by side */
    assert_true(l.log.w >= 90);                            /* a transition with its peer */
    int which[SL_TUI_TABLE_COLUMNS], widths[SL_TUI_TABLE_COLUMNS];
    assert_int_equal(sl_tui_table_columns(l.table.w, true, which, widths), SL_TUI_TABLE_COLUMNS);
    assert_int_equal(l.help.y, 59);
}

/* The classroom's panes: the state machine shows in a 60x20 pane and at 80x24. */
static void small_panes_get_the_compact_diagram(void **state)
{
    (void)state;
    struct dash_layout l;
    dash_layout(60, 20, DASH_VIEW_ALL, &l);
    assert_int_equal(l.view, DASH_VIEW_DIAGRAM);
    assert_int_equal(l.form, SL_DIAGRAM_COMPACT);
    assert_int_equal(l.diagram.h, form(&l)->height);
    dash_layout(80, 24, DASH_VIEW_ALL, &l);
    assert_int_equal(l.view, DASH_VIEW_DIAGRAM);
    assert_int_equal(l.form, SL_DIAGRAM_COMPACT);
    assert_true(l.log.h >= 2);                             /* the log below it */
    dash_layout(119, 31, DASH_VIEW_ALL, &l);               /* a 240x60 window's pane */
    assert_int_equal(l.view, DASH_VIEW_ALL);
    assert_int_equal(l.form, SL_DIAGRAM_COMPACT);
    assert_true(l.table.h >= 6);
    dash_layout(100, 36, DASH_VIEW_DIAGRAM, &l);           /* alone, the full one fits */
    assert_int_equal(l.form, SL_DIAGRAM_FULL);
}

static void what_does_not_fit_falls_back(void **state)
{
    (void)state;
    struct dash_layout l;
    dash_layout(100, 36, DASH_VIEW_ALL, &l);               /* full + table: no; compact: yes */
    assert_int_equal(l.view, DASH_VIEW_ALL);
    assert_int_equal(l.form, SL_DIAGRAM_COMPACT);
    dash_layout(100, 36, DASH_VIEW_TABLE, &l);
    assert_int_equal(l.view, DASH_VIEW_TABLE);
    assert_int_equal(l.diagram.h, 0);
    assert_true(l.strip.h >= 1);
    dash_layout(80, 19, DASH_VIEW_DIAGRAM, &l);            /* no diagram fits: the table */
    assert_int_equal(l.view, DASH_VIEW_TABLE);
}

static void tab_always_changes_what_is_shown(void **state)
{
    (void)state;
    for (int cols = DASH_MIN_COLS; cols <= 220; cols += 7)
        for (int rows = DASH_MIN_ROWS; rows <= 80; rows += 3) {
            struct dash_layout now, next;
            dash_layout(cols, rows, DASH_VIEW_ALL, &now);
            enum dash_view wanted = dash_layout_next_view(cols, rows, now.view);
            dash_layout(cols, rows, wanted, &next);
            bool choice = false;                           /* does this size offer two views? */
            for (int v = 0; v < DASH_VIEW_COUNT; v++) {
                struct dash_layout other;
                dash_layout(cols, rows, (enum dash_view)v, &other);
                choice |= other.view != now.view;
            }
            assert_true(choice ? next.view != now.view : next.view == now.view);
        }
    struct dash_layout l;
    dash_layout(60, 20, DASH_VIEW_ALL, &l);                /* diagram, then table, then back */
    enum dash_view v = dash_layout_next_view(60, 20, l.view);
    dash_layout(60, 20, v, &l);
    assert_int_equal(l.view, DASH_VIEW_TABLE);
    v = dash_layout_next_view(60, 20, l.view);
    dash_layout(60, 20, v, &l);
    assert_int_equal(l.view, DASH_VIEW_DIAGRAM);
    assert_string_equal(dash_view_name(DASH_VIEW_DIAGRAM), "diagram");
}

static void every_size_is_consistent(void **state)
{
    (void)state;
    for (int cols = DASH_MIN_COLS; cols <= 220; cols += 3)
        for (int rows = DASH_MIN_ROWS; rows <= 80; rows++)
            for (int v = 0; v < DASH_VIEW_COUNT; v++) {
                struct dash_layout l;
                dash_layout(cols, rows, (enum dash_view)v, &l);
                assert_false(l.too_small);
                struct sl_tui_rect all[] = { l.header, l.diagram, l.strip, l.table, l.log, l.help };
                for (int i = 0; i < 6; i++) {
                    assert_true(within(all[i], cols, rows));
                    for (int k = i + 1; k < 6; k++)
                        assert_false(overlap(all[i], all[k]));
                }
                assert_true(l.table.h == 0 || l.table.h >= 3);
                assert_true(l.diagram.h || l.table.h);
                assert_true(!l.diagram.h || (l.diagram.h == form(&l)->height &&
                                             l.diagram.w == form(&l)->width));
                assert_int_equal(l.help.y, rows - 1);
                assert_true(dash_layout_table_rows(&l) >= 1);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(too_small_below_the_minimum),
        cmocka_unit_test(big_screen_shows_everything),
        cmocka_unit_test(small_panes_get_the_compact_diagram),
        cmocka_unit_test(what_does_not_fit_falls_back),
        cmocka_unit_test(tab_always_changes_what_is_shown),
        cmocka_unit_test(every_size_is_consistent),
    };
    return cmocka_run_group_tests_name("dash_layout", tests, NULL, NULL);
}
