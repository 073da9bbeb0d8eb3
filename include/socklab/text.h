/* text.h — text fitted to terminal columns: the one routine every presenter
 * (the text presenter, the launcher, the widgets) fits and wraps text with.
 *
 * A terminal counts columns, not bytes or characters: "服务器" is 9 bytes,
 * 3 characters and 6 columns. Everything here reads text as the program's
 * locale says (setlocale(LC_ALL, "") must have run for UTF-8 to be read as
 * UTF-8) and measures a character with wcwidth(). A byte that is no character
 * of the locale counts one column (sl_text_wide shows it as '?'), and so does
 * a control character such as a tab.
 *
 * Lines break after spaces. A word wider than the line is cut between two
 * characters, never inside one. Text in wide characters (Chinese, Japanese),
 * written without spaces, may break between any two of them, except before
 * the punctuation that closes a phrase (，。、；：？！ and closing brackets),
 * which stays on the line it ends, and after one that opens a phrase (（「《
 * and the other opening brackets and quotes), which stays with what it opens.
 * A U+2060 WORD JOINER forbids a break on either side of it. A '\n' always
 * ends a line. */
#ifndef SOCKLAB_TEXT_H
#define SOCKLAB_TEXT_H

#include <stddef.h>
#include <wchar.h>

/* How many columns text takes on a terminal. */
int sl_text_columns(const char *text);

/* The same for its first `bytes` bytes. */
int sl_text_columns_n(const char *text, size_t bytes);

/* How many bytes of text fit in `columns` columns (never part of a character;
 * stops at a '\n'); *used, when not NULL, gets their width. */
size_t sl_text_prefix(const char *text, int columns, int *used);

/* text and then spaces up to `columns` columns, into out (len bytes, always
 * terminated): printf's "%-18s" counted in columns, not bytes. A text wider
 * than that is written whole. Returns its width in columns. */
int sl_text_pad(const char *text, int columns, char *out, size_t len);

/* The end of text that fits in `columns` columns (a pointer into it, at the
 * start of a character): what a prompt shows of a long input. */
const char *sl_text_suffix(const char *text, int columns);

/* One line of text wrapped at `columns`: returns how many bytes of text make
 * the line (the spaces that end it left out) and sets *next to where the next
 * line starts (those spaces, or the '\n' that ended the line, skipped). A line
 * always takes at least one character, so a loop `while (*p)` over it ends. An
 * empty line (two '\n' in a row) returns 0 with *next past its '\n'. */
size_t sl_text_wrap(const char *text, int columns, const char **next);

/* text cut to `columns` columns after its last whole word that fits, with
 * `mark` (e.g. "..." or "…") after it when something was left out, into out
 * (len bytes, always terminated). A first word wider than the line is cut
 * between characters. Returns the width of out in columns. */
int sl_text_fit_words(const char *text, int columns, const char *mark, char *out, size_t len);

/* text cut to `columns` columns between any two characters, with `mark`
 * after it when something was left out (a table cell, an address), into out
 * (len bytes, always terminated). Returns the width of out in columns. */
int sl_text_cut(const char *text, int columns, const char *mark, char *out, size_t len);

/* The first line of text that fits in `columns` columns, as wide characters
 * for a wide-character terminal library (room wide characters, terminated),
 * each byte that is no character shown as '?', each control character as '?'.
 * Returns its width in columns. */
int sl_text_wide(const char *text, int columns, wchar_t *out, size_t room);

#endif
