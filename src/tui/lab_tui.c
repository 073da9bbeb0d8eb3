/* lab_tui.c — the third presenter (--tui): the classroom in one window.
 *
 *   header      the lab and the step
 *   the lesson  the step: narration, each call with its result and errno
 *               name, facts, outcomes as they come (lab_tui_step.c); its
 *               code, syntax lightly highlighted, the line of the call that
 *               just ran marked (lab_tui_code.c)
 *   the sockets the lab's own ports, live: the RFC 9293 diagram with counts
 *               and lit edges, the table, the transitions (the dashboard's
 *               widgets, from socklab/tui.h; lab_tui_sockets.c)
 *   status      what to look at (a pause), a countdown, the end of a step
 *   keys        Enter next, q quit, s source, n notes, ? help, Tab, arrows
 *               (the layout, the status and the keys: lab_tui_screen.c; what
 *               s, n and ? show: lab_tui_overlay.c)
 *
 * This file takes the engine's events (lab_internal.h's struct sl_presenter)
 * and hands each to its pane. A terminal below 60 x 20 at the start is
 * refused before step 1. The sockets are looked at on every event and every
 * REFRESH_MS while the lab waits for a key, so the picture moves while the
 * step runs and during pauses. The screen is left however the lab ends: the
 * guard calls sl_tui_restore_now on a signal. */
#include "lab_tui_internal.h"

#include "socklab/check.h"
#include "socklab/clock.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void tui_start(struct sl_lab *lab)
{
    char why[256];
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        sl_usage_error(lab->program, "--tui needs a terminal; run without it for text, "
                                     "or with --json for a stream.");
    if (!sl_tui_usable(_("run without --tui"), why, sizeof why))
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
    t->start_ms = sl_clock_ms();
    sl_sockets_pane_start(lab);
    sl_guard_full_screen(sl_tui_restore_now);
    sl_tui_start();
    sl_lab_screen_status(t, SL_TUI_DIM, "%s", lab->info->goal);
    sl_lab_screen_draw(lab);
}

static void tui_step(struct sl_lab *lab, const char *title)
{
    (void)title;
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return;
    sl_step_pane_clear(t);
    sl_code_pane_clear(t);
    sl_lab_screen_status(t, SL_TUI_DIM, _("running step %d"), lab->step);
    sl_lab_screen_progress(lab, true);
}

static void tui_source(struct sl_lab *lab, const struct sl_excerpt *ex)
{
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return;
    sl_code_pane_set(t, ex);
    sl_lab_screen_progress(lab, true);
}

static void tui_say(struct sl_lab *lab, const char *text)
{
    if (lab->tui->owner != getpid())
        return;
    sl_step_pane_add(lab->tui, SL_TUI_PLAIN, 0, "%s", text);
    sl_lab_screen_progress(lab, false);
}

static void tui_call(struct sl_lab *lab, const struct sl_call_report *r)
{
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return;
    char what[128] = "", after[64] = "";
    if (r->result == -1)
        sl_errno_describe(r->err, what, sizeof what);
    if (r->ms >= 1.0)
        snprintf(after, sizeof after, _("  after %.0f ms"), r->ms);
    sl_step_pane_add(t, SL_TUI_BOLD, 2, "%s %s = %ld%s%s%s", t->utf8 ? "→" : "->", r->text,
                     r->result, what[0] ? "  " : "", what, after);
    t->marked = r->line;
    sl_lab_screen_progress(lab, false);
}

static void tui_show(struct sl_lab *lab, const char *text)
{
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return;
    sl_step_pane_add(t, SL_TUI_PLAIN, 2, "%s %s", t->utf8 ? "·" : "-", text);
    sl_lab_screen_progress(lab, false);
}

static void tui_expect(struct sl_lab *lab, const struct sl_expectation *e)
{
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return;
    sl_code_pane_mark(t, e->file, e->line);
    switch (e->outcome) {
    case SL_OUTCOME_HELD:
        sl_step_pane_add(t, SL_TUI_HELD, 2, _("%s held: %s"), t->utf8 ? "✓" : "[ok]", e->claim);
        break;
    case SL_OUTCOME_FAILED:
        if (e->why)
            sl_step_pane_add(t, SL_TUI_FAILED, 2,
                             _("%s FAILED: %s (%s:%d: the kernel disagreed: %s)"),
                             t->utf8 ? "✗" : "[FAIL]", e->claim, e->file, e->line, e->why);
        else
            sl_step_pane_add(t, SL_TUI_FAILED, 2,
                             _("%s FAILED: %s (%s:%d: the kernel disagreed)"),
                             t->utf8 ? "✗" : "[FAIL]", e->claim, e->file, e->line);
        break;
    case SL_OUTCOME_SKIPPED:
        sl_step_pane_add(t, SL_TUI_UNSURE, 2, _("- skipped: %s (%s)"), e->claim, e->why);
        break;
    case SL_OUTCOME_INCONCLUSIVE:
        sl_step_pane_add(t, SL_TUI_UNSURE, 2, _("? inconclusive: %s (%s; the machine was busy, "
                                                "not the kernel wrong)"), e->claim, e->why);
        break;
    }
    sl_lab_screen_progress(lab, true);
}

static enum sl_lab_choice tui_pause(struct sl_lab *lab, const char *look,
                                    const char *const *hints, int count)
{
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return SL_CHOICE_GO_ON;
    for (int i = 0; i < count; i++) {
        sl_step_pane_add(t, SL_TUI_DIM, 4, "  %s", hints[i]);
        sl_step_pane_mark_hint(t);
    }
    if (lab->opt.auto_mode)                     /* the wait counts down: no key is read */
        sl_lab_screen_status(t, SL_TUI_UNSURE, _(" look: %s"), look);
    else
        sl_lab_screen_status(t, SL_TUI_UNSURE, _(" look: %s  (Enter: go on)"), look);
    sl_sockets_pane_look_for(t, look);
    enum sl_lab_choice choice = sl_lab_screen_wait_key(lab, lab->opt.delay_ms);
    sl_sockets_pane_look_for(t, NULL);
    sl_lab_screen_status(t, SL_TUI_DIM, _("running step %d"), lab->step);
    return choice;
}

static enum sl_lab_choice tui_step_done(struct sl_lab *lab)
{
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return SL_CHOICE_GO_ON;
    sl_lab_screen_status(t, SL_TUI_BOLD, _(" end of step %d: Enter for the next step"),
                         lab->step);
    return sl_lab_screen_wait_key(lab, lab->opt.delay_ms);
}

/* A step --from ran without pausing: its line stays above the first step
 * shown, so the class sees what ran before it. */
static void tui_replayed(struct sl_lab *lab, const int before[4])
{
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return;
    char line[640], all[640];
    sl_lab_replayed_line(lab, before, line, sizeof line);
    char counts[256];
    sl_lab_count_outcomes(lab->outcomes, false, counts, sizeof counts);
    snprintf(all, sizeof all, sl_plural((unsigned long)lab->step,
                                        "step %d ran without pausing: %s",
                                        "steps 1 to %d ran without pausing: %s"),
             lab->step, counts);
    sl_step_pane_add_replayed(t, line, all);
    sl_lab_screen_progress(lab, false);
}

static bool tui_waiting(struct sl_lab *lab, const char *what, int ms_left)
{
    struct sl_lab_tui *t = lab->tui;
    if (t->owner != getpid())
        return true;
    if (ms_left == 0)
        sl_lab_screen_status(t, SL_TUI_DIM, _("running step %d"), lab->step);
    else
        sl_lab_screen_status(t, SL_TUI_DIM, _(" %s: %d s left (q quits)"), what,
                             (ms_left + 999) / 1000);
    sl_sockets_pane_look(lab, 0);
    sl_lab_screen_draw(lab);
    return !sl_lab_screen_quit_pressed();
}

static void tui_observe(struct sl_lab *lab, const struct sl_snapshot *snap)
{
    (void)snap;                                 /* the same ports, looked at here too */
    if (lab->tui->owner != getpid())
        return;
    sl_sockets_pane_look(lab, 0);
    sl_lab_screen_progress(lab, true);
}

static void tui_end(struct sl_lab *lab, bool quit)
{
    struct sl_lab_tui *t = lab->tui;
    if (!t || t->owner != getpid())
        return;
    if (!quit)                                  /* the summary, until a key */
        sl_lab_screen_summary(lab, lab->opt.delay_ms);
    sl_tui_stop();
    sl_guard_full_screen(NULL);
    const int *o = lab->outcomes;
    char expectations[64];
    snprintf(expectations, sizeof expectations,
             sl_plural((unsigned long)lab->expectations, "%d expectation", "%d expectations"),
             lab->expectations);
    if (quit)
        printf(_("%s: stopped early; %s: %d held, %d failed, %d skipped, %d inconclusive\n"),
               lab->program, expectations, o[SL_OUTCOME_HELD], o[SL_OUTCOME_FAILED],
               o[SL_OUTCOME_SKIPPED], o[SL_OUTCOME_INCONCLUSIVE]);
    else
        printf(_("%s: %s: %d held, %d failed, %d skipped, %d inconclusive\n"), lab->program,
               expectations, o[SL_OUTCOME_HELD], o[SL_OUTCOME_FAILED], o[SL_OUTCOME_SKIPPED],
               o[SL_OUTCOME_INCONCLUSIVE]);
    fflush(stdout);
    sl_step_pane_free(t);
    sl_code_pane_clear(t);
    sl_sockets_pane_free(t);
    sl_lab_overlay_free(t);
    free(t);
    lab->tui = NULL;
}

const struct sl_presenter sl_tui_presenter = {
    .start = tui_start, .step = tui_step, .source = tui_source, .say = tui_say,
    .call = tui_call, .show = tui_show, .expect = tui_expect, .pause = tui_pause,
    .step_done = tui_step_done, .replayed = tui_replayed, .waiting = tui_waiting,
    .observe = tui_observe,
    .end = tui_end,
};
