/* follow.c — a classroom pane's program, kept in the lab's private network
 * (follow.h).
 *
 * setns() moves only the calling process, and a network cannot be left for
 * another once a shell runs in it; so the pane's process stays where it
 * started and runs the program as its child, in the lab's network. When the
 * lab starts again (r, b) it makes a fresh network in the same process; the
 * old one goes once nothing is in it: the child is ended and started again
 * in the new one. The pane keeps the terminal between the two (the child's
 * process group may have taken it, as an interactive shell does). */
#include "follow.h"
#include "class_tmux.h"

#include "socklab/i18n.h"
#include "socklab/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define LOOK_MS 200             /* how often the lab's network is looked at */
#define END_MS 2000             /* a program that ignores SIGHUP this long gets SIGKILL */

bool follow_is_lab(pid_t pid, const char *mark)
{
    char path[64], env[16384];
    snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, env, sizeof env - 1);
    close(fd);
    if (n <= 0)
        return false;
    env[n] = '\0';
    for (ssize_t at = 0; at < n; at += (ssize_t)strlen(env + at) + 1)
        if (!strcmp(env + at, mark))
            return true;
    return false;
}

/* The network process pid is in (its namespace's inode), 0 when it is gone. */
static ino_t network_of(pid_t pid)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
    return stat(path, &st) == 0 ? st.st_ino : 0;
}

static volatile sig_atomic_t ended_by;      /* SIGHUP or SIGTERM: the pane is closing */

static void on_end(int sig)
{
    ended_by = sig;
}

static pid_t start(pid_t lab, int number, char **command)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int defaults[] = { SIGINT, SIGQUIT, SIGHUP, SIGTERM, SIGTTOU };
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        signal(defaults[i], SIG_DFL);             /* ignored ones would stay so across exec */
    char why[300];
    if (sl_netns_join(lab, why, sizeof why) != 0)
        fprintf(stderr, _("socklab: cannot enter the network of lab %02d: %s.\n"), number, why);
    execvp(command[0], command);
    fprintf(stderr, "socklab: %s: %s\n", command[0], strerror(errno));
    _exit(127);
}

static bool reaped(pid_t child, int *status, int wait_ms)
{
    for (int waited = 0;; waited += 50) {
        pid_t done = waitpid(child, status, WNOHANG);
        if (done == child || (done == -1 && errno == ECHILD))
            return true;
        if (waited >= wait_ms)
            return false;
        poll(NULL, 0, 50);
    }
}

/* End the child: SIGHUP (a shell hangs up its jobs as it goes), to its own
 * process group too when it made one; SIGKILL when that is not enough. */
static void end(pid_t child)
{
    int status;
    kill(child, SIGHUP);
    kill(-child, SIGHUP);
    kill(child, SIGCONT);
    if (!reaped(child, &status, END_MS)) {
        kill(child, SIGKILL);
        kill(-child, SIGKILL);
        waitpid(child, &status, 0);
    }
}

/* Once the child has taken the terminal (a shell makes a process group of
 * its own and reads from there), within 3 s: what is typed then follows its
 * prompt. */
static void wait_taken(void)
{
    for (int i = 0; i < 60 && isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp(); i++)
        poll(NULL, 0, 50);
    poll(NULL, 0, 100);
}

static int exit_status(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int follow_lab(pid_t lab, int number, const char *mark, char **command, const char *again)
{
    signal(SIGINT, SIG_IGN);                      /* Ctrl-C is the program's, not ours */
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTTOU, SIG_IGN);                     /* to take the terminal back */
    struct sigaction end_action = { .sa_handler = on_end };
    sigaction(SIGHUP, &end_action, NULL);
    sigaction(SIGTERM, &end_action, NULL);
    struct termios modes;
    bool terminal = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &modes) == 0;
    ino_t net = network_of(lab);
    pid_t child = start(lab, number, command);
    bool watching = child > 0;
    for (;;) {
        int status;
        if (child <= 0)
            return 127;
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child)
            return exit_status(status);
        if (ended_by) {
            end(child);
            return 128 + ended_by;
        }
        poll(NULL, 0, LOOK_MS);
        if (!watching)
            continue;
        if (!follow_is_lab(lab, mark)) {          /* the lab has ended: the pane stays */
            watching = false;
            continue;
        }
        ino_t now = network_of(lab);
        if (now == 0 || now == net)
            continue;
        net = now;                                /* r or b: a fresh network */
        end(child);
        if (terminal) {
            tcsetpgrp(STDIN_FILENO, getpgrp());
            tcsetattr(STDIN_FILENO, TCSANOW, &modes);
        }
        fprintf(stderr, "%s", _("\nsocklab: the lab started again in a fresh network; this "
                                "pane follows it there.\n"));
        child = start(lab, number, command);
        const char *pane = getenv("TMUX_PANE");
        if (again && pane && child > 0) {
            wait_taken();
            class_tmux((char *[]){ "tmux", "send-keys", "-t", (char *)pane, "-l", (char *)again,
                                   NULL });
            class_tmux((char *[]){ "tmux", "send-keys", "-t", (char *)pane, "Enter", NULL });
        }
    }
}
