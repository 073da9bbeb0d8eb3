/* test_net.c — the set-up helpers on real loopback sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socklab/clock.h"
#include "socklab/diag.h"
#include "socklab/net.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void pair_carries_bytes_both_ways(void **state)
{
    (void)state;
    int pair[2];
    sl_tcp_pair("127.0.0.1", 0, pair);
    assert_int_equal(send(pair[0], "ping", 4, 0), 4);
    char buf[8];
    assert_int_equal(recv(pair[1], buf, sizeof buf, 0), 4);
    assert_memory_equal(buf, "ping", 4);
    assert_int_equal(send(pair[1], "pong", 4, 0), 4);
    assert_int_equal(recv(pair[0], buf, sizeof buf, 0), 4);
    close(pair[0]);
    close(pair[1]);
}

static void pair_works_over_ipv6_loopback(void **state)
{
    (void)state;
    int pair[2];
    sl_tcp_pair("::1", 0, pair);
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    assert_int_equal(getsockname(pair[0], (struct sockaddr *)&addr, &len), 0);
    assert_int_equal(addr.ss_family, AF_INET6);
    close(pair[0]);
    close(pair[1]);
}

static void nonblocking_flag_goes_on_and_off(void **state)
{
    (void)state;
    int pair[2];
    sl_tcp_pair("127.0.0.1", 0, pair);
    sl_set_nonblocking(pair[1], true);
    assert_true(fcntl(pair[1], F_GETFL) & O_NONBLOCK);
    char c;
    assert_int_equal(recv(pair[1], &c, 1, 0), -1);
    assert_int_equal(errno, EAGAIN);
    sl_set_nonblocking(pair[1], false);
    assert_false(fcntl(pair[1], F_GETFL) & O_NONBLOCK);
    close(pair[0]);
    close(pair[1]);
}

static void waits_end_at_their_timeout(void **state)
{
    (void)state;
    int listener = sl_listen_on("127.0.0.1", 0, 4);
    double start = sl_clock_ms();
    assert_int_equal(sl_wait_fd(listener, POLLIN, 50), 0);
    assert_true(sl_clock_ms() - start >= 49);
    assert_int_equal(sl_accept_within(listener, 20), -1);
    assert_int_equal(errno, ETIMEDOUT);
    close(listener);
}

static void wildcard_listener_is_reached_over_loopback(void **state)
{
    (void)state;
    int listener = sl_listen_on("0.0.0.0", 0, 4);
    int client = sl_connect_to(listener, 1000);
    int server = sl_accept_within(listener, 1000);
    assert_true(server >= 0);
    assert_int_equal(sl_local_port(server), sl_local_port(listener));
    close(client);
    close(server);
    close(listener);
}

static void bounded_blocking_recv_gives_up(void **state)
{
    (void)state;
    int pair[2];
    sl_tcp_pair("127.0.0.1", 0, pair);
    sl_bound_blocking(pair[1], 30);
    char c;
    assert_int_equal(recv(pair[1], &c, 1, 0), -1);
    assert_int_equal(errno, EAGAIN);
    assert_int_equal(send(pair[0], "abc", 3, 0), 3);
    assert_int_equal(sl_wait_fd(pair[1], POLLIN, 1000) & POLLIN, POLLIN);
    assert_int_equal(sl_drain(pair[1]), 3);
    close(pair[0]);
    close(pair[1]);
}

static void read_up_to_stops_at_the_limit_or_at_eof(void **state)
{
    (void)state;
    int pair[2];
    bool eof = true;
    sl_tcp_pair("127.0.0.1", 0, pair);
    sl_bound_blocking(pair[1], 1000);
    assert_int_equal(send(pair[0], "abcdefgh", 8, 0), 8);
    assert_int_equal(sl_read_up_to(pair[1], 5, &eof), 5);
    assert_false(eof);                    /* it stopped at the limit, 3 bytes left */
    close(pair[0]);
    assert_int_equal(sl_read_up_to(pair[1], 1L << 30, &eof), 3);
    assert_true(eof);
    assert_int_equal(sl_read_up_to(pair[1], 1L << 30, NULL), 0);
    close(pair[1]);
}

static void client_closing_first_keeps_the_time_wait(void **state)
{
    (void)state;
    int pair[2];
    sl_tcp_pair("127.0.0.1", 0, pair);
    uint16_t client_port = sl_local_port(pair[0]), server_port = sl_local_port(pair[1]);
    sl_close_client_first(pair[0], pair[1]);
    struct sl_census on_client = { SL_STATE_BIT(SL_TCP_TIME_WAIT), client_port, server_port };
    struct sl_census on_server = { SL_STATES_ALL, server_port, client_port };
    struct sl_snapshot snap = { 0 };
    double deadline = sl_clock_ms() + 1000;
    do {                                  /* LAST-ACK ends a round trip after close() */
        sl_snapshot_free(&snap);
        assert_int_equal(sl_snapshot_take(&snap, NULL, SL_SOURCE_AUTO), 0);
    } while (sl_snapshot_count(&snap, &on_server) && sl_clock_ms() < deadline);
    assert_int_equal(sl_snapshot_count(&snap, &on_client), 1);
    assert_int_equal(sl_snapshot_count(&snap, &on_server), 0);
    sl_snapshot_free(&snap);
}

static void queued_bytes_are_waited_for_with_a_bound(void **state)
{
    (void)state;
    int pair[2];
    sl_tcp_pair("127.0.0.1", 0, pair);
    assert_int_equal(send(pair[0], "hello", 5, 0), 5);
    assert_int_equal(sl_wait_queued(pair[1], 5, 1000), 5);
    double start = sl_clock_ms();
    assert_int_equal(sl_wait_queued(pair[1], 6, 30), 5);     /* the sixth never comes */
    assert_true(sl_clock_ms() - start >= 29);
    close(pair[0]);
    close(pair[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pair_carries_bytes_both_ways),
        cmocka_unit_test(pair_works_over_ipv6_loopback),
        cmocka_unit_test(nonblocking_flag_goes_on_and_off),
        cmocka_unit_test(waits_end_at_their_timeout),
        cmocka_unit_test(wildcard_listener_is_reached_over_loopback),
        cmocka_unit_test(bounded_blocking_recv_gives_up),
        cmocka_unit_test(read_up_to_stops_at_the_limit_or_at_eof),
        cmocka_unit_test(client_closing_first_keeps_the_time_wait),
        cmocka_unit_test(queued_bytes_are_waited_for_with_a_bound),
    };
    return cmocka_run_group_tests_name("net", tests, NULL, NULL);
}
