/* screen.h — the dashboard drawn with ncurses: header meter, state machine,
 * socket table, transition log, help bar and help screen. Everything is drawn
 * again from the model at each refresh and each resize, so no panel can go
 * stale or break when the terminal changes size. */
#ifndef SOCKDASH_SCREEN_H
#define SOCKDASH_SCREEN_H

#include "layout.h"
#include "model.h"

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
    bool help;                      /* the help screen is open */
    enum dash_view view;            /* the view the viewer asked for */
};

/* Start ncurses (colour unless NO_COLOR is set or the terminal has none). */
void dash_screen_start(void);
void dash_screen_stop(void);

/* Draw everything; returns the view actually shown (what fits). */
enum dash_view dash_screen_draw(const struct dash_model *m, const struct dash_status *st);

/* Rows of the socket table on the current screen (for PgUp/PgDn). */
int dash_screen_table_rows(void);

#endif
