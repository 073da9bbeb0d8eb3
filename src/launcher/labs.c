/* labs.c — find the labs, name them, run them, show their files (labs.h). */
#include "labs.h"

#include "socklab/check.h"
#include "socklab/docs.h"
#include "socklab/json.h"
#include "socklab/text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

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

static bool read_entry(struct lab_entry *e, const char *dir, const char *file)
{
    char line[2048], number[16], ports[16];
    snprintf(e->path, sizeof e->path, "%s/%s", dir, file);
    if (access(e->path, X_OK) != 0 || !describe(e->path, line, sizeof line) ||
        !sl_json_flat_get(line, "number", number, sizeof number) ||
        !sl_json_flat_get(line, "name", e->name, sizeof e->name) ||
        !sl_json_flat_get(line, "title", e->title, sizeof e->title))
        return false;
    e->number = atoi(number);
    e->ports = sl_json_flat_get(line, "ports", ports, sizeof ports) ? atoi(ports) : 0;
    snprintf(e->file, sizeof e->file, "%s", file);
    return true;
}

static int find_labs_in(struct home *h, const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, lab_filter, alphasort);
    if (n < 0)
        return 0;
    for (int i = 0; i < n; i++) {
        if (h->lab_count < MAX_LABS &&
            read_entry(&h->labs[h->lab_count], dir, names[i]->d_name))
            h->lab_count++;
        free(names[i]);
    }
    free(names);
    if (h->lab_count)
        snprintf(h->lab_dir, sizeof h->lab_dir, "%s", dir);
    return h->lab_count;
}

void home_locate(struct home *h)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0)
        die("cannot find where socklab is installed (/proc/self/exe: %s).", strerror(errno));
    self[n] = '\0';
    snprintf(h->bin_dir, sizeof h->bin_dir, "%s", dirname(self));
}

void home_find_labs(struct home *h)
{
    char dir[PATH_MAX * 2];
    if (find_labs_in(h, h->bin_dir))
        return;
    snprintf(dir, sizeof dir, "%s/../libexec/socklab", h->bin_dir);
    find_labs_in(h, dir);
}

const struct lab_entry *home_lab(const struct home *h, const char *which)
{
    char *end;
    long number = strtol(which, &end, 10);
    for (int i = 0; i < h->lab_count; i++) {
        const struct lab_entry *e = &h->labs[i];
        if ((*which && !*end && e->number == number) || !strcmp(e->name, which) ||
            !strcmp(e->file, which))
            return e;
    }
    return NULL;
}

const struct lab_entry *home_lab_or_die(const struct home *h, const char *which)
{
    const struct lab_entry *e = home_lab(h, which);
    if (!e)
        die("no lab '%s'; run 'socklab list' to see the labs.", which);
    return e;
}

int home_width(void)
{
    struct winsize ws;
    if (!isatty(STDOUT_FILENO))
        return 0;                         /* for programs: one line each, unfolded */
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col > 100 ? 100 : ws.ws_col;
    return 80;
}

void home_fold(FILE *out, const char *text, int at, int indent, int width)
{
    if (width <= 0 || !*text) {             /* for programs: one line, unfolded */
        fprintf(out, "%s\n", text);
        return;
    }
    for (const char *next; *text; text = next, at = indent) {
        size_t take = sl_text_wrap(text, width - at, &next);
        fprintf(out, "%.*s\n", (int)take, text);
        if (*next)
            fprintf(out, "%*s", indent, "");
    }
}

void home_print_list(const struct home *h, FILE *out, int width)
{
    if (!h->lab_count)
        die("no labs found next to %s; build them with 'make'.", h->bin_dir);
    for (int i = 0; i < h->lab_count; i++) {
        fprintf(out, "%02d  %-24s", h->labs[i].number, h->labs[i].name);
        home_fold(out, h->labs[i].title, 28, 28, width - 1);
    }
}

void home_exec_lab(const struct lab_entry *e, int argc, char **argv)
{
    char *args[argc + 2];
    args[0] = (char *)e->path;
    for (int i = 0; i < argc; i++)
        args[i + 1] = argv[i];
    args[argc + 1] = NULL;
    execv(e->path, args);
    die("cannot run %s: %s.", e->path, strerror(errno));
}

/* The docs folders, from the launcher's: the build tree's English notes
 * (build/bin/../../docs), its translated ones (build/bin/../docs, made by
 * po4a), and the installed ones (bin/../share/socklab/docs). */
static const char *const docs_folders[] = { "%s/../../docs", "%s/../docs",
                                            "%s/../share/socklab/docs" };

bool home_lab_file(const struct home *h, const struct lab_entry *e, bool notes, char *buf,
                   size_t len)
{
    const char *stem = e->file + 3;       /* "01-byte-order" */
    if (notes) {                          /* in the person's language when translated */
        char name[512];
        snprintf(name, sizeof name, "labs/%s.md", stem);
        return sl_docs_find(h->bin_dir, docs_folders, sizeof docs_folders / sizeof docs_folders[0],
                            name, buf, len);
    }
    const char *where[] = { "%s/../../labs/%s%s", "%s/../share/socklab/labs/%s%s" };
    for (int i = 0; i < 2; i++) {
        snprintf(buf, len, where[i], h->bin_dir, stem, ".c");
        if (access(buf, R_OK) == 0)
            return true;
        snprintf(buf, len, where[i], h->bin_dir, stem, "/lesson.c");  /* a lab of several files */
        if (access(buf, R_OK) == 0)
            return true;
    }
    snprintf(buf, len, "%s.c", stem);
    return false;
}
