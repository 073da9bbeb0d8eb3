/* test_tcpstate.c — every state's names and meaning, name lookup, groups, and
 * the transition table against RFC 9293's Figure 5. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socklab/tcpstate.h"

#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

static void numbers_are_the_kernels(void **state)
{
    (void)state;
    /* <netinet/tcp.h> carries the kernel's numbering; ours must be the same. */
    assert_int_equal(SL_TCP_ESTABLISHED, TCP_ESTABLISHED);
    assert_int_equal(SL_TCP_SYN_SENT, TCP_SYN_SENT);
    assert_int_equal(SL_TCP_SYN_RECV, TCP_SYN_RECV);
    assert_int_equal(SL_TCP_FIN_WAIT1, TCP_FIN_WAIT1);
    assert_int_equal(SL_TCP_FIN_WAIT2, TCP_FIN_WAIT2);
    assert_int_equal(SL_TCP_TIME_WAIT, TCP_TIME_WAIT);
    assert_int_equal(SL_TCP_CLOSE, TCP_CLOSE);
    assert_int_equal(SL_TCP_CLOSE_WAIT, TCP_CLOSE_WAIT);
    assert_int_equal(SL_TCP_LAST_ACK, TCP_LAST_ACK);
    assert_int_equal(SL_TCP_LISTEN, TCP_LISTEN);
    assert_int_equal(SL_TCP_CLOSING, TCP_CLOSING);
}

static void every_state_has_all_its_names(void **state)
{
    (void)state;
    static const char *const expected[][3] = {
        [SL_TCP_ESTABLISHED] = { "ESTAB", "ESTABLISHED", "ESTABLISHED" },
        [SL_TCP_SYN_SENT] = { "SYN-SENT", "SYN_SENT", "SYN-SENT" },
        [SL_TCP_SYN_RECV] = { "SYN-RECV", "SYN_RECV", "SYN-RECEIVED" },
        [SL_TCP_FIN_WAIT1] = { "FIN-WAIT-1", "FIN_WAIT1", "FIN-WAIT-1" },
        [SL_TCP_FIN_WAIT2] = { "FIN-WAIT-2", "FIN_WAIT2", "FIN-WAIT-2" },
        [SL_TCP_TIME_WAIT] = { "TIME-WAIT", "TIME_WAIT", "TIME-WAIT" },
        [SL_TCP_CLOSE] = { "UNCONN", "CLOSE", "CLOSED" },
        [SL_TCP_CLOSE_WAIT] = { "CLOSE-WAIT", "CLOSE_WAIT", "CLOSE-WAIT" },
        [SL_TCP_LAST_ACK] = { "LAST-ACK", "LAST_ACK", "LAST-ACK" },
        [SL_TCP_LISTEN] = { "LISTEN", "LISTEN", "LISTEN" },
        [SL_TCP_CLOSING] = { "CLOSING", "CLOSING", "CLOSING" },
        [SL_TCP_NEW_SYN_RECV] = { "SYN-RECV", "SYN_RECV", "SYN-RECEIVED" },
        [SL_TCP_BOUND_INACTIVE] = { "UNCONN", "CLOSE", "CLOSED" },
    };
    for (int s = 1; s < SL_TCP_STATE_COUNT; s++) {
        assert_true(sl_state_valid(s));
        assert_string_equal(sl_state_name(s), expected[s][0]);
        assert_string_equal(sl_state_netstat_name(s), expected[s][1]);
        assert_string_equal(sl_state_rfc_name(s), expected[s][2]);
        assert_true(strlen(sl_state_meaning(s)) > 20);
    }
    assert_false(sl_state_valid(0));
    assert_false(sl_state_valid(SL_TCP_STATE_COUNT));
    assert_string_equal(sl_state_name(99), "UNKNOWN");
}

static void names_lead_back_to_states(void **state)
{
    (void)state;
    assert_int_equal(sl_state_from_name("ESTAB"), SL_TCP_ESTABLISHED);
    assert_int_equal(sl_state_from_name("established"), SL_TCP_ESTABLISHED);
    assert_int_equal(sl_state_from_name("time_wait"), SL_TCP_TIME_WAIT);
    assert_int_equal(sl_state_from_name("time-wait"), SL_TCP_TIME_WAIT);
    assert_int_equal(sl_state_from_name("FIN_WAIT1"), SL_TCP_FIN_WAIT1);
    assert_int_equal(sl_state_from_name("syn-recv"), SL_TCP_SYN_RECV);
    assert_int_equal(sl_state_from_name("closed"), SL_TCP_CLOSE);
    assert_int_equal(sl_state_from_name("close-wait"), SL_TCP_CLOSE_WAIT);
    assert_int_equal(sl_state_from_name("bound-inactive"), SL_TCP_BOUND_INACTIVE);
    assert_int_equal(sl_state_from_name("waiting"), -1);
}

static void lists_and_groups_parse(void **state)
{
    (void)state;
    sl_state_mask m;
    char why[128];
    assert_true(sl_state_parse_list("listen,time-wait", &m, why, sizeof why));
    assert_int_equal(m, SL_STATE_BIT(SL_TCP_LISTEN) | SL_STATE_BIT(SL_TCP_TIME_WAIT));
    assert_true(sl_state_parse_list("connected", &m, why, sizeof why));
    assert_false(m & SL_STATE_BIT(SL_TCP_LISTEN));
    assert_true(m & SL_STATE_BIT(SL_TCP_SYN_SENT));
    assert_true(m & SL_STATE_BIT(SL_TCP_TIME_WAIT));
    assert_true(sl_state_parse_list("synchronized", &m, why, sizeof why));
    assert_false(m & SL_STATE_BIT(SL_TCP_SYN_SENT));
    assert_true(sl_state_parse_list("syn-recv", &m, why, sizeof why));
    assert_true(m & SL_STATE_BIT(SL_TCP_NEW_SYN_RECV));
    assert_true(sl_state_parse_list("closing", &m, why, sizeof why));
    assert_true(m & SL_STATE_BIT(SL_TCP_CLOSE_WAIT));
    assert_false(m & SL_STATE_BIT(SL_TCP_ESTABLISHED));
    assert_true(sl_state_parse_list("all", &m, why, sizeof why));
    assert_int_equal(m, SL_STATES_ALL);
    assert_false(m & SL_STATE_BIT(SL_TCP_BOUND_INACTIVE));     /* as ss: by name only */
    assert_true(m & SL_STATE_BIT(SL_TCP_NEW_SYN_RECV));
    assert_true(sl_state_parse_list("bound-inactive", &m, why, sizeof why));
    assert_int_equal(m, SL_STATE_BIT(SL_TCP_BOUND_INACTIVE));

    assert_false(sl_state_parse_list("listen,nonsense", &m, why, sizeof why));
    assert_string_equal(why, "'nonsense' is not a TCP state or group");
    assert_false(sl_state_parse_list(",,", &m, why, sizeof why));
    assert_false(sl_state_parse_list("listen,,estab", &m, why, sizeof why));
    assert_non_null(strstr(why, "empty item"));
    assert_false(sl_state_parse_list("listen,", &m, why, sizeof why));
}

/* RFC 9293 Figure 5, written out independently of the table under test:
 * "FROM TO" for every edge in the figure, plus the edge of its note 2. */
static const char *const figure5[] = {
    "CLOSED LISTEN", "CLOSED SYN-SENT", "LISTEN CLOSED", "LISTEN SYN-RECEIVED",
    "LISTEN SYN-SENT", "SYN-SENT CLOSED", "SYN-SENT SYN-RECEIVED", "SYN-SENT ESTABLISHED",
    "SYN-RECEIVED LISTEN", "SYN-RECEIVED ESTABLISHED", "SYN-RECEIVED FIN-WAIT-1",
    "ESTABLISHED FIN-WAIT-1", "ESTABLISHED CLOSE-WAIT", "FIN-WAIT-1 FIN-WAIT-2",
    "FIN-WAIT-1 CLOSING", "FIN-WAIT-1 TIME-WAIT", "FIN-WAIT-2 TIME-WAIT",
    "CLOSING TIME-WAIT", "CLOSE-WAIT LAST-ACK", "LAST-ACK CLOSED", "TIME-WAIT CLOSED",
};

/* What a pause asks the class to look at, in its order; prose is not a name. */
static void a_sentence_names_states_in_capitals(void **state)
{
    (void)state;
    int named[8];
    int n = sl_states_named("5 CLOSE-WAIT on the server's port, 5 FIN-WAIT-2 on the clients' "
                            "side", named, 8);
    assert_int_equal(n, 2);
    assert_int_equal(named[0], SL_TCP_CLOSE_WAIT);
    assert_int_equal(named[1], SL_TCP_FIN_WAIT2);
    n = sl_states_named("the client alone, in TIME-WAIT; then TIME_WAIT again, and ESTAB", named,
                        8);
    assert_int_equal(n, 2);
    assert_int_equal(named[0], SL_TCP_TIME_WAIT);
    assert_int_equal(named[1], SL_TCP_ESTABLISHED);
    assert_int_equal(sl_states_named("the closed socket waits to listen: timer:(timewait,...)",
                                     named, 8), 0);
    assert_int_equal(sl_states_named("LISTEN, ESTAB, TIME-WAIT", named, 1), 1);
    assert_int_equal(named[0], SL_TCP_LISTEN);
    assert_int_equal(sl_states_named("", named, 8), 0);
}

static void transitions_are_rfc9293_figure5(void **state)
{
    (void)state;
    size_t count;
    const struct sl_transition *t = sl_transitions(&count);
    assert_int_equal(count, sizeof figure5 / sizeof figure5[0]);
    for (size_t i = 0; i < count; i++) {
        char edge[64];
        snprintf(edge, sizeof edge, "%s %s", sl_state_rfc_name(t[i].from),
                 sl_state_rfc_name(t[i].to));
        bool found = false;
        for (size_t k = 0; k < count; k++)
            found = found || !strcmp(edge, figure5[k]);
        assert_true(found);
        assert_ptr_equal(sl_transition_find(t[i].from, t[i].to), &t[i]);  /* no duplicates */
        assert_true(strlen(t[i].event) > 0 && strlen(t[i].action) > 0);
    }
}

static void transitions_say_what_is_sent(void **state)
{
    (void)state;
    const struct sl_transition *t;
    t = sl_transition_find(SL_TCP_LISTEN, SL_TCP_SYN_RECV);
    assert_string_equal(t->event, "rcv SYN");
    assert_string_equal(t->action, "snd SYN,ACK");
    t = sl_transition_find(SL_TCP_SYN_SENT, SL_TCP_ESTABLISHED);
    assert_string_equal(t->event, "rcv SYN,ACK");
    assert_string_equal(t->action, "snd ACK");
    t = sl_transition_find(SL_TCP_ESTABLISHED, SL_TCP_CLOSE_WAIT);
    assert_string_equal(t->event, "rcv FIN");
    t = sl_transition_find(SL_TCP_TIME_WAIT, SL_TCP_CLOSE);
    assert_string_equal(t->event, "Timeout (Linux: 60 s)");    /* no MSL setting */
    /* the kernel's request sockets stand for SYN-RECEIVED */
    assert_non_null(sl_transition_find(SL_TCP_LISTEN, SL_TCP_NEW_SYN_RECV));
    /* and there is no such edge as ESTABLISHED -> TIME-WAIT */
    assert_null(sl_transition_find(SL_TCP_ESTABLISHED, SL_TCP_TIME_WAIT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_are_the_kernels),
        cmocka_unit_test(every_state_has_all_its_names),
        cmocka_unit_test(names_lead_back_to_states),
        cmocka_unit_test(lists_and_groups_parse),
        cmocka_unit_test(a_sentence_names_states_in_capitals),
        cmocka_unit_test(transitions_are_rfc9293_figure5),
        cmocka_unit_test(transitions_say_what_is_sent),
    };
    return cmocka_run_group_tests_name("tcpstate", tests, NULL, NULL);
}
