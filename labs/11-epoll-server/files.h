/* labs/11-epoll-server/files.h — the static files under --root: which path a
 * request target names, opening it without ever leaving the root, and its
 * Content-Type. Not the lesson (the event loop is): a server must get these
 * right, so they live here, tested through the server. */
#ifndef LAB11_FILES_H
#define LAB11_FILES_H

#include <stdbool.h>
#include <stddef.h>

/* The directory files are served from. */
struct file_root {
    int fd;                 /* O_PATH descriptor of the root, or -1 */
    char *real;             /* its realpath (the fallback check before Linux 5.6) */
};

/* Open the root; -errno (root->fd stays -1) when it is not a directory that
 * can be opened. */
int file_root_open(struct file_root *root, const char *path);
void file_root_close(struct file_root *root);

/* "/a%20b?x" -> "a b" (relative to the root); false for a target that is
 * not a path, an encoded NUL, or a ".." segment. */
bool file_target_to_relative(const char *url, size_t len, char *out, size_t room);

/* Open `relative` under the root for reading, never outside it; the
 * descriptor, or -errno (-EXDEV: it would leave the root). */
int file_open_beneath(const struct file_root *root, const char *relative);

/* The Content-Type for a path, from its extension. */
const char *file_content_type(const char *path);

#endif
