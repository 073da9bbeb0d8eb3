/* tui_text.c — a line of segments fitted to terminal columns (see tui.h;
 * fitting and wrapping themselves are text.h's). */
#include "socklab/tui.h"

#include <stdio.h>
#include <string.h>

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
    return sl_text_columns(out);
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
