/* lab.c — the step engine: steps, narration, results, expectations, pauses,
 * counted and handed to the chosen presenter (see lab.h). */
#include "lab_internal.h"

#include "socklab/addr.h"
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/i18n.h"
#include "socklab/netns.h"
#include "socklab/sysctl.h"

#include <errno.h>
#include <inttypes.h>
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

/* The lab that is running, for the error family's "step N (title)": one lab
 * a process, and the messages can come from any depth. */
static const struct sl_lab *running;

static void describe_step(char *buf, size_t len)
{
    if (running && running->step > 0)
        snprintf(buf, len, _("step %d (%s)"), running->step, running->step_title);
    else
        buf[0] = '\0';
}

/* The lab's title, goal and flags' help are kept in tables (marked N_() in
 * the lab): the engine shows them in the user's language everywhere. */
static const char *shown(const char *text)
{
    return text && *text ? _(text) : text;   /* gettext("") is the catalog's header */
}

static void translate_info(struct sl_lab *lab, const struct sl_lab_info *info)
{
    lab->info_shown = *info;
    lab->info_shown.title = shown(info->title);
    lab->info_shown.goal = shown(info->goal);
    if (info->flags) {
        int n = 0;
        for (; info->flags[n].name && n < SL_LAB_MAX_FLAGS; n++) {
            lab->flags_shown[n] = info->flags[n];
            lab->flags_shown[n].help = shown(info->flags[n].help);
        }
        lab->flags_shown[n] = (struct sl_lab_flag){ NULL, NULL };
        lab->info_shown.flags = lab->flags_shown;
    }
    lab->info = &lab->info_shown;
}

struct sl_lab *sl_lab_begin_in(const char *file, const char *function, int argc, char **argv,
                               const struct sl_lab_info *info)
{
    struct sl_lab *lab = calloc(1, sizeof *lab);
    if (!lab)
        sl_die("out of memory");
    lab->info = info;
    lab->stream = stdout;
    lab->argc = argc;
    lab->argv = calloc((size_t)argc + 1, sizeof *lab->argv);
    if (!lab->argv)
        sl_die("out of memory");
    memcpy(lab->argv, argv, (size_t)argc * sizeof *argv);  /* as given: getopt reorders argv */
    locate_binary(lab, argv[0]);
    /* The user's language and characters (UTF-8 or not, for widths and
     * punctuation); numbers stay in the C locale, as JSON needs them. */
    sl_i18n_init();
    translate_info(lab, info);
    lab->started_ms = sl_clock_ms();
    sl_lab_parse_options(lab, argc, argv);
    lab->step_count = sl_lab_count_steps(lab->exe_dir, file, function);
    if (lab->step_count && lab->opt.from > lab->step_count)
        sl_usage_error(lab->program, "--from %d: this lab has %d steps; choose one of 1 to %d.",
                       lab->opt.from, lab->step_count, lab->step_count);
    if (!lab->opt.json && !lab->opt.tui && !lab->opt.auto_mode &&
        isatty(STDIN_FILENO) && !isatty(fileno(lab->stream))) {
        fprintf(stderr, _("%s: the output is not a terminal, so nobody can read a pause: "
                          "running straight through, as with --auto.\n"), lab->program);
        lab->opt.auto_mode = true;
    }
    if (!isatty(STDIN_FILENO))
        lab->opt.auto_mode = true;              /* no keyboard: nobody to wait for */
    if (lab->opt.tui && !&sl_tui_presenter)
        sl_usage_error(lab->program, "this program was built without the full-screen presenter; "
                       "run it without --tui.");
    sl_lab_network_enter(lab);                  /* --private: the ports checked are its own */
    sl_lab_check_setup(lab);
    if (lab->opt.check_only)
        exit(SL_EXIT_OK);                       /* --check: the lab could run */
    lab->presenter = lab->opt.json ? &sl_json_presenter
                   : lab->opt.tui ? &sl_tui_presenter : &sl_text_presenter;
    lab->out = lab->presenter;
    sl_guard_install();
    lab->diag = sl_diag_channel_open();         /* NULL: each look opens its own */
    running = lab;
    sl_error_context(describe_step);
    lab->presenter->start(lab);
    sl_lab_network_started(lab);
    return lab;
}

int sl_lab_status(const struct sl_lab *lab)
{
    if (lab->outcomes[SL_OUTCOME_FAILED])
        return SL_EXIT_FAILED;
    if (lab->outcomes[SL_OUTCOME_INCONCLUSIVE])
        return SL_EXIT_INCONCLUSIVE;
    return SL_EXIT_OK;
}

static void finish(struct sl_lab *lab, bool quit)
{
    sl_lab_wire_step_end(lab);            /* the last step's segments, before the totals */
    lab->presenter->end(lab, quit);
    sl_lab_wire_close(lab);
    sl_error_context(NULL);
    running = NULL;
    sl_lab_code_free(lab->code);
    sl_snapshot_free(&lab->observed);
    sl_lab_observe_end(lab);
    sl_diag_channel_close(lab->diag);
    lab->diag = NULL;
    free(lab->step_title);
    lab->step_title = NULL;
}

static void free_lab(struct sl_lab *lab)
{
    free(lab->argv);
    free(lab);
}

/* A step that --from runs without pausing is over: the presenter sums it up. */
static void end_replay(struct sl_lab *lab)
{
    if (lab->out != &sl_replay_presenter || lab->step == 0)
        return;
    lab->out = lab->presenter;
    if (lab->presenter->replayed)
        lab->presenter->replayed(lab, lab->replay_outcomes);
}

/* The pause that ends every step on a terminal, unless the step ended with a
 * named pause already. */
static void end_of_step(struct sl_lab *lab)
{
    sl_lab_flush_source(lab);
    if (lab->step == 0 || lab->paused_last || lab->opt.auto_mode)
        return;
    lab->paused_last = true;
    sl_lab_act_on(lab, lab->out->step_done(lab));
}

int sl_lab_end(struct sl_lab *lab)
{
    end_of_step(lab);
    end_replay(lab);
    finish(lab, false);
    int status = sl_lab_status(lab);
    free_lab(lab);
    return status;
}

void sl_lab_stop(struct sl_lab *lab, bool quit, int status)
{
    finish(lab, quit);
    free_lab(lab);
    exit(status);                         /* the guard reaps children at exit */
}

/* The lab's command line without its --from, then "--from N" (N > 1). */
static char **command_from(const struct sl_lab *lab, int from, char *number, size_t len)
{
    char **args = calloc((size_t)lab->argc + 3, sizeof *args);
    if (!args)
        sl_die("out of memory");
    int n = 0;
    for (int i = 0; i < lab->argc; i++) {
        if (i > 0 && !strcmp(lab->argv[i], "--from")) {
            i++;                          /* and its value */
            continue;
        }
        if (i > 0 && !strncmp(lab->argv[i], "--from=", 7))
            continue;
        args[n++] = lab->argv[i];
    }
    if (from > 1) {
        snprintf(number, len, "%d", from);
        args[n++] = "--from";
        args[n++] = number;
    }
    return args;
}

/* r and b: the kernel cannot be rewound, so the lab runs again, in this
 * process (the launcher's menu and the classroom's pane keep waiting for it):
 * what this run holds is released first (its children killed and reaped, its
 * descriptors closed by the exec, the terminal restored), then the program
 * starts over with --from, which runs the steps before `from` without
 * pausing. */
static _Noreturn void run_again(struct sl_lab *lab, int from)
{
    finish(lab, true);
    char note[256];
    if (from > 2)
        snprintf(note, sizeof note, _("== back to step %d: the kernel cannot be rewound, so the "
                                      "lab starts again and runs steps 1 to %d without "
                                      "pausing =="), from, from - 1);
    else if (from == 2)
        snprintf(note, sizeof note, "%s", _("== back to step 2: the kernel cannot be rewound, "
                                            "so the lab starts again and runs step 1 without "
                                            "pausing =="));
    else if (lab->private_net)
        snprintf(note, sizeof note, "%s", _("== the lab starts again from step 1, in a fresh "
                                            "network: what this run left closing goes with "
                                            "the old one =="));
    else
        snprintf(note, sizeof note, "%s", _("== the lab starts again from step 1; the kernel "
                                            "cannot be rewound: what this run left closing "
                                            "stays =="));
    sl_lab_print_note(lab, note);
    fflush(lab->stream);
    fflush(stderr);
    sl_guard_release();
    sl_lab_network_again(lab);            /* --private: the next run makes a fresh one */
    char number[16];
    char **args = command_from(lab, from, number, sizeof number);
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);  /* the first run's sockets close at the exec */
    execv("/proc/self/exe", args);
    sl_die_errno(errno, "cannot start %s again", lab->program);
}

void sl_lab_act_on(struct sl_lab *lab, enum sl_lab_choice choice)
{
    switch (choice) {
    case SL_CHOICE_GO_ON:
        return;
    case SL_CHOICE_QUIT:
        sl_lab_stop(lab, true, sl_lab_status(lab));
    case SL_CHOICE_RESTART:
        run_again(lab, 1);
    case SL_CHOICE_BACK:
        run_again(lab, lab->step > 1 ? lab->step - 1 : 1);
    }
}

void sl_lab_setup_error(struct sl_lab *lab, const char *fmt, ...)
{
    char *what;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&what, _(fmt), ap) < 0)
        what = NULL;
    va_end(ap);
    fflush(lab->stream);
    char where[160];
    describe_step(where, sizeof where);
    if (where[0])
        fprintf(stderr, _("%s: %s: set-up error, not the lesson: %s\n"), lab->program, where,
                what ? what : fmt);
    else
        fprintf(stderr, _("%s: set-up error, not the lesson: %s\n"), lab->program,
                what ? what : fmt);
    free(what);
    running = NULL;                       /* the end event must not report a step twice */
    sl_lab_stop(lab, true, SL_EXIT_USAGE);
}

const char *sl_lab_bind_ip(const struct sl_lab *lab)
{
    return lab->opt.bind_ip;
}

uint16_t sl_lab_port(const struct sl_lab *lab, int index)
{
    if (!lab->opt.base_port)
        return 0;
    if (index < 0 || index >= lab->info->ports)
        sl_die("the lab asked for port %d but declares %d ports", index, lab->info->ports);
    return (uint16_t)(lab->opt.base_port + index);
}

void sl_lab_track_port(struct sl_lab *lab, uint16_t port)
{
    for (int i = 0; i < lab->port_count; i++)
        if (lab->ports[i] == port)
            return;
    if (lab->port_count < SL_LAB_MAX_PORTS)
        lab->ports[lab->port_count++] = port;
    sl_lab_wire_track(lab, port);
}

socklen_t sl_lab_address(const struct sl_lab *lab, uint16_t port, struct sockaddr_storage *addr)
{
    socklen_t len;
    const char *why;
    if (!sl_addr_parse_ip(lab->opt.bind_ip, port, addr, &len, &why))
        sl_die("the lab's address '%s': %s", lab->opt.bind_ip, why);  /* checked at start */
    return len;
}

void sl_lab_untrack_all(struct sl_lab *lab)
{
    lab->port_count = 0;
}

void sl_lab_follow(struct sl_lab *lab, int fd, struct sl_tuple *tuple)
{
    if (!sl_tuple_of_fd(fd, tuple))
        sl_die_errno(errno, "cannot read the addresses of descriptor %d", fd);
    sl_lab_track_port(lab, tuple->local_port);
}

void sl_lab_follow_pair(struct sl_lab *lab, const int pair[2], struct sl_tuple *client,
                        struct sl_tuple *server)
{
    if (!sl_tuple_of_fd(pair[0], client))
        sl_die_errno(errno, "cannot read the addresses of the client's descriptor");
    sl_lab_follow(lab, pair[1], server);
}

long sl_lab_sysctl(struct sl_lab *lab, const char *name)
{
    long value;
    return sl_lab_sysctl_values(lab, name, &value, 1) >= 1 ? value : -1;
}

/* A setting is shown as read, before the step's code: it is the stage the
 * step plays on, not one of its results. */
int sl_lab_sysctl_values(struct sl_lab *lab, const char *name, long *values, int room)
{
    int n = sl_sysctl_read(name, values, room);
    char text[256];
    size_t used = (size_t)snprintf(text, sizeof text, n < 0 ? _("%s: not on this kernel")
                                                            : "%s =", name);
    for (int i = 0; i < n && used < sizeof text; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, " %ld", values[i]);
    lab->paused_last = false;
    lab->out->show(lab, text);
    return n < 0 ? 0 : n;
}

/* CAP_NET_ADMIN in the effective set: over the machine as root, over its own
 * network with --private. */
bool sl_lab_privileged(const struct sl_lab *lab)
{
    (void)lab;
    return sl_netns_capable(12);          /* CAP_NET_ADMIN */
}

bool sl_lab_flag(const struct sl_lab *lab, const char *name)
{
    for (int i = 0; lab->info->flags && lab->info->flags[i].name; i++)
        if (!strcmp(lab->info->flags[i].name, name))
            return lab->opt.flags[i];
    sl_die("the lab asked for flag --%s, which it does not declare", name);
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
    if (lab->code && (!lab->code_file || strcmp(lab->code_file, lab->step_file) != 0)) {
        sl_lab_code_free(lab->code);            /* this step is in another file */
        lab->code = NULL;
    }
    if (!lab->code) {
        lab->code = sl_lab_code_load(lab->exe_dir, lab->step_file);
        lab->code_file = lab->step_file;
    }
    struct sl_excerpt excerpt;
    if (lab->code && sl_lab_code_excerpt(lab->code, lab->step_line, &excerpt)) {
        lab->out->source(lab, &excerpt);
        sl_excerpt_free(&excerpt);
    }
}

/* A lab's words in the user's language: the format string it handed the
 * engine is translated before it is formatted (i18n.h), so a lab's source
 * carries no markers; xgettext knows these functions (the Makefile's po). */
static char *format(const char *fmt, va_list ap)
{
    char *text;
    if (vasprintf(&text, _(fmt), ap) < 0)
        sl_die("out of memory");
    return text;
}

void sl_lab_step(struct sl_lab *lab, const char *file, int line, const char *fmt, ...)
{
    end_of_step(lab);                           /* the previous step's pause */
    sl_lab_wire_step_end(lab);                  /* its segments, even those of a replay */
    end_replay(lab);
    va_list ap;
    va_start(ap, fmt);
    free(lab->step_title);
    lab->step_title = format(fmt, ap);
    va_end(ap);
    lab->step++;
    lab->step_file = file;
    lab->step_line = line;
    lab->source_pending = true;
    lab->paused_last = false;
    lab->wait_busy = false;                     /* a wait of the step before speaks for it */
    if (lab->step < lab->opt.from) {            /* --from: this one runs without pausing */
        lab->out = &sl_replay_presenter;
        memcpy(lab->replay_outcomes, lab->outcomes, sizeof lab->outcomes);
    }
    lab->out->step(lab, lab->step_title);
}

void sl_lab_say(struct sl_lab *lab, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = format(fmt, ap);
    va_end(ap);
    lab->paused_last = false;
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
    lab->paused_last = false;
    lab->out->show(lab, text);
    free(text);
}

const char *sl_outcome_name(enum sl_outcome outcome)
{
    static const char *const names[] = {
        [SL_OUTCOME_HELD] = "held", [SL_OUTCOME_FAILED] = "failed",
        [SL_OUTCOME_SKIPPED] = "skipped", [SL_OUTCOME_INCONCLUSIVE] = "inconclusive",
    };
    return (unsigned)outcome < 4 ? names[outcome] : "?";
}

bool sl_lab_expect(struct sl_lab *lab, const char *file, int line, enum sl_outcome outcome,
                   const char *why, const char *fmt, ...)
{
    int saved = errno;
    sl_lab_flush_source(lab);
    va_list ap;
    va_start(ap, fmt);
    char *claim = format(fmt, ap);
    va_end(ap);
    if (outcome == SL_OUTCOME_FAILED && lab->wait_busy) {
        outcome = SL_OUTCOME_INCONCLUSIVE;      /* the machine kept the state away: */
        why = NULL;                             /* the busy wait's reason, not the claim's */
    }
    if (outcome == SL_OUTCOME_INCONCLUSIVE && !why)
        why = lab->again_why[0] ? lab->again_why : N_("the measurement was spoiled");
    why = shown(why);                     /* lab_skip's reason, as the claim */
    lab->expectations++;
    lab->outcomes[outcome]++;
    lab->paused_last = false;
    struct sl_expectation e = {
        .claim = claim, .outcome = outcome, .why = why, .file = file, .line = line,
    };
    lab->out->expect(lab, &e);
    free(claim);
    lab->again_why[0] = '\0';
    lab->wait_busy = false;
    errno = saved;
    return outcome == SL_OUTCOME_HELD;
}

bool sl_lab_again(struct sl_lab *lab, int *attempt, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lab->again_why, sizeof lab->again_why, _(fmt), ap);
    va_end(ap);
    if (++*attempt >= SL_LAB_ATTEMPTS)
        return false;
    sl_lab_show(lab, "the machine spoiled this measurement (%s): taking it again, "
                     "attempt %d of %d", lab->again_why, *attempt + 1, SL_LAB_ATTEMPTS);
    return true;
}

double sl_lab_last_call_ms(const struct sl_lab *lab)
{
    return lab->last_call_ms;
}

void sl_lab_call_start(struct sl_lab *lab)
{
    int saved = errno;
    sl_lab_flush_source(lab);
    sl_lab_wire_read(lab);                /* before the call's clock starts, never during */
    lab->call_started_ms = sl_clock_ms();
    errno = saved;
}

long sl_lab_call_done(struct sl_lab *lab, int line, const char *call_text, long result)
{
    int err = errno;                      /* first thing: the call's own errno */
    lab->call_ended_ms = sl_clock_ms();
    lab->last_call_ms = lab->call_ended_ms - lab->call_started_ms;
    lab->call_text = call_text;
    lab->call_line = line;
    lab->calls++;
    struct sl_call_report report = {
        .text = call_text,
        .line = line,
        .result = result,
        .err = result == -1 ? err : 0,
        .ms = lab->last_call_ms,
    };
    lab->paused_last = false;
    lab->out->call(lab, &report);
    sl_lab_wire_read(lab);                /* the call's segments, under its result */
    errno = err;
    return result;
}

static int port_order(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* How many ports one of netstat's grep patterns names: a pattern is one
 * word of the command, short enough for a line of its own at 80 columns. */
#define PORTS_A_PATTERN 6

/* ss and netstat command lines that show exactly the lab's ports; a run of
 * consecutive ports (--port N gives them) is one range, to keep it short.
 * Each port (or range) is a quoted word of its own, joined by `or` (ss reads
 * its filter across words), and netstat's grep takes a pattern for every
 * few ports: a presenter may break the command between any two words, with
 * a backslash, and what is on screen still runs. */
static int pause_hints(const struct sl_lab *lab, char *ss, char *netstat, size_t len)
{
    if (!lab->port_count)
        return 0;
    uint16_t ports[SL_LAB_MAX_PORTS];
    int n = lab->port_count;
    memcpy(ports, lab->ports, (size_t)n * sizeof ports[0]);
    qsort(ports, (size_t)n, sizeof ports[0], port_order);
    /* A private network is not the terminal's: socklab ss enters it. */
    const char *in = lab->private_net ? "socklab " : "";
    size_t a = (size_t)snprintf(ss, len, "%sss -tano", in);
    for (int i = 0, first = 1; i < n && a < len; first = 0) {
        int j = i;
        while (j + 1 < n && ports[j + 1] == ports[j] + 1)
            j++;
        if (j == i)
            a += (size_t)snprintf(ss + a, len - a, "%s '( sport = :%u or dport = :%u )'",
                                  first ? "" : " or", ports[i], ports[i]);
        else
            a += (size_t)snprintf(ss + a, len - a,
                                  "%s '( sport >= :%u and sport <= :%u )'"
                                  " or '( dport >= :%u and dport <= :%u )'",
                                  first ? "" : " or", ports[i], ports[j], ports[i], ports[j]);
        i = j + 1;
    }
    size_t b = (size_t)snprintf(netstat, len, "%snetstat -tano | grep -E", in);
    for (int i = 0; i < n && b < len; i += PORTS_A_PATTERN) {
        b += (size_t)snprintf(netstat + b, len - b, "%s':(", n > PORTS_A_PATTERN ? " -e " : " ");
        for (int k = i; k < n && k < i + PORTS_A_PATTERN && b < len; k++)
            b += (size_t)snprintf(netstat + b, len - b, "%s%u", k == i ? "" : "|", ports[k]);
        if (b < len)
            b += (size_t)snprintf(netstat + b, len - b, ")[[:space:]]'");
    }
    return 2;
}

void sl_lab_pause(struct sl_lab *lab, const char *fmt, ...)
{
    sl_lab_flush_source(lab);
    va_list ap;
    va_start(ap, fmt);
    char *look = format(fmt, ap);
    va_end(ap);
    sl_lab_wire_read(lab);
    char ss[1024], netstat[1024];
    const char *hints[] = { ss, netstat };
    int count = pause_hints(lab, ss, netstat, sizeof ss);
    enum sl_lab_choice choice = lab->out->pause(lab, look, hints, count);
    free(look);
    lab->paused_last = true;
    sl_lab_act_on(lab, choice);
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
        snprintf(buf, len, _("exited with status %d"), WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, len, _("killed by SIG%s"), sigabbrev_np(WTERMSIG(status))
                 ? sigabbrev_np(WTERMSIG(status)) : "?");
    else
        snprintf(buf, len, _("wait status 0x%x"), (unsigned)status);
    return buf;
}

/* "3 held, 1 skipped": the outcomes counted in o, held always, the others
 * when there are any; each count a phrase of its own, joined as the
 * language joins a list. */
void sl_lab_count_outcomes(const int o[4], bool failed_always, char *buf, size_t len)
{
    static const char *const phrase[] = {
        [SL_OUTCOME_HELD] = N_("%d held"), [SL_OUTCOME_FAILED] = N_("%d failed"),
        [SL_OUTCOME_SKIPPED] = N_("%d skipped"), [SL_OUTCOME_INCONCLUSIVE] = N_("%d inconclusive"),
    };
    size_t n = 0;
    buf[0] = '\0';
    for (int i = SL_OUTCOME_HELD; i <= SL_OUTCOME_INCONCLUSIVE && n < len; i++) {
        if (i != SL_OUTCOME_HELD && !o[i] && !(i == SL_OUTCOME_FAILED && failed_always))
            continue;
        if (n)                           /* TRANSLATORS: between the counts of a list */
            n += (size_t)snprintf(buf + n, len - n, "%s", _(", "));
        if (n < len)
            n += (size_t)snprintf(buf + n, len - n, _(phrase[i]), o[i]);
    }
}

void sl_lab_replayed_line(const struct sl_lab *lab, const int before[4], char *buf, size_t len)
{
    int o[4];
    for (int i = 0; i < 4; i++)
        o[i] = lab->outcomes[i] - before[i];
    char counts[256];
    sl_lab_count_outcomes(o, false, counts, sizeof counts);
    snprintf(buf, len, _("%d. %s: %s"), lab->step, lab->step_title, counts);
}

/* --- a step that --from runs without pausing --------------------------------
 * Nothing of it is shown but what must not go unseen: an expectation that
 * failed or stayed inconclusive, and a long wait (its countdown takes q). */

static void replay_start(struct sl_lab *lab) { (void)lab; }
static void replay_text(struct sl_lab *lab, const char *text) { (void)lab; (void)text; }
static void replay_source(struct sl_lab *lab, const struct sl_excerpt *excerpt)
{
    (void)lab;
    (void)excerpt;
}
static void replay_call(struct sl_lab *lab, const struct sl_call_report *report)
{
    (void)lab;
    (void)report;
}
static void replay_observe(struct sl_lab *lab, const struct sl_snapshot *snap)
{
    (void)lab;
    (void)snap;
}
static void replay_end(struct sl_lab *lab, bool quit) { (void)lab; (void)quit; }

static void replay_expect(struct sl_lab *lab, const struct sl_expectation *e)
{
    if (e->outcome == SL_OUTCOME_FAILED || e->outcome == SL_OUTCOME_INCONCLUSIVE)
        lab->presenter->expect(lab, e);
}

static enum sl_lab_choice replay_pause(struct sl_lab *lab, const char *look,
                                       const char *const *hints, int count)
{
    (void)lab;
    (void)look;
    (void)hints;
    (void)count;
    return SL_CHOICE_GO_ON;
}

static enum sl_lab_choice replay_step_done(struct sl_lab *lab)
{
    (void)lab;
    return SL_CHOICE_GO_ON;
}

static bool replay_waiting(struct sl_lab *lab, const char *what, int ms_left)
{
    return lab->presenter->waiting(lab, what, ms_left);
}

const struct sl_presenter sl_replay_presenter = {
    .start = replay_start, .step = replay_text, .source = replay_source, .say = replay_text,
    .call = replay_call, .show = replay_text, .expect = replay_expect, .pause = replay_pause,
    .step_done = replay_step_done, .replayed = NULL, .waiting = replay_waiting,
    .observe = replay_observe, .end = replay_end,
};
