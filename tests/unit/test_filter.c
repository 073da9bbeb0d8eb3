/* test_filter.c — port ranges and states, as the command line gives them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socklab/diag.h"

#include <string.h>

static void parses_ports_and_ranges(void **state)
{
    (void)state;
    struct sl_filter f;
    char why[128];
    sl_filter_init(&f);
    assert_true(sl_filter_add_ports(&f, "80,443,9000-9010", why, sizeof why));
    assert_int_equal(f.range_count, 3);
    assert_true(sl_filter_port_match(&f, 80));
    assert_true(sl_filter_port_match(&f, 9005));
    assert_true(sl_filter_port_match(&f, 9010));
    assert_false(sl_filter_port_match(&f, 9011));
    assert_false(sl_filter_port_match(&f, 81));
}

static void empty_filter_matches_all(void **state)
{
    (void)state;
    struct sl_filter f;
    sl_filter_init(&f);
    assert_true(sl_filter_port_match(&f, 1));
    struct sl_socket s = { .state = SL_TCP_CLOSING, .tuple.local_port = 5 };
    assert_true(sl_filter_match(&f, &s));
}

static void refuses_bad_ports_with_a_reason(void **state)
{
    (void)state;
    struct sl_filter f;
    char why[128];
    sl_filter_init(&f);
    assert_false(sl_filter_add_ports(&f, "90-80", why, sizeof why));
    assert_string_equal(why, "the range 90-80 runs backwards (write 80-90)");
    assert_false(sl_filter_add_ports(&f, "http", why, sizeof why));
    assert_non_null(strstr(why, "'http' is not a port or range"));
    assert_false(sl_filter_add_ports(&f, "70000", why, sizeof why));
    assert_non_null(strstr(why, "(1-65535"));          /* the same range as port 0's */
    assert_false(sl_filter_add_ports(&f, "", why, sizeof why));
    assert_false(sl_filter_add_ports(&f, "1-2-3", why, sizeof why));
    assert_false(sl_filter_add_ports(&f, "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17",
                                     why, sizeof why));
    assert_non_null(strstr(why, "too many port ranges"));
    /* Port 0 would match every listener (its peer is *:0); an empty item is a typo. */
    assert_false(sl_filter_add_ports(&f, "0", why, sizeof why));
    assert_non_null(strstr(why, "port 0"));
    assert_non_null(strstr(why, "1-65535"));
    assert_false(sl_filter_add_ports(&f, "0-100", why, sizeof why));
    const char *const empty_items[] = { "80,", ",80", "80,,81", "," };
    for (size_t i = 0; i < sizeof empty_items / sizeof empty_items[0]; i++) {
        assert_false(sl_filter_add_ports(&f, empty_items[i], why, sizeof why));
        assert_non_null(strstr(why, "empty item"));
    }
}

static void matches_local_or_peer_port(void **state)
{
    (void)state;
    struct sl_filter f;
    char why[128];
    sl_filter_init(&f);
    sl_filter_add_ports(&f, "8080", why, sizeof why);
    struct sl_socket server = { .state = SL_TCP_ESTABLISHED,
                                .tuple = { .local_port = 8080, .peer_port = 40000 } };
    struct sl_socket client = { .state = SL_TCP_ESTABLISHED,
                                .tuple = { .local_port = 40000, .peer_port = 8080 } };
    struct sl_socket other = { .state = SL_TCP_ESTABLISHED,
                               .tuple = { .local_port = 40001, .peer_port = 22 } };
    assert_true(sl_filter_match(&f, &server));
    assert_true(sl_filter_match(&f, &client));
    assert_false(sl_filter_match(&f, &other));
}

static void time_wait_entries_are_filed_as_time_wait(void **state)
{
    (void)state;
    struct sl_filter f;
    char why[128];
    sl_filter_init(&f);
    assert_true(sl_filter_set_states(&f, "time-wait", why, sizeof why));
    /* a FIN-WAIT-2 handed to the time-wait table: sub-state FIN-WAIT-2 */
    struct sl_socket tw_fw2 = { .state = SL_TCP_FIN_WAIT2, .timer = SL_TIMER_TIMEWAIT };
    struct sl_socket fw2 = { .state = SL_TCP_FIN_WAIT2 };
    assert_true(sl_filter_match(&f, &tw_fw2));
    assert_false(sl_filter_match(&f, &fw2));
    assert_false(sl_filter_set_states(&f, "time-wait,bogus", why, sizeof why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_ports_and_ranges),
        cmocka_unit_test(empty_filter_matches_all),
        cmocka_unit_test(refuses_bad_ports_with_a_reason),
        cmocka_unit_test(matches_local_or_peer_port),
        cmocka_unit_test(time_wait_entries_are_filed_as_time_wait),
    };
    return cmocka_run_group_tests_name("filter", tests, NULL, NULL);
}
