/* dash_options.c — sockdash's options; bad input gets one line and status 2. */
#include "dash_options.h"

#include "socklab/check.h"
#include "socklab/docs.h"
#include "socklab/i18n.h"
#include "socklab/place.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_ONCE = 256, OPT_JSON, OPT_PORT, OPT_STATE, OPT_SOURCE, OPT_NO_PROCESS,
       OPT_INTERVAL, OPT_PROCESS, OPT_TRACE, OPT_RECORD, OPT_REPLAY, OPT_STEP, OPT_HELP,
       OPT_VERSION, OPT_DISCOVER, OPT_EXPLAIN, OPT_CLOSED };

#define bad(...) sl_usage_error("sockdash", __VA_ARGS__)

/* Keep the filter's words, so the / prompt starts from what the command line said. */
static void remember(struct dash_options *o, const char *word)
{
    size_t used = strlen(o->filter_text);
    if (used + strlen(word) + 2 < sizeof o->filter_text)
        snprintf(o->filter_text + used, sizeof o->filter_text - used, "%s%s",
                 used ? " " : "", word);
}

/* A whole number from low to high, or bad input: "WHAT (got 'TEXT')." */
static long number(const char *text, long low, long high, const char *what)
{
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (errno || *end || end == text || n < low || n > high)
        bad("%s (got '%s').", what, text);
    return n;
}

/* Where the dashboard's notes are, in the person's language when they are
 * translated (docs.h): installed beside the program (PREFIX/share/socklab/
 * docs/), or in the tree it was built in (docs/, and BUILD/docs/ for the
 * translations); the path into buf, or false. */
static bool find_notes(char *buf, size_t len)
{
    static const char *const folders[] = {
        "%s/../share/socklab/docs", "%s/../../docs", "%s/../docs",
    };
    char self[PATH_MAX];
    if (!sl_place_self(self, sizeof self) ||
        !sl_docs_find(self, folders, sizeof folders / sizeof folders[0], "dashboard.md", buf, len))
        return false;
    char *real = realpath(buf, NULL);
    if (!real)
        return false;
    snprintf(buf, len, "%s", real);
    free(real);
    return true;
}

static void usage(void)
{
    printf(_("sockdash — the kernel's TCP sockets, live: the RFC 9293 state machine with a\n"
           "count on each state, the sockets, and the transitions as they happen.\n\n"
           "Usage: sockdash [options]\n\n"
           "  --once             print one snapshot and exit (no terminal needed)\n"
           "  --json             with --once: one JSON object per socket (tcp_info too)\n"
           "  --explain WHAT     with --once: explain the sockets WHAT names ('sport = :P',\n"
           "                     'dport = :P', or a socket cookie) in words\n"
           "  --closed SECONDS   with --once: wait that long, then list the connections\n"
           "                     that ended meanwhile (how, bytes, retransmissions, RTT)\n"
           "  --port A[-B][,..]  only sockets whose local or peer port is in these ranges\n"
           "  --state LIST       only these states: ss or netstat names (listen,time-wait)\n"
           "                     or groups (connected, synchronized, listening, opening,\n"
           "                     established, closing, bucket, big, all)\n"
           "  --source SOURCE    netlink (sock_diag, as ss), proc (/proc/net/tcp, as\n"
           "                     netstat) or auto (netlink, else proc; the default)\n"
           "  --process NAME|PID only sockets of processes whose command contains NAME\n"
           "                     (or of process PID)\n"
           "  --no-process       do not look up the owning process (faster)\n"
           "  --interval MS      refresh interval of the live view (default 500)\n"
           "  --discover MS      how often the live view dumps to find new sockets\n"
           "                     (default 5000; with --trace only when one appears)\n"
           "  --trace            also read exact transitions from the kernel's tracepoint\n"
           "                     sock:inet_sock_set_state (root)\n"
           "  --record FILE      save every frame to FILE (JSON lines)\n"
           "  --replay FILE      show a recording instead of this machine's sockets\n"
           "  --step             with --replay: wait for space before each frame\n"
           "  --help, --version\n\n"
           "Keys: arrows PgUp PgDn move, Left Right a cell, Enter explain it, i tcp_info\n"
           "columns, c closed connections, / filter, s sort, S reverse, p pause, space one\n"
           "refresh while paused, + - interval, Tab the next view, ? help, q quit.\n\n"
           "What each mode costs the kernel (sockets on the machine: N; on the filter: n):\n"
           "  a refresh of the live view   n exact lookups, in batches of 32 per send():\n"
           "                               hash lookups, whatever N is (more than 1,024\n"
           "                               sockets on the filter: one dump instead)\n"
           "  a discovery (every --discover MS, after a listener's queue grows, a key)\n"
           "                               one dump: a walk of all N sockets, as ss does\n"
           "  ends (any user)              one event per TCP socket freed on the\n"
           "                               filter's ports, filtered in the kernel\n"
           "  --trace (root)               one event per state change on the filter's\n"
           "                               ports; discoveries only when a socket appears\n"
           "  --once, --source proc        one dump (or /proc/net/tcp) each time\n"
           "  owners (not --no-process)    a scan of /proc/PID/fd when a new inode shows\n"));
    char notes[PATH_MAX + 64];
    if (find_notes(notes, sizeof notes))
        printf(_("More: man sockdash, and %s\n"), notes);
    else
        printf("%s", _("More: man sockdash\n"));
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
        { "process", required_argument, NULL, OPT_PROCESS },
        { "trace", no_argument, NULL, OPT_TRACE },
        { "record", required_argument, NULL, OPT_RECORD },
        { "replay", required_argument, NULL, OPT_REPLAY },
        { "step", no_argument, NULL, OPT_STEP },
        { "discover", required_argument, NULL, OPT_DISCOVER },
        { "explain", required_argument, NULL, OPT_EXPLAIN },
        { "closed", required_argument, NULL, OPT_CLOSED },
        { "help", no_argument, NULL, OPT_HELP },
        { "version", no_argument, NULL, OPT_VERSION },
        { 0 },
    };
    memset(o, 0, sizeof *o);
    sl_filter_init(&o->filter);
    o->source = SL_SOURCE_AUTO;
    o->interval_ms = 500;
    o->discover_ms = SL_TRACKER_DISCOVER_MS;
    o->closed_s = -1;

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
            remember(o, optarg);
            break;
        case OPT_STATE:
            if (!sl_filter_set_states(&o->filter, optarg, why, sizeof why))
                bad("--state %s: %s (see --help for the names).", optarg, why);
            remember(o, optarg);
            break;
        case OPT_SOURCE:
            if (!sl_source_parse(optarg, &o->source))
                bad("--source '%s': choose netlink, proc or auto.", optarg);
            break;
        case OPT_INTERVAL:
            o->interval_ms = (int)number(optarg, 50, 60000, _("--interval needs milliseconds "
                                           "from 50 to 60000"));
            break;
        case OPT_DISCOVER:
            o->discover_ms = (int)number(optarg, 100, 3600000, _("--discover needs milliseconds "
                                           "from 100 to 3600000"));
            break;
        case OPT_CLOSED:
            o->closed_s = (int)number(optarg, 0, 3600, _("--closed needs seconds from 0 to 3600"));
            break;
        case OPT_EXPLAIN:
            if (!dash_parse_explain(optarg, NULL))
                bad("--explain '%s': name the socket as 'sport = :PORT', 'dport = :PORT' or "
                    "by its cookie (a number; sockdash --once --json shows it).", optarg);
            o->explain = optarg;
            break;
        case OPT_PROCESS:
            if (!dash_parse_process(optarg, o))
                bad("--process '%s': give a command name (up to 15 characters) or a pid.",
                    optarg);
            if (o->pid) {
                char word[32];
                snprintf(word, sizeof word, "pid=%d", o->pid);
                remember(o, word);
            } else {
                remember(o, optarg);
            }
            break;
        case OPT_TRACE: o->trace = true; break;
        case OPT_RECORD: o->record = optarg; break;
        case OPT_REPLAY: o->replay = optarg; break;
        case OPT_STEP: o->step = true; break;
        case OPT_HELP: usage(); exit(0);
        case OPT_VERSION: printf("sockdash (socklab) %s\n", SL_VERSION); exit(0);
        case ':': bad("%s needs a value; see --help.", argv[optind - 1]);
        default: {                  /* a short option's letter (even in -xyz) is in optopt */
            char letter[3] = { '-', (char)optopt, '\0' };
            bad("unknown option '%s'; see --help.", optopt ? letter : argv[optind - 1]);
        }
        }
    }
    if (optind < argc)
        bad("unexpected argument '%s'; filters are options (--port, --state).", argv[optind]);
    if ((o->explain || o->closed_s >= 0) && !o->once)
        bad("--explain and --closed go with --once (in the live view: Enter explains, c "
            "shows the closed connections).");
    if (o->explain && o->closed_s >= 0)
        bad("--explain and --closed are two questions: ask one at a time.");
    if (o->json && !o->once)
        bad("--json goes with --once (the live view is a screen, not a stream).");
    if (o->replay && (o->once || o->record || o->trace))
        bad("--replay shows a recording; it does not go with --once, --record or --trace.");
    if (o->step && !o->replay)
        bad("--step goes with --replay (to pause the live view, press p).");
    if (o->once && (o->trace || o->record))
        bad("--once prints one snapshot; --trace and --record go with the live view.");
    if (o->trace && geteuid() != 0)     /* before the screen: bad input, not a fallback */
        bad("--trace needs root (it reads the kernel's tracepoint through tracefs): run "
            "sockdash as root, or leave --trace out.");
}

bool dash_parse_explain(const char *text, struct dash_explain_key *key)
{
    struct dash_explain_key k = { 0 };
    const char *p = text + strspn(text, " ");
    char side = 0;
    if ((p[0] == 's' || p[0] == 'd') && !strncmp(p + 1, "port", 4)) {
        side = p[0];
        p += 5;
        p += strspn(p, " ");
        if (*p == '=' || !strncmp(p, "eq", 2))
            p += *p == '=' ? 1 : 2;
        p += strspn(p, " ");
        if (*p != ':')
            return false;
        p++;
    }
    if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 20)
        return false;
    errno = 0;
    unsigned long long n = strtoull(p, NULL, 10);
    if (errno || n == 0 || (side && n > 65535))
        return false;
    k.side = side;
    k.value = n;
    if (key)
        *key = k;
    return true;
}

bool dash_parse_process(const char *text, struct dash_options *o)
{
    size_t len = strlen(text);
    if (len == 0 || len > 15)
        return false;
    if (strspn(text, "0123456789") == len) {
        long pid = strtol(text, NULL, 10);
        if (pid <= 0 || pid > 4194304)
            return false;
        o->pid = (int)pid;
        o->process[0] = '\0';
    } else {
        snprintf(o->process, sizeof o->process, "%s", text);
        o->pid = 0;
    }
    return true;
}

bool dash_parse_filter(const char *text, struct dash_options *o, char *why, size_t why_len)
{
    struct dash_options next = *o;
    sl_filter_init(&next.filter);
    next.process[0] = '\0';
    next.pid = 0;
    char copy[256], reason[160];
    snprintf(copy, sizeof copy, "%s", text);
    char *save = NULL;
    for (char *word = strtok_r(copy, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
        sl_state_mask states;
        bool numeric = strspn(word, "0123456789,-") == strlen(word);
        if (!strncmp(word, "pid=", 4)) {
            if (strspn(word + 4, "0123456789") != strlen(word + 4) ||
                !dash_parse_process(word + 4, &next)) {
                snprintf(why, why_len, _("filter '%s': a pid is a number"), word);
                return false;
            }
        } else if (sl_state_parse_list(word, &states, reason, sizeof reason)) {
            next.filter.states = states;
        } else if (!numeric && strchr(word, ',')) {  /* a list of states with a typo in it */
            snprintf(why, why_len, _("filter '%s': %s"), word, reason);
            return false;
        } else if (numeric && sl_filter_add_ports(&next.filter, word, reason, sizeof reason)) {
            continue;
        } else if (numeric) {
            snprintf(why, why_len, _("filter '%s': %s"), word, reason);
            return false;
        } else if (!dash_parse_process(word, &next)) {
            snprintf(why, why_len, _("filter '%s' is not a state, a port or a process name"),
                     word);
            return false;
        }
    }
    *o = next;
    return true;
}
