/* lab_guard.c — what must be undone however a lab ends: a normal end, q at a
 * pause, a set-up error, Ctrl-C, SIGTERM or a closed terminal.
 *
 *  - children forked with sl_lab_fork are killed and reaped;
 *  - the terminal, if a pause put it in one-key mode, is restored, and a full
 *    screen (--tui) is left;
 *  - the note a running lab leaves for other terminals (running.h) is removed.
 * A private network (--private) needs nothing here: its namespaces belong to
 * the process and end with it and its children, and the capture's socket
 * closes with the process.
 *
 * Signal handlers can only reach state through globals: this is the one place in
 * the library that keeps any, and the handler touches only async-signal-safe
 * calls. */
#include "lab_internal.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define MAX_CHILDREN 64

static volatile sig_atomic_t child_count;
static pid_t children[MAX_CHILDREN];
static struct termios saved_termios;
static volatile sig_atomic_t terminal_fd = -1;   /* >= 0 while in one-key mode */
static void (*volatile full_screen)(void);       /* leaves the full screen, or NULL */
static char note_path[PATH_MAX];                 /* a file to remove, or "" */

static void end_children(void)
{
    for (int i = 0; i < child_count; i++) {
        kill(children[i], SIGKILL);
        waitpid(children[i], NULL, 0);
    }
    child_count = 0;
}

void sl_guard_restore_terminal(void)
{
    if (terminal_fd >= 0) {
        tcsetattr(terminal_fd, TCSAFLUSH, &saved_termios);
        terminal_fd = -1;
    }
}

void sl_guard_full_screen(void (*leave)(void))
{
    full_screen = leave;
}

void sl_guard_remove_file(const char *path)
{
    snprintf(note_path, sizeof note_path, "%s", path);
}

void sl_guard_release(void)
{
    if (full_screen)
        full_screen();
    full_screen = NULL;
    sl_guard_restore_terminal();
    end_children();
    if (note_path[0])
        unlink(note_path);               /* async-signal-safe, as the handler needs */
    note_path[0] = '\0';
}

static void at_exit(void)
{
    sl_guard_release();
}

/* Why the lab ends, in the user's language: looked up when the guard is
 * installed, since a signal handler may not call gettext. */
static const char *interrupted_text, *terminated_text;

static void on_signal(int sig)
{
    sl_guard_release();
    /* Say why the lab ends here (write(2): the one output a handler may use). */
    const char *text = sig == SIGINT ? interrupted_text : terminated_text;
    if (write(STDOUT_FILENO, text, strlen(text)) < 0) {
        /* nothing more to do: the process is ending */
    }
    signal(sig, SIG_DFL);                /* die of the same signal: the shell sees it */
    raise(sig);
}

void sl_guard_install(void)
{
    atexit(at_exit);
    interrupted_text = _("\n== stopped by Ctrl-C: the lab's children are ended, its sockets "
                         "closed ==\n");
    terminated_text = _("\n== stopped by a signal ==\n");
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

void sl_guard_add_child(pid_t pid)
{
    if (child_count < MAX_CHILDREN)
        children[child_count++] = pid;
}

void sl_guard_forget_child(pid_t pid)
{
    for (int i = 0; i < child_count; i++)
        if (children[i] == pid) {
            children[i] = children[child_count - 1];
            child_count--;
            return;
        }
}

void sl_guard_in_child(void)
{
    /* The child owns no children and no terminal mode of its own, and it
     * ends with the lab, however the lab ends (even SIGKILL). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    child_count = 0;
    terminal_fd = -1;
    full_screen = NULL;
    note_path[0] = '\0';                 /* the lab's note is the parent's to remove */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
}

bool sl_guard_raw_terminal(int fd)
{
    struct termios raw;
    if (tcgetattr(fd, &saved_termios) == -1)
        return false;
    raw = saved_termios;
    raw.c_lflag &= (tcflag_t)~(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    terminal_fd = fd;
    if (tcsetattr(fd, TCSAFLUSH, &raw) == -1) {
        terminal_fd = -1;
        return false;
    }
    return true;
}

bool sl_guard_key_ready(int fd, char *key)
{
    if (terminal_fd < 0 && !sl_guard_raw_terminal(fd))
        return false;                    /* not a terminal: no key will come */
    struct pollfd p = { .fd = fd, .events = POLLIN };
    return poll(&p, 1, 0) == 1 && read(fd, key, 1) == 1;
}
