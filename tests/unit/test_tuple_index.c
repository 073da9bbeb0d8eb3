/* test_tuple_index.c — finding sockets and changes by their tuple. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "make_socket.h"

#include "socklab/tuple_index.h"

#include <stdlib.h>

/* Every one of 20,000 sockets is found where it is; a tuple not there is not. */
static void finds_each_among_many(void **state)
{
    (void)state;
    enum { N = 20000 };
    struct sl_socket *s = calloc(N, sizeof *s);
    assert_non_null(s);
    for (size_t i = 0; i < N; i++)
        s[i] = make_socket((uint16_t)(10000 + i % 5000), (uint16_t)(1 + i / 5000),
                           SL_TCP_ESTABLISHED, i);
    struct sl_tuple_index ix;
    assert_int_equal(sl_tuple_index_build(&ix, s, N, sizeof *s,
                                          offsetof(struct sl_socket, tuple)), 0);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(sl_tuple_index_find(&ix, &s[i].tuple), (long)i);
    struct sl_socket absent = make_socket(10000, 9, SL_TCP_ESTABLISHED, 0);
    assert_int_equal(sl_tuple_index_find(&ix, &absent.tuple), -1);
    struct sl_socket v6 = s[0];                 /* the same ports, another family */
    v6.tuple.family = AF_INET6;
    assert_int_equal(sl_tuple_index_find(&ix, &v6.tuple), -1);
    sl_tuple_index_free(&ix);
    free(s);
}

/* Elements that share a tuple come one after the other; the tuple is read
 * where the caller's struct holds it (here a change's). */
static void shared_tuples_one_after_another(void **state)
{
    (void)state;
    struct sl_change c[] = {
        make_change(SL_GONE, 40000, 8080, SL_TCP_TIME_WAIT, SL_TCP_CLOSE),
        make_change(SL_APPEARED, 40001, 8080, SL_TCP_CLOSE, SL_TCP_SYN_SENT),
        make_change(SL_APPEARED, 40000, 8080, SL_TCP_CLOSE, SL_TCP_SYN_SENT),
    };
    struct sl_tuple_index ix;
    assert_int_equal(sl_tuple_index_build(&ix, c, 3, sizeof *c,
                                          offsetof(struct sl_change, tuple)), 0);
    size_t at = sl_tuple_index_start(&ix, &c[0].tuple);
    long first = sl_tuple_index_next(&ix, &c[0].tuple, &at);
    long second = sl_tuple_index_next(&ix, &c[0].tuple, &at);
    assert_true((first == 0 && second == 2) || (first == 2 && second == 0));
    assert_int_equal(sl_tuple_index_next(&ix, &c[0].tuple, &at), -1);
    assert_int_equal(sl_tuple_index_find(&ix, &c[1].tuple), 1);
    sl_tuple_index_free(&ix);
}

/* An empty index (nothing to index, or after free) finds nothing, safely. */
static void empty_finds_nothing(void **state)
{
    (void)state;
    struct sl_socket s = make_socket(8080, 0, SL_TCP_LISTEN, 1);
    struct sl_tuple_index ix;
    assert_int_equal(sl_tuple_index_build(&ix, NULL, 0, sizeof s,
                                          offsetof(struct sl_socket, tuple)), 0);
    assert_int_equal(sl_tuple_index_find(&ix, &s.tuple), -1);
    sl_tuple_index_free(&ix);
    assert_int_equal(sl_tuple_index_find(&ix, &s.tuple), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_each_among_many),
        cmocka_unit_test(shared_tuples_one_after_another),
        cmocka_unit_test(empty_finds_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
