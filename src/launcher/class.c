/* class.c — the classroom: the lab, ss and the state machine side by side.
 *
 *   +---------------------------+------------------------------+
 *   | the lab, step by step     | sockdash --port N-M          |
 *   | (text)                    | (the RFC 9293 diagram, live) |
 *   |                           +------------------------------+
 *   |                           | a shell that ran the lab's   |
 *   |                           | ss command (Up, Enter: again)|
 *   +---------------------------+------------------------------+
 *
 * That is the layout of a window of 118 x 22 and more. A smaller one (down to
 * 60 x 20) gets the lab alone in its window and the rest in a second one; a
 * smaller one still is refused before anything opens, with the size needed.
 * --tui: the lab's own screen shows its sockets, so it gets the width, and
 * the shell is below it (or in a second window under 27 rows).
 *
 * The lab runs on ports chosen here (below the kernel's ephemeral range, so
 * no client's port collides with them), so that ss and sockdash can be
 * pointed at them before it starts. The lab's pane stays open on its summary
 * when the lab ends, until q and Enter end the class; the instructor is then
 * back in the tmux session they started it from (or in their shell). Run
 * again from inside a classroom, class opens the new one, then closes the
 * old one. In a private network, r and b run the lab again in a fresh one;
 * sockdash and the shell follow it there (follow.c), the shell's ss command
 * typed again. */
#include "class.h"
#include "class_tmux.h"

#include "socklab/check.h"
#include "socklab/i18n.h"
#include "socklab/sysctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define die(...) sl_usage_error("socklab", __VA_ARGS__)

static bool port_free(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* A base port whose `count` ports are all free, below the ephemeral range. */
static unsigned choose_ports(int count)
{
    long range[2];
    long low = sl_sysctl_read("net.ipv4.ip_local_port_range", range, 2) == 2 ? range[0] : 32768;
    if (low - count <= 20000)
        low = 20000 + 10000;              /* a range moved low: stay in 20000-29999 */
    srand((unsigned)(time(NULL) ^ getpid()));
    for (int tries = 0; tries < 200; tries++) {
        unsigned base = 20000 + (unsigned)rand() % (unsigned)(low - 20000 - count);
        bool free_all = true;
        for (int i = 0; i < count && free_all; i++)
            free_all = port_free(base + (unsigned)i);
        if (free_all)
            return base;
    }
    die("found no %d free ports on 127.0.0.1 between 20000 and %ld; give --port N.", count, low);
}

/* What each layout needs, in columns and rows of the window (tmux's status
 * line not counted): the lab's text at 56 columns beside sockdash's compact
 * diagram (61 columns, 15 rows) over a shell of 6 rows; the lab's --tui
 * screen (60 x 20) over a shell of 6. The lab needs MIN_COLS x MIN_ROWS in a
 * window of its own. */
#define LAB_TEXT_COLS 56
#define DASH_COLS 61
#define DASH_ROWS 15
#define SHELL_ROWS 6
#define MIN_COLS 60
#define MIN_ROWS 20

enum layout {
    SIDE_BY_SIDE,               /* lab | sockdash over the shell, in one window */
    LAB_OVER_SHELL,             /* --tui over the shell, in one window */
    WINDOWS,                    /* the lab alone; the rest in a second window (or two) */
};

struct classroom {
    const struct lab_entry *lab;
    int lab_argc;               /* the lab's own options */
    char **lab_argv;
    char port[16];              /* the lab's --port */
    char dash[PATH_MAX * 3];    /* sockdash on the lab's ports */
    char ss[512];               /* the ss command the shell pane runs */
    char session[64];           /* the new classroom's tmux session */
    char replaces[64];          /* the classroom this one replaces (we run in it) */
    char return_to[64];         /* the session to go back to when the class ends */
    bool tui, detach, inside;   /* inside: run from a pane of a tmux session */
    bool private_net;           /* the lab makes a network of its own; all panes join it */
    char token[64];             /* SOCKLAB_CLASS=token marks the class's lab for its panes */
    char launcher[PATH_MAX + 16];   /* this program, for socklab enter-class */
    int cols, rows;             /* the window, without the status line */
    enum layout layout;
};

/* The lab pane's script: the lab, its summary kept on screen, and the end of
 * the class only on q (a stray Enter must not close it), back in the session
 * the class was started from. $1 is the class's token (the other panes find
 * the lab's network by it), $2 the line that says the lab ended (a printf
 * format taking its status), $3 the question that follows it (both in the
 * user's language), the rest the lab and its options. */
static const char lab_script[] =
    "SOCKLAB_CLASS=$1; ended=$2; ask=$3; export SOCKLAB_CLASS; shift 3\n"
    "\"$@\"; status=$?\n"
    "printf \"\\n$ended\\n\" \"$status\"\n"
    "while printf '%s' \"$ask\"; do\n"
    "    read answer || break\n"
    "    [ \"$answer\" = q ] && break\n"
    "done\n"
    "back=$(tmux show-options -qv -t \"$TMUX_PANE\" @socklab_return)\n"
    "[ -n \"$back\" ] && tmux switch-client -t \"=$back\" 2>/dev/null\n"
    "tmux kill-session -t \"$TMUX_PANE\"\n";

static void build_commands(struct classroom *c, const struct home *h, unsigned base)
{
    int ports = c->lab->ports > 0 ? c->lab->ports : 1;
    unsigned last = base + (unsigned)ports - 1;
    snprintf(c->port, sizeof c->port, "%u", base);
    snprintf(c->token, sizeof c->token, "%d-%u", (int)getpid(), base);
    snprintf(c->launcher, sizeof c->launcher, "%s/socklab", h->bin_dir);
    if (c->private_net)                 /* sockdash where the lab's sockets are */
        snprintf(c->dash, sizeof c->dash, "'%s' enter-class %s '%s/sockdash' --port %u-%u",
                 c->launcher, c->token, h->bin_dir, base, last);
    else
        snprintf(c->dash, sizeof c->dash, "'%s/sockdash' --port %u-%u", h->bin_dir, base, last);
    if (ports == 1)
        snprintf(c->ss, sizeof c->ss, "ss -tano '( sport = :%u or dport = :%u )'", base, base);
    else
        snprintf(c->ss, sizeof c->ss,
                 "ss -tano '( sport >= :%u and sport <= :%u ) or ( dport >= :%u and dport <= :%u )'",
                 base, last, base, last);
}

/* Run the lab with --check and the options it will get (and `extra`): a bad
 * option or an unusable port is said by the lab itself, once, before any
 * pane opens. What it says when it accepts them (that its output is no
 * terminal) is not for the instructor: its stderr is shown only with a
 * refusal, and only when `say`. */
static bool lab_accepts(const struct classroom *c, const char *extra, bool say)
{
    char *args[c->lab_argc + 6];
    int n = 0;
    args[n++] = (char *)c->lab->path;
    args[n++] = "--check";
    args[n++] = "--port";
    args[n++] = (char *)c->port;
    for (int i = 0; i < c->lab_argc; i++)
        args[n++] = c->lab_argv[i];
    if (extra)
        args[n++] = (char *)extra;
    args[n] = NULL;
    int errors[2];
    if (pipe2(errors, O_CLOEXEC) == -1)
        return false;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        dup2(errors[1], STDERR_FILENO);
        execv(c->lab->path, args);
        _exit(127);
    }
    close(errors[1]);
    char said[4096];
    size_t used = 0;
    ssize_t got;
    while (used + 1 < sizeof said &&
           (got = read(errors[0], said + used, sizeof said - used - 1)) > 0)
        used += (size_t)got;
    close(errors[0]);
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) == -1 && errno == EINTR)
        ;
    bool ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok && say)
        fwrite(said, 1, used, stderr);
    return ok;
}

/* Where we are: inside a classroom (which the new one replaces), inside
 * another tmux session (to come back to at the end), or outside tmux. */
static void find_where(struct classroom *c)
{
    char *pane = getenv("TMUX_PANE");
    c->inside = getenv("TMUX") && pane;
    char current[64], is_class[16];
    if (!c->inside || !class_tmux_read(current, sizeof current, (char *[]){
            "tmux", "display-message", "-p", "-t", pane, "#{session_name}", NULL }))
        return;
    if (class_tmux_read(is_class, sizeof is_class, (char *[]){
            "tmux", "show-options", "-qv", "-t", pane, "@socklab_class", NULL })) {
        snprintf(c->replaces, sizeof c->replaces, "%s", current);
        class_tmux_read(c->return_to, sizeof c->return_to, (char *[]){
            "tmux", "show-options", "-qv", "-t", pane, "@socklab_return", NULL });
    } else {
        snprintf(c->return_to, sizeof c->return_to, "%s", current);
    }
}

/* The room the class gets: the client's window when run inside tmux, else
 * this terminal, without the status line; 120 x 40 in the background. */
static void measure(struct classroom *c)
{
    c->cols = 120;
    c->rows = 40;
    char size[64];
    struct winsize ws;
    if (c->detach)
        return;
    if (c->inside && class_tmux_read(size, sizeof size, (char *[]){
            "tmux", "display-message", "-p", "#{client_width} #{client_height}", NULL }) &&
        sscanf(size, "%d %d", &c->cols, &c->rows) == 2 && c->cols > 0) {
        c->rows -= 1;
    } else if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
               ws.ws_col > 0) {
        c->cols = ws.ws_col;
        c->rows = ws.ws_row - 1;
    }
}

/* The richest layout the room takes, or one sentence and exit 2. */
static void choose_layout(struct classroom *c)
{
    if (c->cols < MIN_COLS || c->rows < MIN_ROWS)
        die("'class' needs a window of at least %dx%d (this one is %dx%d): make it larger, "
            "or run the lab alone with 'socklab run %d'.",
            MIN_COLS, MIN_ROWS + 1, c->cols, c->rows + 1, c->lab->number);
    if (c->tui)
        c->layout = c->rows >= MIN_ROWS + 1 + SHELL_ROWS ? LAB_OVER_SHELL : WINDOWS;
    else
        c->layout = c->cols >= LAB_TEXT_COLS + 1 + DASH_COLS &&
                    c->rows >= DASH_ROWS + 1 + SHELL_ROWS ? SIDE_BY_SIDE : WINDOWS;
}

/* socklab-NN, or socklab-NN-2 ... when we run inside socklab-NN: the old
 * classroom stays until the new one is on screen. An old classroom of that
 * name run from elsewhere is closed. */
static void name_session(struct classroom *c)
{
    snprintf(c->session, sizeof c->session, "socklab-%02d", c->lab->number);
    for (int i = 2; i < 100 && !strcmp(c->session, c->replaces); i++)
        snprintf(c->session, sizeof c->session, "socklab-%02d-%d", c->lab->number, i);
    char target[80];
    snprintf(target, sizeof target, "=%s", c->session);
    class_tmux((char *[]){ "tmux", "kill-session", "-t", target, NULL });
}

/* A command line being put together. */
struct args {
    char *v[96];
    int n;
};

static void add(struct args *a, const char *word)
{
    if (a->n + 2 < (int)(sizeof a->v / sizeof a->v[0]))
        a->v[a->n++] = (char *)word;
    a->v[a->n] = NULL;
}

/* tmux COMMAND -d -P -F '#{pane_id}' -t TARGET: a new session, window or
 * pane in the background; its pane id comes back. */
static struct args tmux_new(const char *command, const char *target)
{
    struct args a = { .n = 0 };
    const char *words[] = { "tmux", command, "-d", "-P", "-F", "#{pane_id}" };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        add(&a, words[i]);
    if (target) {
        add(&a, "-t");
        add(&a, target);
    }
    return a;
}

/* Run it, then the command (the lab, or a shell string), and keep the new
 * pane's id. */
static void open_pane(const struct classroom *c, struct args *a, char *id, size_t len)
{
    if (!class_tmux_read(id, len, a->v))
        die("tmux could not open the classroom's panes; run the lab alone with "
            "'socklab run %d'.", c->lab->number);
}

/* The lab pane's command: its script, then the lab and its options. */
static void add_lab(struct args *a, const struct classroom *c, const char *ended)
{
    const char *words[] = { "sh", "-c", lab_script, "sh", c->token, ended,
                            _("q and Enter end the class: "), c->lab->path, "--port", c->port };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        add(a, words[i]);
    for (int i = 0; i < c->lab_argc; i++)
        add(a, c->lab_argv[i]);
}

/* A shell pane: the user's shell, in the lab's network when it is private. */
static void add_shell(struct args *a, const struct classroom *c, const char *shell)
{
    if (!c->private_net)
        return;                             /* tmux's default command: the shell */
    add(a, c->launcher);
    add(a, "enter-class");
    add(a, c->token);
    add(a, "--type");                       /* run again in the lab's next network (r, b) */
    add(a, c->ss);
    add(a, shell);
}

struct panes {
    char lab[32], dash[32], shell[32];
};

static void open_panes(const struct classroom *c, struct panes *p)
{
    char cols[16], rows[16], size[16], title[16], script[160], window[80];
    snprintf(cols, sizeof cols, "%d", c->cols);
    snprintf(rows, sizeof rows, "%d", c->rows);
    snprintf(title, sizeof title, "lab %02d", c->lab->number);
    /* TRANSLATORS: a shell's printf format: keep %s (the status) and add no % or \ */
    snprintf(script, sizeof script, _("[lab %02d ended, status %%s]"), c->lab->number);
    snprintf(window, sizeof window, "=%s:", c->session);     /* the next free window */
    char shell[PATH_MAX];                   /* tmux's (none runs yet: the user's) */
    const char *user_shell = getenv("SHELL");
    if (!class_tmux_read(shell, sizeof shell, (char *[]){ "tmux", "show-options", "-gv",
                                                          "default-shell", NULL }))
        snprintf(shell, sizeof shell, "%s", user_shell && *user_shell ? user_shell : "/bin/sh");
    struct args a = tmux_new("new-session", NULL);
    const char *session[] = { "-s", c->session, "-x", cols, "-y", rows, "-n", title };
    for (size_t i = 0; i < sizeof session / sizeof session[0]; i++)
        add(&a, session[i]);
    p->dash[0] = '\0';
    switch (c->layout) {
    case SIDE_BY_SIDE: {
        /* sockdash opens first and the lab's pane is split off to its left at
         * its final width, so the lab's first lines fit the pane they stay in */
        int right = c->cols / 2 > DASH_COLS ? c->cols / 2 : DASH_COLS;
        add(&a, c->dash);
        open_pane(c, &a, p->dash, sizeof p->dash);
        a = tmux_new("split-window", p->dash);
        snprintf(size, sizeof size, "%d", c->cols - right - 1);
        add(&a, "-h"), add(&a, "-b"), add(&a, "-l"), add(&a, size);
        add_lab(&a, c, script);
        open_pane(c, &a, p->lab, sizeof p->lab);
        a = tmux_new("split-window", p->dash);
        snprintf(size, sizeof size, "%d", c->rows / 3 > SHELL_ROWS ? c->rows / 3 : SHELL_ROWS);
        add(&a, "-v"), add(&a, "-l"), add(&a, size);
        add_shell(&a, c, shell);
        open_pane(c, &a, p->shell, sizeof p->shell);
        break;
    }
    case LAB_OVER_SHELL:
        add_lab(&a, c, script);
        open_pane(c, &a, p->lab, sizeof p->lab);
        a = tmux_new("split-window", p->lab);
        snprintf(size, sizeof size, "%d", c->rows / 4 > SHELL_ROWS ? c->rows / 4 : SHELL_ROWS);
        add(&a, "-v"), add(&a, "-l"), add(&a, size);
        add_shell(&a, c, shell);
        open_pane(c, &a, p->shell, sizeof p->shell);
        break;
    case WINDOWS:
        add_lab(&a, c, script);
        open_pane(c, &a, p->lab, sizeof p->lab);
        if (!c->tui) {                      /* sockdash over the shell, or alone */
            a = tmux_new("new-window", window);
            add(&a, "-n"), add(&a, "sockets"), add(&a, c->dash);
            open_pane(c, &a, p->dash, sizeof p->dash);
            if (c->rows >= DASH_ROWS + 1 + SHELL_ROWS) {
                a = tmux_new("split-window", p->dash);
                snprintf(size, sizeof size, "%d", c->rows - DASH_ROWS - 1);
                add(&a, "-v"), add(&a, "-l"), add(&a, size);
                add_shell(&a, c, shell);
        open_pane(c, &a, p->shell, sizeof p->shell);
                break;
            }
        }
        a = tmux_new("new-window", window);
        add(&a, "-n"), add(&a, "shell");
        add_shell(&a, c, shell);
        open_pane(c, &a, p->shell, sizeof p->shell);
        break;
    }
}

/* The status line: the whole session's name, how to move (the prefix key
 * this tmux uses; a click works too, the mouse is on), and what the class is
 * marked with for a later 'socklab class' run inside it. */
static void dress_session(const struct classroom *c, const char *pane)
{
    char prefix[32], hint[320], number[8];
    if (!class_tmux_read(prefix, sizeof prefix, (char *[]){ "tmux", "show-options", "-gv",
                                                            "prefix", NULL }))
        snprintf(prefix, sizeof prefix, "C-b");
    const char *network = c->private_net ? _("private network") : _("shared network");
    if (c->layout == WINDOWS)
        snprintf(hint, sizeof hint, _("%s | %s n: window, arrows: pane "), network, prefix);
    else
        snprintf(hint, sizeof hint, _("%s | %s arrows or a click: move between panes "), network,
                 prefix);
    snprintf(number, sizeof number, "%02d", c->lab->number);
    struct args a = { .n = 0 };
    add(&a, "tmux");
    const char *options[][2] = {
        { "status", "on" },           { "status-left", "[#{session_name}] " },
        { "status-left-length", "40" }, { "status-right", hint },
        { "status-right-length", "80" }, { "mouse", "on" },
        { "@socklab_class", number },  { "@socklab_return", c->return_to },
    };
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
        if (!options[i][1][0])
            continue;
        const char *words[] = { "set-option", "-t", pane, options[i][0], options[i][1], ";" };
        for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
            add(&a, words[k]);
    }
    a.v[--a.n] = NULL;                      /* no ';' after the last */
    class_tmux(a.v);
}

int class_open(const struct home *h, const struct lab_entry *e, int argc, char **argv)
{
    static struct classroom c;              /* big: keep it off the stack */
    char *lab_args[argc + 2];
    bool shared = false;
    c = (struct classroom){ .lab = e, .lab_argv = lab_args };
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--detach"))
            c.detach = true;
        else if (!strcmp(argv[i], "--shared"))
            shared = true;
        else if (!strcmp(argv[i], "--port") || !strncmp(argv[i], "--port=", 7))
            die("'class' chooses the lab's ports itself, so that ss and sockdash can watch them.");
        else
            lab_args[c.lab_argc++] = argv[i];
        c.tui |= !strcmp(argv[i], "--tui");
        c.private_net |= !strcmp(argv[i], "--private");
    }
    if (shared && c.private_net)
        die("'class' takes --shared or --private, not both.");
    lab_args[c.lab_argc] = NULL;
    bool tmux_here = class_tmux_present();
    if (tmux_here) {
        find_where(&c);
        measure(&c);
        choose_layout(&c);                  /* a window too small: refused here */
    }
    unsigned base = choose_ports(e->ports > 0 ? e->ports : 1);
    snprintf(c.port, sizeof c.port, "%u", base);
    if (!lab_accepts(&c, NULL, true))
        exit(2);                            /* the lab said why, in one line */
    /* A network of the class's own where the kernel allows one: 30 students
     * on one server then never see (or collide with) each other's sockets. */
    if (!shared && !c.private_net && tmux_here && lab_accepts(&c, "--private", false)) {
        c.private_net = true;
        lab_args[c.lab_argc++] = "--private";
        lab_args[c.lab_argc] = NULL;
    }
    build_commands(&c, h, base);
    if (!tmux_here) {
        printf(_("tmux is not installed: open three terminals and run, one in each:\n\n"
                 "  %s --port %s\n  %s\n  %s\n"), e->path, c.port, c.dash, c.ss);
        return 0;
    }
    name_session(&c);
    struct panes p;
    open_panes(&c, &p);
    dress_session(&c, p.lab);
    class_tmux_wait_drawn(p.shell);         /* type after the prompt, not before it */
    class_tmux((char *[]){ "tmux", "send-keys", "-t", p.shell, "-l", c.ss, NULL });
    class_tmux((char *[]){ "tmux", "send-keys", "-t", p.shell, "Enter", NULL });
    class_tmux((char *[]){ "tmux", "select-window", "-t", p.lab, ";", "select-pane", "-t", p.lab,
                           NULL });
    char target[80];
    snprintf(target, sizeof target, "=%s", c.session);
    /* Inside tmux the client switches to the class; a session no client
     * shows (send-keys into a detached one) is told where the class is. */
    if (!c.detach && isatty(STDIN_FILENO) && c.inside &&
        class_tmux((char *[]){ "tmux", "switch-client", "-t", target, NULL }) == 0) {
        if (c.replaces[0]) {                /* the new one is on screen: close the old */
            snprintf(target, sizeof target, "=%s", c.replaces);
            class_tmux((char *[]){ "tmux", "kill-session", "-t", target, NULL });
        }
        return 0;
    }
    if (c.detach || !isatty(STDIN_FILENO) || c.inside) {
        if (isatty(STDOUT_FILENO))
            printf(_("The classroom is open in tmux session %s: tmux attach -t %s\n"), c.session,
                   c.session);
        else
            printf("%s\n", c.session);      /* for scripts: the session's name */
        return 0;
    }
    return class_tmux((char *[]){ "tmux", "attach-session", "-t", target, NULL });
}
