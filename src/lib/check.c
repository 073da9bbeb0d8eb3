/* check.c — failed system calls reported with errno's name (see check.h). */
#include "socklab/check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sl_errno_name(int err, char buf[static 16])
{
    const char *name = strerrorname_np(err);    /* glibc >= 2.32 */
    if (name)
        return name;
    snprintf(buf, 16, "E%d", err);
    return buf;
}

char *sl_errno_describe(int err, char *buf, size_t len)
{
    char number[16];
    snprintf(buf, len, "%s (%s)", sl_errno_name(err, number), strerror(err));
    return buf;
}

char *sl_check_format(char *buf, size_t len, const char *call_text, int err,
                      const char *file, int line)
{
    char what[128];
    snprintf(buf, len, "%s failed: %s at %s:%d", call_text,
             sl_errno_describe(err, what, sizeof what), file, line);
    return buf;
}

long sl_check(long result, const char *call_text, const char *file, int line)
{
    if (result != -1)
        return result;
    int err = errno;
    char message[512];
    fflush(stdout);
    fprintf(stderr, "socklab: %s\n",
            sl_check_format(message, sizeof message, call_text, err, file, line));
    exit(2);
}

void sl_usage_error(const char *program, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: ", program);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}
