/* socket-bench.c — how fast can the socket table be listed, by sockdash, ss
 * and netstat, with many sockets on the machine?
 *
 *   socket-bench BUILD_DIR OUTPUT.md COUNT...
 *
 * For each COUNT it fills loopback with about that many TCP sockets (two
 * fifths ESTABLISHED pairs held by child processes, the rest TIME-WAIT), plus
 * ten quiet "lab" ports with one connection each, then times whole processes,
 * RUNS times each, and writes the medians to OUTPUT.md:
 *
 *   full list:  sockdash --once --no-process, ss -tan, netstat -tan,
 *               sockdash --once (with owners), ss -tanp, the bare dump,
 *               sockdash --once --json --no-process
 *   10 ports:   sockdash --once --no-process --port ..., ss -tan '( ... )',
 *               the bare dump with the same filter
 *
 * Every child is killed and reaped at the end; the TIME-WAIT sockets die out
 * by themselves within 60 s. All traffic stays on 127.0.0.1. */
#include "process_cpu.h"
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/diag.h"
#include "socklab/diag_lookup.h"
#include "socklab/diag_tracker.h"
#include "socklab/closed.h"
#include "socklab/net.h"
#include "socklab/tui.h"
#include "../src/dash/history.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUNS 9
#define LAB_PORTS 10
#define BULK_PORTS 16
#define MAX_HOLDERS 32

static pid_t holders[MAX_HOLDERS];
static int holder_count;

static void end_holders(void)
{
    for (int i = 0; i < holder_count; i++) {
        kill(holders[i], SIGKILL);
        waitpid(holders[i], NULL, 0);
    }
    holder_count = 0;
}

static void on_signal(int sig)
{
    end_holders();
    signal(sig, SIG_DFL);
    raise(sig);
}

static int raise_fd_limit(void)
{
    struct rlimit r;
    CHECK(getrlimit(RLIMIT_NOFILE, &r));
    r.rlim_cur = r.rlim_max;
    CHECK(setrlimit(RLIMIT_NOFILE, &r));
    return (int)r.rlim_cur;
}

/* A child that holds `pairs` ESTABLISHED pairs on listeners[] until killed.
 * It writes one byte to ready_fd when they are all up. */
static void hold_pairs(int pairs, const int *listeners, int listener_count, int ready_fd)
{
    pid_t pid = (pid_t)CHECK(fork());
    if (pid > 0) {
        holders[holder_count++] = pid;
        return;
    }
    raise_fd_limit();
    for (int i = 0; i < pairs; i++) {
        int l = listeners[i % listener_count];
        sl_connect_to(l, 2000);                   /* kept open: that is the point */
        CHECK(sl_accept_within(l, 2000));
    }
    CHECK(write(ready_fd, "r", 1));
    for (;;)
        pause();
}

/* `count` connections closed client first: count TIME-WAIT sockets. */
static void make_time_wait(int count, const int *listeners, int listener_count)
{
    for (int i = 0; i < count; i++) {
        int l = listeners[i % listener_count];
        int client = sl_connect_to(l, 2000);
        int server = (int)CHECK(sl_accept_within(l, 2000));
        CHECK(close(client));                      /* FIN first: the client waits */
        CHECK(close(server));
    }
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median wall time of RUNS runs of argv (stdout to /dev/null), in ms. */
static double time_command(char *const argv[])
{
    double ms[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double start = sl_clock_ms();
        pid_t pid = (pid_t)CHECK(fork());
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, STDOUT_FILENO);
            execvp(argv[0], argv);
            _exit(127);
        }
        int status;
        CHECK(waitpid(pid, &status, 0));
        ms[r] = sl_clock_ms() - start;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "socket-bench: %s failed (status 0x%x)\n", argv[0], status);
            return -1;
        }
    }
    qsort(ms, RUNS, sizeof ms[0], compare_double);
    return ms[RUNS / 2];
}

static size_t count_sockets(int state)
{
    struct sl_filter f;
    sl_filter_init(&f);
    if (state)
        f.states = SL_STATE_BIT(state);
    struct sl_snapshot snap = { 0 };
    CHECK(sl_snapshot_take(&snap, &f, SL_SOURCE_NETLINK));
    size_t n = snap.count;
    sl_snapshot_free(&snap);
    return n;
}

/* TIME-WAIT sockets of an earlier run (ours or a test's) would be counted in
 * this one: wait, at most 65 s, until they have died out. */
static void wait_for_time_wait_to_drain(void)
{
    double deadline = sl_clock_ms() + 65000;
    size_t left = count_sockets(SL_TCP_TIME_WAIT);
    if (left > 200)
        fprintf(stderr, "socket-bench: waiting for %zu TIME-WAIT sockets to expire\n", left);
    while (left > 200 && sl_clock_ms() < deadline) {
        sl_sleep_ms(1000);
        left = count_sockets(SL_TCP_TIME_WAIT);
    }
}

struct row {
    const char *what;
    double ms;
};

static void report(FILE *out, const char *title, const struct row *rows, int n,
                   double reference, const char *reference_name)
{
    fprintf(out, "\n%s\n\n| command | median ms | ratio to %s |\n|---|---:|---:|\n",
            title, reference_name);
    for (int i = 0; i < n; i++)
        fprintf(out, "| `%s` | %.1f | %.2f |\n", rows[i].what, rows[i].ms,
                reference > 0 ? rows[i].ms / reference : 0);
}

/* The share of one core the live dashboard uses over 10 s, in a tmux session
 * of its own (it needs a terminal), at its default interval. */
static double dashboard_cpu(const char *dash, const char *args)
{
    char command[1024];
    snprintf(command, sizeof command,
             "tmux -L socket-bench kill-server 2>/dev/null; "
             "tmux -L socket-bench new-session -d -x 200 -y 60 'LC_ALL=C.UTF-8 %s %s'",
             dash, args);
    if (system(command) != 0)
        return -1;
    sl_sleep_ms(1500);                             /* past the first refresh and owner scan */
    snprintf(command, sizeof command, "pgrep -n -f '^%s %s$'", dash, args);
    FILE *p = popen(command, "r");
    int pid = 0;
    if (!p || fscanf(p, "%d", &pid) != 1)
        pid = 0;
    if (p)
        pclose(p);
    double share = -1;
    double before = pid ? cpu_seconds(pid) : -1;
    if (before >= 0) {
        double start = sl_clock_ms();
        sl_sleep_ms(10000);
        double after = cpu_seconds(pid);
        share = after >= 0 ? 100.0 * (after - before) / ((sl_clock_ms() - start) / 1000.0) : -1;
    }
    if (system("tmux -L socket-bench kill-server 2>/dev/null") != 0) {
        /* already gone */
    }
    return share;
}

/* The live dashboards first, while the TIME-WAITs just made are all there:
 * bench/dash-bench.c, its rows in a table (and, at the last count, the
 * transitions --trace catches under load). */
static void live_dashboards(FILE *out, const char *build, const char *ports,
                            const char *ss_filter, size_t present, bool last)
{
    char tool[512], count[32];
    snprintf(tool, sizeof tool, "%s/bench/dash-bench", build);
    snprintf(count, sizeof count, "%zu", present);
    fprintf(out, "\nThe live dashboard on ten quiet ports, at its default refresh (500 ms), "
                 "against `ss` asked the same every 500 ms (CPU of the process, user + "
                 "system, as a share of one core; a refresh's share in ms):\n\n"
                 "| what | CPU | ms per refresh | vs ss |\n|---|---:|---:|---:|\n");
    fflush(out);
    pid_t pid = (pid_t)CHECK(fork());
    if (pid == 0) {
        dup2(fileno(out), STDOUT_FILENO);
        execl(tool, tool, build, ports, ss_filter, count, last ? "--catch" : NULL, (char *)NULL);
        _exit(127);
    }
    int status;
    CHECK(waitpid(pid, &status, 0));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fprintf(stderr, "socket-bench: dash-bench failed (status 0x%x)\n", status);
    fseek(out, 0, SEEK_END);
}

/* What the live view keeps per socket it follows (see the memory line). */
static size_t live_bytes_per_socket(void)
{
    size_t tracker = 3 * sizeof(struct sl_socket)   /* known, the dump buffer, a lookup answer */
                   + sizeof(enum sl_lookup_result) + 2 * sizeof(double) + 2 * sizeof(uint64_t);
    size_t collector = 2 * sizeof(struct sl_socket) + sizeof(struct sl_owner);
    return tracker + collector + sizeof(struct sl_tui_row);
}

static void bench_count(FILE *out, const char *build, int count, bool last)
{
    wait_for_time_wait_to_drain();
    int limit = raise_fd_limit();
    int listeners[BULK_PORTS], lab[LAB_PORTS], lab_pairs[LAB_PORTS][2];
    for (int i = 0; i < BULK_PORTS; i++)
        listeners[i] = sl_listen_on("127.0.0.1", 0, 4096);

    /* Ten quiet ports, as a lab has: one connection each. */
    char ports[LAB_PORTS * 6 + 1] = "", ss_filter[LAB_PORTS * 48 + 8] = "(";
    for (int i = 0; i < LAB_PORTS; i++) {
        lab[i] = sl_listen_on("127.0.0.1", 0, 8);
        uint16_t p = sl_local_port(lab[i]);
        lab_pairs[i][0] = sl_connect_to(lab[i], 2000);
        lab_pairs[i][1] = (int)CHECK(sl_accept_within(lab[i], 2000));
        snprintf(ports + strlen(ports), sizeof ports - strlen(ports), "%s%u", i ? "," : "", p);
        snprintf(ss_filter + strlen(ss_filter), sizeof ss_filter - strlen(ss_filter),
                 "%s sport = :%u or dport = :%u", i ? " or" : "", p, p);
    }
    strcat(ss_filter, " )");

    int established = count * 2 / 5, pairs = established / 2;
    int per_holder = (limit - 64) / 2;
    int ready[2];
    CHECK(pipe(ready));
    int started = 0;
    for (int left = pairs; left > 0 && holder_count < MAX_HOLDERS; left -= per_holder, started++)
        hold_pairs(left < per_holder ? left : per_holder, listeners, BULK_PORTS, ready[1]);
    for (int i = 0; i < started; i++) {
        char c;
        if (!(sl_wait_fd(ready[0], POLLIN, 120000) & POLLIN) || read(ready[0], &c, 1) != 1) {
            fprintf(stderr, "socket-bench: a holder did not get ready\n");
            exit(1);
        }
    }
    double tw_start = sl_clock_ms();
    make_time_wait(count - established, listeners, BULK_PORTS);
    double tw_ms = sl_clock_ms() - tw_start;
    size_t present = count_sockets(0);
    fprintf(stderr, "socket-bench: %zu sockets on the machine (%.1f s to make the "
                    "TIME-WAITs)\n", present, tw_ms / 1000);

    char dash[512], floor_tool[512];
    snprintf(dash, sizeof dash, "%s/bin/sockdash", build);
    snprintf(floor_tool, sizeof floor_tool, "%s/bench/dump-floor", build);
    fprintf(out, "\n## %d sockets requested, %zu on the machine\n", count, present);
    live_dashboards(out, build, ports, ss_filter, present, last);
    struct row full[] = {
        { "sockdash --once --no-process", time_command((char *[]){ dash, "--once", "--no-process", NULL }) },
        { "ss -tan", time_command((char *[]){ "ss", "-tan", NULL }) },
        { "netstat -tan", time_command((char *[]){ "netstat", "-tan", NULL }) },
        { "bare netlink dump (dump-floor)", time_command((char *[]){ floor_tool, NULL }) },
        { "sockdash --once (with owners)", time_command((char *[]){ dash, "--once", NULL }) },
        { "ss -tanp (with owners)", time_command((char *[]){ "ss", "-tanp", NULL }) },
        { "sockdash --once --json --no-process",
          time_command((char *[]){ dash, "--once", "--json", "--no-process", NULL }) },
    };
    struct row filtered[] = {
        { "sockdash --once --no-process --port <10 ports>",
          time_command((char *[]){ dash, "--once", "--no-process", "--port", ports, NULL }) },
        { "ss -tan '( sport = :P or dport = :P ... )'",
          time_command((char *[]){ "ss", "-tan", ss_filter, NULL }) },
        { "bare netlink dump --port <10 ports>",
          time_command((char *[]){ floor_tool, "--port", ports, NULL }) },
        { "sockdash --once --port <10 ports> (with owners)",
          time_command((char *[]){ dash, "--once", "--port", ports, NULL }) },
    };
    report(out, "Full list:", full, 7, full[1].ms, "`ss -tan`");
    report(out, "Ten quiet ports (a lab's view):", filtered, 4, filtered[1].ms,
           "`ss` with the same filter");
    fprintf(out, "\nFiltered sockdash costs %.1f%% of the full list; "
                 "full sockdash is %.2f x the bare dump.\n",
            100.0 * filtered[0].ms / full[0].ms, full[0].ms / full[3].ms);
    if (count <= 10000) {                          /* the whole machine live, once */
        double without = dashboard_cpu(dash, "--interval 500");
        fprintf(out, "\nThe live dashboard without a filter (`sockdash`, default 500 ms "
                     "interval, in a 200x60 tmux window; more than 1,024 sockets, so each "
                     "refresh is a dump), CPU over 10 s as a share of one core:\n\n"
                     "| dashboard | CPU | goal |\n|---|---:|---:|\n"
                     "| `sockdash` (all %zu sockets) | %.1f%% | under 10%% |\n",
                present, without);
    }
    fflush(out);

    end_holders();
    for (int i = 0; i < BULK_PORTS; i++)
        close(listeners[i]);
    for (int i = 0; i < LAB_PORTS; i++) {
        close(lab_pairs[i][0]);
        close(lab_pairs[i][1]);
        close(lab[i]);
    }
    close(ready[0]);
    close(ready[1]);
}

/* The cost per refresh against the sockets on the machine, as a table and
 * as bars (one character a tenth of a millisecond... scaled to fit 60). */
static void draw_curve(FILE *out, const char *path)
{
    FILE *in = fopen(path, "r");
    if (!in)
        return;
    struct { long sockets; double share[5]; } points[16];
    int n = 0;
    while (n < 16 && fscanf(in, "%ld %lf %lf %lf %lf %lf", &points[n].sockets,
                            &points[n].share[0], &points[n].share[1], &points[n].share[2],
                            &points[n].share[3], &points[n].share[4]) == 6)
        n++;
    fclose(in);
    static const char *const names[5] = { "sockdash (default)", "sockdash, lookups alone",
                                           "ss, same filter", "bare dump", "sockdash --trace" };
    fprintf(out, "\n## The curve: CPU per refresh (ms, at 500 ms) against sockets on the "
                 "machine, ten quiet ports\n\n| sockets |");
    for (int k = 0; k < 5; k++)
        fprintf(out, " %s |", names[k]);
    fprintf(out, "\n|---:|---:|---:|---:|---:|---:|\n");
    double top = 0;
    for (int i = 0; i < n; i++) {
        fprintf(out, "| %ld |", points[i].sockets);
        for (int k = 0; k < 5; k++) {
            double ms = points[i].share[k] * 5.0;  /* % of a core at 2 refreshes a second */
            fprintf(out, points[i].share[k] < 0 ? " - |" : " %.2f |", ms);
            top = ms > top ? ms : top;
        }
        fprintf(out, "\n");
    }
    fprintf(out, "\n```\n");
    for (int k = 0; k < 4; k++)
        for (int i = 0; i < n; i++) {
            double ms = points[i].share[k] * 5.0;
            int bar = top > 0 && ms > 0 ? (int)(ms / top * 60 + 0.5) : 0;
            fprintf(out, "%-24s %7ld  %-60.*s %.2f ms\n", i ? "" : names[k], points[i].sockets,
                    bar, "############################################################", ms);
        }
    fprintf(out, "```\n");
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: socket-bench BUILD_DIR OUTPUT.md COUNT...\n");
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    atexit(end_holders);
    FILE *out = fopen(argv[2], "w");
    if (!out) {
        perror(argv[2]);
        return 2;
    }
    struct utsname u;
    uname(&u);
    char date[32];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    char cpu[256] = "unknown";
    FILE *info = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (info && fgets(line, sizeof line, info))
        if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
            snprintf(cpu, sizeof cpu, "%s", strchr(line, ':') + 2);
            cpu[strcspn(cpu, "\n")] = '\0';
            break;
        }
    if (info)
        fclose(info);
    fprintf(out, "# Performance\n\nMeasured by `make bench` (bench/socket-bench.c) on %s.\n\n"
                 "- machine: %s, %ld cores, kernel %s %s\n"
                 "- method: whole processes, output to /dev/null, median of %d runs each;\n"
                 "  sockets on loopback, two fifths ESTABLISHED pairs held by child\n"
                 "  processes and three fifths TIME-WAIT, plus ten quiet ports with one\n"
                 "  connection each (the filtered rows look at those ten)\n"
                 "- memory: one socket in a snapshot takes %zu bytes (sizeof(struct sl_socket));\n"
                 "  the live view keeps, per socket on its filter, %zu bytes (the tracker's\n"
                 "  known set, its dump buffer and lookup answers, with their index; the\n"
                 "  collector's two snapshots and owners; the model's row), up to twice that\n"
                 "  while its arrays have room to grow; bounded apart from the filter: the\n"
                 "  closed list, %d connections of %zu bytes (%zu KB), the sockets that left\n"
                 "  the tables before their end, %d (%zu KB), and the sparklines' history,\n"
                 "  %d connections (%zu KB)\n",
            date, cpu, sysconf(_SC_NPROCESSORS_ONLN), u.sysname, u.release, RUNS,
            sizeof(struct sl_socket), live_bytes_per_socket(), SL_CLOSED_KEEP,
            sizeof(struct sl_closed), sizeof(struct sl_closed_list) / 1024,
            SL_TRACKER_DEPARTED_KEEP,
            SL_TRACKER_DEPARTED_KEEP * (sizeof(struct sl_socket) + 2 * sizeof(double)) / 1024,
            HISTORY_SOCKETS,
            sizeof(struct history) / 1024);
    char curve[64];
    snprintf(curve, sizeof curve, "/tmp/socket-bench-curve-%d", (int)getpid());
    unlink(curve);
    setenv("DASH_BENCH_CURVE", curve, 1);
    for (int i = 3; i < argc; i++)
        bench_count(out, argv[1], atoi(argv[i]), i == argc - 1);
    draw_curve(out, curve);
    unlink(curve);
    fclose(out);
    return 0;
}
