/* running.c — the notes running labs leave for other terminals (see running.h). */
#include "socklab/running.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory, made when asked to; -errno when it is not safely ours. */
static int directory(char *dir, size_t len, bool make)
{
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    struct stat st;
    if (runtime && *runtime && stat(runtime, &st) == 0 && st.st_uid == getuid())
        snprintf(dir, len, "%s/socklab", runtime);
    else
        snprintf(dir, len, "/tmp/socklab-%u", (unsigned)getuid());
    if (make && mkdir(dir, 0700) == -1 && errno != EEXIST)
        return -errno;
    if (lstat(dir, &st) == -1)
        return -errno;
    if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077))
        return -EPERM;                    /* someone else's, or open to others */
    return 0;
}

/* Field 22 of /proc/PID/stat, after the command in parentheses; 0 if gone
 * (a zombie, killed but not yet reaped, has gone too: its namespaces have). */
static unsigned long long start_time(pid_t pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *p = strrchr(text, ')');
    unsigned long long start = 0;
    if (p && (p[1] != ' ' || p[2] == 'Z' || p[2] == 'X'))
        return 0;
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p)
        start = strtoull(p + 1, NULL, 10);
    return start;
}

int sl_running_register(int number, const char *name, bool private_net, char *path,
                        size_t len)
{
    char dir[PATH_MAX - 32];
    int err = directory(dir, sizeof dir, true);
    if (err)
        return err;
    /* Written whole under a hidden name, then renamed: a reader never sees
     * half a note (and takes no half-written one for a stale one). */
    char hidden[PATH_MAX];
    snprintf(path, len, "%s/%d", dir, (int)getpid());
    snprintf(hidden, sizeof hidden, "%s/.%d", dir, (int)getpid());
    FILE *f = fopen(hidden, "we");
    if (!f)
        return -errno;
    fprintf(f, "%d %llu %d %s %d\n", (int)getpid(), start_time(getpid()), number, name,
            private_net ? 1 : 0);
    if (fclose(f) != 0 || rename(hidden, path) == -1) {
        err = -errno;
        unlink(hidden);
        return err;
    }
    return 0;
}

static int newest_first(const void *a, const void *b)
{
    const struct sl_running *x = a, *y = b;
    return x->start < y->start ? 1 : x->start > y->start ? -1 : 0;
}

int sl_running_list(struct sl_running *out, int room)
{
    char dir[PATH_MAX - 32];
    int err = directory(dir, sizeof dir, false);
    if (err)
        return err;
    DIR *d = opendir(dir);
    if (!d)
        return -errno;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) && count < room) {
        if (e->d_name[0] == '.')
            continue;
        char path[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "re");
        if (!f)
            continue;
        struct sl_running r = { 0 };
        int pid, private_net;
        bool ok = fscanf(f, "%d %llu %d %63s %d", &pid, &r.start, &r.number, r.name,
                         &private_net) == 5;
        fclose(f);
        r.pid = pid;
        r.private_net = private_net;
        if (ok && r.start && start_time(r.pid) == r.start)
            out[count++] = r;
        else
            unlink(path);                 /* its lab is gone: stale */
    }
    closedir(d);
    qsort(out, (size_t)count, sizeof *out, newest_first);
    return count;
}
