/* dash_options.c — sockdash's options; bad input gets one line and status 2. */
#include "dash_options.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_ONCE = 256, OPT_JSON, OPT_PORT, OPT_STATE, OPT_SOURCE, OPT_NO_PROCESS,
       OPT_INTERVAL, OPT_HELP, OPT_VERSION };

static _Noreturn void bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void bad(const char *fmt, ...)
{
    va_list ap;
    fputs("sockdash: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static void usage(void)
{
    printf("sockdash — the kernel's TCP sockets, live.\n\n"
           "Usage: sockdash [options]\n\n"
           "  --once             print one snapshot and exit (no terminal needed)\n"
           "  --json             with --once: one JSON object per socket\n"
           "  --port A[-B][,..]  only sockets whose local or peer port is in these ranges\n"
           "  --state LIST       only these states: ss or netstat names (listen,time-wait)\n"
           "                     or groups (connected, synchronized, listening, opening,\n"
           "                     established, closing, bucket, big, all)\n"
           "  --source SOURCE    netlink (sock_diag, as ss), proc (/proc/net/tcp, as\n"
           "                     netstat) or auto (netlink, else proc; the default)\n"
           "  --no-process       do not look up the owning process (faster)\n"
           "  --interval MS      refresh interval of the live view (default 500)\n"
           "  --help, --version\n");
}

void dash_parse_options(int argc, char **argv, struct dash_options *o)
{
    static const struct option options[] = {
        { "once", no_argument, NULL, OPT_ONCE },
        { "json", no_argument, NULL, OPT_JSON },
        { "port", required_argument, NULL, OPT_PORT },
        { "state", required_argument, NULL, OPT_STATE },
        { "source", required_argument, NULL, OPT_SOURCE },
        { "no-process", no_argument, NULL, OPT_NO_PROCESS },
        { "interval", required_argument, NULL, OPT_INTERVAL },
        { "help", no_argument, NULL, OPT_HELP },
        { "version", no_argument, NULL, OPT_VERSION },
        { 0 },
    };
    memset(o, 0, sizeof *o);
    sl_filter_init(&o->filter);
    o->source = SL_SOURCE_AUTO;
    o->interval_ms = 500;

    opterr = 0;
    int c;
    char why[160];
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case OPT_ONCE: o->once = true; break;
        case OPT_JSON: o->json = true; break;
        case OPT_NO_PROCESS: o->no_process = true; break;
        case OPT_PORT:
            if (!sl_filter_add_ports(&o->filter, optarg, why, sizeof why))
                bad("--port %s: %s.", optarg, why);
            break;
        case OPT_STATE:
            if (!sl_filter_set_states(&o->filter, optarg, why, sizeof why))
                bad("--state %s: %s (see --help for the names).", optarg, why);
            break;
        case OPT_SOURCE:
            if (!sl_source_parse(optarg, &o->source))
                bad("--source '%s': choose netlink, proc or auto.", optarg);
            break;
        case OPT_INTERVAL: {
            char *end;
            errno = 0;
            long ms = strtol(optarg, &end, 10);
            if (errno || *end || end == optarg || ms < 50 || ms > 60000)
                bad("--interval needs milliseconds from 50 to 60000 (got '%s').", optarg);
            o->interval_ms = (int)ms;
            break;
        }
        case OPT_HELP: usage(); exit(0);
        case OPT_VERSION: printf("sockdash (socklab) %s\n", SL_VERSION); exit(0);
        case ':': bad("%s needs a value; see --help.", argv[optind - 1]);
        default: bad("unknown option '%s'; see --help.", argv[optind - 1]);
        }
    }
    if (optind < argc)
        bad("unexpected argument '%s'; filters are options (--port, --state).", argv[optind]);
    if (o->json && !o->once)
        bad("--json goes with --once (the live view is a screen, not a stream).");
}
