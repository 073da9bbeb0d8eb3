/* test_json.c — JSON lines: escaping of arbitrary bytes, and reading back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socklab/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The escaped form of len bytes, in a buffer the caller frees. */
static char *escaped(const char *bytes, size_t len)
{
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    sl_json_write_escaped(f, bytes, len);
    fclose(f);
    return out;
}

static void assert_escapes_to(const char *bytes, size_t len, const char *want)
{
    char *got = escaped(bytes, len);
    assert_string_equal(got, want);
    free(got);
}

/* Strict UTF-8 check, written apart from the code under test. */
static bool valid_utf8(const unsigned char *s)
{
    while (*s) {
        int n = *s < 0x80 ? 1 : (*s & 0xE0) == 0xC0 ? 2 : (*s & 0xF0) == 0xE0 ? 3
              : (*s & 0xF8) == 0xF0 ? 4 : 0;
        if (!n || (n == 2 && *s < 0xC2) || (n == 4 && *s > 0xF4))
            return false;
        for (int i = 1; i < n; i++)
            if ((s[i] & 0xC0) != 0x80)
                return false;
        s += n;
    }
    return true;
}

static void escapes_quotes_backslashes_and_controls(void **state)
{
    (void)state;
    assert_escapes_to("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    assert_escapes_to("l1\nl2\tx\r", 8, "\"l1\\nl2\\tx\\r\"");
    assert_escapes_to("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
    assert_escapes_to("nul\0in", 6, "\"nul\\u0000in\"");
}

static void keeps_valid_utf8(void **state)
{
    (void)state;
    assert_escapes_to("端口 é €", strlen("端口 é €"), "\"端口 é €\"");
    assert_escapes_to("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");
}

static void replaces_invalid_bytes(void **state)
{
    (void)state;
    assert_escapes_to("\xff", 1, "\"\\ufffd\"");
    assert_escapes_to("a\xc3", 2, "\"a\\ufffd\"");                 /* truncated sequence */
    assert_escapes_to("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");        /* overlong '/' */
    assert_escapes_to("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\""); /* a surrogate */
    assert_escapes_to("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
}

static void every_byte_value_gives_valid_json_text(void **state)
{
    (void)state;
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    char *out = escaped(all, sizeof all);
    assert_true(valid_utf8((const unsigned char *)out));
    for (const char *p = out; *p; p++)
        assert_true((unsigned char)*p >= 0x20);   /* no raw control characters */
    free(out);

    /* and random garbage, many times over */
    srand(7);
    for (int round = 0; round < 2000; round++) {
        char junk[32];
        for (size_t i = 0; i < sizeof junk; i++)
            junk[i] = (char)(rand() & 0xff);
        char *o = escaped(junk, sizeof junk);
        assert_true(valid_utf8((const unsigned char *)o));
        free(o);
    }
}

static void builds_a_line(void **state)
{
    (void)state;
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    struct sl_json j;
    sl_json_begin(&j, f);
    sl_json_string(&j, "event", "expect");
    sl_json_bool(&j, "ok", true);
    sl_json_int(&j, "n", -3);
    sl_json_string(&j, "none", NULL);
    sl_json_open_array(&j, "list");
    sl_json_string(&j, NULL, "a");
    sl_json_open_object(&j, NULL);
    sl_json_uint(&j, "u", 18446744073709551615ull);
    sl_json_close_object(&j);
    sl_json_close_array(&j);
    sl_json_double(&j, "ms", 1.5);
    sl_json_end(&j);
    fclose(f);
    assert_string_equal(out, "{\"event\":\"expect\",\"ok\":true,\"n\":-3,\"none\":null,"
                             "\"list\":[\"a\",{\"u\":18446744073709551615}],\"ms\":1.500}\n");
    free(out);
}

static void reads_flat_objects_back(void **state)
{
    (void)state;
    const char *line = "{\"number\":4,\"name\":\"epoll-lt-vs-et\","
                       "\"title\":\"say \\\"hi\\\"\\n\\u0041\",\"x\":-1.5e3}";
    char out[64];
    assert_true(sl_json_flat_get(line, "number", out, sizeof out));
    assert_string_equal(out, "4");
    assert_true(sl_json_flat_get(line, "name", out, sizeof out));
    assert_string_equal(out, "epoll-lt-vs-et");
    assert_true(sl_json_flat_get(line, "title", out, sizeof out));
    assert_string_equal(out, "say \"hi\"\nA");
    assert_true(sl_json_flat_get(line, "x", out, sizeof out));
    assert_string_equal(out, "-1500");
    assert_false(sl_json_flat_get(line, "missing", out, sizeof out));
    assert_false(sl_json_flat_get(line, "name", out, 4));          /* does not fit */
    assert_false(sl_json_flat_get("{\"a\":\"unterminated", "a", out, sizeof out));
    assert_false(sl_json_flat_get("not json", "a", out, sizeof out));
    assert_false(sl_json_flat_get("{\"a\":[1]}", "a", out, sizeof out));
    assert_true(sl_json_flat_get("{\"x\":1,\"ok\":true}", "ok", out, sizeof out));
    assert_string_equal(out, "true");
    /* strictly JSON: no NaN, nothing after the object, no key twice */
    assert_false(sl_json_flat_get("{\"number\":nan}", "number", out, sizeof out));
    assert_false(sl_json_flat_get("{\"number\":4} {", "number", out, sizeof out));
    assert_false(sl_json_flat_get("{\"number\":4,\"number\":5}", "number", out, sizeof out));
    assert_false(sl_json_flat_get("{\"number\":4,}", "number", out, sizeof out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escapes_quotes_backslashes_and_controls),
        cmocka_unit_test(keeps_valid_utf8),
        cmocka_unit_test(replaces_invalid_bytes),
        cmocka_unit_test(every_byte_value_gives_valid_json_text),
        cmocka_unit_test(builds_a_line),
        cmocka_unit_test(reads_flat_objects_back),
    };
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
