/* docs.h — the documents a person reads (a lab's notes, the guides), in the
 * person's language when they are translated, in English otherwise.
 *
 * The translations are made by po4a from po/docs/LANG.po (docs/hacking.md:
 * "The notes in other languages"): in the build tree under BUILD/docs/LANG/,
 * installed under share/socklab/docs/LANG/, beside the English ones
 * (docs/labs/06-time-wait.md and docs/zh_CN/labs/06-time-wait.md).
 *
 * The language is the one gettext would choose for the messages: the locale's
 * (LC_ALL, else LC_MESSAGES, else LANG), or LANGUAGE's list when that is set
 * and the locale is not C; "zh_CN.UTF-8" is looked for as zh_CN, then zh.
 * Under a locale whose characters are not UTF-8 (LANG=C) or that the system
 * does not have, the documents are English, as the messages are.
 * setlocale(LC_ALL, "") (or LC_CTYPE) must have run. */
#ifndef SOCKLAB_DOCS_H
#define SOCKLAB_DOCS_H

#include <stdbool.h>
#include <stddef.h>

#define SL_DOCS_MAX_LANGUAGES 8

/* The folder names of the person's languages, best first ("zh_CN", "zh"),
 * into langs (room of them); how many. 0: English. */
size_t sl_docs_languages(char langs[][32], size_t room);

/* The document `name` ("labs/06-time-wait.md", "dashboard.md") in the first
 * of the docs folders that holds it: `folders` are `count` patterns with one
 * %s, the program's folder `self` ("%s/../share/socklab/docs"). Every folder
 * is searched for a translation (FOLDER/LANG/name) before any for the English
 * (FOLDER/name). Its path into buf; false when no folder holds it (buf then
 * holds the English path under the first folder, to name in a message). */
bool sl_docs_find(const char *self, const char *const *folders, size_t count, const char *name,
                  char *buf, size_t len);

#endif
