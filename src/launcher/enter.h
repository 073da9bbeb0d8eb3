/* enter.h — `socklab ss` and `socklab netstat`: the tool, run inside the
 * network of the lab that runs now. */
#ifndef SOCKLAB_LAUNCHER_ENTER_H
#define SOCKLAB_LAUNCHER_ENTER_H

/* Run `tool` ("ss" or "netstat") with argv[0..argc) as its arguments, in the
 * network of this user's most recently started lab (or of the lab whose
 * pid follows a first argument --pid), entering it when it is a private
 * network; on this machine's network when no lab runs. Returns only on
 * failure, with the exit status. */
int enter_and_run(const char *tool, int argc, char **argv);

/* `socklab enter-class TOKEN [--type TEXT] COMMAND...`: a classroom's pane
 * (sockdash, the shell) waits, at most 15 s, for its lab, the one started
 * with SOCKLAB_CLASS=TOKEN in its environment. When the lab's network is
 * private, COMMAND runs in it, and again in each fresh one the lab makes
 * when it starts again (follow.h; TEXT, the shell's ss command, is then
 * typed again); otherwise this process becomes COMMAND. Without the lab by
 * then it says so in one line and runs COMMAND on the machine's network. */
int enter_class(int argc, char **argv);

#endif
