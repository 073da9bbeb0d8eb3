/* dash-bench.c — what the live dashboard costs on a machine full of sockets,
 * against ss asked the same question at the same rate; called by
 * socket-bench while it holds its sockets.
 *
 *   dash-bench BUILD_DIR PORTS SS_FILTER SOCKETS [--catch]
 *
 * PORTS are ten quiet ports (one connection each), SS_FILTER the same ports
 * in ss's words, SOCKETS how many the machine holds. Prints markdown rows
 * (the caller writes the table around them):
 *   - unprivileged (as nobody): `sockdash --port PORTS` live at its default
 *     interval, CPU over SECONDS; ss with the same filter every 500 ms; the
 *     bare dump (dump-floor) every 500 ms; each as CPU per refresh and as a
 *     share of one core;
 *   - root: `sockdash --trace --port PORTS` the same way;
 * and with --catch (root), the transitions `sockdash --trace` records while a
 * load makes 5,000 connections a second on ports of its own, against the
 * connections made. All traffic on 127.0.0.1; every child is reaped. */
#include "process_cpu.h"
#include "socklab/check.h"
#include "socklab/diag.h"
#include "socklab/clock.h"
#include "socklab/net.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define SECONDS 6               /* each: the TIME-WAITs of the machine last 60 s */
#define INTERVAL_MS 500
#define CATCH_RATE 5000
#define CATCH_SECONDS 3

static int run_quietly(const char *command)
{
    int status = system(command);
    return status == -1 ? -1 : WEXITSTATUS(status);
}

/* The newest process whose command line is exactly `line`, or 0. */
static pid_t find_process(const char *line)
{
    char command[1200];
    snprintf(command, sizeof command, "pgrep -n -f -x -- '%s'", line);
    FILE *p = popen(command, "r");
    int pid = 0;
    if (!p || fscanf(p, "%d", &pid) != 1)
        pid = 0;
    if (p)
        pclose(p);
    return (pid_t)pid;
}

/* The live dashboard in a tmux server of its own (it needs a terminal),
 * `prefix` before it (setpriv, to run as nobody); its CPU over SECONDS as a
 * share of one core, after a first second for its start. */
static double dashboard_share(const char *prefix, const char *dash, const char *args,
                              const char *record)
{
    char line[1024], command[1400];
    snprintf(line, sizeof line, "%s %s%s%s", dash, args, record ? " --record " : "",
             record ? record : "");
    snprintf(command, sizeof command,
             "tmux -L dash-bench kill-server 2>/dev/null; "
             "tmux -L dash-bench new-session -d -x 120 -y 40 'LC_ALL=C.UTF-8 %s %s'",
             prefix, line);
    if (run_quietly(command) != 0)
        return -1;
    sl_sleep_ms(1500);
    pid_t pid = find_process(line);
    double share = -1, before = pid ? cpu_seconds(pid) : -1;
    if (before >= 0) {
        double start = sl_clock_ms();
        sl_sleep_ms(SECONDS * 1000);
        double after = cpu_seconds(pid);
        share = after >= 0 ? 100.0 * (after - before) / ((sl_clock_ms() - start) / 1000.0) : -1;
    }
    run_quietly("tmux -L dash-bench send-keys q 2>/dev/null; sleep 1; "
                "tmux -L dash-bench kill-server 2>/dev/null");
    return share;
}

/* argv run every INTERVAL_MS for SECONDS, as the user `uid`; its CPU (the
 * children's, user + system) as a share of one core. */
static double repeated_share(char *const argv[], uid_t uid)
{
    struct rusage before, after;
    getrusage(RUSAGE_CHILDREN, &before);
    double start = sl_clock_ms(), next = start;
    while (sl_clock_ms() - start < SECONDS * 1000) {
        pid_t pid = (pid_t)CHECK(fork());
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, STDOUT_FILENO);
            if (uid && (setgid(uid) != 0 || setuid(uid) != 0))
                _exit(126);
            execvp(argv[0], argv);
            _exit(127);
        }
        int status;
        CHECK(waitpid(pid, &status, 0));
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return -1;
        next += INTERVAL_MS;
        double wait = next - sl_clock_ms();
        if (wait > 0)
            sl_sleep_ms((int)wait);
    }
    getrusage(RUSAGE_CHILDREN, &after);
    double cpu = (double)(after.ru_utime.tv_sec - before.ru_utime.tv_sec) +
                 (double)(after.ru_stime.tv_sec - before.ru_stime.tv_sec) +
                 (double)(after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e6 +
                 (double)(after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6;
    return 100.0 * cpu / ((sl_clock_ms() - start) / 1000.0);
}

static void row(const char *what, double share, double reference)
{
    double per_refresh = share * 10.0 * INTERVAL_MS / 1000.0;    /* % of a core -> ms */
    if (share < 0) {
        printf("| %s | failed | | |\n", what);
        return;
    }
    printf("| %s | %.2f%% | %.3f | %.2f |\n", what, share, per_refresh,
           reference > 0 ? share / reference : 0);
}

/* CATCH_RATE connections a second for CATCH_SECONDS on a listener of the
 * child's own, each connected, accepted and closed client first; the child
 * writes how many it made to `out` and exits. */
static pid_t make_load(int listener, int out)
{
    pid_t pid = (pid_t)CHECK(fork());
    if (pid > 0)
        return pid;
    double start = sl_clock_ms();
    long made = 0;
    while (sl_clock_ms() - start < CATCH_SECONDS * 1000.0) {
        double due = start + made * 1000.0 / CATCH_RATE;
        if (sl_clock_ms() < due)
            continue;                              /* paced, without sleeping past it */
        int c = sl_connect_to(listener, 2000), s = (int)CHECK(sl_accept_within(listener, 2000));
        close(c);
        close(s);
        made++;
    }
    dprintf(out, "%ld\n", made);
    _exit(0);
}

static long count_lines(const char *path, const char *needle)
{
    char command[600];
    snprintf(command, sizeof command, "grep -c -- '%s' '%s'", needle, path);
    FILE *p = popen(command, "r");
    long n = -1;
    if (!p || fscanf(p, "%ld", &n) != 1)
        n = -1;
    if (p)
        pclose(p);
    return n;
}

/* sockdash --trace records while the load runs; every connection's client
 * end must be seen going SYN-SENT -> ESTAB and its server end SYN-RECV ->
 * ESTAB, by the tracepoint. */
static void catch_transitions(const char *dash)
{
    int listener = sl_listen_on("127.0.0.1", 0, 4096);
    uint16_t port = sl_local_port(listener);
    char args[128], record[64];
    snprintf(args, sizeof args, "--trace --port %u", port);
    snprintf(record, sizeof record, "/tmp/dash-bench-%d.jsonl", (int)getpid());
    char line[1024], command[1400];
    snprintf(line, sizeof line, "%s %s --record %s", dash, args, record);
    snprintf(command, sizeof command,
             "tmux -L dash-bench kill-server 2>/dev/null; "
             "tmux -L dash-bench new-session -d -x 120 -y 40 'LC_ALL=C.UTF-8 %s'", line);
    if (run_quietly(command) != 0) {
        printf("\n(The transition count could not start sockdash --trace.)\n");
        close(listener);
        return;
    }
    sl_sleep_ms(1500);
    int pipefd[2];
    CHECK(pipe(pipefd));
    pid_t load = make_load(listener, pipefd[1]);
    close(pipefd[1]);
    FILE *made_in = fdopen(pipefd[0], "r");
    long made = 0;
    if (!made_in || fscanf(made_in, "%ld", &made) != 1)
        made = 0;
    if (made_in)
        fclose(made_in);
    waitpid(load, NULL, 0);
    sl_sleep_ms(2000);                             /* the last events, and a frame after */
    run_quietly("tmux -L dash-bench send-keys q 2>/dev/null; sleep 1; "
                "tmux -L dash-bench kill-server 2>/dev/null");
    long client = count_lines(record, "\"traced\":true,\"kind\":\"changed\",\"from\":2,\"to\":1,");
    long server = count_lines(record, "\"traced\":true,\"kind\":\"changed\",\"from\":3,\"to\":1,");
    printf("\n`sockdash --trace` (root) while %ld connections were made in %d s (%.0f a "
           "second) on a port of their own: the tracepoint's transitions it recorded —\n"
           "SYN-SENT -> ESTAB (client ends) %ld of %ld (%.1f%%), SYN-RECV -> ESTAB (server "
           "ends) %ld of %ld (%.1f%%).\n", made, CATCH_SECONDS, (double)made / CATCH_SECONDS,
           client, made, made ? 100.0 * (double)client / (double)made : 0, server, made,
           made ? 100.0 * (double)server / (double)made : 0);
    unlink(record);
    close(listener);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: dash-bench BUILD_DIR PORTS SS_FILTER SOCKETS [--catch]\n");
        return 2;
    }
    const char *build = argv[1], *ports = argv[2], *ss_filter = argv[3];
    long sockets = atol(argv[4]);              /* on the machine when we start */
    bool catching = argc > 5 && !strcmp(argv[5], "--catch");
    char dash[512], floor_tool[512], args[256];
    snprintf(dash, sizeof dash, "%s/bin/sockdash", build);
    snprintf(floor_tool, sizeof floor_tool, "%s/bench/dump-floor", build);
    snprintf(args, sizeof args, "--port %s", ports);
    bool root = geteuid() == 0;
    const char *nobody = root ? "setpriv --reuid=65534 --regid=65534 --clear-groups" : "";
    uid_t as = root ? 65534 : 0;

    double ss = repeated_share((char *[]){ "ss", "-tan", (char *)ss_filter, NULL }, as);
    double live = dashboard_share(nobody, dash, args, NULL);
    char lookups_only[300];                        /* the refreshes alone, no discovery */
    snprintf(lookups_only, sizeof lookups_only, "--discover 3600000 %s", args);
    double follow = dashboard_share(nobody, dash, lookups_only, NULL);
    double bare = repeated_share((char *[]){ floor_tool, "--port", (char *)ports, NULL }, as);
    char what[160];
    snprintf(what, sizeof what, "`sockdash --port <10 ports>`, unprivileged, %ld sockets",
             sockets);
    row(what, live, ss);
    snprintf(what, sizeof what, "... its lookups alone (`--discover 3600000`)");
    row(what, follow, ss);
    snprintf(what, sizeof what, "`ss -tan '( 10 ports )'` every 500 ms, %ld sockets", sockets);
    row(what, ss, ss);
    snprintf(what, sizeof what, "bare dump, 10 ports, every 500 ms, %ld sockets", sockets);
    row(what, bare, ss);
    double traced = -1;
    if (root) {
        snprintf(args, sizeof args, "--trace --port %s", ports);
        traced = dashboard_share("", dash, args, NULL);
        snprintf(what, sizeof what, "`sockdash --trace --port <10 ports>`, root, %ld sockets",
                 sockets);
        row(what, traced, ss);
    }
    const char *curve = getenv("DASH_BENCH_CURVE");  /* socket-bench draws the curve */
    FILE *f = curve ? fopen(curve, "a") : NULL;
    if (f) {
        fprintf(f, "%ld %.4f %.4f %.4f %.4f %.4f\n", sockets, live, follow, ss, bare, traced);
        fclose(f);
    }
    struct sl_snapshot left = { 0 };
    if (sl_snapshot_take(&left, NULL, SL_SOURCE_NETLINK) == 0)
        printf("\n(%ld sockets on the machine when these began, %zu when they ended: the "
               "TIME-WAIT records expire 60 s after they were made.)\n", sockets, left.count);
    sl_snapshot_free(&left);
    fflush(stdout);
    if (catching && root)
        catch_transitions(dash);
    return 0;
}
