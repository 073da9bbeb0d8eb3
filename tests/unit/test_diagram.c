/* test_diagram.c — the RFC 9293 figure in each of its forms: every transition
 * drawn once, the same edges in the same order in every form, every path
 * inside the canvas and outside the boxes, every arrow touching the box it
 * points at, labels and the reset mark clear of lines and boxes; the strip
 * of states wraps between items; ends and inferred paths never invent a FIN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socklab/diagram.h"

#include <string.h>

static const enum sl_diagram_form forms[] = { SL_DIAGRAM_FULL, SL_DIAGRAM_COMPACT };
#define FORM_COUNT (sizeof forms / sizeof forms[0])

static const struct sl_diagram_box *box_of(const struct sl_diagram_layout *l, int state, int index)
{
    for (int i = 0; i < l->box_count; i++)
        if (l->boxes[i].state == state && index-- == 0)
            return &l->boxes[i];
    return NULL;
}

static bool inside_box(const struct sl_diagram_layout *l, int x, int y)
{
    for (int i = 0; i < l->box_count; i++) {
        const struct sl_diagram_box *b = &l->boxes[i];
        if (x >= b->x && x < b->x + l->box_width && y >= b->y && y < b->y + l->box_height)
            return true;
    }
    return false;
}

/* Next to one of the boxes of `state`, in the direction dx, dy from the cell. */
static bool touches(const struct sl_diagram_layout *l, int state, int x, int y, int dx, int dy)
{
    for (int k = 0; k < 2; k++) {
        const struct sl_diagram_box *b = box_of(l, state, k);
        int nx = x + dx, ny = y + dy;
        if (b && nx >= b->x && nx < b->x + l->box_width && ny >= b->y && ny < b->y + l->box_height)
            return true;
    }
    return false;
}

static bool on_an_edge(const struct sl_diagram_layout *l, int x, int y)
{
    for (int o = 0; o < SL_DIAGRAM_EDGE_COUNT; o++)
        for (int p = 0; p + 1 < l->edges[o].point_count; p++) {
            struct sl_diagram_point a = l->edges[o].points[p], b = l->edges[o].points[p + 1];
            if ((a.x == b.x && x == a.x && y >= (a.y < b.y ? a.y : b.y) &&
                 y <= (a.y > b.y ? a.y : b.y)) ||
                (a.y == b.y && y == a.y && x >= (a.x < b.x ? a.x : b.x) &&
                 x <= (a.x > b.x ? a.x : b.x)))
                return true;
        }
    return false;
}

static void every_transition_is_drawn_once_in_every_form(void **state)
{
    (void)state;
    size_t count;
    const struct sl_transition *t = sl_transitions(&count);
    assert_int_equal(SL_DIAGRAM_EDGE_COUNT, count);
    for (size_t i = 0; i < count; i++) {
        int e = sl_diagram_edge_of(t[i].from, t[i].to);
        assert_true(e >= 0);
        for (size_t k = 0; k < count; k++)
            if (k != i)
                assert_int_not_equal(sl_diagram_edge_of(t[k].from, t[k].to), e);
        for (size_t f = 0; f < FORM_COUNT; f++) {      /* an index means one transition */
            const struct sl_diagram_layout *l = sl_diagram_layout(forms[f]);
            assert_int_equal(l->edges[e].from, t[i].from);
            assert_int_equal(l->edges[e].to, t[i].to);
        }
    }
    assert_int_equal(sl_diagram_edge_of(SL_TCP_LISTEN, SL_TCP_NEW_SYN_RECV),
                     sl_diagram_edge_of(SL_TCP_LISTEN, SL_TCP_SYN_RECV));
    assert_int_equal(sl_diagram_edge_of(SL_TCP_ESTABLISHED, SL_TCP_TIME_WAIT), -1);
}

static void paths_are_orthogonal_inside_and_end_at_their_boxes(void **state)
{
    (void)state;
    for (size_t f = 0; f < FORM_COUNT; f++) {
        const struct sl_diagram_layout *l = sl_diagram_layout(forms[f]);
        assert_true(l->width <= SL_DIAGRAM_MAX_WIDTH && l->height <= SL_DIAGRAM_MAX_HEIGHT);
        for (int e = 0; e < SL_DIAGRAM_EDGE_COUNT; e++) {
            const struct sl_diagram_edge *d = &l->edges[e];
            assert_true(d->point_count >= 2);
            for (int i = 0; i + 1 < d->point_count; i++) {
                struct sl_diagram_point a = d->points[i], b = d->points[i + 1];
                assert_true(a.x == b.x || a.y == b.y);          /* no diagonals */
                int dx = (b.x > a.x) - (b.x < a.x), dy = (b.y > a.y) - (b.y < a.y);
                for (int x = a.x, y = a.y;; x += dx, y += dy) {
                    assert_true(x >= 0 && x < l->width && y >= 0 && y < l->height);
                    assert_false(inside_box(l, x, y));
                    if (x == b.x && y == b.y)
                        break;
                }
            }
            struct sl_diagram_point first = d->points[0], second = d->points[1];
            struct sl_diagram_point last = d->points[d->point_count - 1];
            struct sl_diagram_point before = d->points[d->point_count - 2];
            int ox = (second.x > first.x) - (second.x < first.x);
            int oy = (second.y > first.y) - (second.y < first.y);
            assert_true(touches(l, d->from, first.x, first.y, -ox, -oy));   /* leaves its box */
            int ix = (last.x > before.x) - (last.x < before.x);
            int iy = (last.y > before.y) - (last.y < before.y);
            assert_true(touches(l, d->to, last.x, last.y, ix, iy));         /* points into it */
        }
        for (int b = 0; b < l->box_count; b++)
            assert_true(l->boxes[b].x + l->box_width <= l->width &&
                        l->boxes[b].y + l->box_height <= l->height);
    }
}

static void labels_and_the_reset_mark_are_clear(void **state)
{
    (void)state;
    static sl_diagram_grid grid;
    unsigned counts[SL_TCP_STATE_COUNT] = { 0 };
    for (size_t f = 0; f < FORM_COUNT; f++) {
        const struct sl_diagram_layout *l = sl_diagram_layout(forms[f]);
        sl_diagram_render(l, grid, counts);
        for (int e = 0; e <= SL_DIAGRAM_EDGE_COUNT; e++) {
            int n = e < SL_DIAGRAM_EDGE_COUNT ? l->edges[e].label_count : 1;
            for (int k = 0; k < n; k++) {
                const struct sl_diagram_label *label = e < SL_DIAGRAM_EDGE_COUNT
                                                       ? &l->edges[e].labels[k] : &l->reset;
                assert_true(label->x >= 0 && label->x + (int)strlen(label->text) <= l->width);
                for (int i = 0; label->text[i]; i++) {
                    assert_false(inside_box(l, label->x + i, label->y));
                    assert_false(on_an_edge(l, label->x + i, label->y));
                    assert_true(grid[label->y][label->x + i].label);
                    assert_int_equal(grid[label->y][label->x + i].edge, e);
                }
            }
        }
    }
}

static void boxes_show_names_and_counts(void **state)
{
    (void)state;
    static sl_diagram_grid grid;
    unsigned counts[SL_TCP_STATE_COUNT] = { 0 };
    counts[SL_TCP_TIME_WAIT] = 12345;
    counts[SL_TCP_ESTABLISHED] = 3;
    counts[SL_TCP_CLOSE_WAIT] = 123;
    const struct sl_diagram_layout *l = sl_diagram_layout(SL_DIAGRAM_FULL);
    sl_diagram_render(l, grid, counts);
    const struct sl_diagram_box *tw = box_of(l, SL_TCP_TIME_WAIT, 0);
    const struct sl_diagram_box *es = box_of(l, SL_TCP_ESTABLISHED, 0);
    char row[32];
    for (int i = 0; i < l->box_width; i++)
        row[i] = grid[tw->y + 2][tw->x + i].glyph == SL_GLYPH_CHAR ? grid[tw->y + 2][tw->x + i].ch : '-';
    row[l->box_width] = '\0';
    assert_non_null(strstr(row, " 12345 "));
    for (int i = 0; i < l->box_width; i++)
        row[i] = grid[es->y + 1][es->x + i].glyph == SL_GLYPH_CHAR ? grid[es->y + 1][es->x + i].ch : '|';
    assert_non_null(strstr(row, "ESTAB"));
    assert_int_equal(grid[es->y][es->x].glyph, SL_GLYPH_ULCORNER);
    assert_int_equal(grid[es->y + 2][es->x + l->box_width - 1].glyph, SL_GLYPH_LRCORNER);
    assert_int_equal(grid[es->y + 1][es->x].box, grid[es->y][es->x].box);

    /* The compact form: one line, the name on the left and the count whole on
     * the right, even when it leaves little of the name. */
    l = sl_diagram_layout(SL_DIAGRAM_COMPACT);
    sl_diagram_render(l, grid, counts);
    const struct sl_diagram_box *cw = box_of(l, SL_TCP_CLOSE_WAIT, 0);
    tw = box_of(l, SL_TCP_TIME_WAIT, 0);
    for (int i = 0; i < l->box_width; i++)
        row[i] = grid[cw->y][cw->x + i].ch;
    row[l->box_width] = '\0';
    assert_string_equal(row, "CLOSE-WAI 123");
    for (int i = 0; i < l->box_width; i++)
        row[i] = grid[tw->y][tw->x + i].ch;
    assert_string_equal(row, "TIME-WA 12345");
    assert_int_equal(grid[cw->y][cw->x].box, grid[cw->y][cw->x + l->box_width - 1].box);
}

static void the_strip_wraps_between_items(void **state)
{
    (void)state;
    unsigned counts[SL_TCP_STATE_COUNT] = { 0 };
    counts[SL_TCP_ESTABLISHED] = 4;
    int states[SL_DIAGRAM_STRIP_ITEMS], lines[SL_DIAGRAM_STRIP_ITEMS], cols[SL_DIAGRAM_STRIP_ITEMS];
    assert_int_equal(sl_diagram_strip(200, counts, states, lines, cols), 1);
    for (int width = 12; width <= 200; width++) {
        int n = sl_diagram_strip(width, counts, states, lines, cols);
        assert_true(n >= 1 && n <= SL_DIAGRAM_STRIP_ITEMS);
        for (int i = 0; i < SL_DIAGRAM_STRIP_ITEMS; i++) {
            char item[32];
            sl_diagram_strip_item(states[i], counts[states[i]], item, sizeof item);
            assert_true(cols[i] + (int)strlen(item) <= width);      /* never cut */
            assert_true(lines[i] < n);
        }
    }
    assert_int_equal(sl_diagram_strip(80, counts, NULL, NULL, NULL), 2);
    assert_int_equal(sl_diagram_strip(120, counts, NULL, NULL, NULL), 1);
    char item[32];
    sl_diagram_strip_item(SL_TCP_ESTABLISHED, 4, item, sizeof item);
    assert_string_equal(item, "ESTAB 4");
}

static void paths_are_inferred_only_where_the_end_state_proves_them(void **state)
{
    (void)state;
    int path[8];
    int n = sl_diagram_path(SL_TCP_ESTABLISHED, SL_TCP_TIME_WAIT, path, 8);
    assert_int_equal(n, 2);                                 /* via FIN-WAIT-1 */
    assert_int_equal(path[0], sl_diagram_edge_of(SL_TCP_ESTABLISHED, SL_TCP_FIN_WAIT1));
    assert_int_equal(path[1], sl_diagram_edge_of(SL_TCP_FIN_WAIT1, SL_TCP_TIME_WAIT));
    n = sl_diagram_path(SL_TCP_LISTEN, SL_TCP_CLOSE_WAIT, path, 8);
    assert_int_equal(n, 3);
    assert_int_equal(sl_diagram_path(SL_TCP_ESTABLISHED, SL_TCP_ESTABLISHED, path, 8), 0);
    assert_int_equal(sl_diagram_path(SL_TCP_ESTABLISHED, SL_TCP_TIME_WAIT, path, 1), 0);
    assert_int_equal(sl_diagram_path(SL_TCP_CLOSE_WAIT, SL_TCP_FIN_WAIT1, path, 8), 0);
    /* Reaching CLOSED proves no FIN: no path ends there. */
    assert_int_equal(sl_diagram_path(SL_TCP_CLOSE_WAIT, SL_TCP_CLOSE, path, 8), 0);
    assert_int_equal(sl_diagram_path(SL_TCP_ESTABLISHED, SL_TCP_CLOSE, path, 8), 0);
}

static void an_end_is_the_figures_edge_a_reset_or_unknown(void **state)
{
    (void)state;
    const int figure[] = { SL_TCP_TIME_WAIT, SL_TCP_LAST_ACK, SL_TCP_LISTEN, SL_TCP_SYN_SENT };
    for (size_t i = 0; i < sizeof figure / sizeof figure[0]; i++)
        for (int exact = 0; exact < 2; exact++)
            assert_int_equal(sl_diagram_end(figure[i], exact),
                             sl_diagram_edge_of(figure[i], SL_TCP_CLOSE));
    /* The active closer's states lead to TIME-WAIT: any other end is a reset. */
    const int resets[] = { SL_TCP_FIN_WAIT1, SL_TCP_FIN_WAIT2, SL_TCP_CLOSING };
    for (size_t i = 0; i < sizeof resets / sizeof resets[0]; i++)
        for (int exact = 0; exact < 2; exact++)
            assert_int_equal(sl_diagram_end(resets[i], exact), SL_DIAGRAM_RESET);
    /* Seen exactly (the tracepoint), CLOSE-WAIT -> CLOSED skipped LAST-ACK: a reset.
     * Polled, it may have passed LAST-ACK between two refreshes: nothing is lit. */
    const int either[] = { SL_TCP_ESTABLISHED, SL_TCP_CLOSE_WAIT, SL_TCP_SYN_RECV,
                           SL_TCP_NEW_SYN_RECV };
    for (size_t i = 0; i < sizeof either / sizeof either[0]; i++) {
        assert_int_equal(sl_diagram_end(either[i], true), SL_DIAGRAM_RESET);
        assert_int_equal(sl_diagram_end(either[i], false), -1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_transition_is_drawn_once_in_every_form),
        cmocka_unit_test(paths_are_orthogonal_inside_and_end_at_their_boxes),
        cmocka_unit_test(labels_and_the_reset_mark_are_clear),
        cmocka_unit_test(boxes_show_names_and_counts),
        cmocka_unit_test(the_strip_wraps_between_items),
        cmocka_unit_test(paths_are_inferred_only_where_the_end_state_proves_them),
        cmocka_unit_test(an_end_is_the_figures_edge_a_reset_or_unknown),
    };
    return cmocka_run_group_tests_name("diagram", tests, NULL, NULL);
}
