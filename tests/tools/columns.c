/* columns.c — what a screen's lines look like in terminal columns, for the
 * suites that read screens in Chinese (tests/suites/zh.sh).
 *
 *   columns [MARK]   for each line of stdin: its width in columns, then the
 *                    column (from 0) of each MARK in it (a UTF-8 character:
 *                    a pane's border, a table's separator)
 *
 * Widths come from the one routine (socklab/text.h, wcwidth) under the
 * caller's locale, which must be UTF-8. A line that is no valid UTF-8 (a
 * character cut in the middle) is written "bad LINE-NUMBER" and the exit
 * status is 1. */
#include "socklab/text.h"

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Whether the bytes are whole UTF-8 characters, every one. */
static bool valid(const char *s, size_t len)
{
    mbstate_t st = { 0 };
    for (size_t i = 0; i < len;) {
        size_t n = mbrtowc(NULL, s + i, len - i, &st);
        if (n == (size_t)-1 || n == (size_t)-2)
            return false;
        i += n ? n : 1;
    }
    return true;
}

int main(int argc, char **argv)
{
    if (!setlocale(LC_CTYPE, "") || strcmp(setlocale(LC_CTYPE, NULL), "C") == 0) {
        fprintf(stderr, "columns: needs a UTF-8 locale (LC_ALL=C.UTF-8)\n");
        return 2;
    }
    const char *mark = argc > 1 ? argv[1] : NULL;
    char *line = NULL;
    size_t room = 0;
    ssize_t len;
    int status = 0, number = 0;
    while ((len = getline(&line, &room, stdin)) >= 0) {
        number++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (!valid(line, (size_t)len)) {
            printf("bad %d\n", number);
            status = 1;
            continue;
        }
        printf("%d", sl_text_columns(line));
        for (const char *p = mark && *mark ? strstr(line, mark) : NULL; p;
             p = strstr(p + strlen(mark), mark))
            printf(" %d", sl_text_columns_n(line, (size_t)(p - line)));
        putchar('\n');
    }
    free(line);
    return status;
}
