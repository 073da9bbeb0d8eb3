/* test_text.c — text fitted to terminal columns (text.h): widths in columns
 * (wide characters take two, a bad byte one), lines wrapped between words or
 * between wide characters but never inside a character, closing punctuation
 * kept on its line, cuts marked, and the same text under LANG=C. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socklab/text.h"

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int utf8(void **state)
{
    (void)state;
    return setlocale(LC_CTYPE, "C.UTF-8") ? 0 : -1;
}

static void widths_are_columns(void **state)
{
    (void)state;
    assert_int_equal(sl_text_columns("nginx"), 5);
    assert_int_equal(sl_text_columns("服务器"), 6);                  /* 9 bytes, 3 characters */
    assert_int_equal(sl_text_columns("a\xff" "b"), 3);              /* a bad byte: one column */
    assert_int_equal(sl_text_columns("TIME-WAIT \u2014 60 s"), 16);  /* an em dash is one */
    assert_int_equal(sl_text_columns_n("服务器", 6), 4);
    assert_int_equal(sl_text_columns(""), 0);
}

static void a_prefix_never_splits_a_character(void **state)
{
    (void)state;
    int used;
    assert_int_equal(sl_text_prefix("服务器", 5, &used), 6);          /* two characters, not 2.5 */
    assert_int_equal(used, 4);
    assert_int_equal(sl_text_prefix("nginx-worker", 5, &used), 5);
    assert_int_equal(sl_text_prefix("one\ntwo", 10, &used), 3);       /* a line ends at \n */
    assert_int_equal(sl_text_prefix("anything", 0, &used), 0);
}

/* Every line of text wrapped at each width from 1 to 70: it fits (or is one
 * character), it starts and ends inside the text on character boundaries, and
 * all the text's non-space bytes come out in order. */
static void wrap_all(const char *text, int width, char *joined, size_t len)
{
    joined[0] = '\0';
    size_t used = 0;
    for (const char *p = text, *next; *p; p = next) {
        size_t n = sl_text_wrap(p, width, &next);
        assert_true(next > p);                                      /* it always goes on */
        int cols = sl_text_columns_n(p, n);
        assert_true(cols <= width || sl_text_prefix(p, 0, NULL) == 0);
        assert_int_equal(sl_text_columns_n(p, n), cols);
        used += (size_t)snprintf(joined + used, len - used, "%.*s|", (int)n, p);
    }
}

static void keeps_every_character(const char *text)
{
    char joined[1024];
    for (int width = 1; width <= 70; width++) {
        wrap_all(text, width, joined, sizeof joined);
        char a[1024], b[1024];
        size_t na = 0, nb = 0;
        for (const char *c = text; *c; c++)
            if (*c != ' ' && *c != '\n')
                a[na++] = *c;
        for (const char *c = joined; *c; c++)
            if (*c != ' ' && *c != '|')
                b[nb++] = *c;
        a[na] = b[nb] = '\0';
        assert_string_equal(a, b);
    }
}

static void wraps_between_words(void **state)
{
    (void)state;
    const char *text = "terminal too small (need 60x15)", *next;
    assert_int_equal(sl_text_wrap(text, 30, &next), 24);             /* "... (need" */
    assert_string_equal(next, "60x15)");
    assert_int_equal(sl_text_wrap(text, 20, &next), 18);             /* "terminal too small" */
    assert_string_equal(next, "(need 60x15)");
    assert_int_equal(sl_text_wrap("abcdefgh", 3, &next), 3);         /* too long: cut */
    assert_string_equal(next, "defgh");
    assert_int_equal(sl_text_wrap("one\n\ntwo", 20, &next), 3);       /* \n ends a line */
    assert_int_equal(sl_text_wrap(next, 20, &next), 0);              /* an empty line */
    assert_string_equal(next, "two");
    /* Code keeps its indent and breaks after it, never inside it. */
    assert_int_equal(sl_text_wrap("        int fd = socket(AF_INET, SOCK_STREAM, 0);", 30, &next), 16);
    assert_string_equal(next, "socket(AF_INET, SOCK_STREAM, 0);");
    keeps_every_character(text);
    keeps_every_character("    1.2s poll  ESTAB -> CLOSE-WAIT  127.0.0.1:47001 127.0.0.1:52380");
}

static void wide_text_breaks_between_characters(void **state)
{
    (void)state;
    const char *next;
    /* 三次握手完成 is 12 columns: at 7, three characters (6 columns) fit. */
    size_t n = sl_text_wrap("三次握手完成", 7, &next);
    assert_int_equal(n, 9);
    assert_string_equal(next, "手完成");
    /* Mixed: an English word stays whole, the Chinese around it breaks anywhere. */
    n = sl_text_wrap("调用 connect() 之后", 12, &next);
    assert_int_equal(sl_text_columns_n("调用 connect() 之后", n), 4);   /* "调用" */
    assert_string_equal(next, "connect() 之后");
    /* Closing punctuation stays with what it closes. */
    n = sl_text_wrap("监听队列满了，连接被丢弃", 12, &next);
    assert_true(strncmp(next, "，", strlen("，")) != 0);
    assert_int_equal(sl_text_columns_n("监听队列满了，连接被丢弃", n), 10);  /* 监听队列满 */
    keeps_every_character("客户端在 SYN-SENT 状态等待服务器的 SYN-ACK，三次握手（three-way handshake）完成。");
    /* Opening punctuation stays with what it opens: 我们称之为（ is 12 columns,
     * but the line ends before （, not after it. */
    n = sl_text_wrap("我们称之为（三次握手）", 12, &next);
    assert_int_equal(sl_text_columns_n("我们称之为（三次握手）", n), 10);
    assert_true(strncmp(next, "（", strlen("（")) == 0);
    /* A word joiner (U+2060, no column) forbids a break on either side:
     * 甲乙 fits 4 columns, but 乙 is joined to 丙, so the line is 甲 alone. */
    n = sl_text_wrap("甲乙\u2060丙", 4, &next);
    assert_int_equal(sl_text_columns_n("甲乙\u2060丙", n), 2);
    assert_string_equal(next, "乙\u2060丙");
    n = sl_text_wrap("见《UNIX 网络编程》", 4, &next);
    assert_int_equal(sl_text_columns_n("见《UNIX 网络编程》", n), 2);   /* 见, then 《UNIX */
    assert_true(strncmp(next, "《", strlen("《")) == 0);
}

static void cuts_are_marked(void **state)
{
    (void)state;
    char out[128];
    const char *meaning = "closed: the kernel no longer lists this socket (it stays here a few "
                          "seconds)";
    sl_text_fit_words(meaning, 61, "...", out, sizeof out);
    assert_string_equal(out, "closed: the kernel no longer lists this socket (it stays...");
    sl_text_fit_words(meaning, 200, "...", out, sizeof out);
    assert_string_equal(out, meaning);                               /* whole: no mark */
    for (int width = 5; width < (int)strlen(meaning); width++) {
        int cols = sl_text_fit_words(meaning, width, "\u2026", out, sizeof out);
        assert_true(cols <= width);
        assert_non_null(strstr(out, "\u2026"));
    }
    const char *log = "    1.2s poll  ESTAB -> CLOSE-WAIT  127.0.0.1:47001 127.0.0.1:52380";
    sl_text_fit_words(log, 64, NULL, out, sizeof out);
    assert_string_equal(out, "    1.2s poll  ESTAB -> CLOSE-WAIT  127.0.0.1:47001");
    /* A cell is cut between characters. */
    assert_int_equal(sl_text_cut("127.0.0.1:47001", 8, "\u2026", out, sizeof out), 8);
    assert_string_equal(out, "127.0.0\u2026");
    assert_int_equal(sl_text_cut("服务器进程", 5, "\u2026", out, sizeof out), 5);
    assert_string_equal(out, "服务\u2026");
    assert_int_equal(sl_text_cut("short", 8, "\u2026", out, sizeof out), 5);
    assert_string_equal(out, "short");
}

static void wide_characters_for_a_terminal(void **state)
{
    (void)state;
    wchar_t out[64];
    assert_int_equal(sl_text_wide("nginx-worker", 5, out, 64), 5);
    assert_true(wcscmp(out, L"nginx") == 0);
    assert_int_equal(sl_text_wide("服务器", 5, out, 64), 4);
    assert_int_equal(wcslen(out), 2);
    assert_int_equal(sl_text_wide("a\xff" "b", 10, out, 64), 3);     /* a bad byte shows as ? */
    assert_true(wcscmp(out, L"a?b") == 0);
    assert_int_equal(sl_text_wide("tab\there", 10, out, 64), 8);
    assert_int_equal(sl_text_wide("anything", 0, out, 64), 0);
}

/* Padding counts columns: a Chinese word of 4 characters takes 8 of them. */
static void padding_counts_columns(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(sl_text_pad("RST sent", 10, out, sizeof out), 10);
    assert_string_equal(out, "RST sent  ");
    assert_int_equal(sl_text_pad("发送了RST", 10, out, sizeof out), 10);
    assert_string_equal(out, "发送了RST ");                     /* 9 columns, 1 space */
    assert_int_equal(sl_text_pad("超时断开连接", 8, out, sizeof out), 12);
    assert_string_equal(out, "超时断开连接");                   /* wider: whole, no space */
}

/* The end of a long input that fits: whole characters, never half of one. */
static void a_suffix_keeps_whole_characters(void **state)
{
    (void)state;
    assert_string_equal(sl_text_suffix("abcdef", 3), "def");
    assert_string_equal(sl_text_suffix("abc", 10), "abc");
    assert_string_equal(sl_text_suffix("进程名", 4), "程名");
    assert_string_equal(sl_text_suffix("进程名", 3), "名");          /* 3 columns: one fits */
    assert_string_equal(sl_text_suffix("a进程", 4), "进程");
    assert_string_equal(sl_text_suffix("进程", 0), "");
}

/* Under LANG=C every byte is a column: UTF-8 text is over-counted, never split
 * into something wider than the line. */
static void the_c_locale_counts_bytes(void **state)
{
    (void)state;
    assert_non_null(setlocale(LC_CTYPE, "C"));
    assert_int_equal(sl_text_columns("服务器"), 9);
    const char *next;
    assert_int_equal(sl_text_wrap("hello world", 8, &next), 5);
    assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(widths_are_columns),
        cmocka_unit_test(a_prefix_never_splits_a_character),
        cmocka_unit_test(wraps_between_words),
        cmocka_unit_test(wide_text_breaks_between_characters),
        cmocka_unit_test(cuts_are_marked),
        cmocka_unit_test(wide_characters_for_a_terminal),
        cmocka_unit_test(padding_counts_columns),
        cmocka_unit_test(a_suffix_keeps_whole_characters),
        cmocka_unit_test(the_c_locale_counts_bytes),
    };
    return cmocka_run_group_tests_name("text", tests, utf8, NULL);
}
