/* lab_text.c — the text presenter: what a class reads on the projected terminal.
 *
 * Colour when the output is a terminal and NO_COLOR is unset. Narration is
 * wrapped to the terminal's width. At a pause it waits for one key when stdin
 * is a terminal (Enter or space continue, q quits, r starts again, b goes
 * back a step) and --auto was not given. Everything goes through the screen
 * (lab_text_screen.c), which keeps the step's title, its narration and the
 * pause on screen together at every pause. */
#include "lab_text_internal.h"

#include "socklab/addr.h"
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/socket_format.h"
#include "socklab/tcpstate.h"
#include "socklab/text.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum colour { PLAIN, BOLD, DIM, GREEN, RED, YELLOW, CYAN };

static const char *const ansi[] = {
    [PLAIN] = "\033[0m", [BOLD] = "\033[1m", [DIM] = "\033[2m", [GREEN] = "\033[32m",
    [RED] = "\033[1;31m", [YELLOW] = "\033[33m", [CYAN] = "\033[1;36m",
};

struct sl_lab_text {
    struct text_screen *screen;
    FILE *out;                  /* the screen's: every line of the presenter */
    bool colour;
    struct sl_snapshot shown;   /* the latest observation, shown once before what follows */
    bool observation_pending;
};

static bool use_colour(const struct sl_lab *lab)
{
    const char *no_colour = getenv("NO_COLOR"), *term = getenv("TERM");
    return isatty(fileno(lab->stream)) && !(no_colour && *no_colour) &&
           !(term && !strcmp(term, "dumb"));
}

static void paint(const struct sl_lab *lab, FILE *f, enum colour c)
{
    if (lab->text->colour)
        fputs(ansi[c], f);
}

/* The width text is wrapped to: the terminal's, at most 100 (a line longer
 * than that is hard to read), 80 when the output is no terminal. */
static int width(const struct sl_lab *lab)
{
    int columns = lab->text ? text_screen_columns(lab->text->screen) : 80;
    return columns < 40 ? 40 : columns > 100 ? 100 : columns;
}

/* Print text word-wrapped at `columns`: `lead` before the first line, `cont`
 * before the others (a result reads "  -> text" with its lines aligned; a long
 * line of code goes on after "       : "). */
static void wrap_to(FILE *f, int columns, int used, const char *text, const char *lead,
                    const char *cont)
{
    bool first = true;
    for (const char *p = text, *next; *p; p = next, first = false) {
        int margin = first ? used + sl_text_columns(lead) : sl_text_columns(cont);
        int room = columns - margin - 1;
        size_t take = sl_text_wrap(p, room < 10 ? 10 : room, &next);
        fprintf(f, "%s%.*s\n", first ? lead : cont, (int)take, p);
    }
}

static void wrapped_with(struct sl_lab *lab, FILE *f, const char *text, const char *lead,
                         const char *cont)
{
    wrap_to(f, width(lab), 0, text, lead, cont);
}

static void wrapped(struct sl_lab *lab, FILE *f, const char *text, const char *lead, int indent)
{
    char cont[32];
    snprintf(cont, sizeof cont, "%*s", indent < 31 ? indent : 31, "");
    wrapped_with(lab, f, text, lead, cont);
}

/* left, then '=' to the line's end (used: how many columns left takes). */
static void rule(struct sl_lab *lab, FILE *f, const char *left)
{
    fputs(left, f);
    for (int i = sl_text_columns(left); i < width(lab) - 1; i++)
        fputc('=', f);
    fputc('\n', f);
}

/* "step 3 of 9", or "step 3" when the lab's steps could not be counted. */
static void step_of(const struct sl_lab *lab, char *buf, size_t len)
{
    if (lab->step_count >= lab->step)
        snprintf(buf, len, _("step %d of %d"), lab->step, lab->step_count);
    else
        snprintf(buf, len, _("step %d"), lab->step);
}

/* ---- the latest observation ---- */

static void print_observation(struct sl_lab *lab, const struct sl_snapshot *snap)
{
    FILE *f = lab->text->out;
    paint(lab, f, DIM);
    fprintf(f, sl_plural(snap->count, "  kernel says (%s, %zu socket on the lab's ports):\n",
                         "  kernel says (%s, %zu sockets on the lab's ports):\n"),
            sl_source_name(snap->source), snap->count);
    paint(lab, f, PLAIN);
    char *table = NULL;
    size_t size = 0;
    FILE *m = open_memstream(&table, &size);
    if (m) {
        sl_print_socket_table(m, snap, NULL, "     ");
        fclose(m);
    }
    int widest = 0;                       /* ss's table where it fits the terminal */
    for (char *line = table; line && *line;) {
        char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        int columns = sl_text_columns_n(line, n);
        widest = columns > widest ? columns : widest;
        line += n + (nl != NULL);
    }
    if (table && widest < width(lab)) {
        fputs(table, f);
    } else {                             /* a narrow pane: a socket a line, folded */
        for (size_t i = 0; i < snap->count; i++) {
            const struct sl_socket *k = &snap->sockets[i];
            char local[SL_ADDR_STRLEN], peer[SL_ADDR_STRLEN], timer[32], row[200];
            sl_timer_format(k, timer, sizeof timer);
            char queues[64];              /* ss's Recv-Q and Send-Q, said in words */
            if (k->state == SL_TCP_LISTEN)
                snprintf(queues, sizeof queues, _("accept queue %u, backlog %u"), k->recv_q,
                         k->send_q);
            else
                snprintf(queues, sizeof queues, "Recv-Q %u, Send-Q %u", k->recv_q, k->send_q);
            snprintf(row, sizeof row, "%s %s > %s  %s%s%s", sl_state_name(k->state),
                     sl_tuple_local(&k->tuple, local, sizeof local),
                     sl_tuple_peer(&k->tuple, peer, sizeof peer), queues,
                     strcmp(timer, "-") ? "  " : "", strcmp(timer, "-") ? timer : "");
            wrapped(lab, f, row, "     ", 7);
        }
    }
    free(table);
}

/* The observation waiting to be shown, now: sorted by the states the pause
 * names (look, or NULL), then by port. A newer one replaced it if nothing
 * but results came between, so the same list is never shown twice. */
static void show_observation(struct sl_lab *lab, const char *look)
{
    struct sl_lab_text *t = lab->text;
    if (!t->observation_pending)
        return;
    t->observation_pending = false;
    sl_lab_sort_sockets(&t->shown, look);
    print_observation(lab, &t->shown);
}

/* ---- the events ---- */

static void text_start(struct sl_lab *lab)
{
    struct sl_lab_text *t = calloc(1, sizeof *t);
    if (!t)
        sl_die("out of memory");
    lab->text = t;
    t->colour = use_colour(lab);
    t->screen = text_screen_open(lab, t->colour);
    t->out = text_screen_out(t->screen);
    FILE *f = t->out;
    char head[160];
    snprintf(head, sizeof head, _("== Lab %02d: %s "), lab->info->number, lab->info->name);
    paint(lab, f, CYAN);
    rule(lab, f, head);
    paint(lab, f, BOLD);
    wrapped(lab, f, lab->info->title, "", 0);
    paint(lab, f, PLAIN);
    wrapped(lab, f, lab->info->goal, "", 0);
    if (lab->opt.from > 1) {
        char text[240];
        if (lab->opt.from > 2)
            snprintf(text, sizeof text, _("Steps 1 to %d run without pausing (--from %d):"),
                     lab->opt.from - 1, lab->opt.from);
        else
            snprintf(text, sizeof text, "%s", _("Step 1 runs without pausing (--from 2):"));
        fputc('\n', f);
        wrapped(lab, f, text, "", 0);
    }
}

static void text_step(struct sl_lab *lab, const char *title)
{
    FILE *f = lab->text->out;
    show_observation(lab, NULL);
    fputc('\n', f);
    text_screen_step(lab->text->screen);
    char head[64];
    snprintf(head, sizeof head, _("-- Step %d: "), lab->step);
    paint(lab, f, CYAN);
    const char *next;                    /* a long title goes on under itself */
    int room = width(lab) - sl_text_columns(head) - 1;
    size_t take = sl_text_wrap(title, room, &next);
    int used = sl_text_columns(head) + sl_text_columns_n(title, take);
    fprintf(f, "%s%.*s ", head, (int)take, title);
    for (int i = used + 1; i < width(lab) - 1; i++)
        fputc('-', f);
    fputc('\n', f);
    if (*next)
        wrap_to(f, width(lab), 0, next, "          ", "          ");
    paint(lab, f, PLAIN);
}

static void text_source(struct sl_lab *lab, const struct sl_excerpt *ex)
{
    FILE *f = lab->text->out;
    text_screen_narration_done(lab->text->screen);
    paint(lab, f, DIM);
    for (int i = 0; i < ex->count; i++) {
        char lead[24];
        snprintf(lead, sizeof lead, "  %4d | ", ex->numbers[i]);
        if (!ex->lines[i][0])
            fprintf(f, "  %4d |\n", ex->numbers[i]);
        else
            wrapped_with(lab, f, ex->lines[i], lead, "       :   ");
    }
    paint(lab, f, PLAIN);
}

static void text_say(struct sl_lab *lab, const char *text)
{
    wrapped(lab, lab->text->out, text, "  ", 2);
}

static void text_call(struct sl_lab *lab, const struct sl_call_report *r)
{
    FILE *f = lab->text->out;
    show_observation(lab, NULL);
    text_screen_narration_done(lab->text->screen);
    char what[128] = "", after[64] = "", *plain = NULL;
    if (r->result == -1)
        sl_errno_describe(r->err, what, sizeof what);
    if (r->ms >= 1.0)                    /* a call that waited says how long */
        snprintf(after, sizeof after, _("  after %.0f ms"), r->ms);
    if (asprintf(&plain, "%s = %ld%s%s%s", r->text, r->result, what[0] ? "  " : "", what,
                 after) >= 0 && sl_text_columns(plain) + 6 > width(lab)) {
        wrapped(lab, f, plain, "  -> ", 5);  /* too long for one line: plainly, folded */
        free(plain);
        return;
    }
    free(plain);
    fputs("  -> ", f);
    paint(lab, f, BOLD);
    fprintf(f, "%s", r->text);
    paint(lab, f, PLAIN);
    fprintf(f, " = %ld", r->result);
    if (r->result == -1) {
        paint(lab, f, YELLOW);
        fprintf(f, "  %s", what);
        paint(lab, f, PLAIN);
    }
    fprintf(f, "%s\n", after);
}

static void text_show(struct sl_lab *lab, const char *text)
{
    text_screen_narration_done(lab->text->screen);
    wrapped(lab, lab->text->out, text, "  -> ", 5);
}

static void text_expect(struct sl_lab *lab, const struct sl_expectation *e)
{
    /* The outcome's mark, "[ok]", padded to 9 columns (wider in a language
     * whose word is longer: the claim then starts after it). */
    static const struct { const char *mark; enum colour colour; } look[] = {
        [SL_OUTCOME_HELD] = { N_("[ok]"), GREEN },
        [SL_OUTCOME_FAILED] = { N_("[FAIL]"), RED },
        [SL_OUTCOME_SKIPPED] = { N_("[skip]"), YELLOW },
        [SL_OUTCOME_INCONCLUSIVE] = { N_("[??]"), YELLOW },
    };
    FILE *f = lab->text->out;
    text_screen_narration_done(lab->text->screen);
    char *text = NULL;
    int n = 0;
    switch (e->outcome) {
    case SL_OUTCOME_HELD:
        n = asprintf(&text, "%s", e->claim);
        break;
    case SL_OUTCOME_FAILED:
        if (e->why)                         /* what it said instead, where the claim knows */
            n = asprintf(&text, _("%s  (%s:%d: the kernel disagreed: %s)"), e->claim, e->file,
                         e->line, e->why);
        else
            n = asprintf(&text, _("%s  (%s:%d: the kernel disagreed)"), e->claim, e->file,
                         e->line);
        break;
    case SL_OUTCOME_SKIPPED:
        n = asprintf(&text, _("%s  (skipped: %s)"), e->claim, e->why);
        break;
    case SL_OUTCOME_INCONCLUSIVE:
        n = asprintf(&text, _("%s  (inconclusive: %s; the machine was busy, not the kernel "
                              "wrong)"), e->claim, e->why);
        break;
    }
    const char *mark = _(look[e->outcome].mark);
    int used = 2 + sl_text_columns(mark) + 1;
    used = used < 9 ? 9 : used;
    paint(lab, f, look[e->outcome].colour);
    fprintf(f, "  %s", mark);
    paint(lab, f, PLAIN);
    fprintf(f, "%*s", used - 2 - sl_text_columns(mark), "");
    char cont[32];
    snprintf(cont, sizeof cont, "%*s", used < 31 ? used : 31, "");
    wrap_to(f, width(lab), used, n >= 0 && text ? text : e->claim, "", cont);
    free(text);
}

/* A shell command, on one line if it fits, else broken between its words
 * with a backslash at the end of each line but the last: what is on screen,
 * copied, runs. (The engine writes each word short enough for a line.) */
static void command(struct sl_lab *lab, FILE *f, const char *cmd)
{
    const char *lead = "     ", *cont = "       ";
    int room = width(lab) - 1, used = sl_text_columns(lead);
    fputs(lead, f);
    bool first = true;
    for (const char *p = cmd; *p;) {
        const char *end = p;             /* a word: spaces inside quotes belong to it */
        bool quoted = false;
        while (*end && (quoted || *end != ' ')) {
            quoted ^= *end == '\'';
            end++;
        }
        int columns = sl_text_columns_n(p, (size_t)(end - p));
        const char *after = end + strspn(end, " ");
        int tail = *after ? 2 : 0;       /* room for " \" unless it is the last word */
        if (!first && used + 1 + columns + tail > room) {
            fprintf(f, " \\\n%s", cont);
            used = sl_text_columns(cont);
        } else if (!first) {
            fputc(' ', f);
            used++;
        }
        fprintf(f, "%.*s", (int)(end - p), p);
        used += columns;
        first = false;
        p = after;
    }
    fputc('\n', f);
}

/* The prompt of a pause that fits the terminal: the longest of the forms. */
static void prompt_text(struct sl_lab *lab, char *buf, size_t len, bool end_of_step)
{
    char where[64];
    step_of(lab, where, sizeof where);
    const char *go = end_of_step ? _("[Enter] next step") : _("[Enter] continue");
    char full[256], brief[256];
    if (end_of_step)
        snprintf(full, sizeof full, _("  -- end of %s --  %s   [b]ack [r]estart [q]uit"), where,
                 go);
    else
        snprintf(full, sizeof full, _("     %s   %s   [b]ack [r]estart [q]uit"), where, go);
    snprintf(brief, sizeof brief, "  %s %s [b] [r] [q]", where, go);
    const char *text = sl_text_columns(full) < width(lab) ? full : brief;
    snprintf(buf, len, "%s%s%s", lab->text->colour ? ansi[DIM] : "", text,
             lab->text->colour ? ansi[PLAIN] : "");
}

/* Wait at a pause whose block (already written) ends with the prompt. */
static enum sl_lab_choice ask(struct sl_lab *lab, bool end_of_step)
{
    char prompt[320];
    prompt_text(lab, prompt, sizeof prompt, end_of_step);
    if (lab->opt.auto_mode) {
        char where[64];
        step_of(lab, where, sizeof where);
        char label[96];
        snprintf(label, sizeof label, "     %s", where);
        text_screen_count_down(lab->text->screen, label, lab->opt.delay_ms);
        return SL_CHOICE_GO_ON;
    }
    return text_screen_ask(lab->text->screen, prompt);
}

/* Write the block (the pause's lines), after making room for it and the
 * prompt on screen. */
static void put_block(struct sl_lab *lab, const char *block)
{
    text_screen_make_room(lab->text->screen,
                          text_screen_rows_of(lab->text->screen, block) + 1);
    fputs(block, lab->text->out);
}

static enum sl_lab_choice text_pause(struct sl_lab *lab, const char *look,
                                     const char *const *hints, int count)
{
    text_screen_narration_done(lab->text->screen);
    show_observation(lab, look);
    char *block = NULL;
    size_t size = 0;
    FILE *m = open_memstream(&block, &size);
    if (!m)
        sl_die("out of memory");
    fputc('\n', m);
    paint(lab, m, YELLOW);
    const char *lead = _("  || look: ");    /* the lines under it start where it ends */
    char cont[64];
    snprintf(cont, sizeof cont, "%*s", sl_text_columns(lead) < 63 ? sl_text_columns(lead) : 63,
             "");
    wrapped_with(lab, m, look, lead, cont);
    paint(lab, m, PLAIN);
    for (int i = 0; i < count; i++)
        command(lab, m, hints[i]);
    fclose(m);
    put_block(lab, block);
    free(block);
    return ask(lab, false);
}

static enum sl_lab_choice text_step_done(struct sl_lab *lab)
{
    show_observation(lab, NULL);
    put_block(lab, "\n");
    return ask(lab, true);
}

/* A step that --from ran without pausing: one line. */
static void text_replayed(struct sl_lab *lab, const int before[4])
{
    char line[640];
    sl_lab_replayed_line(lab, before, line, sizeof line);
    paint(lab, lab->text->out, DIM);
    wrapped(lab, lab->text->out, line, "  ", 5);
    paint(lab, lab->text->out, PLAIN);
}

/* A long wait: a countdown on one line, rewritten in place; q ends the lab. */
static bool text_waiting(struct sl_lab *lab, const char *what, int ms_left)
{
    show_observation(lab, NULL);
    FILE *f = lab->stream;                /* not a line of the step: written over */
    if (ms_left == 0) {
        sl_guard_restore_terminal();
        fputs("\r\033[K", f);
        fflush(f);
        return true;
    }
    fprintf(f, "\r%s  ", lab->text->colour ? ansi[DIM] : "");
    fprintf(f, _("%s: %d s left (q quits)"), what, (ms_left + 999) / 1000);
    fprintf(f, "\033[K%s", lab->text->colour ? ansi[PLAIN] : "");
    fflush(f);
    char key;
    return !(sl_guard_key_ready(STDIN_FILENO, &key) && (key == 'q' || key == 'Q'));
}

static void text_observe(struct sl_lab *lab, const struct sl_snapshot *snap)
{
    struct sl_lab_text *t = lab->text;
    text_screen_narration_done(t->screen);
    t->shown.count = 0;                   /* the newest replaces one not shown yet */
    for (size_t i = 0; i < snap->count; i++) {
        struct sl_socket *copy = sl_snapshot_add(&t->shown);
        if (!copy)
            sl_die("out of memory");
        *copy = snap->sockets[i];
    }
    t->shown.source = snap->source;
    t->shown.taken_ms = snap->taken_ms;
    t->observation_pending = true;
}

static void text_end(struct sl_lab *lab, bool quit)
{
    struct sl_lab_text *t = lab->text;
    show_observation(lab, NULL);
    const int *o = lab->outcomes;
    char counts[256], expectations[64], tail[400];
    sl_lab_count_outcomes(o, true, counts, sizeof counts);
    snprintf(expectations, sizeof expectations,
             sl_plural((unsigned long)lab->expectations, "%d expectation", "%d expectations"),
             lab->expectations);
    if (quit)
        snprintf(tail, sizeof tail, _("== stopped early; %s: %s "), expectations, counts);
    else
        snprintf(tail, sizeof tail, _("== %s: %s "), expectations, counts);
    fputc('\n', t->out);
    paint(lab, t->out, o[SL_OUTCOME_FAILED] ? RED : o[SL_OUTCOME_INCONCLUSIVE] ? YELLOW : CYAN);
    rule(lab, t->out, tail);
    paint(lab, t->out, PLAIN);
    text_screen_close(t->screen);
    sl_snapshot_free(&t->shown);
    free(t);
    lab->text = NULL;
}

void sl_lab_print_note(struct sl_lab *lab, const char *text)
{
    fputc('\n', lab->stream);
    wrap_to(lab->stream, width(lab), 0, text, "", "   ");
    fflush(lab->stream);
}

const struct sl_presenter sl_text_presenter = {
    .start = text_start, .step = text_step, .source = text_source, .say = text_say,
    .call = text_call, .show = text_show, .expect = text_expect, .pause = text_pause,
    .step_done = text_step_done, .replayed = text_replayed, .waiting = text_waiting,
    .observe = text_observe, .end = text_end,
};
