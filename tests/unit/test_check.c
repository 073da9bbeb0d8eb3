/* test_check.c — errno names and the line CHECK prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/base/check_internal.h"

#include <errno.h>
#include <string.h>

static void errno_names_are_the_symbols(void **state)
{
    (void)state;
    char buf[16];
    assert_string_equal(sl_errno_name(EAGAIN, buf), "EAGAIN");
    assert_string_equal(sl_errno_name(EPIPE, buf), "EPIPE");
    assert_string_equal(sl_errno_name(ECONNRESET, buf), "ECONNRESET");
    assert_string_equal(sl_errno_name(EADDRINUSE, buf), "EADDRINUSE");
    assert_string_equal(sl_errno_name(EINPROGRESS, buf), "EINPROGRESS");
}

static void unknown_errno_gets_a_number(void **state)
{
    (void)state;
    char buf[16];
    assert_string_equal(sl_errno_name(9999, buf), "E9999");
}

static void describe_has_name_and_message(void **state)
{
    (void)state;
    char buf[128];
    assert_string_equal(sl_errno_describe(ECONNREFUSED, buf, sizeof buf),
                        "ECONNREFUSED (Connection refused)");
}

static void check_line_names_call_errno_and_place(void **state)
{
    (void)state;
    char buf[256];
    sl_check_format(buf, sizeof buf, "bind(fd, &a, len)", EADDRINUSE, "labs/06-x.c", 42);
    assert_string_equal(buf, "bind(fd, &a, len) failed: EADDRINUSE (Address already in use) "
                             "at labs/06-x.c:42");
}

static void check_passes_success_through(void **state)
{
    (void)state;
    assert_int_equal(CHECK(7), 7);
    assert_int_equal(CHECK(0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(errno_names_are_the_symbols),
        cmocka_unit_test(unknown_errno_gets_a_number),
        cmocka_unit_test(describe_has_name_and_message),
        cmocka_unit_test(check_line_names_call_errno_and_place),
        cmocka_unit_test(check_passes_success_through),
    };
    return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
