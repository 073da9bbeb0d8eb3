/* tui_internal.h — what the tui module's files share. Not installed. */
#ifndef SOCKLAB_TUI_INTERNAL_H
#define SOCKLAB_TUI_INTERNAL_H

#include <termios.h>

/* tui_terminal.c: keep the terminal's settings from before the full screen
 * and the escape sequences that leave it (read after initscr), for
 * sl_tui_restore_now; forget them once the screen is left. */
void sl_tui_remember_exit(const struct termios *shell_mode);
void sl_tui_forget_exit(void);

#endif
