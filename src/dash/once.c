/* once.c — one snapshot as text (the columns of ss -tan, plus Timer and
 * Process) or as JSON lines (one object per socket). It is the live view's
 * first frame, printed: the same collector applies the same filters. */
#include "once.h"

#include "collect.h"

#include "socklab/socket_format.h"

#include <stdio.h>
#include <string.h>

int dash_once(const struct dash_options *o)
{
    static char out_buffer[1 << 16];                 /* fewer write()s for long lists */
    setvbuf(stdout, out_buffer, _IOFBF, sizeof out_buffer);
    struct dash_collector c;
    dash_collector_init(&c, o);
    c.want_tcp_info = o->json;                       /* JSON shows rtt, cwnd, ... */
    int rc = dash_collect(&c);
    if (rc < 0) {
        fprintf(stderr, "sockdash: cannot read the socket table through %s: %s.\n",
                sl_source_name(o->source == SL_SOURCE_AUTO ? SL_SOURCE_PROC : o->source),
                strerror(-rc));
        dash_collector_free(&c);
        return 2;
    }
    const struct sl_snapshot *snap = &c.current;
    const struct sl_owners *owners = o->no_process ? NULL : c.owners;
    if (o->json) {
        for (size_t i = 0; i < snap->count; i++) {
            struct sl_json j;
            sl_json_begin(&j, stdout);
            sl_json_socket_fields(&j, &snap->sockets[i],
                                  owners ? sl_owners_find(owners, &snap->sockets[i]) : NULL);
            sl_json_string(&j, "source", sl_source_name(snap->source));
            sl_json_end(&j);
        }
    } else {
        sl_print_socket_table(stdout, snap, owners, "");
    }
    dash_collector_free(&c);
    return 0;
}
