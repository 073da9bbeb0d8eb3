/* menu.c — the menu of labs: choose one, read its source or notes, run it
 * (in text or full screen), come back. (See menu.h.) */
#include "menu.h"
#include "show.h"

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
    printf("\nsocklab %s: the labs\n\n", SL_VERSION);
    home_print_list(h, stdout, home_width());
}

static void prompt(void)
{
    printf("\nRun which lab? N runs it, t N full screen, s N source, n N notes, q quits: ");
    fflush(stdout);
}

/* "6", "t 6", "s 6", "n6": the command letter (0 to run) and the lab, or a
 * one-line reason. */
static const struct lab_entry *parse_choice(const struct home *h, char *line, char *command,
                                            const char **why)
{
    char *p = line + strspn(line, " ");
    *command = 0;
    if (strchr("tsn", *p) && *p) {
        *command = *p++;
        p += strspn(p, " ");
        if (!*p) {
            *why = *command == 't' ? "t needs a lab number, e.g. t 6"
                 : *command == 's' ? "s needs a lab number, e.g. s 6"
                                   : "n needs a lab number, e.g. n 6";
            return NULL;
        }
    }
    char *end = p + strlen(p);
    while (end > p && isspace((unsigned char)end[-1]))
        *--end = '\0';
    const struct lab_entry *e = home_lab(h, p);
    if (!e)
        *why = "there is no such lab: type one of the numbers above";
    return e;
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
        const char *why = NULL;
        const struct lab_entry *e = parse_choice(h, line, &command, &why);
        if (!e) {
            printf("'%s': %s.", line, why);  /* one line; the prompt follows */
            continue;
        }
        if (command == 's' || command == 'n') {
            char path[PATH_MAX * 2];
            if (home_lab_file(h, e, command == 'n', path, sizeof path))
                command == 'n' ? show_notes(path) : show_source(path);
            else
                printf("The %s of lab %02d are not installed.", command == 'n' ? "notes"
                                                                              : "source",
                       e->number);
            continue;
        }
        char *tui[] = { "--tui", NULL };
        menu_run_lab_in_foreground(e, command == 't' ? 1 : 0, command == 't' ? tui : NULL);
        show_menu(h);
    }
}
