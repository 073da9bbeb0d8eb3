/* lab_tui_internal.h — what the parts of the labs' --tui presenter share: its
 * state, and what each pane offers the others. Not installed.
 *
 *   lab_tui.c          the presenter's events (start, step, say, call, ... end)
 *   lab_tui_step.c     the step pane: narration, calls, facts, outcomes, hints
 *   lab_tui_code.c     the code pane: the step's excerpt, highlighted, folded, marked
 *   lab_tui_sockets.c  the sockets pane: the lab's ports looked at, the diagram,
 *                      the table, the transitions
 *   lab_tui_overlay.c  what covers the panes on a key: source, notes, help, summary
 *   lab_tui_screen.c   the layout (stacked or side by side), the header, the
 *                      status line, the keys, and waiting for one */
#ifndef SOCKLAB_LAB_TUI_INTERNAL_H
#define SOCKLAB_LAB_TUI_INTERNAL_H

#include "lab_internal.h"

#include "socklab/tui.h"

#include <sys/types.h>

#define REFRESH_MS 200          /* the sockets, looked at while waiting for a key */
#define EVENT_REFRESH_MS 50     /* at most this often while the step runs */
#define MIN_COLS 60
#define MIN_ROWS 20

enum overlay { OVERLAY_NONE, OVERLAY_SOURCE, OVERLAY_NOTES, OVERLAY_HELP, OVERLAY_LEGEND,
               OVERLAY_SUMMARY };

/* One paragraph of the step pane. */
struct entry {
    char *text;
    enum sl_tui_look look;
    int hang;                   /* continuation lines start under the text after the mark */
    bool hint;                  /* a pause's ss/netstat line: folded to one when space is short */
    bool replayed;              /* a step --from ran without pausing: folded to one likewise */
};

struct sl_lab_tui {
    pid_t owner;                /* the process that drew the screen (not a forked child) */
    bool utf8;
    struct sl_tui_model model;
    struct sl_snapshot frames[2];   /* the lab's ports: frames[newest] and the one before */
    struct sl_snapshot before;  /* with --port: what those ports held before the lab began */
    int newest;
    unsigned frame_count;
    struct sl_changes changes;
    struct sl_filter ports;     /* the lab's ports when frames[newest] was taken */
    int look_error;             /* errno of the last look when it failed; 0: it did not */
    double failing_since;       /* when the looks began to fail */
    double start_ms, looked_ms, drawn_ms;

    struct entry *entries;      /* this step, in order */
    int entry_count, entry_room;
    int step_scroll;            /* lines up from the newest */
    bool keep_replayed;         /* the steps --from ran stay above the first step shown */
    char replayed_all[512];     /* ... and all of them in one line, for a short pane */

    struct sl_excerpt excerpt;
    bool have_excerpt;
    int marked;                 /* the source line of the call that just ran; 0: none */

    char status[512];
    enum sl_tui_look status_look;
    enum overlay overlay;
    int overlay_scroll;
    char *notes;                /* docs/labs/NN-name.md, read on first use */
    bool sockets_tab;           /* stacked: the sockets instead of the lesson */
};

/* ---- lab_tui_step.c: the step pane ---- */

/* A paragraph at the end of the step (its continuation lines `hang` columns
 * in); the newest comes into view. */
void sl_step_pane_add(struct sl_lab_tui *t, enum sl_tui_look look, int hang, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));
/* The last paragraph added is a pause's ss/netstat line. */
void sl_step_pane_mark_hint(struct sl_lab_tui *t);
/* A step --from ran without pausing, in one line (all of them so far in
 * `all`): it stays in view when the first step shown begins. */
void sl_step_pane_add_replayed(struct sl_lab_tui *t, const char *line, const char *all);
/* A new step: the paragraphs of the last one go (those of the steps --from
 * ran stay, above the first step shown). */
void sl_step_pane_clear(struct sl_lab_tui *t);
void sl_step_pane_free(struct sl_lab_tui *t);
void sl_step_pane_draw(struct sl_lab *lab, struct sl_tui_rect r);
/* How many of `height` rows the step takes, the code below it the rest. */
int sl_step_pane_height(const struct sl_lab *lab, int width, int height);

/* ---- lab_tui_code.c: the code pane ---- */

/* The step's excerpt (copied; its lines stay the loaded source's). */
void sl_code_pane_set(struct sl_lab_tui *t, const struct sl_excerpt *excerpt);
void sl_code_pane_clear(struct sl_lab_tui *t);
/* Mark `line` of `file` when the step's excerpt shows it. */
void sl_code_pane_mark(struct sl_lab_tui *t, const char *file, int line);
void sl_code_pane_draw(struct sl_lab *lab, struct sl_tui_rect r);
/* Lines of code (numbered by numbers[], or from 1 when NULL) from `first` on,
 * highlighted and folded between words into r, the line `marked` marked. */
void sl_code_pane_draw_lines(struct sl_tui_rect r, const int *numbers, const char *const *lines,
                             int count, int first, int marked);

/* ---- lab_tui_sockets.c: the sockets pane ---- */

/* Before step 1: note what the lab's ports hold before it (with --port). */
void sl_sockets_pane_start(struct sl_lab *lab);
void sl_sockets_pane_free(struct sl_lab_tui *t);
/* Look at the lab's ports, at most every `every_ms`, and feed the model. */
void sl_sockets_pane_look(struct sl_lab *lab, double every_ms);
/* A pause names states (look: its words; NULL: the pause is over): their
 * rows come first in the table, in the order named, the first in view. */
void sl_sockets_pane_look_for(struct sl_lab_tui *t, const char *look);
/* How many rows the table would show whole: those in the states a pause
 * names, or every row. */
int sl_sockets_pane_rows_wanted(const struct sl_lab_tui *t);
/* The table into r; when the last look failed, its last line says since
 * when and why. */
void sl_sockets_pane_draw_table(struct sl_lab *lab, struct sl_tui_rect r);
/* The diagram (or the states in a row), the table and the log into r; with
 * table_elsewhere, a short r gives the log the room instead of the table. */
void sl_sockets_pane_draw(struct sl_lab *lab, struct sl_tui_rect r, bool table_elsewhere);

/* ---- lab_tui_overlay.c: source, notes, help, summary ---- */

void sl_lab_overlay_draw(struct sl_lab *lab, struct sl_tui_rect r);
void sl_lab_overlay_free(struct sl_lab_tui *t);

/* ---- lab_tui_screen.c: the layout, the status, the keys ---- */

void sl_lab_screen_status(struct sl_lab_tui *t, enum sl_tui_look look, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Everything, at the terminal's present size. */
void sl_lab_screen_draw(struct sl_lab *lab);
/* While the step runs: look and draw, not too often unless `now`. */
void sl_lab_screen_progress(struct sl_lab *lab, bool now);
/* Wait for Enter or space (true) or q (false), the sockets live meanwhile; in
 * auto mode `auto_ms` and no key. */
enum sl_lab_choice sl_lab_screen_wait_key(struct sl_lab *lab, int auto_ms);
/* Whether q was pressed since the last look (other keys are dropped). */
bool sl_lab_screen_quit_pressed(void);
/* The end: the summary until a key (auto mode: `auto_ms`). */
void sl_lab_screen_summary(struct sl_lab *lab, int auto_ms);

#endif
