/* tui.h — the terminal widgets the dashboard (sockdash) and the labs' --tui
 * presenter share: what they show, and how it is drawn with ncurses.
 *
 *  - the model: the sockets of the latest frame (and those that just closed),
 *    the count per state, the transition log, which edges of the diagram are
 *    lit, and the viewer's choices (sort, selection). Frames come from a
 *    collector, a recording or a lab's own snapshots; the model does not know
 *    which. Time is in milliseconds of the frame's clock.
 *  - text fitting: UTF-8 counted as the terminal counts it, lines cut or
 *    wrapped between words, a line of parts that drops the least important
 *    part first.
 *  - widgets: the RFC 9293 diagram (full, compact) or the states in a row, the
 *    socket table, the transition log, a bar of keys, paragraphs, "terminal
 *    too small"; colours named by meaning, monochrome where there is none.
 *
 * Everything is drawn again from the model at each refresh, so a resize
 * never leaves a panel stale. The header keeps curses out of its users. */
#ifndef SOCKLAB_TUI_H
#define SOCKLAB_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

#include "socklab/addr.h"
#include "socklab/text.h"
#include "socklab/diag.h"
#include "socklab/diagram.h"
#include "socklab/filter.h"
#include "socklab/owner.h"
#include "socklab/watch.h"

/* ---- the model ---- */

#define SL_TUI_LOG_CAPACITY 200
#define SL_TUI_GONE_KEEP_MS 5000      /* a closed socket stays in the table this long */
#define SL_TUI_LIT_FRAMES 4           /* an edge fades over this many refreshes */
#define SL_TUI_TABLE_COLUMNS 7        /* State, Recv-Q, Send-Q, Local, Peer, Timer, Owner */

struct sl_tui_row {
    struct sl_socket socket;
    struct sl_owner owner;          /* pid 0: unknown */
    double gone_at;                 /* 0 while the socket exists */
};

/* How a socket's end was drawn (see sl_diagram_end). */
enum sl_tui_ending {
    SL_TUI_ENDING_NONE,               /* not an end: appeared, or moved between states */
    SL_TUI_ENDING_CLOSED,             /* the figure's own edge to CLOSED */
    SL_TUI_ENDING_RESET,              /* gone without TIME-WAIT: a RST or an abort */
    SL_TUI_ENDING_UNSEEN,             /* polled: a passive close (LAST-ACK unseen) or a RST */
    SL_TUI_ENDING_TIMED_OUT,          /* the side that closed first: timed out, or a RST */
};

struct sl_tui_log_entry {
    double at;
    enum sl_change_kind kind;
    enum sl_tui_ending ending;
    struct sl_tuple tuple;
    uint8_t from, to;
    bool traced;                    /* from the tracepoint, not from polling */
};

enum sl_tui_sort { SL_TUI_SORT_STATE, SL_TUI_SORT_LOCAL, SL_TUI_SORT_PEER, SL_TUI_SORT_RECVQ,
                 SL_TUI_SORT_SENDQ, SL_TUI_SORT_TIMER, SL_TUI_SORT_OWNER, SL_TUI_SORT_KEYS };

struct sl_tui_model {
    struct sl_tui_row *rows;
    size_t row_count, row_capacity;
    unsigned counts[SL_TCP_STATE_COUNT];    /* by diagram box state */
    size_t socket_count;                    /* rows that still exist */

    struct sl_tui_log_entry log[SL_TUI_LOG_CAPACITY];
    size_t log_count, log_next;             /* a ring: log_next is the oldest when full */

    unsigned frame;                         /* frames applied so far */
    unsigned edge_lit[SL_DIAGRAM_MARKS];    /* frame at which each edge (or the reset
                                               mark) was taken; 0: never */
    double now;

    enum sl_tui_sort sort;
    bool sort_reverse;
    size_t selected;

    /* The widest cell of each table column over the rows, with the space
     * after it (0: no rows): measured when the rows change (a frame, a keep),
     * so a draw, at every key, fits the table without measuring every row. */
    int widest[SL_TUI_TABLE_COLUMNS];

    /* Before the sort: the rows in these states first, in this order (what a
     * lab's pause names), and with gone_last every closed row after the live
     * ones. sockdash sets neither. */
    int first_states[8];
    int first_count;
    bool gone_last;
};

void sl_tui_model_init(struct sl_tui_model *m);
void sl_tui_model_free(struct sl_tui_model *m);

/* A new frame: its sockets (owners[i] for sockets[i], pid 0 when unknown;
 * owners may be NULL), the transitions
 * the tracepoint saw since the previous frame (NULL without --trace) and those
 * polling found, at time now. */
void sl_tui_model_apply(struct sl_tui_model *m, const struct sl_snapshot *snap,
                      const struct sl_owner *owners, const struct sl_changes *traced,
                      const struct sl_changes *polled, double now);

/* The viewer now looks at fewer sockets (a lab stopped tracking a port):
 * the rows outside f leave the table at once. They did not close, so they
 * are neither logged nor kept as closed. */
void sl_tui_model_keep(struct sl_tui_model *m, const struct sl_filter *f);

/* How many live rows are in first_states (a request socket counts as
 * SYN-RECV). */
size_t sl_tui_model_first_rows(const struct sl_tui_model *m);

/* One transition seen between frames (the tracepoint): logged and lit. */
void sl_tui_model_log(struct sl_tui_model *m, const struct sl_change *change, bool traced,
                    double now);

/* The i-th log entry, newest first; NULL past the end. */
const struct sl_tui_log_entry *sl_tui_model_log_entry(const struct sl_tui_model *m, size_t i);

/* Where an entry went, as the log says it: "TIME-WAIT", "CLOSED",
 * "gone (RST or abort)", "gone (LAST-ACK unseen, or RST)", "gone (timed out, or RST)". */
const char *sl_tui_log_destination(const struct sl_tui_log_entry *e);

/* How lit an edge (or SL_DIAGRAM_RESET) is: 0 (dark) .. SL_TUI_LIT_FRAMES (just taken). */
int sl_tui_model_edge_heat(const struct sl_tui_model *m, int edge);

/* Sort the rows by m->sort; keeps the selected socket selected. */
void sl_tui_model_sort(struct sl_tui_model *m);

/* Move the selection by delta rows, within the table. */
void sl_tui_model_move(struct sl_tui_model *m, long delta);

/* The selected row, or NULL when the table is empty. */
const struct sl_tui_row *sl_tui_model_selected(const struct sl_tui_model *m);

const char *sl_tui_sort_name(enum sl_tui_sort sort);


/* ---- text fitting ---- */

/* Text is fitted and wrapped by text.h (columns, never bytes). */

/* Segments of a line, fitted to width: all in full if they fit; else the
 * least important are shortened first (those with a brief form), then
 * dropped, until the line fits; joined by sep. */
struct sl_tui_segment {
    const char *full, *brief;       /* brief may be NULL: no shorter form */
    int keep;                       /* the higher, the longer it stays */
};
void sl_tui_fit_segments(const struct sl_tui_segment *segments, int count, const char *sep,
                       int width, char *out, size_t len);


/* ---- widgets ---- */

struct sl_tui_rect {
    int y, x, h, w;             /* h == 0: not shown */
};

/* What each colour means (htop's CRT_colors[ELEMENT], in spirit): one pair
 * per meaning, and a monochrome look for terminals without colour and for
 * NO_COLOR. */
enum sl_tui_colour {
    SL_TUI_COLOUR_EDGE_TAKEN = 1,   /* an edge a socket has just taken */
    SL_TUI_COLOUR_EDGE_FADING,      /* taken a few refreshes ago */
    SL_TUI_COLOUR_STATE_OCCUPIED,   /* a state with sockets in it */
    SL_TUI_COLOUR_RESET,            /* the reset/abort mark, lit */
    SL_TUI_COLOUR_HEADER,           /* the title line */
    SL_TUI_COLOUR_KEYS,             /* the bar of keys */
    SL_TUI_COLOUR_CLOSED_ROW,       /* a socket that just closed, kept a while */
    SL_TUI_COLOUR_HELD,             /* an expectation the kernel held */
    SL_TUI_COLOUR_FAILED,           /* one it did not */
    SL_TUI_COLOUR_UNSURE,           /* skipped or inconclusive */
    SL_TUI_COLOUR_CODE_WORD,        /* a C keyword in an excerpt */
    SL_TUI_COLOUR_CODE_QUOTE,       /* a string or character literal */
    SL_TUI_COLOUR_COUNT
};

/* The foreground and background of a colour's pair (-1: the terminal's own). */
void sl_tui_colour_pair(enum sl_tui_colour colour, short *fg, short *bg);

/* How a piece of text is drawn. */
enum sl_tui_look {
    SL_TUI_PLAIN, SL_TUI_BOLD, SL_TUI_DIM, SL_TUI_REVERSE, SL_TUI_HEADING,
    SL_TUI_HEADER, SL_TUI_KEYS, SL_TUI_HELD, SL_TUI_FAILED, SL_TUI_UNSURE,
    SL_TUI_CODE_WORD, SL_TUI_CODE_QUOTE,
};

/* Whether this terminal can show a screen; false with one sentence in why
 * (an unknown TERM, or one that cannot move the cursor, such as dumb) that
 * ends with what to do instead ("use --once"). */
bool sl_tui_usable(const char *instead, char *why, size_t why_len);

/* Start ncurses (colour unless NO_COLOR is set or the terminal has none);
 * stop restores the terminal. sl_tui_restore_now does what stop does with
 * async-signal-safe calls only, for a signal handler. */
void sl_tui_start(void);
void sl_tui_stop(void);
void sl_tui_restore_now(void);

/* The screen's size. */
void sl_tui_size(int *rows, int *cols);

/* A frame: begin clears what was drawn, end shows what was drawn since. */
void sl_tui_frame_begin(void);
void sl_tui_frame_end(void);

/* Text at y, x, cut or padded to exactly `width` columns; put_words cuts
 * between words. */
void sl_tui_put(int y, int x, int width, const char *text, enum sl_tui_look look);
void sl_tui_put_words(int y, int x, int width, const char *text, enum sl_tui_look look);
void sl_tui_clear(struct sl_tui_rect r);

/* The state machine in one of its forms (the selected socket's state
 * reversed, lit edges and the reset mark coloured), or the states in a row. */
void sl_tui_draw_diagram(const struct sl_tui_model *m, enum sl_diagram_form form,
                         struct sl_tui_rect r);
void sl_tui_draw_strip(const struct sl_tui_model *m, struct sl_tui_rect r);

/* The socket table (State, Recv-Q, Send-Q, Local, Peer, Timer, and Owner when
 * owners), the selected row reversed and kept in view, the last line
 * explaining its state (and, when not every row shows, which row of how many
 * it is). */
void sl_tui_draw_table(const struct sl_tui_model *m, struct sl_tui_rect r, bool owners);

/* The table's columns at this width: which[i] (0 State, 1 Recv-Q, 2 Send-Q,
 * 3 Local, 4 Peer, 5 Timer, 6 Owner), in that order, and their widths;
 * returns how many. Columns go whole, least important first: Owner, Send-Q,
 * Recv-Q, Peer, then Timer (what TIME-WAIT is about outlasts the peer). */
int sl_tui_table_columns(int width, bool owners, int *which, int *widths);

/* The same for the rows of m: an address column as wide as its widest
 * address (loopback's are short: the peer fits beside the local address in
 * 61 columns; a heading that does not fit is shortened to "Local Address"),
 * and a column grown past its usual width for a cell that needs it
 * ("bl=4096"). sl_tui_draw_table draws what this chooses. It reads the
 * widths the model measured (m->widest), not the rows. */
int sl_tui_table_fit(const struct sl_tui_model *m, int width, bool owners, int *which,
                     int *widths);

/* Socket rows a table of height h shows: less the heading and the meaning
 * line; at least 1. */
int sl_tui_table_rows(int h);

/* The transition log, newest first. */
void sl_tui_draw_log(const struct sl_tui_model *m, struct sl_tui_rect r);

/* A bar of keys (or parts) on line y: fitted, two spaces apart, one if that
 * is what it takes. */
void sl_tui_draw_bar(int y, int cols, const struct sl_tui_segment *keys, int count);

/* Paragraphs wrapped between words into r (the first one bold); an empty
 * paragraph is a blank line; the r is cleared first. Starts `skip` lines
 * down the text; returns the number of lines the text takes. */
int sl_tui_draw_paragraphs(struct sl_tui_rect r, const char *const *paragraphs, int count,
                           int skip);

/* Text taller than its box, moved through by line (an explanation) or by
 * page (a help): the one routine the widgets scroll text with. The
 * paragraphs, wrapped between words as above (bold: those marked, or the
 * first alone when bold is NULL), fill r less its last line, from line or
 * page `at` on, held within the text (never past its end). A page does not
 * split a paragraph, or a section, that fits on one. The last line says where the view is
 * ("page 2 of 3"; "lines 21-40 of 52" when the lines do not all show), then
 * `keys`, what moves it, as far as they fit. Returns where it is now and of
 * how many lines or pages. */
enum sl_tui_unit { SL_TUI_BY_LINE, SL_TUI_BY_PAGE };
#define SL_TUI_SECTION "\f"     /* a paragraph of its own: here starts a section, kept on one
                                   page when it fits (by page); it takes no line */
struct sl_tui_scroll {
    int at;                     /* the first line (by line) or the page (by page) shown, from 0 */
    int count;                  /* how many lines, or pages, the text takes */
};
struct sl_tui_scroll sl_tui_draw_scrolled(struct sl_tui_rect r, const char *const *paragraphs,
                                          int count, const bool *bold, enum sl_tui_unit unit,
                                          int at, const char *keys);

/* The first of a list's rows to show in `rows` lines so that row `selected`
 * shows (at the bottom, once it is past the first screen): the socket table's
 * and the tcp_info table's. */
size_t sl_tui_first_shown(size_t selected, int rows);

/* The same for the program's own paragraphs, each a message of the catalog
 * (marked N_() where it is written, i18n.h): shown in the user's language.
 * (Text that is no message, the notes, goes through sl_tui_draw_paragraphs.) */
int sl_tui_draw_messages(struct sl_tui_rect r, const char *const *messages, int count, int skip);

/* What the socket table and the log write (q= and bl=, the timers, the
 * log's ends), a paragraph each, the first a heading: the one legend that
 * sockdash's help and the labs' --tui help show (in English: messages for
 * sl_tui_draw_messages). Returns how many. */
int sl_tui_legend(const char *const **paragraphs);

/* "terminal too small (need COLSxROWS)", wrapped whole in the middle. */
void sl_tui_draw_too_small(int rows, int cols, int need_cols, int need_rows);

#endif
