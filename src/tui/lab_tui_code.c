/* lab_tui_code.c — the code pane of the labs' --tui presenter: the step's
 * excerpt, lightly highlighted (keywords, literals, comments), each line
 * folded between words under its number, the line of the call or
 * expectation that just ran marked and kept in the middle of the pane. The
 * whole source (the s key) is drawn the same way. */
#include "lab_tui_internal.h"

#include "socklab/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sl_code_pane_set(struct sl_lab_tui *t, const struct sl_excerpt *ex)
{
    if (t->have_excerpt)
        sl_excerpt_free(&t->excerpt);
    t->excerpt = (struct sl_excerpt){ .file = ex->file, .count = ex->count };
    t->excerpt.numbers = malloc((size_t)(ex->count ? ex->count : 1) * sizeof *ex->numbers);
    t->excerpt.lines = malloc((size_t)(ex->count ? ex->count : 1) * sizeof *ex->lines);
    if (!t->excerpt.numbers || !t->excerpt.lines)
        sl_die("out of memory");
    for (int i = 0; i < ex->count; i++) {
        t->excerpt.numbers[i] = ex->numbers[i];
        t->excerpt.lines[i] = ex->lines[i];     /* the lab's code stays loaded */
    }
    t->have_excerpt = true;
}

void sl_code_pane_clear(struct sl_lab_tui *t)
{
    if (t->have_excerpt)
        sl_excerpt_free(&t->excerpt);
    t->have_excerpt = false;
    t->marked = 0;
}

static bool is_keyword(const char *word, int len)
{
    static const char *const words[] = {
        "int", "char", "void", "long", "short", "unsigned", "signed", "bool", "struct",
        "const", "static", "return", "if", "else", "for", "while", "do", "break",
        "continue", "sizeof", "switch", "case", "default", "true", "false", "NULL", "enum",
        "size_t", "ssize_t", "socklen_t", "pid_t", "goto",
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if ((int)strlen(words[i]) == len && !strncmp(words[i], word, (size_t)len))
            return true;
    return false;
}

#define CODE_MARGIN 7            /* "  123| " or "  123> ", and "     : " when folded */

/* A line of code with its tabs as spaces (at 4), into out. */
static void expand_tabs(const char *text, char *out, size_t room)
{
    size_t n = 0;
    for (const char *c = text; *c && n + 5 < room; c++) {
        if (*c == '\t')
            do out[n++] = ' '; while (n % 4);
        else
            out[n++] = *c;
    }
    out[n] = '\0';
}

/* How many rows a line of code takes, folded between words at width. */
static int code_rows(const char *text, int width)
{
    char line[512];
    expand_tabs(text, line, sizeof line);
    int rows = 0;
    for (const char *at = line, *next; *at; at = next) {
        sl_text_wrap(at, width, &next);
        rows++;
    }
    return rows > 0 ? rows : 1;                 /* an empty line is a row too */
}

/* One row of C, lightly highlighted (keywords, literals, comments): `len`
 * characters of seg, after the line's number (or ':' where a line goes on). */
static void draw_code_row(struct sl_tui_rect r, int y, int number, const char *seg, int len,
                          bool marked)
{
    char prefix[16];
    if (number)
        snprintf(prefix, sizeof prefix, "%5d%s ", number, marked ? ">" : "|");
    else
        snprintf(prefix, sizeof prefix, "     : ");
    sl_tui_put(y, r.x, CODE_MARGIN, prefix, marked && number ? SL_TUI_REVERSE : SL_TUI_DIM);
    int x = 0, width = r.w - CODE_MARGIN;
    for (int i = 0; i < len && x < width;) {
        int j = i + 1;
        enum sl_tui_look look = marked ? SL_TUI_BOLD : SL_TUI_PLAIN;
        if (seg[i] == '/' && i + 1 < len && (seg[i + 1] == '/' || seg[i + 1] == '*')) {
            j = len;                                /* a comment: to the end of the row */
            look = SL_TUI_DIM;
        } else if (seg[i] == '"' || seg[i] == '\'') {
            while (j < len && seg[j] != seg[i])
                j += seg[j] == '\\' ? 2 : 1;
            j = j < len ? j + 1 : len;
            look = SL_TUI_CODE_QUOTE;
        } else if (seg[i] == '_' || (seg[i] >= 'a' && seg[i] <= 'z') ||
                   (seg[i] >= 'A' && seg[i] <= 'Z')) {
            while (j < len && (seg[j] == '_' || (seg[j] >= 'a' && seg[j] <= 'z') ||
                               (seg[j] >= 'A' && seg[j] <= 'Z') || (seg[j] >= '0' && seg[j] <= '9')))
                j++;
            if (is_keyword(seg + i, j - i))
                look = SL_TUI_CODE_WORD;
        }
        int run_len = j - i < width - x ? j - i : width - x;
        char run[512];
        snprintf(run, sizeof run, "%.*s", run_len, seg + i);
        sl_tui_put(y, r.x + CODE_MARGIN + x, run_len, run, look);
        x += run_len;
        i = j;
    }
    if (x < width)
        sl_tui_put(y, r.x + CODE_MARGIN + x, width - x, "", SL_TUI_PLAIN);
}

/* A line of code folded between words into at most `room` rows from y;
 * returns the rows used. */
static int draw_code_line(struct sl_tui_rect r, int y, int room, int number, const char *text,
                          bool marked)
{
    char line[512];
    expand_tabs(text, line, sizeof line);
    int rows = 0, width = r.w - CODE_MARGIN;
    bool cut = code_rows(text, width) > room;   /* the pane ends inside this line */
    for (const char *at = line, *next; rows < room && *at; at = next) {
        int len = (int)sl_text_wrap(at, cut && rows == room - 1 ? width - 2 : width, &next);
        draw_code_row(r, y + rows, rows ? 0 : number, at, len, marked);
        rows++;
    }
    if (cut && rows > 0)                        /* the line goes on: say so */
        sl_tui_put(y + rows - 1, r.x + r.w - 1, 1, MB_CUR_MAX > 1 ? "\u2026" : "~", SL_TUI_DIM);
    if (rows == 0 && room > 0) {                /* an empty line */
        draw_code_row(r, y, number, "", 0, marked);
        rows = 1;
    }
    return rows;
}

/* Lines of code from `first` on, folded, into r. */
void sl_code_pane_draw_lines(struct sl_tui_rect r, const int *numbers, const char *const *lines,
                            int count, int first, int marked)
{
    int y = r.y;
    for (int k = first; k < count && y < r.y + r.h; k++)
        y += draw_code_line(r, y, r.y + r.h - y, numbers ? numbers[k] : k + 1, lines[k],
                            (numbers ? numbers[k] : k + 1) == marked);
}

/* The step's code: the marked line's rows in the middle when they can be,
 * the window full when the code allows. */
void sl_code_pane_draw(struct sl_lab *lab, struct sl_tui_rect r)
{
    struct sl_lab_tui *t = lab->tui;
    sl_tui_clear(r);
    char title[256];
    snprintf(title, sizeof title, _("%s, step %d"), t->have_excerpt ? t->excerpt.file
                                                                     : _("the code"), lab->step);
    sl_tui_put_words(r.y, r.x, r.w, title, SL_TUI_HEADING);
    if (!t->have_excerpt || r.h < 2)
        return;
    const struct sl_excerpt *ex = &t->excerpt;
    int rows = r.h - 1, width = r.w - CODE_MARGIN, first = 0;
    for (int i = 0; i < ex->count; i++)
        if (ex->numbers[i] == t->marked)
            first = i;
    int above = 0;                              /* lines above the marked one, half a window */
    while (first > 0 && above + code_rows(ex->lines[first - 1], width) <= rows / 2)
        above += code_rows(ex->lines[--first], width);
    int below = 0;                              /* fill the window from the end if it is short */
    for (int i = first; i < ex->count; i++)
        below += code_rows(ex->lines[i], width);
    while (first > 0 && below + code_rows(ex->lines[first - 1], width) <= rows)
        below += code_rows(ex->lines[--first], width);
    sl_code_pane_draw_lines((struct sl_tui_rect){ r.y + 1, r.x, rows, r.w }, ex->numbers,
                    (const char *const *)ex->lines, ex->count, first, t->marked);
}

void sl_code_pane_mark(struct sl_lab_tui *t, const char *file, int line)
{
    if (!t->have_excerpt || !file || !line || !t->excerpt.file)
        return;
    const char *a = strrchr(file, '/'), *b = strrchr(t->excerpt.file, '/');
    if (strcmp(a ? a + 1 : file, b ? b + 1 : t->excerpt.file))
        return;
    for (int i = 0; i < t->excerpt.count; i++)
        if (t->excerpt.numbers[i] == line)
            t->marked = line;
}
