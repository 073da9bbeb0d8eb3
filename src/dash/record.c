/* record.c — write frames as JSON lines and read them back (see record.h). */
#include "record.h"

#include "socklab/addr.h"
#include "socklab/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void tuple_fields(struct sl_json *j, const struct sl_tuple *t)
{
    char local[SL_ADDR_STRLEN], peer[SL_ADDR_STRLEN];
    sl_json_string(j, "local", sl_tuple_local(t, local, sizeof local));
    sl_json_string(j, "peer", sl_tuple_peer(t, peer, sizeof peer));
}

static void write_changes(FILE *out, const struct sl_changes *list, bool traced)
{
    for (size_t i = 0; list && i < list->count; i++) {
        const struct sl_change *c = &list->items[i];
        struct sl_json j;
        sl_json_begin(&j, out);
        sl_json_string(&j, "type", "change");
        sl_json_bool(&j, "traced", traced);
        sl_json_string(&j, "kind", sl_change_kind_name(c->kind));
        sl_json_int(&j, "from", c->from);
        sl_json_int(&j, "to", c->to);
        tuple_fields(&j, &c->tuple);
        sl_json_end(&j);
    }
}

void dash_record_frame(FILE *out, double at, const struct sl_snapshot *snap,
                       const struct sl_owner *owners, const struct sl_changes *traced,
                       const struct sl_changes *polled)
{
    struct sl_json j;
    sl_json_begin(&j, out);
    sl_json_string(&j, "type", "frame");
    sl_json_double(&j, "at", at);
    sl_json_uint(&j, "sockets", snap->count);
    sl_json_uint(&j, "traced", traced ? traced->count : 0);
    sl_json_uint(&j, "polled", polled ? polled->count : 0);
    sl_json_end(&j);
    for (size_t i = 0; i < snap->count; i++) {
        const struct sl_socket *s = &snap->sockets[i];
        sl_json_begin(&j, out);
        sl_json_string(&j, "type", "socket");
        sl_json_int(&j, "state", s->state);
        sl_json_string(&j, "state_name", sl_state_name(s->state));
        tuple_fields(&j, &s->tuple);
        sl_json_uint(&j, "recv_q", s->recv_q);
        sl_json_uint(&j, "send_q", s->send_q);
        sl_json_uint(&j, "timer", s->timer);
        sl_json_uint(&j, "timer_ms", s->timer_ms);
        sl_json_uint(&j, "retransmits", s->retransmits);
        sl_json_uint(&j, "inode", s->inode);
        if (owners && owners[i].pid) {
            sl_json_int(&j, "pid", owners[i].pid);
            sl_json_string(&j, "command", owners[i].command);
        }
        sl_json_end(&j);
    }
    write_changes(out, traced, true);
    write_changes(out, polled, false);
    fflush(out);
}

/* --- reading ---------------------------------------------------------------- */

struct reader {
    FILE *in;
    char line[4096];
    size_t number;
    char *why;
    size_t why_len;
};

static bool fail(struct reader *r, const char *what)
{
    snprintf(r->why, r->why_len, "line %zu: %s", r->number, what);
    return false;
}

static bool next_line(struct reader *r, const char *type)
{
    if (!fgets(r->line, sizeof r->line, r->in)) {
        snprintf(r->why, r->why_len, "after line %zu: the recording ends in the middle of a frame",
                 r->number);
        return false;
    }
    r->number++;
    char found[16];
    if (!sl_json_flat_get(r->line, "type", found, sizeof found) || strcmp(found, type)) {
        char what[64];
        snprintf(what, sizeof what, "expected a \"%s\" object", type);
        return fail(r, what);
    }
    return true;
}

static bool number(struct reader *r, const char *key, double min, double max, double *out)
{
    char text[32], *end;
    if (!sl_json_flat_get(r->line, key, text, sizeof text))
        return fail(r, "a field is missing");
    errno = 0;
    *out = strtod(text, &end);
    if (errno || *end || *out < min || *out > max)
        return fail(r, "a number is out of range");
    return true;
}

static bool tuple(struct reader *r, struct sl_tuple *t)
{
    char local[SL_ADDR_STRLEN], peer[SL_ADDR_STRLEN];
    struct sockaddr_storage a, b;
    socklen_t len;
    const char *why;
    if (!sl_json_flat_get(r->line, "local", local, sizeof local) ||
        !sl_json_flat_get(r->line, "peer", peer, sizeof peer) ||
        !sl_addr_parse(local, &a, &len, &why) || !sl_addr_parse(peer, &b, &len, &why) ||
        a.ss_family != b.ss_family)
        return fail(r, "an address is not ip:port");
    sl_tuple_from_addrs(&a, &b, t);
    return true;
}

static bool read_socket(struct reader *r, struct sl_socket *s, struct sl_owner *o)
{
    double state, recv_q, send_q, timer, timer_ms, retransmits, inode, pid = 0;
    if (!next_line(r, "socket") || !number(r, "state", 1, SL_TCP_STATE_COUNT - 1, &state) ||
        !number(r, "recv_q", 0, 4294967295.0, &recv_q) ||
        !number(r, "send_q", 0, 4294967295.0, &send_q) ||
        !number(r, "timer", 0, SL_TIMER_PERSIST, &timer) ||
        !number(r, "timer_ms", 0, 4294967295.0, &timer_ms) ||
        !number(r, "retransmits", 0, 255, &retransmits) ||
        !number(r, "inode", 0, 1e18, &inode) || !tuple(r, &s->tuple))
        return false;
    s->state = (uint8_t)state;
    s->recv_q = (uint32_t)recv_q;
    s->send_q = (uint32_t)send_q;
    s->timer = (uint8_t)timer;
    s->timer_ms = (uint32_t)timer_ms;
    s->retransmits = (uint8_t)retransmits;
    s->inode = (uint64_t)inode;
    memset(o, 0, sizeof *o);
    char pid_text[16];
    if (sl_json_flat_get(r->line, "pid", pid_text, sizeof pid_text)) {
        if (!number(r, "pid", 1, 4194304, &pid) ||
            !sl_json_flat_get(r->line, "command", o->command, sizeof o->command))
            return fail(r, "a pid without a command");
        o->pid = (int)pid;
    }
    return true;
}

static bool read_changes(struct reader *r, struct dash_frame *f, size_t count, bool traced)
{
    for (size_t i = 0; i < count; i++) {
        struct sl_change c = { 0 };
        char kind[16];
        double from, to;
        if (!next_line(r, "change") || !number(r, "from", 0, SL_TCP_STATE_COUNT - 1, &from) ||
            !number(r, "to", 0, SL_TCP_STATE_COUNT - 1, &to) || !tuple(r, &c.tuple) ||
            !sl_json_flat_get(r->line, "kind", kind, sizeof kind))
            return fail(r, "a change needs kind, from, to, local, peer and traced");
        c.kind = !strcmp(kind, "appeared") ? SL_APPEARED : !strcmp(kind, "gone") ? SL_GONE
               : SL_CHANGED;
        c.from = (uint8_t)from;
        c.to = (uint8_t)to;
        if (sl_changes_add(traced ? &f->traced : &f->polled, &c) < 0)
            return fail(r, "out of memory");
    }
    return true;
}

static bool read_frame(struct reader *r, struct dash_frame *f)
{
    double sockets, traced, polled;
    if (!number(r, "at", 0, 1e12, &f->at) || !number(r, "sockets", 0, 1e7, &sockets) ||
        !number(r, "traced", 0, 1e7, &traced) || !number(r, "polled", 0, 1e7, &polled))
        return false;
    f->owners = calloc(sockets > 0 ? (size_t)sockets : 1, sizeof *f->owners);
    if (!f->owners)
        return fail(r, "out of memory");
    for (size_t i = 0; i < (size_t)sockets; i++) {
        struct sl_socket *s = sl_snapshot_add(&f->snap);
        if (!s)
            return fail(r, "out of memory");
        if (!read_socket(r, s, &f->owners[i]))
            return false;
    }
    return read_changes(r, f, (size_t)traced, true) && read_changes(r, f, (size_t)polled, false);
}

bool dash_recording_load(const char *path, struct dash_recording *rec, char *why, size_t len)
{
    memset(rec, 0, sizeof *rec);
    struct reader r = { .in = fopen(path, "r"), .why = why, .why_len = len };
    if (!r.in) {
        snprintf(why, len, "cannot open: %s", strerror(errno));
        return false;
    }
    size_t room = 0;
    bool ok = true;
    while (ok && fgets(r.line, sizeof r.line, r.in)) {
        r.number++;
        char type[16];
        if (!sl_json_flat_get(r.line, "type", type, sizeof type) || strcmp(type, "frame")) {
            ok = fail(&r, "expected a \"frame\" object");
            break;
        }
        if (rec->count == room) {
            room = room ? room * 2 : 64;
            struct dash_frame *grown = realloc(rec->frames, room * sizeof *grown);
            if (!grown) {
                ok = fail(&r, "out of memory");
                break;
            }
            rec->frames = grown;
        }
        struct dash_frame *f = &rec->frames[rec->count++];
        memset(f, 0, sizeof *f);
        ok = read_frame(&r, f);
        if (ok && rec->count > 1 && f->at < rec->frames[rec->count - 2].at)
            ok = fail(&r, "frames go back in time");
    }
    fclose(r.in);
    if (ok && rec->count == 0) {
        snprintf(why, len, "the recording has no frames");
        ok = false;
    }
    if (!ok)
        dash_recording_free(rec);
    return ok;
}

void dash_recording_free(struct dash_recording *rec)
{
    for (size_t i = 0; i < rec->count; i++) {
        sl_snapshot_free(&rec->frames[i].snap);
        free(rec->frames[i].owners);
        sl_changes_free(&rec->frames[i].traced);
        sl_changes_free(&rec->frames[i].polled);
    }
    free(rec->frames);
    memset(rec, 0, sizeof *rec);
}
