/* sockdash.c — the kernel's TCP sockets, as a class watches them.
 *
 *   sockdash [filters]                    the live screen (see docs/dashboard.md)
 *   sockdash --once [--json] [filters]    one snapshot, comparable with ss -tan
 *   sockdash --replay FILE [--step]       a recorded show, the same every time
 *
 * Filters: --port A[-B] (local or peer), --state LIST, --process NAME|PID,
 * --source netlink|proc. */
#include "dash_options.h"
#include "live.h"
#include "once.h"

#include "socklab/i18n.h"

int main(int argc, char **argv)
{
    struct dash_options o;
    sl_i18n_init();                       /* the user's language, before --help */
    dash_parse_options(argc, argv, &o);
    return o.once ? dash_once(&o) : dash_live(&o);
}
