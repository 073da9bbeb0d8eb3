/* check_internal.h — what the error family's tests look at. Not installed. */
#ifndef SOCKLAB_CHECK_INTERNAL_H
#define SOCKLAB_CHECK_INTERNAL_H

#include "socklab/check.h"

/* The one line CHECK prints (without the program's name), into buf. */
char *sl_check_format(char *buf, size_t len, const char *call_text, int err,
                      const char *file, int line);

#endif
