/* lab_tui.c — the third presenter (--tui): the classroom in one window.
 *
 *   header      the lab and the step
 *   the lesson  the step: narration, each call with its result and errno
 *               name, facts, outcomes as they come; its code, syntax
 *               lightly highlighted, the line of the call that just ran marked
 *   the sockets the lab's own ports, live: the RFC 9293 diagram with counts
 *               and lit edges, the table, the transitions (the dashboard's
 *               widgets, from socklab/tui.h)
 *   status      what to look at (a pause), a countdown, the end of a step
 *   keys        Enter next, q quit, s source, n notes, ? help, Tab, arrows
 *
 * Below 60 x 20 the header, the status and the keys stay, with what size the
 * rest needs; a terminal that small at the start is refused before step 1.
 * Side by side on a large terminal (150 x 36 and more); stacked below that,
 * with Tab between the lesson and the sockets. The sockets are looked at on
 * every event and every REFRESH_MS while the lab waits for a key, so the
 * picture moves while the step runs and during pauses. The screen is left
 * however the lab ends: the guard calls sl_tui_restore_now on a signal. */
#include "lab_internal.h"

#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/tui.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define REFRESH_MS 200          /* the sockets, looked at while waiting for a key */
#define EVENT_REFRESH_MS 50     /* at most this often while the step runs */
#define MIN_COLS 60
#define MIN_ROWS 20
#define WIDE_COLS 150           /* side by side from here */
#define WIDE_ROWS 36
#define TIMEWAIT_LEN_MS 60000   /* Linux's TCP_TIMEWAIT_LEN: a TIME-WAIT record's whole timer */
#define TIMER_SLACK_MS 2000     /* the timer's granularity, and the lab's start-up */

enum overlay { OVERLAY_NONE, OVERLAY_SOURCE, OVERLAY_NOTES, OVERLAY_HELP, OVERLAY_SUMMARY };
enum key_answer { KEY_STAY, KEY_GO_ON, KEY_QUIT, KEY_START_AGAIN, KEY_GO_BACK };

struct entry {
    char *text;
    enum sl_tui_look look;
    int hang;                   /* continuation lines start under the text after the mark */
    bool hint;                  /* a pause's ss/netstat line: folded to one when space is short */
};

/* A line of the step on screen: `len` characters of an entry from `text`. */
struct step_line {
    int entry;
    const char *text;
    int len, indent;
    bool folded;                /* the pause's hints, as one line */
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
    double start_ms, looked_ms, drawn_ms;

    struct entry *entries;      /* this step, in order */
    int entry_count, entry_room;
    int step_scroll;            /* lines up from the newest */

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

/* ---- what the step says ---- */

static void add_entry(struct sl_lab_tui *t, enum sl_tui_look look, int hang, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

static void add_entry(struct sl_lab_tui *t, enum sl_tui_look look, int hang, const char *fmt, ...)
{
    if (t->entry_count == t->entry_room) {
        int room = t->entry_room ? t->entry_room * 2 : 32;
        struct entry *more = realloc(t->entries, (size_t)room * sizeof *more);
        if (!more)
            sl_die("out of memory");
        t->entries = more;
        t->entry_room = room;
    }
    va_list ap;
    va_start(ap, fmt);
    char *text;
    if (vasprintf(&text, fmt, ap) < 0)
        sl_die("out of memory");
    va_end(ap);
    for (char *c = text; *c; c++)               /* one entry is one paragraph */
        if (*c == '\n' || *c == '\t')
            *c = ' ';
    t->entries[t->entry_count++] = (struct entry){ text, look, hang, false };
    t->step_scroll = 0;                         /* the newest in view */
}

static void clear_step(struct sl_lab_tui *t)
{
    for (int i = 0; i < t->entry_count; i++)
        free(t->entries[i].text);
    t->entry_count = 0;
    t->step_scroll = 0;
    if (t->have_excerpt)
        sl_excerpt_free(&t->excerpt);
    t->have_excerpt = false;
    t->marked = 0;
}

/* ---- the sockets ---- */

/* Whether a socket on the lab's ports is another program's: there before the
 * lab began (with --port, the ports were looked at first), or a TIME-WAIT
 * record older than this run of the lab (its timer starts at 60 s). */
static bool not_the_labs(const struct sl_lab_tui *t, const struct sl_socket *s, double now)
{
    if (t->before.count && sl_snapshot_find(&t->before, &s->tuple))
        return true;
    if (s->state != SL_TCP_TIME_WAIT || s->timer != SL_TIMER_TIMEWAIT)
        return false;
    double age = TIMEWAIT_LEN_MS - (double)s->timer_ms;
    return age > now - t->start_ms + TIMER_SLACK_MS;
}

static void leave_out_others(const struct sl_lab_tui *t, struct sl_snapshot *snap, double now)
{
    size_t kept = 0;
    for (size_t i = 0; i < snap->count; i++)
        if (!not_the_labs(t, &snap->sockets[i], now))
            snap->sockets[kept++] = snap->sockets[i];
    snap->count = kept;
}

/* Look at the lab's ports and feed the model a frame (at most every
 * `every_ms`): the dashboard's model lights what changed since the last look. */
static void look_at_sockets(struct sl_lab *lab, double every_ms)
{
    struct sl_lab_tui *t = lab->tui;
    double now = sl_clock_ms();
    if (!lab->port_count || now - t->looked_ms < every_ms)
        return;
    t->looked_ms = now;
    struct sl_filter filter;
    sl_filter_init(&filter);
    for (int i = 0; i < lab->port_count; i++)
        sl_filter_add_range(&filter, lab->ports[i], lab->ports[i]);
    int next = 1 - t->newest;
    if (sl_snapshot_take(&t->frames[next], &filter, SL_SOURCE_AUTO) < 0)
        return;
    leave_out_others(t, &t->frames[next], now);
    t->changes.count = 0;
    if (t->frame_count++ > 0)
        sl_watch_diff(&t->frames[t->newest], &t->frames[next], &t->changes);
    t->newest = next;
    sl_tui_model_apply(&t->model, &t->frames[next], NULL, NULL, &t->changes, now - t->start_ms);
}

/* ---- drawing ---- */

static void draw_header(struct sl_lab *lab, int cols)
{
    char whole[256], brief[32], step[256], step_brief[32];
    snprintf(whole, sizeof whole, " Lab %02d: %s", lab->info->number, lab->info->title);
    snprintf(brief, sizeof brief, " Lab %02d", lab->info->number);
    snprintf(step, sizeof step, "Step %d: %s", lab->step, lab->step_title ? lab->step_title : "");
    snprintf(step_brief, sizeof step_brief, "Step %d", lab->step);
    struct sl_tui_segment parts[] = { { whole, brief, 1 }, { step, step_brief, 2 } };
    char line[512];
    sl_tui_fit_segments(parts, lab->step ? 2 : 1, " | ", cols, line, sizeof line);
    sl_tui_put(0, 0, cols, line, SL_TUI_HEADER);
}

/* The step's lines at this width, into out (room of them; out may be NULL):
 * each entry wrapped between words, its continuation lines under the text
 * after its mark; with `fold`, a pause's hints on one line. Returns how many
 * lines there are. */
static int step_layout(const struct sl_lab_tui *t, int width, bool fold, struct step_line *out,
                       int room)
{
    int n = 0;
    for (int i = 0; i < t->entry_count; i++) {
        const struct entry *e = &t->entries[i];
        if (fold && e->hint) {
            if (!(i > 0 && t->entries[i - 1].hint) && n++ < room && out)
                out[n - 1] = (struct step_line){ i, e->text, (int)strlen(e->text), 0, true };
            continue;
        }
        int indent = 0;
        for (const char *at = e->text, *next; *at; at = next) {
            int len = (int)sl_text_wrap(at, width - indent, &next);
            if (n++ < room && out)
                out[n - 1] = (struct step_line){ i, at, len, indent, false };
            indent = e->hang;
        }
    }
    return n;
}

static int step_lines(const struct sl_lab_tui *t, int width)
{
    return step_layout(t, width, false, NULL, 0);
}

static void draw_step_line(const struct sl_lab_tui *t, const struct step_line *l, int y,
                           struct sl_tui_rect r)
{
    enum sl_tui_look look = t->entries[l->entry].look;
    if (l->folded) {                            /* one line, cut with a mark */
        sl_tui_put_words(y, r.x, r.w, l->text, look);
        return;
    }
    char out[512];
    snprintf(out, sizeof out, "%*s%.*s", l->indent, "", l->len < 500 ? l->len : 500, l->text);
    sl_tui_put(y, r.x, r.w, out, look);
}

/* The step's entries into r. When they do not all fit, the first narration
 * (the step's key sentence) stays at the top, a pause's hints fold to one line, and
 * the newest lines fill the rest, step_scroll lines up from the newest; one
 * line between says how many are out of view. */
static void draw_step(struct sl_lab *lab, struct sl_tui_rect r)
{
    struct sl_lab_tui *t = lab->tui;
    sl_tui_clear(r);
    bool fold = step_layout(t, r.w, false, NULL, 0) > r.h;
    int total = step_layout(t, r.w, fold, NULL, 0);
    if (total == 0 || r.h <= 0)
        return;
    struct step_line *lines = malloc((size_t)total * sizeof *lines);
    if (!lines)
        sl_die("out of memory");
    step_layout(t, r.w, fold, lines, total);
    if (total <= r.h) {
        t->step_scroll = 0;
        for (int i = 0; i < total; i++)
            draw_step_line(t, &lines[i], r.y + i, r);
        free(lines);
        return;
    }
    int key = 0;                                /* the step's first narration */
    while (key < t->entry_count - 1 && t->entries[key].hang)
        key++;
    int head = 0;                               /* it stays, and what came before it */
    while (head < total && lines[head].entry <= key)
        head++;
    int most = (r.h + 1) / 2;                   /* the rest: the gap line and the newest */
    if (head > most)
        head = most;
    int room = r.h - head - 1, rest = total - head;
    if (t->step_scroll > rest - room)
        t->step_scroll = rest - room;
    int first = total - room - t->step_scroll;  /* the first of the newest lines shown */
    for (int i = 0; i < head; i++)
        draw_step_line(t, &lines[i], r.y + i, r);
    char gap[96];
    snprintf(gap, sizeof gap, "%s %d line%s above, %d below (Up/Down)", t->utf8 ? "\u22ee" : ":",
             first - head, first - head == 1 ? "" : "s", t->step_scroll);
    if (!t->step_scroll)
        snprintf(gap, sizeof gap, "%s %d earlier line%s (Up scrolls)", t->utf8 ? "\u22ee" : ":",
                 first - head, first - head == 1 ? "" : "s");
    sl_tui_put_words(r.y + head, r.x, r.w, gap, SL_TUI_DIM);
    for (int i = 0; i < room && r.h > 1; i++)
        draw_step_line(t, &lines[first + i], r.y + head + 1 + i, r);
    free(lines);
}

/* Share `height` rows between the step and its code: the step takes what it
 * needs, leaving the code at least a third; the code takes what is left. */
static int step_share(const struct sl_lab *lab, int width, int height)
{
    const struct sl_lab_tui *t = lab->tui;
    int code_wants = t->have_excerpt ? t->excerpt.count + 1 : 1;
    int step = step_lines(t, width);
    if (step < height - code_wants)
        step = height - code_wants;             /* the code needs less: the step gets it */
    int most = height - height / 3, least = height / 3;
    return step > most ? most : step < least ? least : step;
}

static bool is_keyword(const char *word, int len)
{
    static const char *const words[] = {
        "int", "char", "void", "long", "short", "unsigned", "signed", "bool", "struct",
        "const", "static", "return", "if", "else", "for", "while", "do", "break",
        "continue", "sizeof", "switch", "case", "default", "true", "false", "NULL", "enum",
        "size_t", "ssize_t", "socklen_t", "pid_t", "goto",
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if ((int)strlen(words[i]) == len && !strncmp(words[i], word, (size_t)len))
            return true;
    return false;
}

#define CODE_MARGIN 7            /* "  123| " or "  123> ", and "     : " when folded */

/* A line of code with its tabs as spaces (at 4), into out. */
static void expand_tabs(const char *text, char *out, size_t room)
{
    size_t n = 0;
    for (const char *c = text; *c && n + 5 < room; c++) {
        if (*c == '\t')
            do out[n++] = ' '; while (n % 4);
        else
            out[n++] = *c;
    }
    out[n] = '\0';
}

/* How many rows a line of code takes, folded between words at width. */
static int code_rows(const char *text, int width)
{
    char line[512];
    expand_tabs(text, line, sizeof line);
    int rows = 0;
    for (const char *at = line, *next; *at; at = next) {
        sl_text_wrap(at, width, &next);
        rows++;
    }
    return rows > 0 ? rows : 1;                 /* an empty line is a row too */
}

/* One row of C, lightly highlighted (keywords, literals, comments): `len`
 * characters of seg, after the line's number (or ':' where a line goes on). */
static void draw_code_row(struct sl_tui_rect r, int y, int number, const char *seg, int len,
                          bool marked)
{
    char prefix[16];
    if (number)
        snprintf(prefix, sizeof prefix, "%5d%s ", number, marked ? ">" : "|");
    else
        snprintf(prefix, sizeof prefix, "     : ");
    sl_tui_put(y, r.x, CODE_MARGIN, prefix, marked && number ? SL_TUI_REVERSE : SL_TUI_DIM);
    int x = 0, width = r.w - CODE_MARGIN;
    for (int i = 0; i < len && x < width;) {
        int j = i + 1;
        enum sl_tui_look look = marked ? SL_TUI_BOLD : SL_TUI_PLAIN;
        if (seg[i] == '/' && i + 1 < len && (seg[i + 1] == '/' || seg[i + 1] == '*')) {
            j = len;                                /* a comment: to the end of the row */
            look = SL_TUI_DIM;
        } else if (seg[i] == '"' || seg[i] == '\'') {
            while (j < len && seg[j] != seg[i])
                j += seg[j] == '\\' ? 2 : 1;
            j = j < len ? j + 1 : len;
            look = SL_TUI_CODE_QUOTE;
        } else if (seg[i] == '_' || (seg[i] >= 'a' && seg[i] <= 'z') ||
                   (seg[i] >= 'A' && seg[i] <= 'Z')) {
            while (j < len && (seg[j] == '_' || (seg[j] >= 'a' && seg[j] <= 'z') ||
                               (seg[j] >= 'A' && seg[j] <= 'Z') || (seg[j] >= '0' && seg[j] <= '9')))
                j++;
            if (is_keyword(seg + i, j - i))
                look = SL_TUI_CODE_WORD;
        }
        int run_len = j - i < width - x ? j - i : width - x;
        char run[512];
        snprintf(run, sizeof run, "%.*s", run_len, seg + i);
        sl_tui_put(y, r.x + CODE_MARGIN + x, run_len, run, look);
        x += run_len;
        i = j;
    }
    if (x < width)
        sl_tui_put(y, r.x + CODE_MARGIN + x, width - x, "", SL_TUI_PLAIN);
}

/* A line of code folded between words into at most `room` rows from y;
 * returns the rows used. */
static int draw_code_line(struct sl_tui_rect r, int y, int room, int number, const char *text,
                          bool marked)
{
    char line[512];
    expand_tabs(text, line, sizeof line);
    int rows = 0, width = r.w - CODE_MARGIN;
    bool cut = code_rows(text, width) > room;   /* the pane ends inside this line */
    for (const char *at = line, *next; rows < room && *at; at = next) {
        int len = (int)sl_text_wrap(at, cut && rows == room - 1 ? width - 2 : width, &next);
        draw_code_row(r, y + rows, rows ? 0 : number, at, len, marked);
        rows++;
    }
    if (cut && rows > 0)                        /* the line goes on: say so */
        sl_tui_put(y + rows - 1, r.x + r.w - 1, 1, MB_CUR_MAX > 1 ? "\u2026" : "~", SL_TUI_DIM);
    if (rows == 0 && room > 0) {                /* an empty line */
        draw_code_row(r, y, number, "", 0, marked);
        rows = 1;
    }
    return rows;
}

/* Lines of code from `first` on, folded, into r. */
static void draw_code_lines(struct sl_tui_rect r, const int *numbers, const char *const *lines,
                            int count, int first, int marked)
{
    int y = r.y;
    for (int k = first; k < count && y < r.y + r.h; k++)
        y += draw_code_line(r, y, r.y + r.h - y, numbers ? numbers[k] : k + 1, lines[k],
                            (numbers ? numbers[k] : k + 1) == marked);
}

/* The step's code: the marked line's rows in the middle when they can be,
 * the window full when the code allows. */
static void draw_code(struct sl_lab *lab, struct sl_tui_rect r)
{
    struct sl_lab_tui *t = lab->tui;
    sl_tui_clear(r);
    char title[256];
    snprintf(title, sizeof title, "%s, step %d", t->have_excerpt ? t->excerpt.file : "the code",
             lab->step);
    sl_tui_put_words(r.y, r.x, r.w, title, SL_TUI_HEADING);
    if (!t->have_excerpt || r.h < 2)
        return;
    const struct sl_excerpt *ex = &t->excerpt;
    int rows = r.h - 1, width = r.w - CODE_MARGIN, first = 0;
    for (int i = 0; i < ex->count; i++)
        if (ex->numbers[i] == t->marked)
            first = i;
    int above = 0;                              /* lines above the marked one, half a window */
    while (first > 0 && above + code_rows(ex->lines[first - 1], width) <= rows / 2)
        above += code_rows(ex->lines[--first], width);
    int below = 0;                              /* fill the window from the end if it is short */
    for (int i = first; i < ex->count; i++)
        below += code_rows(ex->lines[i], width);
    while (first > 0 && below + code_rows(ex->lines[first - 1], width) <= rows)
        below += code_rows(ex->lines[--first], width);
    draw_code_lines((struct sl_tui_rect){ r.y + 1, r.x, rows, r.w }, ex->numbers,
                    (const char *const *)ex->lines, ex->count, first, t->marked);
}

/* The sockets: the richest diagram that leaves room for a table, the table,
 * the log when there is room; when the table is on the screen already (the
 * stacked lesson), a short space goes to the log instead. */
static void draw_sockets(struct sl_lab *lab, struct sl_tui_rect r, bool table_elsewhere)
{
    struct sl_lab_tui *t = lab->tui;
    sl_tui_clear(r);
    struct sl_tui_rect rest = r;
    const struct sl_diagram_layout *full = sl_diagram_layout(SL_DIAGRAM_FULL);
    const struct sl_diagram_layout *compact = sl_diagram_layout(SL_DIAGRAM_COMPACT);
    const struct sl_diagram_layout *form = r.w >= full->width && r.h >= full->height + 8 ? full
                                         : r.w >= compact->width && r.h >= compact->height + 3
                                         ? compact : NULL;
    if (form) {
        struct sl_tui_rect d = { r.y, r.x + (r.w - form->width) / 2, form->height, form->width };
        sl_tui_draw_diagram(&t->model, form == full ? SL_DIAGRAM_FULL : SL_DIAGRAM_COMPACT, d);
        rest = (struct sl_tui_rect){ r.y + form->height, r.x, r.h - form->height, r.w };
    } else {
        int lines = sl_diagram_strip(r.w, t->model.counts, NULL, NULL, NULL);
        sl_tui_draw_strip(&t->model, (struct sl_tui_rect){ r.y, r.x, lines, r.w });
        rest = (struct sl_tui_rect){ r.y + lines, r.x, r.h - lines, r.w };
    }
    if (rest.h >= 12) {
        int log_h = rest.h / 3;
        sl_tui_draw_table(&t->model, (struct sl_tui_rect){ rest.y, rest.x, rest.h - log_h, rest.w },
                          false);
        sl_tui_draw_log(&t->model, (struct sl_tui_rect){ rest.y + rest.h - log_h, rest.x, log_h,
                                                          rest.w });
    } else if (table_elsewhere && rest.h >= 2) {
        sl_tui_draw_log(&t->model, rest);
    } else if (rest.h >= 3) {
        sl_tui_draw_table(&t->model, rest, false);
    }
}

/* Stacked: the step, its code, the states in a row and the table. */
static void draw_lesson(struct sl_lab *lab, struct sl_tui_rect r)
{
    struct sl_lab_tui *t = lab->tui;
    int strip = sl_diagram_strip(r.w, t->model.counts, NULL, NULL, NULL);
    int table = r.h >= 18 ? 6 : 3;
    int left = r.h - strip - table, step = step_share(lab, r.w, left), code = left - step;
    draw_step(lab, (struct sl_tui_rect){ r.y, r.x, step, r.w });
    draw_code(lab, (struct sl_tui_rect){ r.y + step, r.x, code, r.w });
    sl_tui_draw_strip(&t->model, (struct sl_tui_rect){ r.y + step + code, r.x, strip, r.w });
    sl_tui_draw_table(&t->model, (struct sl_tui_rect){ r.y + step + code + strip, r.x, table, r.w },
                      false);
}

static void draw_side_by_side(struct sl_lab *lab, struct sl_tui_rect r)
{
    const struct sl_diagram_layout *full = sl_diagram_layout(SL_DIAGRAM_FULL);
    int right = r.w - full->width >= 60 && r.h >= full->height + 8 ? full->width : 80;
    int left = r.w - right - 1, step = step_share(lab, left, r.h);
    draw_step(lab, (struct sl_tui_rect){ r.y, r.x, step, left });
    draw_code(lab, (struct sl_tui_rect){ r.y + step, r.x, r.h - step, left });
    draw_sockets(lab, (struct sl_tui_rect){ r.y, r.x + left + 1, r.h, right }, false);
}

static char *find_notes(const struct sl_lab *lab)
{
    const char *const where[] = { "%s/../../docs/labs/%02d-%s.md",
                                  "%s/../../share/socklab/docs/labs/%02d-%s.md" };
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        char path[PATH_MAX + 64];
        snprintf(path, sizeof path, where[i], lab->exe_dir, lab->info->number, lab->info->name);
        char *text = sl_lab_read_file(path);
        if (text)
            return text;
    }
    return NULL;
}

/* Text split at its newlines into paragraphs (text is changed). */
static int split_lines(char *text, const char **lines, int room)
{
    int n = 0;
    for (char *line = text; line && n < room;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lines[n++] = *line ? line : "";
        line = nl ? nl + 1 : NULL;
    }
    return n;
}

/* The lab's whole source, from overlay_scroll on. */
static void draw_whole_source(struct sl_lab *lab, struct sl_tui_rect r)
{
    struct sl_lab_tui *t = lab->tui;
    if (!lab->code && lab->step_file)
        lab->code = sl_lab_code_load(lab->exe_dir, lab->step_file);
    const char *const *lines = NULL;
    int n = lab->code ? sl_lab_code_lines(lab->code, &lines) : 0;
    if (!n) {
        sl_tui_put_words(r.y, r.x, r.w, "The lab's source is not installed here.", SL_TUI_BOLD);
        return;
    }
    if (t->overlay_scroll > n - 1)
        t->overlay_scroll = n - 1;
    draw_code_lines(r, NULL, lines, n, t->overlay_scroll, t->marked);
}

/* docs/labs/NN-name.md, a paragraph a line, from overlay_scroll on. */
static void draw_notes(struct sl_lab *lab, struct sl_tui_rect r)
{
    struct sl_lab_tui *t = lab->tui;
    if (!t->notes)
        t->notes = find_notes(lab);
    char *copy = t->notes ? strdup(t->notes) : NULL;
    const char **lines = copy ? malloc(4096 * sizeof *lines) : NULL;
    if (!lines) {
        sl_tui_put_words(r.y, r.x, r.w, "This lab's notes are not installed here.", SL_TUI_BOLD);
        free(copy);
        return;
    }
    int total = sl_tui_draw_paragraphs(r, lines, split_lines(copy, lines, 4096),
                                       t->overlay_scroll);
    if (t->overlay_scroll > total - 1)
        t->overlay_scroll = total > 0 ? total - 1 : 0;
    free(lines);
    free(copy);
}

static void draw_help(struct sl_lab *lab, struct sl_tui_rect r)
{
    static const char *const help[] = {
        "The lab, step by step, with its sockets live",
        "",
        "Enter or space: the next step (or go on from a pause).",
        "q: end the lab; Ctrl-C does too, and the terminal is restored.",
        "r: start the lab again; b: back a step (the lab runs again up to the step before: "
        "a kernel cannot be rewound).",
        "s: the lab's whole source; n: its notes; ?: this help (the same key, Esc or Enter "
        "closes them).",
        "Up/Down, PgUp/PgDn: scroll the step, the source or the notes.",
        "Tab: on a small terminal, the lesson or the sockets.",
        "",
        "The sockets are the lab's own, on its ports, as the kernel lists them (sock_diag, as "
        "ss): the RFC 9293 state machine with a count on each state and the edges just taken "
        "lit, the table, and the transitions seen between two looks. A socket gone without "
        "TIME-WAIT lights RST/abort, which the figure leaves out. Other programs' sockets on "
        "those ports are left out: those there before the lab began (with --port), and "
        "TIME-WAIT records older than this run (ss shows them all).",
        "In the code, '>' marks the line of the latest call or expectation.",
        "Marks: held (the kernel did what the lab says), FAILED (it disagreed), skipped (this "
        "machine cannot show it), inconclusive (the machine, not the kernel, spoiled it).",
    };
    struct sl_lab_tui *t = lab->tui;
    if (sl_tui_draw_paragraphs(r, help, (int)(sizeof help / sizeof help[0]),
                               t->overlay_scroll) <= t->overlay_scroll)
        t->overlay_scroll = 0;
}

/* The end: each outcome counted, and what the exit status will say. */
static void draw_summary(struct sl_lab *lab, struct sl_tui_rect r)
{
    static const char *const meaning[] = {
        [SL_EXIT_OK] = "0: no claim failed", [SL_EXIT_FAILED] = "1: the kernel disagreed",
        [SL_EXIT_USAGE] = "2: set-up", [SL_EXIT_INCONCLUSIVE] = "3: a measurement stayed "
        "inconclusive on a busy machine",
    };
    const int *o = lab->outcomes;
    int status = sl_lab_status(lab);
    char lines[6][96];
    snprintf(lines[0], sizeof lines[0], "held          %d", o[SL_OUTCOME_HELD]);
    snprintf(lines[1], sizeof lines[1], "failed        %d", o[SL_OUTCOME_FAILED]);
    snprintf(lines[2], sizeof lines[2], "skipped       %d", o[SL_OUTCOME_SKIPPED]);
    snprintf(lines[3], sizeof lines[3], "inconclusive  %d", o[SL_OUTCOME_INCONCLUSIVE]);
    snprintf(lines[4], sizeof lines[4], "exit status %s",
             status >= 0 && status <= SL_EXIT_INCONCLUSIVE && meaning[status]
             ? meaning[status] : "?");
    const char *text[] = { "The lab is over.", "", lines[0], lines[1], lines[2], lines[3], "",
                           lines[4] };
    sl_tui_draw_paragraphs(r, text, (int)(sizeof text / sizeof text[0]), 0);
}

static void draw_overlay(struct sl_lab *lab, struct sl_tui_rect r)
{
    sl_tui_clear(r);
    struct sl_tui_rect text = { r.y, r.x + 1, r.h, r.w - 2 };
    switch (lab->tui->overlay) {
    case OVERLAY_SOURCE: draw_whole_source(lab, r); break;
    case OVERLAY_NOTES: draw_notes(lab, text); break;
    case OVERLAY_HELP: draw_help(lab, text); break;
    case OVERLAY_SUMMARY: draw_summary(lab, text); break;
    default: break;
    }
}

/* The bar of keys: at the summary, the one thing left to do. */
static void draw_keys(const struct sl_lab_tui *t, int y, int cols, bool wide)
{
    struct sl_tui_segment keys[8];
    int count = 0;
    if (t->overlay == OVERLAY_SUMMARY) {
        keys[count++] = (struct sl_tui_segment){ " any key:leave the lab", " any key:leave", 9 };
        sl_tui_draw_bar(y, cols, keys, count);
        return;
    }
    keys[count++] = (struct sl_tui_segment){ " Enter:next", NULL, 9 };
    keys[count++] = (struct sl_tui_segment){ "q:quit", NULL, 9 };
    keys[count++] = (struct sl_tui_segment){ "s:source", NULL, 6 };
    keys[count++] = (struct sl_tui_segment){ "n:notes", NULL, 5 };
    keys[count++] = (struct sl_tui_segment){ "?:help", NULL, 8 };
    if (!wide)                                  /* side by side, everything shows at once */
        keys[count++] = (struct sl_tui_segment){ t->sockets_tab ? "Tab:lesson" : "Tab:sockets",
                                                 NULL, 7 };
    keys[count++] = (struct sl_tui_segment){ "Up/Down:scroll", "Up/Down", 3 };
    sl_tui_draw_bar(y, cols, keys, count);
}

static void draw(struct sl_lab *lab)
{
    struct sl_lab_tui *t = lab->tui;
    int rows, cols;
    sl_tui_size(&rows, &cols);
    sl_tui_frame_begin();
    t->drawn_ms = sl_clock_ms();
    bool wide = cols >= WIDE_COLS && rows >= WIDE_ROWS;
    draw_header(lab, cols);
    if (rows >= 2)
        sl_tui_put_words(rows - 2, 0, cols, t->status, t->status_look);
    if (rows >= 3)
        draw_keys(t, rows - 1, cols, wide);
    if (cols < MIN_COLS || rows < MIN_ROWS) {   /* never blind: the step, the pause, the keys */
        if (rows > 5)                           /* between the header and the status */
            sl_tui_draw_too_small(rows - 2, cols, MIN_COLS, MIN_ROWS);
        sl_tui_frame_end();
        return;
    }
    struct sl_tui_rect body = { 1, 0, rows - 3, cols };
    if (t->overlay != OVERLAY_NONE)
        draw_overlay(lab, body);
    else if (wide)
        draw_side_by_side(lab, body);
    else if (t->sockets_tab)
        draw_sockets(lab, body, true);
    else
        draw_lesson(lab, body);
    sl_tui_frame_end();
}

/* While the step runs: look at the sockets and draw, not too often; a resize
 * is taken at once, other keys wait for the next pause. */
static void show_progress(struct sl_lab *lab, bool now)
{
    struct sl_lab_tui *t = lab->tui;
    if (!t || t->owner != getpid())
        return;                                 /* a forked child draws nothing */
    nodelay(stdscr, TRUE);
    int k = getch();
    if (k != ERR && k != KEY_RESIZE)
        ungetch(k);
    if (!now && sl_clock_ms() - t->drawn_ms < EVENT_REFRESH_MS)
        return;
    look_at_sockets(lab, EVENT_REFRESH_MS);
    draw(lab);
}

/* ---- keys ---- */

static enum key_answer on_key(struct sl_lab *lab, int k)
{
    struct sl_lab_tui *t = lab->tui;
    int page = LINES > 8 ? LINES - 6 : 1;
    if (t->overlay != OVERLAY_NONE) {
        int *scroll = &t->overlay_scroll;
        switch (k) {
        case KEY_UP: *scroll = *scroll > 0 ? *scroll - 1 : 0; return KEY_STAY;
        case KEY_DOWN: (*scroll)++; return KEY_STAY;
        case KEY_PPAGE: *scroll = *scroll > page ? *scroll - page : 0; return KEY_STAY;
        case KEY_NPAGE: *scroll += page; return KEY_STAY;
        case KEY_RESIZE: return KEY_STAY;
        default: break;
        }
        bool same = (k == 's' && t->overlay == OVERLAY_SOURCE) ||
                    (k == 'n' && t->overlay == OVERLAY_NOTES) ||
                    (k == '?' && t->overlay == OVERLAY_HELP);
        if (same || k == 27 || k == '\n' || k == '\r' || k == ' ' || k == KEY_ENTER ||
            k == 'q') {
            t->overlay = OVERLAY_NONE;
            return KEY_STAY;
        }
    }
    switch (k) {
    case '\n': case '\r': case ' ': case KEY_ENTER: return KEY_GO_ON;
    case 'q': case 'Q': return KEY_QUIT;
    case 'r': case 'R': return KEY_START_AGAIN;
    case 'b': case 'B': return KEY_GO_BACK;
    case 's':
        t->overlay = OVERLAY_SOURCE;
        t->overlay_scroll = lab->step_line > 3 ? lab->step_line - 3 : 0;
        break;
    case 'n': t->overlay = OVERLAY_NOTES; t->overlay_scroll = 0; break;
    case '?': case KEY_F(1): t->overlay = OVERLAY_HELP; t->overlay_scroll = 0; break;
    case '\t': t->sockets_tab = !t->sockets_tab; break;
    case KEY_UP: t->step_scroll++; break;
    case KEY_DOWN: t->step_scroll = t->step_scroll > 0 ? t->step_scroll - 1 : 0; break;
    case KEY_PPAGE: t->step_scroll += page; break;
    case KEY_NPAGE: t->step_scroll = t->step_scroll > page ? t->step_scroll - page : 0; break;
    default: break;
    }
    return KEY_STAY;
}

/* Wait for Enter or space, q, r or b, pressed at this pause, the sockets live
 * meanwhile. In auto mode the wait is `auto_ms` and needs no key. */
static enum sl_lab_choice wait_for_key(struct sl_lab *lab, int auto_ms)
{
    double until = lab->opt.auto_mode ? sl_clock_ms() + auto_ms : -1;
    flushinp();                                 /* a key pressed before the pause does not
                                                   pass it, as in the text presenter */
    for (;;) {
        look_at_sockets(lab, REFRESH_MS);
        draw(lab);
        if (until >= 0 && sl_clock_ms() >= until)
            return SL_CHOICE_GO_ON;
        timeout(REFRESH_MS);
        int k = getch();
        if (k == ERR)
            continue;
        switch (on_key(lab, k)) {
        case KEY_STAY: break;
        case KEY_GO_ON: return SL_CHOICE_GO_ON;
        case KEY_QUIT: return SL_CHOICE_QUIT;
        case KEY_START_AGAIN: return SL_CHOICE_RESTART;
        case KEY_GO_BACK: return SL_CHOICE_BACK;
        }
    }
}

static void set_status(struct sl_lab_tui *t, enum sl_tui_look look, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_status(struct sl_lab_tui *t, enum sl_tui_look look, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->status, sizeof t->status, fmt, ap);
    va_end(ap);
    t->status_look = look;
}

/* ---- the presenter's events ---- */

static void tui_start(struct sl_lab *lab)
{
    char why[256];
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        sl_usage_error(lab->program, "--tui needs a terminal; run without it for text, "
                                     "or with --json for a stream.");
    if (!sl_tui_usable("run without --tui", why, sizeof why))
        sl_usage_error(lab->program, "%s.", why);
    struct winsize size;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col && size.ws_row &&
        (size.ws_col < MIN_COLS || size.ws_row < MIN_ROWS))
        sl_usage_error(lab->program, "--tui needs a terminal of at least %dx%d (this one is "
                       "%dx%d); enlarge it, or run without --tui.", MIN_COLS, MIN_ROWS,
                       size.ws_col, size.ws_row);
    struct sl_lab_tui *t = calloc(1, sizeof *t);
    if (!t)
        sl_die("out of memory");
    lab->tui = t;
    t->owner = getpid();
    setlocale(LC_CTYPE, "");
    t->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
    sl_tui_model_init(&t->model);
    t->start_ms = sl_clock_ms();
    if (lab->opt.base_port) {                   /* what is there before the lab is not its own */
        struct sl_filter filter;
        sl_filter_init(&filter);
        int count = lab->info->ports > 0 ? lab->info->ports : 1;
        sl_filter_add_range(&filter, lab->opt.base_port,
                            (uint16_t)(lab->opt.base_port + count - 1));
        sl_snapshot_take(&t->before, &filter, SL_SOURCE_AUTO);
    }
    sl_guard_full_screen(sl_tui_restore_now);
    sl_tui_start();
    set_status(t, SL_TUI_DIM, "%s", lab->info->goal);
    draw(lab);
}

static void tui_step(struct sl_lab *lab, const char *title)
{
    (void)title;
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return;
    clear_step(t);
    set_status(t, SL_TUI_DIM, "running step %d", lab->step);
    show_progress(lab, true);
}

static void tui_source(struct sl_lab *lab, const struct sl_excerpt *ex)
{
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return;
    if (t->have_excerpt)
        sl_excerpt_free(&t->excerpt);
    t->excerpt = (struct sl_excerpt){ .file = ex->file, .count = ex->count };
    t->excerpt.numbers = malloc((size_t)(ex->count ? ex->count : 1) * sizeof *ex->numbers);
    t->excerpt.lines = malloc((size_t)(ex->count ? ex->count : 1) * sizeof *ex->lines);
    if (!t->excerpt.numbers || !t->excerpt.lines)
        sl_die("out of memory");
    for (int i = 0; i < ex->count; i++) {
        t->excerpt.numbers[i] = ex->numbers[i];
        t->excerpt.lines[i] = ex->lines[i];     /* the lab's code stays loaded */
    }
    t->have_excerpt = true;
    show_progress(lab, true);
}

static void tui_say(struct sl_lab *lab, const char *text)
{
    if (lab->tui->owner != getpid())
        return;
    add_entry(lab->tui, SL_TUI_PLAIN, 0, "%s", text);
    show_progress(lab, false);
}

static void tui_call(struct sl_lab *lab, const struct sl_call_report *r)
{
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return;
    char what[128] = "", after[32] = "";
    if (r->result == -1)
        sl_errno_describe(r->err, what, sizeof what);
    if (r->ms >= 1.0)
        snprintf(after, sizeof after, "  after %.0f ms", r->ms);
    add_entry(t, SL_TUI_BOLD, 2, "%s %s = %ld%s%s%s", t->utf8 ? "→" : "->", r->text, r->result,
              what[0] ? "  " : "", what, after);
    t->marked = r->line;
    show_progress(lab, false);
}

static void tui_show(struct sl_lab *lab, const char *text)
{
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return;
    add_entry(t, SL_TUI_PLAIN, 2, "%s %s", t->utf8 ? "·" : "-", text);
    show_progress(lab, false);
}

/* Mark `line` of `file` in the code pane when the step's excerpt shows it. */
static void mark_line(struct sl_lab_tui *t, const char *file, int line)
{
    if (!t->have_excerpt || !file || !line || !t->excerpt.file)
        return;
    const char *a = strrchr(file, '/'), *b = strrchr(t->excerpt.file, '/');
    if (strcmp(a ? a + 1 : file, b ? b + 1 : t->excerpt.file))
        return;
    for (int i = 0; i < t->excerpt.count; i++)
        if (t->excerpt.numbers[i] == line)
            t->marked = line;
}

static void tui_expect(struct sl_lab *lab, const struct sl_expectation *e)
{
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return;
    mark_line(t, e->file, e->line);
    switch (e->outcome) {
    case SL_OUTCOME_HELD:
        add_entry(t, SL_TUI_HELD, 2, "%s held: %s", t->utf8 ? "✓" : "[ok]", e->claim);
        break;
    case SL_OUTCOME_FAILED:
        add_entry(t, SL_TUI_FAILED, 2, "%s FAILED: %s (%s:%d: the kernel disagreed)",
                  t->utf8 ? "✗" : "[FAIL]", e->claim, e->file, e->line);
        break;
    case SL_OUTCOME_SKIPPED:
        add_entry(t, SL_TUI_UNSURE, 2, "- skipped: %s (%s)", e->claim, e->why);
        break;
    case SL_OUTCOME_INCONCLUSIVE:
        add_entry(t, SL_TUI_UNSURE, 2, "? inconclusive: %s (%s; the machine was busy, not the "
                  "kernel wrong)", e->claim, e->why);
        break;
    }
    show_progress(lab, true);
}

static enum sl_lab_choice tui_pause(struct sl_lab *lab, const char *look,
                                    const char *const *hints, int count)
{
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return SL_CHOICE_GO_ON;
    for (int i = 0; i < count; i++) {
        add_entry(t, SL_TUI_DIM, 4, "  %s", hints[i]);
        t->entries[t->entry_count - 1].hint = true;
    }
    set_status(t, SL_TUI_UNSURE, " look: %s  (Enter: go on)", look);
    enum sl_lab_choice choice = wait_for_key(lab, lab->opt.delay_ms);
    set_status(t, SL_TUI_DIM, "running step %d", lab->step);
    return choice;
}

static enum sl_lab_choice tui_step_done(struct sl_lab *lab)
{
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return SL_CHOICE_GO_ON;
    set_status(t, SL_TUI_BOLD, " end of step %d: Enter for the next step", lab->step);
    return wait_for_key(lab, lab->opt.delay_ms);
}

static bool tui_waiting(struct sl_lab *lab, const char *what, int ms_left)
{
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return true;
    if (ms_left == 0)
        set_status(t, SL_TUI_DIM, "running step %d", lab->step);
    else
        set_status(t, SL_TUI_DIM, " %s: %d s left (q quits)", what, (ms_left + 999) / 1000);
    look_at_sockets(lab, 0);
    draw(lab);
    nodelay(stdscr, TRUE);
    int k;
    while ((k = getch()) != ERR)
        if (k == 'q' || k == 'Q')
            return false;
    return true;
}

static void tui_observe(struct sl_lab *lab, const struct sl_snapshot *snap)
{
    (void)snap;                                 /* the same ports, looked at here too */
    if (lab->tui->owner != getpid())
        return;
    look_at_sockets(lab, 0);
    show_progress(lab, true);
}

static void tui_end(struct sl_lab *lab, bool quit)
{
    struct sl_lab_tui *t = lab->tui;
    if (!t || t->owner != getpid())
        return;
    if (!quit) {                                /* the summary, until a key */
        t->overlay = OVERLAY_SUMMARY;
        set_status(t, SL_TUI_BOLD, " the lab is over");
        double until = sl_clock_ms() + lab->opt.delay_ms;
        for (;;) {
            look_at_sockets(lab, REFRESH_MS);
            draw(lab);
            if (lab->opt.auto_mode && sl_clock_ms() >= until)
                break;
            timeout(REFRESH_MS);
            int k = getch();
            if (k != ERR && k != KEY_RESIZE)
                break;
        }
    }
    sl_tui_stop();
    sl_guard_full_screen(NULL);
    const int *o = lab->outcomes;
    printf("%s: %s%d expectation%s: %d held, %d failed, %d skipped, %d inconclusive\n",
           lab->program, quit ? "stopped early; " : "", lab->expectations,
           lab->expectations == 1 ? "" : "s", o[SL_OUTCOME_HELD], o[SL_OUTCOME_FAILED], o[SL_OUTCOME_SKIPPED],
           o[SL_OUTCOME_INCONCLUSIVE]);
    fflush(stdout);
    clear_step(t);
    free(t->entries);
    free(t->notes);
    sl_tui_model_free(&t->model);
    sl_snapshot_free(&t->frames[0]);
    sl_snapshot_free(&t->frames[1]);
    sl_snapshot_free(&t->before);
    sl_changes_free(&t->changes);
    free(t);
    lab->tui = NULL;
}

const struct sl_presenter sl_tui_presenter = {
    .start = tui_start, .step = tui_step, .source = tui_source, .say = tui_say,
    .call = tui_call, .show = tui_show, .expect = tui_expect, .pause = tui_pause,
    .step_done = tui_step_done, .waiting = tui_waiting, .observe = tui_observe,
    .end = tui_end,
};
