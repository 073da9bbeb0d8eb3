/* dash_options.h — sockdash's command line. */
#ifndef SOCKDASH_OPTIONS_H
#define SOCKDASH_OPTIONS_H

#include "socklab/diag.h"
#include "socklab/diag_tracker.h"

struct dash_options {
    struct sl_filter filter;        /* --port, --state */
    enum sl_diag_source source;     /* --source netlink|proc|auto */
    bool once;                      /* --once: one snapshot, then exit */
    bool json;                      /* --json: with --once, one object per socket */
    bool no_process;                /* --no-process: skip the owner lookup */
    int interval_ms;                /* --interval MS */
    int discover_ms;                /* --discover MS: a dump to find new sockets */
    const char *explain;            /* --explain WHAT: 'sport = :P', 'dport = :P' or a cookie */
    int closed_s;                   /* --closed SECONDS: wait, then list what ended (-1: no) */
    char process[32];               /* --process NAME: sockets of commands containing it */
    int pid;                        /* --process PID */
    bool trace;                     /* --trace: the tracepoint as well (root) */
    const char *record;             /* --record FILE */
    const char *replay;             /* --replay FILE */
    bool step;                      /* --step: a replay waits for space at each frame */
    char filter_text[128];          /* the filters in the words of the / prompt */
};

/* Parse argv; answers --help and --version (exit 0), bad input (one line, exit 2). */
void dash_parse_options(int argc, char **argv, struct dash_options *o);

/* What --explain names: a local ('s') or peer ('d') port, or (side 0) a cookie. */
struct dash_explain_key {
    char side;
    unsigned long long value;
};

/* Parse --explain's 'sport = :P', 'dport = :P' (ss's words; "eq" for "=", the
 * spaces optional) or a cookie; false when it is none of these. key may be
 * NULL (only check). */
bool dash_parse_explain(const char *text, struct dash_explain_key *key);

/* A --process value: a pid (all digits) or a command name; false when invalid. */
bool dash_parse_process(const char *text, struct dash_options *o);

/* The dashboard's / filter: words separated by spaces, each a state list
 * (listen,time-wait or a group), a port list (80,8000-8100), a process name
 * or pid=N. Replaces o's filter, states and process; false with a reason
 * in why (o unchanged) when a word is none of these. */
bool dash_parse_filter(const char *text, struct dash_options *o, char *why, size_t why_len);

#endif
