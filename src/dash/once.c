/* once.c — sockdash --once: one snapshot as text (the columns of ss -tan,
 * plus Timer and Process) or as JSON lines (one object per socket); with
 * --explain, the sockets it names explained in words; with --closed, the
 * connections that ended while it waited. It is the live view's first frame,
 * printed: the same collector applies the same filters. */
#include "once.h"

#include "collect.h"

#include "socklab/addr.h"
#include "socklab/clock.h"
#include "socklab/explain.h"
#include "socklab/i18n.h"
#include "socklab/socket_format.h"
#include "socklab/text.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

#define TEXT_COLUMNS 78

/* text wrapped at TEXT_COLUMNS, each line after `indent`. */
static void print_wrapped(const char *indent, const char *text)
{
    int width = TEXT_COLUMNS - sl_text_columns(indent);
    for (const char *p = text, *next; *p; p = next) {
        size_t n = sl_text_wrap(p, width, &next);
        printf("%s%.*s\n", indent, (int)n, p);
    }
}

static bool named(const struct dash_explain_key *k, const struct sl_socket *s)
{
    if (k->side == 's')
        return s->tuple.local_port == k->value;
    if (k->side == 'd')
        return s->tuple.peer_port == k->value;
    return s->cookie == k->value;
}

static int explain(const struct dash_options *o, struct dash_collector *c)
{
    struct dash_explain_key key;
    dash_parse_explain(o->explain, &key);
    const struct sl_snapshot *snap = &c->current;
    int shown = 0;
    for (size_t i = 0; i < snap->count; i++) {
        const struct sl_socket *s = &snap->sockets[i];
        if (!named(&key, s))
            continue;
        struct sl_explain_context ctx = {
            .owner = c->owners ? sl_owners_find(c->owners, s) : NULL,
            .owners_looked_up = c->owners != NULL,
            .opened_actively = sl_snapshot_opener(snap, &s->tuple),
        };
        struct sl_explanation e;
        sl_explain(s, &ctx, SL_CELL_STATE, &e);
        char local[SL_ADDR_STRLEN], peer[SL_ADDR_STRLEN];
        sl_tuple_local(&s->tuple, local, sizeof local);
        sl_tuple_peer(&s->tuple, peer, sizeof peer);
        if (o->json) {
            struct sl_json j;
            sl_json_begin(&j, stdout);
            sl_json_socket_fields(&j, s, ctx.owner);
            sl_json_open_object(&j, "explanation");
            for (int k = 0; k < e.count; k++)
                sl_json_string(&j, e.heading[k], e.text[k]);
            sl_json_close_object(&j);
            sl_json_end(&j);
        } else {
            if (shown)
                putchar('\n');
            printf(_("%s %s %s (cookie %llu)\n"), sl_state_name(s->state), local, peer,
                   (unsigned long long)s->cookie);
            for (int k = 0; k < e.count; k++) {
                printf("  %s:\n", e.heading[k]);
                print_wrapped("    ", e.text[k]);
            }
        }
        shown++;
    }
    if (!shown) {
        fprintf(stderr, _("sockdash: no socket matches --explain '%s'.\n"), o->explain);
        return 1;
    }
    return 0;
}

/* Wait, following the sockets as the live view does (lookups at its interval,
 * the destroy events as they come), then print what ended, oldest first. */
static int closed(const struct dash_options *o, struct dash_collector *c)
{
    int fd = dash_collector_event_fd(c);
    if (fd < 0) {
        fprintf(stderr, _("sockdash: --closed cannot be answered: %s.\n"), c->note);
        return 2;
    }
    double now = sl_clock_ms(), end = now + o->closed_s * 1000.0;
    double next_refresh = now + o->interval_ms;
    while ((now = sl_clock_ms()) < end) {
        double until = next_refresh < end ? next_refresh : end;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, (int)(until - now) + 1) > 0)
            dash_collector_read_events(c);
        if (sl_clock_ms() >= next_refresh) {       /* the states they were last seen in */
            dash_collect(c);
            next_refresh += o->interval_ms;
        }
    }
    dash_collector_read_events(c);
    const struct sl_closed_list *list = sl_tracker_closed(c->tracker);
    if (!o->json)
        printf(sl_plural(list->count, "%zu connection ended in %d s\n",
                         "%zu connections ended in %d s\n"), list->count, o->closed_s);
    for (size_t i = list->count; i-- > 0;) {
        const struct sl_closed *e = sl_closed_get(list, i);
        if (o->json) {
            struct sl_json j;
            sl_json_begin(&j, stdout);
            sl_json_closed_fields(&j, e);
            sl_json_end(&j);
        } else {
            char line[480];
            printf("%s\n", sl_closed_format(e, line, sizeof line));
        }
    }
    return 0;
}

int dash_once(const struct dash_options *o)
{
    static char out_buffer[1 << 16];                 /* fewer write()s for long lists */
    setvbuf(stdout, out_buffer, _IOFBF, sizeof out_buffer);
    struct dash_collector c;
    dash_collector_init(&c, o);
    c.want_tcp_info = o->json || o->explain;         /* JSON and explanations show rtt, cwnd */
    c.want_events = o->closed_s >= 0;
    int rc = dash_collect(&c);
    if (rc < 0) {
        fprintf(stderr, _("sockdash: cannot read the socket table through %s: %s.\n"),
                sl_source_name(o->source == SL_SOURCE_AUTO ? SL_SOURCE_PROC : o->source),
                strerror(-rc));
        dash_collector_free(&c);
        return 2;
    }
    int status = 0;
    const struct sl_snapshot *snap = &c.current;
    const struct sl_owners *owners = o->no_process ? NULL : c.owners;
    if (o->explain) {
        status = explain(o, &c);
    } else if (o->closed_s >= 0) {
        status = closed(o, &c);
    } else if (o->json) {
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
    return status;
}
