/* test_watch.c — the diff of two snapshots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "make_socket.h"

#include "socklab/watch.h"

#include <netinet/in.h>
#include <string.h>


static void push(struct sl_snapshot *snap, struct sl_socket s)
{
    *sl_snapshot_add(snap) = s;
}

static const struct sl_change *find(const struct sl_changes *c, enum sl_change_kind kind,
                                    uint16_t local_port)
{
    for (size_t i = 0; i < c->count; i++)
        if (c->items[i].kind == kind && c->items[i].tuple.local_port == local_port)
            return &c->items[i];
    return NULL;
}

static void appeared_changed_gone(void **state)
{
    (void)state;
    struct sl_snapshot a = { 0 }, b = { 0 };
    push(&a, make_socket(8080, 0, SL_TCP_LISTEN, 10));
    push(&a, make_socket(40000, 8080, SL_TCP_ESTABLISHED, 11));
    push(&a, make_socket(40001, 8080, SL_TCP_ESTABLISHED, 12));
    push(&b, make_socket(8080, 0, SL_TCP_LISTEN, 10));                 /* unchanged */
    push(&b, make_socket(40000, 8080, SL_TCP_FIN_WAIT2, 11));          /* changed */
    push(&b, make_socket(40002, 8080, SL_TCP_SYN_SENT, 13));           /* appeared */
    struct sl_changes c = { 0 };                                 /* 40001 gone */
    assert_int_equal(sl_watch_diff(&a, &b, &c), 0);
    assert_int_equal(c.count, 3);
    const struct sl_change *ch = find(&c, SL_CHANGED, 40000);
    assert_non_null(ch);
    assert_int_equal(ch->from, SL_TCP_ESTABLISHED);
    assert_int_equal(ch->to, SL_TCP_FIN_WAIT2);
    ch = find(&c, SL_APPEARED, 40002);
    assert_non_null(ch);
    assert_int_equal(ch->to, SL_TCP_SYN_SENT);
    ch = find(&c, SL_GONE, 40001);
    assert_non_null(ch);
    assert_int_equal(ch->from, SL_TCP_ESTABLISHED);
    assert_string_equal(sl_change_kind_name(SL_GONE), "gone");
    sl_changes_free(&c);
    sl_snapshot_free(&a);
    sl_snapshot_free(&b);
}

static void inode_decides_whether_it_is_the_same_socket(void **state)
{
    (void)state;
    struct sl_snapshot a = { 0 }, b = { 0 };
    push(&a, make_socket(8080, 0, SL_TCP_LISTEN, 10));
    push(&a, make_socket(40000, 8080, SL_TCP_FIN_WAIT2, 11));
    push(&b, make_socket(8080, 0, SL_TCP_LISTEN, 20));                 /* a new listener */
    push(&b, make_socket(40000, 8080, SL_TCP_TIME_WAIT, 0));           /* same one, in TIME-WAIT */
    struct sl_changes c = { 0 };
    assert_int_equal(sl_watch_diff(&a, &b, &c), 0);
    assert_int_equal(c.count, 3);
    assert_non_null(find(&c, SL_GONE, 8080));
    assert_non_null(find(&c, SL_APPEARED, 8080));
    const struct sl_change *ch = find(&c, SL_CHANGED, 40000);
    assert_non_null(ch);
    assert_int_equal(ch->to, SL_TCP_TIME_WAIT);
    sl_changes_free(&c);
    sl_snapshot_free(&a);
    sl_snapshot_free(&b);
}

static void empty_snapshots(void **state)
{
    (void)state;
    struct sl_snapshot a = { 0 }, b = { 0 };
    struct sl_changes c = { 0 };
    assert_int_equal(sl_watch_diff(&a, &b, &c), 0);
    assert_int_equal(c.count, 0);
    push(&b, make_socket(1, 2, SL_TCP_ESTABLISHED, 1));
    assert_int_equal(sl_watch_diff(&a, &b, &c), 0);
    assert_int_equal(c.count, 1);
    assert_int_equal(c.items[0].kind, SL_APPEARED);
    sl_changes_free(&c);
    sl_snapshot_free(&b);
}

static void many_sockets_few_changes(void **state)
{
    (void)state;
    struct sl_snapshot a = { 0 }, b = { 0 };
    for (uint32_t i = 0; i < 100000; i++) {
        struct sl_socket s = make_socket((uint16_t)(i % 60000 + 1), (uint16_t)(i / 60000 + 1),
                                  SL_TCP_ESTABLISHED, i + 1);
        push(&a, s);
        if (i % 100 == 0)
            s.state = SL_TCP_CLOSE_WAIT;
        push(&b, s);
    }
    struct sl_changes c = { 0 };
    assert_int_equal(sl_watch_diff(&a, &b, &c), 0);
    assert_int_equal(c.count, 1000);
    for (size_t i = 0; i < c.count; i++)
        assert_int_equal(c.items[i].kind, SL_CHANGED);
    sl_changes_free(&c);
    sl_snapshot_free(&a);
    sl_snapshot_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(appeared_changed_gone),
        cmocka_unit_test(inode_decides_whether_it_is_the_same_socket),
        cmocka_unit_test(empty_snapshots),
        cmocka_unit_test(many_sockets_few_changes),
    };
    return cmocka_run_group_tests_name("watch", tests, NULL, NULL);
}
