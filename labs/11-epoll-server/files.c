/* labs/11-epoll-server/files.c — the static files under --root (see files.h). */
#include "files.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
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
