/* lab_tui_step.c — the step pane of the labs' --tui presenter: what the step
 * says, in order (narration, each call with its result, facts, outcomes, a
 * pause's ss/netstat lines), each paragraph wrapped between words. */
#include "lab_tui_internal.h"

#include "socklab/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A line of the step on screen: `len` bytes of an entry from `text` (as many
 * as sl_text_wrap fitted to the pane's columns). */
struct step_line {
    int entry;
    const char *text;
    int len, indent;
    bool folded;                /* the pause's hints, as one line */
};

void sl_step_pane_add(struct sl_lab_tui *t, enum sl_tui_look look, int hang, const char *fmt, ...)
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
    t->entries[t->entry_count++] = (struct entry){ text, look, hang, false, false };
    t->step_scroll = 0;                         /* the newest in view */
}

void sl_step_pane_clear(struct sl_lab_tui *t)
{
    if (t->keep_replayed) {                     /* the first step shown after --from's */
        t->keep_replayed = false;
        return;
    }
    for (int i = 0; i < t->entry_count; i++)
        free(t->entries[i].text);
    t->entry_count = 0;
    t->step_scroll = 0;
}

void sl_step_pane_free(struct sl_lab_tui *t)
{
    sl_step_pane_clear(t);
    free(t->entries);
    t->entries = NULL;
    t->entry_room = 0;
}

void sl_step_pane_mark_hint(struct sl_lab_tui *t)
{
    if (t->entry_count)
        t->entries[t->entry_count - 1].hint = true;
}

void sl_step_pane_add_replayed(struct sl_lab_tui *t, const char *line, const char *all)
{
    sl_step_pane_add(t, SL_TUI_DIM, 3, "%s", line);
    t->entries[t->entry_count - 1].replayed = true;
    snprintf(t->replayed_all, sizeof t->replayed_all, "%s", all);
    t->keep_replayed = true;
}

/* The step's lines at this width, into out (room of them; out may be NULL):
 * each entry wrapped between words, its continuation lines under the text
 * after its mark; with `fold`, a pause's hints on one line, and the steps
 * --from ran on one line. Returns how many lines there are. */
static int step_layout(const struct sl_lab_tui *t, int width, bool fold, struct step_line *out,
                       int room)
{
    int n = 0;
    for (int i = 0; i < t->entry_count; i++) {
        const struct entry *e = &t->entries[i];
        if (fold && (e->hint || e->replayed)) {
            bool first = !(i > 0 && (e->hint ? t->entries[i - 1].hint : t->entries[i - 1].replayed));
            const char *text = e->hint ? e->text : t->replayed_all;
            if (first && n++ < room && out)
                out[n - 1] = (struct step_line){ i, text, (int)strlen(text), 0, true };
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
    char *out;                                  /* the whole line: never cut inside a character */
    if (asprintf(&out, "%*s%.*s", l->indent, "", l->len, l->text) < 0)
        sl_die("out of memory");
    sl_tui_put(y, r.x, r.w, out, look);
    free(out);
}

/* The step's entries into r. When they do not all fit, the first narration
 * (the step's key sentence) stays at the top, a pause's hints fold to one line, and
 * the newest lines fill the rest, step_scroll lines up from the newest; one
 * line between says how many are out of view. */
void sl_step_pane_draw(struct sl_lab *lab, struct sl_tui_rect r)
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
    while (key < t->entry_count - 1 && (t->entries[key].hang || t->entries[key].replayed))
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
    char gap[192];
    const char *dots = t->utf8 ? "\u22ee" : ":";
    if (t->step_scroll)
        snprintf(gap, sizeof gap, sl_plural((unsigned long)(first - head),
                                            "%s %d line above, %d below (Up/Down)",
                                            "%s %d lines above, %d below (Up/Down)"),
                 dots, first - head, t->step_scroll);
    else
        snprintf(gap, sizeof gap, sl_plural((unsigned long)(first - head),
                                            "%s %d earlier line (Up scrolls)",
                                            "%s %d earlier lines (Up scrolls)"),
                 dots, first - head);
    sl_tui_put_words(r.y + head, r.x, r.w, gap, SL_TUI_DIM);
    for (int i = 0; i < room && r.h > 1; i++)
        draw_step_line(t, &lines[first + i], r.y + head + 1 + i, r);
    free(lines);
}

/* Share `height` rows between the step and its code: the step takes what it
 * needs, leaving the code at least a third; the code takes what is left. */
int sl_step_pane_height(const struct sl_lab *lab, int width, int height)
{
    const struct sl_lab_tui *t = lab->tui;
    int code_wants = t->have_excerpt ? t->excerpt.count + 1 : 1;
    int step = step_lines(t, width);
    if (step < height - code_wants)
        step = height - code_wants;             /* the code needs less: the step gets it */
    int most = height - height / 3, least = height / 3;
    return step > most ? most : step < least ? least : step;
}
