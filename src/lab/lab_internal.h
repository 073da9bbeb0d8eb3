/* lab_internal.h — what the step engine's parts share: the lab's state, the
 * parsed options, and the presenter interface. Not installed; labs see lab.h. */
#ifndef SOCKLAB_LAB_INTERNAL_H
#define SOCKLAB_LAB_INTERNAL_H

#include "socklab/diag_tracker.h"
#include "socklab/lab.h"

#include <limits.h>
#include <stdio.h>

#define SL_LAB_MAX_PORTS 16
#define SL_LAB_MAX_FLAGS 16
#define SL_LAB_MAX_SYSCTLS 8

struct sl_lab_options {
    bool auto_mode;             /* --auto (or output not a terminal): never wait for a key */
    bool json;                  /* --json: JSON lines instead of text */
    bool tui;                   /* --tui: the full-screen classroom */
    bool no_source;             /* --no-source: do not show the step's code */
    bool check_only;            /* --check: check the options and the set-up, then exit */
    bool private_net;           /* --private: a network of the lab's own (lab_private.c) */
    const char *sysctls[SL_LAB_MAX_SYSCTLS];  /* --sysctl NAME=VALUE, set in it */
    int sysctl_count;
    uint16_t base_port;         /* --port N, 0 when not given */
    const char *bind_ip;        /* --bind ADDR, "127.0.0.1" by default */
    int delay_ms;               /* --delay MS: pause length when not waiting */
    int from;                   /* --from N: steps before N run without pausing (1: none) */
    bool flags[SL_LAB_MAX_FLAGS]; /* the lab's own flags, in info->flags order */
};

/* The lines of the lab's code that belong to one step (narration left out),
 * all of them: an excerpt is never cut. */
struct sl_excerpt {
    const char *file;           /* as the lab was compiled: "labs/01-byte-order.c" */
    int count;
    int *numbers;               /* 1-based line numbers */
    const char **lines;         /* the text of each line */
};

/* What the kernel answered to one lab_call(). */
struct sl_call_report {
    const char *text;           /* the call as written in the lab */
    int line;                   /* where it stands in the lab's source */
    long result;
    int err;                    /* errno when result == -1, else 0 */
    double ms;                  /* how long the call took */
};

/* One claim and its outcome. */
struct sl_expectation {
    const char *claim;
    enum sl_outcome outcome;
    const char *why;            /* skipped or inconclusive: the reason; failed: what the
                                   kernel said instead, where the claim knows; else NULL */
    const char *file;
    int line;
};

/* A segment of the lab's ports, as the engine hands it to a presenter. */
struct sl_segment_event {
    const struct sl_segment *segment;
    const char *from, *to;      /* "client", "server" (the end that sent the SYN is the
                                   client), or ip:port when the SYN was not seen */
    const char *src, *dst;      /* ip:port of the sender and of the receiver */
    const char *flags;          /* as tcpdump writes them: "S.", "F.", "R" */
    const char *call;           /* the lab_call it was captured during, or NULL: it
                                   arrived later, shown when read */
    int call_line;
    double t_ms;                /* since the lab began */
};

/* What the user chose at a pause or at the end of a step. */
enum sl_lab_choice {
    SL_CHOICE_GO_ON,            /* Enter: the lab goes on */
    SL_CHOICE_QUIT,             /* q: the lab ends here, cleanly */
    SL_CHOICE_RESTART,          /* r: the lab starts again from step 1 */
    SL_CHOICE_BACK,             /* b: the lab starts again and stops at the step before */
};

/* The events every presenter receives, in this order for each step: step,
 * source (before the step's first result), then say / call / show / expect /
 * observe / pause / waiting as the lab goes, and step_done at the step's end.
 * A step that --from runs without pausing is not shown: the presenter gets
 * its failed and inconclusive expectations, its long waits, and at its end
 * one replayed event (NULL: nothing to show). */
struct sl_presenter {
    void (*start)(struct sl_lab *lab);
    void (*step)(struct sl_lab *lab, const char *title);
    void (*source)(struct sl_lab *lab, const struct sl_excerpt *excerpt);
    void (*say)(struct sl_lab *lab, const char *text);
    void (*call)(struct sl_lab *lab, const struct sl_call_report *report);
    void (*show)(struct sl_lab *lab, const char *text);
    void (*expect)(struct sl_lab *lab, const struct sl_expectation *e);
    /* Shows the pause; returns what the user chose. */
    enum sl_lab_choice (*pause)(struct sl_lab *lab, const char *look, const char *const *hints,
                                int count);
    /* The end of a step on a terminal: returns what the user chose. */
    enum sl_lab_choice (*step_done)(struct sl_lab *lab);
    /* A step run without pausing (--from) has ended: its outcomes are
     * lab->outcomes minus `before`. */
    void (*replayed)(struct sl_lab *lab, const int before[4]);
    /* A long wait in progress (ms_left > 0), or its end (ms_left == 0); returns
     * false when the user asked to quit. */
    bool (*waiting)(struct sl_lab *lab, const char *what, int ms_left);
    void (*observe)(struct sl_lab *lab, const struct sl_snapshot *snap);
    void (*end)(struct sl_lab *lab, bool quit);
    /* Optional (NULL: the presenter does not show them). A segment of the
     * lab's ports, after the result of the call it was captured during, or
     * when read if it came later (lab_wire.c). */
    void (*segment)(struct sl_lab *lab, const struct sl_segment_event *e);
    /* Optional (NULL: said as narration). Before step 1: the private
     * network the lab runs in, in one line. */
    void (*network)(struct sl_lab *lab, const char *text);
};

struct sl_lab_code;
struct sl_lab_text;
struct sl_lab_tui;
struct sl_lab_wire;

struct sl_lab {
    const struct sl_lab_info *info;     /* the lab's, its words translated (info_shown) */
    struct sl_lab_info info_shown;      /* a copy: title, goal and flags' help in the
                                           user's language (i18n.h) */
    struct sl_lab_flag flags_shown[SL_LAB_MAX_FLAGS + 1];
    struct sl_lab_options opt;
    const struct sl_presenter *presenter;   /* the one chosen by the options */
    const struct sl_presenter *out;         /* where events go: it, or the replay's */
    int argc;                   /* the lab's command line, to run it again (r, b) */
    char **argv;
    FILE *stream;               /* where the presenter writes: stdout */
    char program[64];           /* argv[0]'s base name, for messages */
    char exe_dir[PATH_MAX];     /* where the binary is, to find its source */

    int step;                   /* the current step, 1-based; 0 before the first */
    int step_count;             /* how many steps the lab has; 0 when unknown */
    int replay_outcomes[4];     /* a step run without pausing: the outcomes before it */
    char *step_title;
    const char *step_file;
    int step_line;
    bool source_pending;        /* the step's code is shown before its first result */
    bool paused_last;           /* the step's last event was a pause */
    struct sl_lab_code *code;   /* the lab's source, loaded on first use */
    const char *code_file;      /* which file `code` holds: a lab may have several */

    int expectations;
    int outcomes[4];            /* how many of each enum sl_outcome */
    uint16_t ports[SL_LAB_MAX_PORTS];
    int port_count;
    double call_started_ms;
    double last_call_ms;
    char again_why[256];        /* why the last measurement is taken again */
    bool wait_busy;             /* a wait ran out on a busy machine since the last
                                   claim (lab_observe.c): a failure is inconclusive */
    struct sl_snapshot observed;  /* the last observation of the tracked ports */
    struct sl_diag_channel *diag; /* kept open from the start, so observing needs no
                                     descriptor a step may have used up (EMFILE): the
                                     tracker dumps through it */
    struct sl_tracker *tracker;   /* follows those ports by exact lookups (lab_observe.c) */
    uint16_t tracked_ports[SL_LAB_MAX_PORTS];   /* the ports it was opened for */
    int tracked_count;
    pid_t tracker_owner;          /* the process it was opened in (a child opens its own) */
    struct sl_lab_text *text;   /* the text presenter's state, NULL otherwise */
    struct sl_lab_tui *tui;     /* the --tui presenter's screen, NULL otherwise */

    bool private_net;           /* it runs in a network of its own (lab_private.c) */
    bool user_namespace;        /* ... inside a user namespace of its own */
    bool private_again;         /* ... a fresh one, made when r or b ran it again */
    bool private_kept;          /* ... the one its run before r or b made: no fresh one
                                   could be made */
    bool dropping;              /* a packet filter of lab_drop.c is in place */
    char private_refused[400];  /* info->own_network, and why there is none ("": it has one) */
    double started_ms;          /* when sl_lab_begin ran: segments' t_ms count from it */
    double call_ended_ms;       /* the last lab_call ran from call_started_ms to this */
    const char *call_text;      /* ... and was this one, at this line */
    int call_line;
    int calls;                  /* how many lab_calls have ended */
    struct sl_lab_wire *wire;   /* the capture of the lab's segments, NULL without */
    char wire_why[400];         /* why there is none */
};

/* lab.c: the exit status the counts give (SL_EXIT_*). */
int sl_lab_status(const struct sl_lab *lab);

/* lab.c: end the lab at once (q, a set-up error): the end event, everything
 * released, exit with status. */
_Noreturn void sl_lab_stop(struct sl_lab *lab, bool quit, int status);

/* lab.c: act on what the user chose at a pause: go on, end here, or run the
 * lab again (r, b). */
void sl_lab_act_on(struct sl_lab *lab, enum sl_lab_choice choice);

/* The environment variable that tells a lab started again (r, b) that its
 * run before made a private network ("user": inside a user namespace of its
 * own, "net": a network namespace alone): it makes a fresh one in its place
 * (lab_private.c), and the classroom's panes follow it there. */
#define SL_PRIVATE_AGAIN "SOCKLAB_PRIVATE_AGAIN"

/* lab.c: "3 held, 1 skipped" for the counts o (held always, failed too
 * with failed_always, the others when there are any). */
void sl_lab_count_outcomes(const int o[4], bool failed_always, char *buf, size_t len);

/* lab.c: a step that --from ran without pausing, in one line for a
 * presenter's replayed event: "2. The client closes: 4 held". */
void sl_lab_replayed_line(const struct sl_lab *lab, const int before[4], char *buf, size_t len);

/* lab.c: show the current step's code if it has not been shown yet. */
void sl_lab_flush_source(struct sl_lab *lab);

/* lab_options.c: parse argv into lab->opt; answers --help/--version/--describe
 * and exits; on bad input prints one line and exits 2. */
void sl_lab_parse_options(struct sl_lab *lab, int argc, char **argv);

/* lab_observe.c: a list of the lab's sockets in the order a class reads it:
 * the states the pause names (look: "5 CLOSE-WAIT ... 5 FIN-WAIT-2"), in the
 * order it names them, then the others (LISTEN first), each by local port,
 * then peer port. look may be NULL. */
void sl_lab_sort_sockets(struct sl_snapshot *snap, const char *look);

/* lab_code.c: the lab's own source, and the code of the step that starts at
 * file:line (freed with sl_excerpt_free). */
struct sl_lab_code *sl_lab_code_load(const char *exe_dir, const char *file);
bool sl_lab_code_excerpt(const struct sl_lab_code *code, int step_line, struct sl_excerpt *out);
int sl_lab_code_lines(const struct sl_lab_code *code, const char *const **lines);
char *sl_lab_read_file(const char *path);     /* the whole file (free it), or NULL */
/* The lab's file `file` (as compiled in, "labs/06-time-wait.c"), looked for
 * where the build and `make install` keep it: its text (free it) and in
 * `path` where it was found; NULL when it is nowhere. */
char *sl_lab_find_source(const char *exe_dir, const char *file, char *path, size_t len);

/* lab_steps.c: how many steps the lab whose function `function` in `file`
 * called sl_lab_begin has, counted from its source; 0 when that cannot be
 * known (no source, or a step called in a loop). */
int sl_lab_count_steps(const char *exe_dir, const char *file, const char *function);
void sl_excerpt_free(struct sl_excerpt *excerpt);
void sl_lab_code_free(struct sl_lab_code *code);

/* lab_setup.c: refuse, before step 1, a --bind address or --port range the lab
 * cannot use (one sentence, exit 2). */
void sl_lab_check_setup(struct sl_lab *lab);

/* lab_private.c: before the set-up checks, enter the private network asked
 * for (--private; a refusal is a set-up error, exit 2); once the presenter
 * has started, say what was made, leave a note for other terminals
 * (running.h) and open the capture. */
void sl_lab_network_enter(struct sl_lab *lab);
void sl_lab_network_started(struct sl_lab *lab);
/* lab_private.c: just before r or b runs the lab again (execve), what the
 * next run needs to make a fresh private network in place of this one. */
void sl_lab_network_again(struct sl_lab *lab);

/* lab_wire.c: the capture of the lab's segments. Read only in the engine's
 * own functions — before a lab_call's clock starts and after it stops, at
 * observations, pauses and step ends — never while a call is timed. */
void sl_lab_wire_open(struct sl_lab *lab);
void sl_lab_wire_track(struct sl_lab *lab, uint16_t port);
void sl_lab_wire_read(struct sl_lab *lab);
void sl_lab_wire_step_end(struct sl_lab *lab);
void sl_lab_wire_close(struct sl_lab *lab);

/* lab_guard.c: what must be undone however the lab ends. */
void sl_guard_install(void);
void sl_guard_add_child(pid_t pid);
void sl_guard_forget_child(pid_t pid);
void sl_guard_in_child(void);
bool sl_guard_raw_terminal(int fd);   /* no echo, one key at a time */
/* A full screen to leave however the lab ends (async-signal-safe), or NULL. */
void sl_guard_full_screen(void (*leave)(void));
void sl_guard_restore_terminal(void);
/* A file to remove however the lab ends (its note in running.h's directory). */
void sl_guard_remove_file(const char *path);
/* Everything the guard holds, undone now (before the lab runs again). */
void sl_guard_release(void);

/* lab_guard.c: is a key waiting on fd? Reads it into *key (raw mode on). */
bool sl_guard_key_ready(int fd, char *key);

/* lab.c: a step that --from runs without pausing goes here, not to the
 * presenter. */
extern const struct sl_presenter sl_replay_presenter;
extern const struct sl_presenter sl_text_presenter;
/* lab_text.c: a line of the engine's own (after the presenter ended), fitted
 * to the terminal's width, on lab->stream. */
void sl_lab_print_note(struct sl_lab *lab, const char *text);
extern const struct sl_presenter sl_json_presenter;
/* The full-screen presenter lives a layer up, in src/tui/ (it needs ncurses,
 * the engine does not): a weak reference, so the engine links without it. A
 * lab program is linked with it (the Makefile's LINK_TUI_PRESENTER); in a
 * program that is not, --tui is refused as a set-up error. */
extern const struct sl_presenter sl_tui_presenter __attribute__((weak));

/* lab_observe.c: the lab's ports as the kernel has them now, into out: the
 * sockets already known by exact lookups (a hash lookup each, not a walk of
 * the machine), and a dump when `discover` asks for new ones (or the ports
 * changed). False (errno saying why) when no source could be read. The --tui
 * presenter's live view looks through it too. */
bool sl_lab_take(struct sl_lab *lab, bool discover, struct sl_snapshot *out);

/* lab_observe.c: close the tracker (at the lab's end). */
void sl_lab_observe_end(struct sl_lab *lab);

#endif
