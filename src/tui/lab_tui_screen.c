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

enum key_answer { KEY_STAY, KEY_GO_ON, KEY_QUIT, KEY_START_AGAIN, KEY_GO_BACK };

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

/* Stacked: the step, its code, the states in a row and the table. */
static void draw_lesson(struct sl_lab *lab, struct sl_tui_rect r)
{
    struct sl_lab_tui *t = lab->tui;
    int strip = sl_diagram_strip(r.w, t->model.counts, NULL, NULL, NULL);
    int table = r.h >= 18 ? 6 : 3;
    int left = r.h - strip - table, step = sl_step_pane_height(lab, r.w, left);
    int code = left - step;
    sl_step_pane_draw(lab, (struct sl_tui_rect){ r.y, r.x, step, r.w });
    sl_code_pane_draw(lab, (struct sl_tui_rect){ r.y + step, r.x, code, r.w });
    sl_tui_draw_strip(&t->model, (struct sl_tui_rect){ r.y + step + code, r.x, strip, r.w });
    sl_tui_draw_table(&t->model, (struct sl_tui_rect){ r.y + step + code + strip, r.x, table, r.w },
                      false);
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

void sl_lab_screen_draw(struct sl_lab *lab)
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
            snprintf(lab->tui->status, sizeof lab->tui->status, " going on in %d s:%s",
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
    sl_lab_screen_status(t, SL_TUI_BOLD, " the lab is over");
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
