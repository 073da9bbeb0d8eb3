/* test_diag_tracker.c — the tracker on a 10-socket filter, live on loopback,
 * with a fake clock: no full dump between discoveries, lookups in between,
 * a dump at once when a listener's queue grows or one is asked for, and the
 * ends in the closed list (FIN first and second) with the TIME-WAIT record
 * followed by its cookie, and a failed connect that left the tables long
 * before its process closed it; under a filter above the tracker, only the
 * ends it was told to keep. Runs as any user. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "private_network.h"
#include "quiet_listener.h"
#include "socklab/clock.h"
#include "socklab/diag_tracker.h"
#include "socklab/net.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

struct lab {
    int listener, client[4], server[4];
    struct sl_filter filter;
    struct sl_tracker *tracker;
    struct sl_snapshot view;
};

/* How many sockets on the port are in each state, by a dump. */
static void census(const struct sl_filter *port, int *total, int *listen, int *established,
                   int *time_wait)
{
    struct sl_snapshot snap = { 0 };
    assert_int_equal(sl_snapshot_take(&snap, port, SL_SOURCE_NETLINK), 0);
    *total = (int)snap.count;
    *listen = *established = *time_wait = 0;
    for (size_t i = 0; i < snap.count; i++) {
        *listen += snap.sockets[i].state == SL_TCP_LISTEN;
        *established += snap.sockets[i].state == SL_TCP_ESTABLISHED;
        *time_wait += snap.sockets[i].state == SL_TCP_TIME_WAIT;
    }
    sl_snapshot_free(&snap);
}

/* The kernel finishes a loopback handshake or teardown in softirq context,
 * which under load runs after the calls that started it have returned (on
 * the other CPU, or in ksoftirqd): the server's end in LAST-ACK, the
 * client's in FIN-WAIT-2 still. Wait (bounded) until the port holds exactly
 * the ten sockets, then count them. */
static void wait_for_the_ten(const struct sl_filter *port)
{
    int total, listen, established, time_wait;
    double deadline = sl_clock_ms() + 5000;
    do {
        census(port, &total, &listen, &established, &time_wait);
        if (total == 10 && listen == 1 && established == 8 && time_wait == 1)
            return;
        sl_sleep_ms(10);
    } while (sl_clock_ms() < deadline);
    assert_int_equal(total, 10);
    assert_int_equal(listen, 1);
    assert_int_equal(established, 8);
    assert_int_equal(time_wait, 1);
}

/* A listener, four pairs and a TIME-WAIT: ten sockets on one port. */
static void set_up(struct lab *l, double discover_every_ms)
{
    memset(l, 0, sizeof *l);
    l->listener = quiet_listener(16);
    for (int i = 0; i < 4; i++) {
        l->client[i] = sl_connect_to(l->listener, 2000);
        l->server[i] = (int)sl_accept_within(l->listener, 2000);
    }
    int c = sl_connect_to(l->listener, 2000), s = (int)sl_accept_within(l->listener, 2000);
    close(c);                                      /* the client's end: TIME-WAIT */
    char byte;
    sl_bound_blocking(s, 2000);
    assert_int_equal(recv(s, &byte, 1, 0), 0);
    close(s);
    sl_filter_init(&l->filter);
    uint16_t port = sl_local_port(l->listener);
    sl_filter_add_range(&l->filter, port, port);
    wait_for_the_ten(&l->filter);
    struct sl_tracker_options o = { .filter = l->filter, .source = SL_SOURCE_NETLINK,
                                    .want_tcp_info = true,
                                    .discover_every_ms = discover_every_ms,
                                    .destroy_events = true };
    char note[256];
    l->tracker = sl_tracker_open(&o, note, sizeof note);
    assert_non_null(l->tracker);
    assert_string_equal(note, "");
}

static void tear_down(struct lab *l)
{
    sl_tracker_close(l->tracker);
    sl_snapshot_free(&l->view);
    for (int i = 0; i < 4; i++) {
        if (l->client[i] >= 0)
            close(l->client[i]);
        if (l->server[i] >= 0)
            close(l->server[i]);
    }
    close(l->listener);
}

static void refresh(struct lab *l, double now)
{
    assert_int_equal(sl_tracker_refresh(l->tracker, now, &l->view), 0);
}

static int in_state(const struct lab *l, int state)
{
    int n = 0;
    for (size_t i = 0; i < l->view.count; i++)
        n += l->view.sockets[i].state == state;
    return n;
}

static void no_dump_between_discoveries(void **state)
{
    (void)state;
    struct lab l;
    set_up(&l, 3000);
    refresh(&l, 0);                                 /* the first refresh discovers */
    assert_int_equal(l.view.count, 10);
    for (double now = 500; now < 3000; now += 500)  /* five refreshes by lookups alone */
        refresh(&l, now);
    struct sl_tracker_stats s = sl_tracker_stats(l.tracker);
    assert_int_equal(s.dumps, 1);
    assert_int_equal(s.lookup_rounds, 5);
    assert_int_equal(s.lookups, 50);
    assert_int_equal(l.view.count, 10);
    assert_true(l.view.sockets[0].cookie != 0);
    refresh(&l, 3000);                              /* the discovery interval */
    assert_int_equal(sl_tracker_stats(l.tracker).dumps, 2);
    sl_tracker_discover_soon(l.tracker);            /* a key pressed */
    refresh(&l, 3100);
    assert_int_equal(sl_tracker_stats(l.tracker).dumps, 3);
    refresh(&l, 3200);
    assert_int_equal(sl_tracker_stats(l.tracker).dumps, 3);
    tear_down(&l);
}

/* A connection waiting in the accept queue makes the listener's queue grow:
 * the tracker dumps at once and finds it. */
static void queue_growth_discovers(void **state)
{
    (void)state;
    struct lab l;
    set_up(&l, 0);                                  /* no interval: only when there is cause */
    refresh(&l, 0);
    refresh(&l, 500);
    assert_int_equal(sl_tracker_stats(l.tracker).dumps, 1);
    int late = sl_connect_to(l.listener, 2000);     /* not accepted: in the queue */
    /* connect() returns at the SYN-ACK; the server's end joins the accept
     * queue when the client's ACK is processed, maybe a moment later: a
     * listener is readable once its queue holds a connection. */
    assert_true(sl_wait_fd(l.listener, POLLIN, 2000) & POLLIN);
    refresh(&l, 1000);
    assert_int_equal(sl_tracker_stats(l.tracker).dumps, 2);
    assert_int_equal(l.view.count, 12);             /* its two ends */
    refresh(&l, 1500);
    assert_int_equal(sl_tracker_stats(l.tracker).dumps, 2);
    close(late);
    tear_down(&l);
}

static const struct sl_closed *closed_with(const struct sl_closed_list *list,
                                           enum sl_ending ending, struct sl_tuple tuple)
{
    for (size_t i = 0; sl_closed_get(list, i); i++) {
        const struct sl_closed *c = sl_closed_get(list, i);
        if (c->ending == ending && sl_tuple_equal(&c->tuple, &tuple))
            return c;
    }
    return NULL;
}

/* A tracker of the destroy events on one port (with tcp_info), or on the
 * filter given. */
static struct sl_tracker *tracker_on(const struct sl_filter *filter, bool marked_ends_only)
{
    struct sl_tracker_options o = { .filter = *filter, .source = SL_SOURCE_NETLINK,
                                    .want_tcp_info = true, .discover_every_ms = 1000,
                                    .destroy_events = true,
                                    .marked_ends_only = marked_ends_only };
    char note[256];
    struct sl_tracker *t = sl_tracker_open(&o, note, sizeof note);
    assert_non_null(t);
    return t;
}

static struct sl_tracker *tracker_on_port(uint16_t port, bool marked_ends_only)
{
    struct sl_filter filter;
    sl_filter_init(&filter);
    sl_filter_add_range(&filter, port, port);
    return tracker_on(&filter, marked_ends_only);
}

/* The end of this tuple, this way, once its event has come (3 s at most),
 * read at now_ms; NULL if it did not come. */
static const struct sl_closed *end_within(struct sl_tracker *t, double now_ms,
                                          enum sl_ending ending, struct sl_tuple tuple)
{
    const struct sl_closed *end = NULL;
    double deadline = sl_clock_ms() + 3000;
    while (!end && sl_clock_ms() < deadline) {
        sl_wait_fd(sl_tracker_event_fd(t), POLLIN, 100);
        sl_tracker_read_events(t, now_ms);
        end = closed_with(sl_tracker_closed(t), ending, tuple);
    }
    return end;
}

/* A pair closed client first: both ends in the closed list, told apart; the
 * client goes on as a TIME-WAIT record, found by its cookie, without a dump. */
static void ends_go_to_the_closed_list(void **state)
{
    (void)state;
    struct lab l;
    set_up(&l, 0);
    refresh(&l, 0);
    assert_int_equal(in_state(&l, SL_TCP_TIME_WAIT), 1);
    struct sl_tuple client_tuple, server_tuple;
    sl_tuple_of_fd(l.client[0], &client_tuple);
    sl_tuple_of_fd(l.server[0], &server_tuple);
    assert_int_equal(send(l.client[0], "0123456789", 10, 0), 10);
    char buf[16];
    sl_bound_blocking(l.server[0], 2000);
    assert_int_equal(recv(l.server[0], buf, sizeof buf, 0), 10);
    close(l.client[0]);
    l.client[0] = -1;
    sl_bound_blocking(l.server[0], 2000);
    assert_int_equal(recv(l.server[0], buf, sizeof buf, 0), 0);
    close(l.server[0]);
    l.server[0] = -1;
    /* Found by their tuples: an end left over from set_up may come late. */
    const struct sl_closed_list *closed = sl_tracker_closed(l.tracker);
    const struct sl_closed *first = NULL, *second = NULL;
    double deadline = sl_clock_ms() + 3000;
    while ((!first || !second) && sl_clock_ms() < deadline) {
        sl_wait_fd(sl_tracker_event_fd(l.tracker), POLLIN, 100);
        sl_tracker_read_events(l.tracker, 900);
        first = closed_with(closed, SL_END_FIN_FIRST, client_tuple);
        second = closed_with(closed, SL_END_FIN_SECOND, server_tuple);
    }
    assert_non_null(first);
    assert_non_null(second);
    assert_int_equal(first->info.bytes_sent, 10);
    assert_int_equal(second->info.bytes_received, 11);        /* ten bytes and the FIN */
    assert_true(sl_closed_duration_ms(first) == 900);         /* first seen at 0, ended at 900 */
    refresh(&l, 1000);
    assert_int_equal(in_state(&l, SL_TCP_TIME_WAIT), 2);      /* followed into TIME-WAIT */
    assert_int_equal(l.view.count, 9);
    assert_int_equal(sl_tracker_stats(l.tracker).dumps, 1);
    tear_down(&l);
}

/* A connect() abandoned in SYN-SENT (connect(AF_UNSPEC) disconnects it, as
 * a failed connect is): its socket leaves the tables at once, its event
 * comes only at close(), here after two refreshes that no longer find it,
 * and has lost its ports. It still ends in the closed list as the failed
 * connect it was, with the tuple and the time it was seen. */
static void a_failed_connect_ends_after_it_left(void **state)
{
    (void)state;
    int full = quiet_listener(0);                  /* room for one finished connection */
    int first = sl_connect_to(full, 2000);
    assert_true(sl_wait_fd(full, POLLIN, 2000) & POLLIN);   /* it took the place */
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    assert_int_equal(getsockname(full, (struct sockaddr *)&addr, &len), 0);
    int waiting = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    assert_true(waiting >= 0);
    assert_int_equal(connect(waiting, (struct sockaddr *)&addr, len), -1);
    assert_int_equal(errno, EINPROGRESS);          /* its SYN is dropped: SYN-SENT */
    struct sl_tuple tuple;
    struct sockaddr_storage local;
    socklen_t local_len = sizeof local;
    assert_int_equal(getsockname(waiting, (struct sockaddr *)&local, &local_len), 0);
    sl_tuple_from_addrs(&local, &addr, &tuple);

    struct sl_tracker *t = tracker_on_port(sl_local_port(full), false);
    struct sl_snapshot view = { 0 };
    assert_int_equal(sl_tracker_refresh(t, 0, &view), 0);
    bool seen = false;
    for (size_t i = 0; i < view.count; i++)
        seen |= view.sockets[i].state == SL_TCP_SYN_SENT &&
                sl_tuple_equal(&view.sockets[i].tuple, &tuple);
    assert_true(seen);

    struct sockaddr unspec = { .sa_family = AF_UNSPEC };
    assert_int_equal(connect(waiting, &unspec, sizeof unspec), 0);
    assert_int_equal(sl_tracker_refresh(t, 500, &view), 0);    /* a lookup: gone */
    assert_int_equal(sl_tracker_refresh(t, 1000, &view), 0);   /* a dump: not there */
    assert_int_equal(sl_tracker_stats(t).dumps, 2);
    close(waiting);                                 /* only now is it freed */

    const struct sl_closed *failed = end_within(t, 1200, SL_END_CONNECT_FAILED, tuple);
    assert_non_null(failed);
    assert_true(failed->seen_alive);
    assert_true(sl_closed_duration_ms(failed) == 1200);      /* seen at 0, ended at 1200 */
    assert_int_equal(sl_tracker_stats(t).departed_ends, 1);
    sl_tracker_close(t);
    sl_snapshot_free(&view);
    close(first);
    close(full);
}

/* Under a filter of states alone ("listen"), the end of a connection the
 * filter never showed is not taken in (which states it passed through, its
 * event does not say); the end of the listener it showed is. */
static void a_state_filter_keeps_the_ends_it_saw(void **state)
{
    (void)state;
    int listener = quiet_listener(4);
    struct sl_filter filter;
    sl_filter_init(&filter);
    char why[128];
    assert_true(sl_filter_set_states(&filter, "listen", why, sizeof why));
    struct sl_tracker *t = tracker_on(&filter, false);
    struct sl_snapshot view = { 0 };
    assert_int_equal(sl_tracker_refresh(t, 0, &view), 0);
    int client = sl_connect_to(listener, 2000), server = (int)sl_accept_within(listener, 2000);
    struct sl_tuple client_tuple, listening;
    sl_tuple_of_fd(client, &client_tuple);
    sl_tuple_of_fd(listener, &listening);
    close(client);
    char byte;
    sl_bound_blocking(server, 2000);
    assert_int_equal(recv(server, &byte, 1, 0), 0);
    close(server);
    close(listener);
    assert_non_null(end_within(t, 500, SL_END_LISTENER, listening));
    sl_sleep_ms(100);                               /* (the connection's events came first) */
    sl_tracker_read_events(t, 600);
    for (size_t i = 0; sl_closed_get(sl_tracker_closed(t), i); i++) {
        const struct sl_closed *c = sl_closed_get(sl_tracker_closed(t), i);
        struct sl_tuple other = sl_tuple_other_end(&client_tuple);
        assert_false(sl_tuple_equal(&c->tuple, &client_tuple));
        assert_false(sl_tuple_equal(&c->tuple, &other));
    }
    sl_tracker_close(t);
    sl_snapshot_free(&view);
}

/* With a filter above the tracker (a process), only the ends of the sockets
 * the caller marked go to the closed list: two connections on one port, the
 * client end of one marked, both closed; the marked end is listed, and no
 * end of the other connection. */
static void only_marked_ends_under_a_filter_above(void **state)
{
    (void)state;
    int listener = quiet_listener(4);
    int client[2], server[2];
    struct sl_tuple tuple[2];
    for (int i = 0; i < 2; i++) {
        client[i] = sl_connect_to(listener, 2000);
        server[i] = (int)sl_accept_within(listener, 2000);
        sl_tuple_of_fd(client[i], &tuple[i]);
    }
    struct sl_tracker *t = tracker_on_port(sl_local_port(listener), true);
    struct sl_snapshot view = { 0 };
    assert_int_equal(sl_tracker_refresh(t, 0, &view), 0);
    bool marked = false;
    for (size_t i = 0; i < view.count; i++)
        if (sl_tuple_equal(&view.sockets[i].tuple, &tuple[0])) {
            sl_tracker_mark(t, view.sockets[i].cookie);
            marked = true;
        }
    assert_true(marked);
    for (int i = 0; i < 2; i++) {                   /* the client closes first: FIN */
        close(client[i]);
        char byte;
        sl_bound_blocking(server[i], 2000);
        assert_int_equal(recv(server[i], &byte, 1, 0), 0);
        close(server[i]);
    }
    assert_non_null(end_within(t, 500, SL_END_FIN_FIRST, tuple[0]));
    sl_sleep_ms(100);                               /* (every end has come by now) */
    sl_tracker_read_events(t, 600);
    struct sl_tuple other = sl_tuple_other_end(&tuple[1]);
    for (size_t i = 0; sl_closed_get(sl_tracker_closed(t), i); i++) {
        const struct sl_closed *c = sl_closed_get(sl_tracker_closed(t), i);
        assert_false(sl_tuple_equal(&c->tuple, &tuple[1]));
        assert_false(sl_tuple_equal(&c->tuple, &other));
    }
    assert_int_equal(sl_closed_get(sl_tracker_closed(t), 1) == NULL, 1);   /* that one only */
    sl_tracker_close(t);
    sl_snapshot_free(&view);
    close(listener);
}

int main(void)
{
    alone_in_a_network();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_dump_between_discoveries),
        cmocka_unit_test(queue_growth_discovers),
        cmocka_unit_test(ends_go_to_the_closed_list),
        cmocka_unit_test(a_failed_connect_ends_after_it_left),
        cmocka_unit_test(a_state_filter_keeps_the_ends_it_saw),
        cmocka_unit_test(only_marked_ends_under_a_filter_above),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
