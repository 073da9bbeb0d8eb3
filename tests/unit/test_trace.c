/* test_trace.c — the tracepoint's lines, as trace_pipe printed them on a 6.18
 * kernel, and the filter written for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "socklab/trace.h"

#include <netinet/in.h>
#include <string.h>

static void trace_lines_parse(void **state)
{
    (void)state;
    size_t len;
    char *text = fixture("trace-pipe.txt", &len);
    int parsed = 0, v6 = 0, last_ack = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        struct sl_change c;
        assert_true(sl_trace_parse_line(line, &c));
        parsed++;
        v6 += c.tuple.family == AF_INET6;
        last_ack += c.to == SL_TCP_LAST_ACK;
        assert_true(sl_state_valid(c.from) && sl_state_valid(c.to));
    }
    assert_int_equal(parsed, 36);
    assert_int_equal(v6, 12);
    assert_true(last_ack > 0);                 /* what polling on loopback never sees */
    free(text);

    struct sl_change c;
    assert_true(sl_trace_parse_line(" x-1 [000] ..... 1.0: inet_sock_set_state: family=AF_INET "
        "protocol=IPPROTO_TCP sport=8080 dport=40000 saddr=127.0.0.1 daddr=127.0.0.2 "
        "saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.2 oldstate=TCP_CLOSE_WAIT "
        "newstate=TCP_LAST_ACK", &c));
    assert_int_equal(c.tuple.local_port, 8080);
    assert_int_equal(c.tuple.peer_port, 40000);
    assert_int_equal(c.tuple.peer[3], 2);
    assert_int_equal(c.from, SL_TCP_CLOSE_WAIT);
    assert_int_equal(c.to, SL_TCP_LAST_ACK);
    assert_false(sl_trace_parse_line("garbage", &c));
    assert_false(sl_trace_parse_line("inet_sock_set_state: family=AF_INET protocol=IPPROTO_SCTP "
        "sport=1 dport=2 saddr=1.2.3.4 daddr=1.2.3.4 oldstate=TCP_CLOSE newstate=TCP_LISTEN", &c));
    assert_false(sl_trace_parse_line("inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP "
        "sport=1 dport=2 saddr=1.2.3.4 daddr=1.2.3.4 oldstate=TCP_NOPE newstate=TCP_LISTEN", &c));

    char filter[256];
    struct sl_filter f;
    sl_filter_init(&f);
    sl_filter_add_range(&f, 8080, 8080);
    sl_filter_add_range(&f, 9000, 9010);
    sl_trace_filter_text(&f, filter, sizeof filter);
    assert_string_equal(filter, "protocol == 6 && ((sport >= 8080 && sport <= 8080) || "
        "(dport >= 8080 && dport <= 8080) || (sport >= 9000 && sport <= 9010) || "
        "(dport >= 9000 && dport <= 9010))");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trace_lines_parse),
    };
    return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
