/* show.c — the notes and the source, for a person (show.h). */
#include "show.h"

#include "socklab/charset.h"
#include "socklab/check.h"
#include "socklab/markdown.h"
#include "socklab/text.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define die(...) sl_usage_error("socklab", __VA_ARGS__)

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot open %s: %s.", path, strerror(errno));
    size_t cap = 1 << 16, used = 0;
    char *text = malloc(cap);
    size_t n;
    while (text && (n = fread(text + used, 1, cap - used - 1, f)) > 0) {
        used += n;
        if (used + 1 == cap) {
            char *grown = realloc(text, cap *= 2);
            if (!grown)
                free(text);
            text = grown;
        }
    }
    fclose(f);
    if (!text)
        die("out of memory reading %s.", path);
    text[used] = '\0';
    *len = used;
    return text;
}

/* The terminal's width, or 80 off a terminal. */
static int columns(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

static void write_all(int fd, const char *text, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;                       /* the pager quit before the end: fine */
        text += n;
        len -= (size_t)n;
    }
}

/* text into $PAGER (default less) on a terminal, else to stdout. */
static int page(const char *text)
{
    size_t len = strlen(text);
    if (!isatty(STDOUT_FILENO)) {
        write_all(STDOUT_FILENO, text, len);
        return 0;
    }
    const char *pager = getenv("PAGER");
    if (!pager || !*pager)
        pager = "less";
    int fds[2];
    if (pipe(fds) == -1)
        die("cannot open a pipe to the pager: %s.", strerror(errno));
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[0], STDIN_FILENO);
        close(fds[0]);
        close(fds[1]);
        execlp("sh", "sh", "-c", "exec $0", pager, (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    signal(SIGPIPE, SIG_IGN);             /* q in the pager before the end */
    if (pid > 0)
        write_all(fds[1], text, len);
    close(fds[1]);
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) == -1 && errno == EINTR)
        ;
    if (pid > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 127))
        return 0;
    write_all(STDOUT_FILENO, text, len);  /* no pager here: print it */
    return 0;
}

int show_notes(const char *path)
{
    size_t len;
    char *markdown = read_all(path, &len);
    char *text = sl_markdown_render(markdown, len, columns(),
                                    sl_charset_utf8() ? 0 : SL_MARKDOWN_ASCII);
    free(markdown);
    if (!text)
        die("cannot lay out %s for the terminal (out of memory).", path);
    int status = page(text);
    free(text);
    return status;
}

char *show_number_lines(const char *text, int width)
{
    size_t cap = strlen(text) * 2 + 4096, used = 0;
    char *out = malloc(cap);
    int number = 0;
    if (out)
        out[0] = '\0';
    for (const char *line = text; out && *line;) {
        size_t n = strcspn(line, "\n");
        char *copy = strndup(line, n);
        if (!copy)
            break;
        int indent = (int)strspn(copy, " ") + 4;  /* a wrapped line's rest, under its start */
        const char *rest = copy, *next;
        bool first = true;
        do {
            int room = width - 6 - (first ? 0 : indent);
            size_t take = sl_text_wrap(rest, room > 20 ? room : 20, &next);
            size_t need = take + (size_t)indent + 16;
            if (used + need >= cap) {
                char *grown = realloc(out, cap = cap * 2 + need);
                if (!grown) {
                    free(out);
                    free(copy);
                    return NULL;
                }
                out = grown;
            }
            if (first && take == 0)
                used += (size_t)snprintf(out + used, cap - used, "%4d\n", ++number);
            else if (first)
                used += (size_t)snprintf(out + used, cap - used, "%4d  %.*s\n", ++number,
                                         (int)take, rest);
            else
                used += (size_t)snprintf(out + used, cap - used, "      %*s%.*s\n", indent, "",
                                         (int)take, rest);
            first = false;
            rest = next;
        } while (*rest);
        free(copy);
        line += n;
        if (*line == '\n')
            line++;
    }
    return out;
}

int show_source(const char *path)
{
    size_t len;
    char *source = read_all(path, &len);
    if (!isatty(STDOUT_FILENO)) {
        write_all(STDOUT_FILENO, source, len);
        free(source);
        return 0;
    }
    if (!sl_charset_utf8()) {
        char *ascii = sl_charset_ascii(source, len);
        free(source);
        if (!ascii)
            die("out of memory reading %s.", path);
        source = ascii;
    }
    char *numbered = show_number_lines(source, columns());
    free(source);
    if (!numbered)
        die("out of memory numbering %s.", path);
    int status = page(numbered);
    free(numbered);
    return status;
}
