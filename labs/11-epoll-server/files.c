/* labs/11-epoll-server/files.c — the static files under --root (see files.h). */
#include "files.h"

#include "server.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int file_root_open(struct file_root *root, const char *path)
{
    root->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    root->real = root->fd >= 0 ? realpath(path, NULL) : NULL;
    if (root->fd == -1 || !root->real) {
        int err = errno;
        file_root_close(root);
        return -err;
    }
    return 0;
}

void file_root_close(struct file_root *root)
{
    if (root->fd >= 0)
        close(root->fd);
    free(root->real);
    root->fd = -1;
    root->real = NULL;
}

bool file_target_to_relative(const char *url, size_t len, char *out, size_t room)
{
    if (!len || url[0] != '/')
        return false;
    size_t n = 0;
    for (size_t i = 1; i < len && url[i] != '?' && url[i] != '#'; i++) {
        char ch = url[i];
        if (ch == '%') {
            static const char hex[] = "0123456789abcdef";
            const char *high, *low;
            if (i + 2 >= len || !url[i + 1] || !url[i + 2] ||
                !(high = strchr(hex, tolower((unsigned char)url[i + 1]))) ||
                !(low = strchr(hex, tolower((unsigned char)url[i + 2]))))
                return false;
            ch = (char)((high - hex) << 4 | (low - hex));
            if (!ch)
                return false;               /* %00 */
            i += 2;
        }
        if (n + 1 >= room)
            return false;
        out[n++] = ch;
    }
    out[n] = '\0';
    for (const char *seg = out; seg; seg = strchr(seg, '/'), seg = seg ? seg + 1 : NULL)
        if (seg[0] == '.' && seg[1] == '.' && (seg[2] == '/' || !seg[2]))
            return false;
    return true;
}

/* openat2 with
 * RESOLVE_BENEATH refuses "..", absolute symlinks and symlinks that climb out,
 * at every component, atomically. Kernels before 5.6 lack it: there the
 * resolved path must start with the root's own. O_NONBLOCK: a FIFO under the
 * root must not block the whole server in open(). */
int file_open_beneath(const struct file_root *root, const char *relative)
{
    struct open_how how = {
        .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    long fd = syscall(SYS_openat2, root->fd, relative, &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS)
        return fd >= 0 ? (int)fd : -errno;
    char *real = NULL, path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", root->real, relative) >= (int)sizeof path)
        return -ENAMETOOLONG;
    if (!(real = realpath(path, NULL)))
        return -errno;
    size_t root_len = strlen(root->real);
    int result = -EXDEV;
    if (!strncmp(real, root->real, root_len) && (real[root_len] == '/' || !real[root_len]))
        result = open(real, (int)how.flags);
    result = result == -1 ? -errno : result;
    free(real);
    return result;
}

const char *file_content_type(const char *path)
{
    static const char *const types[][2] = {
        { ".html", "text/html" },       { ".htm", "text/html" },
        { ".txt", "text/plain" },       { ".css", "text/css" },
        { ".js", "text/javascript" },   { ".json", "application/json" },
        { ".png", "image/png" },        { ".jpg", "image/jpeg" },
        { ".svg", "image/svg+xml" },    { ".md", "text/markdown" },
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcasecmp(dot, types[i][0]))
            return types[i][1];
    return "application/octet-stream";
}

/* --- the file cache ------------------------------------------------------- */

static void count(struct http_server_stats *stats, enum http_call call)
{
    if (stats)
        stats->calls[call]++;
}

static unsigned bucket_of(const char *relative)
{
    unsigned h = 2166136261u;                   /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)relative; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % FILE_BUCKETS;
}

static long long mtime_ns(const struct stat *st)
{
    return (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

static bool same_file(const struct file_entry *e, const struct stat *st)
{
    return e->dev == (unsigned long long)st->st_dev && e->ino == (unsigned long long)st->st_ino &&
           e->size == (size_t)st->st_size && e->mtime_ns == mtime_ns(st);
}

/* Open and fstat `relative`: the descriptor of a regular file, or -errno. */
static int open_regular(struct file_cache *cache, const char *relative, struct stat *st)
{
    count(cache->stats, CALL_OPEN);
    int fd = file_open_beneath(&cache->root, relative);
    if (fd < 0)
        return fd;
    count(cache->stats, CALL_FSTAT);
    int err = fstat(fd, st) == -1 ? -errno : S_ISREG(st->st_mode) ? 0 : -EISDIR;
    if (err) {
        count(cache->stats, CALL_CLOSE);
        close(fd);
        return err;
    }
    return fd;
}

/* A new entry holding fd, with one reference (the caller's); NULL when out
 * of memory or the bytes cannot be read (fd is then closed). */
static struct file_entry *entry_new(struct file_cache *cache, const char *relative, int fd,
                                    const struct stat *st, long long now_ms)
{
    struct file_entry *e = calloc(1, sizeof *e);
    if (e && !(e->relative = strdup(relative)))
        goto fail;
    if (e && st->st_size <= FILE_IN_MEMORY) {
        /* Small: kept in memory, so its response is prepared whole and
         * leaves in the same send() as its neighbours. */
        if (!(e->body = malloc((size_t)st->st_size + 1)))
            goto fail;
        for (size_t got = 0; got < (size_t)st->st_size;) {
            count(cache->stats, CALL_READ);
            ssize_t n = pread(fd, e->body + got, (size_t)st->st_size - got, (off_t)got);
            if (n <= 0)
                goto fail;
            got += (size_t)n;
        }
    }
    if (!e)
        goto fail;
    e->fd = fd;
    e->size = (size_t)st->st_size;
    e->type = file_content_type(relative);
    struct tm tm;
    gmtime_r(&st->st_mtim.tv_sec, &tm);
    strftime(e->last_modified, sizeof e->last_modified,
             "Last-Modified: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
    e->head_second = -1;
    e->dev = (unsigned long long)st->st_dev;
    e->ino = (unsigned long long)st->st_ino;
    e->mtime_ns = mtime_ns(st);
    e->checked_ms = now_ms;
    e->refs = 1;
    return e;
fail:
    if (e) {
        free(e->relative);
        free(e->body);
        free(e);
    }
    count(cache->stats, CALL_CLOSE);
    close(fd);
    return NULL;
}

void file_entry_put(struct file_entry *e, struct http_server_stats *stats)
{
    if (!e || --e->refs > 0)
        return;
    count(stats, CALL_CLOSE);
    close(e->fd);
    free(e->relative);
    free(e->body);
    free(e);
}

/* Take e out of the cache; it lives on while connections still hold it. */
static void unlist(struct file_cache *cache, struct file_entry **link)
{
    struct file_entry *e = *link;
    *link = e->next;
    e->next = NULL;
    cache->entries--;
    file_entry_put(e, cache->stats);
}

int file_cache_get(struct file_cache *cache, const char *relative, long long now_ms,
                   struct file_entry **entry)
{
    struct file_entry **link = &cache->buckets[bucket_of(relative)];
    while (*link && strcmp((*link)->relative, relative))
        link = &(*link)->next;
    struct file_entry *e = *link;
    if (e && now_ms - e->checked_ms < 1000) {
        e->refs++;
        *entry = e;
        return 0;
    }
    struct stat st;
    int fd = open_regular(cache, relative, &st);
    if (e && (fd < 0 || !same_file(e, &st)))
        unlist(cache, link);                /* gone or changed: a new entry, or none */
    else if (e) {
        count(cache->stats, CALL_CLOSE);
        close(fd);                          /* the same file: keep the entry */
        e->checked_ms = now_ms;
        e->refs++;
        *entry = e;
        return 0;
    }
    if (fd < 0)
        return fd;
    if (!(e = entry_new(cache, relative, fd, &st, now_ms)))
        return -ENOMEM;
    if (cache->entries < FILE_ENTRIES_MAX) {    /* else served once, not kept */
        e->next = cache->buckets[bucket_of(relative)];
        cache->buckets[bucket_of(relative)] = e;
        cache->entries++;
        e->refs++;                          /* the cache's own reference */
    }
    *entry = e;
    return 0;
}

void file_cache_clear(struct file_cache *cache)
{
    for (int b = 0; b < FILE_BUCKETS; b++)
        while (cache->buckets[b])
            unlist(cache, &cache->buckets[b]);
}
