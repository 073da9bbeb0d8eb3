/* class.h — `socklab class N`: the classroom in one tmux window. */
#ifndef SOCKLAB_LAUNCHER_CLASS_H
#define SOCKLAB_LAUNCHER_CLASS_H

#include "labs.h"

/* Open lab e, a shell with the lab's ss command typed in, and sockdash on the
 * lab's ports, in one tmux session (args: --tui, --detach, and the lab's own
 * options). Without tmux, print the three commands. Returns the exit status. */
int class_open(const struct home *h, const struct lab_entry *e, int argc, char **argv);

#endif
