/* lab_tui_overlay.c — what covers the panes of the labs' --tui presenter on
 * a key, scrolled with the arrows: the lab's whole source (s), its notes (n),
 * the help (?), and at the end the summary. */
#include "lab_tui_internal.h"

#include "socklab/docs.h"
#include "socklab/markdown.h"
#include "socklab/text.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The lab's notes, in the person's language where they are translated
 * (docs.h): from the lab's folder, the build tree's (build/bin/../../docs,
 * and build/bin/../docs for the translations) or the installed ones
 * (libexec/socklab/../../share/socklab/docs). */
static char *find_notes(const struct sl_lab *lab)
{
    static const char *const folders[] = { "%s/../../docs", "%s/../docs",
                                           "%s/../../share/socklab/docs" };
    char name[256], path[PATH_MAX + 64];
    snprintf(name, sizeof name, "labs/%02d-%s.md", lab->info->number, lab->info->name);
    if (!sl_docs_find(lab->exe_dir, folders, sizeof folders / sizeof folders[0], name, path,
                      sizeof path))
        return NULL;
    return sl_lab_read_file(path);
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
        sl_tui_put_words(r.y, r.x, r.w, _("The lab's source is not installed here."), SL_TUI_BOLD);
        return;
    }
    if (t->overlay_scroll > n - 1)
        t->overlay_scroll = n - 1;
    sl_code_pane_draw_lines(r, NULL, lines, n, t->overlay_scroll, t->marked);
}

/* docs/labs/NN-name.md laid out for the pane (markdown.h: headings, wrapped
 * paragraphs, tables that fit or become lists, answers after the notes), a
 * line a paragraph, from overlay_scroll on. */
static void draw_notes(struct sl_lab *lab, struct sl_tui_rect r)
{
    struct sl_lab_tui *t = lab->tui;
    if (!t->notes)
        t->notes = find_notes(lab);
    char *shown = t->notes ? sl_markdown_render(t->notes, strlen(t->notes), r.w,
                                                t->utf8 ? 0 : SL_MARKDOWN_ASCII) : NULL;
    const char **lines = shown ? malloc(8192 * sizeof *lines) : NULL;
    if (!lines) {
        sl_tui_put_words(r.y, r.x, r.w, _("This lab's notes are not installed here."), SL_TUI_BOLD);
        free(shown);
        return;
    }
    int total = sl_tui_draw_paragraphs(r, lines, split_lines(shown, lines, 8192),
                                       t->overlay_scroll);
    if (t->overlay_scroll > total - 1)
        t->overlay_scroll = total > 0 ? total - 1 : 0;
    free(lines);
    free(shown);
}

static void draw_help(struct sl_lab *lab, struct sl_tui_rect r)
{
    static const char *const help[] = {
        N_("The lab, step by step, with its sockets live"),
        "",
        N_("Enter or space: the next step (or go on from a pause)."),
        N_("q: end the lab; Ctrl-C does too, and the terminal is restored."),
        N_("r: start the lab again; b: back a step (the lab runs again up to the step before: "
           "a kernel cannot be rewound)."),
        N_("s: the lab's whole source; n: its notes; ?: this help (the same key, Esc or Enter "
           "closes them)."),
        N_("Up/Down, PgUp/PgDn: scroll the step, the source or the notes."),
        N_("Tab: on a small terminal, the lesson or the sockets (there Up/Down, PgUp/PgDn, "
           "Home/End move through the socket table)."),
        N_("j/k: down and up the socket table, in any view; the rows a pause names come first."),
        "",
        N_("The sockets are the lab's own, on its ports, as the kernel lists them (sock_diag, as "
           "ss): the RFC 9293 state machine with a count on each state and the edges just taken "
           "lit, the table, and the transitions seen between two looks. A socket gone without "
           "TIME-WAIT lights RST/abort, which the figure leaves out. Other programs' sockets on "
           "those ports are left out: those there before the lab began (with --port), and "
           "TIME-WAIT records older than this run (ss shows them all)."),
        N_("In the code, '>' marks the line of the latest call or expectation."),
        N_("Marks: held (the kernel did what the lab says), FAILED (it disagreed), skipped (this "
           "machine cannot show it), inconclusive (the machine, not the kernel, spoiled it)."),
        "",
        N_("? again: what the table writes (q= bl=, the timers, the log's ends)."),
    };
    struct sl_lab_tui *t = lab->tui;
    if (sl_tui_draw_messages(r, help, (int)(sizeof help / sizeof help[0]),
                             t->overlay_scroll) <= t->overlay_scroll)
        t->overlay_scroll = 0;
}

/* The legend the dashboard shows too (socklab/tui.h). */
static void draw_legend(struct sl_lab *lab, struct sl_tui_rect r)
{
    struct sl_lab_tui *t = lab->tui;
    const char *const *legend;
    int count = sl_tui_legend(&legend);
    if (sl_tui_draw_messages(r, legend, count, t->overlay_scroll) <= t->overlay_scroll)
        t->overlay_scroll = 0;
}

/* The end: each outcome counted, and what the exit status will say. */
static void draw_summary(struct sl_lab *lab, struct sl_tui_rect r)
{
    static const char *const meaning[] = {
        [SL_EXIT_OK] = N_("0: no claim failed"), [SL_EXIT_FAILED] = N_("1: the kernel disagreed"),
        [SL_EXIT_USAGE] = N_("2: set-up"),
        [SL_EXIT_INCONCLUSIVE] = N_("3: a measurement stayed inconclusive on a busy machine"),
    };
    /* Each outcome's name, then its count in a column (names padded in
     * columns: they may be translated). */
    static const char *const outcome[] = {
        [SL_OUTCOME_HELD] = N_("held"), [SL_OUTCOME_FAILED] = N_("failed"),
        [SL_OUTCOME_SKIPPED] = N_("skipped"), [SL_OUTCOME_INCONCLUSIVE] = N_("inconclusive"),
    };
    const int *o = lab->outcomes;
    int status = sl_lab_status(lab);
    char lines[6][192];
    for (int i = SL_OUTCOME_HELD; i <= SL_OUTCOME_INCONCLUSIVE; i++) {
        char name[96];
        sl_text_pad(_(outcome[i]), 14, name, sizeof name);
        snprintf(lines[i], sizeof lines[i], "%s%d", name, o[i]);
    }
    snprintf(lines[4], sizeof lines[4], _("exit status %s"),
             status >= 0 && status <= SL_EXIT_INCONCLUSIVE && meaning[status]
             ? _(meaning[status]) : "?");
    const char *text[] = { _("The lab is over."), "", lines[0], lines[1], lines[2], lines[3], "",
                           lines[4] };
    sl_tui_draw_paragraphs(r, text, (int)(sizeof text / sizeof text[0]), 0);
}

void sl_lab_overlay_draw(struct sl_lab *lab, struct sl_tui_rect r)
{
    sl_tui_clear(r);
    struct sl_tui_rect text = { r.y, r.x + 1, r.h, r.w - 2 };
    switch (lab->tui->overlay) {
    case OVERLAY_SOURCE: draw_whole_source(lab, r); break;
    case OVERLAY_NOTES: draw_notes(lab, text); break;
    case OVERLAY_HELP: draw_help(lab, text); break;
    case OVERLAY_LEGEND: draw_legend(lab, text); break;
    case OVERLAY_SUMMARY: draw_summary(lab, text); break;
    default: break;
    }
}

void sl_lab_overlay_free(struct sl_lab_tui *t)
{
    free(t->notes);
    t->notes = NULL;
}
