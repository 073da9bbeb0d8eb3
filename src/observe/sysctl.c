/* sysctl.c — kernel settings read from /proc/sys (see sysctl.h). */
#include "socklab/sysctl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sl_sysctl_read(const char *name, long *values, int room)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "/proc/sys/%s", name);
    if (n < 0 || (size_t)n >= sizeof path || strstr(name, ".."))
        return -EINVAL;
    for (char *p = path + strlen("/proc/sys/"); *p; p++)
        if (*p == '.')
            *p = '/';
    FILE *f = fopen(path, "r");
    if (!f)
        return -errno;
    char text[256] = "";
    if (!fgets(text, sizeof text, f))
        text[0] = '\0';
    fclose(f);

    int count = 0;
    char *p = text;
    while (count < room) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno)
            break;
        values[count++] = v;
        p = end;
    }
    return count > 0 ? count : -EINVAL;
}

long sl_sysctl_long(const char *name, long otherwise)
{
    long value;
    return sl_sysctl_read(name, &value, 1) == 1 ? value : otherwise;
}
