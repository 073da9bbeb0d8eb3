/* sockdash.c — the kernel's TCP sockets, as a class watches them.
 *
 *   sockdash --once [--json] [filters]    one snapshot, comparable with ss -tan
 *
 * Filters: --port A[-B] (local or peer), --state LIST, --source netlink|proc. */
#include "dash_options.h"
#include "once.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    struct dash_options o;
    dash_parse_options(argc, argv, &o);
    if (o.once)
        return dash_once(&o);
    fprintf(stderr, "sockdash: this build has no live view yet; use --once "
                    "(e.g. sockdash --once --port 8080).\n");
    return 2;
}
