/* owner.c — socket inode -> pid and command, by scanning /proc (see owner.h).
 *
 * One sorted table, searched with bsearch: inode -> owner, filled by the scan
 * and kept from one refresh to the next for the inodes still listed. An owner
 * belongs to an inode, never to a 4-tuple: when a connection becomes a
 * TIME-WAIT record (inode 0) no process holds it any more, as ss -p shows. */
#include "socklab/owner.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct by_inode {
    uint64_t inode;
    struct sl_owner owner;
    bool found;
};

struct sl_owners {
    struct by_inode *inodes;    /* the snapshot's inodes, sorted */
    size_t inode_count;
};

static int compare_inode(const void *a, const void *b)
{
    uint64_t x = ((const struct by_inode *)a)->inode, y = ((const struct by_inode *)b)->inode;
    return (x > y) - (x < y);
}

struct sl_owners *sl_owners_new(void)
{
    return calloc(1, sizeof(struct sl_owners));
}

void sl_owners_free(struct sl_owners *owners)
{
    if (!owners)
        return;
    free(owners->inodes);
    free(owners);
}

static void read_command(int pid, char command[16])
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/comm", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, command, 15) : -1;
    if (fd >= 0)
        close(fd);
    command[n > 0 ? n : 0] = '\0';
    command[strcspn(command, "\n")] = '\0';
}

/* Walk /proc/PID/fd of every process, marking the inodes we look for. */
static void scan_processes(struct sl_owners *o)
{
    if (!o->inode_count)
        return;                                  /* nothing to look for */
    DIR *proc = opendir("/proc");
    if (!proc)
        return;
    struct dirent *p;
    while ((p = readdir(proc))) {
        if (!isdigit((unsigned char)p->d_name[0]))
            continue;
        int pid = atoi(p->d_name);
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/fd", pid);
        DIR *fds = opendir(path);               /* fails for others' processes unless root */
        if (!fds)
            continue;
        char command[16] = "";
        struct dirent *f;
        while ((f = readdir(fds))) {
            char target[64];
            if (f->d_name[0] == '.')
                continue;
            ssize_t n = readlinkat(dirfd(fds), f->d_name, target, sizeof target - 1);
            if (n < 9 || strncmp(target, "socket:[", 8))
                continue;
            target[n] = '\0';
            struct by_inode key = { .inode = strtoull(target + 8, NULL, 10) };
            struct by_inode *hit = bsearch(&key, o->inodes, o->inode_count, sizeof key,
                                           compare_inode);
            if (!hit || hit->found)
                continue;
            if (!command[0])
                read_command(pid, command);
            hit->found = true;
            hit->owner.pid = pid;
            memcpy(hit->owner.command, command, sizeof command);
        }
        closedir(fds);
    }
    closedir(proc);
}

size_t sl_owners_refresh(struct sl_owners *o, const struct sl_snapshot *snap)
{
    struct by_inode *inodes = calloc(snap->count ? snap->count : 1, sizeof *inodes);
    if (!inodes)
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < snap->count; i++)
        if (snap->sockets[i].inode)
            inodes[n++].inode = snap->sockets[i].inode;
    qsort(inodes, n, sizeof *inodes, compare_inode);
    /* What the last refresh knew is kept; /proc is scanned again only when an
     * inode turns up that it never saw (an inode it could not place, such as
     * another user's socket without root, does not cause a scan every time). */
    bool unseen = false;
    for (size_t i = 0; i < n; i++) {
        const struct by_inode *old = o->inode_count ?
            bsearch(&inodes[i], o->inodes, o->inode_count, sizeof *inodes, compare_inode) : NULL;
        if (old)
            inodes[i] = *old;
        else
            unseen = true;
    }
    free(o->inodes);
    o->inodes = inodes;
    o->inode_count = n;
    if (unseen)
        scan_processes(o);

    size_t known = 0;
    for (size_t i = 0; i < n; i++)
        known += inodes[i].found;
    return known;
}

const struct sl_owner *sl_owners_find(const struct sl_owners *o, const struct sl_socket *s)
{
    if (!s->inode || !o->inode_count)
        return NULL;                             /* no file: no process holds it */
    struct by_inode key = { .inode = s->inode };
    const struct by_inode *hit = bsearch(&key, o->inodes, o->inode_count, sizeof key,
                                         compare_inode);
    return hit && hit->found ? &hit->owner : NULL;
}
