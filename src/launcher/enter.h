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

#endif
