/* text.c — UTF-8 to terminal columns (see text.h). */
#include "text.h"

#include <stdlib.h>
#include <string.h>

int dash_text_fit(const char *text, int columns, wchar_t *out, size_t room)
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
