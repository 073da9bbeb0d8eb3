/* dash_options.h — sockdash's command line. */
#ifndef SOCKDASH_OPTIONS_H
#define SOCKDASH_OPTIONS_H

#include "socklab/diag.h"

struct dash_options {
    struct sl_filter filter;        /* --port, --state */
    enum sl_diag_source source;     /* --source netlink|proc|auto */
    bool once;                      /* --once: one snapshot, then exit */
    bool json;                      /* --json: with --once, one object per socket */
    bool no_process;                /* --no-process: skip the owner lookup */
    int interval_ms;                /* --interval MS */
};

/* Parse argv; answers --help and --version (exit 0), bad input (one line, exit 2). */
void dash_parse_options(int argc, char **argv, struct dash_options *o);

#endif
