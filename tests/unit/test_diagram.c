/* test_diagram.c — the RFC 9293 figure as laid out: every transition drawn
 * once, every path inside the canvas and outside the boxes, every arrow
 * touching the box it points at, labels clear of lines and boxes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socklab/diagram.h"

#include <string.h>

static const struct sl_diagram_box *box_of(int state, int index)
{
    size_t n;
    const struct sl_diagram_box *b = sl_diagram_boxes(&n);
    for (size_t i = 0; i < n; i++)
        if (b[i].state == state && index-- == 0)
            return &b[i];
    return NULL;
}

static bool inside_box(int x, int y)
{
    size_t n;
    const struct sl_diagram_box *b = sl_diagram_boxes(&n);
    for (size_t i = 0; i < n; i++)
        if (x >= b[i].x && x < b[i].x + SL_DIAGRAM_BOX_WIDTH && y >= b[i].y && y < b[i].y + 3)
            return true;
    return false;
}

/* Next to one of the boxes of `state`, in the direction dx, dy from the cell. */
static bool touches(int state, int x, int y, int dx, int dy)
{
    for (int k = 0; k < 2; k++) {
        const struct sl_diagram_box *b = box_of(state, k);
        int nx = x + dx, ny = y + dy;
        if (b && nx >= b->x && nx < b->x + SL_DIAGRAM_BOX_WIDTH && ny >= b->y && ny < b->y + 3)
            return true;
    }
    return false;
}

static void every_transition_is_drawn_once(void **state)
{
    (void)state;
    size_t count, edge_count;
    const struct sl_transition *t = sl_transitions(&count);
    sl_diagram_edges(&edge_count);
    assert_int_equal(edge_count, count);
    for (size_t i = 0; i < count; i++) {
        int e = sl_diagram_edge_of(t[i].from, t[i].to);
        assert_true(e >= 0);
        for (size_t k = 0; k < count; k++)
            if (k != i)
                assert_int_not_equal(sl_diagram_edge_of(t[k].from, t[k].to), e);
    }
    assert_int_equal(sl_diagram_edge_of(SL_TCP_LISTEN, SL_TCP_NEW_SYN_RECV),
                     sl_diagram_edge_of(SL_TCP_LISTEN, SL_TCP_SYN_RECV));
    assert_int_equal(sl_diagram_edge_of(SL_TCP_ESTABLISHED, SL_TCP_TIME_WAIT), -1);
}

static void paths_are_orthogonal_inside_and_end_at_their_boxes(void **state)
{
    (void)state;
    size_t n;
    const struct sl_diagram_edge *edges = sl_diagram_edges(&n);
    for (size_t e = 0; e < n; e++) {
        const struct sl_diagram_edge *d = &edges[e];
        assert_true(d->point_count >= 2);
        for (int i = 0; i + 1 < d->point_count; i++) {
            struct sl_diagram_point a = d->points[i], b = d->points[i + 1];
            assert_true(a.x == b.x || a.y == b.y);          /* no diagonals */
            int dx = (b.x > a.x) - (b.x < a.x), dy = (b.y > a.y) - (b.y < a.y);
            for (int x = a.x, y = a.y;; x += dx, y += dy) {
                assert_true(x >= 0 && x < SL_DIAGRAM_WIDTH && y >= 0 && y < SL_DIAGRAM_HEIGHT);
                assert_false(inside_box(x, y));
                if (x == b.x && y == b.y)
                    break;
            }
        }
        struct sl_diagram_point first = d->points[0], second = d->points[1];
        struct sl_diagram_point last = d->points[d->point_count - 1];
        struct sl_diagram_point before = d->points[d->point_count - 2];
        int ox = (second.x > first.x) - (second.x < first.x);
        int oy = (second.y > first.y) - (second.y < first.y);
        assert_true(touches(d->from, first.x, first.y, -ox, -oy));   /* leaves its box */
        int ix = (last.x > before.x) - (last.x < before.x);
        int iy = (last.y > before.y) - (last.y < before.y);
        assert_true(touches(d->to, last.x, last.y, ix, iy));         /* points into its box */
    }
}

static void labels_are_clear(void **state)
{
    (void)state;
    static struct sl_diagram_cell grid[SL_DIAGRAM_HEIGHT][SL_DIAGRAM_WIDTH];
    unsigned counts[SL_TCP_STATE_COUNT] = { 0 };
    size_t n;
    const struct sl_diagram_edge *edges = sl_diagram_edges(&n);
    sl_diagram_render(grid, counts);
    /* Render again without labels: a label must not cover a line or a box. */
    for (size_t e = 0; e < n; e++)
        for (int l = 0; l < edges[e].label_count; l++) {
            const struct sl_diagram_label *label = &edges[e].labels[l];
            assert_true(label->x >= 0 &&
                        label->x + (int)strlen(label->text) <= SL_DIAGRAM_WIDTH);
            for (int i = 0; label->text[i]; i++) {
                assert_false(inside_box(label->x + i, label->y));
                for (size_t o = 0; o < n; o++)
                    for (int p = 0; p + 1 < edges[o].point_count; p++) {
                        struct sl_diagram_point a = edges[o].points[p], b = edges[o].points[p + 1];
                        int x = label->x + i, y = label->y;
                        bool on = (a.x == b.x && x == a.x && y >= (a.y < b.y ? a.y : b.y) &&
                                   y <= (a.y > b.y ? a.y : b.y)) ||
                                  (a.y == b.y && y == a.y && x >= (a.x < b.x ? a.x : b.x) &&
                                   x <= (a.x > b.x ? a.x : b.x));
                        assert_false(on);
                    }
                assert_true(grid[label->y][label->x + i].label);
            }
        }
}

static void boxes_show_names_and_counts(void **state)
{
    (void)state;
    static struct sl_diagram_cell grid[SL_DIAGRAM_HEIGHT][SL_DIAGRAM_WIDTH];
    unsigned counts[SL_TCP_STATE_COUNT] = { 0 };
    counts[SL_TCP_TIME_WAIT] = 12345;
    counts[SL_TCP_ESTABLISHED] = 3;
    sl_diagram_render(grid, counts);
    const struct sl_diagram_box *tw = box_of(SL_TCP_TIME_WAIT, 0), *es = box_of(SL_TCP_ESTABLISHED, 0);
    char row[SL_DIAGRAM_BOX_WIDTH + 1];
    for (int i = 0; i < SL_DIAGRAM_BOX_WIDTH; i++)
        row[i] = grid[tw->y + 2][tw->x + i].glyph == SL_GLYPH_CHAR ? grid[tw->y + 2][tw->x + i].ch : '-';
    row[SL_DIAGRAM_BOX_WIDTH] = '\0';
    assert_non_null(strstr(row, " 12345 "));
    for (int i = 0; i < SL_DIAGRAM_BOX_WIDTH; i++)
        row[i] = grid[es->y + 1][es->x + i].glyph == SL_GLYPH_CHAR ? grid[es->y + 1][es->x + i].ch : '|';
    assert_non_null(strstr(row, "ESTAB"));
    assert_int_equal(grid[es->y][es->x].glyph, SL_GLYPH_ULCORNER);
    assert_int_equal(grid[es->y + 2][es->x + SL_DIAGRAM_BOX_WIDTH - 1].glyph, SL_GLYPH_LRCORNER);
    assert_int_equal(grid[es->y + 1][es->x].box, grid[es->y][es->x].box);
}

static void shortest_paths_fill_in_what_polling_missed(void **state)
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
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_transition_is_drawn_once),
        cmocka_unit_test(paths_are_orthogonal_inside_and_end_at_their_boxes),
        cmocka_unit_test(labels_are_clear),
        cmocka_unit_test(boxes_show_names_and_counts),
        cmocka_unit_test(shortest_paths_fill_in_what_polling_missed),
    };
    return cmocka_run_group_tests_name("diagram", tests, NULL, NULL);
}
