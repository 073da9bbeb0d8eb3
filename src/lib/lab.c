/* lab.c — the step engine: steps, narration, results, expectations, pauses,
 * counted and handed to the chosen presenter (see lab.h). */
#include "lab_internal.h"

#include "socklab/check.h"
#include "socklab/clock.h"

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void locate_binary(struct sl_lab *lab, const char *argv0)
{
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n < 0)
        snprintf(path, sizeof path, "%s", argv0);
    else
        path[n] = '\0';
    snprintf(lab->exe_dir, sizeof lab->exe_dir, "%s", dirname(path));

    snprintf(path, sizeof path, "%s", argv0);
    snprintf(lab->program, sizeof lab->program, "%s", basename(path));
}

struct sl_lab *sl_lab_begin(int argc, char **argv, const struct sl_lab_info *info)
{
    struct sl_lab *lab = calloc(1, sizeof *lab);
    if (!lab) {
        fprintf(stderr, "socklab: out of memory\n");
        exit(2);
    }
    lab->info = info;
    lab->stream = stdout;
    locate_binary(lab, argv[0]);
    sl_lab_parse_options(lab, argc, argv);
    lab->out = lab->opt.json ? &sl_json_presenter : &sl_text_presenter;
    sl_guard_install();
    lab->out->start(lab);
    return lab;
}

static void finish(struct sl_lab *lab, bool quit)
{
    lab->out->end(lab, quit);
    sl_source_free(lab->source);
    sl_snapshot_free(&lab->observed);
}

int sl_lab_end(struct sl_lab *lab)
{
    finish(lab, false);
    int status = lab->failed ? 1 : 0;
    free(lab);
    return status;
}

const char *sl_lab_bind_ip(const struct sl_lab *lab)
{
    return lab->opt.bind_ip;
}

uint16_t sl_lab_port(const struct sl_lab *lab, int index)
{
    if (!lab->opt.base_port)
        return 0;
    if (index < 0 || index >= lab->info->ports) {
        fprintf(stderr, "socklab: lab asked for port %d but declares %d ports\n",
                index, lab->info->ports);
        exit(2);
    }
    return (uint16_t)(lab->opt.base_port + index);
}

void sl_lab_watch_port(struct sl_lab *lab, uint16_t port)
{
    for (int i = 0; i < lab->port_count; i++)
        if (lab->ports[i] == port)
            return;
    if (lab->port_count < SL_LAB_MAX_PORTS)
        lab->ports[lab->port_count++] = port;
}

bool sl_lab_flag(const struct sl_lab *lab, const char *name)
{
    for (int i = 0; lab->info->flags && lab->info->flags[i].name; i++)
        if (!strcmp(lab->info->flags[i].name, name))
            return lab->opt.flags[i];
    fprintf(stderr, "socklab: lab asked for flag --%s, which it does not declare\n", name);
    exit(2);
}

bool sl_lab_auto(const struct sl_lab *lab)
{
    return lab->opt.auto_mode;
}

/* The step's code is shown once, just before its first result, so that the
 * narration ("what we are about to do") comes first, then the code, then what
 * the kernel answered. */
void sl_lab_flush_source(struct sl_lab *lab)
{
    if (!lab->source_pending)
        return;
    lab->source_pending = false;
    if (lab->opt.no_source)
        return;
    if (!lab->source)
        lab->source = sl_source_load(lab->exe_dir, lab->step_file);
    struct sl_excerpt excerpt;
    if (lab->source && sl_source_excerpt(lab->source, lab->step_line, &excerpt))
        lab->out->source(lab, &excerpt);
}

static char *format(const char *fmt, va_list ap)
{
    char *text;
    if (vasprintf(&text, fmt, ap) < 0) {
        fprintf(stderr, "socklab: out of memory\n");
        exit(2);
    }
    return text;
}

void sl_lab_step(struct sl_lab *lab, const char *file, int line, const char *fmt, ...)
{
    sl_lab_flush_source(lab);                   /* a step with no results still shows its code */
    va_list ap;
    va_start(ap, fmt);
    char *title = format(fmt, ap);
    va_end(ap);
    lab->step++;
    lab->step_file = file;
    lab->step_line = line;
    lab->source_pending = true;
    lab->out->step(lab, title);
    free(title);
}

void sl_lab_say(struct sl_lab *lab, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = format(fmt, ap);
    va_end(ap);
    lab->out->say(lab, text);
    free(text);
}

void sl_lab_show(struct sl_lab *lab, const char *fmt, ...)
{
    sl_lab_flush_source(lab);
    va_list ap;
    va_start(ap, fmt);
    char *text = format(fmt, ap);
    va_end(ap);
    lab->out->show(lab, text);
    free(text);
}

bool sl_lab_expect(struct sl_lab *lab, const char *file, int line, bool ok,
                   const char *fmt, ...)
{
    int saved = errno;
    sl_lab_flush_source(lab);
    va_list ap;
    va_start(ap, fmt);
    char *claim = format(fmt, ap);
    va_end(ap);
    lab->expectations++;
    if (!ok)
        lab->failed++;
    lab->out->expect(lab, claim, ok, file, line);
    free(claim);
    errno = saved;
    return ok;
}

void sl_lab_call_start(struct sl_lab *lab)
{
    int saved = errno;
    sl_lab_flush_source(lab);
    lab->call_started_ms = sl_clock_ms();
    errno = saved;
}

long sl_lab_call_done(struct sl_lab *lab, const char *call_text, long result)
{
    int err = errno;                      /* first thing: the call's own errno */
    struct sl_call_report report = {
        .text = call_text,
        .result = result,
        .err = result == -1 ? err : 0,
        .ms = sl_clock_ms() - lab->call_started_ms,
    };
    lab->out->call(lab, &report);
    errno = err;
    return result;
}

/* ss and netstat command lines that show exactly the lab's ports. */
static int pause_hints(const struct sl_lab *lab, char *ss, char *netstat, size_t len)
{
    if (!lab->port_count)
        return 0;
    size_t a = (size_t)snprintf(ss, len, "ss -tano '(");
    size_t b = (size_t)snprintf(netstat, len, "netstat -tano | grep -E ':(");
    for (int i = 0; i < lab->port_count && a < len && b < len; i++) {
        a += (size_t)snprintf(ss + a, len - a, "%s sport = :%u or dport = :%u",
                              i ? " or" : "", lab->ports[i], lab->ports[i]);
        b += (size_t)snprintf(netstat + b, len - b, "%s%u", i ? "|" : "", lab->ports[i]);
    }
    if (a < len)
        snprintf(ss + a, len - a, " )'");
    if (b < len)
        snprintf(netstat + b, len - b, ")[[:space:]]'");
    return 2;
}

void sl_lab_pause(struct sl_lab *lab, const char *fmt, ...)
{
    sl_lab_flush_source(lab);
    va_list ap;
    va_start(ap, fmt);
    char *look = format(fmt, ap);
    va_end(ap);
    char ss[1024], netstat[1024];
    const char *hints[] = { ss, netstat };
    int count = pause_hints(lab, ss, netstat, sizeof ss);
    bool go_on = lab->out->pause(lab, look, hints, count);
    free(look);
    if (!go_on) {                         /* q: end here, cleanly */
        finish(lab, true);
        int status = lab->failed ? 1 : 0;
        free(lab);
        exit(status);                     /* the guard reaps children at exit */
    }
}

pid_t sl_lab_fork(struct sl_lab *lab)
{
    fflush(lab->stream);
    fflush(stderr);
    pid_t pid = (pid_t)CHECK(fork());
    if (pid == 0)
        sl_guard_in_child();
    else
        sl_guard_add_child(pid);
    return pid;
}

bool sl_lab_wait_child(struct sl_lab *lab, pid_t pid, int timeout_ms, int *status)
{
    (void)lab;
    double deadline = sl_clock_ms() + timeout_ms;
    for (;;) {
        pid_t done = waitpid(pid, status, WNOHANG);
        if (done == pid) {
            sl_guard_forget_child(pid);
            return true;
        }
        if (done == -1 && errno != EINTR)
            CHECK(done);
        if (sl_clock_ms() >= deadline)
            break;
        sl_sleep_ms(2);
    }
    kill(pid, SIGKILL);                   /* bounded: a child that hangs is ended */
    waitpid(pid, status, 0);
    sl_guard_forget_child(pid);
    return false;
}

const char *sl_wait_status_describe(int status, char *buf, size_t len)
{
    if (WIFEXITED(status))
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, len, "killed by SIG%s", sigabbrev_np(WTERMSIG(status))
                 ? sigabbrev_np(WTERMSIG(status)) : "?");
    else
        snprintf(buf, len, "wait status 0x%x", (unsigned)status);
    return buf;
}
