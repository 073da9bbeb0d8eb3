/* i18n.c — the locale and the message catalog (see i18n.h). */
#include "socklab/i18n.h"

#include "socklab/charset.h"
#include "socklab/place.h"

#include <glob.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* A folder of catalogs holds socklab's for at least one language. */
static bool holds_catalogs(const char *dir)
{
    char pattern[PATH_MAX + 64];
    snprintf(pattern, sizeof pattern, "%s/*/LC_MESSAGES/" SL_TEXT_DOMAIN ".mo", dir);
    glob_t found;
    bool any = glob(pattern, GLOB_NOSORT, NULL, &found) == 0 && found.gl_pathc > 0;
    globfree(&found);
    return any;
}

/* Where the catalogs are, seen from the program's folder: the build tree's
 * (build/bin/ and build/tests/ beside build/locale/), then the installed ones
 * (PREFIX/bin/ and PREFIX/libexec/socklab/ under PREFIX/share/locale/). False
 * when none holds socklab's: gettext then looks where the C library was
 * installed (/usr/share/locale), which is where the Debian package puts it. */
static bool find_catalogs(char *buf, size_t len)
{
    static const char *const where[] = {
        "%s/../locale", "%s/../share/locale", "%s/../../share/locale",
    };
    return sl_place_find(where, sizeof where / sizeof where[0], holds_catalogs, buf, len);
}

void sl_i18n_init(void)
{
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");           /* "0.5", never "0,5": JSON, and as ss prints */
    if (!sl_charset_utf8())
        return;                           /* English, in ASCII (i18n.h) */
    char dir[PATH_MAX + 32];
    if (find_catalogs(dir, sizeof dir))
        bindtextdomain(SL_TEXT_DOMAIN, dir);
    bind_textdomain_codeset(SL_TEXT_DOMAIN, "UTF-8");
    textdomain(SL_TEXT_DOMAIN);
}

const char *sl_plural(unsigned long n, const char *one, const char *many)
{
    return ngettext(one, many, n);
}
