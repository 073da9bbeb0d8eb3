/* test_diag.c — the two sources of a snapshot: sock_diag replies captured off
 * the kernel (and damaged copies of them), /proc/net/tcp text, the bytecode of
 * the kernel-side filter, and both sources live on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "socklab/addr.h"
#include "../../src/observe/diag_internal.h"
#include "socklab/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <string.h>
#include <unistd.h>

static int count_state(const struct sl_snapshot *s, int state)
{
    int n = 0;
    for (size_t i = 0; i < s->count; i++)
        n += s->sockets[i].state == state;
    return n;
}

static const struct sl_socket *find_local_port(const struct sl_snapshot *s, int state,
                                               uint16_t port)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->sockets[i].state == state && s->sockets[i].tuple.local_port == port)
            return &s->sockets[i];
    return NULL;
}

static void parses_captured_ipv4_reply(void **state)
{
    (void)state;
    size_t len;
    char *buf = fixture("diag-v4.bin", &len);
    assert_non_null(buf);
    struct sl_snapshot snap = { 0 };
    assert_int_equal(sl_diag_parse_netlink(buf, len, &snap), 0);   /* ends in DONE */
    assert_int_equal(snap.count, 6);
    assert_int_equal(count_state(&snap, SL_TCP_LISTEN), 1);
    assert_int_equal(count_state(&snap, SL_TCP_ESTABLISHED), 2);
    assert_int_equal(count_state(&snap, SL_TCP_FIN_WAIT2), 1);
    assert_int_equal(count_state(&snap, SL_TCP_CLOSE_WAIT), 1);
    assert_int_equal(count_state(&snap, SL_TCP_TIME_WAIT), 1);

    const struct sl_socket *l = find_local_port(&snap, SL_TCP_LISTEN, 40400);
    assert_non_null(l);
    char text[SL_ADDR_STRLEN];
    assert_string_equal(sl_tuple_local(&l->tuple, text, sizeof text), "127.0.0.1:40400");
    assert_string_equal(sl_tuple_peer(&l->tuple, text, sizeof text), "0.0.0.0:*");
    assert_int_equal(l->send_q, 16);                    /* the backlog it was given */
    assert_true(l->inode != 0);

    const struct sl_socket *tw = NULL;
    for (size_t i = 0; i < snap.count; i++)
        if (snap.sockets[i].state == SL_TCP_TIME_WAIT)
            tw = &snap.sockets[i];
    assert_int_equal(tw->timer, SL_TIMER_TIMEWAIT);
    assert_true(tw->timer_ms > 0 && tw->timer_ms <= 60000);
    assert_int_equal(tw->inode, 0);
    assert_int_equal(tw->tuple.peer_port, 40400);
    assert_false(tw->has_info);                         /* time-wait has no tcp_info */

    const struct sl_socket *cw = find_local_port(&snap, SL_TCP_CLOSE_WAIT, 40400);
    assert_non_null(cw);
    assert_true(cw->has_info);
    assert_true(cw->info.rto_us >= 200000);                  /* TCP_RTO_MIN is 200 ms */
    free(buf);
    sl_snapshot_free(&snap);
}

static void parses_captured_ipv6_reply(void **state)
{
    (void)state;
    size_t len;
    char *buf = fixture("diag-v6.bin", &len);
    assert_non_null(buf);
    struct sl_snapshot snap = { 0 };
    assert_int_equal(sl_diag_parse_netlink(buf, len, &snap), 0);
    assert_int_equal(snap.count, 4);
    assert_int_equal(count_state(&snap, SL_TCP_LISTEN), 1);
    assert_int_equal(count_state(&snap, SL_TCP_ESTABLISHED), 2);
    assert_int_equal(count_state(&snap, SL_TCP_TIME_WAIT), 1);
    const struct sl_socket *l = find_local_port(&snap, SL_TCP_LISTEN, 40400);
    char text[SL_ADDR_STRLEN];
    assert_int_equal(l->tuple.family, AF_INET6);
    assert_string_equal(sl_tuple_local(&l->tuple, text, sizeof text), "[::1]:40400");
    free(buf);
    sl_snapshot_free(&snap);
}

static void rejects_damaged_replies(void **state)
{
    (void)state;
    const char *damaged[] = { "diag-truncated.bin", "diag-bad-nlmsg-len.bin",
                              "diag-bad-attr-len.bin", "diag-short-payload.bin" };
    for (size_t i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
        size_t len;
        char *buf = fixture(damaged[i], &len);
        assert_non_null(buf);
        struct sl_snapshot snap = { 0 };
        assert_int_equal(sl_diag_parse_netlink(buf, len, &snap), -EBADMSG);
        assert_int_equal(snap.count, i == 0 ? 1 : 0);    /* only whole messages count */
        free(buf);
        sl_snapshot_free(&snap);
    }
}

static void scan_sees_damaged_framing(void **state)
{
    (void)state;
    const char *damaged[] = { "diag-truncated.bin", "diag-bad-nlmsg-len.bin" };
    for (size_t i = 0; i < 2; i++) {
        size_t len;
        char *buf = fixture(damaged[i], &len);
        assert_int_equal(sl_diag_scan_netlink(buf, len), -EBADMSG);
        free(buf);
    }
}

static void every_truncation_is_safe(void **state)
{
    (void)state;
    size_t len;
    char *good = fixture("diag-v4.bin", &len);
    for (size_t cut = 0; cut <= len; cut++) {
        char *buf = malloc(cut ? cut : 1);              /* exact size: ASan watches */
        memcpy(buf, good, cut);
        struct sl_snapshot snap = { 0 };
        int rc = sl_diag_parse_netlink(buf, cut, &snap);
        if (cut == len)
            assert_int_equal(rc, 0);
        else
            assert_true(rc == 1 || rc == -EBADMSG);     /* more to come, or damaged */
        free(buf);
        sl_snapshot_free(&snap);
    }
    free(good);
}

static void random_damage_is_safe(void **state)
{
    (void)state;
    size_t len;
    char *good = fixture("diag-v4.bin", &len);
    srand(42);
    for (int round = 0; round < 3000; round++) {
        char *buf = malloc(len);
        memcpy(buf, good, len);
        for (int k = 0; k < 1 + round % 4; k++)
            buf[(size_t)rand() % len] = (char)rand();
        struct sl_snapshot snap = { 0 };
        int rc = sl_diag_parse_netlink(buf, len, &snap);
        assert_true(rc <= 1);
        for (size_t i = 0; i < snap.count; i++)          /* whatever passed is sane */
            assert_true(sl_state_valid(snap.sockets[i].state));
        free(buf);
        sl_snapshot_free(&snap);
    }
    free(good);
}

static void error_message_gives_its_errno(void **state)
{
    (void)state;
    struct {
        struct nlmsghdr h;
        struct nlmsgerr e;
    } msg = { { sizeof msg, NLMSG_ERROR, 0, 1, 0 }, { -EINVAL, { 0 } } };
    struct sl_snapshot snap = { 0 };
    assert_int_equal(sl_diag_parse_netlink(&msg, sizeof msg, &snap), -EINVAL);
    assert_int_equal(snap.count, 0);
}

/* The kernel's bytecode machine, written out from inet_diag.c's rules: an
 * instruction whose test holds moves `yes` bytes on, otherwise `no`; the
 * program accepts when it lands exactly on its end. */
static bool run_bytecode(const unsigned char *bc, int len, uint16_t sport, uint16_t dport)
{
    int left = len;
    while (left > 0) {
        struct inet_diag_bc_op op, arg;
        memcpy(&op, bc, sizeof op);
        bool yes = true;
        if (op.code != INET_DIAG_BC_JMP) {
            memcpy(&arg, bc + 4, sizeof arg);
            uint16_t port = op.code == INET_DIAG_BC_S_GE || op.code == INET_DIAG_BC_S_LE
                          ? sport : dport;
            yes = op.code == INET_DIAG_BC_S_GE || op.code == INET_DIAG_BC_D_GE
                ? port >= arg.no : port <= arg.no;
        } else {
            yes = false;
        }
        int step = yes ? op.yes : op.no;
        left -= step;
        bc += step;
    }
    return left == 0;
}

static void bytecode_accepts_exactly_the_ranges(void **state)
{
    (void)state;
    struct sl_filter f;
    sl_filter_init(&f);
    unsigned char bc[1024];
    assert_int_equal(sl_diag_bytecode(&f, bc, sizeof bc), 0);     /* no ranges */
    sl_filter_add_range(&f, 8000, 8010);
    sl_filter_add_range(&f, 443, 443);
    sl_filter_add_range(&f, 60000, 65535);
    int len = sl_diag_bytecode(&f, bc, sizeof bc);
    assert_int_equal(len, 6 * 20 - 4);
    assert_int_equal(sl_diag_bytecode(&f, bc, 50), -1);          /* does not fit */
    for (int sport = 0; sport <= 65535; sport += 7) {
        for (uint16_t dport = 0; dport < 3; dport++) {
            bool want = sl_filter_port_match(&f, (uint16_t)sport) ||
                        sl_filter_port_match(&f, dport);
            assert_int_equal(run_bytecode(bc, len, (uint16_t)sport, dport), want);
        }
    }
    for (uint16_t p = 7990; p < 8020; p++) {                     /* both edges, both sides */
        assert_int_equal(run_bytecode(bc, len, 1, p), p >= 8000 && p <= 8010);
        assert_int_equal(run_bytecode(bc, len, p, 1), p >= 8000 && p <= 8010);
    }
    assert_true(run_bytecode(bc, len, 443, 1));
    assert_false(run_bytecode(bc, len, 442, 444));
}

static void parses_proc_every_state(void **state)
{
    (void)state;
    size_t len;
    char *text = fixture("proc-tcp-every-state.txt", &len);
    struct sl_filter all;
    sl_filter_init(&all);
    struct sl_snapshot snap = { 0 };
    assert_int_equal(sl_diag_parse_proc(text, AF_INET, &all, &snap), 0);
    assert_int_equal(snap.count, 12);
    long ticks = sysconf(_SC_CLK_TCK);
    for (int s = SL_TCP_ESTABLISHED; s <= SL_TCP_CLOSING; s++)
        assert_true(count_state(&snap, s) >= 1);
    const struct sl_socket *listener = &snap.sockets[0];
    assert_int_equal(listener->state, SL_TCP_LISTEN);
    assert_int_equal(listener->recv_q, 3);
    assert_int_equal(listener->tuple.local_port, 8080);
    assert_int_equal(listener->uid, 1000);
    assert_int_equal(listener->inode, 1001);
    char text_addr[SL_ADDR_STRLEN];
    assert_string_equal(sl_tuple_local(&listener->tuple, text_addr, sizeof text_addr),
                        "127.0.0.1:8080");
    const struct sl_socket *keepalive = &snap.sockets[1];
    assert_int_equal(keepalive->timer, SL_TIMER_KEEPALIVE);
    assert_int_equal(keepalive->timer_ms, 45000 * 1000 / ticks);  /* ticks, not ms */
    assert_int_equal(keepalive->send_q, 16);
    assert_int_equal(keepalive->recv_q, 32);
    const struct sl_socket *syn_sent = &snap.sockets[2];
    assert_int_equal(syn_sent->state, SL_TCP_SYN_SENT);
    assert_int_equal(syn_sent->timer, SL_TIMER_ON);
    assert_int_equal(syn_sent->retransmits, 2);
    const struct sl_socket *tw = &snap.sockets[6];
    assert_int_equal(tw->state, SL_TCP_TIME_WAIT);
    assert_int_equal(tw->timer, SL_TIMER_TIMEWAIT);
    assert_int_equal(tw->timer_ms, 6000 * 1000 / ticks);
    assert_int_equal(tw->inode, 0);
    assert_int_equal(snap.sockets[11].timer, SL_TIMER_PERSIST);
    free(text);
    sl_snapshot_free(&snap);
}

static void proc_filter_applies(void **state)
{
    (void)state;
    size_t len;
    char *text = fixture("proc-tcp-every-state.txt", &len);
    struct sl_filter f;
    char why[128];
    sl_filter_init(&f);
    assert_true(sl_filter_add_ports(&f, "50000-50002", why, sizeof why));
    assert_true(sl_filter_set_states(&f, "established,syn-sent", why, sizeof why));
    struct sl_snapshot snap = { 0 };
    assert_int_equal(sl_diag_parse_proc(text, AF_INET, &f, &snap), 0);
    assert_int_equal(snap.count, 2);                 /* :50000 ESTAB, :50001 SYN-SENT */
    free(text);
    sl_snapshot_free(&snap);
}

static void proc_refuses_bad_lines(void **state)
{
    (void)state;
    const char *bad[] = { "proc-tcp-bad-line.txt", "proc-tcp-bad-state.txt" };
    struct sl_filter all;
    sl_filter_init(&all);
    for (size_t i = 0; i < 2; i++) {
        size_t len;
        char *text = fixture(bad[i], &len);
        struct sl_snapshot snap = { 0 };
        assert_int_equal(sl_diag_parse_proc(text, AF_INET, &all, &snap), -EBADMSG);
        free(text);
        sl_snapshot_free(&snap);
    }
    struct sl_snapshot empty = { 0 };
    assert_int_equal(sl_diag_parse_proc("  sl  local_address\n", AF_INET, &all, &empty), 0);
    assert_int_equal(empty.count, 0);
}

/* The two captures of one moment must tell the same story. */
static void both_sources_agree_on_the_capture(void **state)
{
    (void)state;
    const char *pairs[][2] = { { "diag-v4.bin", "diag-proc-tcp.txt" },
                               { "diag-v6.bin", "diag-proc-tcp6.txt" } };
    struct sl_filter all;
    sl_filter_init(&all);
    for (int k = 0; k < 2; k++) {
        size_t len, text_len;
        char *bin = fixture(pairs[k][0], &len);
        char *text = fixture(pairs[k][1], &text_len);
        struct sl_snapshot nl = { 0 }, proc = { 0 };
        assert_int_equal(sl_diag_parse_netlink(bin, len, &nl), 0);
        assert_int_equal(sl_diag_parse_proc(text, k ? AF_INET6 : AF_INET, &all, &proc), 0);
        assert_int_equal(nl.count, proc.count);
        for (size_t i = 0; i < nl.count; i++) {
            const struct sl_socket *twin = sl_snapshot_find(&proc, &nl.sockets[i].tuple);
            assert_non_null(twin);
            assert_int_equal(twin->state, nl.sockets[i].state);
            assert_int_equal(twin->inode, nl.sockets[i].inode);
            assert_int_equal(twin->timer, nl.sockets[i].timer);
        }
        free(bin);
        free(text);
        sl_snapshot_free(&nl);
        sl_snapshot_free(&proc);
    }
}

static void both_sources_see_a_live_listener(void **state)
{
    (void)state;
    int listener = sl_listen_on("127.0.0.1", 0, 7);
    uint16_t port = sl_local_port(listener);
    struct sl_filter f;
    sl_filter_init(&f);
    sl_filter_add_range(&f, port, port);
    f.states = SL_STATE_BIT(SL_TCP_LISTEN);   /* a TIME-WAIT of another test may share the port */
    enum sl_diag_source sources[] = { SL_SOURCE_NETLINK, SL_SOURCE_PROC };
    for (int i = 0; i < 2; i++) {
        struct sl_snapshot snap = { 0 };
        assert_int_equal(sl_snapshot_take(&snap, &f, sources[i]), 0);
        assert_int_equal(snap.source, sources[i]);
        assert_int_equal(snap.count, 1);
        assert_int_equal(snap.sockets[0].state, SL_TCP_LISTEN);
        assert_int_equal(snap.sockets[0].tuple.local_port, port);
        assert_int_equal(snap.sockets[0].uid, getuid());
        sl_snapshot_free(&snap);
    }
    close(listener);
}

static void count_takes_states_and_ports(void **state)
{
    (void)state;
    struct sl_snapshot snap = { 0 };
    const struct { int state; uint16_t local, peer; } rows[] = {
        { SL_TCP_LISTEN, 80, 0 }, { SL_TCP_ESTABLISHED, 80, 5000 },
        { SL_TCP_ESTABLISHED, 5000, 80 }, { SL_TCP_SYN_SENT, 5001, 80 },
        { SL_TCP_CLOSE_WAIT, 80, 5002 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct sl_socket *s = sl_snapshot_add(&snap);
        assert_non_null(s);
        s->state = (uint8_t)rows[i].state;
        s->tuple.local_port = rows[i].local;
        s->tuple.peer_port = rows[i].peer;
    }
    struct sl_census all = { SL_STATES_ALL, 0, 0 };
    struct sl_census estab = { SL_STATE_BIT(SL_TCP_ESTABLISHED), 0, 0 };
    struct sl_census server_side = { SL_STATES_ALL, 80, 0 };
    struct sl_census clients = { SL_STATE_BIT(SL_TCP_ESTABLISHED) | SL_STATE_BIT(SL_TCP_SYN_SENT), 0, 80 };
    struct sl_census none = { SL_STATE_BIT(SL_TCP_TIME_WAIT), 0, 0 };
    assert_int_equal(sl_snapshot_count(&snap, &all), 5);
    assert_int_equal(sl_snapshot_count(&snap, &estab), 2);
    assert_int_equal(sl_snapshot_count(&snap, &server_side), 3);
    assert_int_equal(sl_snapshot_count(&snap, &clients), 2);
    assert_int_equal(sl_snapshot_count(&snap, &none), 0);
    sl_snapshot_free(&snap);
}

static void other_end_swaps_the_sides(void **state)
{
    (void)state;
    int pair[2];
    sl_tcp_pair("127.0.0.1", 0, pair);
    struct sl_tuple client, server;
    assert_true(sl_tuple_of_fd(pair[0], &client));
    assert_true(sl_tuple_of_fd(pair[1], &server));
    struct sl_tuple seen = sl_tuple_other_end(&client);
    assert_true(sl_tuple_equal(&seen, &server));
    assert_false(sl_tuple_equal(&seen, &client));
    seen = sl_tuple_other_end(&seen);
    assert_true(sl_tuple_equal(&seen, &client));
    close(pair[0]);
    close(pair[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_captured_ipv4_reply),
        cmocka_unit_test(parses_captured_ipv6_reply),
        cmocka_unit_test(rejects_damaged_replies),
        cmocka_unit_test(scan_sees_damaged_framing),
        cmocka_unit_test(every_truncation_is_safe),
        cmocka_unit_test(random_damage_is_safe),
        cmocka_unit_test(error_message_gives_its_errno),
        cmocka_unit_test(bytecode_accepts_exactly_the_ranges),
        cmocka_unit_test(parses_proc_every_state),
        cmocka_unit_test(proc_filter_applies),
        cmocka_unit_test(proc_refuses_bad_lines),
        cmocka_unit_test(both_sources_agree_on_the_capture),
        cmocka_unit_test(both_sources_see_a_live_listener),
        cmocka_unit_test(count_takes_states_and_ports),
        cmocka_unit_test(other_end_swaps_the_sides),
    };
    return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
