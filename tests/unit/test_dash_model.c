/* test_dash_model.c — the dashboard's model (counts, closed sockets kept a
 * while, the log, edges lit and fading, sort and selection), the / filter,
 * and recordings written and read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "make_socket.h"

#include "dash_options.h"
#include "socklab/tui.h"
#include "record.h"


#include "socklab/diagram.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static struct sl_change change(enum sl_change_kind kind, uint16_t local, uint16_t peer,
                               int from, int to)
{
    struct sl_socket s = make_socket(local, peer, to, 0);
    return (struct sl_change){ .kind = kind, .tuple = s.tuple, .from = (uint8_t)from,
                               .to = (uint8_t)to };
}

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
    struct sl_change c = change(SL_GONE, 40000, 8080, SL_TCP_ESTABLISHED, 0);
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
        struct sl_change c = change(SL_CHANGED, (uint16_t)(1000 + i), 80, SL_TCP_ESTABLISHED,
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
    struct sl_change c = change(SL_CHANGED, 40000, 8080, SL_TCP_ESTABLISHED, SL_TCP_TIME_WAIT);
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
    c = change(SL_APPEARED, 40001, 8080, 0, SL_TCP_ESTABLISHED);
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
    c = change(SL_CHANGED, 8080, 40000, SL_TCP_CLOSE_WAIT, SL_TCP_CLOSE);
    sl_tui_model_log(&m, &c, true, 0);
    assert_int_equal(sl_tui_model_edge_heat(&m, to_last_ack), 0);
    assert_int_equal(sl_tui_model_edge_heat(&m, last_ack_closed), 0);
    assert_int_equal(sl_tui_model_edge_heat(&m, SL_DIAGRAM_RESET), SL_TUI_LIT_FRAMES);
    assert_string_equal(sl_tui_log_destination(sl_tui_model_log_entry(&m, 0)), "gone (RST or abort)");
    sl_tui_model_free(&m);

    /* Polling saw ESTAB, then nothing: no FIN-WAIT-1 route, no reset claimed. */
    sl_tui_model_init(&m);
    c = change(SL_GONE, 40000, 8080, SL_TCP_ESTABLISHED, 0);
    sl_tui_model_log(&m, &c, false, 0);
    for (int e = 0; e < SL_DIAGRAM_MARKS; e++)
        assert_int_equal(sl_tui_model_edge_heat(&m, e), 0);
    assert_int_equal(sl_tui_model_edge_heat(&m, to_fw1), 0);
    assert_string_equal(sl_tui_log_destination(sl_tui_model_log_entry(&m, 0)),
                        "gone (LAST-ACK unseen, or RST)");

    /* Polled FIN-WAIT-2 gone without a TIME-WAIT record: only a reset or an abort. */
    c = change(SL_GONE, 40001, 8080, SL_TCP_FIN_WAIT2, 0);
    sl_tui_model_log(&m, &c, false, 1);
    assert_int_equal(sl_tui_model_edge_heat(&m, SL_DIAGRAM_RESET), SL_TUI_LIT_FRAMES);
    assert_string_equal(sl_tui_log_destination(sl_tui_model_log_entry(&m, 0)), "gone (RST or abort)");

    /* TIME-WAIT's end is the figure's own edge. */
    c = change(SL_GONE, 40002, 8080, SL_TCP_TIME_WAIT, 0);
    sl_tui_model_log(&m, &c, false, 2);
    assert_int_equal(sl_tui_model_edge_heat(&m, tw_closed), SL_TUI_LIT_FRAMES);
    assert_string_equal(sl_tui_log_destination(sl_tui_model_log_entry(&m, 0)), "CLOSED");

    /* A move between live states: the state reached names it. */
    c = change(SL_CHANGED, 40003, 8080, SL_TCP_ESTABLISHED, SL_TCP_TIME_WAIT);
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

static void the_slash_filter(void **state)
{
    (void)state;
    struct dash_options o;
    memset(&o, 0, sizeof o);
    sl_filter_init(&o.filter);
    char why[200];
    assert_true(dash_parse_filter("8080,9000-9010 time-wait nginx", &o, why, sizeof why));
    assert_int_equal(o.filter.range_count, 2);
    assert_int_equal(o.filter.states, SL_STATE_BIT(SL_TCP_TIME_WAIT));
    assert_string_equal(o.process, "nginx");
    assert_true(dash_parse_filter("pid=42 closing", &o, why, sizeof why));
    assert_int_equal(o.pid, 42);
    assert_int_equal(o.process[0], '\0');
    assert_int_equal(o.filter.range_count, 0);
    assert_false(dash_parse_filter("99999", &o, why, sizeof why));
    assert_non_null(strstr(why, "99999"));
    assert_int_equal(o.pid, 42);                       /* unchanged on error */
    assert_false(dash_parse_filter("pid=abc", &o, why, sizeof why));
    assert_false(dash_parse_filter("a-name-far-too-long-for-comm", &o, why, sizeof why));
    assert_true(dash_parse_filter("", &o, why, sizeof why));
    assert_int_equal(o.pid, 0);
    assert_int_equal(o.filter.states, SL_STATES_ALL);
}

static void recordings_round_trip(void **state)
{
    (void)state;
    char path[] = "/tmp/socklab-record-XXXXXX";
    int fd = mkstemp(path);
    FILE *out = fdopen(fd, "w");
    struct sl_snapshot snap = { 0 };
    struct sl_socket s = make_socket(8080, 0, SL_TCP_LISTEN, 7);
    s.send_q = 128;
    *sl_snapshot_add(&snap) = s;
    s = make_socket(40000, 8080, SL_TCP_TIME_WAIT, 0);
    s.timer = SL_TIMER_TIMEWAIT;
    s.timer_ms = 59000;
    *sl_snapshot_add(&snap) = s;
    struct sl_owner owners[2] = { { .pid = 42, .command = "server" }, { 0 } };
    struct sl_changes traced = { 0 }, polled = { 0 };
    struct sl_change c = change(SL_CHANGED, 40000, 8080, SL_TCP_FIN_WAIT2, SL_TCP_TIME_WAIT);
    sl_changes_add(&polled, &c);
    c = change(SL_CHANGED, 8080, 40000, SL_TCP_CLOSE_WAIT, SL_TCP_LAST_ACK);
    sl_changes_add(&traced, &c);
    dash_record_frame(out, 0, &snap, owners, NULL, NULL);
    dash_record_frame(out, 250.5, &snap, owners, &traced, &polled);
    fclose(out);

    struct dash_recording rec;
    char why[200];
    assert_true(dash_recording_load(path, &rec, why, sizeof why));
    assert_int_equal(rec.count, 2);
    const struct dash_frame *f = &rec.frames[1];
    assert_true(f->at > 250 && f->at < 251);
    assert_int_equal(f->snap.count, 2);
    assert_int_equal(f->snap.sockets[0].send_q, 128);
    assert_true(sl_tuple_equal(&f->snap.sockets[1].tuple, &snap.sockets[1].tuple));
    assert_int_equal(f->snap.sockets[1].timer_ms, 59000);
    assert_int_equal(f->owners[0].pid, 42);
    assert_string_equal(f->owners[0].command, "server");
    assert_int_equal(f->owners[1].pid, 0);
    assert_int_equal(f->traced.count, 1);
    assert_int_equal(f->traced.items[0].to, SL_TCP_LAST_ACK);
    assert_int_equal(f->polled.count, 1);
    dash_recording_free(&rec);

    out = fopen(path, "a");                    /* damage: a frame that promises a socket */
    fputs("{\"type\":\"frame\",\"at\":300,\"sockets\":1,\"traced\":0,\"polled\":0}\n", out);
    fclose(out);
    assert_false(dash_recording_load(path, &rec, why, sizeof why));
    assert_string_equal(why, "after line 9: the recording ends in the middle of a frame");
    assert_false(dash_recording_load("/nonexistent/recording", &rec, why, sizeof why));
    unlink(path);
    sl_changes_free(&traced);
    sl_changes_free(&polled);
    sl_snapshot_free(&snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_and_gone_rows),
        cmocka_unit_test(log_is_newest_first_and_bounded),
        cmocka_unit_test(edges_light_and_fade),
        cmocka_unit_test(ends_light_the_figure_a_reset_or_nothing),
        cmocka_unit_test(sorting_keeps_the_selection),
        cmocka_unit_test(the_slash_filter),
        cmocka_unit_test(recordings_round_trip),
    };
    return cmocka_run_group_tests_name("dash_model", tests, NULL, NULL);
}
