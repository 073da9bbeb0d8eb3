/* follow.h — a classroom pane's program in the lab's private network, and in
 * the next one when the lab makes a fresh network (r and b run it again in
 * the same process, in a network of its own each time). */
#ifndef SOCKLAB_LAUNCHER_FOLLOW_H
#define SOCKLAB_LAUNCHER_FOLLOW_H

#include <stdbool.h>
#include <sys/types.h>

/* Whether process pid has `mark` ("SOCKLAB_CLASS=TOKEN") in its environment:
 * it is the classroom's lab (or the shell script that runs it). */
bool follow_is_lab(pid_t pid, const char *mark);

/* Run command (argv-style, NULL-ended) in the network of lab `number`,
 * process `lab` (marked with `mark`); whenever the lab's network changes,
 * end the command (SIGHUP; SIGKILL after 2 s) and run it again in the new
 * one, saying so in one line, then, when `again` is not NULL, type `again`
 * and Enter into this tmux pane (the shell pane's ss command). This process
 * stays in the network it started in, so it never holds one of the lab's.
 * Returns the command's exit status once it ends by itself (128 + the
 * signal that ended it). */
int follow_lab(pid_t lab, int number, const char *mark, char **command, const char *again);

#endif
