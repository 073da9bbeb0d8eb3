/* lab_text_internal.h — the text presenter's screen (lab_text_screen.c), as
 * lab_text.c uses it. Not installed.
 *
 * Everything the presenter writes goes through `out`, a line at a time, on
 * to the lab's stream: in ASCII when the locale's character set is not UTF-8
 * (the one place the lab's text is made to fit the terminal's characters),
 * counted in terminal rows, and kept from the current step's title on. So at
 * a pause the screen knows whether the step's title is still on screen; when
 * it is not, it draws the step again from the top: the title, the narration,
 * the latest lines under a line saying how many are above (Up and PgUp show
 * them), then the pause. A pipe or a log gets every line once, as written. */
#ifndef SOCKLAB_LAB_TEXT_INTERNAL_H
#define SOCKLAB_LAB_TEXT_INTERNAL_H

#include "lab_internal.h"

struct text_screen;

/* The screen of lab->stream; `colour`: ANSI colours are written. */
struct text_screen *text_screen_open(struct sl_lab *lab, bool colour);
void text_screen_close(struct text_screen *s);

/* Where the presenter writes (unbuffered: nothing waits in it at a fork). */
FILE *text_screen_out(const struct text_screen *s);

/* The terminal's width in columns (80 when the output is no terminal), and
 * its height in rows (0 when it is no terminal). */
int text_screen_columns(const struct text_screen *s);
int text_screen_rows(const struct text_screen *s);

/* A step's title comes next: the lines kept start with it. */
void text_screen_step(struct text_screen *s);

/* The narration that follows the title is over: what comes next is the
 * step's code and results. */
void text_screen_narration_done(struct text_screen *s);

/* `rows` rows are about to be written and then a prompt (counted in rows):
 * when the step's title would leave the screen, the step is drawn again
 * from the top first. Nothing happens when the output is no terminal. */
void text_screen_make_room(struct text_screen *s, int rows);

/* The prompt, on the line the cursor is on (not kept with the step), and a
 * key: Enter or space go on, q, r and b choose; Up, Down, PgUp and PgDn
 * scroll the step when it was drawn again. The line ends after the key. */
enum sl_lab_choice text_screen_ask(struct text_screen *s, const char *prompt);

/* --auto on a terminal: `label` and the seconds left on one line, rewritten
 * in place, for ms milliseconds (no line when it is shorter than a second
 * or the output is no terminal). */
void text_screen_count_down(struct text_screen *s, const char *label, int ms);

/* How many rows `text` (lines ended by '\n', ANSI colours in them) takes. */
int text_screen_rows_of(const struct text_screen *s, const char *text);

#endif
