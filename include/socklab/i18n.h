/* i18n.h — socklab's messages in the user's language (gettext, domain
 * "socklab"; po/ holds the catalog, docs/hacking.md says how to update it).
 *
 * Every program calls sl_i18n_init() first (a lab through sl_lab_begin): the
 * locale from the environment, the catalog bound. The step engine translates
 * the format strings a lab hands it (lab_step, lab_say, lab_expect, ...), so
 * a lab's source carries no markers but these two, where a string is kept
 * outside those calls:
 *
 *     .title = N_("The handshake"),          a string in a table: marked here,
 *     lab_say(lab, "%s", _(table[i].name));  translated where it is used
 *
 * and a count printed in a sentence goes through sl_plural (lab_plural in a
 * lab), never through English grammar in code ("%d socket%s"):
 *
 *     lab_show(lab, sl_plural(n, "%d socket is left", "%d sockets are left"), n);
 *
 * State names, system calls, errno names and what ss prints stay as the
 * kernel and the tools write them: they are not messages. */
#ifndef SOCKLAB_I18N_H
#define SOCKLAB_I18N_H

#include <libintl.h>

#define SL_TEXT_DOMAIN "socklab"

#ifndef _
#define _(text) gettext(text)
#endif
#ifndef N_
#define N_(text) (text)
#endif

/* The locale from the environment (LC_ALL, LC_*, LANG), numbers excepted:
 * they stay in the C locale, as JSON and the kernel's tools write them. Then
 * the catalog: from the build tree when the program runs from it
 * (build/bin/../locale), else the installed one ($(PREFIX)/share/locale,
 * found from the program's own place as the labs and the notes are). Under a
 * locale whose characters are not UTF-8 (LANG=C, zh_CN.GB18030) socklab
 * speaks English in ASCII: sl_charset turns its text to ASCII stand-ins
 * there, which would leave nothing of other text but question marks. */
void sl_i18n_init(void);

/* The catalog's form of "one" or "many" for the count n, for the language's
 * plural rules (ngettext: Chinese has one form, English two). Both forms must
 * take the same conversions; the result is a format string. */
const char *sl_plural(unsigned long n, const char *one, const char *many)
    __attribute__((format_arg(2), format_arg(3)));

#endif
