/* charset.c — UTF-8, or its ASCII stand-ins (see charset.h). */
#include "socklab/charset.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

bool sl_charset_utf8(void)
{
    return !strcmp(nl_langinfo(CODESET), "UTF-8");
}

/* The characters socklab's own text uses, and what ASCII writes for them. The
 * conversion cannot use the locale (iconv's //TRANSLIT under LANG=C turns the
 * middle dot into '?'), so the table is ours. */
static const struct { const char *utf8, *ascii; } stand_ins[] = {
    { "\u2014", "--" },  { "\u2013", "-" },   { "\u2212", "-" },   { "\u00b7", "-" },
    { "\u2026", "..." }, { "\u2192", "->" },  { "\u2190", "<-" },  { "\u2194", "<->" },
    { "\u25b6", ">" },   { "\u25c0", "<" },   { "\u00d7", "x" },   { "\u2264", "<=" },
    { "\u2265", ">=" },  { "\u2260", "!=" },  { "\u2018", "'" },   { "\u2019", "'" },
    { "\u201c", "\"" },  { "\u201d", "\"" },  { "\u2022", "*" },   { "\u2500", "-" },
    { "\u2502", "|" },   { "\u00a0", " " },   { "\u00b5", "u" },   { "\u00e9", "e" },
};

/* The length of the UTF-8 sequence at s (1 for a byte that starts none). */
static size_t sequence_length(const unsigned char *s, size_t left)
{
    size_t len = *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : *s >= 0xc0 ? 2 : 1;
    if (len > left)
        return 1;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 1;
    return len;
}

char *sl_charset_ascii(const char *text, size_t len)
{
    char *out = malloc(len * 3 + 1);      /* no stand-in is longer than 3 bytes a byte */
    if (!out)
        return NULL;
    size_t used = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) {
            out[used++] = (char)c;
            i++;
            continue;
        }
        size_t seq = sequence_length((const unsigned char *)text + i, len - i);
        const char *ascii = "?";
        for (size_t k = 0; k < sizeof stand_ins / sizeof stand_ins[0]; k++)
            if (strlen(stand_ins[k].utf8) == seq && !memcmp(text + i, stand_ins[k].utf8, seq))
                ascii = stand_ins[k].ascii;
        size_t n = strlen(ascii);
        memcpy(out + used, ascii, n);
        used += n;
        i += seq;
    }
    out[used] = '\0';
    return out;
}

void sl_charset_print(FILE *out, const char *text)
{
    if (sl_charset_utf8()) {
        fputs(text, out);
        return;
    }
    char *ascii = sl_charset_ascii(text, strlen(text));
    fputs(ascii ? ascii : text, out);
    free(ascii);
}
