/* enter.c — `socklab ss ARGS`: ss (or netstat) where the lab's sockets are.
 *
 * A lab run with --private lives in a network of its own: an ss typed in
 * another terminal sees the machine's network and an empty table. Every
 * running lab leaves a note (socklab/running.h); this command takes the
 * newest one of this user (or the lab given with --pid PID), enters its user
 * and network namespaces (setns: the same user owns them, so no privilege is
 * needed; this process is single-threaded, as setns into a user namespace
 * requires), then becomes the tool. A lab without --private shares the
 * machine's network: the tool runs as it is. */
#include "enter.h"
#include "follow.h"

#include "socklab/check.h"
#include "socklab/i18n.h"
#include "socklab/netns.h"
#include "socklab/running.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define die(...) sl_usage_error("socklab", __VA_ARGS__)

/* The lab asked for (pid 0: the newest), or NULL when none runs. */
static const struct sl_running *choose(struct sl_running *labs, int count, pid_t pid)
{
    for (int i = 0; i < count; i++)
        if (pid == 0 || labs[i].pid == pid)
            return &labs[i];
    return NULL;
}

int enter_and_run(const char *tool, int argc, char **argv)
{
    pid_t pid = 0;
    if (argc >= 1 && !strcmp(argv[0], "--pid")) {
        char *end;
        long value = argc >= 2 ? strtol(argv[1], &end, 10) : 0;
        if (argc < 2 || *end || value <= 0)
            die("--pid needs the process id of a running lab, e.g. 'socklab %s --pid 1234 "
                "-tan'.", tool);
        pid = (pid_t)value;
        argc -= 2;
        argv += 2;
    }
    struct sl_running labs[64];
    int count = sl_running_list(labs, 64);
    const struct sl_running *lab = choose(labs, count > 0 ? count : 0, pid);
    if (pid && !lab)
        die("no lab of yours runs as process %d; 'socklab %s' alone takes the newest.",
            (int)pid, tool);
    if (lab && lab->private_net) {
        char why[300];
        if (sl_netns_join(lab->pid, why, sizeof why) != 0)
            die("cannot enter the network of lab %02d (%s): %s.", lab->number, lab->name, why);
    }
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args)
        die("out of memory.");
    args[0] = (char *)tool;
    for (int i = 0; i < argc; i++)
        args[i + 1] = argv[i];
    execvp(tool, args);
    int err = errno;
    free(args);
    if (err == ENOENT)
        die("%s is not installed (Debian: %s).", tool,
            strcmp(tool, "ss") ? "apt-get install net-tools" : "apt-get install iproute2");
    die("cannot run %s: %s.", tool, strerror(err));
}

int enter_class(int argc, char **argv)
{
    const char *again = NULL;               /* --type TEXT: typed again in a fresh network */
    if (argc >= 3 && !strcmp(argv[1], "--type")) {
        again = argv[2];
        argv[2] = argv[0];
        argc -= 2;
        argv += 2;
    }
    if (argc < 2)
        die("enter-class needs a classroom's token and a command (socklab class uses it).");
    char wanted[128];
    snprintf(wanted, sizeof wanted, "SOCKLAB_CLASS=%s", argv[0]);
    const struct sl_running *lab = NULL;
    struct sl_running labs[64];
    for (int tries = 0; tries < 150 && !lab; tries++) {   /* the lab makes its network first */
        int count = sl_running_list(labs, 64);
        for (int i = 0; i < count && !lab; i++)
            if (follow_is_lab(labs[i].pid, wanted))
                lab = &labs[i];
        if (!lab)
            usleep(100 * 1000);
    }
    if (!lab)
        fprintf(stderr, "%s", _("socklab: the class's lab did not start within 15 s; this pane "
                                "shows the machine's network.\n"));
    else if (lab->private_net)              /* and its next one, after r or b */
        return follow_lab(lab->pid, lab->number, wanted, argv + 1, again);
    execvp(argv[1], argv + 1);
    die("cannot run %s: %s.", argv[1], strerror(errno));
}
