/* once.c — one snapshot as text (the columns of ss -tan, plus Timer and
 * Process) or as JSON lines (one object per socket). */
#include "once.h"

#include "socklab/present.h"

#include <stdio.h>
#include <string.h>

int dash_once(const struct dash_options *o)
{
    static char out_buffer[1 << 16];                 /* fewer write()s for long lists */
    setvbuf(stdout, out_buffer, _IOFBF, sizeof out_buffer);
    struct sl_snapshot snap = { .want_tcp_info = o->json };  /* JSON shows rtt, cwnd, ... */
    int rc = sl_snapshot_take(&snap, &o->filter, o->source);
    if (rc < 0) {
        fprintf(stderr, "sockdash: cannot read the socket table through %s: %s.\n",
                sl_source_name(o->source == SL_SOURCE_AUTO ? SL_SOURCE_PROC : o->source),
                strerror(-rc));
        sl_snapshot_free(&snap);
        return 2;
    }
    struct sl_owners *owners = NULL;
    if (!o->no_process) {
        owners = sl_owners_new();
        if (owners)
            sl_owners_refresh(owners, &snap);
    }
    if (o->json) {
        for (size_t i = 0; i < snap.count; i++) {
            struct sl_json j;
            sl_json_begin(&j, stdout);
            sl_json_socket_fields(&j, &snap.sockets[i],
                                  owners ? sl_owners_find(owners, &snap.sockets[i]) : NULL);
            sl_json_string(&j, "source", sl_source_name(snap.source));
            sl_json_end(&j);
        }
    } else {
        sl_print_socket_table(stdout, &snap, owners, "");
    }
    sl_owners_free(owners);
    sl_snapshot_free(&snap);
    return 0;
}
