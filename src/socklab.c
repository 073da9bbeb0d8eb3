/* socklab.c — the front door: a menu of the labs, and the commands
 *
 *   socklab                    on a terminal: a numbered menu of the labs
 *   socklab list               the labs, one a line
 *   socklab run N|NAME [opts]  run a lab (its options: socklab run N --help)
 *   socklab class N [opts]     the lab, ss and sockdash in one tmux window
 *   socklab source N|NAME      the lab's annotated source, in $PAGER
 *   socklab notes N|NAME       the lab's notes, in $PAGER
 *   socklab dash [opts]        the live dashboard (sockdash)
 *   socklab serve [opts]       lab 11's correct HTTP server, in the foreground
 *   socklab ss|netstat [args]  the tool, in the network of the lab running now
 *
 * The labs are found next to this program (build/bin/) or where `make install`
 * puts them ($(PREFIX)/libexec/socklab/); each one describes itself through
 * --describe, so there is no list of labs to keep up to date here. */
#include "launcher/class.h"
#include "launcher/enter.h"
#include "launcher/labs.h"
#include "launcher/menu.h"
#include "launcher/show.h"

#include "socklab/charset.h"
#include "socklab/check.h"
#include "socklab/i18n.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define die(...) sl_usage_error("socklab", __VA_ARGS__)

static void usage(FILE *out)
{
    sl_charset_print(out, _(
            "socklab — see how TCP sockets behave, one lab at a time.\n\n"
            "Usage:\n"
            "  socklab                   a menu of the labs (on a terminal)\n"
            "  socklab list              the labs, one a line\n"
            "  socklab run N [options]   run lab N (or by name); its options:\n"
            "                            socklab run N --help\n"
            "  socklab run N --tui       the same, full screen, its sockets live\n"
            "  socklab class N [--tui]   the lab, ss and the dashboard in one tmux\n"
            "                            window, in a network of its own (--shared:\n"
            "                            the machine's; --detach: in the background)\n"
            "  socklab source N          read the lab's annotated source\n"
            "  socklab notes N           read the lab's notes\n"
            "  socklab dash [options]    the live dashboard of TCP states (sockdash)\n"
            "  socklab serve [options]   lab 11's epoll HTTP server in the foreground;\n"
            "                            its options: socklab serve --help\n"
            "  socklab ss [args]         ss where the running lab's sockets are (its\n"
            "                            private network too); socklab netstat the same\n"
            "  socklab --help | --version\n"));
}

/* A sibling program (sockdash, or a lab in --serve mode) in this process. */
static _Noreturn void exec_sibling(const struct home *h, const char *name, char **argv)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/%s", h->bin_dir, name);
    argv[0] = path;
    execv(path, argv);
    die("cannot run %s: %s.", path, strerror(errno));
}

int main(int argc, char **argv)
{
    static struct home h;                 /* big: keep it off the stack */
    const char *cmd = argc > 1 ? argv[1] : NULL;
    sl_i18n_init();                       /* the user's language; UTF-8 or ASCII, widths in columns */

    if (cmd && (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help"))) {
        usage(stdout);
        return 0;
    }
    if (cmd && !strcmp(cmd, "--version")) {
        printf("socklab %s\n", SL_VERSION);
        return 0;
    }
    if (cmd && (!strcmp(cmd, "ss") || !strcmp(cmd, "netstat")))
        return enter_and_run(cmd, argc - 2, argv + 2);
    if (cmd && !strcmp(cmd, "enter-class"))   /* for socklab class's panes, not in --help */
        return enter_class(argc - 2, argv + 2);
    home_locate(&h);
    if (cmd && !strcmp(cmd, "dash"))
        exec_sibling(&h, "sockdash", argv + 1);

    home_find_labs(&h);
    if (!cmd) {
        if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
            return menu_run(&h);
        home_print_list(&h, stdout, home_width());
        return 0;
    }
    if (!strcmp(cmd, "list")) {
        if (argc > 2)
            die("'list' takes no arguments.");
        home_print_list(&h, stdout, home_width());
        return 0;
    }
    if (!strcmp(cmd, "serve")) {         /* lab11-epoll-server --serve [options] */
        argv[1] = "--serve";
        home_exec_lab(home_lab_or_die(&h, "11"), argc - 1, argv + 1);
    }
    if (!strcmp(cmd, "run") || !strcmp(cmd, "class") || !strcmp(cmd, "source") ||
        !strcmp(cmd, "notes")) {
        if (argc < 3)
            die("'%s' needs a lab number or name, e.g. 'socklab %s 1'.", cmd, cmd);
        const struct lab_entry *e = home_lab_or_die(&h, argv[2]);
        if (!strcmp(cmd, "run"))
            home_exec_lab(e, argc - 3, argv + 3);
        if (!strcmp(cmd, "class"))
            return class_open(&h, e, argc - 3, argv + 3);
        if (argc > 3)
            die("'%s' takes one lab, e.g. 'socklab %s 1'.", cmd, cmd);
        char path[PATH_MAX * 2];
        if (!home_lab_file(&h, e, !strcmp(cmd, "notes"), path, sizeof path)) {
            if (strcmp(cmd, "notes"))
                die("the source of lab %02d is not installed (looked for %s).", e->number, path);
            die("the notes of lab %02d are not installed (looked for %s).", e->number, path);
        }
        return strcmp(cmd, "notes") ? show_source(path) : show_notes(path);
    }
    die("unknown command '%s'; run 'socklab --help' to see the commands.", cmd);
}
