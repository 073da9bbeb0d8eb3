/* test_i18n.c — the locale and the catalog (i18n.h) and the program's place
 * (place.h): under a UTF-8 locale the catalog is bound, from the build tree
 * when the program runs from it; under LANG=C nothing is (English, ASCII);
 * numbers keep the C locale's point; plural forms follow the count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socklab/i18n.h"
#include "socklab/place.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void the_program_knows_its_folder(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    assert_true(sl_place_self(dir, sizeof dir));
    size_t n = strlen(dir);
    assert_true(n >= 6 && !strcmp(dir + n - 6, "/tests"));   /* build/tests/test_i18n */
    char found[PATH_MAX + 32];
    const char *const where[] = { "%s/no-such-file", "%s/test_i18n" };
    assert_true(sl_place_find(where, 2, NULL, found, sizeof found));
    assert_string_equal(found + strlen(found) - 15, "tests/test_i18n");
    assert_false(sl_place_find(where, 1, NULL, found, sizeof found));
}

/* LANG=C: no catalog is bound, so every message is the English one. */
static void the_c_locale_speaks_english(void **state)
{
    (void)state;
    setenv("LC_ALL", "C", 1);
    sl_i18n_init();
    assert_string_not_equal(textdomain(NULL), SL_TEXT_DOMAIN);
    assert_string_equal(sl_plural(1, "%d socket", "%d sockets"), "%d socket");
    assert_string_equal(sl_plural(2, "%d socket", "%d sockets"), "%d sockets");
    assert_string_equal(sl_plural(0, "%d socket", "%d sockets"), "%d sockets");
}

/* A UTF-8 locale: the domain is socklab's, its catalogs the build tree's
 * (build/tests/../locale), and numbers still print with a point. */
static void a_utf8_locale_binds_the_build_trees_catalog(void **state)
{
    (void)state;
    setenv("LC_ALL", "C.UTF-8", 1);
    sl_i18n_init();
    assert_string_equal(textdomain(NULL), SL_TEXT_DOMAIN);
    const char *dir = bindtextdomain(SL_TEXT_DOMAIN, NULL);
    assert_non_null(dir);
    assert_non_null(strstr(dir, "/tests/../locale"));
    char number[16];
    snprintf(number, sizeof number, "%.1f", 0.5);
    assert_string_equal(number, "0.5");
    assert_string_equal(setlocale(LC_NUMERIC, NULL), "C");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_program_knows_its_folder),
        cmocka_unit_test(the_c_locale_speaks_english),
        cmocka_unit_test(a_utf8_locale_binds_the_build_trees_catalog),
    };
    return cmocka_run_group_tests_name("i18n", tests, NULL, NULL);
}
