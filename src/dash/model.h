/* model.h — what the dashboard shows, kept apart from how it is drawn: the
 * sockets of the latest frame (and those that just closed), the count per
 * state, the transition log, which edges of the diagram are lit, and the
 * viewer's choices (sort, selection, pause).
 *
 * Frames come from the collector (live) or from a recording (replay); the
 * model does not know which. Time is in milliseconds of the frame's clock. */
#ifndef SOCKDASH_MODEL_H
#define SOCKDASH_MODEL_H

#include "socklab/addr.h"
#include "socklab/diag.h"
#include "socklab/diagram.h"
#include "socklab/owner.h"
#include "socklab/watch.h"

#define DASH_LOG_CAPACITY 200
#define DASH_GONE_KEEP_MS 5000      /* a closed socket stays in the table this long */
#define DASH_LIT_FRAMES 4           /* an edge fades over this many refreshes */

struct dash_row {
    struct sl_socket socket;
    struct sl_owner owner;          /* pid 0: unknown */
    double gone_at;                 /* 0 while the socket exists */
};

/* How a socket's end was drawn (see sl_diagram_end). */
enum dash_ending {
    DASH_ENDING_NONE,               /* not an end: appeared, or moved between states */
    DASH_ENDING_CLOSED,             /* the figure's own edge to CLOSED */
    DASH_ENDING_RESET,              /* gone without TIME-WAIT: a RST or an abort */
    DASH_ENDING_UNSEEN,             /* polled: a passive close (LAST-ACK unseen) or a RST */
};

struct dash_log_entry {
    double at;
    enum sl_change_kind kind;
    enum dash_ending ending;
    struct sl_tuple tuple;
    uint8_t from, to;
    bool traced;                    /* from the tracepoint, not from polling */
};

enum dash_sort { DASH_SORT_STATE, DASH_SORT_LOCAL, DASH_SORT_PEER, DASH_SORT_RECVQ,
                 DASH_SORT_SENDQ, DASH_SORT_TIMER, DASH_SORT_OWNER, DASH_SORT_KEYS };

struct dash_model {
    struct dash_row *rows;
    size_t row_count, row_capacity;
    unsigned counts[SL_TCP_STATE_COUNT];    /* by diagram box state */
    size_t socket_count;                    /* rows that still exist */

    struct dash_log_entry log[DASH_LOG_CAPACITY];
    size_t log_count, log_next;             /* a ring: log_next is the oldest when full */

    unsigned frame;                         /* frames applied so far */
    unsigned edge_lit[SL_DIAGRAM_MARKS];    /* frame at which each edge (or the reset
                                               mark) was taken; 0: never */
    double now;

    enum dash_sort sort;
    bool sort_reverse;
    size_t selected;
};

void dash_model_init(struct dash_model *m);
void dash_model_free(struct dash_model *m);

/* A new frame: its sockets (owners[i] for sockets[i], pid 0 when unknown;
 * owners may be NULL), the transitions
 * the tracepoint saw since the previous frame (NULL without --trace) and those
 * polling found, at time now. */
void dash_model_apply(struct dash_model *m, const struct sl_snapshot *snap,
                      const struct sl_owner *owners, const struct sl_changes *traced,
                      const struct sl_changes *polled, double now);

/* One transition seen between frames (the tracepoint): logged and lit. */
void dash_model_log(struct dash_model *m, const struct sl_change *change, bool traced,
                    double now);

/* The i-th log entry, newest first; NULL past the end. */
const struct dash_log_entry *dash_model_log_entry(const struct dash_model *m, size_t i);

/* Where an entry went, as the log says it: "TIME-WAIT", "CLOSED",
 * "gone (RST or abort)", "gone (LAST-ACK unseen, or RST)". */
const char *dash_log_destination(const struct dash_log_entry *e);

/* How lit an edge (or SL_DIAGRAM_RESET) is: 0 (dark) .. DASH_LIT_FRAMES (just taken). */
int dash_model_edge_heat(const struct dash_model *m, int edge);

/* Sort the rows by m->sort; keeps the selected socket selected. */
void dash_model_sort(struct dash_model *m);

/* Move the selection by delta rows, within the table. */
void dash_model_move(struct dash_model *m, long delta);

/* The selected row, or NULL when the table is empty. */
const struct dash_row *dash_model_selected(const struct dash_model *m);

const char *dash_sort_name(enum dash_sort sort);

#endif
