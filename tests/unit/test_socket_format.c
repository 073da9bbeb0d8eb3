/* test_socket_format.c — sockets written down: timers, the ss-like table, JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "make_socket.h"

#include "socklab/socket_format.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>


static void timers_read_like_ss(void **state)
{
    (void)state;
    char buf[64];
    struct sl_socket s = make_socket(1, 2, SL_TCP_TIME_WAIT, 0);
    assert_string_equal(sl_timer_format(&s, buf, sizeof buf), "-");
    s.timer = SL_TIMER_TIMEWAIT;
    s.timer_ms = 59870;
    assert_string_equal(sl_timer_format(&s, buf, sizeof buf), "timewait 59s");
    s.timer_ms = 4250;
    assert_string_equal(sl_timer_format(&s, buf, sizeof buf), "timewait 4.2s");
    s.timer_ms = 0;
    assert_string_equal(sl_timer_format(&s, buf, sizeof buf), "timewait 0ms");
    s.timer = SL_TIMER_ON;
    s.timer_ms = 204;
    s.retransmits = 3;
    assert_string_equal(sl_timer_format(&s, buf, sizeof buf), "on 204ms (3)");
    s.timer = SL_TIMER_KEEPALIVE;
    s.timer_ms = 7199000;
    s.retransmits = 0;
    assert_string_equal(sl_timer_format(&s, buf, sizeof buf), "keepalive 7199s");
    assert_string_equal(sl_timer_format(&s, buf, 6), "keepa");          /* cut, terminated */
}

static char *table_of(const struct sl_snapshot *snap, const char *indent)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    sl_print_socket_table(f, snap, NULL, indent);
    fclose(f);
    return text;
}

static void table_is_aligned_like_ss(void **state)
{
    (void)state;
    struct sl_snapshot snap = { 0 };
    struct sl_socket listener = make_socket(8080, 0, SL_TCP_LISTEN, 0);
    listener.send_q = 128;
    *sl_snapshot_add(&snap) = listener;
    struct sl_socket tw = make_socket(40000, 8080, SL_TCP_TIME_WAIT, 0);
    tw.timer = SL_TIMER_TIMEWAIT;
    tw.timer_ms = 58000;
    *sl_snapshot_add(&snap) = tw;
    struct sl_socket six = { .state = SL_TCP_ESTABLISHED, .recv_q = 12345 };
    six.tuple.family = AF_INET6;
    six.tuple.local[15] = six.tuple.peer[15] = 1;
    six.tuple.local_port = 443;
    six.tuple.peer_port = 50000;
    *sl_snapshot_add(&snap) = six;
    char *text = table_of(&snap, "  ");
    assert_string_equal(text,
        "  State     Recv-Q Send-Q Local Address:Port Peer Address:Port Timer\n"
        "  LISTEN         0    128 127.0.0.1:8080     0.0.0.0:*         -\n"
        "  TIME-WAIT      0      0 127.0.0.1:40000    127.0.0.1:8080    timewait 58s\n"
        "  ESTAB      12345      0 [::1]:443          [::1]:50000       -\n");
    free(text);
    sl_snapshot_free(&snap);
}

static void empty_table_has_its_header(void **state)
{
    (void)state;
    struct sl_snapshot snap = { 0 };
    char *text = table_of(&snap, "");
    assert_string_equal(text, "State Recv-Q Send-Q Local Address:Port Peer Address:Port Timer\n");
    free(text);
}

static void json_fields_name_everything(void **state)
{
    (void)state;
    struct sl_socket s = make_socket(40000, 8080, SL_TCP_CLOSE_WAIT, 0);
    s.recv_q = 1;
    s.inode = 99;
    s.has_info = true;
    s.info.rtt_us = 50;
    s.info.present = SL_INFO_BASE;
    struct sl_owner owner = { .pid = 7, .command = "server" };
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    struct sl_json j;
    sl_json_begin(&j, f);
    sl_json_socket_fields(&j, &s, &owner);
    sl_json_end(&j);
    fclose(f);
    assert_non_null(strstr(text, "\"state\":\"CLOSE-WAIT\",\"netstat_state\":\"CLOSE_WAIT\""));
    assert_non_null(strstr(text, "\"local\":\"127.0.0.1:40000\",\"peer\":\"127.0.0.1:8080\""));
    assert_non_null(strstr(text, "\"recv_q\":1,"));
    assert_non_null(strstr(text, "\"inode\":99,\"pid\":7,\"command\":\"server\""));
    assert_non_null(strstr(text, "\"rtt_us\":50"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timers_read_like_ss),
        cmocka_unit_test(table_is_aligned_like_ss),
        cmocka_unit_test(empty_table_has_its_header),
        cmocka_unit_test(json_fields_name_everything),
    };
    return cmocka_run_group_tests_name("socket_format", tests, NULL, NULL);
}
