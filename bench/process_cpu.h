/* process_cpu.h — the CPU a process has used, for the benchmarks. */
#ifndef SOCKLAB_BENCH_PROCESS_CPU_H
#define SOCKLAB_BENCH_PROCESS_CPU_H

#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* CPU time (user + system) of a process, in seconds; -1 when it is gone.
 * From /proc/PID/schedstat (nanoseconds on a CPU) where the kernel has it:
 * /proc/PID/stat counts in ticks of 10 ms, too coarse for a dashboard that
 * uses a few milliseconds in a second. */
static inline double cpu_seconds(pid_t pid)
{
    char sched[64];
    snprintf(sched, sizeof sched, "/proc/%d/schedstat", (int)pid);
    FILE *s = fopen(sched, "r");
    unsigned long long on_cpu_ns;
    if (s && fscanf(s, "%llu", &on_cpu_ns) == 1) {
        fclose(s);
        return (double)on_cpu_ns / 1e9;
    }
    if (s)
        fclose(s);
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f || !fgets(text, sizeof text, f)) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    const char *after = strrchr(text, ')');        /* the command may hold spaces */
    unsigned long utime = 0, stime = 0;
    if (!after || sscanf(after + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                         &utime, &stime) != 2)
        return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

#endif
