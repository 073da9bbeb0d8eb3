/* test_tui.c — the tui module without a terminal: the model (counts, closed
 * sockets kept a while, the log, edges lit and fading, how an end is drawn,
 * sort and selection, rows a viewer stops looking at, the states a pause
 * names first), the table's columns fitted to its rows, lines of parts that
 * shorten then drop, and colour pairs that differ. (Fitting text itself is test_text.c's.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "make_socket.h"

#include "socklab/diagram.h"
#include "socklab/tui.h"

#include <locale.h>
#include <string.h>

static void counts_and_gone_rows(void **state)
{
    (void)state;
    struct sl_tui_model m;
    sl_tui_model_init(&m);
    struct sl_snapshot a = { 0 }, b = { 0 }, empty = { 0 };
    *sl_snapshot_add(&a) = make_socket(8080, 0, SL_TCP_LISTEN, 1);
    *sl_snapshot_add(&a) = make_socket(40000, 8080, SL_TCP_ESTABLISHED, 2);
    *sl_snapshot_add(&a) = make_socket(8080, 40000, SL_TCP_NEW_SYN_RECV, 0);
    sl_tui_model_apply(&m, &a, NULL, NULL, NULL, 0);
    assert_int_equal(m.socket_count, 3);
    assert_int_equal(m.counts[SL_TCP_LISTEN], 1);
    assert_int_equal(m.counts[SL_TCP_SYN_RECV], 1);         /* a request socket counts there */

    *sl_snapshot_add(&b) = make_socket(8080, 0, SL_TCP_LISTEN, 1);
    struct sl_changes gone = { 0 };
    struct sl_change c = make_change(SL_GONE, 40000, 8080, SL_TCP_ESTABLISHED, 0);
    sl_changes_add(&gone, &c);
    sl_tui_model_apply(&m, &b, NULL, NULL, &gone, 1000);
    assert_int_equal(m.socket_count, 1);
    assert_int_equal(m.row_count, 2);                       /* the closed one stays a while */
    assert_int_equal(m.counts[SL_TCP_ESTABLISHED], 0);
    sl_tui_model_apply(&m, &b, NULL, NULL, NULL, 1000 + SL_TUI_GONE_KEEP_MS - 1);
    assert_int_equal(m.row_count, 2);
    sl_tui_model_apply(&m, &b, NULL, NULL, NULL, 1000 + SL_TUI_GONE_KEEP_MS);
    assert_int_equal(m.row_count, 1);
    sl_tui_model_apply(&m, &empty, NULL, NULL, NULL, 9000);
    assert_int_equal(m.socket_count, 0);
    sl_changes_free(&gone);
    sl_snapshot_free(&a);
    sl_snapshot_free(&b);
    sl_tui_model_free(&m);
}

static void log_is_newest_first_and_bounded(void **state)
{
    (void)state;
    struct sl_tui_model m;
    sl_tui_model_init(&m);
    for (int i = 0; i < SL_TUI_LOG_CAPACITY + 10; i++) {
        struct sl_change c = make_change(SL_CHANGED, (uint16_t)(1000 + i), 80, SL_TCP_ESTABLISHED,
                                    SL_TCP_CLOSE_WAIT);
        sl_tui_model_log(&m, &c, i % 2, i);
    }
    assert_int_equal(m.log_count, SL_TUI_LOG_CAPACITY);
    const struct sl_tui_log_entry *newest = sl_tui_model_log_entry(&m, 0);
    assert_int_equal(newest->tuple.local_port, 1000 + SL_TUI_LOG_CAPACITY + 9);
    assert_true(newest->traced);
    const struct sl_tui_log_entry *oldest = sl_tui_model_log_entry(&m, SL_TUI_LOG_CAPACITY - 1);
    assert_int_equal(oldest->tuple.local_port, 1000 + 10);
    assert_null(sl_tui_model_log_entry(&m, SL_TUI_LOG_CAPACITY));
    sl_tui_model_free(&m);
}

static void edges_light_and_fade(void **state)
{
    (void)state;
    struct sl_tui_model m;
    sl_tui_model_init(&m);
    struct sl_snapshot none = { 0 };
    struct sl_changes changes = { 0 };
    struct sl_change c = make_change(SL_CHANGED, 40000, 8080, SL_TCP_ESTABLISHED, SL_TCP_TIME_WAIT);
    sl_changes_add(&changes, &c);
    sl_tui_model_apply(&m, &none, NULL, NULL, &changes, 0);
    int to_fw1 = sl_diagram_edge_of(SL_TCP_ESTABLISHED, SL_TCP_FIN_WAIT1);
    int to_tw = sl_diagram_edge_of(SL_TCP_FIN_WAIT1, SL_TCP_TIME_WAIT);
    int unrelated = sl_diagram_edge_of(SL_TCP_LISTEN, SL_TCP_SYN_RECV);
    assert_int_equal(sl_tui_model_edge_heat(&m, to_fw1), SL_TUI_LIT_FRAMES);   /* the inferred path */
    assert_int_equal(sl_tui_model_edge_heat(&m, to_tw), SL_TUI_LIT_FRAMES);
    assert_int_equal(sl_tui_model_edge_heat(&m, unrelated), 0);
    for (int f = 1; f < SL_TUI_LIT_FRAMES; f++) {
        sl_tui_model_apply(&m, &none, NULL, NULL, NULL, f);
        assert_int_equal(sl_tui_model_edge_heat(&m, to_fw1), SL_TUI_LIT_FRAMES - f);
    }
    sl_tui_model_apply(&m, &none, NULL, NULL, NULL, 99);
    assert_int_equal(sl_tui_model_edge_heat(&m, to_fw1), 0);

    /* appearing in ESTAB could be either side's path: nothing is lit */
    changes.count = 0;
    c = make_change(SL_APPEARED, 40001, 8080, 0, SL_TCP_ESTABLISHED);
    sl_changes_add(&changes, &c);
    sl_tui_model_apply(&m, &none, NULL, NULL, &changes, 100);
    for (int e = 0; e < SL_DIAGRAM_MARKS; e++)
        assert_int_equal(sl_tui_model_edge_heat(&m, e), 0);
    sl_changes_free(&changes);
    sl_tui_model_free(&m);
}

/* An end never lights a FIN path it may not have taken. */
static void ends_light_the_figure_a_reset_or_nothing(void **state)
{
    (void)state;
    struct sl_tui_model m;
    sl_tui_model_init(&m);
    int to_last_ack = sl_diagram_edge_of(SL_TCP_CLOSE_WAIT, SL_TCP_LAST_ACK);
    int last_ack_closed = sl_diagram_edge_of(SL_TCP_LAST_ACK, SL_TCP_CLOSE);
    int to_fw1 = sl_diagram_edge_of(SL_TCP_ESTABLISHED, SL_TCP_FIN_WAIT1);
    int tw_closed = sl_diagram_edge_of(SL_TCP_TIME_WAIT, SL_TCP_CLOSE);
    struct sl_change c;

    /* The tracepoint saw CLOSE-WAIT -> CLOSED: LAST-ACK never happened: a reset. */
    c = make_change(SL_CHANGED, 8080, 40000, SL_TCP_CLOSE_WAIT, SL_TCP_CLOSE);
    sl_tui_model_log(&m, &c, true, 0);
    assert_int_equal(sl_tui_model_edge_heat(&m, to_last_ack), 0);
    assert_int_equal(sl_tui_model_edge_heat(&m, last_ack_closed), 0);
    assert_int_equal(sl_tui_model_edge_heat(&m, SL_DIAGRAM_RESET), SL_TUI_LIT_FRAMES);
    assert_string_equal(sl_tui_log_destination(sl_tui_model_log_entry(&m, 0)), "gone (RST or abort)");
    sl_tui_model_free(&m);

    /* Polling saw ESTAB, then nothing: no FIN-WAIT-1 route, no reset claimed. */
    sl_tui_model_init(&m);
    c = make_change(SL_GONE, 40000, 8080, SL_TCP_ESTABLISHED, 0);
    sl_tui_model_log(&m, &c, false, 0);
    for (int e = 0; e < SL_DIAGRAM_MARKS; e++)
        assert_int_equal(sl_tui_model_edge_heat(&m, e), 0);
    assert_int_equal(sl_tui_model_edge_heat(&m, to_fw1), 0);
    assert_string_equal(sl_tui_log_destination(sl_tui_model_log_entry(&m, 0)),
                        "gone (LAST-ACK unseen, or RST)");

    /* FIN-WAIT-2 gone without a TIME-WAIT record, polled or traced: an orphan
     * that ran out tcp_fin_timeout (no RST) or a reset; no mark is lit. */
    for (int traced = 0; traced < 2; traced++) {
        c = make_change(SL_GONE, 40001, 8080, SL_TCP_FIN_WAIT2, 0);
        sl_tui_model_log(&m, &c, traced, 1);
        assert_int_equal(sl_tui_model_edge_heat(&m, SL_DIAGRAM_RESET), 0);
        assert_string_equal(sl_tui_log_destination(sl_tui_model_log_entry(&m, 0)),
                            "gone (timed out, or RST)");
    }

    /* TIME-WAIT's end is the figure's own edge. */
    c = make_change(SL_GONE, 40002, 8080, SL_TCP_TIME_WAIT, 0);
    sl_tui_model_log(&m, &c, false, 2);
    assert_int_equal(sl_tui_model_edge_heat(&m, tw_closed), SL_TUI_LIT_FRAMES);
    assert_string_equal(sl_tui_log_destination(sl_tui_model_log_entry(&m, 0)), "CLOSED");

    /* A move between live states: the state reached names it. */
    c = make_change(SL_CHANGED, 40003, 8080, SL_TCP_ESTABLISHED, SL_TCP_TIME_WAIT);
    sl_tui_model_log(&m, &c, false, 3);
    assert_string_equal(sl_tui_log_destination(sl_tui_model_log_entry(&m, 0)), "TIME-WAIT");
    sl_tui_model_free(&m);
}

static void sorting_keeps_the_selection(void **state)
{
    (void)state;
    struct sl_tui_model m;
    sl_tui_model_init(&m);
    struct sl_snapshot snap = { 0 };
    *sl_snapshot_add(&snap) = make_socket(3000, 80, SL_TCP_TIME_WAIT, 0);
    *sl_snapshot_add(&snap) = make_socket(1000, 80, SL_TCP_ESTABLISHED, 5);
    *sl_snapshot_add(&snap) = make_socket(2000, 80, SL_TCP_CLOSE_WAIT, 6);
    sl_tui_model_apply(&m, &snap, NULL, NULL, NULL, 0);
    assert_int_equal(m.rows[0].socket.state, SL_TCP_ESTABLISHED);   /* by state number */
    sl_tui_model_move(&m, 2);
    assert_int_equal(sl_tui_model_selected(&m)->socket.tuple.local_port, 2000);
    m.sort = SL_TUI_SORT_LOCAL;
    sl_tui_model_sort(&m);
    assert_int_equal(m.rows[0].socket.tuple.local_port, 1000);
    assert_int_equal(sl_tui_model_selected(&m)->socket.tuple.local_port, 2000);
    m.sort_reverse = true;
    sl_tui_model_sort(&m);
    assert_int_equal(m.rows[0].socket.tuple.local_port, 3000);
    sl_tui_model_move(&m, -100);
    assert_int_equal(m.selected, 0);
    sl_tui_model_move(&m, 100);
    assert_int_equal(m.selected, 2);
    sl_tui_model_apply(&m, &snap, NULL, NULL, NULL, 1);                 /* a new frame */
    assert_int_equal(sl_tui_model_selected(&m)->socket.tuple.local_port, 1000);
    assert_string_equal(sl_tui_sort_name(SL_TUI_SORT_TIMER), "timer");
    sl_snapshot_free(&snap);
    sl_tui_model_free(&m);
}

/* The table's columns go whole, the least important first; the Timer (what a
 * TIME-WAIT lab is about) outlasts the peer, and is never run into. */
static void table_columns_drop_whole_and_keep_the_timer(void **state)
{
    (void)state;
    int which[SL_TUI_TABLE_COLUMNS], widths[SL_TUI_TABLE_COLUMNS];
    const struct { int width; bool owners; const char *want; } cases[] = {
        { 80, false, "012345" },                /* the lab's table at 80 columns: all six */
        { 61, true, "01235" },                  /* no owner, no peer: the timer stays */
        { 60, false, "01235" },
        { 50, false, "035" },
        { 30, false, "05" },                   /* a local address does not fit */
        { 200, true, "0123456" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = sl_tui_table_columns(cases[i].width, cases[i].owners, which, widths);
        char got[16] = "";
        int total = 0;
        for (int c = 0; c < n; c++) {
            got[c] = (char)('0' + which[c]);
            total += widths[c];
            if (which[c] == 5)                  /* "timewait 5.7s" */
                assert_true(widths[c] >= (c == n - 1 ? 13 : 14));
        }
        assert_string_equal(got, cases[i].want);
        assert_int_equal(total, cases[i].width);
    }
}

/* A listener on port with this backlog (its Send-Q: "bl=4096"). */
static void add_listener(struct sl_snapshot *snap, uint16_t port, unsigned backlog)
{
    struct sl_socket *listener = sl_snapshot_add(snap);
    *listener = make_socket(port, 0, SL_TCP_LISTEN, 1);
    listener->send_q = backlog;
}

/* Fitted to the rows: loopback addresses are short, so a 61-column pane (the
 * classroom's dashboard) keeps the peer, which tells a client from its
 * server; a backlog of 4096 is not cut to "bl=40...". */
static void table_columns_fit_the_rows(void **state)
{
    (void)state;
    struct sl_tui_model m;
    sl_tui_model_init(&m);
    struct sl_snapshot snap = { 0 };
    add_listener(&snap, 8080, 4096);
    *sl_snapshot_add(&snap) = make_socket(40000, 8080, SL_TCP_ESTABLISHED, 2);
    *sl_snapshot_add(&snap) = make_socket(8080, 40000, SL_TCP_ESTABLISHED, 3);
    sl_tui_model_apply(&m, &snap, NULL, NULL, NULL, 0);
    int which[SL_TUI_TABLE_COLUMNS], widths[SL_TUI_TABLE_COLUMNS];
    int n = sl_tui_table_fit(&m, 61, true, which, widths), total = 0;
    char got[16] = "";
    for (int c = 0; c < n; c++) {
        got[c] = (char)('0' + which[c]);
        total += widths[c];
    }
    assert_string_equal(got, "0345");               /* State, Local, Peer, Timer */
    assert_int_equal(total, 61);
    n = sl_tui_table_fit(&m, 80, false, which, widths);
    assert_int_equal(n, 6);
    assert_int_equal(which[2], 2);
    assert_true(widths[2] >= (int)strlen("bl=4096") + 1);
    sl_snapshot_free(&snap);
    sl_tui_model_free(&m);
}

/* The widths the table fits to are measured when the rows change (a frame,
 * a keep), not at each draw: they follow the rows. An IPv6 peer widens the
 * Peer column; once a keep takes its row away, the column is loopback's
 * width again. A closed row's cells are "CLOSED" and "-". */
static void measured_widths_follow_the_rows(void **state)
{
    (void)state;
    struct sl_tui_model m;
    sl_tui_model_init(&m);
    struct sl_snapshot snap = { 0 };
    add_listener(&snap, 8080, 4096);
    struct sl_socket *v6 = sl_snapshot_add(&snap);
    *v6 = make_socket(9090, 40000, SL_TCP_ESTABLISHED, 2);
    v6->tuple.family = AF_INET6;
    memcpy(v6->tuple.local, "\xfd\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
    memcpy(v6->tuple.peer, "\xfd\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
    sl_tui_model_apply(&m, &snap, NULL, NULL, NULL, 0);
    assert_int_equal(m.widest[0], (int)strlen("LISTEN") + 1);
    assert_int_equal(m.widest[2], (int)strlen("bl=4096") + 1);
    assert_int_equal(m.widest[4], (int)strlen("[fd00::2]:40000") + 1);
    int which[SL_TUI_TABLE_COLUMNS], widths[SL_TUI_TABLE_COLUMNS];
    int n = sl_tui_table_fit(&m, 200, false, which, widths);
    assert_int_equal(which[4], 4);
    assert_int_equal(widths[4], 21);                /* grown to its heading */

    struct sl_filter ports;
    sl_filter_init(&ports);
    sl_filter_add_range(&ports, 8080, 8080);
    sl_tui_model_keep(&m, &ports);
    assert_int_equal(m.row_count, 1);
    assert_int_equal(m.widest[4], (int)strlen("0.0.0.0:*") + 1);

    struct sl_snapshot none = { 0 };
    struct sl_changes gone = { 0 };
    struct sl_change c = make_change(SL_GONE, 8080, 0, SL_TCP_LISTEN, 0);
    sl_changes_add(&gone, &c);
    sl_tui_model_apply(&m, &none, NULL, NULL, &gone, 100);
    assert_int_equal(m.row_count, 1);               /* kept a while, closed */
    assert_int_equal(m.widest[0], (int)strlen("CLOSED") + 1);
    assert_int_equal(m.widest[2], 2);               /* "-" */
    n = sl_tui_table_fit(&m, 80, false, which, widths);
    assert_int_equal(n, 6);
    assert_int_equal(widths[2], 7);                 /* back to its usual width */
    sl_changes_free(&gone);
    sl_snapshot_free(&none);
    sl_snapshot_free(&snap);
    sl_tui_model_free(&m);
}

/* A lab that stops tracking a port: its rows leave at once, not as closed;
 * rows in the states a pause names come first, closed ones last. */
static void rows_leave_quietly_and_the_named_come_first(void **state)
{
    (void)state;
    struct sl_tui_model m;
    sl_tui_model_init(&m);
    m.gone_last = true;
    struct sl_snapshot snap = { 0 }, later = { 0 };
    *sl_snapshot_add(&snap) = make_socket(7000, 40000, SL_TCP_TIME_WAIT, 0);
    *sl_snapshot_add(&snap) = make_socket(8080, 0, SL_TCP_LISTEN, 1);
    *sl_snapshot_add(&snap) = make_socket(40001, 8080, SL_TCP_FIN_WAIT2, 0);
    *sl_snapshot_add(&snap) = make_socket(8080, 40001, SL_TCP_CLOSE_WAIT, 2);
    *sl_snapshot_add(&snap) = make_socket(8080, 40002, SL_TCP_ESTABLISHED, 3);
    sl_tui_model_apply(&m, &snap, NULL, NULL, NULL, 0);
    struct sl_filter ports;
    sl_filter_init(&ports);
    sl_filter_add_range(&ports, 8080, 8080);
    size_t logged = m.log_count;
    sl_tui_model_keep(&m, &ports);
    assert_int_equal(m.row_count, 4);               /* port 7000's TIME-WAIT left */
    assert_int_equal(m.counts[SL_TCP_TIME_WAIT], 0);
    assert_int_equal(m.log_count, logged);          /* it did not close */
    for (size_t i = 0; i < m.row_count; i++)
        assert_true(m.rows[i].socket.tuple.local_port != 7000);

    m.first_states[0] = SL_TCP_CLOSE_WAIT;          /* "CLOSE-WAIT ... FIN-WAIT-2" */
    m.first_states[1] = SL_TCP_FIN_WAIT2;
    m.first_count = 2;
    *sl_snapshot_add(&later) = make_socket(8080, 0, SL_TCP_LISTEN, 1);
    *sl_snapshot_add(&later) = make_socket(40001, 8080, SL_TCP_FIN_WAIT2, 0);
    *sl_snapshot_add(&later) = make_socket(8080, 40001, SL_TCP_CLOSE_WAIT, 2);
    struct sl_changes gone = { 0 };
    struct sl_change c = make_change(SL_GONE, 8080, 40002, SL_TCP_ESTABLISHED, 0);
    sl_changes_add(&gone, &c);
    sl_tui_model_apply(&m, &later, NULL, NULL, &gone, 100);
    assert_int_equal(m.row_count, 4);
    assert_int_equal(m.rows[0].socket.state, SL_TCP_CLOSE_WAIT);
    assert_int_equal(m.rows[1].socket.state, SL_TCP_FIN_WAIT2);
    assert_int_equal(m.rows[2].socket.state, SL_TCP_LISTEN);
    assert_true(m.rows[3].gone_at > 0);             /* the closed one, after every live one */
    assert_int_equal(sl_tui_model_first_rows(&m), 2);
    sl_changes_free(&gone);
    sl_snapshot_free(&snap);
    sl_snapshot_free(&later);
    sl_tui_model_free(&m);
}

static void segments_shorten_then_drop_the_least_important(void **state)
{
    (void)state;
    const struct sl_tui_segment parts[] = {
        { "title", NULL, 0 }, { "counts in full", "counts", 1 }, { "source long", "src", 2 },
        { "PAUSED", NULL, 4 }, { "filter", NULL, 3 },
    };
    char out[128];
    sl_tui_fit_segments(parts, 5, "|", 80, out, sizeof out);
    assert_string_equal(out, "title|counts in full|source long|PAUSED|filter");
    sl_tui_fit_segments(parts, 5, "|", 38, out, sizeof out);
    assert_string_equal(out, "title|counts|source long|PAUSED|filter");
    sl_tui_fit_segments(parts, 5, "|", 30, out, sizeof out);
    assert_string_equal(out, "title|counts|src|PAUSED|filter");
    sl_tui_fit_segments(parts, 5, "|", 24, out, sizeof out);
    assert_string_equal(out, "counts|src|PAUSED|filter");
    sl_tui_fit_segments(parts, 5, "|", 17, out, sizeof out);
    assert_string_equal(out, "src|PAUSED|filter");         /* PAUSED and the filter stay */
    sl_tui_fit_segments(parts, 5, "|", 6, out, sizeof out);
    assert_string_equal(out, "PAUSED");
}

/* One colour pair per meaning: no two alike, so no meaning hides another. */
static void colour_pairs_differ(void **state)
{
    (void)state;
    for (int a = 1; a < SL_TUI_COLOUR_COUNT; a++)
        for (int b = a + 1; b < SL_TUI_COLOUR_COUNT; b++) {
            short fa, ba, fb, bb;
            sl_tui_colour_pair((enum sl_tui_colour)a, &fa, &ba);
            sl_tui_colour_pair((enum sl_tui_colour)b, &fb, &bb);
            assert_false(fa == fb && ba == bb);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_and_gone_rows),
        cmocka_unit_test(log_is_newest_first_and_bounded),
        cmocka_unit_test(edges_light_and_fade),
        cmocka_unit_test(ends_light_the_figure_a_reset_or_nothing),
        cmocka_unit_test(sorting_keeps_the_selection),
        cmocka_unit_test(table_columns_drop_whole_and_keep_the_timer),
        cmocka_unit_test(table_columns_fit_the_rows),
        cmocka_unit_test(measured_widths_follow_the_rows),
        cmocka_unit_test(rows_leave_quietly_and_the_named_come_first),
        cmocka_unit_test(segments_shorten_then_drop_the_least_important),
        cmocka_unit_test(colour_pairs_differ),
    };
    return cmocka_run_group_tests_name("tui", tests, NULL, NULL);
}
