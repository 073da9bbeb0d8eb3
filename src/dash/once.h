/* once.h — sockdash --once: one snapshot, printed, then exit. */
#ifndef SOCKDASH_ONCE_H
#define SOCKDASH_ONCE_H

#include "dash_options.h"

/* Print one snapshot (ss-like table, or JSON lines); returns the exit status. */
int dash_once(const struct dash_options *o);

#endif
