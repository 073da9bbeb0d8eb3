/* tui_text.c — text fitted to terminal columns (see tui.h). */
#include "socklab/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sl_tui_text_fit(const char *text, int columns, wchar_t *out, size_t room)
{
    mbstate_t state;
    memset(&state, 0, sizeof state);
    size_t left = strlen(text), n = 0;
    int used = 0;
    while (left > 0 && n + 1 < room) {
        wchar_t wc;
        size_t len = mbrtowc(&wc, text, left, &state);
        if (len == (size_t)-1 || len == (size_t)-2) {   /* not valid here: one byte, shown as ? */
            wc = L'?';
            len = 1;
            memset(&state, 0, sizeof state);
        } else if (len == 0) {
            break;
        }
        int w = wcwidth(wc);
        if (w < 0) {                                  /* a control character */
            wc = L'?';
            w = 1;
        }
        if (used + w > columns)
            break;
        out[n++] = wc;
        used += w;
        text += len;
        left -= len;
    }
    out[n] = L'\0';
    return used;
}

int sl_tui_fit_words(const char *text, int width, char *out, size_t len)
{
    int n = (int)strlen(text);
    if (width < 0)
        width = 0;
    if (n > width) {
        int cut = width;
        while (cut > 0 && !(text[cut] == ' ' && text[cut - 1] != ' '))
            cut--;                                  /* back to the end of a word */
        if (cut == 0 && text[0] != ' ')
            cut = width;                            /* one word longer than the line */
        n = cut;
    }
    if ((size_t)n >= len)
        n = (int)len - 1;
    memcpy(out, text, (size_t)n);
    out[n] = '\0';
    return n;
}

int sl_tui_fit_words_marked(const char *text, int width, const char *mark, int mark_columns,
                            char *out, size_t len)
{
    if ((int)strlen(text) <= width || width <= mark_columns)
        return sl_tui_fit_words(text, width, out, len);
    int n = sl_tui_fit_words(text, width - mark_columns, out, len);
    while (n > 0 && out[n - 1] == ' ')
        n--;                                        /* the mark follows the last word */
    snprintf(out + n, len - (size_t)n, "%s", mark);
    return (int)strlen(out);
}

int sl_tui_wrap_line(const char *text, int width, const char **next)
{
    int n = (int)strlen(text);
    if (n > width) {
        int cut = width;
        while (cut > 0 && text[cut] != ' ')
            cut--;
        n = cut > 0 ? cut : width;                  /* a word wider than a line is cut */
    }
    const char *after = text + n;
    while (*after == ' ')
        after++;                                    /* the next line starts with a word */
    *next = after;
    while (n > 0 && text[n - 1] == ' ')
        n--;
    return n;
}

static int compose(const struct sl_tui_segment *seg, const int *form, int count, const char *sep,
                   char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < count; i++) {
        if (form[i] == 2)
            continue;
        const char *text = form[i] == 1 && seg[i].brief ? seg[i].brief : seg[i].full;
        used += (size_t)snprintf(out + used, used < len ? len - used : 0, "%s%s",
                                 used ? sep : "", text);
        if (used >= len)
            used = len - 1;
    }
    return (int)strlen(out);
}

void sl_tui_fit_segments(const struct sl_tui_segment *seg, int count, const char *sep, int width,
                       char *out, size_t len)
{
    int form[32] = { 0 };                           /* 0 full, 1 brief, 2 dropped */
    if (count > 32)
        count = 32;
    while (compose(seg, form, count, sep, out, len) > width) {
        int pick = -1, left = 0;
        for (int i = 0; i < count; i++)     /* shorten the least important that can be */
            if (form[i] == 0 && seg[i].brief && (pick < 0 || seg[i].keep < seg[pick].keep))
                pick = i;
        if (pick >= 0) {
            form[pick] = 1;
            continue;
        }
        for (int i = 0; i < count; i++) {   /* then drop the least important */
            left += form[i] < 2;
            if (form[i] < 2 && (pick < 0 || seg[i].keep < seg[pick].keep))
                pick = i;
        }
        if (left <= 1)
            return;                                 /* the last one stays; the caller cuts it */
        form[pick] = 2;
    }
}
