/* test_dash_layout.c — panels for every screen size, and text fitting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "layout.h"
#include "text.h"

#include "socklab/diagram.h"

#include <locale.h>
#include <string.h>

static bool overlap(struct dash_rect a, struct dash_rect b)
{
    if (!a.h || !b.h)
        return false;
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static bool within(struct dash_rect r, int cols, int rows)
{
    return !r.h || (r.x >= 0 && r.y >= 0 && r.w > 0 && r.x + r.w <= cols && r.y + r.h <= rows);
}

static void too_small_below_the_minimum(void **state)
{
    (void)state;
    struct dash_layout l;
    dash_layout(40, 12, VIEW_ALL, &l);
    assert_true(l.too_small);
    dash_layout(DASH_MIN_COLS - 1, 40, VIEW_ALL, &l);
    assert_true(l.too_small);
    dash_layout(DASH_MIN_COLS, DASH_MIN_ROWS, VIEW_ALL, &l);
    assert_false(l.too_small);
    assert_int_equal(l.view, VIEW_TABLE);
}

static void big_screen_shows_everything(void **state)
{
    (void)state;
    struct dash_layout l;
    dash_layout(160, 50, VIEW_ALL, &l);
    assert_int_equal(l.view, VIEW_ALL);
    assert_int_equal(l.diagram.w, SL_DIAGRAM_WIDTH);
    assert_int_equal(l.diagram.h, SL_DIAGRAM_HEIGHT);
    assert_int_equal(l.diagram.x, (160 - SL_DIAGRAM_WIDTH) / 2);
    assert_true(l.table.h >= 8 && l.log.h >= 8);
    assert_int_equal(l.table.y, l.log.y);                  /* side by side */
    assert_int_equal(l.help.y, 49);
}

static void what_does_not_fit_falls_back(void **state)
{
    (void)state;
    struct dash_layout l;
    dash_layout(100, 36, VIEW_ALL, &l);                    /* diagram fits, not the table too */
    assert_int_equal(l.view, VIEW_TABLE);
    dash_layout(100, 36, VIEW_DIAGRAM, &l);                /* Tab: the diagram */
    assert_int_equal(l.view, VIEW_DIAGRAM);
    assert_int_equal(l.diagram.h, SL_DIAGRAM_HEIGHT);
    assert_int_equal(l.table.h, 0);
    dash_layout(80, 30, VIEW_DIAGRAM, &l);                 /* too small for it: the table */
    assert_int_equal(l.view, VIEW_TABLE);
    assert_true(dash_layout_diagram_fits(90, 35));
    assert_false(dash_layout_diagram_fits(89, 60));
}

static void every_size_is_consistent(void **state)
{
    (void)state;
    for (int cols = DASH_MIN_COLS; cols <= 220; cols += 3)
        for (int rows = DASH_MIN_ROWS; rows <= 80; rows++)
            for (int v = VIEW_ALL; v <= VIEW_TABLE; v++) {
                struct dash_layout l;
                dash_layout(cols, rows, (enum dash_view)v, &l);
                assert_false(l.too_small);
                struct dash_rect all[] = { l.header, l.diagram, l.table, l.log, l.help };
                for (int i = 0; i < 5; i++) {
                    assert_true(within(all[i], cols, rows));
                    for (int k = i + 1; k < 5; k++)
                        assert_false(overlap(all[i], all[k]));
                }
                assert_true(l.table.h == 0 || l.table.h >= 3);
                assert_true(l.diagram.h || l.table.h);
                assert_int_equal(l.help.y, rows - 1);
            }
}

static void text_fits_its_columns(void **state)
{
    (void)state;
    wchar_t out[64];
    assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
    assert_int_equal(dash_text_fit("nginx", 10, out, 64), 5);
    assert_int_equal(dash_text_fit("nginx-worker", 5, out, 64), 5);
    assert_true(wcscmp(out, L"nginx") == 0);
    assert_int_equal(dash_text_fit("服务器", 5, out, 64), 4);   /* two wide characters, not 2.5 */
    assert_int_equal(wcslen(out), 2);
    assert_int_equal(dash_text_fit("a\xff" "b", 10, out, 64), 3);   /* a bad byte shows as ? */
    assert_true(wcscmp(out, L"a?b") == 0);
    assert_int_equal(dash_text_fit("tab\there", 10, out, 64), 8);
    assert_int_equal(dash_text_fit("anything", 0, out, 64), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(too_small_below_the_minimum),
        cmocka_unit_test(big_screen_shows_everything),
        cmocka_unit_test(what_does_not_fit_falls_back),
        cmocka_unit_test(every_size_is_consistent),
        cmocka_unit_test(text_fits_its_columns),
    };
    return cmocka_run_group_tests_name("dash_layout", tests, NULL, NULL);
}
