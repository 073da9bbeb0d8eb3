/* screen.h — the dashboard drawn with ncurses: header meter, state machine
 * (full, compact, or the strip), socket table, transition log, help bar and
 * help screen. Everything is drawn again from the model at each refresh and
 * each resize, so no panel can go stale or break when the terminal changes
 * size; every line is fitted to its width between words, never inside one. */
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

/* What each colour means (htop's CRT_colors[ELEMENT], in spirit): one pair
 * per meaning, and a monochrome attribute for terminals without colour and
 * for NO_COLOR. */
enum dash_colour {
    DASH_COLOUR_EDGE_TAKEN = 1,     /* an edge a socket has just taken */
    DASH_COLOUR_EDGE_FADING,        /* taken a few refreshes ago */
    DASH_COLOUR_STATE_OCCUPIED,     /* a state with sockets in it */
    DASH_COLOUR_RESET,              /* the reset/abort mark, lit */
    DASH_COLOUR_HEADER,
    DASH_COLOUR_HELP_BAR,
    DASH_COLOUR_CLOSED_ROW,         /* a socket that just closed, kept a while */
    DASH_COLOUR_COUNT
};

/* The foreground and background of a colour's pair (-1: the terminal's own). */
void dash_colour_pair(enum dash_colour colour, short *fg, short *bg);

/* Whether this terminal can show the live view; false with one sentence in why
 * (an unknown TERM, or one that cannot move the cursor, such as dumb). */
bool dash_screen_usable(char *why, size_t why_len);

/* Start ncurses (colour unless NO_COLOR is set or the terminal has none). */
void dash_screen_start(void);
void dash_screen_stop(void);

/* Draw everything; returns the layout actually drawn (its view: what fits). */
struct dash_layout dash_screen_draw(const struct dash_model *m, const struct dash_status *st);

#endif
