/* place.h — where the running program is, and what it finds from there.
 *
 * Nothing is compiled in (docs/hacking.md: installing): a program run from
 * the build tree finds the build tree's files beside it, an installed one
 * the installed files, through paths relative to its own folder
 * ("%s/../share/socklab/docs"). */
#ifndef SOCKLAB_PLACE_H
#define SOCKLAB_PLACE_H

#include <stdbool.h>
#include <stddef.h>

/* The running program's folder (from /proc/self/exe) into buf; false when
 * the kernel does not say. */
bool sl_place_self(char *buf, size_t len);

/* The first of `count` patterns (each a format with one %s, the program's
 * folder) that names what accept() wants (NULL: anything that exists), into
 * buf; false when none does. */
bool sl_place_find(const char *const *patterns, size_t count, bool (*accept)(const char *path),
                   char *buf, size_t len);

#endif
