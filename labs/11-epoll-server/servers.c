/* labs/11-epoll-server/servers.c — start, stop, freeze and measure the two
 * servers lab 11 compares, each in a child process of the lesson. */
#include "servers.h"

#include "server.h"

#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/lab.h"
#include "socklab/net.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The descriptor the child serves its listener on when its limit is lowered. */
#define CHILD_LISTENER 3

void server_open(struct sl_lab *lab, struct lab_server *s, enum server_kind kind,
                 int port_index)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    uint16_t port = sl_lab_port(lab, port_index);
    if (kind == SERVER_NOTES) {
        s->name = _("the notes' server");
        s->listener = notes_server_listen(sl_lab_bind_ip(lab), port);
        s->report = mmap(NULL, sizeof *s->report, PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        CHECK(s->report == MAP_FAILED ? -1 : 0);
    } else {
        s->name = _("the correct server");
        s->listener = sl_listen_on(sl_lab_bind_ip(lab), port, SOMAXCONN);
    }
    s->port = sl_local_port(s->listener);
    sl_lab_track_port(lab, s->port);
}

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* In the child: only the listener stays open (on CHILD_LISTENER), so the
 * lesson's other sockets are not held by the server and the limit counts
 * the server's own descriptors. */
static int keep_only_listener(int listener, int nofile)
{
    if (listener != CHILD_LISTENER && dup2(listener, CHILD_LISTENER) < 0)
        _exit(2);
    if (close_range(CHILD_LISTENER + 1, ~0U, 0) < 0)        /* before Linux 5.9 */
        for (long fd = CHILD_LISTENER + 1, open_max = sysconf(_SC_OPEN_MAX);
             fd < open_max && fd < 65536; fd++)
            close((int)fd);
    if (nofile > 0) {
        struct rlimit limit = { (rlim_t)nofile, (rlim_t)nofile };
        if (setrlimit(RLIMIT_NOFILE, &limit) < 0)
            _exit(2);
    }
    return CHILD_LISTENER;
}

_Noreturn static void run_correct(int listener, const struct server_setup *setup)
{
    struct sigaction sa = { .sa_handler = on_stop };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    struct http_server_config cfg = {
        .listen_fd = listener,
        .root = setup->root,
        .idle_timeout_ms = setup->idle_timeout_ms,
        .header_timeout_ms = setup->header_timeout_ms,
        .shutdown_ms = 500,
        .stats = setup->stats,
        .without = setup->without,
    };
    _exit(http_server_run(&cfg, &stop_requested) == 0 ? 0 : 1);
}

void server_start(struct sl_lab *lab, struct lab_server *s, const struct server_setup *setup)
{
    static const struct server_setup defaults = { 0 };
    if (!setup)
        setup = &defaults;
    if (s->report)
        memset(s->report, 0, sizeof *s->report);
    s->pid = sl_lab_fork(lab);
    if (s->pid > 0)
        return;
    int listener = keep_only_listener(s->listener, setup->nofile);
    if (s->kind == SERVER_NOTES)
        notes_server_loop(listener, setup->reply ? setup->reply : notes_reply_page(),
                          s->report);
    run_correct(listener, setup);
}

int server_stop(struct sl_lab *lab, struct lab_server *s)
{
    int status = 0;
    if (s->pid <= 0)
        return 0;
    kill(s->pid, SIGCONT);                      /* in case it was frozen */
    kill(s->pid, SIGTERM);
    sl_lab_wait_child(lab, s->pid, 2000, &status);
    s->pid = 0;
    /* What the child left in the accept queue would greet the next one: the
     * lesson takes it and closes it, so that every scenario starts clean. */
    int fd;
    while (sl_wait_fd(s->listener, POLLIN, 0) && (fd = accept(s->listener, NULL, NULL)) >= 0)
        close(fd);
    return status;
}

void server_close(struct lab_server *s)
{
    close(s->listener);
    if (s->report)
        munmap(s->report, sizeof *s->report);
    s->report = NULL;
}

/* The state letter of a process in /proc/PID/stat ('R', 'S', 'T'...), or 0. */
static char process_state(pid_t pid, unsigned long *utime, unsigned long *stime)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *after = strrchr(text, ')');      /* the command may hold spaces */
    char state = 0;
    unsigned long u = 0, st = 0;
    if (after && sscanf(after + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                        &state, &u, &st) != 3)
        return 0;
    if (utime)
        *utime = u;
    if (stime)
        *stime = st;
    return state;
}

bool server_freeze(struct lab_server *s, bool frozen)
{
    kill(s->pid, frozen ? SIGSTOP : SIGCONT);
    double deadline = sl_clock_ms() + 2000;
    while (sl_clock_ms() < deadline) {
        char state = process_state(s->pid, NULL, NULL);
        if (frozen ? state == 'T' : state != 'T' && state != 0)
            return true;
        sl_sleep_ms(1);
    }
    return false;
}

/* The child's CPU and runnable time so far (runnable -1 without schedstat). */
static struct server_cpu cpu_so_far(const struct lab_server *s)
{
    struct server_cpu cpu = { 0, -1, sl_clock_ms() };
    unsigned long utime = 0, stime = 0;
    if (process_state(s->pid, &utime, &stime))
        cpu.cpu_ms = (double)(utime + stime) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/schedstat", (int)s->pid);
    FILE *f = fopen(path, "r");
    unsigned long long ran_ns, waited_ns;
    if (f && fscanf(f, "%llu %llu", &ran_ns, &waited_ns) == 2)
        cpu.runnable_ms = (double)(ran_ns + waited_ns) / 1e6;
    if (f)
        fclose(f);
    return cpu;
}

struct server_cpu server_cpu_over(const struct lab_server *s, int ms)
{
    struct server_cpu before = cpu_so_far(s);
    sl_sleep_ms(ms);
    struct server_cpu after = cpu_so_far(s);
    return (struct server_cpu){
        .cpu_ms = after.cpu_ms - before.cpu_ms,
        .runnable_ms = before.runnable_ms < 0 ? -1 : after.runnable_ms - before.runnable_ms,
        .wall_ms = after.wall_ms - before.wall_ms,
    };
}

const struct notes_reply *notes_reply_page(void)
{
    static char bytes[8192];
    static struct notes_reply reply;
    if (reply.len == 0) {
        int n = snprintf(bytes, sizeof bytes,
                         "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                         "Content-Length: %zu\r\n\r\n%s",
                         http_builtin_page_len, http_builtin_page);
        reply.bytes = bytes;
        reply.len = n > 0 && (size_t)n < sizeof bytes ? (size_t)n : 0;
    }
    return &reply;
}
