/* lab_tui_screen.c — the screen of the labs' --tui presenter: the layout
 * (side by side on a large terminal, 150 x 36 and more; stacked below that,
 * with Tab between the lesson and the sockets), the header, the status line,
 * the bar of keys, and what each key does. Below 60 x 20 the header, the
 * status and the keys stay, with what size the rest needs. */
#include "lab_tui_internal.h"

#include "socklab/clock.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define WIDE_COLS 150           /* side by side from here */
#define WIDE_ROWS 36
#define ROOMY_ROWS 30           /* a body this tall gives the table the rows it wants */

enum key_answer { KEY_STAY, KEY_GO_ON, KEY_QUIT, KEY_START_AGAIN, KEY_GO_BACK };

/* The header: the lab and the step ("Step 3 of 9" when the lab's steps were
 * counted). A step title too long to stand beside
 * " Lab NN" goes on to a second line (when `lines` allows two) rather than
 * being dropped. Returns the lines used. */
static int draw_header(struct sl_lab *lab, int cols, int lines)
{
    char whole[512], brief[64], step[512], step_brief[64];     /* room for 3-byte characters */
    snprintf(whole, sizeof whole, _(" Lab %02d: %s"), lab->info->number, lab->info->title);
    snprintf(brief, sizeof brief, _(" Lab %02d"), lab->info->number);
    const char *title = lab->step_title ? lab->step_title : "";
    if (lab->step_count >= lab->step) {         /* "Step 3 of 9": where the class is */
        snprintf(step, sizeof step, _("Step %d of %d: %s"), lab->step, lab->step_count, title);
        snprintf(step_brief, sizeof step_brief, _("Step %d of %d"), lab->step, lab->step_count);
    } else {
        snprintf(step, sizeof step, _("Step %d: %s"), lab->step, title);
        snprintf(step_brief, sizeof step_brief, _("Step %d"), lab->step);
    }
    char line[640];
    snprintf(line, sizeof line, "%s | %s", brief, step);
    if (lab->step && lines > 1 && sl_text_columns(line) > cols) {
        const char *rest;
        size_t first = sl_text_wrap(line, cols, &rest);
        char top[512];
        snprintf(top, sizeof top, "%.*s", (int)first, line);
        snprintf(line, sizeof line, " %s", rest);
        sl_tui_put(0, 0, cols, top, SL_TUI_HEADER);
        sl_tui_put_words(1, 0, cols, line, SL_TUI_HEADER);
        return 2;
    }
    struct sl_tui_segment parts[] = { { whole, brief, 1 }, { step, step_brief, 2 } };
    sl_tui_fit_segments(parts, lab->step ? 2 : 1, " | ", cols, line, sizeof line);
    sl_tui_put(0, 0, cols, line, SL_TUI_HEADER);
    return 1;
}

/* The status above the keys, wrapped between words into at most two lines
 * (the second starts a column in, as the first does), so the end of a long
 * pause line, "(Enter: go on)", stays on screen. Returns the lines used. */
static int draw_status(const struct sl_lab_tui *t, int bottom, int cols, int lines)
{
    const char *at = t->status, *starts[2] = { "", "" };
    int lens[2] = { 0, 0 }, n = 0;
    for (; *at && n < lines; n++) {
        starts[n] = at;
        lens[n] = (int)sl_text_wrap(at, cols - (n ? 1 : 0), &at);
    }
    n = n ? n : 1;
    for (int i = 0; i < n; i++) {
        bool cut = i == n - 1 && *at;           /* more than fits: the rest, cut with a mark */
        char part[600];
        snprintf(part, sizeof part, "%*s%.*s", i ? 1 : 0, "",
                 cut ? (int)strlen(starts[i]) : lens[i], starts[i]);
        if (cut)
            sl_tui_put_words(bottom - (n - 1) + i, 0, cols, part, t->status_look);
        else
            sl_tui_put(bottom - (n - 1) + i, 0, cols, part, t->status_look);
    }
    return n;
}

/* Stacked: the step, its code, the states in a row and the table. On a
 * terminal of 80 x 24 the table has its four rows; from ROOMY_ROWS (120 x 40
 * has 37) it has what its sockets (at a pause, those the pause names) need,
 * up to half the body. */
static void draw_lesson(struct sl_lab *lab, struct sl_tui_rect r)
{
    struct sl_lab_tui *t = lab->tui;
    int strip = sl_diagram_strip(r.w, t->model.counts, NULL, NULL, NULL);
    int table = r.h >= 18 ? 6 : 3;
    if (r.h >= ROOMY_ROWS) {                    /* the rows it wants, up to half the body */
        int wants = sl_sockets_pane_rows_wanted(t) + 2;
        table = wants < table ? table : wants > r.h / 2 ? r.h / 2 : wants;
    }
    int left = r.h - strip - table, step = sl_step_pane_height(lab, r.w, left);
    int code = left - step;
    sl_step_pane_draw(lab, (struct sl_tui_rect){ r.y, r.x, step, r.w });
    sl_code_pane_draw(lab, (struct sl_tui_rect){ r.y + step, r.x, code, r.w });
    sl_tui_draw_strip(&t->model, (struct sl_tui_rect){ r.y + step + code, r.x, strip, r.w });
    sl_sockets_pane_draw_table(lab, (struct sl_tui_rect){ r.y + step + code + strip, r.x, table,
                                                          r.w });
}

static void draw_side_by_side(struct sl_lab *lab, struct sl_tui_rect r)
{
    const struct sl_diagram_layout *full = sl_diagram_layout(SL_DIAGRAM_FULL);
    int right = r.w - full->width >= 60 && r.h >= full->height + 8 ? full->width : 80;
    int left = r.w - right - 1, step = sl_step_pane_height(lab, left, r.h);
    sl_step_pane_draw(lab, (struct sl_tui_rect){ r.y, r.x, step, left });
    sl_code_pane_draw(lab, (struct sl_tui_rect){ r.y + step, r.x, r.h - step, left });
    sl_sockets_pane_draw(lab, (struct sl_tui_rect){ r.y, r.x + left + 1, r.h, right }, false);
}

/* The bar of keys: at the summary, the one thing left to do. */
static void draw_keys(const struct sl_lab_tui *t, int y, int cols, bool wide)
{
    struct sl_tui_segment keys[8];
    int count = 0;
    if (t->overlay == OVERLAY_SUMMARY) {
        keys[count++] = (struct sl_tui_segment){ _(" any key:leave the lab"), _(" any key:leave"),
                                                 9 };
        sl_tui_draw_bar(y, cols, keys, count);
        return;
    }
    keys[count++] = (struct sl_tui_segment){ _(" Enter:next"), NULL, 9 };
    keys[count++] = (struct sl_tui_segment){ _("q:quit"), NULL, 9 };
    keys[count++] = (struct sl_tui_segment){ _("s:source"), NULL, 6 };
    keys[count++] = (struct sl_tui_segment){ _("n:notes"), NULL, 5 };
    keys[count++] = (struct sl_tui_segment){ _("?:help"), NULL, 8 };
    bool sockets = t->sockets_tab && !wide;
    if (!wide)                                  /* side by side, everything shows at once */
        keys[count++] = (struct sl_tui_segment){ sockets ? _("Tab:lesson") : _("Tab:sockets"),
                                                 NULL, 7 };
    keys[count++] = (struct sl_tui_segment){ sockets ? _("Up/Down:rows") : _("Up/Down:scroll"),
                                             "Up/Down", 3 };
    if (!sockets)
        keys[count++] = (struct sl_tui_segment){ _("j/k:rows"), NULL, 2 };
    sl_tui_draw_bar(y, cols, keys, count);
}

void sl_lab_screen_draw(struct sl_lab *lab)
{
    struct sl_lab_tui *t = lab->tui;
    int rows, cols;
    sl_tui_size(&rows, &cols);
    sl_tui_frame_begin();
    t->drawn_ms = sl_clock_ms();
    bool wide = cols >= WIDE_COLS && rows >= WIDE_ROWS;
    int two = rows >= MIN_ROWS ? 2 : 1;         /* a small screen keeps one line of each */
    int top = draw_header(lab, cols, two), status = 0;
    if (rows >= 2)
        status = draw_status(t, rows - 2, cols, two);
    if (rows >= 3)
        draw_keys(t, rows - 1, cols, wide);
    if (cols < MIN_COLS || rows < MIN_ROWS) {   /* never blind: the step, the pause, the keys */
        if (rows > 5)                           /* between the header and the status */
            sl_tui_draw_too_small(rows - 2, cols, MIN_COLS, MIN_ROWS);
        sl_tui_frame_end();
        return;
    }
    struct sl_tui_rect body = { top, 0, rows - top - status - 1, cols };
    if (t->overlay != OVERLAY_NONE)
        sl_lab_overlay_draw(lab, body);
    else if (wide)
        draw_side_by_side(lab, body);
    else if (t->sockets_tab)
        sl_sockets_pane_draw(lab, body, true);
    else
        draw_lesson(lab, body);
    sl_tui_frame_end();
}

/* While the step runs: look at the sockets and draw, not too often; a resize
 * is taken at once, other keys wait for the next pause. */
void sl_lab_screen_progress(struct sl_lab *lab, bool now)
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
    sl_sockets_pane_look(lab, EVENT_REFRESH_MS);
    sl_lab_screen_draw(lab);
}

/* The arrows scroll what is shown: the step (the newest lines at the
 * bottom, so Up goes back) or, in the sockets view, the socket table (they
 * move its selection, and the table follows; j and k do that in any view). */
static void scroll_step(struct sl_lab_tui *t, int k, int page)
{
    switch (k) {
    case KEY_UP: t->step_scroll++; break;
    case KEY_DOWN: t->step_scroll = t->step_scroll > 0 ? t->step_scroll - 1 : 0; break;
    case KEY_PPAGE: t->step_scroll += page; break;
    case KEY_NPAGE: t->step_scroll = t->step_scroll > page ? t->step_scroll - page : 0; break;
    default: break;
    }
}

static void scroll_sockets(struct sl_lab_tui *t, int k, int page)
{
    switch (k) {
    case KEY_UP: sl_tui_model_move(&t->model, -1); break;
    case KEY_DOWN: sl_tui_model_move(&t->model, 1); break;
    case KEY_PPAGE: sl_tui_model_move(&t->model, -page); break;
    case KEY_NPAGE: sl_tui_model_move(&t->model, page); break;
    case KEY_HOME: sl_tui_model_move(&t->model, -(long)t->model.row_count); break;
    case KEY_END: sl_tui_model_move(&t->model, (long)t->model.row_count); break;
    default: break;
    }
}

static enum key_answer on_key(struct sl_lab *lab, int k)
{
    struct sl_lab_tui *t = lab->tui;
    bool wide = COLS >= WIDE_COLS && LINES >= WIDE_ROWS;
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
        if (k == '?' && t->overlay == OVERLAY_HELP) {   /* the help's second page */
            t->overlay = OVERLAY_LEGEND;
            t->overlay_scroll = 0;
            return KEY_STAY;
        }
        bool same = (k == 's' && t->overlay == OVERLAY_SOURCE) ||
                    (k == 'n' && t->overlay == OVERLAY_NOTES) ||
                    (k == '?' && t->overlay == OVERLAY_LEGEND);
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
    case 'j': sl_tui_model_move(&t->model, 1); break;      /* the table, in any view */
    case 'k': sl_tui_model_move(&t->model, -1); break;
    default:
        if (t->sockets_tab && !wide)
            scroll_sockets(t, k, page);
        else
            scroll_step(t, k, page);
        break;
    }
    return KEY_STAY;
}

/* A key pressed before the pause does not pass it. */
enum sl_lab_choice sl_lab_screen_wait_key(struct sl_lab *lab, int auto_ms)
{
    double until = lab->opt.auto_mode ? sl_clock_ms() + auto_ms : -1;
    char said[sizeof lab->tui->status - 32];    /* --auto: the seconds left go first */
    size_t n = strnlen(lab->tui->status, sizeof said - 1);
    memcpy(said, lab->tui->status, n);
    said[n] = '\0';
    flushinp();                                 /* as in the text presenter */
    for (;;) {
        if (until >= 0 && auto_ms >= 1000)
            snprintf(lab->tui->status, sizeof lab->tui->status, _(" going on in %d s:%s"),
                     (int)((until - sl_clock_ms() + 999) / 1000), said);
        sl_sockets_pane_look(lab, REFRESH_MS);
        sl_lab_screen_draw(lab);
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

void sl_lab_screen_status(struct sl_lab_tui *t, enum sl_tui_look look, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->status, sizeof t->status, fmt, ap);
    va_end(ap);
    t->status_look = look;
}

bool sl_lab_screen_quit_pressed(void)
{
    nodelay(stdscr, TRUE);
    int k;
    while ((k = getch()) != ERR)
        if (k == 'q' || k == 'Q')
            return true;
    return false;
}

void sl_lab_screen_summary(struct sl_lab *lab, int auto_ms)
{
    struct sl_lab_tui *t = lab->tui;
    t->overlay = OVERLAY_SUMMARY;
    sl_lab_screen_status(t, SL_TUI_BOLD, "%s", _(" the lab is over"));
    double until = sl_clock_ms() + auto_ms;
    for (;;) {
        sl_sockets_pane_look(lab, REFRESH_MS);
        sl_lab_screen_draw(lab);
        if (lab->opt.auto_mode && sl_clock_ms() >= until)
            break;
        timeout(REFRESH_MS);
        int k = getch();
        if (k != ERR && k != KEY_RESIZE)
            break;
    }
}
