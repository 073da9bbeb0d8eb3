/* test_markdown.c — the notes laid out for a terminal (markdown.h) and the
 * ASCII stand-ins for a locale that is not UTF-8 (charset.h): no line wider
 * than asked (in columns), headings underlined, tables aligned when they fit
 * and a list when they do not, answers folded after the notes, nothing beyond
 * ASCII under SL_MARKDOWN_ASCII; and every real note in docs/labs within 80
 * columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socklab/charset.h"
#include "socklab/markdown.h"
#include "socklab/text.h"

#include <dirent.h>
#include <libgen.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int utf8(void **state)
{
    (void)state;
    return setlocale(LC_CTYPE, "C.UTF-8") ? 0 : -1;
}

static char *render(const char *markdown, int columns, unsigned flags)
{
    char *out = sl_markdown_render(markdown, strlen(markdown), columns, flags);
    assert_non_null(out);
    return out;
}

/* The widest line of text, in columns. */
static int widest(const char *text)
{
    int most = 0;
    while (*text) {
        size_t n = strcspn(text, "\n");
        int cols = sl_text_columns_n(text, n);
        most = cols > most ? cols : most;
        text += n + (text[n] == '\n');
    }
    return most;
}

/* The line of text that holds `needle` (a copy to free), or NULL. */
static char *line_with(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    if (!at)
        return NULL;
    while (at > text && at[-1] != '\n')
        at--;
    return strndup(at, strcspn(at, "\n"));
}

static void headings_stand_alone_and_are_underlined(void **state)
{
    (void)state;
    char *out = render("# Lab 06 \u2014 TIME-WAIT\n\nText.\n\n## The idea\n\nMore.\n", 80, 0);
    assert_string_equal(out, "Lab 06 \u2014 TIME-WAIT\n"
                             "==================\n\n"     /* 18 columns, 20 bytes above */
                             "Text.\n\n"
                             "The idea\n--------\n\n"
                             "More.\n");
    free(out);
}

static void paragraphs_wrap_between_words_within_the_width(void **state)
{
    (void)state;
    const char *md = "Closing a TCP connection takes four segments: each side sends a FIN "
                     "and acknowledges the other's \u2014 the side that closes **first** "
                     "walks FIN-WAIT-1 \u2192 FIN-WAIT-2 \u2192 `TIME-WAIT`.\n";
    char *out = render(md, 40, 0);
    assert_true(widest(out) <= 40);
    assert_non_null(strstr(out, "closes first"));           /* the marks are gone */
    assert_null(strstr(out, "**"));
    assert_null(strstr(out, "`"));
    for (const char *p = out; (p = strchr(p, '\n')) && p[1]; p++)
        assert_true(p[1] != ' ');                           /* no line starts inside a gap */
    free(out);
}

static void list_items_hang_under_their_text(void **state)
{
    (void)state;
    char *out = render("1. **A connection** \u2014 both ends ESTAB, and the lab pauses until "
                       "a key.\n2. Second.\n   - nested item that is long enough to wrap "
                       "onto a line of its own\n",
                       40, 0);
    assert_true(widest(out) <= 40);
    assert_true(!strncmp(out, "1. A connection", 15));
    char *second = line_with(out, "a key.");
    assert_non_null(second);
    assert_true(!strncmp(second, "   ", 3) && second[3] != ' ');   /* under "A", not "1" */
    char *nested = line_with(out, "- nested");
    assert_non_null(nested);
    assert_true(!strncmp(nested, "   - nested", 11));
    free(second);
    free(nested);
    free(out);
}

static const char *const sysctl_table =
    "| sysctl | governs | does not govern |\n"
    "|---|---|---|\n"
    "| `tcp_fin_timeout` (60) | how long a closed socket waits in FIN-WAIT-2 for the "
    "peer's FIN, up to 60 s as a time-wait record | the length of TIME-WAIT |\n"
    "| `tcp_rfc1337` | whether a RST ends a TIME-WAIT | SYNs |\n";

static void a_table_that_fits_is_aligned(void **state)
{
    (void)state;
    char *out = render("| state | meaning |\n|---|---|\n| ESTAB | open |\n"
                       "| TIME-WAIT | closed, 60 s |\n", 80, 0);
    assert_string_equal(out, "state      meaning\n"
                             "---------  ------------\n"
                             "ESTAB      open\n"
                             "TIME-WAIT  closed, 60 s\n");
    free(out);
}

static void a_table_too_wide_becomes_a_list(void **state)
{
    (void)state;
    char *out = render(sysctl_table, 80, 0);
    assert_true(widest(out) <= 80);
    assert_non_null(strstr(out, "* tcp_fin_timeout (60)\n"));
    assert_non_null(strstr(out, "    governs: how long a closed socket"));
    assert_non_null(strstr(out, "    does not govern: the length of TIME-WAIT\n"));
    assert_non_null(strstr(out, "* tcp_rfc1337\n"));
    assert_null(strstr(out, "|"));
    free(out);
}

static void answers_are_folded_after_the_notes(void **state)
{
    (void)state;
    const char *md = "## Exercises\n\n"
                     "1. Is it leaking?\n"
                     "   <details><summary>Answer</summary>No: each is a connection the\n"
                     "   server closed `first`.</details>\n"
                     "2. Why?\n"
                     "   <details><summary>Answer</summary>Because.</details>\n\n"
                     "## What changes the answer\n\nSysctls.\n";
    char *out = render(md, 80, 0);
    const char *answers = strstr(out, "\nAnswers\n-------\n");
    assert_non_null(answers);
    const char *first = strstr(out, "No: each is a connection the server closed first.");
    assert_non_null(first);
    assert_true(first > answers);                            /* not under the question */
    assert_true(strstr(out, "Sysctls.") < answers);          /* after the whole notes */
    assert_non_null(strstr(out, "1. Is it leaking? [answer 1 at the end]\n"));
    assert_non_null(strstr(out, "2. Why? [answer 2 at the end]\n"));
    assert_non_null(strstr(answers, "2. Because.\n"));
    assert_null(strstr(out, "<details>"));
    assert_null(strstr(out, "Answer</summary>"));
    free(out);

    out = render("Q? <details><summary>Answer</summary>A.</details>\n", 22, 0);
    assert_string_equal(out, "Q?\n[answer 1 at the end]\n\nAnswers\n-------\n\n1. A.\n");
    free(out);                            /* (22 columns: the marker is never split) */
}

static void ascii_for_a_locale_without_utf8(void **state)
{
    (void)state;
    char *out = render("# Lab 06 \u2014 TIME-WAIT\n\nFIN-WAIT-1 \u2192 FIN-WAIT-2 \u00b7 "
                       "2 \u00d7 MSL \u2026 \u670d\n\n" "| a | b |\n|---|---|\n| \u2014 | x |\n",
                       80, SL_MARKDOWN_ASCII);
    for (const char *p = out; *p; p++)
        assert_true((unsigned char)*p < 0x80);
    assert_non_null(strstr(out, "Lab 06 -- TIME-WAIT\n===================\n"));
    assert_non_null(strstr(out, "FIN-WAIT-1 -> FIN-WAIT-2 - 2 x MSL ... ?"));
    free(out);

    char *ascii = sl_charset_ascii("a\u2014b \u2018q\u2019 \xff", strlen("a\u2014b \u2018q\u2019 \xff"));
    assert_string_equal(ascii, "a--b 'q' ?");
    free(ascii);
}

static void code_blocks_are_indented_and_wrapped_after_spaces(void **state)
{
    (void)state;
    char *out = render("```\npane 1:  socklab serve --port 8080 --log\n"
                       "pane 2:  wrk -t1 -c50 -d30s http://127.0.0.1:8080/\n```\n", 40, 0);
    assert_true(widest(out) <= 40);
    assert_true(!strncmp(out, "    pane 1:  socklab serve --port 8080\n", 39));
    free(out);
}

/* Chinese is written without spaces: a translation's line that ends between
 * two Chinese characters joins the next without one, but keeps the space
 * where English or code meets it; lines wrap between characters, never
 * inside one, and closing punctuation never starts a line. */
static void chinese_lines_join_without_spaces_and_wrap_between_characters(void **state)
{
    (void)state;
    char *out = render("先发送 FIN，\n进入 FIN-WAIT-1；对端回复\nACK 之后，它进入\n"
                       "FIN-WAIT-2。\n", 80, 0);
    assert_string_equal(out, "先发送 FIN，进入 FIN-WAIT-1；对端回复 ACK 之后，它进入 FIN-WAIT-2。\n");
    free(out);
    out = render("三次握手\n完成。\n", 80, 0);
    assert_string_equal(out, "三次握手完成。\n");
    free(out);

    const char *md = "服务器调用 `close()` 之后，连接进入**四次挥手**（four-way teardown）："
                     "主动关闭的一方经过 FIN-WAIT-1、FIN-WAIT-2，最后进入 TIME-WAIT，"
                     "在 Linux 上等待 60 秒；被动关闭的一方经过 CLOSE-WAIT 和 LAST-ACK。\n";
    for (int columns = 20; columns <= 41; columns++) {
        out = render(md, columns, 0);
        if (widest(out) > columns)
            fail_msg("%d columns: a line is %d wide", columns, widest(out));
        for (const char *p = out; *p; p++)      /* every line starts with a whole character */
            if (p == out || p[-1] == '\n')
                assert_true(((unsigned char)*p & 0xc0) != 0x80);
        assert_null(strstr(out, "\n，"));
        assert_null(strstr(out, "\n。"));
        assert_null(strstr(out, "\n："));
        free(out);
    }
}

/* A table of Chinese cells lines up by columns, not bytes. */
static void a_chinese_table_is_aligned_in_columns(void **state)
{
    (void)state;
    char *out = render("| 状态 | 含义 |\n|---|---|\n| ESTAB | 已建立连接 |\n"
                       "| TIME-WAIT | 主动关闭的一方，等待 60 秒 |\n", 80, 0);
    assert_string_equal(out, "状态       含义\n"
                             "---------  --------------------------\n"
                             "ESTAB      已建立连接\n"
                             "TIME-WAIT  主动关闭的一方，等待 60 秒\n");
    free(out);
    /* Too wide for 30 columns: a list, a Chinese heading followed by a
     * Chinese colon. */
    out = render("| 状态 | 含义 |\n|---|---|\n| TIME-WAIT | 主动关闭的一方，等待 60 秒 |\n", 30, 0);
    assert_true(widest(out) <= 30);
    assert_non_null(strstr(out, "* TIME-WAIT\n    含义：主动关闭的一方，"));
    free(out);
}

/* The notes in a folder, as socklab notes pages them at 80 columns: no line
 * wider, no table left as Markdown, no answer before its "Answers". How many. */
static int notes_fit_80_columns(const char *folder)
{
    DIR *dir = opendir(folder);
    if (!dir)
        return 0;
    int notes = 0;
    for (struct dirent *d; (d = readdir(dir));) {
        size_t n = strlen(d->d_name);
        if (n < 4 || strcmp(d->d_name + n - 3, ".md"))
            continue;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", folder, d->d_name);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        static char text[1 << 18];
        size_t len = fread(text, 1, sizeof text - 1, f);
        fclose(f);
        text[len] = '\0';
        for (unsigned flags = 0; flags <= SL_MARKDOWN_ASCII; flags += SL_MARKDOWN_ASCII) {
            char *out = sl_markdown_render(text, len, 80, flags);
            assert_non_null(out);
            if (widest(out) > 80)
                fail_msg("%s is %d columns wide", path, widest(out));
            assert_null(strstr(out, "|---"));
            assert_null(strstr(out, "<details>"));
            free(out);
        }
        notes++;
    }
    closedir(dir);
    return notes;
}

/* Every lab's notes, in English and in the translations this build made
 * (BUILD/docs/LANG/labs, found from this program's folder, BUILD/tests). */
static void every_note_fits_80_columns(void **state)
{
    (void)state;
    assert_true(notes_fit_80_columns("docs/labs") >= 11);
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(n > 0);
    self[n] = '\0';
    char folder[4200];
    snprintf(folder, sizeof folder, "%s/../docs/zh_CN/labs", dirname(self));
    notes_fit_80_columns(folder);
}

/* Markdown cut anywhere (an unclosed table, list, code fence or <details>)
 * still lays out within the width: every prefix of lab 06's notes, at a
 * narrow and an odd width. */
static void any_prefix_lays_out(void **state)
{
    (void)state;
    FILE *f = fopen("docs/labs/06-time-wait.md", "r");
    assert_non_null(f);
    static char text[1 << 17];
    size_t len = fread(text, 1, sizeof text, f);
    fclose(f);
    for (size_t cut = 0; cut < len; cut += len / 157 + 1)
        for (int columns = 20; columns <= 33; columns += 13) {
            char *out = sl_markdown_render(text, cut, columns, 0);
            assert_non_null(out);
            if (widest(out) > columns)
                fail_msg("cut at %zu, %d columns: %d wide", cut, columns, widest(out));
            free(out);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(headings_stand_alone_and_are_underlined),
        cmocka_unit_test(paragraphs_wrap_between_words_within_the_width),
        cmocka_unit_test(list_items_hang_under_their_text),
        cmocka_unit_test(a_table_that_fits_is_aligned),
        cmocka_unit_test(a_table_too_wide_becomes_a_list),
        cmocka_unit_test(answers_are_folded_after_the_notes),
        cmocka_unit_test(ascii_for_a_locale_without_utf8),
        cmocka_unit_test(code_blocks_are_indented_and_wrapped_after_spaces),
        cmocka_unit_test(chinese_lines_join_without_spaces_and_wrap_between_characters),
        cmocka_unit_test(a_chinese_table_is_aligned_in_columns),
        cmocka_unit_test(every_note_fits_80_columns),
        cmocka_unit_test(any_prefix_lays_out),
    };
    return cmocka_run_group_tests_name("markdown", tests, utf8, NULL);
}
