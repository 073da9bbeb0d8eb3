/* tui_terminal.c — the terminal itself (see tui.h): whether terminfo knows
 * TERM and can place the cursor, and how to leave the full screen from a
 * signal handler. While the full screen is up, what is written to stderr (a
 * set-up error, sl_die's one line) is held in a temporary file and written
 * out once the screen is left, where it can be read. Kept apart because
 * <term.h> defines names such as `lines` and `columns`. */
#include "socklab/tui.h"

#include "tui_internal.h"
#include "socklab/i18n.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

bool sl_tui_usable(const char *instead, char *why, size_t why_len)
{
    const char *term = getenv("TERM");
    int err = 0;
    if (!term || !*term || setupterm(term, STDOUT_FILENO, &err) != OK) {
        snprintf(why, why_len, _("TERM=%s is not known here; set another TERM or %s"),
                 term ? term : "", instead);
        return false;
    }
    bool can_move = tigetstr("cup") != NULL && tigetstr("cup") != (char *)-1;
    del_curterm(cur_term);
    if (!can_move) {
        snprintf(why, why_len, _("TERM=%s cannot draw a screen; set another TERM or %s"),
                 term, instead);
        return false;
    }
    return true;
}

static char leave[128];                 /* rmcup, cnorm, sgr0: the screen as it was */
static size_t leave_len;
static struct termios shell_mode;
static volatile int remembered;
static int real_stderr = -1, held_stderr = -1;   /* >= 0 while stderr is held */

static void append(const char *capability)
{
    const char *seq = tigetstr(capability);
    if (seq && seq != (char *)-1 && leave_len + strlen(seq) < sizeof leave) {
        memcpy(leave + leave_len, seq, strlen(seq));
        leave_len += strlen(seq);
    }
}

/* Write out what was held, and give stderr back (async-signal-safe). */
static void release_stderr(void)
{
    if (held_stderr < 0)
        return;
    dup2(real_stderr, STDERR_FILENO);
    char chunk[512];
    ssize_t n;
    lseek(held_stderr, 0, SEEK_SET);
    while ((n = read(held_stderr, chunk, sizeof chunk)) > 0)
        if (write(STDERR_FILENO, chunk, (size_t)n) < 0)
            break;
    close(held_stderr);
    close(real_stderr);
    held_stderr = real_stderr = -1;
}

static void hold_stderr(void)
{
    FILE *f = tmpfile();
    int fd = f ? dup(fileno(f)) : -1;
    if (f)
        fclose(f);                              /* the file lives on in fd, unnamed */
    if (fd < 0)
        return;
    fflush(stderr);
    real_stderr = dup(STDERR_FILENO);
    if (real_stderr < 0 || dup2(fd, STDERR_FILENO) < 0) {
        close(fd);
        if (real_stderr >= 0)
            close(real_stderr);
        real_stderr = -1;
        return;
    }
    held_stderr = fd;
}

void sl_tui_remember_exit(const struct termios *shell)
{
    leave_len = 0;
    append("sgr0");
    append("cnorm");
    append("rmcup");
    shell_mode = *shell;
    remembered = 1;
    hold_stderr();
}

void sl_tui_forget_exit(void)
{
    remembered = 0;
}

void sl_tui_release_stderr(void)
{
    fflush(stderr);
    release_stderr();
}

void sl_tui_restore_now(void)
{
    if (!remembered)
        return;
    remembered = 0;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &shell_mode);
    if (write(STDOUT_FILENO, leave, leave_len) < 0) {
        /* nothing more can be done from a signal handler */
    }
    release_stderr();
}
