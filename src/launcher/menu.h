/* menu.h — the numbered menu `socklab` opens on a terminal (and `make run`). */
#ifndef SOCKLAB_LAUNCHER_MENU_H
#define SOCKLAB_LAUNCHER_MENU_H

#include "labs.h"

/* Until q or the end of input; returns the exit status (0). */
int menu_run(struct home *h);

/* Run a lab as a foreground job of its own and wait for it: Ctrl-C then
 * reaches the lab alone, and the caller (the menu, make run) carries on.
 * Returns the lab's wait status. */
int menu_run_lab_in_foreground(const struct lab_entry *e, int argc, char **argv);

#endif
