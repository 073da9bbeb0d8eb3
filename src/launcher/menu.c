/* menu.c — the menu of labs: choose one, read its source or notes, run it
 * (in text or full screen), come back. (See menu.h.) */
#include "menu.h"
#include "show.h"

#include "socklab/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* The terminal belongs to whichever process group is in the foreground: the
 * lab gets a group of its own and the terminal while it runs, so Ctrl-C (and
 * q, and a crash) end the lab, never the menu or the `make` above it. */
int menu_run_lab_in_foreground(const struct lab_entry *e, int argc, char **argv)
{
    bool job_control = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
    struct sigaction ignore = { .sa_handler = SIG_IGN }, old_ttou, old_int;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGTTOU, &ignore, &old_ttou);   /* taking the terminal back is allowed */
    sigaction(SIGINT, &ignore, &old_int);     /* a Ctrl-C that reaches us anyway */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (job_control) {
            setpgid(0, 0);
            tcsetpgrp(STDIN_FILENO, getpgrp());
        }
        signal(SIGTTOU, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        home_exec_lab(e, argc, argv);
    }
    if (pid > 0 && job_control) {
        setpgid(pid, pid);                    /* both sides: whichever runs first */
        tcsetpgrp(STDIN_FILENO, pid);
    }
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) == -1 && errno == EINTR)
        ;
    if (job_control)
        tcsetpgrp(STDIN_FILENO, getpgrp());
    sigaction(SIGTTOU, &old_ttou, NULL);
    sigaction(SIGINT, &old_int, NULL);
    return status;
}

static void show_menu(const struct home *h)
{
    printf(_("\nsocklab %s: the labs\n\n"), SL_VERSION);
    home_print_list(h, stdout, home_width());
    printf("\n");
    home_fold(stdout, _("N runs lab N (N S: from its step S), t N full screen, s N its source, "
                        "n N its notes, q quits."), 0, 0, home_width() ? home_width() : 80);
    printf("\n");
}

static void prompt(void)
{
    printf("%s", _("\nRun which lab? "));
    fflush(stdout);
}

/* "6", "t 6", "s 6", "n6", "6 3", "t 6 3": the command letter (0 to run),
 * the lab, and the step to start from (1 when none is given), or a one-line
 * reason. */
static const struct lab_entry *parse_choice(const struct home *h, char *line, char *command,
                                            int *from, const char **why)
{
    char *p = line + strspn(line, " ");
    *command = 0;
    *from = 1;
    if (strchr("tsn", *p) && *p) {
        *command = *p++;
        p += strspn(p, " ");
        if (!*p) {
            *why = *command == 't' ? _("t needs a lab number, e.g. t 6")
                 : *command == 's' ? _("s needs a lab number, e.g. s 6")
                                   : _("n needs a lab number, e.g. n 6");
            return NULL;
        }
    }
    char *end = p + strlen(p);
    while (end > p && isspace((unsigned char)end[-1]))
        *--end = '\0';
    char *step = strchr(p, ' ');
    if (step && *command != 's' && *command != 'n') {
        *step++ = '\0';
        step += strspn(step, " ");
        char *rest;
        long n = strtol(step, &rest, 10);
        if (rest == step || *rest || n < 1 || n > 999) {
            *why = _("the step to start from is a number, e.g. 6 3 runs lab 6 from step 3");
            return NULL;
        }
        *from = (int)n;
    }
    const struct lab_entry *e = home_lab(h, p);
    if (!e)
        *why = _("there is no such lab: type one of the numbers above");
    return e;
}

/* After a lab that ended by itself (its summary, or q at a pause), the
 * summary stays until Enter: the menu would push it off at once. A lab ended
 * by a signal (Ctrl-C) comes back to the menu at once, as asked. */
static bool wait_after_lab(int status)
{
    if (!WIFEXITED(status))
        return true;
    printf(_("\n[lab ended with status %d: press Enter for the menu] "), WEXITSTATUS(status));
    fflush(stdout);
    int c;
    while ((c = getchar()) != EOF && c != '\n')
        ;
    return c != EOF;
}

int menu_run(struct home *h)
{
    show_menu(h);
    for (;;) {
        prompt();
        char line[64];
        if (!fgets(line, sizeof line, stdin))
            return 0;
        line[strcspn(line, "\n")] = '\0';
        if (!strcmp(line, "q") || !strcmp(line, "quit"))
            return 0;
        if (!line[strspn(line, " ")])
            continue;
        char command;
        int from;
        const char *why = NULL;
        char typed[64];
        snprintf(typed, sizeof typed, "%s", line);
        const struct lab_entry *e = parse_choice(h, line, &command, &from, &why);
        if (!e) {
            printf(_("'%s': %s."), typed, why);  /* one line; the prompt follows */
            continue;
        }
        if (command == 's' || command == 'n') {
            char path[PATH_MAX * 2];
            if (home_lab_file(h, e, command == 'n', path, sizeof path))
                command == 'n' ? show_notes(path) : show_source(path);
            else if (command == 'n')
                printf(_("The notes of lab %02d are not installed."), e->number);
            else
                printf(_("The source of lab %02d is not installed."), e->number);
            continue;
        }
        char number[16];
        snprintf(number, sizeof number, "%d", from);
        char *args[4];
        int argc = 0;
        if (command == 't')
            args[argc++] = "--tui";
        if (from > 1) {
            args[argc++] = "--from";
            args[argc++] = number;
        }
        args[argc] = NULL;
        if (!wait_after_lab(menu_run_lab_in_foreground(e, argc, args)))
            return 0;
        show_menu(h);
    }
}
