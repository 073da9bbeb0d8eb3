/* docs.c — the documents in the person's language (see docs.h). */
#include "socklab/docs.h"

#include "socklab/charset.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first of these variables that is set and not empty, or NULL. */
static const char *first_set(const char *const *names, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const char *value = getenv(names[i]);
        if (value && *value)
            return value;
    }
    return NULL;
}

static bool is_c_locale(const char *name)
{
    return !strcmp(name, "C") || !strcmp(name, "POSIX") || !strncmp(name, "C.", 2);
}

/* name in langs, unless it is there already or langs is full. */
static size_t add_once(char langs[][32], size_t count, size_t room, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (!strcmp(langs[i], name))
            return count;
    if (count < room)
        snprintf(langs[count++], 32, "%s", name);
    return count;
}

/* A locale name or an entry of LANGUAGE (its first n bytes: "zh_CN.UTF-8")
 * as the folders it may name, the most precise first: "zh_CN", then "zh". */
static size_t add_language(const char *entry, size_t n, char langs[][32], size_t count,
                           size_t room)
{
    char name[32];
    size_t len = strcspn(entry, ".@:");
    if (len > n)
        len = n;
    if (len == 0 || len >= sizeof name)
        return count;
    snprintf(name, sizeof name, "%.*s", (int)len, entry);
    if (is_c_locale(name))
        return count;
    count = add_once(langs, count, room, name);
    name[strcspn(name, "_")] = '\0';
    return add_once(langs, count, room, name);
}

size_t sl_docs_languages(char langs[][32], size_t room)
{
    static const char *const locale_vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
    const char *locale = first_set(locale_vars, 3);
    if (!locale || is_c_locale(locale) || !sl_charset_utf8())
        return 0;
    /* A locale the system does not have is the C locale for gettext too. */
    locale_t available = newlocale(LC_MESSAGES_MASK, locale, (locale_t)0);
    if (available == (locale_t)0)
        return 0;
    freelocale(available);
    const char *language = getenv("LANGUAGE");
    if (!language || !*language)
        return add_language(locale, strlen(locale), langs, 0, room);
    size_t count = 0;
    for (const char *entry = language; *entry;) {
        size_t n = strcspn(entry, ":");
        count = add_language(entry, n, langs, count, room);
        entry += n + (entry[n] == ':');
    }
    return count;
}

bool sl_docs_find(const char *self, const char *const *folders, size_t count, const char *name,
                  char *buf, size_t len)
{
    char langs[SL_DOCS_MAX_LANGUAGES][32];
    size_t n = sl_docs_languages(langs, SL_DOCS_MAX_LANGUAGES);
    char folder[4096];
    for (size_t l = 0; l < n; l++)
        for (size_t i = 0; i < count; i++) {
            snprintf(folder, sizeof folder, folders[i], self);
            snprintf(buf, len, "%s/%s/%s", folder, langs[l], name);
            if (access(buf, R_OK) == 0)
                return true;
        }
    for (size_t i = 0; i < count; i++) {
        snprintf(folder, sizeof folder, folders[i], self);
        snprintf(buf, len, "%s/%s", folder, name);
        if (access(buf, R_OK) == 0)
            return true;
    }
    snprintf(folder, sizeof folder, count ? folders[0] : "%s", self);
    snprintf(buf, len, "%s/%s", folder, name);
    return false;
}
