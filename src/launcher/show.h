/* show.h — a lab's notes and source shown to a person: laid out for the
 * terminal, in $PAGER (default less) when the output is one. */
#ifndef SOCKLAB_LAUNCHER_SHOW_H
#define SOCKLAB_LAUNCHER_SHOW_H

/* The notes (Markdown) rendered for the terminal (markdown.h), at its width
 * (80 columns off a terminal), in ASCII under a locale that is not UTF-8.
 * Returns the exit status. */
int show_notes(const char *path);

/* On a terminal: the source with its line numbers (the ones the steps cite),
 * long lines wrapped after a space under their start. Off a terminal: the
 * file as it is, to be saved and changed. Returns the exit status. */
int show_source(const char *path);

/* The source's lines numbered and wrapped to `columns` (a string to free). */
char *show_number_lines(const char *text, int columns);

#endif
