/* clock.c — monotonic time in milliseconds (see clock.h). */
#include "socklab/clock.h"

#include <errno.h>
#include <time.h>

double sl_clock_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

void sl_sleep_ms(int ms)
{
    struct timespec left = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&left, &left) == -1 && errno == EINTR)
        ;
}
