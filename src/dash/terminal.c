/* terminal.c — whether this terminal can show a screen at all (see screen.h):
 * terminfo must know TERM, and the terminal must be able to place the cursor.
 * Kept apart because <term.h> defines names such as `lines` and `columns`. */
#include "screen.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <term.h>
#include <unistd.h>

bool dash_screen_usable(char *why, size_t why_len)
{
    const char *term = getenv("TERM");
    int err = 0;
    if (!term || !*term || setupterm(term, STDOUT_FILENO, &err) != OK) {
        snprintf(why, why_len, "TERM=%s is not known here; set another TERM or use --once",
                 term ? term : "");
        return false;
    }
    bool can_move = tigetstr("cup") != NULL && tigetstr("cup") != (char *)-1;
    del_curterm(cur_term);
    if (!can_move) {
        snprintf(why, why_len, "TERM=%s cannot draw a screen; set another TERM or use --once",
                 term);
        return false;
    }
    return true;
}
