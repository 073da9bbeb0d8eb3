/* charset.h — what the locale can show: UTF-8, or ASCII only.
 *
 * socklab's own text (its help, the labs' sources, the notes) is UTF-8: em
 * dashes, arrows, the middle dot. Under LANG=C a terminal and less show those
 * bytes as <E2><80><94>. Where the locale's character set is not UTF-8, a
 * program prints the ASCII stand-in of each character instead ("--" for an em
 * dash, "->" for an arrow, "..." for an ellipsis, '?' for one it has none for).
 * setlocale(LC_ALL, "") must have run for the locale to be known. */
#ifndef SOCKLAB_CHARSET_H
#define SOCKLAB_CHARSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Whether the locale's character set is UTF-8 (nl_langinfo(CODESET)). */
bool sl_charset_utf8(void);

/* UTF-8 text (len bytes) with every character beyond ASCII replaced by its
 * ASCII stand-in, in a string the caller frees (NULL when out of memory). */
char *sl_charset_ascii(const char *text, size_t len);

/* Print UTF-8 text to out as the locale can show it: as it is under UTF-8,
 * in ASCII stand-ins otherwise. */
void sl_charset_print(FILE *out, const char *text);

#endif
