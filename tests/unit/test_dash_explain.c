/* test_dash_explain.c — explaining a cell, the tcp_info columns, the
 * sparkline, the RTT history, the closed line, and --explain's words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "make_socket.h"

#include "dash_options.h"
#include "history.h"
#include "socklab/explain.h"
#include "socklab/socket_format.h"
#include "socklab/tui_panels.h"

#include <locale.h>
#include <string.h>

static bool has(const struct sl_explanation *e, const char *heading, const char *words)
{
    for (int k = 0; k < e->count; k++)
        if (!strcmp(e->heading[k], heading) && strstr(e->text[k], words))
            return true;
    return false;
}

static void the_asked_cell_comes_first(void **state)
{
    (void)state;
    struct sl_socket s = make_socket(8080, 0, SL_TCP_LISTEN, 5);
    s.recv_q = 3;
    s.send_q = 128;
    struct sl_explain_context c = { .opened_actively = -1 };
    struct sl_explanation e;
    sl_explain(&s, &c, SL_CELL_RECV_Q, &e);
    assert_string_equal(e.heading[0], "recv-q");
    assert_true(has(&e, "recv-q", "accept queue"));            /* a listener's queues */
    assert_true(has(&e, "recv-q", "Send-Q 128 is the backlog"));
    assert_true(has(&e, "state", "LISTEN"));
    assert_true(has(&e, "lab", "07 listen-backlog"));          /* a queue waiting: lab 07 */
    for (int k = 1; k < e.count; k++)
        assert_string_not_equal(e.heading[k], "send-q");       /* one paragraph for both */
}

static void a_connection_in_its_own_words(void **state)
{
    (void)state;
    struct sl_socket s = make_socket(40000, 8080, SL_TCP_ESTABLISHED, 6);
    s.recv_q = 12;
    s.send_q = 300;
    s.timer = SL_TIMER_ON;
    s.timer_ms = 180;
    s.retransmits = 2;
    s.has_info = true;
    s.info.present = SL_INFO_BASE;
    s.info.rto_us = 800000;
    s.info.unacked = 3;
    struct sl_owner who = { .pid = 42 };
    snprintf(who.command, sizeof who.command, "client");
    struct sl_explain_context c = { .owner = &who, .owners_looked_up = true,
                                    .from_state = SL_TCP_SYN_SENT, .traced = true };
    struct sl_explanation e;
    sl_explain(&s, &c, SL_CELL_TIMER, &e);
    assert_string_equal(e.heading[0], "timer");
    assert_true(has(&e, "timer", "fires in 180 ms"));
    assert_true(has(&e, "timer", "backed off 2 times"));
    assert_true(has(&e, "state", "traced coming from SYN-SENT on rcv SYN,ACK"));
    assert_true(has(&e, "recv-q", "12: bytes that arrived"));
    assert_true(has(&e, "send-q", "(3 segments in flight)"));
    assert_true(has(&e, "owner", "Process 42 (client)"));
    assert_true(has(&e, "lab", "10 partial-writes"));          /* data waiting to go */
    c = (struct sl_explain_context){ .opened_actively = 0 };   /* not seen: the likely way */
    s = make_socket(8080, 40000, SL_TCP_ESTABLISHED, 7);
    sl_explain(&s, &c, SL_CELL_STATE, &e);
    assert_true(has(&e, "state", "Most likely it came from SYN-RECEIVED"));
    assert_true(has(&e, "state", "TCP sends nothing"));
}

static void time_wait_has_no_owner(void **state)
{
    (void)state;
    struct sl_socket s = make_socket(40000, 8080, SL_TCP_TIME_WAIT, 0);
    s.timer = SL_TIMER_TIMEWAIT;
    s.timer_ms = 41500;
    struct sl_explain_context c = { .owners_looked_up = true, .opened_actively = -1 };
    struct sl_explanation e;
    sl_explain(&s, &c, SL_CELL_OWNER, &e);
    assert_true(has(&e, "owner", "No process holds it"));
    assert_true(has(&e, "timer", "goes in 41.5 s"));
    assert_true(has(&e, "recv-q", "keeps no data"));
    assert_true(has(&e, "lab", "06 time-wait"));
}

static void info_columns_fit(void **state)
{
    (void)state;
    int which[SL_TUI_INFO_COLUMNS], widths[SL_TUI_INFO_COLUMNS];
    int n = sl_tui_info_columns(200, which, widths);
    assert_int_equal(n, SL_TUI_INFO_COLUMNS);                  /* everything, wide */
    n = sl_tui_info_columns(80, which, widths);
    int total = 0;
    bool rtt = false, cwnd = false, rate = false;
    for (int i = 0; i < n; i++) {
        total += widths[i];
        rtt |= which[i] == SL_TUI_INFO_RTT;
        cwnd |= which[i] == SL_TUI_INFO_CWND;
        rate |= which[i] == SL_TUI_INFO_RATE;
        if (i)
            assert_true(which[i] > which[i - 1]);              /* in their order */
    }
    assert_int_equal(total, 80);
    assert_true(rtt && cwnd && !rate);                         /* the rate goes first */
    assert_int_equal(sl_tui_info_cell(SL_TUI_INFO_SSTHRESH), SL_CELL_CWND);
}

static void sparkline_scales_and_fits(void **state)
{
    (void)state;
    setlocale(LC_ALL, "C");
    char out[64];
    double v[] = { 0, 1, 2, 4, 8 };
    assert_int_equal(sl_tui_sparkline(v, 5, 10, out, sizeof out), 5);
    assert_string_equal(out, " .:=#");                         /* ASCII without UTF-8 */
    assert_int_equal(sl_tui_sparkline(v, 5, 3, out, sizeof out), 3);   /* the newest 3 */
    assert_string_equal(out, ":=#");
    if (setlocale(LC_ALL, "C.UTF-8")) {
        sl_tui_sparkline(v, 5, 10, out, sizeof out);
        assert_string_equal(out, "\u2581\u2582\u2583\u2585\u2588");
        setlocale(LC_ALL, "C");
    }
}

static void history_keeps_a_minute(void **state)
{
    (void)state;
    static struct history h;
    struct sl_snapshot snap = { 0 };
    struct sl_socket *s = sl_snapshot_add(&snap);
    *s = make_socket(40000, 8080, SL_TCP_ESTABLISHED, 6);
    s->cookie = 77;
    s->has_info = true;
    for (int t = 0; t < 200; t++) {                            /* 100 s at 500 ms */
        s->info.rtt_us = (uint32_t)(t * 1000);
        s->info.snd_cwnd = (uint32_t)t;
        history_add(&h, &snap, t * 500.0);
    }
    double rtt[HISTORY_SAMPLES], cwnd[HISTORY_SAMPLES];
    int n = history_get(&h, 77, 199 * 500.0, rtt, cwnd, HISTORY_SAMPLES);
    assert_int_equal(n, 120);                                   /* the last minute only */
    assert_true(rtt[n - 1] == 199 && cwnd[0] == 80);
    assert_int_equal(history_get(&h, 78, 0, rtt, cwnd, HISTORY_SAMPLES), 0);
    sl_snapshot_free(&snap);
}

static void closed_line(void **state)
{
    (void)state;
    struct sl_closed c = { .tuple = make_socket(40000, 8080, SL_TCP_CLOSE, 0).tuple,
                           .seen_alive = true, .first_seen_ms = 1000, .ended_ms = 3100,
                           .ending = SL_END_FIN_FIRST };
    c.info.present = SL_INFO_BASE | SL_INFO_BYTES | SL_INFO_BYTES_SENT;
    c.info.bytes_sent = 5;
    c.info.rtt_us = 25;
    char line[320];
    sl_closed_format(&c, line, sizeof line);
    assert_non_null(strstr(line, "FIN, closed first"));
    assert_non_null(strstr(line, "127.0.0.1:40000 -> 127.0.0.1:8080"));
    assert_non_null(strstr(line, ">=2.1s"));                    /* its start was not seen */
    assert_non_null(strstr(line, "sent 5 B"));
    c.seen_alive = false;
    sl_closed_format(&c, line, sizeof line);
    assert_non_null(strstr(line, "  ?  "));
}

static void explain_words(void **state)
{
    (void)state;
    struct dash_explain_key k;
    assert_true(dash_parse_explain("sport = :8080", &k));
    assert_true(k.side == 's' && k.value == 8080);
    assert_true(dash_parse_explain("dport eq :80", &k) && k.side == 'd' && k.value == 80);
    assert_true(dash_parse_explain("sport=:1", &k) && k.value == 1);
    assert_true(dash_parse_explain("123456789012", &k) && k.side == 0 && k.value == 123456789012ull);
    assert_false(dash_parse_explain("sport = 8080", &k));       /* ss writes the colon */
    assert_false(dash_parse_explain("sport = :70000", &k));
    assert_false(dash_parse_explain("sport = :", &k));
    assert_false(dash_parse_explain("0", &k));
    assert_false(dash_parse_explain("cookie", &k));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_asked_cell_comes_first),
        cmocka_unit_test(a_connection_in_its_own_words),
        cmocka_unit_test(time_wait_has_no_owner),
        cmocka_unit_test(info_columns_fit),
        cmocka_unit_test(sparkline_scales_and_fits),
        cmocka_unit_test(history_keeps_a_minute),
        cmocka_unit_test(closed_line),
        cmocka_unit_test(explain_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
