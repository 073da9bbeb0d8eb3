/* lab_text.c — the text presenter: what a class reads on the projected terminal.
 *
 * Colour when the output is a terminal and NO_COLOR is unset. Narration is
 * wrapped to the terminal's width. At a pause it waits for one key when stdin
 * is a terminal (Enter or space continue, q quits) and --auto was not given. */
#include "lab_internal.h"

#include "socklab/addr.h"
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/socket_format.h"
#include "socklab/tcpstate.h"
#include "socklab/text.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

enum colour { PLAIN, BOLD, DIM, GREEN, RED, YELLOW, CYAN };

static const char *const ansi[] = {
    [PLAIN] = "\033[0m", [BOLD] = "\033[1m", [DIM] = "\033[2m", [GREEN] = "\033[32m",
    [RED] = "\033[1;31m", [YELLOW] = "\033[33m", [CYAN] = "\033[1;36m",
};

static bool use_colour(const struct sl_lab *lab)
{
    const char *no_colour = getenv("NO_COLOR"), *term = getenv("TERM");
    return isatty(fileno(lab->stream)) && !(no_colour && *no_colour) &&
           !(term && !strcmp(term, "dumb"));
}

static void paint(struct sl_lab *lab, enum colour c)
{
    if (use_colour(lab))
        fputs(ansi[c], lab->stream);
}

static int width(const struct sl_lab *lab)
{
    struct winsize ws;
    if (ioctl(fileno(lab->stream), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col > 100 ? 100 : ws.ws_col;
    return 80;
}

/* Print text word-wrapped at the terminal's width: `lead` before the first
 * line, `cont` before the others (a result reads "  -> text" with its lines
 * aligned; a long line of code goes on after "       : "). */
static void wrapped_after(struct sl_lab *lab, int used, const char *text, const char *lead,
                          const char *cont)
{
    bool first = true;
    for (const char *p = text, *next; *p; p = next, first = false) {
        int margin = first ? used + sl_text_columns(lead) : sl_text_columns(cont);
        int room = width(lab) - margin - 1;
        size_t take = sl_text_wrap(p, room < 10 ? 10 : room, &next);
        fprintf(lab->stream, "%s%.*s\n", first ? lead : cont, (int)take, p);
    }
}

/* The same, on a line of its own. */
static void wrapped_with(struct sl_lab *lab, const char *text, const char *lead,
                         const char *cont)
{
    wrapped_after(lab, 0, text, lead, cont);
}

static void wrapped(struct sl_lab *lab, const char *text, const char *lead, int indent)
{
    char cont[32];
    snprintf(cont, sizeof cont, "%*s", indent < 31 ? indent : 31, "");
    wrapped_with(lab, text, lead, cont);
}

static void rule(struct sl_lab *lab, const char *left, int used)
{
    fputs(left, lab->stream);
    for (int i = used; i < width(lab); i++)
        fputc('=', lab->stream);
    fputc('\n', lab->stream);
}

static void text_start(struct sl_lab *lab)
{
    char head[160];
    int n = snprintf(head, sizeof head, "== Lab %02d: %s ", lab->info->number, lab->info->name);
    paint(lab, CYAN);
    rule(lab, head, n);
    paint(lab, BOLD);
    wrapped(lab, lab->info->title, "", 0);
    paint(lab, PLAIN);
    wrapped(lab, lab->info->goal, "", 0);
    if (lab->opt.from > 2) {
        char text[160];
        snprintf(text, sizeof text, "Steps 1 to %d run without pausing (--from %d):",
                 lab->opt.from - 1, lab->opt.from);
        fputc('\n', lab->stream);
        wrapped(lab, text, "", 0);
    } else if (lab->opt.from == 2) {
        fputc('\n', lab->stream);
        wrapped(lab, "Step 1 runs without pausing (--from 2):", "", 0);
    }
    fflush(lab->stream);
}

static void text_step(struct sl_lab *lab, const char *title)
{
    char head[256];
    int n = snprintf(head, sizeof head, "\n-- Step %d: %s ", lab->step, title);
    paint(lab, CYAN);
    fputs(head, lab->stream);
    for (int i = n - 1; i < width(lab) - 1; i++)
        fputc('-', lab->stream);
    paint(lab, PLAIN);
    fputc('\n', lab->stream);
    fflush(lab->stream);
}

static void text_source(struct sl_lab *lab, const struct sl_excerpt *ex)
{
    paint(lab, DIM);
    for (int i = 0; i < ex->count; i++) {
        char lead[24];
        snprintf(lead, sizeof lead, "  %4d | ", ex->numbers[i]);
        if (!ex->lines[i][0])
            fprintf(lab->stream, "  %4d |\n", ex->numbers[i]);
        else
            wrapped_with(lab, ex->lines[i], lead, "       :   ");
    }
    paint(lab, PLAIN);
}

static void text_say(struct sl_lab *lab, const char *text)
{
    wrapped(lab, text, "  ", 2);
    fflush(lab->stream);
}

static void text_call(struct sl_lab *lab, const struct sl_call_report *r)
{
    char what[128] = "", after[32] = "", *plain = NULL;
    if (r->result == -1)
        sl_errno_describe(r->err, what, sizeof what);
    if (r->ms >= 1.0)                    /* a call that waited says how long */
        snprintf(after, sizeof after, "  after %.0f ms", r->ms);
    if (asprintf(&plain, "%s = %ld%s%s%s", r->text, r->result, what[0] ? "  " : "", what,
                 after) >= 0 && (int)strlen(plain) + 6 > width(lab)) {
        wrapped(lab, plain, "  -> ", 5);  /* too long for one line: plainly, folded */
        free(plain);
        fflush(lab->stream);
        return;
    }
    free(plain);
    fputs("  -> ", lab->stream);
    paint(lab, BOLD);
    fprintf(lab->stream, "%s", r->text);
    paint(lab, PLAIN);
    fprintf(lab->stream, " = %ld", r->result);
    if (r->result == -1) {
        paint(lab, YELLOW);
        fprintf(lab->stream, "  %s", what);
        paint(lab, PLAIN);
    }
    fprintf(lab->stream, "%s\n", after);
    fflush(lab->stream);
}

static void text_show(struct sl_lab *lab, const char *text)
{
    wrapped(lab, text, "  -> ", 5);
    fflush(lab->stream);
}

static void text_expect(struct sl_lab *lab, const struct sl_expectation *e)
{
    static const struct { const char *mark; enum colour colour; } look[] = {
        [SL_OUTCOME_HELD] = { "  [ok]   ", GREEN },
        [SL_OUTCOME_FAILED] = { "  [FAIL] ", RED },
        [SL_OUTCOME_SKIPPED] = { "  [skip] ", YELLOW },
        [SL_OUTCOME_INCONCLUSIVE] = { "  [??]   ", YELLOW },
    };
    char *text = NULL;
    int n = 0;
    switch (e->outcome) {
    case SL_OUTCOME_HELD:
        n = asprintf(&text, "%s", e->claim);
        break;
    case SL_OUTCOME_FAILED:
        n = asprintf(&text, "%s  (%s:%d: the kernel disagreed)", e->claim, e->file, e->line);
        break;
    case SL_OUTCOME_SKIPPED:
        n = asprintf(&text, "%s  (skipped: %s)", e->claim, e->why);
        break;
    case SL_OUTCOME_INCONCLUSIVE:
        n = asprintf(&text, "%s  (inconclusive: %s; the machine was busy, not the kernel "
                            "wrong)", e->claim, e->why);
        break;
    }
    paint(lab, look[e->outcome].colour);
    fputs(look[e->outcome].mark, lab->stream);
    paint(lab, PLAIN);
    wrapped_after(lab, 9, n >= 0 && text ? text : e->claim, "", "         ");
    free(text);
    fflush(lab->stream);
}

/* One key from the terminal: Enter or space go on, q quits, r starts the
 * lab again, b goes back a step. */
static enum sl_lab_choice wait_for_key(void)
{
    if (!sl_guard_raw_terminal(STDIN_FILENO))
        return SL_CHOICE_GO_ON;
    enum sl_lab_choice choice = SL_CHOICE_GO_ON;
    for (;;) {
        char key;
        ssize_t n = read(STDIN_FILENO, &key, 1);
        if (n <= 0)                      /* end of input: nobody to wait for */
            break;
        if (key == 'q' || key == 'Q') {
            choice = SL_CHOICE_QUIT;
            break;
        }
        if (key == 'r' || key == 'R') {
            choice = SL_CHOICE_RESTART;
            break;
        }
        if (key == 'b' || key == 'B') {
            choice = SL_CHOICE_BACK;
            break;
        }
        if (key == '\n' || key == '\r' || key == ' ')
            break;
    }
    sl_guard_restore_terminal();
    return choice;
}

static enum sl_lab_choice text_pause(struct sl_lab *lab, const char *look,
                                     const char *const *hints, int count)
{
    paint(lab, YELLOW);
    fputc('\n', lab->stream);
    wrapped_with(lab, look, "  || look: ", "           ");
    paint(lab, PLAIN);
    for (int i = 0; i < count; i++)
        wrapped(lab, hints[i], "     ", 7);
    if (lab->opt.auto_mode) {
        fflush(lab->stream);
        sl_sleep_ms(lab->opt.delay_ms);
        return SL_CHOICE_GO_ON;
    }
    paint(lab, DIM);
    fputs("     [Enter] continue   [b]ack [r]estart [q]uit", lab->stream);
    paint(lab, PLAIN);
    fflush(lab->stream);
    enum sl_lab_choice choice = wait_for_key();
    fputc('\n', lab->stream);
    return choice;
}

static enum sl_lab_choice text_step_done(struct sl_lab *lab)
{
    paint(lab, DIM);
    fprintf(lab->stream, "\n  -- end of step %d --  [Enter] next step   [b]ack [r]estart [q]uit",
            lab->step);
    paint(lab, PLAIN);
    fflush(lab->stream);
    enum sl_lab_choice choice = wait_for_key();
    fputc('\n', lab->stream);
    return choice;
}

/* A step that --from ran without pausing: one line. */
static void text_replayed(struct sl_lab *lab, const int before[4])
{
    int o[4];
    for (int i = 0; i < 4; i++)
        o[i] = lab->outcomes[i] - before[i];
    char line[512];
    int n = snprintf(line, sizeof line, "%d. %s: %d held", lab->step, lab->step_title,
                     o[SL_OUTCOME_HELD]);
    static const char *const also[] = { NULL, "failed", "skipped", "inconclusive" };
    for (int i = SL_OUTCOME_FAILED; i <= SL_OUTCOME_INCONCLUSIVE && n < (int)sizeof line; i++)
        if (o[i])
            n += snprintf(line + n, sizeof line - (size_t)n, ", %d %s", o[i], also[i]);
    paint(lab, DIM);
    wrapped(lab, line, "  ", 5);
    paint(lab, PLAIN);
    fflush(lab->stream);
}

void sl_lab_print_note(struct sl_lab *lab, const char *text)
{
    fputc('\n', lab->stream);
    wrapped(lab, text, "", 3);
    fflush(lab->stream);
}

/* A long wait: a countdown on one line, rewritten in place; q ends the lab. */
static bool text_waiting(struct sl_lab *lab, const char *what, int ms_left)
{
    if (ms_left == 0) {
        sl_guard_restore_terminal();
        fputs("\r\033[K", lab->stream);
        fflush(lab->stream);
        return true;
    }
    paint(lab, DIM);
    fprintf(lab->stream, "\r  %s: %d s left (q quits)\033[K", what, (ms_left + 999) / 1000);
    paint(lab, PLAIN);
    fflush(lab->stream);
    char key;
    return !(sl_guard_key_ready(STDIN_FILENO, &key) && (key == 'q' || key == 'Q'));
}

static void text_observe(struct sl_lab *lab, const struct sl_snapshot *snap)
{
    paint(lab, DIM);
    fprintf(lab->stream, "  kernel says (%s, %zu socket%s on the lab's ports):\n",
            sl_source_name(snap->source), snap->count, snap->count == 1 ? "" : "s");
    paint(lab, PLAIN);
    if (width(lab) >= 82) {
        sl_print_socket_table(lab->stream, snap, NULL, "     ");
    } else {                             /* a narrow pane: a socket a line, folded */
        for (size_t i = 0; i < snap->count; i++) {
            const struct sl_socket *k = &snap->sockets[i];
            char local[SL_ADDR_STRLEN], peer[SL_ADDR_STRLEN], timer[32], row[200];
            sl_timer_format(k, timer, sizeof timer);
            char queues[64];              /* ss's Recv-Q and Send-Q, said in words */
            if (k->state == SL_TCP_LISTEN)
                snprintf(queues, sizeof queues, "accept queue %u, backlog %u", k->recv_q,
                         k->send_q);
            else
                snprintf(queues, sizeof queues, "Recv-Q %u, Send-Q %u", k->recv_q, k->send_q);
            snprintf(row, sizeof row, "%s %s > %s  %s%s%s", sl_state_name(k->state),
                     sl_tuple_local(&k->tuple, local, sizeof local),
                     sl_tuple_peer(&k->tuple, peer, sizeof peer), queues,
                     strcmp(timer, "-") ? "  " : "", strcmp(timer, "-") ? timer : "");
            wrapped(lab, row, "     ", 7);
        }
    }
    fflush(lab->stream);
}

static void text_end(struct sl_lab *lab, bool quit)
{
    char tail[200];
    const int *o = lab->outcomes;
    int n = snprintf(tail, sizeof tail, "\n== %s%d expectation%s: %d held, %d failed",
                     quit ? "stopped early; " : "", lab->expectations,
                     lab->expectations == 1 ? "" : "s", o[SL_OUTCOME_HELD],
                     o[SL_OUTCOME_FAILED]);
    if (o[SL_OUTCOME_SKIPPED])
        n += snprintf(tail + n, sizeof tail - (size_t)n, ", %d skipped", o[SL_OUTCOME_SKIPPED]);
    if (o[SL_OUTCOME_INCONCLUSIVE])
        n += snprintf(tail + n, sizeof tail - (size_t)n, ", %d inconclusive",
                      o[SL_OUTCOME_INCONCLUSIVE]);
    n += snprintf(tail + n, sizeof tail - (size_t)n, " ");
    paint(lab, o[SL_OUTCOME_FAILED] ? RED : o[SL_OUTCOME_INCONCLUSIVE] ? YELLOW : CYAN);
    rule(lab, tail, n - 1);
    paint(lab, PLAIN);
    fflush(lab->stream);
}

const struct sl_presenter sl_text_presenter = {
    .start = text_start, .step = text_step, .source = text_source, .say = text_say,
    .call = text_call, .show = text_show, .expect = text_expect, .pause = text_pause,
    .step_done = text_step_done, .replayed = text_replayed, .waiting = text_waiting, .observe = text_observe,
    .end = text_end,
};
