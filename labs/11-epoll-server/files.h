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

/* --- the file cache ---------------------------------------------------------
 * A file once served stays open, with its size, type and Last-Modified
 * header, and (when it is small) its bytes in memory: serving it again
 * costs no open(), fstat() or close(). Each entry is compared with the
 * file system at most once a second (one open and fstat, and a close):
 * a file changed or replaced gets a new entry; the old one lives on while a
 * connection still sends it (entries are counted references). */

struct http_server_stats;

enum {
    FILE_IN_MEMORY = 16 * 1024,     /* bodies up to this are kept in memory */
    FILE_HEAD_MAX = 512,
};

struct file_entry {
    char *relative;                 /* the key: the path under the root */
    int fd;                         /* open for reading: sendfile() from it */
    size_t size;
    char *body;                     /* all of it when size <= FILE_IN_MEMORY, else NULL */
    const char *type;
    char last_modified[64];         /* "Last-Modified: ...\r\n" */
    /* The response heads, [keep-alive?], prepared by the server for the
     * second head_second (the Date they carry). */
    char head[2][FILE_HEAD_MAX];
    size_t head_len[2];
    long long head_second;
    /* private to the cache */
    unsigned long long dev, ino;
    long long mtime_ns, checked_ms;
    int refs;
    struct file_entry *next;
};

/* Each entry keeps a descriptor open: at most FILE_ENTRIES_MAX of them, so
 * the cache takes few of the descriptors connections need (beyond it, a
 * file is opened, served and closed each time). */
enum { FILE_BUCKETS = 256, FILE_ENTRIES_MAX = 256 };

struct file_cache {
    struct file_root root;
    struct file_entry *buckets[FILE_BUCKETS];
    int entries;
    struct http_server_stats *stats;        /* the calls made are counted here */
};

/* The entry for `relative` (a new reference: give it back with
 * file_entry_put), checked against the file system if it was not for a
 * second; -errno when it cannot be opened (-EXDEV: outside the root), or
 * -EISDIR when it is not a regular file. */
int file_cache_get(struct file_cache *cache, const char *relative, long long now_ms,
                   struct file_entry **entry);
void file_entry_put(struct file_entry *entry, struct http_server_stats *stats);

/* Close every entry (those still sent stay until their last put). */
void file_cache_clear(struct file_cache *cache);

#endif
