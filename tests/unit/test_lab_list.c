/* test_lab_list.c — the lab's sockets in the order a class reads them
 * (sl_lab_sort_sockets): the states the pause names, in its order, then the
 * others (LISTEN first), each by port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/lab/lab_internal.h"
#include "socklab/tcpstate.h"

#include <netinet/in.h>

static void add(struct sl_snapshot *snap, int state, uint16_t local, uint16_t peer)
{
    struct sl_socket *s = sl_snapshot_add(snap);
    assert_non_null(s);
    *s = (struct sl_socket){ .state = state };
    s->tuple.family = AF_INET;
    s->tuple.local_port = local;
    s->tuple.peer_port = peer;
}

static void expect_order(const struct sl_snapshot *snap, const int *states, const uint16_t *ports)
{
    for (size_t i = 0; i < snap->count; i++) {
        assert_int_equal(snap->sockets[i].state, states[i]);
        assert_int_equal(snap->sockets[i].tuple.local_port, ports[i]);
    }
}

static void the_pause_names_the_order(void **state)
{
    (void)state;
    struct sl_snapshot snap = { 0 };
    add(&snap, SL_TCP_FIN_WAIT2, 36674, 35657);
    add(&snap, SL_TCP_LISTEN, 35657, 0);
    add(&snap, SL_TCP_CLOSE_WAIT, 35657, 36674);
    add(&snap, SL_TCP_FIN_WAIT2, 36636, 35657);
    add(&snap, SL_TCP_CLOSE_WAIT, 35657, 36636);
    add(&snap, SL_TCP_ESTABLISHED, 40000, 40001);
    sl_lab_sort_sockets(&snap, "5 CLOSE-WAIT on the server's port, 5 FIN-WAIT-2 on the "
                               "clients' side");
    const int states[] = { SL_TCP_CLOSE_WAIT, SL_TCP_CLOSE_WAIT, SL_TCP_FIN_WAIT2,
                           SL_TCP_FIN_WAIT2, SL_TCP_LISTEN, SL_TCP_ESTABLISHED };
    const uint16_t ports[] = { 35657, 35657, 36636, 36674, 35657, 40000 };
    expect_order(&snap, states, ports);
    assert_int_equal(snap.sockets[0].tuple.peer_port, 36636);   /* then by the peer's port */
    sl_snapshot_free(&snap);
}

static void whole_names_only(void **state)
{
    (void)state;
    struct sl_snapshot snap = { 0 };
    add(&snap, SL_TCP_FIN_WAIT1, 2, 1);
    add(&snap, SL_TCP_ESTABLISHED, 3, 1);
    add(&snap, SL_TCP_FIN_WAIT2, 1, 2);
    /* "FIN-WAIT-2" is not "FIN-WAIT-1"; netstat's ESTABLISHED names ESTAB */
    sl_lab_sort_sockets(&snap, "the client in FIN-WAIT-2, the server ESTABLISHED");
    const int states[] = { SL_TCP_FIN_WAIT2, SL_TCP_ESTABLISHED, SL_TCP_FIN_WAIT1 };
    const uint16_t ports[] = { 1, 3, 2 };
    expect_order(&snap, states, ports);
    sl_lab_sort_sockets(&snap, NULL);       /* no pause: LISTEN first, then the kernel's order */
    const int plain[] = { SL_TCP_ESTABLISHED, SL_TCP_FIN_WAIT1, SL_TCP_FIN_WAIT2 };
    const uint16_t plain_ports[] = { 3, 2, 1 };
    expect_order(&snap, plain, plain_ports);
    sl_snapshot_free(&snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_pause_names_the_order),
        cmocka_unit_test(whole_names_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
