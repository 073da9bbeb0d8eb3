/* test_dash_filter.c — the dashboard's / filter, and recordings written and
 * read back. (The model it shows is the tui module's: test_tui.c.) */
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
    assert_false(dash_parse_filter("listen,foo", &o, why, sizeof why));  /* not a process name */
    assert_non_null(strstr(why, "'foo' is not a TCP state"));
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
    struct sl_change c = make_change(SL_CHANGED, 40000, 8080, SL_TCP_FIN_WAIT2, SL_TCP_TIME_WAIT);
    sl_changes_add(&polled, &c);
    c = make_change(SL_CHANGED, 8080, 40000, SL_TCP_CLOSE_WAIT, SL_TCP_LAST_ACK);
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
        cmocka_unit_test(the_slash_filter),
        cmocka_unit_test(recordings_round_trip),
    };
    return cmocka_run_group_tests_name("dash_filter", tests, NULL, NULL);
}
