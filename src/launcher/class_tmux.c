/* class_tmux.c — running tmux for the classroom (class_tmux.h). */
#include "class_tmux.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* tmux with args, its stdout into fd `out` (-1: /dev/null), stderr to
 * /dev/null; or on the terminal when it takes the terminal over. */
static int run(char *const args[], int out)
{
    bool takes_terminal = !strcmp(args[1], "attach-session");
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (!takes_terminal && null >= 0) {
            dup2(out >= 0 ? out : null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        execvp("tmux", args);
        _exit(127);
    }
    if (out >= 0)
        close(out);
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) == -1 && errno == EINTR)
        ;
    return pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 127;
}

int class_tmux(char *const args[])
{
    return run(args, -1);
}

bool class_tmux_read(char *out, size_t len, char *const args[])
{
    int fds[2];
    out[0] = '\0';
    if (pipe2(fds, O_CLOEXEC) == -1)
        return false;
    int status = run(args, fds[1]);           /* tmux's answers are a line or two */
    size_t used = 0;
    ssize_t n;
    while (used + 1 < len && (n = read(fds[0], out + used, len - used - 1)) > 0)
        used += (size_t)n;
    close(fds[0]);
    while (used > 0 && out[used - 1] == '\n')
        used--;
    out[used] = '\0';
    return status == 0 && out[0];
}

bool class_tmux_present(void)
{
    return class_tmux((char *[]){ "tmux", "-V", NULL }) == 0;
}

void class_tmux_wait_drawn(const char *pane)
{
    char screen[4096];
    for (int i = 0; i < 100; i++) {
        class_tmux_read(screen, sizeof screen,
                        (char *[]){ "tmux", "capture-pane", "-p", "-t", (char *)pane, NULL });
        if (screen[strspn(screen, " \n")])
            return;
        usleep(20 * 1000);
    }
}
