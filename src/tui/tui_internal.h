/* tui_internal.h — what the tui module's files share. Not installed. */
#ifndef SOCKLAB_TUI_INTERNAL_H
#define SOCKLAB_TUI_INTERNAL_H

#include <termios.h>

/* tui_terminal.c: keep the terminal's settings from before the full screen
 * and the escape sequences that leave it (read after initscr), for
 * sl_tui_restore_now, and hold stderr; forget them once the screen is left. */
void sl_tui_remember_exit(const struct termios *shell_mode);
void sl_tui_forget_exit(void);

/* tui_terminal.c: once the screen is left, write out what stderr said while
 * it was up (remember_exit holds it). */
void sl_tui_release_stderr(void);

struct sl_tui_model;

/* tui.c: measure the rows' cells into m->widest (what sl_tui_table_fit
 * reads); the model calls it whenever its rows change. */
void sl_tui_measure_rows(struct sl_tui_model *m);

#endif
