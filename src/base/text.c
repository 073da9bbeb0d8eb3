/* text.c — text fitted to terminal columns (see text.h). */
#include "socklab/text.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <wctype.h>

/* One character of text: its length in bytes, the character (L'?' for a byte
 * that is none, or a control character) and its width in columns. Returns 0 at
 * the end of the text. */
static size_t next_char(const char *text, size_t left, mbstate_t *state, wchar_t *wc, int *width)
{
    if (left == 0 || *text == '\0')
        return 0;
    size_t len = mbrtowc(wc, text, left, state);
    if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
        memset(state, 0, sizeof *state);            /* not a character here: one byte, shown as ? */
        *wc = L'?';
        *width = 1;
        return 1;
    }
    *width = wcwidth(*wc);
    if (*width < 0) {                               /* a control character */
        *wc = L'?';
        *width = 1;
    }
    return len;
}

/* Punctuation that closes a phrase of wide text: never the first on a line. */
static bool closes_phrase(wchar_t wc)
{
    static const wchar_t closing[] = L"，。、；：？！）」』》〉】〕”’…";
    return wc != L'\0' && wcschr(closing, wc) != NULL;
}

/* U+2060 WORD JOINER: no line breaks on either side of it (it takes no column). */
#define WORD_JOINER L'\u2060'

/* And what opens one: never the last on a line. */
static bool opens_phrase(wchar_t wc)
{
    static const wchar_t opening[] = L"（「『《〈【〔“‘";
    return wc != L'\0' && wcschr(opening, wc) != NULL;
}

int sl_text_columns_n(const char *text, size_t bytes)
{
    mbstate_t state;
    memset(&state, 0, sizeof state);
    int used = 0, width;
    wchar_t wc;
    size_t len;
    while ((len = next_char(text, bytes, &state, &wc, &width)) > 0) {
        used += width;
        text += len;
        bytes -= len;
    }
    return used;
}

int sl_text_columns(const char *text)
{
    return sl_text_columns_n(text, strlen(text));
}

size_t sl_text_prefix(const char *text, int columns, int *used)
{
    mbstate_t state;
    memset(&state, 0, sizeof state);
    size_t left = strlen(text), taken = 0;
    int cols = 0, width;
    wchar_t wc;
    size_t len;
    while ((len = next_char(text + taken, left, &state, &wc, &width)) > 0 &&
           text[taken] != '\n' && cols + width <= columns) {
        cols += width;
        taken += len;
        left -= len;
    }
    if (used)
        *used = cols;
    return taken;
}

int sl_text_pad(const char *text, int columns, char *out, size_t len)
{
    int width = sl_text_columns(text);
    int spaces = width < columns ? columns - width : 0;
    snprintf(out, len, "%s%*s", text, spaces, "");
    return width + spaces;
}

const char *sl_text_suffix(const char *text, int columns)
{
    mbstate_t state;
    memset(&state, 0, sizeof state);
    size_t left = strlen(text);
    int over = sl_text_columns(text) - columns, width;
    wchar_t wc;
    size_t len;
    while (over > 0 && (len = next_char(text, left, &state, &wc, &width)) > 0) {
        over -= width;                    /* whole characters leave from the front */
        text += len;
        left -= len;
    }
    return text;
}

size_t sl_text_wrap(const char *text, int columns, const char **next)
{
    mbstate_t state;
    memset(&state, 0, sizeof state);
    size_t left = strlen(text), at = 0, last_break = 0;
    int cols = 0, width, previous_width = 0;
    wchar_t previous = L'\0';
    bool after_space = false, seen_word = false;    /* a line never breaks inside its indent */
    wchar_t wc;
    size_t len;
    while ((len = next_char(text + at, left, &state, &wc, &width)) > 0) {
        if (text[at] == '\n') {                     /* a line of its own ends here */
            *next = text + at + 1;
            goto trim;
        }
        bool space = text[at] == ' ';
        bool joined = wc == WORD_JOINER || previous == WORD_JOINER;
        if (seen_word && !space && !joined &&
            (after_space || ((width == 2 || previous_width == 2) && !closes_phrase(wc) &&
                             !opens_phrase(previous))))
            last_break = at;                        /* the line may end before this character */
        if (cols + width > columns && at > 0) {
            if (space && seen_word) {               /* the line ends at a space: the break is here */
                last_break = at;
            } else if (last_break == 0) {
                last_break = at;                    /* one word wider than the line: cut it */
            }
            at = last_break;
            const char *after = text + at;
            while (*after == ' ')
                after++;
            *next = after;
            goto trim;
        }
        cols += width;
        previous_width = width;
        previous = wc;
        after_space = space;
        seen_word = seen_word || !space;
        at += len;
        left -= len;
    }
    *next = text + at;
trim:
    while (at > 0 && text[at - 1] == ' ')
        at--;
    return at;
}

/* out = the first n bytes of text, then mark when given; its width. */
static int copy_marked(const char *text, size_t n, const char *mark, char *out, size_t len)
{
    if (n >= len)
        n = len - 1;
    memcpy(out, text, n);
    out[n] = '\0';
    if (mark)
        snprintf(out + n, len - n, "%s", mark);
    return sl_text_columns(out);
}

int sl_text_fit_words(const char *text, int columns, const char *mark, char *out, size_t len)
{
    if (len == 0)
        return 0;
    if (columns < 0)
        columns = 0;
    const char *next;
    size_t n = sl_text_wrap(text, columns, &next);
    bool cut = *next != '\0';
    int mark_cols = mark ? sl_text_columns(mark) : 0;
    if (cut && mark && columns > mark_cols) {
        n = sl_text_wrap(text, columns - mark_cols, &next);
        if (sl_text_columns_n(text, n) > columns - mark_cols)
            n = sl_text_prefix(text, columns - mark_cols, NULL);
    } else if (sl_text_columns_n(text, n) > columns) {
        n = sl_text_prefix(text, columns, NULL);    /* a first character wider than the room */
    }
    return copy_marked(text, n, cut && mark && columns > mark_cols ? mark : NULL, out, len);
}

int sl_text_cut(const char *text, int columns, const char *mark, char *out, size_t len)
{
    if (len == 0)
        return 0;
    int mark_cols = mark ? sl_text_columns(mark) : 0;
    size_t n = sl_text_prefix(text, columns, NULL);
    bool cut = text[n] != '\0';
    bool marked = cut && mark && columns > mark_cols;
    if (marked)
        n = sl_text_prefix(text, columns - mark_cols, NULL);
    return copy_marked(text, n, marked ? mark : NULL, out, len);
}

int sl_text_wide(const char *text, int columns, wchar_t *out, size_t room)
{
    if (room == 0)
        return 0;
    mbstate_t state;
    memset(&state, 0, sizeof state);
    size_t left = strlen(text), n = 0;
    int used = 0, width;
    wchar_t wc;
    size_t len;
    while (n + 1 < room && (len = next_char(text, left, &state, &wc, &width)) > 0 &&
           *text != '\n' && used + width <= columns) {
        out[n++] = wc;
        used += width;
        text += len;
        left -= len;
    }
    out[n] = L'\0';
    return used;
}
