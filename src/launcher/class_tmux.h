/* class_tmux.h — the classroom's conversation with tmux: run a command
 * quietly, read what one prints, wait for a pane to draw. */
#ifndef SOCKLAB_LAUNCHER_CLASS_TMUX_H
#define SOCKLAB_LAUNCHER_CLASS_TMUX_H

#include <stdbool.h>
#include <stddef.h>

/* Run tmux with args (args[0] is "tmux"): its output and errors are for us,
 * not the class, unless it takes over the terminal (attach-session). Returns
 * its exit status (127 when tmux cannot run). */
int class_tmux(char *const args[]);

/* The same, its output into out (len bytes, without the newlines that end
 * it); false when tmux failed or printed nothing. */
bool class_tmux_read(char *out, size_t len, char *const args[]);

/* Whether tmux is installed. */
bool class_tmux_present(void);

/* Wait (at most 2 s) until the pane has drawn something: its shell's prompt. */
void class_tmux_wait_drawn(const char *pane);

#endif
