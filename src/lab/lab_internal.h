/* lab_internal.h — what the step engine's parts share: the lab's state, the
 * parsed options, and the presenter interface. Not installed; labs see lab.h. */
#ifndef SOCKLAB_LAB_INTERNAL_H
#define SOCKLAB_LAB_INTERNAL_H

#include "socklab/lab.h"

#include <limits.h>
#include <stdio.h>

#define SL_LAB_MAX_PORTS 16
#define SL_LAB_MAX_FLAGS 16

struct sl_lab_options {
    bool auto_mode;             /* --auto (or output not a terminal): never wait for a key */
    bool json;                  /* --json: JSON lines instead of text */
    bool tui;                   /* --tui: the full-screen classroom */
    bool no_source;             /* --no-source: do not show the step's code */
    bool check_only;            /* --check: check the options and the set-up, then exit */
    uint16_t base_port;         /* --port N, 0 when not given */
    const char *bind_ip;        /* --bind ADDR, "127.0.0.1" by default */
    int delay_ms;               /* --delay MS: pause length when not waiting */
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
    const char *why;            /* skipped or inconclusive: the reason; else NULL */
    const char *file;
    int line;
};

/* The events every presenter receives, in this order for each step: step,
 * source (before the step's first result), then say / call / show / expect /
 * observe / pause / waiting as the lab goes, and step_done at the step's end. */
struct sl_presenter {
    void (*start)(struct sl_lab *lab);
    void (*step)(struct sl_lab *lab, const char *title);
    void (*source)(struct sl_lab *lab, const struct sl_excerpt *excerpt);
    void (*say)(struct sl_lab *lab, const char *text);
    void (*call)(struct sl_lab *lab, const struct sl_call_report *report);
    void (*show)(struct sl_lab *lab, const char *text);
    void (*expect)(struct sl_lab *lab, const struct sl_expectation *e);
    /* Shows the pause; returns false when the user asked to quit. */
    bool (*pause)(struct sl_lab *lab, const char *look, const char *const *hints, int count);
    /* The end of a step on a terminal: returns false when the user asked to quit. */
    bool (*step_done)(struct sl_lab *lab);
    /* A long wait in progress (ms_left > 0), or its end (ms_left == 0); returns
     * false when the user asked to quit. */
    bool (*waiting)(struct sl_lab *lab, const char *what, int ms_left);
    void (*observe)(struct sl_lab *lab, const struct sl_snapshot *snap);
    void (*end)(struct sl_lab *lab, bool quit);
};

struct sl_lab_code;
struct sl_lab_tui;

struct sl_lab {
    const struct sl_lab_info *info;
    struct sl_lab_options opt;
    const struct sl_presenter *out;
    FILE *stream;               /* where the presenter writes: stdout */
    char program[64];           /* argv[0]'s base name, for messages */
    char exe_dir[PATH_MAX];     /* where the binary is, to find its source */

    int step;                   /* the current step, 1-based; 0 before the first */
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
    struct sl_snapshot observed;  /* the last observation of the tracked ports */
    struct sl_diag_channel *diag; /* kept open from the start, so observing needs no
                                     descriptor a step may have used up (EMFILE) */
    struct sl_lab_tui *tui;     /* the --tui presenter's screen, NULL otherwise */
};

/* lab.c: the exit status the counts give (SL_EXIT_*). */
int sl_lab_status(const struct sl_lab *lab);

/* lab.c: end the lab at once (q, a set-up error): the end event, everything
 * released, exit with status. */
_Noreturn void sl_lab_stop(struct sl_lab *lab, bool quit, int status);

/* lab.c: show the current step's code if it has not been shown yet. */
void sl_lab_flush_source(struct sl_lab *lab);

/* lab_options.c: parse argv into lab->opt; answers --help/--version/--describe
 * and exits; on bad input prints one line and exits 2. */
void sl_lab_parse_options(struct sl_lab *lab, int argc, char **argv);

/* lab_code.c: the lab's own source, and the code of the step that starts at
 * file:line (freed with sl_excerpt_free). */
struct sl_lab_code *sl_lab_code_load(const char *exe_dir, const char *file);
bool sl_lab_code_excerpt(const struct sl_lab_code *code, int step_line, struct sl_excerpt *out);
int sl_lab_code_lines(const struct sl_lab_code *code, const char *const **lines);
char *sl_lab_read_file(const char *path);     /* the whole file (free it), or NULL */
void sl_excerpt_free(struct sl_excerpt *excerpt);
void sl_lab_code_free(struct sl_lab_code *code);

/* lab_setup.c: refuse, before step 1, a --bind address or --port range the lab
 * cannot use (one sentence, exit 2). */
void sl_lab_check_setup(struct sl_lab *lab);

/* lab_guard.c: what must be undone however the lab ends. */
void sl_guard_install(void);
void sl_guard_add_child(pid_t pid);
void sl_guard_forget_child(pid_t pid);
void sl_guard_in_child(void);
bool sl_guard_raw_terminal(int fd);   /* no echo, one key at a time */
/* A full screen to leave however the lab ends (async-signal-safe), or NULL. */
void sl_guard_full_screen(void (*leave)(void));
void sl_guard_restore_terminal(void);

/* lab_guard.c: is a key waiting on fd? Reads it into *key (raw mode on). */
bool sl_guard_key_ready(int fd, char *key);

extern const struct sl_presenter sl_text_presenter;
extern const struct sl_presenter sl_json_presenter;
/* The full-screen presenter lives a layer up, in src/tui/ (it needs ncurses,
 * the engine does not): a weak reference, so the engine links without it. A
 * lab program is linked with it (the Makefile's LINK_TUI_PRESENTER); in a
 * program that is not, --tui is refused as a set-up error. */
extern const struct sl_presenter sl_tui_presenter __attribute__((weak));

#endif
