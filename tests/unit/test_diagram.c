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
        if (x >= b->x && x < b->x + sl_diagram_box_width(l, i) && y >= b->y && y < b->y + l->box_height)
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
        if (b && nx >= b->x && nx < b->x + sl_diagram_box_width(l, (int)(b - l->boxes)) && ny >= b->y && ny < b->y + l->box_height)
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
            assert_true(l->boxes[b].x + sl_diagram_box_width(l, b) <= l->width &&
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

    /* The compact form: one line, the name whole on the left and the count on
     * the right: whole when it fits (TIME-WAIT has room for four digits), in
     * thousands when it does not; a name is shortened only with a visible '~'. */
    l = sl_diagram_layout(SL_DIAGRAM_COMPACT);
    const struct {
        int state;
        unsigned count;
        const char *shown;
    } cases[] = {
        { SL_TCP_TIME_WAIT, 2197, "TIME-WAIT 2197" },
        { SL_TCP_TIME_WAIT, 12345, "TIME-WAIT 12k" },
        { SL_TCP_TIME_WAIT, 262144, "TIME-WAIT 262k" },
        { SL_TCP_ESTABLISHED, 3, "ESTAB        3" },
        { SL_TCP_CLOSE_WAIT, 12, "CLOSE-WAIT 12" },
        { SL_TCP_CLOSE_WAIT, 123, "CLOSE-WA~ 123" },
        { SL_TCP_FIN_WAIT2, 4321, "FIN-WAIT-2 4k" },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        memset(counts, 0, sizeof counts);
        counts[cases[c].state] = cases[c].count;
        sl_diagram_render(l, grid, counts);
        const struct sl_diagram_box *b = box_of(l, cases[c].state, 0);
        int w = sl_diagram_box_width(l, (int)(b - l->boxes));
        for (int i = 0; i < w; i++)
            row[i] = grid[b->y][b->x + i].ch;
        row[w] = '\0';
        const char *count = strrchr(cases[c].shown, ' ') + 1;   /* on the right */
        assert_string_equal(row + w - strlen(count), count);
        assert_memory_equal(row, cases[c].shown, strcspn(cases[c].shown, " "));
        assert_int_equal(grid[b->y][b->x].box, grid[b->y][b->x + w - 1].box);
    }
}

/* Linux times TIME-WAIT out after a fixed 60 s, not after a 2 MSL it has no
 * setting for: the full figure says so on the edge. */
static void the_timeout_edge_says_60_s_on_linux(void **state)
{
    (void)state;
    const struct sl_diagram_layout *l = sl_diagram_layout(SL_DIAGRAM_FULL);
    const struct sl_diagram_edge *e = &l->edges[sl_diagram_edge_of(SL_TCP_TIME_WAIT, SL_TCP_CLOSE)];
    bool linux_said = false;
    for (int i = 0; i < e->label_count; i++)
        linux_said |= strstr(e->labels[i].text, "Linux: 60 s") != NULL;
    assert_true(linux_said);
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
    /* The side that closed first leads to TIME-WAIT; any other end is a time-out
     * (an orphaned FIN-WAIT-2 running out tcp_fin_timeout vanishes without a RST)
     * or a reset, which even the tracepoint cannot tell apart: nothing is lit. */
    const int closed_first[] = { SL_TCP_FIN_WAIT1, SL_TCP_FIN_WAIT2, SL_TCP_CLOSING };
    for (size_t i = 0; i < sizeof closed_first / sizeof closed_first[0]; i++) {
        assert_true(sl_diagram_closed_first(closed_first[i]));
        for (int exact = 0; exact < 2; exact++)
            assert_int_equal(sl_diagram_end(closed_first[i], exact), -1);
    }
    assert_false(sl_diagram_closed_first(SL_TCP_CLOSE_WAIT));
    assert_false(sl_diagram_closed_first(SL_TCP_ESTABLISHED));
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
        cmocka_unit_test(the_timeout_edge_says_60_s_on_linux),
        cmocka_unit_test(boxes_show_names_and_counts),
        cmocka_unit_test(the_strip_wraps_between_items),
        cmocka_unit_test(paths_are_inferred_only_where_the_end_state_proves_them),
        cmocka_unit_test(an_end_is_the_figures_edge_a_reset_or_unknown),
    };
    return cmocka_run_group_tests_name("diagram", tests, NULL, NULL);
}
