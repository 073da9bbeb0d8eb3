/* test_trace.c — the tracepoint's lines, as trace_pipe printed them on a 6.18
 * kernel, the filters written for it, and (as root) what an instance leaves
 * behind: two at once, one killed (and one still read from elsewhere), and
 * many ports.
 *
 * The root tests run in a private mount namespace with tracefs unmounted, the
 * state a machine starts in when nothing has used tracefs yet; the instances
 * they make are the kernel's own, and they remove them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "socklab/clock.h"
#include "socklab/net.h"
#include "../../src/observe/trace_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACEFS "/sys/kernel/tracing"

static void trace_lines_parse(void **state)
{
    (void)state;
    size_t len;
    char *text = fixture("trace-pipe.txt", &len);
    int parsed = 0, v6 = 0, last_ack = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        struct sl_change c;
        assert_true(sl_trace_parse_line(line, &c));
        parsed++;
        v6 += c.tuple.family == AF_INET6;
        last_ack += c.to == SL_TCP_LAST_ACK;
        assert_true(sl_state_valid(c.from) && sl_state_valid(c.to));
    }
    assert_int_equal(parsed, 36);
    assert_int_equal(v6, 12);
    assert_true(last_ack > 0);                 /* what polling on loopback never sees */
    free(text);

    struct sl_change c;
    assert_true(sl_trace_parse_line(" x-1 [000] ..... 1.0: inet_sock_set_state: family=AF_INET "
        "protocol=IPPROTO_TCP sport=8080 dport=40000 saddr=127.0.0.1 daddr=127.0.0.2 "
        "saddrv6=::ffff:127.0.0.1 daddrv6=::ffff:127.0.0.2 oldstate=TCP_CLOSE_WAIT "
        "newstate=TCP_LAST_ACK", &c));
    assert_int_equal(c.tuple.local_port, 8080);
    assert_int_equal(c.tuple.peer_port, 40000);
    assert_int_equal(c.tuple.peer[3], 2);
    assert_int_equal(c.from, SL_TCP_CLOSE_WAIT);
    assert_int_equal(c.to, SL_TCP_LAST_ACK);
    assert_false(sl_trace_parse_line("garbage", &c));
    assert_false(sl_trace_parse_line("inet_sock_set_state: family=AF_INET protocol=IPPROTO_SCTP "
        "sport=1 dport=2 saddr=1.2.3.4 daddr=1.2.3.4 oldstate=TCP_CLOSE newstate=TCP_LISTEN", &c));
    assert_false(sl_trace_parse_line("inet_sock_set_state: family=AF_INET protocol=IPPROTO_TCP "
        "sport=1 dport=2 saddr=1.2.3.4 daddr=1.2.3.4 oldstate=TCP_NOPE newstate=TCP_LISTEN", &c));
}

static void filter_texts(void **state)
{
    (void)state;
    struct sl_filter f;
    sl_filter_init(&f);
    char *text = sl_trace_filter_text(&f, SL_TRACE_FILTER_EXACT);
    assert_string_equal(text, "protocol == 6");
    free(text);

    sl_filter_add_range(&f, 9000, 9010);
    sl_filter_add_range(&f, 8080, 8080);
    text = sl_trace_filter_text(&f, SL_TRACE_FILTER_EXACT);
    assert_string_equal(text, "protocol == 6 && ((sport >= 9000 && sport <= 9010) || "
        "(dport >= 9000 && dport <= 9010) || sport == 8080 || dport == 8080)");
    free(text);
    text = sl_trace_filter_text(&f, SL_TRACE_FILTER_SPAN);
    assert_string_equal(text, "protocol == 6 && ((sport >= 8080 && sport <= 9010) || "
        "(dport >= 8080 && dport <= 9010))");
    free(text);
    text = sl_trace_filter_text(&f, SL_TRACE_FILTER_TCP);
    assert_string_equal(text, "protocol == 6");
    free(text);

    /* The longest filter there can be: every range of five-digit ports. It
     * once overflowed a fixed buffer of 1024 bytes. */
    sl_filter_init(&f);
    for (int i = 0; i < SL_FILTER_MAX_RANGES; i++)
        assert_true(sl_filter_add_range(&f, (uint16_t)(60000 + 2 * i), (uint16_t)(60001 + 2 * i)));
    text = sl_trace_filter_text(&f, SL_TRACE_FILTER_EXACT);
    assert_true(strlen(text) > 1024);
    assert_non_null(strstr(text, "(dport >= 60030 && dport <= 60031))"));
    free(text);
}

/* --- as root: real instances ------------------------------------------------ */

static char no_tracefs[256];            /* why the root tests cannot run; "" when they can */

/* A private mount namespace without tracefs: the first user must mount it. */
static void without_tracefs(void)
{
    if (geteuid() != 0) {
        snprintf(no_tracefs, sizeof no_tracefs, "tracefs instances need root");
        return;
    }
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        snprintf(no_tracefs, sizeof no_tracefs, "no private mount namespace (%s)",
                 strerror(errno));
        return;
    }
    for (int round = 0; round < 8; round++) {           /* stacked mounts come off one by one */
        FILE *mounts = setmntent("/proc/self/mounts", "r");
        bool found = false;
        for (struct mntent *m; mounts && (m = getmntent(mounts));)
            if (!strcmp(m->mnt_type, "tracefs") && umount2(m->mnt_dir, MNT_DETACH) == 0)
                found = true;
        if (mounts)
            endmntent(mounts);
        if (!found)
            break;
    }
    /* Whether a trace can be opened at all, asked in a child: it mounts tracefs,
     * which is then taken off again, and its libtracefs remembers the mount. */
    int answer[2];
    if (pipe(answer) != 0) {
        snprintf(no_tracefs, sizeof no_tracefs, "no pipe (%s)", strerror(errno));
        return;
    }
    pid_t child = fork();
    if (child == 0) {
        char why[256];
        struct sl_filter f;
        sl_filter_init(&f);
        struct sl_trace *t = sl_trace_open(&f, why, sizeof why);
        sl_trace_close(t);
        _exit(write(answer[1], why, strlen(why)) < 0);
    }
    close(answer[1]);
    ssize_t n = child > 0 ? read(answer[0], no_tracefs, sizeof no_tracefs - 1) : -1;
    no_tracefs[n > 0 ? n : 0] = '\0';
    close(answer[0]);
    if (child > 0)
        waitpid(child, NULL, 0);
    umount2(TRACEFS, MNT_DETACH);                       /* back to "nobody mounted it" */
}

/* Skipped tests pass (cmocka's TAP writes a skip as "not ok", which the
 * suites count as a failure); main says once why they were skipped. */
static bool skipped(void)
{
    return no_tracefs[0] != '\0';
}

static bool instance_exists(pid_t pid)
{
    char path[96];
    snprintf(path, sizeof path, TRACEFS "/instances/sockdash-%d", (int)pid);
    return access(path, F_OK) == 0;
}

/* A connection to the listener, accepted and closed at both ends. */
static void connect_and_close(int listener)
{
    int client = sl_connect_to(listener, 2000);
    int server = sl_accept_within(listener, 2000);
    assert_true(server >= 0);
    close(client);
    close(server);
}

static bool touches(const struct sl_change *c, uint16_t port)
{
    return c->tuple.local_port == port || c->tuple.peer_port == port;
}

/* Read the trace until a change on `port` arrives (at most 3 s); every change
 * read is left in seen. */
static bool wait_for_port(struct sl_trace *t, uint16_t port, struct sl_changes *seen)
{
    double deadline = sl_clock_ms() + 3000;
    for (size_t checked = 0; sl_clock_ms() < deadline;) {
        struct pollfd p = { .fd = sl_trace_fd(t), .events = POLLIN };
        poll(&p, 1, 100);
        sl_trace_read(t, seen);
        for (; checked < seen->count; checked++)
            if (touches(&seen->items[checked], port))
                return true;
    }
    return false;
}

/* A child process with an open trace, until told to close it (a byte on
 * *quit) or killed. It says 'y' or 'n' on the returned descriptor. */
static pid_t tracing_child(const struct sl_filter *f, int *quit, int *ready)
{
    int to_child[2], from_child[2];
    assert_int_equal(pipe2(to_child, O_CLOEXEC), 0);
    assert_int_equal(pipe2(from_child, O_CLOEXEC), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(20);                                  /* never outlive a stuck test */
        close(to_child[1]);
        close(from_child[0]);
        char why[256], byte;
        struct sl_trace *t = sl_trace_open(f, why, sizeof why);
        if (write(from_child[1], t ? "y" : "n", 1) != 1 || read(to_child[0], &byte, 1) < 0)
            _exit(1);
        sl_trace_close(t);
        _exit(0);
    }
    close(to_child[0]);
    close(from_child[1]);
    *quit = to_child[1];
    *ready = from_child[0];
    return pid;
}

static char child_answer(int ready)
{
    char byte = 0;
    struct pollfd p = { .fd = ready, .events = POLLIN };
    if (poll(&p, 1, 5000) == 1 && read(ready, &byte, 1) != 1)
        byte = 0;
    close(ready);
    return byte;
}

static int reap(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void two_traces_at_once(void **state)
{
    (void)state;
    if (skipped())
        return;
    int listener = sl_listen_on("127.0.0.1", 0, 8);
    struct sl_filter f;
    sl_filter_init(&f);
    sl_filter_add_range(&f, sl_local_port(listener), sl_local_port(listener));

    int quit, ready;
    pid_t first = tracing_child(&f, &quit, &ready);     /* it finds tracefs unmounted */
    assert_int_equal(child_answer(ready), 'y');
    char why[256];
    struct sl_trace *second = sl_trace_open(&f, why, sizeof why);
    assert_non_null(second);

    close(quit);                                        /* the first one quits */
    assert_int_equal(reap(first), 0);
    assert_false(instance_exists(first));
    assert_int_equal(access(TRACEFS "/instances", F_OK), 0);   /* still mounted */
    assert_true(instance_exists(getpid()));

    struct sl_changes seen = { 0 };
    connect_and_close(listener);
    assert_true(wait_for_port(second, sl_local_port(listener), &seen));
    sl_changes_free(&seen);
    sl_trace_close(second);
    assert_false(instance_exists(getpid()));           /* nothing left in the kernel */
    close(listener);
}

static void killed_trace_is_cleaned_up(void **state)
{
    (void)state;
    if (skipped())
        return;
    struct sl_filter f;
    sl_filter_init(&f);
    int quit, ready, live_quit, live_ready;
    pid_t killed = tracing_child(&f, &quit, &ready);
    assert_int_equal(child_answer(ready), 'y');
    kill(killed, SIGKILL);
    reap(killed);
    close(quit);
    assert_true(instance_exists(killed));               /* what kill -KILL leaves */

    pid_t live = tracing_child(&f, &live_quit, &live_ready);
    assert_int_equal(child_answer(live_ready), 'y');

    /* A reader whose PID means nothing here (another PID namespace): an
     * instance named after a PID that is gone, its trace_pipe open. */
    pid_t elsewhere = fork();
    assert_true(elsewhere >= 0);
    if (elsewhere == 0)
        _exit(0);
    reap(elsewhere);
    char dir[96], pipe_path[128];
    snprintf(dir, sizeof dir, TRACEFS "/instances/sockdash-%d", (int)elsewhere);
    snprintf(pipe_path, sizeof pipe_path, "%s/trace_pipe", dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    int reading = open(pipe_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    assert_true(reading >= 0);

    char why[256];
    struct sl_trace *t = sl_trace_open(&f, why, sizeof why);
    assert_non_null(t);
    assert_false(instance_exists(killed));              /* removed: its PID is gone */
    assert_true(instance_exists(live));                 /* kept: it still runs */
    assert_true(instance_exists(elsewhere));            /* kept: still read */
    sl_trace_close(t);
    close(reading);
    assert_int_equal(rmdir(dir), 0);

    close(live_quit);
    assert_int_equal(reap(live), 0);
    assert_false(instance_exists(live));
}

static void sixteen_single_ports(void **state)
{
    (void)state;
    if (skipped())
        return;
    int listeners[SL_FILTER_MAX_RANGES + 1];
    struct sl_filter f;
    sl_filter_init(&f);
    for (int i = 0; i <= SL_FILTER_MAX_RANGES; i++) {
        listeners[i] = sl_listen_on("127.0.0.1", 0, 8);
        uint16_t port = sl_local_port(listeners[i]);
        if (i < SL_FILTER_MAX_RANGES)
            assert_true(sl_filter_add_range(&f, port, port));
    }
    uint16_t last = sl_local_port(listeners[SL_FILTER_MAX_RANGES - 1]);
    uint16_t outside = sl_local_port(listeners[SL_FILTER_MAX_RANGES]);

    char why[256];
    struct sl_trace *t = sl_trace_open(&f, why, sizeof why);
    assert_non_null(t);
    assert_string_equal(why, "");
    assert_int_equal(sl_trace_kernel_filter(t), SL_TRACE_FILTER_EXACT);

    struct sl_changes seen = { 0 };
    connect_and_close(listeners[SL_FILTER_MAX_RANGES]);    /* not ours: never reported */
    connect_and_close(listeners[SL_FILTER_MAX_RANGES - 1]);
    assert_true(wait_for_port(t, last, &seen));
    for (size_t i = 0; i < seen.count; i++)
        assert_false(touches(&seen.items[i], outside));
    sl_changes_free(&seen);
    sl_trace_close(t);
    for (int i = 0; i <= SL_FILTER_MAX_RANGES; i++)
        close(listeners[i]);
}

static int by_port(const void *a, const void *b)
{
    return sl_local_port(*(const int *)a) - sl_local_port(*(const int *)b);
}

/* With only the span of the ports filtered in the kernel, a port inside the
 * span but outside the filter is still not reported. */
static void coarse_kernel_filter(void **state)
{
    (void)state;
    if (skipped())
        return;
    int listeners[3];
    for (int i = 0; i < 3; i++)
        listeners[i] = sl_listen_on("127.0.0.1", 0, 8);
    qsort(listeners, 3, sizeof *listeners, by_port);
    uint16_t low = sl_local_port(listeners[0]), middle = sl_local_port(listeners[1]),
             high = sl_local_port(listeners[2]);
    struct sl_filter f;
    sl_filter_init(&f);
    sl_filter_add_range(&f, low, low);
    sl_filter_add_range(&f, high, high);

    char why[256];
    struct sl_trace *t = sl_trace_open_from(&f, SL_TRACE_FILTER_SPAN, why, sizeof why);
    assert_non_null(t);
    assert_int_equal(sl_trace_kernel_filter(t), SL_TRACE_FILTER_SPAN);

    struct sl_changes seen = { 0 };
    connect_and_close(listeners[1]);
    connect_and_close(listeners[2]);
    assert_true(wait_for_port(t, high, &seen));
    for (size_t i = 0; i < seen.count; i++)
        assert_false(touches(&seen.items[i], middle));
    sl_changes_free(&seen);
    sl_trace_close(t);
    for (int i = 0; i < 3; i++)
        close(listeners[i]);
}

int main(void)
{
    without_tracefs();
    if (no_tracefs[0])
        printf("# skip: the tracefs tests: %s\n", no_tracefs);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trace_lines_parse),
        cmocka_unit_test(filter_texts),
        cmocka_unit_test(two_traces_at_once),
        cmocka_unit_test(killed_trace_is_cleaned_up),
        cmocka_unit_test(sixteen_single_ports),
        cmocka_unit_test(coarse_kernel_filter),
    };
    return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
