/* live.h — the full-screen dashboard (or the replay of a recording). */
#ifndef SOCKDASH_LIVE_H
#define SOCKDASH_LIVE_H

#include "dash_options.h"

/* Run until q or a signal; returns the exit status (2 for bad input). */
int dash_live(const struct dash_options *o);

#endif
