/* test_owner.c — sockets found in /proc/PID/fd, and no owner for a TIME-WAIT
 * record, even in a cache that knew the connection's owner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socklab/clock.h"
#include "socklab/net.h"
#include "socklab/owner.h"

#include <string.h>
#include <unistd.h>

/* The sockets on port; a TIME-WAIT another test left may share a port the
 * kernel hands out, so callers look for their own sockets by tuple or state. */
static void take(struct sl_snapshot *snap, uint16_t port, sl_state_mask states)
{
    struct sl_filter f;
    sl_filter_init(&f);
    sl_filter_add_range(&f, port, port);
    f.states = states;
    assert_int_equal(sl_snapshot_take(snap, &f, SL_SOURCE_AUTO), 0);
}

static void finds_this_process(void **state)
{
    (void)state;
    int listener = sl_listen_on("127.0.0.1", 0, 4);
    uint16_t port = sl_local_port(listener);
    struct sl_snapshot snap = { 0 };
    take(&snap, port, SL_STATE_BIT(SL_TCP_LISTEN));
    assert_int_equal(snap.count, 1);
    struct sl_owners *owners = sl_owners_new();
    assert_int_equal(sl_owners_refresh(owners, &snap), 1);
    const struct sl_owner *o = sl_owners_find(owners, &snap.sockets[0]);
    assert_non_null(o);
    assert_int_equal(o->pid, getpid());
    assert_string_equal(o->command, "test_owner");
    sl_owners_free(owners);
    sl_snapshot_free(&snap);
    close(listener);
}

static void time_wait_has_no_owner(void **state)
{
    (void)state;
    int pair[2];
    sl_tcp_pair("127.0.0.1", 0, pair);
    struct sl_tuple client;
    sl_tuple_of_fd(pair[0], &client);
    uint16_t port = client.peer_port;
    struct sl_owners *owners = sl_owners_new();
    struct sl_snapshot snap = { 0 };
    take(&snap, port, SL_STATE_BIT(SL_TCP_ESTABLISHED));
    assert_int_equal(sl_owners_refresh(owners, &snap), 2);

    close(pair[0]);                        /* the client closes first: TIME-WAIT */
    char c;
    sl_bound_blocking(pair[1], 1000);
    assert_int_equal(recv(pair[1], &c, 1, 0), 0);
    close(pair[1]);
    const struct sl_socket *tw = NULL;
    for (int tries = 0; tries < 200 && !tw; tries++) {
        take(&snap, port, SL_STATES_ALL);
        tw = sl_snapshot_find(&snap, &client);
        if (tw && tw->state != SL_TCP_TIME_WAIT)
            tw = NULL;
        if (!tw)
            sl_sleep_ms(5);
    }
    assert_non_null(tw);
    assert_int_equal(tw->inode, 0);        /* no file any more */
    sl_owners_refresh(owners, &snap);       /* the cache knew this connection's owner ... */
    assert_null(sl_owners_find(owners, tw)); /* ... but the record has no file: no owner */
    sl_owners_free(owners);
    sl_snapshot_free(&snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_this_process),
        cmocka_unit_test(time_wait_has_no_owner),
    };
    return cmocka_run_group_tests_name("owner", tests, NULL, NULL);
}
