/* socklab.c — the front door: a menu of the labs, and the commands
 *
 *   socklab                    on a terminal: a numbered menu of the labs
 *   socklab list               the labs, one a line
 *   socklab run N|NAME [opts]  run a lab (its options: socklab run N --help)
 *   socklab source N|NAME      the lab's annotated source, in $PAGER
 *   socklab notes N|NAME       the lab's notes, in $PAGER
 *   socklab dash [opts]        the live dashboard (sockdash)
 *   socklab serve [opts]       lab 11's correct HTTP server, in the foreground
 *
 * The labs are found next to this program (build/bin/) or where `make install`
 * puts them ($(PREFIX)/libexec/socklab/); each one describes itself through
 * --describe, so there is no list of labs to keep up to date here. */
#include "socklab/check.h"
#include "socklab/json.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LABS 100

struct lab_entry {
    char path[PATH_MAX];        /* the executable */
    char file[NAME_MAX + 1];      /* "lab01-byte-order" */
    int number;
    char name[64];              /* "byte-order" */
    char title[256];
};

struct home {
    char bin_dir[PATH_MAX];     /* where this program is */
    char lab_dir[PATH_MAX];     /* where the labs were found */
    struct lab_entry labs[MAX_LABS];
    int lab_count;
};

#define die(...) sl_usage_error("socklab", __VA_ARGS__)

/* Run `path --describe` and read its one line, waiting at most two seconds. */
static bool describe(const char *path, char *line, size_t len)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) == -1)
        return false;
    pid_t pid = fork();
    if (pid == -1) {
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0)
            dup2(null, STDIN_FILENO), dup2(null, STDERR_FILENO);
        execl(path, path, "--describe", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    size_t used = 0;
    struct pollfd p = { .fd = fds[0], .events = POLLIN };
    while (used + 1 < len && poll(&p, 1, 2000) > 0) {
        ssize_t n = read(fds[0], line + used, len - used - 1);
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    line[used] = '\0';
    close(fds[0]);
    kill(pid, SIGKILL);                   /* harmless when it has exited already */
    int status;
    waitpid(pid, &status, 0);
    return used > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* "labNN-name": the build's name for labs/NN-name.c. */
static int lab_filter(const struct dirent *entry)
{
    const char *n = entry->d_name;
    return !strncmp(n, "lab", 3) && n[3] >= '0' && n[3] <= '9' && n[4] >= '0' &&
           n[4] <= '9' && n[5] == '-';
}

static int find_labs_in(struct home *h, const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, lab_filter, alphasort);
    if (n < 0)
        return 0;
    for (int i = 0; i < n; i++) {
        struct lab_entry *e = &h->labs[h->lab_count];
        char line[2048], number[16];
        snprintf(e->path, sizeof e->path, "%s/%s", dir, names[i]->d_name);
        if (h->lab_count < MAX_LABS && access(e->path, X_OK) == 0 &&
            describe(e->path, line, sizeof line) &&
            sl_json_flat_get(line, "number", number, sizeof number) &&
            sl_json_flat_get(line, "name", e->name, sizeof e->name) &&
            sl_json_flat_get(line, "title", e->title, sizeof e->title)) {
            e->number = atoi(number);
            snprintf(e->file, sizeof e->file, "%s", names[i]->d_name);
            h->lab_count++;
        }
        free(names[i]);
    }
    free(names);
    if (h->lab_count)
        snprintf(h->lab_dir, sizeof h->lab_dir, "%s", dir);
    return h->lab_count;
}

/* Where this program is: the labs, sockdash, sources and notes are found from it. */
static void locate_self(struct home *h)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0)
        die("cannot find where socklab is installed (/proc/self/exe: %s).", strerror(errno));
    self[n] = '\0';
    snprintf(h->bin_dir, sizeof h->bin_dir, "%s", dirname(self));
}

static void find_labs(struct home *h)
{
    char dir[PATH_MAX * 2];
    if (find_labs_in(h, h->bin_dir))
        return;
    snprintf(dir, sizeof dir, "%s/../libexec/socklab", h->bin_dir);
    find_labs_in(h, dir);
}

/* A lab by number ("1", "01") or by name ("byte-order"). */
static const struct lab_entry *find_lab(const struct home *h, const char *which)
{
    char *end;
    long number = strtol(which, &end, 10);
    for (int i = 0; i < h->lab_count; i++) {
        const struct lab_entry *e = &h->labs[i];
        if ((*which && !*end && e->number == number) || !strcmp(e->name, which) ||
            !strcmp(e->file, which))
            return e;
    }
    die("no lab '%s'; run 'socklab list' to see the labs.", which);
}

static void list_labs(const struct home *h)
{
    if (!h->lab_count)
        die("no labs found next to %s; build them with 'make'.", h->bin_dir);
    for (int i = 0; i < h->lab_count; i++)
        printf("%02d  %-26s %s\n", h->labs[i].number, h->labs[i].name, h->labs[i].title);
}

static _Noreturn void run_lab(const struct lab_entry *e, int argc, char **argv)
{
    char *args[argc + 2];
    args[0] = (char *)e->path;
    for (int i = 0; i < argc; i++)
        args[i + 1] = argv[i];
    args[argc + 1] = NULL;
    execv(e->path, args);
    die("cannot run %s: %s.", e->path, strerror(errno));
}

/* Show files in $PAGER (default less) on a terminal, or plainly otherwise. */
static int page(char *const *paths, int count)
{
    for (int i = 0; i < count; i++)
        if (access(paths[i], R_OK) != 0)
            die("cannot open %s: %s.", paths[i], strerror(errno));
    if (isatty(STDOUT_FILENO)) {
        const char *pager = getenv("PAGER");
        if (!pager || !*pager)
            pager = "less";
        pid_t pid = fork();
        if (pid == 0) {
            char *args[count + 5];
            args[0] = "sh", args[1] = "-c", args[2] = "exec $0 \"$@\"", args[3] = (char *)pager;
            memcpy(args + 4, paths, (size_t)count * sizeof *paths);
            args[count + 4] = NULL;
            execvp("sh", args);
            _exit(127);
        }
        int status = 0;
        if (pid > 0)
            waitpid(pid, &status, 0);
        if (pid > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 127))
            return 0;
    }
    for (int i = 0; i < count; i++) {       /* no pager here: print them */
        FILE *f = fopen(paths[i], "r");
        if (!f)
            die("cannot open %s: %s.", paths[i], strerror(errno));
        if (count > 1)
            printf("%s==> %s <==\n", i ? "\n" : "", paths[i]);
        char buf[8192];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, n, stdout);
        fclose(f);
    }
    return 0;
}

static int source_file_filter(const struct dirent *entry)
{
    const char *dot = strrchr(entry->d_name, '.');
    return dot && (!strcmp(dot, ".c") || !strcmp(dot, ".h"));
}

/* A lab that is a directory (labs/NN-name/): all its sources, in name order. */
static int page_lab_dir(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, source_file_filter, alphasort);
    if (n <= 0)
        return -1;
    char *paths[n];
    for (int i = 0; i < n; i++) {
        if (asprintf(&paths[i], "%s/%s", dir, names[i]->d_name) == -1)
            die("out of memory.");
        free(names[i]);
    }
    free(names);
    page(paths, n);
    for (int i = 0; i < n; i++)
        free(paths[i]);
    return 0;
}

/* labs/NN-name.c (or labs/NN-name/) or docs/labs/NN-name.md, in the build
 * tree or the install tree. */
static int page_lab_file(const struct home *h, const struct lab_entry *e, bool notes)
{
    char path[PATH_MAX * 2];
    const char *stem = e->file + 3;       /* "01-byte-order" */
    const char *where[] = { "%s/../../%s/%s", "%s/../share/socklab/%s/%s" };
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, where[i], h->bin_dir, notes ? "docs/labs" : "labs", stem);
        if (!notes && page_lab_dir(path) == 0)
            return 0;
        strcat(path, notes ? ".md" : ".c");
        if (access(path, R_OK) == 0)
            return page((char *[]){ path }, 1);
    }
    die("the %s of lab %02d are not installed (looked for %s.%s).",
        notes ? "notes" : "source", e->number, stem, notes ? "md" : "c");
}

static void usage(FILE *out)
{
    fprintf(out,
            "socklab — see how TCP sockets behave, one lab at a time.\n\n"
            "Usage:\n"
            "  socklab                    a menu of the labs (on a terminal)\n"
            "  socklab list               the labs, one a line\n"
            "  socklab run N|NAME [opts]  run a lab; 'socklab run N --help' lists its options\n"
            "  socklab source N|NAME      read the lab's annotated source\n"
            "  socklab notes N|NAME       read the lab's notes\n"
            "  socklab dash [opts]        the live dashboard of TCP states (sockdash)\n"
            "  socklab serve [opts]       lab 11's epoll HTTP server; 'socklab serve --help'\n"
            "  socklab --help | --version\n");
}

static int menu(struct home *h)
{
    for (;;) {
        printf("\nsocklab %s: the labs\n\n", SL_VERSION);
        list_labs(h);
        printf("\nRun which lab? (number, s N for its source, n N for its notes, q to quit) ");
        fflush(stdout);
        char line[64];
        if (!fgets(line, sizeof line, stdin) || line[0] == 'q')
            return 0;
        line[strcspn(line, "\n")] = '\0';
        if (!line[0])
            continue;
        const char *which = line + ((line[0] == 's' || line[0] == 'n') ? 1 : 0);
        which += strspn(which, " ");
        const struct lab_entry *e = NULL;
        for (int i = 0; i < h->lab_count; i++)
            if (atoi(which) == h->labs[i].number || !strcmp(which, h->labs[i].name))
                e = &h->labs[i];
        if (!e) {
            printf("There is no lab '%s'.\n", which);
            continue;
        }
        if (line[0] == 's' || line[0] == 'n') {
            page_lab_file(h, e, line[0] == 'n');
            continue;
        }
        pid_t pid = fork();
        if (pid == 0)
            run_lab(e, 0, NULL);
        int status;
        if (pid > 0)
            waitpid(pid, &status, 0);
    }
}

int main(int argc, char **argv)
{
    static struct home h;                 /* big: keep it off the stack */
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (cmd && (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help"))) {
        usage(stdout);
        return 0;
    }
    if (cmd && !strcmp(cmd, "--version")) {
        printf("socklab %s\n", SL_VERSION);
        return 0;
    }
    locate_self(&h);
    if (cmd && !strcmp(cmd, "dash")) {
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/sockdash", h.bin_dir);
        argv[1] = path;
        execv(path, argv + 1);
        die("cannot run %s: %s.", path, strerror(errno));
    }

    find_labs(&h);
    if (!cmd) {
        if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
            return menu(&h);
        list_labs(&h);
        return 0;
    }
    if (!strcmp(cmd, "list")) {
        if (argc > 2)
            die("'list' takes no arguments.");
        list_labs(&h);
        return 0;
    }
    if (!strcmp(cmd, "serve")) {         /* lab11-epoll-server --serve [opts] */
        argv[1] = "--serve";
        run_lab(find_lab(&h, "11"), argc - 1, argv + 1);
    }
    if (!strcmp(cmd, "run") || !strcmp(cmd, "source") || !strcmp(cmd, "notes")) {
        if (argc < 3)
            die("'%s' needs a lab number or name, e.g. 'socklab %s 1'.", cmd, cmd);
        const struct lab_entry *e = find_lab(&h, argv[2]);
        if (!strcmp(cmd, "run"))
            run_lab(e, argc - 3, argv + 3);
        if (argc > 3)
            die("'%s' takes one lab, e.g. 'socklab %s 1'.", cmd, cmd);
        return page_lab_file(&h, e, !strcmp(cmd, "notes"));
    }
    die("unknown command '%s'; run 'socklab --help' to see the commands.", cmd);
}
