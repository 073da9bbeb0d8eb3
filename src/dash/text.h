/* text.h — fitting UTF-8 text into a number of terminal columns, counting
 * wide characters (CJK: 2 columns) and refusing invalid bytes, so a command
 * name or a filter never breaks the table's alignment. */
#ifndef SOCKDASH_TEXT_H
#define SOCKDASH_TEXT_H

#include <stddef.h>
#include <wchar.h>

/* Convert text (in the current locale) to at most `columns` columns of wide
 * characters in out (room wide characters, NUL-terminated); characters that
 * cannot be shown become '?'. Returns the columns used. */
int dash_text_fit(const char *text, int columns, wchar_t *out, size_t room);

#endif
