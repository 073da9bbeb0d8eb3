/* record.c — write frames as JSON lines and read them back (see record.h). */
#include "record.h"

#include "socklab/addr.h"
#include "socklab/i18n.h"
#include "socklab/json.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* Every line is parsed whole by jansson, strictly: what is not JSON (a NaN,
 * a trailing comma, a second value on the line, a duplicate key) is refused,
 * and so is a field of the wrong type or out of range. */
struct reader {
    FILE *in;
    char *line;
    size_t room;
    size_t number;
    json_t *object;             /* the line just read */
    char *why;
    size_t why_len;
};

static bool fail(struct reader *r, const char *what)
{
    snprintf(r->why, r->why_len, _("line %zu: %s"), r->number, _(what));
    return false;
}

/* Read the next line into r->object; false at the end of the file (why
 * untouched) or when the line is not a JSON object of this type ("frame",
 * "socket", "change"). */
static bool next_object(struct reader *r, const char *type, bool *end)
{
    json_decref(r->object);
    r->object = NULL;
    *end = false;
    if (getline(&r->line, &r->room, r->in) < 0) {
        *end = true;
        return false;
    }
    r->number++;
    json_error_t error;
    r->object = json_loads(r->line, JSON_REJECT_DUPLICATES, &error);
    if (!r->object) {
        char what[200];
        snprintf(what, sizeof what, _("not JSON (%s)"), error.text);
        return fail(r, what);
    }
    const char *found = json_string_value(json_object_get(r->object, "type"));
    if (!json_is_object(r->object) || !found || strcmp(found, type)) {
        char what[128];
        snprintf(what, sizeof what, _("expected a \"%s\" object"), type);
        return fail(r, what);
    }
    return true;
}

static bool expect_object(struct reader *r, const char *type)
{
    bool end;
    if (next_object(r, type, &end))
        return true;
    if (end)
        snprintf(r->why, r->why_len, _("after line %zu: the recording ends in the middle of a "
                                       "frame"), r->number);
    return false;
}

/* A number field (a whole number unless fraction is allowed) within min..max. */
static bool number(struct reader *r, const char *key, double min, double max, bool fraction,
                   double *out)
{
    json_t *value = json_object_get(r->object, key);
    char what[160];
    if (!value || !(fraction ? json_is_number(value) : json_is_integer(value))) {
        if (fraction)
            snprintf(what, sizeof what, _("\"%s\" is missing or not a number"), key);
        else
            snprintf(what, sizeof what, _("\"%s\" is missing or not a whole number"), key);
        return fail(r, what);
    }
    *out = json_number_value(value);
    if (*out < min || *out > max) {
        snprintf(what, sizeof what, _("\"%s\" is out of range"), key);
        return fail(r, what);
    }
    return true;
}

static const char *string(struct reader *r, const char *key)
{
    return json_string_value(json_object_get(r->object, key));
}

static bool tuple(struct reader *r, struct sl_tuple *t)
{
    const char *local = string(r, "local"), *peer = string(r, "peer"), *why;
    struct sockaddr_storage a, b;
    socklen_t len;
    if (!local || !peer || !sl_addr_parse(local, &a, &len, &why) ||
        !sl_addr_parse(peer, &b, &len, &why) || a.ss_family != b.ss_family)
        return fail(r, "an address is not ip:port");
    sl_tuple_from_addrs(&a, &b, t);
    return true;
}

static bool read_socket(struct reader *r, struct sl_socket *s, struct sl_owner *o)
{
    double state, recv_q, send_q, timer, timer_ms, retransmits, inode, pid;
    if (!expect_object(r, "socket") ||
        !number(r, "state", 1, SL_TCP_STATE_COUNT - 1, false, &state) ||
        !number(r, "recv_q", 0, 4294967295.0, false, &recv_q) ||
        !number(r, "send_q", 0, 4294967295.0, false, &send_q) ||
        !number(r, "timer", 0, SL_TIMER_PERSIST, false, &timer) ||
        !number(r, "timer_ms", 0, 4294967295.0, false, &timer_ms) ||
        !number(r, "retransmits", 0, 255, false, &retransmits) ||
        !number(r, "inode", 0, 1e18, false, &inode) || !tuple(r, &s->tuple))
        return false;
    s->state = (uint8_t)state;
    s->recv_q = (uint32_t)recv_q;
    s->send_q = (uint32_t)send_q;
    s->timer = (uint8_t)timer;
    s->timer_ms = (uint32_t)timer_ms;
    s->retransmits = (uint8_t)retransmits;
    s->inode = (uint64_t)inode;
    memset(o, 0, sizeof *o);
    if (json_object_get(r->object, "pid")) {
        const char *command = string(r, "command");
        if (!number(r, "pid", 1, 4194304, false, &pid) || !command ||
            strlen(command) >= sizeof o->command)
            return fail(r, "a pid without a command");
        o->pid = (int)pid;
        snprintf(o->command, sizeof o->command, "%s", command);
    }
    return true;
}

static bool read_changes(struct reader *r, struct dash_frame *f, size_t count, bool traced)
{
    for (size_t i = 0; i < count; i++) {
        struct sl_change c = { 0 };
        double from, to;
        if (!expect_object(r, "change") ||
            !number(r, "from", 0, SL_TCP_STATE_COUNT - 1, false, &from) ||
            !number(r, "to", 0, SL_TCP_STATE_COUNT - 1, false, &to) || !tuple(r, &c.tuple))
            return false;
        const char *kind = string(r, "kind");
        if (!kind || (strcmp(kind, "appeared") && strcmp(kind, "changed") && strcmp(kind, "gone")))
            return fail(r, "\"kind\" is not appeared, changed or gone");
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
    if (!number(r, "at", 0, 1e12, true, &f->at) || !number(r, "sockets", 0, 1e7, false, &sockets) ||
        !number(r, "traced", 0, 1e7, false, &traced) ||
        !number(r, "polled", 0, 1e7, false, &polled))
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

static bool read_frames(struct reader *r, struct dash_recording *rec)
{
    size_t room = 0;
    bool end;
    while (next_object(r, "frame", &end)) {
        if (rec->count == room) {
            room = room ? room * 2 : 64;
            struct dash_frame *grown = realloc(rec->frames, room * sizeof *grown);
            if (!grown)
                return fail(r, "out of memory");
            rec->frames = grown;
        }
        struct dash_frame *f = &rec->frames[rec->count++];
        memset(f, 0, sizeof *f);
        if (!read_frame(r, f))
            return false;
        if (rec->count > 1 && f->at < rec->frames[rec->count - 2].at)
            return fail(r, "frames go back in time");
    }
    if (!end)
        return false;
    if (ferror(r->in)) {
        snprintf(r->why, r->why_len, _("after line %zu: %s"), r->number, strerror(errno));
        return false;
    }
    if (rec->count == 0) {
        snprintf(r->why, r->why_len, "%s", _("the recording has no frames"));
        return false;
    }
    return true;
}

bool dash_recording_load(const char *path, struct dash_recording *rec, char *why, size_t len)
{
    memset(rec, 0, sizeof *rec);
    struct reader r = { .in = fopen(path, "r"), .why = why, .why_len = len };
    struct stat st;
    if (!r.in) {
        snprintf(why, len, _("cannot open: %s"), strerror(errno));
        return false;
    }
    if (fstat(fileno(r.in), &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(why, len, "%s", _("is a directory, not a recording (a file made by --record)"));
        fclose(r.in);
        return false;
    }
    bool ok = read_frames(&r, rec);
    json_decref(r.object);
    free(r.line);
    fclose(r.in);
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
