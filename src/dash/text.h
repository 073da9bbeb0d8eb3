/* text.h — fitting text into a number of terminal columns: UTF-8 counted as
 * the terminal counts it (CJK: 2 columns, invalid bytes refused), so a
 * command name or a filter never breaks the table's alignment; lines cut or
 * wrapped between words, never inside one; a line of parts that drops the
 * least important part first. */
#ifndef SOCKDASH_TEXT_H
#define SOCKDASH_TEXT_H

#include <stddef.h>
#include <wchar.h>

/* Convert text (in the current locale) to at most `columns` columns of wide
 * characters in out (room wide characters, NUL-terminated); characters that
 * cannot be shown become '?'. Returns the columns used. */
int dash_text_fit(const char *text, int columns, wchar_t *out, size_t room);

/* The longest head of text that fits in `width` columns and ends between two
 * words (a first word longer than the width is cut, as nothing else can be
 * shown); copied to out. Returns its length. Text is ASCII here. */
int dash_fit_words(const char *text, int width, char *out, size_t len);

/* The first line of text wrapped at width: its length, never splitting a word
 * that fits on a line of its own; *next is where the following line starts
 * (the spaces between are skipped). 0 at the end of the text. */
int dash_wrap_line(const char *text, int width, const char **next);

/* Segments of a line, fitted to width: all in full if they fit; else the
 * least important are shortened first (those with a brief form), then
 * dropped, until the line fits; joined by sep. */
struct dash_segment {
    const char *full, *brief;       /* brief may be NULL: no shorter form */
    int keep;                       /* the higher, the longer it stays */
};
void dash_fit_segments(const struct dash_segment *segments, int count, const char *sep,
                       int width, char *out, size_t len);

#endif
