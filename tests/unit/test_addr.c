/* test_addr.c — "ip:port" formatting and parsing, IPv4 and IPv6. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socklab/addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static const char *parse_then_format(const char *text, char *buf, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t ss_len;
    const char *why = NULL;
    if (!sl_addr_parse(text, &ss, &ss_len, &why))
        return why;
    return sl_addr_format((struct sockaddr *)&ss, buf, len);
}

static void formats_like_ss(void **state)
{
    (void)state;
    char buf[SL_ADDR_STRLEN];
    struct in_addr v4 = { htonl(INADDR_LOOPBACK) };
    assert_string_equal(sl_addr_format_raw(AF_INET, &v4, 8080, buf, sizeof buf), "127.0.0.1:8080");
    assert_string_equal(sl_addr_format_raw(AF_INET, &v4, 0, buf, sizeof buf), "127.0.0.1:*");
    struct in6_addr v6 = IN6ADDR_LOOPBACK_INIT;
    assert_string_equal(sl_addr_format_raw(AF_INET6, &v6, 443, buf, sizeof buf), "[::1]:443");
    struct in6_addr any6 = IN6ADDR_ANY_INIT;
    assert_string_equal(sl_addr_format_raw(AF_INET6, &any6, 0, buf, sizeof buf), "[::]:*");
}

static void longest_ipv6_fits(void **state)
{
    (void)state;
    char buf[SL_ADDR_STRLEN];
    struct in6_addr a;
    inet_pton(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", &a);
    sl_addr_format_raw(AF_INET6, &a, 65535, buf, sizeof buf);
    assert_true(strlen(buf) < sizeof buf);
    assert_non_null(strstr(buf, "]:65535"));
}

static void round_trips(void **state)
{
    (void)state;
    char buf[SL_ADDR_STRLEN];
    assert_string_equal(parse_then_format("127.0.0.1:80", buf, sizeof buf), "127.0.0.1:80");
    assert_string_equal(parse_then_format("[::1]:65535", buf, sizeof buf), "[::1]:65535");
    assert_string_equal(parse_then_format("[::ffff:127.0.0.1]:22", buf, sizeof buf),
                        "[::ffff:127.0.0.1]:22");
    assert_string_equal(parse_then_format("10.0.0.1:0", buf, sizeof buf), "10.0.0.1:*");
    assert_string_equal(parse_then_format("0.0.0.0:*", buf, sizeof buf), "0.0.0.0:*");
    assert_string_equal(parse_then_format("[::]:*", buf, sizeof buf), "[::]:*");
}

static void rejects_bad_text_with_a_reason(void **state)
{
    (void)state;
    const char *bad[] = { "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:8o",
                          "::1:80", "[::1]80", "[::1", "[127.0.0.1]:80", "300.1.1.1:80",
                          ":80", "[]:80", "localhost:80", "127.0.0.1:-1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sockaddr_storage ss;
        socklen_t len;
        const char *why = NULL;
        assert_false(sl_addr_parse(bad[i], &ss, &len, &why));
        assert_non_null(why);
    }
}

static void parses_ports(void **state)
{
    (void)state;
    uint16_t port;
    const char *why;
    assert_true(sl_port_parse("0", &port, &why) && port == 0);
    assert_true(sl_port_parse("65535", &port, &why) && port == 65535);
    assert_false(sl_port_parse("65536", &port, &why));
    assert_false(sl_port_parse("", &port, &why));
    assert_false(sl_port_parse(" 80", &port, &why));
    assert_false(sl_port_parse("99999999999999999999", &port, &why));
}

static void bare_ip_gets_the_port(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    socklen_t len;
    const char *why;
    assert_true(sl_addr_parse_ip("::1", 7, &ss, &len, &why));
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(len, sizeof(struct sockaddr_in6));
    assert_int_equal(sl_addr_port((struct sockaddr *)&ss), 7);
    assert_true(sl_addr_parse_ip("127.0.0.1", 9, &ss, &len, &why));
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(sl_addr_port((struct sockaddr *)&ss), 9);
    assert_false(sl_addr_parse_ip("127.1", 9, &ss, &len, &why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_like_ss),
        cmocka_unit_test(longest_ipv6_fits),
        cmocka_unit_test(round_trips),
        cmocka_unit_test(rejects_bad_text_with_a_reason),
        cmocka_unit_test(parses_ports),
        cmocka_unit_test(bare_ip_gets_the_port),
    };
    return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
