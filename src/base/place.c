/* place.c — where the running program is (see place.h). */
#include "socklab/place.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

bool sl_place_self(char *buf, size_t len)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return false;
    self[n] = '\0';
    snprintf(buf, len, "%s", dirname(self));
    return true;
}

bool sl_place_find(const char *const *patterns, size_t count, bool (*accept)(const char *path),
                   char *buf, size_t len)
{
    char dir[PATH_MAX];
    if (!sl_place_self(dir, sizeof dir))
        return false;
    for (size_t i = 0; i < count; i++) {
        snprintf(buf, len, patterns[i], dir);
        if (accept ? accept(buf) : access(buf, F_OK) == 0)
            return true;
    }
    return false;
}
