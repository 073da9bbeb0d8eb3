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
    bool auto_mode;             /* --auto: never wait for a key */
    bool json;                  /* --json: JSON lines instead of text */
    bool no_source;             /* --no-source: do not show the step's code */
    uint16_t base_port;         /* --port N, 0 when not given */
    const char *bind_ip;        /* --bind ADDR, "127.0.0.1" by default */
    int delay_ms;               /* --delay MS: pause length when not waiting */
    bool flags[SL_LAB_MAX_FLAGS]; /* the lab's own flags, in info->flags order */
};

/* The lines of the lab's code that belong to one step (narration left out). */
#define SL_EXCERPT_MAX_LINES 40
struct sl_excerpt {
    const char *file;           /* as the lab was compiled: "labs/01-byte-order.c" */
    int count;
    int numbers[SL_EXCERPT_MAX_LINES];          /* 1-based line numbers */
    const char *lines[SL_EXCERPT_MAX_LINES];    /* the text of each line */
};

/* What the kernel answered to one lab_call(). */
struct sl_call_report {
    const char *text;           /* the call as written in the lab */
    long result;
    int err;                    /* errno when result == -1, else 0 */
    double ms;                  /* how long the call took */
};

struct sl_presenter {
    void (*start)(struct sl_lab *lab);
    void (*step)(struct sl_lab *lab, const char *title);
    void (*source)(struct sl_lab *lab, const struct sl_excerpt *excerpt);
    void (*say)(struct sl_lab *lab, const char *text);
    void (*call)(struct sl_lab *lab, const struct sl_call_report *report);
    void (*show)(struct sl_lab *lab, const char *text);
    void (*expect)(struct sl_lab *lab, const char *claim, bool ok, const char *file, int line);
    /* Shows the pause; returns false when the user asked to quit. */
    bool (*pause)(struct sl_lab *lab, const char *look, const char *const *hints, int count);
    void (*observe)(struct sl_lab *lab, const struct sl_snapshot *snap);
    void (*end)(struct sl_lab *lab, bool quit);
};

struct sl_source;

struct sl_lab {
    const struct sl_lab_info *info;
    struct sl_lab_options opt;
    const struct sl_presenter *out;
    FILE *stream;               /* where the presenter writes: stdout */
    char program[64];           /* argv[0]'s base name, for messages */
    char exe_dir[PATH_MAX];     /* where the binary is, to find its source */

    int step;                   /* the current step, 1-based; 0 before the first */
    const char *step_file;
    int step_line;
    bool source_pending;        /* the step's code is shown before its first result */
    struct sl_source *source;   /* the lab's source, loaded on first use */

    int expectations, failed;
    uint16_t ports[SL_LAB_MAX_PORTS];
    int port_count;
    double call_started_ms;
    struct sl_snapshot observed;  /* the last observation of the watched ports */
};

/* lab.c: show the current step's code if it has not been shown yet. */
void sl_lab_flush_source(struct sl_lab *lab);

/* lab_options.c: parse argv into lab->opt; answers --help/--version/--describe
 * and exits; on bad input prints one line and exits 2. */
void sl_lab_parse_options(struct sl_lab *lab, int argc, char **argv);

/* lab_source.c: the code of the step that starts at file:line. */
struct sl_source *sl_source_load(const char *exe_dir, const char *file);
bool sl_source_excerpt(const struct sl_source *source, int step_line, struct sl_excerpt *out);
void sl_source_free(struct sl_source *source);

/* lab_guard.c: what must be undone however the lab ends. */
void sl_guard_install(void);
void sl_guard_add_child(pid_t pid);
void sl_guard_forget_child(pid_t pid);
void sl_guard_in_child(void);
bool sl_guard_raw_terminal(int fd);   /* no echo, one key at a time */
void sl_guard_restore_terminal(void);

extern const struct sl_presenter sl_text_presenter;
extern const struct sl_presenter sl_json_presenter;

#endif
