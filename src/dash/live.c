/* live.c — the full-screen dashboard's loop: take a frame (from the kernel or
 * from a recording) when one is due, draw, and wait for a key, the
 * tracepoint, or the next frame, whichever comes first. Every wait is bounded
 * by the refresh interval.
 *
 * The terminal is restored however the loop ends: q, F10, Ctrl-C, SIGTERM,
 * SIGHUP (the signal handlers only set a flag; the loop sees it at once,
 * because they interrupt poll()). */
#include "live.h"

#include "collect.h"
#include "history.h"
#include "record.h"
#include "screen.h"

#include "socklab/i18n.h"
#include "socklab/tui_panels.h"

#include "socklab/check.h"
#include "socklab/clock.h"

#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

struct live {
    struct dash_options options;
    struct dash_collector collector;
    struct dash_recording recording;
    struct sl_tui_model model;
    struct dash_status status;
    FILE *record;
    double start_ms, next_frame_ms;
    size_t next_replay;             /* the recording's next frame */
    bool step_once;                 /* space: one frame of a paused replay */
    bool redraw;                    /* paused: draw once anyway (a key, a resize) */
    char message[320], filter_text[128], prompt[128];
    double message_until;
    bool prompting;
    struct dash_layout shown;       /* what the last draw laid out: the view Tab moves
                                       on from, and the table's height for PgUp/PgDn */
    struct history history;         /* RTT and cwnd over the last minute */
    int cell;                       /* the column Enter explains, in the table shown */
    bool explaining;
    int explain_skip;
    struct sl_explanation explanation;
    char explain_title[200];
    char cost[640];                 /* translated: room for 3-byte characters */
};

static void say(struct live *l, const char *text)
{
    snprintf(l->message, sizeof l->message, "%s", text);
    l->message_until = sl_clock_ms() + 4000;
}

/* One frame from the kernel. */
static void collect_frame(struct live *l)
{
    struct dash_collector *c = &l->collector;
    double now = sl_clock_ms() - l->start_ms;
    int rc = dash_collect(c);
    if (rc < 0) {
        char text[160];
        snprintf(text, sizeof text, _("cannot read the socket table: %s"), strerror(-rc));
        say(l, text);
        return;
    }
    const struct sl_owner *owners = c->owners ? c->owner_of : NULL;
    sl_tui_model_apply(&l->model, &c->current, owners, c->trace ? &c->traced : NULL, &c->polled,
                     now);
    history_add(&l->history, &c->current, now);
    if (c->frames == 1 && c->note[0])
        say(l, c->note);                           /* what the tracker cannot have, once */
    if (l->record)
        dash_record_frame(l->record, now, &c->current, owners, &c->traced, &c->polled);
}

/* One frame from the recording. */
static void replay_frame(struct live *l)
{
    if (l->next_replay >= l->recording.count)
        return;
    const struct dash_frame *f = &l->recording.frames[l->next_replay++];
    sl_tui_model_apply(&l->model, &f->snap, f->owners, &f->traced, &f->polled, f->at);
    l->status.replay_frame = l->next_replay;
}

static double replay_due(const struct live *l)
{
    const struct dash_frame *first = &l->recording.frames[0];
    const struct dash_frame *next = &l->recording.frames[l->next_replay];
    return l->start_ms + (next->at - first->at);
}

/* Live, frames are taken at every interval, paused or not: pausing freezes
 * the screen, not the collection, so the log misses nothing. A replay, paused,
 * stands still (space: one frame). */
static void frame_if_due(struct live *l)
{
    double now = sl_clock_ms();
    if (!l->options.replay) {
        if (now >= l->next_frame_ms) {
            collect_frame(l);
            l->next_frame_ms = now + l->options.interval_ms;
        }
        return;
    }
    bool more = l->next_replay < l->recording.count;
    bool due = l->step_once || (!l->status.paused && more && now >= replay_due(l));
    if (due && more) {
        replay_frame(l);
        l->redraw = true;
    }
    l->step_once = false;
}

static void apply_filter(struct live *l, const char *text)
{
    char why[200];
    struct dash_options next = l->options;
    if (!dash_parse_filter(text, &next, why, sizeof why)) {
        say(l, why);
        return;
    }
    if (l->options.replay) {
        say(l, _("a replay shows what was recorded: filters apply to the live view"));
        return;
    }
    l->options = next;
    snprintf(l->filter_text, sizeof l->filter_text, "%s", text);
    bool tracing = l->collector.trace != NULL;
    dash_collector_free(&l->collector);
    dash_collector_init(&l->collector, &l->options);
    why[0] = '\0';
    if (tracing && (!dash_collector_trace(&l->collector, why, sizeof why) || why[0]))
        say(l, why);                               /* off, or on with a coarser filter */
    sl_tui_model_free(&l->model);
    sl_tui_model_init(&l->model);
    l->next_frame_ms = 0;                          /* show the new filter at once */
}

/* A key while the filter prompt is open. */
static void prompt_key(struct live *l, int key)
{
    size_t len = strlen(l->prompt);
    if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        l->prompting = false;
        apply_filter(l, l->prompt);
    } else if (key == 27) {
        l->prompting = false;
    } else if ((key == KEY_BACKSPACE || key == 127 || key == 8) && len > 0) {
        while (len > 1 && ((unsigned char)l->prompt[len - 1] & 0xc0) == 0x80)
            len--;                                 /* a whole UTF-8 character goes */
        l->prompt[len - 1] = '\0';
    } else if (((key >= 32 && key < 127) || (key >= 128 && key < 256)) &&
               len + 1 < sizeof l->prompt) {       /* getch() hands UTF-8 over byte by byte */
        l->prompt[len] = (char)key;
        l->prompt[len + 1] = '\0';
    }
}

/* The columns of the table shown, and what the cell under `cell` explains. */
static int cell_count(const struct live *l)
{
    return l->status.info_table ? SL_TUI_INFO_COLUMNS : SL_TUI_TABLE_COLUMNS;
}

static enum sl_explain_cell cell_explained(const struct live *l)
{
    return l->status.info_table ? sl_tui_info_cell(l->cell) : (enum sl_explain_cell)l->cell;
}

/* The move the log saw into the row's state, if any (newest first). */
static void seen_move(const struct sl_tui_model *m, const struct sl_socket *s,
                      struct sl_explain_context *c)
{
    for (size_t i = 0; sl_tui_model_log_entry(m, i); i++) {
        const struct sl_tui_log_entry *e = sl_tui_model_log_entry(m, i);
        if (sl_tuple_equal(&e->tuple, &s->tuple) && e->kind == SL_CHANGED && e->to == s->state) {
            c->from_state = e->from;
            c->traced = e->traced;
            return;
        }
    }
}

/* The explanation of the selected row's cell, for the panel. */
static void explain_selected(struct live *l)
{
    const struct sl_tui_row *row = sl_tui_model_selected(&l->model);
    if (!row) {
        l->explaining = false;
        say(l, _("no socket selected: nothing to explain"));
        return;
    }
    const struct sl_socket *s = &row->socket;
    struct sl_explain_context c = { .owner = row->owner.pid ? &row->owner : NULL,
                                    .owners_looked_up = l->collector.owners != NULL,
                                    .opened_actively = sl_snapshot_opener(
                                        &l->collector.current, &s->tuple) };
    seen_move(&l->model, s, &c);
    sl_explain(s, &c, cell_explained(l), &l->explanation);
    char local[SL_ADDR_STRLEN], peer[SL_ADDR_STRLEN];
    sl_tuple_local(&s->tuple, local, sizeof local);
    sl_tuple_peer(&s->tuple, peer, sizeof peer);
    if (row->gone_at)
        snprintf(l->explain_title, sizeof l->explain_title, _("CLOSED (was %s) %s %s: the %s cell"),
                 sl_state_name(s->state), local, peer, sl_explain_cell_name(cell_explained(l)));
    else
        snprintf(l->explain_title, sizeof l->explain_title, _("%s %s %s: the %s cell"),
                 sl_state_name(s->state), local, peer, sl_explain_cell_name(cell_explained(l)));
    const struct sl_closed_list *ended = l->collector.tracker
                                         ? sl_tracker_closed(l->collector.tracker) : NULL;
    for (size_t i = 0; row->gone_at && ended && sl_closed_get(ended, i); i++) {
        const struct sl_closed *e = sl_closed_get(ended, i);
        if (e->cookie == s->cookie && l->explanation.count < SL_EXPLAIN_PARTS) {
            int k = l->explanation.count++;        /* how it ended, last */
            snprintf(l->explanation.heading[k], sizeof l->explanation.heading[k], "ended");
            snprintf(l->explanation.text[k], sizeof l->explanation.text[k], "%s: %s.",
                     _(sl_ending_name(e->ending)), sl_ending_meaning(e->ending));
            break;
        }
    }
}

/* A key while an explanation is open. */
static void explanation_key(struct live *l, int k)
{
    switch (k) {
    case 27: case '\n': case '\r': case KEY_ENTER: case 'q': l->explaining = false; break;
    case KEY_UP: case 'k': l->explain_skip -= l->explain_skip > 0; break;
    case KEY_DOWN: case 'j': l->explain_skip++; break;
    case KEY_LEFT: case KEY_RIGHT:
        l->cell = (l->cell + (k == KEY_LEFT ? cell_count(l) - 1 : 1)) % cell_count(l);
        l->explain_skip = 0;
        explain_selected(l);
        break;
    default: break;
    }
}

/* A key; false to quit. */
static bool key(struct live *l, int k)
{
    struct sl_tui_model *m = &l->model;
    l->redraw = true;
    if (k != KEY_RESIZE)
        l->message_until = 0;                      /* a key dismisses the message */
    if (k != KEY_RESIZE && !l->options.replay)
        dash_collector_discover(&l->collector);    /* someone is looking: find new sockets */
    if (l->prompting) {
        prompt_key(l, k);
        return true;
    }
    if (l->explaining && k != KEY_RESIZE) {
        explanation_key(l, k);
        return true;
    }
    bool help_key = k == '?' || k == 'h' || k == KEY_F(1);
    if (l->status.help && k != KEY_RESIZE) {       /* ? again: the next page; after the */
        if (help_key || k == ' ' || k == KEY_NPAGE)     /* last, or any other key: closed */
            l->status.help = l->status.help_pages && l->status.help >= l->status.help_pages
                             ? 0 : l->status.help + 1;  /* (not drawn yet: the draw holds it) */
        else if (k == KEY_PPAGE || k == KEY_UP)
            l->status.help -= l->status.help > 1;
        else
            l->status.help = 0;
        return k != 'q' && k != KEY_F(10);
    }
    if (help_key) {
        l->status.help = 1;
        l->status.help_pages = 0;                  /* known once it is drawn, at this size */
        return true;
    }
    switch (k) {
    case 'q': case 'Q': case KEY_F(10): return false;
    case KEY_UP: case 'k': sl_tui_model_move(m, -1); break;
    case KEY_DOWN: case 'j': sl_tui_model_move(m, 1); break;
    case KEY_PPAGE: sl_tui_model_move(m, -dash_layout_table_rows(&l->shown)); break;
    case KEY_NPAGE: sl_tui_model_move(m, dash_layout_table_rows(&l->shown)); break;
    case KEY_HOME: sl_tui_model_move(m, -(long)m->row_count); break;
    case KEY_END: sl_tui_model_move(m, (long)m->row_count); break;
    case 's': m->sort = (m->sort + 1) % SL_TUI_SORT_KEYS; sl_tui_model_sort(m); break;
    case 'S': m->sort_reverse = !m->sort_reverse; sl_tui_model_sort(m); break;
    case 'p': case 'P': l->status.paused = !l->status.paused; break;
    case ' ': l->step_once = true; break;          /* live: the redraw shows the latest */
    case '+': case '=':
        l->options.interval_ms = l->options.interval_ms * 2 > 60000 ? 60000
                               : l->options.interval_ms * 2;
        break;
    case '-': case '_':
        l->options.interval_ms = l->options.interval_ms / 2 < 50 ? 50
                               : l->options.interval_ms / 2;
        break;
    case '\t':
        l->status.view = dash_layout_next_view(COLS, LINES, l->shown.view);
        break;
    case KEY_LEFT: case KEY_RIGHT:
        l->cell = (l->cell + (k == KEY_LEFT ? cell_count(l) - 1 : 1)) % cell_count(l);
        break;
    case '\n': case '\r': case KEY_ENTER:
        l->explaining = true;
        l->explain_skip = 0;
        explain_selected(l);
        break;
    case 'i':
        l->status.info_table = !l->status.info_table;
        l->cell = 0;
        break;
    case 'c': l->status.show_closed = !l->status.show_closed; break;
    case '/':
        l->prompting = true;
        snprintf(l->prompt, sizeof l->prompt, "%s", l->filter_text);
        break;
    default: break;
    }
    return true;
}

static void draw(struct live *l)
{
    l->status.interval_ms = l->options.interval_ms;
    l->status.filter = l->filter_text;
    l->status.prompt = l->prompting ? l->prompt : NULL;
    l->status.message = sl_clock_ms() < l->message_until ? l->message : NULL;
    l->status.cell = sl_explain_cell_name(cell_explained(l));
    l->status.explanation = l->explaining ? &l->explanation : NULL;
    l->status.explanation_title = l->explain_title;
    l->status.explanation_skip = l->explain_skip;
    l->status.closed = l->collector.tracker ? sl_tracker_closed(l->collector.tracker) : NULL;
    l->status.history = &l->history;
    l->status.now_ms = sl_clock_ms() - l->start_ms;
    l->status.start_ms = l->start_ms;
    l->status.cost = NULL;
    if (l->collector.tracker) {
        struct sl_tracker_stats c = sl_tracker_stats(l->collector.tracker);
        snprintf(l->cost, sizeof l->cost, _("Cost so far: %lu refreshes, %lu by exact lookups "
                 "alone (hash lookups, %lu sockets); %lu dumps, each a walk of every socket on "
                 "the machine (every few seconds, after a queue grows, a key); %lu destroy "
                 "events."), c.refreshes, c.lookup_rounds, c.lookups, c.dumps, c.events);
        l->status.cost = l->cost;
    }
    l->shown = dash_screen_draw(&l->model, &l->status);
    l->explain_skip = l->status.explanation_skip;  /* held within the text it scrolls */
}

/* Wait for a key, the tracepoint or the next frame, at most until it is due. */
static void wait_a_little(struct live *l)
{
    double due = l->options.replay
                 ? (l->next_replay < l->recording.count ? replay_due(l) : sl_clock_ms() + 1000)
                 : l->next_frame_ms;
    double left = l->status.paused && l->options.replay ? 1000 : due - sl_clock_ms();
    if (l->message_until > 0 && l->message_until - sl_clock_ms() < left)
        left = l->message_until - sl_clock_ms();   /* to clear the message in time */
    int timeout = left < 0 ? 0 : left > 1000 ? 1000 : (int)left;
    struct pollfd fds[3] = { { .fd = STDIN_FILENO, .events = POLLIN },
                             { .fd = dash_collector_event_fd(&l->collector), .events = POLLIN },
                             { .fd = l->collector.trace ? sl_trace_fd(l->collector.trace) : -1,
                               .events = POLLIN } };
    if (poll(fds, 3, timeout) > 0) {               /* a negative fd is left out by poll */
        if (fds[1].revents & POLLIN)
            dash_collector_read_events(&l->collector);
        if (fds[2].revents & POLLIN)
            dash_collector_read_trace(&l->collector);
    }
}

static int run(struct live *l, const struct dash_options *o);

int dash_live(const struct dash_options *o)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        sl_usage_error("sockdash", "the live view needs a terminal; use --once to print "
                                   "one snapshot (sockdash --once).");
    char why[256];
    if (!sl_tui_usable(_("use --once"), why, sizeof why))
        sl_usage_error("sockdash", "%s.", why);
    struct live *l = calloc(1, sizeof *l);
    if (!l)
        sl_usage_error("sockdash", "out of memory.");
    int status = run(l, o);
    free(l);
    if (stop_signal) {                             /* die of the signal, as expected */
        signal(stop_signal, SIG_DFL);
        raise(stop_signal);
    }
    return status;
}

static int run(struct live *l, const struct dash_options *o)
{
    l->options = *o;
    char why[256];
    if (o->replay && !dash_recording_load(o->replay, &l->recording, why, sizeof why))
        sl_usage_error("sockdash", "--replay %s: %s.", o->replay, why);
    if (o->record && !(l->record = fopen(o->record, "w")))
        sl_usage_error("sockdash", "--record %s: %s.", o->record, strerror(errno));
    dash_collector_init(&l->collector, &l->options);
    why[0] = '\0';
    if (o->trace && !dash_collector_trace(&l->collector, why, sizeof why)) {
        char text[300];
        snprintf(text, sizeof text, _("%s; polling only"), why);
        say(l, text);
    } else if (why[0]) {
        say(l, why);                               /* tracing, with a coarser kernel filter */
    }
    sl_tui_model_init(&l->model);
    l->status.source = o->replay ? o->replay : sl_source_name(o->source == SL_SOURCE_AUTO
                                                              ? SL_SOURCE_NETLINK : o->source);
    l->status.tracing = l->collector.trace != NULL;
    l->status.replay = o->replay != NULL;
    l->status.replay_frames = l->recording.count;
    l->status.paused = o->step;
    l->status.view = DASH_VIEW_ALL;
    snprintf(l->filter_text, sizeof l->filter_text, "%s", o->filter_text);

    struct sigaction sa = { .sa_handler = on_signal };   /* no SA_RESTART: poll() returns */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sl_tui_start();                               /* (the locale is set: sockdash.c) */
    l->start_ms = sl_clock_ms();
    if (o->step)
        l->step_once = true;                       /* show the first frame, then wait */
    bool running = true;
    while (running && !stop_signal) {
        frame_if_due(l);
        if (!l->status.paused || l->redraw)
            draw(l);
        l->redraw = false;
        wait_a_little(l);
        nodelay(stdscr, TRUE);
        int k;
        while (running && (k = getch()) != ERR)
            running = key(l, k);
    }
    sl_tui_stop();
    dash_collector_free(&l->collector);
    sl_tui_model_free(&l->model);
    dash_recording_free(&l->recording);
    if (l->record)
        fclose(l->record);
    return 0;
}
