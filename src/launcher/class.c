/* class.c — the classroom: the lab, ss and the state machine side by side.
 *
 *   +---------------------------+------------------------------+
 *   | the lab, step by step     | sockdash --port N-M          |
 *   | (text, or --tui)          | (the RFC 9293 diagram, live) |
 *   |                           +------------------------------+
 *   |                           | a shell, the lab's ss command|
 *   |                           | typed in, ready for Enter    |
 *   +---------------------------+------------------------------+
 *
 * The lab runs on ports chosen here (below the kernel's ephemeral range, so
 * no client's port collides with them), so that ss and sockdash can be
 * pointed at them before it starts. The lab's pane stays open when the lab
 * ends, until a key, so the class can read its summary. */
#include "class.h"

#include "socklab/check.h"
#include "socklab/sysctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
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

/* Quote one word for sh: 'it'\''s'. */
static void append_quoted(char *buf, size_t len, const char *word)
{
    size_t used = strlen(buf);
    used += (size_t)snprintf(buf + used, len - used, " '");
    for (; *word && used + 5 < len; word++)
        used += (size_t)snprintf(buf + used, len - used, *word == '\'' ? "'\\''" : "%c", *word);
    snprintf(buf + used, len - used, "'");
}

struct classroom {
    char lab[PATH_MAX + 2048];  /* the lab pane's command */
    char dash[PATH_MAX + 64];   /* sockdash on the lab's ports */
    char ss[512];               /* the ss command typed into the shell pane */
    char session[64];
};

static void build_commands(struct classroom *c, const struct home *h, const struct lab_entry *e,
                           unsigned base, int argc, char **argv)
{
    int ports = e->ports > 0 ? e->ports : 1;
    unsigned last = base + (unsigned)ports - 1;
    snprintf(c->session, sizeof c->session, "socklab-%02d", e->number);
    snprintf(c->lab, sizeof c->lab, "'%s' --port %u", e->path, base);
    for (int i = 0; i < argc; i++)
        append_quoted(c->lab, sizeof c->lab, argv[i]);
    size_t used = strlen(c->lab);
    snprintf(c->lab + used, sizeof c->lab - used,
             "; printf '\\n[lab %02d ended with status %%s: press Enter to close this pane]' $?;"
             " read _", e->number);
    snprintf(c->dash, sizeof c->dash, "'%s/sockdash' --port %u-%u", h->bin_dir, base, last);
    if (ports == 1)
        snprintf(c->ss, sizeof c->ss, "ss -tano '( sport = :%u or dport = :%u )'", base, base);
    else
        snprintf(c->ss, sizeof c->ss,
                 "ss -tano '( sport >= :%u and sport <= :%u ) or ( dport >= :%u and dport <= :%u )'",
                 base, last, base, last);
}

/* Run tmux with args; its output (version, errors of an optional step) is
 * for us, not the class, unless it takes over the terminal (attach). */
static int tmux(char *const args[])
{
    bool takes_terminal = !strcmp(args[1], "attach-session") || !strcmp(args[1], "switch-client");
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (!takes_terminal && null >= 0)
            dup2(null, STDOUT_FILENO), dup2(null, STDERR_FILENO);
        execvp("tmux", args);
        _exit(127);
    }
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) == -1 && errno == EINTR)
        ;
    return pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 127;
}

/* Has the pane drawn anything yet (the shell's prompt)? */
static bool pane_drawn(const char *pane)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) == -1)
        return true;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        execlp("tmux", "tmux", "capture-pane", "-p", "-t", pane, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char buf[512];
    bool drawn = false;
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; i++)
            drawn |= buf[i] != ' ' && buf[i] != '\n';
    close(fds[0]);
    while (pid > 0 && waitpid(pid, NULL, 0) == -1 && errno == EINTR)
        ;
    return drawn;
}

static bool have_tmux(void)
{
    return tmux((char *[]){ "tmux", "-V", NULL }) == 0;
}

/* Run the lab with --check and the options it will get: a bad option or an
 * unusable port is said by the lab itself, once, before any pane opens. */
static bool lab_accepts(const struct lab_entry *e, unsigned base, int argc, char **argv)
{
    char port[16];
    snprintf(port, sizeof port, "%u", base);
    char *args[argc + 5];
    int n = 0;
    args[n++] = (char *)e->path;
    args[n++] = "--check";
    args[n++] = "--port";
    args[n++] = port;
    for (int i = 0; i < argc; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        execv(e->path, args);
        _exit(127);
    }
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) == -1 && errno == EINTR)
        ;
    return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The lab on the left, sockdash top right, the shell below it. The dashboard
 * opens first and the lab's pane is split off to its left at its final width,
 * so the lab's first lines are folded to the pane they stay in. */
static void open_three_panes(const struct classroom *c, const struct winsize *ws,
                             const char *width, const char *height)
{
    char left[16], lab_pane[80], dash_pane[80];
    /* The right column gets at least 61 columns: sockdash's compact diagram. */
    unsigned right = ws->ws_col / 2 > 61 ? ws->ws_col / 2 : 61;
    snprintf(left, sizeof left, "%u", ws->ws_col > right + 20 ? ws->ws_col - right - 1 : 20);
    snprintf(lab_pane, sizeof lab_pane, "%s:0.0", c->session);
    snprintf(dash_pane, sizeof dash_pane, "%s:0.1", c->session);
    tmux((char *[]){ "tmux", "new-session", "-d", "-s", (char *)c->session, "-x",
                     (char *)width, "-y", (char *)height, (char *)c->dash, NULL });
    tmux((char *[]){ "tmux", "split-window", "-h", "-b", "-d", "-t", (char *)c->session,
                     "-l", left, (char *)c->lab, NULL });
    tmux((char *[]){ "tmux", "split-window", "-v", "-d", "-t", dash_pane, "-l", "33%", NULL });
}

/* --tui: the lab's own screen already shows its sockets live (the diagram,
 * the table, the log), so it gets the full width, and the shell the rest. */
static void open_tui_panes(const struct classroom *c, const char *width, const char *height)
{
    char lab_pane[80];
    snprintf(lab_pane, sizeof lab_pane, "%s:0.0", c->session);
    tmux((char *[]){ "tmux", "new-session", "-d", "-s", (char *)c->session, "-x",
                     (char *)width, "-y", (char *)height, (char *)c->lab, NULL });
    tmux((char *[]){ "tmux", "split-window", "-v", "-d", "-t", lab_pane, "-l", "25%", NULL });
}

int class_open(const struct home *h, const struct lab_entry *e, int argc, char **argv)
{
    bool detach = false, tui = false;
    char *lab_args[argc + 1];
    int lab_argc = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--detach"))
            detach = true;
        else if (!strcmp(argv[i], "--port") || !strncmp(argv[i], "--port=", 7))
            die("'class' chooses the lab's ports itself, so that ss and sockdash can watch them.");
        else
            lab_args[lab_argc++] = argv[i];
        tui |= !strcmp(argv[i], "--tui");
    }
    unsigned base = choose_ports(e->ports > 0 ? e->ports : 1);
    if (!lab_accepts(e, base, lab_argc, lab_args))
        exit(2);                              /* the lab said why, in one line */
    struct classroom c;
    build_commands(&c, h, e, base, lab_argc, lab_args);

    if (!have_tmux()) {
        printf("tmux is not installed: open three terminals and run, one in each:\n\n"
               "  %s\n  %s\n  %s\n", c.lab, c.dash, c.ss);
        return 0;
    }
    struct winsize ws = { .ws_col = 120, .ws_row = 40 };
    if (!detach && isatty(STDOUT_FILENO))
        ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws);
    char width[16], height[16];
    snprintf(width, sizeof width, "%u", ws.ws_col);
    snprintf(height, sizeof height, "%u", ws.ws_row);

    tmux((char *[]){ "tmux", "kill-session", "-t", c.session, NULL });  /* an old one */
    if (tui)
        open_tui_panes(&c, width, height);
    else
        open_three_panes(&c, &ws, width, height);
    char lab_pane[80], shell_pane[80];
    snprintf(lab_pane, sizeof lab_pane, "%s:0.0", c.session);
    snprintf(shell_pane, sizeof shell_pane, "%s:0.%d", c.session, tui ? 1 : 2);
    if (tmux((char *[]){ "tmux", "has-session", "-t", c.session, NULL }) != 0)
        die("tmux could not open a session; run the lab alone with 'socklab run %d'.",
            e->number);
    for (int i = 0; i < 100 && !pane_drawn(shell_pane); i++)
        usleep(20 * 1000);                    /* type after the prompt, not before it */
    tmux((char *[]){ "tmux", "send-keys", "-t", shell_pane, "-l", c.ss, NULL });
    tmux((char *[]){ "tmux", "select-pane", "-t", lab_pane, NULL });
    if (detach || !isatty(STDIN_FILENO)) {
        if (isatty(STDOUT_FILENO))
            printf("The classroom is open in tmux session %s: tmux attach -t %s\n", c.session,
                   c.session);
        else
            printf("%s\n", c.session);           /* for scripts: the session's name */
        return 0;
    }
    if (getenv("TMUX"))
        return tmux((char *[]){ "tmux", "switch-client", "-t", c.session, NULL });
    return tmux((char *[]){ "tmux", "attach-session", "-t", c.session, NULL });
}
