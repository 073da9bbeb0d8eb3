/* lab_json.c — the JSON lines presenter: one object per event, for tests and
 * tools. Every object has an "event" field:
 *
 *   start   number, name, title, goal, version, steps (how many; absent when unknown)
 *   step    step, title, file, line
 *   source  step, file, lines: [{"n": line number, "text": ...}]
 *   say     step, text
 *   result  step, and either call, return, errno, error, ms (a lab_call)
 *           or text (a fact the lab measured)
 *   result  ... a lab_call also carries line: where the call stands
 *   expect  step, claim, outcome ("held", "failed", "skipped", "inconclusive"),
 *           ok (outcome is "held"), why (skipped or inconclusive: the reason;
 *           failed: what the kernel said instead, where the claim knows), file, line
 *   pause   step, look, hints: [the ss and netstat commands]
 *   observe step, source, sockets: [the lab's sockets as sockdash --once --json]
 *   network before step 1 with --private: private (true), namespace ("net", or
 *           "user+net" for a user's), text
 *   segment step, from, to ("client", "server", or ip:port when the SYN was not
 *           seen), src, dst (ip:port), flags (as tcpdump writes them: "S."),
 *           seq, ack (relative to each end's ISN), relative (false when the
 *           ISN was not seen: numbered from the first segment seen), win
 *           (scaled), len (payload bytes), options (["mss 65495", "sackOK",
 *           "TS val 1 ecr 0", "wscale 7"]), t_ms (since the lab began), and
 *           call, line: the lab_call it was captured during (absent: it came
 *           later and is shown when read)
 *   replayed step, title, held, failed, skipped, inconclusive: a step --from
 *           ran without pausing (its other events are not written)
 *   end     expectations, held, failed, skipped, inconclusive, quit, status
 *
 * It never waits at a pause: JSON is read by programs. */
#include "lab_internal.h"

#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/json.h"
#include "socklab/socket_format.h"

#include <string.h>

static void open_event(struct sl_lab *lab, struct sl_json *j, const char *event)
{
    sl_json_begin(j, lab->stream);
    sl_json_string(j, "event", event);
    if (lab->step > 0)
        sl_json_int(j, "step", lab->step);
}

static void json_start(struct sl_lab *lab)
{
    struct sl_json j;
    open_event(lab, &j, "start");
    sl_json_int(&j, "number", lab->info->number);
    sl_json_string(&j, "name", lab->info->name);
    sl_json_string(&j, "title", lab->info->title);
    sl_json_string(&j, "goal", lab->info->goal);
    sl_json_string(&j, "version", SL_VERSION);
    if (lab->step_count)
        sl_json_int(&j, "steps", lab->step_count);
    sl_json_end(&j);
}

static void json_step(struct sl_lab *lab, const char *title)
{
    struct sl_json j;
    open_event(lab, &j, "step");
    sl_json_string(&j, "title", title);
    sl_json_string(&j, "file", lab->step_file);
    sl_json_int(&j, "line", lab->step_line);
    sl_json_end(&j);
}

static void json_source(struct sl_lab *lab, const struct sl_excerpt *ex)
{
    struct sl_json j;
    open_event(lab, &j, "source");
    sl_json_string(&j, "file", ex->file);
    sl_json_open_array(&j, "lines");
    for (int i = 0; i < ex->count; i++) {
        sl_json_open_object(&j, NULL);
        sl_json_int(&j, "n", ex->numbers[i]);
        sl_json_string(&j, "text", ex->lines[i]);
        sl_json_close_object(&j);
    }
    sl_json_close_array(&j);
    sl_json_end(&j);
}

static void json_say(struct sl_lab *lab, const char *text)
{
    struct sl_json j;
    open_event(lab, &j, "say");
    sl_json_string(&j, "text", text);
    sl_json_end(&j);
}

static void json_call(struct sl_lab *lab, const struct sl_call_report *r)
{
    struct sl_json j;
    char number[16];
    open_event(lab, &j, "result");
    sl_json_string(&j, "call", r->text);
    sl_json_int(&j, "line", r->line);
    sl_json_int(&j, "return", r->result);
    sl_json_string(&j, "errno", r->result == -1 ? sl_errno_name(r->err, number) : NULL);
    sl_json_string(&j, "error", r->result == -1 ? strerror(r->err) : NULL);
    sl_json_double(&j, "ms", r->ms);
    sl_json_end(&j);
}

static void json_show(struct sl_lab *lab, const char *text)
{
    struct sl_json j;
    open_event(lab, &j, "result");
    sl_json_string(&j, "text", text);
    sl_json_end(&j);
}

static void json_expect(struct sl_lab *lab, const struct sl_expectation *e)
{
    struct sl_json j;
    open_event(lab, &j, "expect");
    sl_json_string(&j, "claim", e->claim);
    sl_json_string(&j, "outcome", sl_outcome_name(e->outcome));
    sl_json_bool(&j, "ok", e->outcome == SL_OUTCOME_HELD);
    sl_json_string(&j, "why", e->why);
    sl_json_string(&j, "file", e->file);
    sl_json_int(&j, "line", e->line);
    sl_json_end(&j);
}

/* Programs read JSON: they never wait at the end of a step or for a countdown. */
static enum sl_lab_choice json_step_done(struct sl_lab *lab)
{
    (void)lab;
    return SL_CHOICE_GO_ON;
}

/* A step --from ran without pausing: its number, title and outcomes. */
static void json_replayed(struct sl_lab *lab, const int before[4])
{
    struct sl_json j;
    open_event(lab, &j, "replayed");
    sl_json_string(&j, "title", lab->step_title);
    for (int i = SL_OUTCOME_HELD; i <= SL_OUTCOME_INCONCLUSIVE; i++)
        sl_json_int(&j, sl_outcome_name(i), lab->outcomes[i] - before[i]);
    sl_json_end(&j);
}

static bool json_waiting(struct sl_lab *lab, const char *what, int ms_left)
{
    (void)lab;
    (void)what;
    (void)ms_left;
    return true;
}

static enum sl_lab_choice json_pause(struct sl_lab *lab, const char *look,
                                     const char *const *hints, int count)
{
    struct sl_json j;
    open_event(lab, &j, "pause");
    sl_json_string(&j, "look", look);
    sl_json_open_array(&j, "hints");
    for (int i = 0; i < count; i++)
        sl_json_string(&j, NULL, hints[i]);
    sl_json_close_array(&j);
    sl_json_end(&j);
    sl_sleep_ms(lab->opt.delay_ms);
    return SL_CHOICE_GO_ON;
}

static void json_observe(struct sl_lab *lab, const struct sl_snapshot *snap)
{
    struct sl_json j;
    open_event(lab, &j, "observe");
    sl_json_string(&j, "source", sl_source_name(snap->source));
    sl_json_open_array(&j, "sockets");
    for (size_t i = 0; i < snap->count; i++) {
        sl_json_open_object(&j, NULL);
        sl_json_socket_fields(&j, &snap->sockets[i], NULL);
        sl_json_close_object(&j);
    }
    sl_json_close_array(&j);
    sl_json_end(&j);
}

static void json_network(struct sl_lab *lab, const char *text)
{
    struct sl_json j;
    open_event(lab, &j, "network");
    sl_json_bool(&j, "private", lab->private_net);
    sl_json_string(&j, "namespace", lab->user_namespace ? "user+net" : "net");
    sl_json_string(&j, "text", text);
    sl_json_end(&j);
}

static void json_segment(struct sl_lab *lab, const struct sl_segment_event *e)
{
    const struct sl_segment *s = e->segment;
    struct sl_json j;
    open_event(lab, &j, "segment");
    sl_json_string(&j, "from", e->from);
    sl_json_string(&j, "to", e->to);
    sl_json_string(&j, "src", e->src);
    sl_json_string(&j, "dst", e->dst);
    sl_json_string(&j, "flags", e->flags);
    sl_json_uint(&j, "seq", s->rel_seq);
    sl_json_uint(&j, "ack", s->rel_ack);
    if (!s->relative)
        sl_json_bool(&j, "relative", false);
    sl_json_uint(&j, "win", s->window);
    sl_json_uint(&j, "len", s->payload);
    char options[8][48];
    int n = sl_segment_options(s, options, 8);
    sl_json_open_array(&j, "options");
    for (int i = 0; i < n; i++)
        sl_json_string(&j, NULL, options[i]);
    sl_json_close_array(&j);
    sl_json_double(&j, "t_ms", e->t_ms);
    if (e->call) {
        sl_json_string(&j, "call", e->call);
        sl_json_int(&j, "line", e->call_line);
    }
    sl_json_end(&j);
}

static void json_end(struct sl_lab *lab, bool quit)
{
    struct sl_json j;
    open_event(lab, &j, "end");
    sl_json_int(&j, "expectations", lab->expectations);
    sl_json_int(&j, "held", lab->outcomes[SL_OUTCOME_HELD]);
    sl_json_int(&j, "failed", lab->outcomes[SL_OUTCOME_FAILED]);
    sl_json_int(&j, "skipped", lab->outcomes[SL_OUTCOME_SKIPPED]);
    sl_json_int(&j, "inconclusive", lab->outcomes[SL_OUTCOME_INCONCLUSIVE]);
    sl_json_bool(&j, "quit", quit);
    sl_json_int(&j, "status", sl_lab_status(lab));
    sl_json_end(&j);
}

const struct sl_presenter sl_json_presenter = {
    .start = json_start, .step = json_step, .source = json_source, .say = json_say,
    .call = json_call, .show = json_show, .expect = json_expect, .pause = json_pause,
    .step_done = json_step_done, .replayed = json_replayed, .waiting = json_waiting, .observe = json_observe,
    .end = json_end, .segment = json_segment, .network = json_network,
};
