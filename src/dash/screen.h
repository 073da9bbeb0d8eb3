/* screen.h — the dashboard's screen: the header meter, the panels its layout
 * gives (drawn by the shared widgets of socklab/tui.h), the help bar, the
 * filter prompt and the help. Everything is drawn again from the model at each
 * refresh and each resize. */
#ifndef SOCKDASH_SCREEN_H
#define SOCKDASH_SCREEN_H

#include "history.h"
#include "layout.h"

#include "socklab/closed.h"
#include "socklab/explain.h"
#include "socklab/tui.h"

struct dash_status {
    bool paused;
    int interval_ms;
    const char *source;             /* "netlink", "proc", or the replay's file name */
    bool tracing;
    bool replay;
    size_t replay_frame, replay_frames;
    const char *filter;             /* the filter in words, "" for none */
    const char *message;            /* shown in the help bar instead of the keys */
    const char *prompt;             /* the filter being typed, or NULL */
    int help;                       /* the help: 0 closed, else the page shown (from 1) */
    int help_pages;                 /* how many pages the help took when last drawn */
    enum dash_view view;            /* the view the viewer asked for */
    bool info_table;                /* i: the table shows tcp_info columns */
    bool show_closed;               /* c: the log's place shows the closed connections */
    const struct sl_closed_list *closed;
    double start_ms;                /* what the closed list's times count from */
    const struct history *history;  /* the sparkline's samples */
    double now_ms;
    const char *cell;               /* the cell Enter explains ("state") */
    const struct sl_explanation *explanation;   /* open: shown instead of the panels */
    const char *explanation_title;
    int explanation_skip;
    const char *cost;               /* "so far: N dumps ..." for the help, or NULL */
};

/* Draw everything; returns the layout actually drawn (its view: what fits).
 * What scrolls is held within its text, and st says where it went: the help's
 * page and pages, the explanation's first line. */
struct dash_layout dash_screen_draw(const struct sl_tui_model *m, struct dash_status *st);

#endif
