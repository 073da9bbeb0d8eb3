/* labs/12-nagle-delayed-ack.c — the 40 ms request: a request written in two
 * small send() calls, Nagle's algorithm on the client and a delayed ACK on
 * the server, and the fixes measured side by side.
 *
 * What it shows
 *   1. header and body in two send()s, a server that answers once it has
 *      both: every request but the first waits for the server's delayed
 *      ACK (at least 40 ms on Linux; tcp_info's ato shows the socket's own)
 *      — one in every net.ipv4.tcp_pingpong_thresh, read and shown;
 *   2. why: right after the second send() the body is still unsent in the
 *      client's kernel (SIOCOUTQNSD) while the header waits to be
 *      acknowledged — Nagle holds a small segment back while an earlier
 *      small one is unacknowledged, and the server delays that ACK;
 *   3. the fixes side by side: one writev(), TCP_NODELAY, TCP_CORK then
 *      uncork, MSG_MORE, TCP_QUICKACK before every recv() on the server —
 *      and TCP_QUICKACK set once, which does not stick;
 *   4. Minshall's variant (Linux): a small write after a full-sized segment
 *      goes at once; a small write after a small one waits;
 *   5. many small writes on a busy socket become few segments, TCP_NODELAY
 *      or not: what cannot leave waits in the kernel and leaves together
 *      (net.ipv4.tcp_autocorking read and shown).
 *
 * Run it
 *   terminal 1:  socklab run 12
 *   terminal 2:  at each pause, the ss command it prints (-i shows ato and
 *                the unacknowledged bytes)
 *
 * What you should see
 *   ~44 ms a request with two send()s, well under 1 ms with each fix but
 *   TCP_QUICKACK set once; on the wire, one segment a request with each fix
 *   that writes it whole, two with the others.
 *
 * Notes: docs/labs/12-nagle-delayed-ack.md  (socklab notes 12) */
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/lab.h"
#include "socklab/net.h"
#include "socklab/text.h"

#include <errno.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 12,
    .name = "nagle-delayed-ack",
    .title = N_("Nagle and delayed ACK: the 40 ms request, and its fixes"),
    .goal = N_("See a request written in two small send()s wait for the server's delayed ACK "
               "on every round trip, find the unsent bytes in the client's kernel, and measure "
               "each fix: one write, TCP_NODELAY, TCP_CORK, MSG_MORE, TCP_QUICKACK."),
    .ports = 1,
    .bind_rules = SL_BIND_IPV6,
};

#define REQUESTS 20
#define PART 64                         /* a header, then a body: two small writes */
#define SMALL_WRITES 2000
/* The shortest a delayed ACK waits: TCP_DELACK_MIN, HZ/25 = 40 ms, built into
 * the kernel. A socket's own ACK timeout (tcp_info's ato) grows when a
 * delayed ACK fires on a connection that is not interactive, goes back to
 * 40 ms when one fires on an interactive (pingpong) one, and shrinks as data
 * comes, but on a connection whose round trip is shorter than 40 ms the
 * kernel waits no less and about no more than this: min(ato, max(round trip,
 * 40 ms)), tcp_send_delayed_ack(). Times are judged against it. Since Linux
 * 6.7 the wait is also kept below the minimum retransmission timeout, which
 * net.ipv4.tcp_rto_min_us sets since 6.11 (no_delay_why). */
#define DELACK_MIN_MS 40.0
/* TCP_CORK (and MSG_MORE) hold a partial segment at most this long (tcp(7)):
 * a request that took longer may have left in pieces. */
#define CORK_CEILING_MS 200.0

/* One connection, both ends held by the lab: the client writes requests,
 * the server reads each one whole and answers "OK". One process does both,
 * in turn: the delayed ACK and Nagle's wait are the kernel's timers, and a
 * recv() on the server blocks until they let the data through. */
struct talk {
    int client, server;
    struct sl_tuple from_client, from_server;   /* each end's segments, on the wire */
    char header[PART], body[PART];
};

static void start_talk(struct sl_lab *lab, struct talk *t)
{
    int pair[2];
    sl_tcp_pair(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), pair);
    t->client = pair[0];
    t->server = pair[1];
    sl_bound_blocking(t->client, 2000);             /* every read below ends */
    sl_bound_blocking(t->server, 2000);
    sl_tuple_of_fd(t->client, &t->from_client);
    sl_tuple_of_fd(t->server, &t->from_server);
    sl_lab_track_port(lab, sl_local_port(t->server));
    memset(t->header, 'h', PART);
    memset(t->body, 'b', PART);
}

static void stop_talk(struct talk *t)
{
    sl_close_client_first(t->client, t->server);
}

/* Read exactly len bytes from fd, as the server (or the client) waits for them. */
static void read_whole(struct sl_lab *lab, int fd, size_t len)
{
    char buf[4096];
    for (size_t got = 0; got < len;) {
        size_t want = len - got < sizeof buf ? len - got : sizeof buf;
        ssize_t n = recv(fd, buf, want, 0);
        if (n <= 0)
            sl_lab_setup_error(lab, "a read on the lab's connection waited over 2 s");
        got += (size_t)n;
    }
}

/* The server's side of one request, then the client reading its answer. */
static void serve_one(struct sl_lab *lab, const struct talk *t)
{
    read_whole(lab, t->server, 2 * PART);           /* header and body */
    CHECK(send(t->server, "OK", 2, 0));
    read_whole(lab, t->client, 2);
}

/* The delayed-ACK timeout the server's socket uses now (tcp_info's ato), in ms. */
static double ato_of(int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    memset(&ti, 0, sizeof ti);
    CHECK(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
    return ti.tcpi_ato / 1000.0;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of the request times ms[from..REQUESTS-1] (sorts a copy). */
static double median_of(const double *times, int from)
{
    double ms[REQUESTS];
    int n = REQUESTS - from;
    memcpy(ms, times + from, (size_t)n * sizeof *ms);
    qsort(ms, (size_t)n, sizeof *ms, by_value);
    return n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
}

/* How many of the requests ms[1..REQUESTS-1] waited for a delayed ACK. */
static int waited_of(const double *ms)
{
    int n = 0;
    for (int i = 1; i < REQUESTS; i++)
        n += ms[i] >= 0.75 * DELACK_MIN_MS;
    return n;
}

/* How many requests of ms[1..] were neither answered at once nor waited one
 * delayed ACK (the timer fires 40 to 48 ms after): a process that ran late
 * on a busy machine, whose request may or may not have waited. */
static int unclear_of(const double *ms)
{
    int n = 0;
    for (int i = 1; i < REQUESTS; i++)
        n += !(ms[i] < DELACK_MIN_MS / 4 ||
               (ms[i] >= 0.75 * DELACK_MIN_MS && ms[i] < 1.75 * DELACK_MIN_MS));
    return n;
}

/* Whether `waited` of REQUESTS - 1 requests is what tcp_pingpong_thresh
 * implies: the server delays ACKs once it has answered `thresh` requests
 * quickly, and each delayed ACK that fires makes it count again, so one
 * request in `thresh` waits — within one, and one more for each request a
 * busy machine made unclear, but never none. Before Linux 6.7 there is no
 * sysctl (thresh -1): the count is built in (1; 3 from 5.1 until its revert
 * in 5.19 and the stable updates of August 2022), and only "some wait" is
 * claimed. */
static bool one_in_thresh(int waited, long thresh, int unclear)
{
    if (thresh < 1)
        return waited >= 1;
    return waited >= 1 && abs(waited - (REQUESTS - 1) / (int)thresh) <= 1 + unclear;
}

/* A threshold so high that none of the requests is delayed: the lesson's
 * delay cannot be seen (the steps that count it say so and skip). */
/* What the steps measured, for the table of step 7. */
struct results {
    long pingpong;                      /* net.ipv4.tcp_pingpong_thresh, -1 absent */
    long rto_min_us;                    /* net.ipv4.tcp_rto_min_us, -1 absent */
    double ato;                         /* the server's ACK timeout after step 1, ms */
    double two_sends;                   /* median ms a request, step 1 */
    int waited;                         /* step 1's requests that waited a delayed ACK */
    int count;
    const char *names[8];
    double medians[8];
    int waits[8];
    bool spoiled;                       /* a fix's measurement stayed inconclusive */
};

/* Why a delayed ACK here is shorter than the 40 ms the lab judges by, or
 * NULL: the kernel keeps it below the minimum retransmission timeout
 * (tcp_delack_max(), "tcp: derive delack_max from rto_min", 6.7). */
static const char *short_delack_why(const struct results *r)
{
    return r->rto_min_us >= 0 && r->rto_min_us <= DELACK_MIN_MS * 1000
               ? N_("net.ipv4.tcp_rto_min_us is 40 ms or less: the kernel keeps a delayed ACK "
                    "below it, shorter than the 40 ms the lab's times are judged by")
               : NULL;
}

/* Why the server delays no ACK the lab can time after quick answers, or NULL. */
static const char *no_delay_why(const struct results *r)
{
    if (r->pingpong >= REQUESTS)
        return N_("net.ipv4.tcp_pingpong_thresh is above the lab's 20 requests: the server "
                  "delays none of their ACKs");
    return short_delack_why(r);
}

/* Requests timed one by one, each from its first write to its answer:
 *
 *     for (struct timing tm = { .name = N_("one writev()") }; next_request(lab, r, &tm);) {
 *         CHECK(writev(t.client, parts, 2));          (one request, written)
 *         serve_one(lab, &t);                         (read, answered, read back)
 *     }
 *
 * Each call ends the time of the request before and starts the next. After
 * REQUESTS of them, a named timing is judged (judge(): taken again when a
 * busy machine spoiled it); one without a name just ends, its times in ms.
 * `runs` counts every request made, again-taken ones too (each is on the
 * wire); `slowest` is the longest. */
struct timing {
    const char *name;
    int done, attempt, runs;
    double start, slowest, ms[REQUESTS];
};

/* A fix's median: fast (under a quarter of the delayed-ACK wait) holds, as
 * slow as the wait (three quarters of it or more) fails, and in between a
 * busy machine spoiled it: taken again, then inconclusive. Returns whether
 * the measurement is sound; records the result for step 7. */
static bool judge(struct sl_lab *lab, struct results *r, const struct timing *tm, int *attempt)
{
    double median = median_of(tm->ms, 1);
    bool sound = median < DELACK_MIN_MS / 4 || median >= 0.75 * DELACK_MIN_MS;
    if (!sound && sl_lab_again(lab, attempt, "the median request took %.1f ms, between the "
                                             "fast and the delayed: a busy machine", median))
        return false;
    if (r->count < 8) {
        r->names[r->count] = tm->name;
        r->waits[r->count] = waited_of(tm->ms);
        r->medians[r->count++] = median;
    }
    r->spoiled = r->spoiled || !sound;
    lab_show(lab, "%s: median %.2f ms a request", _(tm->name), median);
    lab_expect_sound(lab, sound, median < DELACK_MIN_MS / 4,
                     "with %s a request no longer waits for the delayed ACK", _(tm->name));
    return true;
}

static bool next_request(struct sl_lab *lab, struct results *r, struct timing *tm)
{
    if (tm->done > 0 || tm->start > 0) {
        double ms = tm->ms[tm->done++] = sl_clock_ms() - tm->start;
        tm->slowest = ms > tm->slowest ? ms : tm->slowest;
    }
    if (tm->done == REQUESTS) {
        if (!tm->name || judge(lab, r, tm, &tm->attempt))
            return false;
        tm->done = 0;                               /* spoiled: the requests again */
    }
    tm->runs++;
    tm->start = sl_clock_ms();
    return true;
}

/* Requests in two send()s whose delayed ACKs are counted (steps 1 and 6):
 * true when the machine spoiled the times, and they are to be taken again. */
static bool spoiled_waits(struct sl_lab *lab, const struct timing *tm, int *attempt)
{
    return unclear_of(tm->ms) > 3 &&
           sl_lab_again(lab, attempt, "%d requests took neither no time nor one delayed "
                                      "ACK (one %.1f ms): a busy machine", unclear_of(tm->ms),
                        tm->slowest);
}

/* On the wire, the client's data segments of the step so far: `per` for
 * each of its `runs` requests — unless one took longer than TCP_CORK's
 * ceiling (then it may have left in pieces: inconclusive). `how` names the
 * way the last requests were written (N_(), translated here). */
static void expect_segments_per_request(struct sl_lab *lab, const struct talk *t, int runs,
                                        int per, double slowest, const char *how)
{
    struct sl_wire_match data = { .from = &t->from_client, .data = true };
    const char *one = N_("with %s each request left the client in one segment");
    const char *two = N_("with %s each request still left the client in two segments");
    if (slowest < CORK_CEILING_MS || !sl_lab_wire(lab))
        lab_expect_segment_count(lab, &data, runs * per, 200, per == 1 ? one : two, _(how));
    else
        lab_expect_sound(lab, false, false, per == 1 ? one : two, _(how));
}

/* Step 1's claim, in the words of what tcp_pingpong_thresh implies: how many
 * requests wait for a delayed ACK (one_in_thresh). False, the claim skipped,
 * where no_delay_why says they cannot be timed. */
static bool expect_requests_wait(struct sl_lab *lab, const struct results *r, int unclear)
{
    bool sound = unclear <= 3, held = one_in_thresh(r->waited, r->pingpong, unclear);
    if (no_delay_why(r))
        lab_skip(lab, no_delay_why(r), "requests wait for the server's delayed ACK");
    else if (r->pingpong == 1)
        lab_expect_sound(lab, sound, held, "requests wait for the server's delayed ACK (at least "
                         "%.0f ms): with tcp_pingpong_thresh = 1, every request after the first",
                         DELACK_MIN_MS);
    else if (r->pingpong > 1)
        lab_expect_sound(lab, sound, held, "requests wait for the server's delayed ACK (at least "
                         "%.0f ms): with tcp_pingpong_thresh = %ld, one in %ld", DELACK_MIN_MS,
                         r->pingpong, r->pingpong);
    else
        lab_expect_sound(lab, sound, held, "requests wait for the server's delayed ACK (at least "
                         "%.0f ms): some of them (the kernel's count is built in)",
                         DELACK_MIN_MS);
    return !no_delay_why(r);
}

static void step_two_sends(struct sl_lab *lab, struct talk *t, struct results *r)
{
    lab_step(lab, "A request in two send()s: header, then body");
    lab_say(lab, "The client sends a %d-byte header, then a %d-byte body, and waits for the "
                 "answer; the server answers once it has both. %d requests on one "
                 "connection, timed from the first send() to the answer. The server delays "
                 "its ACKs once it has answered tcp_pingpong_thresh requests quickly:",
            PART, PART, REQUESTS);
    r->pingpong = sl_lab_sysctl(lab, "net.ipv4.tcp_pingpong_thresh");   /* Linux 6.7 */
    r->rto_min_us = sl_lab_sysctl(lab, "net.ipv4.tcp_rto_min_us");      /* Linux 6.11 */
    struct timing tm;
    int attempt = 0;
    do {
        tm = (struct timing){ .name = NULL };
        while (next_request(lab, r, &tm)) {
            CHECK(send(t->client, t->header, PART, 0));
            CHECK(send(t->client, t->body, PART, 0));
            serve_one(lab, t);
        }
    } while (spoiled_waits(lab, &tm, &attempt));
    r->ato = ato_of(t->server);
    r->two_sends = median_of(tm.ms, 1);
    r->waited = waited_of(tm.ms);
    lab_show(lab, "the first request took %.2f ms; of the other %d, %d waited (median %.1f ms, "
                  "at most %.1f); the server's ACK timeout is now %.0f ms (tcp_info ato)",
             tm.ms[0], REQUESTS - 1, r->waited, r->two_sends, tm.slowest, r->ato);
    struct sl_wire_match order[3] = {
        { .from = &t->from_client, .data = true },                  /* the header */
        { .from = &t->from_server, .flags = SL_TCP_ACK, .empty = true,    /* its ACK, bare */
          .after_ms = 0.75 * DELACK_MIN_MS },                          /* and delayed */
        { .from = &t->from_client, .data = true },                  /* only then the body */
    };
    if (expect_requests_wait(lab, r, unclear_of(tm.ms)))
        lab_expect_segments(lab, order, 3, 0, "on the wire the body leaves only after the "
                                              "server's bare, delayed ACK of the header");
    sl_lab_observe(lab);
    lab_pause(lab, "the server's ACK timeout: add -i to the ss command below (ss -tanoi) and "
                   "its socket shows ato:%.0f", r->ato);
}

static void step_where(struct sl_lab *lab, struct talk *t, const struct results *r)
{
    lab_step(lab, "Where the body waits");
    lab_say(lab, "Right after the second send(), ask the client's kernel what it holds: "
                 "SIOCOUTQ counts the bytes not yet acknowledged, SIOCOUTQNSD those not "
                 "even sent. (The server is put in delayed-ACK mode first, as step 1's "
                 "quick answers put it.)");
    int queued, unsent, attempt = 0;
    double late;
    bool sound;
    do {
        /* 0: delay ACKs now, whatever tcp_pingpong_thresh or a late answer left */
        CHECK(setsockopt(t->server, IPPROTO_TCP, TCP_QUICKACK, &(int){ 0 }, sizeof(int)));
        double start = sl_clock_ms();
        CHECK(send(t->client, t->header, PART, 0));
        CHECK(send(t->client, t->body, PART, 0));
        CHECK(lab_call(lab, ioctl(t->client, SIOCOUTQ, &queued)));
        CHECK(lab_call(lab, ioctl(t->client, SIOCOUTQNSD, &unsent)));
        late = sl_clock_ms() - start;
        serve_one(lab, t);
        /* Nothing to see when the lab asked after the delayed ACK could have come. */
        sound = late < DELACK_MIN_MS / 2;
    } while (!sound && sl_lab_again(lab, &attempt, "the lab asked %.0f ms after the first "
                                                   "send(): a busy machine", late));
    lab_show(lab, "%d bytes not acknowledged, %d of them not sent", queued, unsent);
    lab_expect_unless(lab, short_delack_why(r), sound, queued == 2 * PART && unsent == PART,
                      "the header is sent and waits for its ACK; the body is not sent: Nagle "
                      "holds a small segment while an earlier small one is unacknowledged");
}

static void step_one_write(struct sl_lab *lab, struct results *r)
{
    lab_step(lab, "Fix: the whole request in one writev()");
    lab_say(lab, "Hand the kernel the request in one call: header and body leave in one "
                 "segment, and there is no second small segment for Nagle to hold.");
    struct talk t;
    start_talk(lab, &t);
    struct iovec parts[2] = { { t.header, PART }, { t.body, PART } };
    struct timing tm = { .name = N_("one writev()") };
    while (next_request(lab, r, &tm)) {
        CHECK(writev(t.client, parts, 2));
        serve_one(lab, &t);
    }
    expect_segments_per_request(lab, &t, tm.runs, 1, tm.slowest, tm.name);
    stop_talk(&t);
}

static void step_nodelay(struct sl_lab *lab, struct results *r)
{
    lab_step(lab, "Fix: TCP_NODELAY on the client");
    lab_say(lab, "TCP_NODELAY turns Nagle's algorithm off for the socket: a small send() no "
                 "longer waits for the ACK of the data before it (more segments, when a "
                 "program writes in small pieces).");
    struct talk t;
    start_talk(lab, &t);
    CHECK(lab_call(lab, setsockopt(t.client, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
                                   sizeof(int))));
    struct timing tm = { .name = N_("TCP_NODELAY") };
    while (next_request(lab, r, &tm)) {
        CHECK(send(t.client, t.header, PART, 0));
        CHECK(send(t.client, t.body, PART, 0));
        serve_one(lab, &t);
    }
    expect_segments_per_request(lab, &t, tm.runs, 2, tm.slowest, tm.name);
    stop_talk(&t);
}

static void step_more_coming(struct sl_lab *lab, struct results *r)
{
    lab_step(lab, "Fix: tell the kernel more is coming (TCP_CORK, MSG_MORE)");
    lab_say(lab, "TCP_CORK holds a partial segment back until it is removed (or 200 ms "
                 "pass; full-sized segments still leave); "
                 "MSG_MORE does the same for one send(). The header waits for the body, and "
                 "both leave together when the request is complete.");
    struct talk t;
    start_talk(lab, &t);
    struct timing cork = { .name = N_("TCP_CORK, then uncork") };
    while (next_request(lab, r, &cork)) {
        CHECK(setsockopt(t.client, IPPROTO_TCP, TCP_CORK, &(int){ 1 }, sizeof(int)));
        CHECK(send(t.client, t.header, PART, 0));
        CHECK(send(t.client, t.body, PART, 0));
        CHECK(setsockopt(t.client, IPPROTO_TCP, TCP_CORK, &(int){ 0 }, sizeof(int)));
        serve_one(lab, &t);
    }
    expect_segments_per_request(lab, &t, cork.runs, 1, cork.slowest, cork.name);
    struct timing more = { .name = N_("MSG_MORE on the header") };
    while (next_request(lab, r, &more)) {
        CHECK(send(t.client, t.header, PART, MSG_MORE));
        CHECK(send(t.client, t.body, PART, 0));
        serve_one(lab, &t);
    }
    expect_segments_per_request(lab, &t, cork.runs + more.runs, 1, more.slowest, more.name);
    stop_talk(&t);
}

static void step_quickack(struct sl_lab *lab, struct results *r)
{
    lab_step(lab, "Fix on the server: TCP_QUICKACK, and why once is not enough");
    lab_say(lab, "TCP_QUICKACK makes the server acknowledge at once — but only until the "
                 "kernel decides the connection is interactive again. Set before every read "
                 "it sends the pending ACK each time; set once it is soon forgotten.");
    struct talk t;
    start_talk(lab, &t);
    struct timing every = { .name = N_("TCP_QUICKACK before every read") }, once;
    while (next_request(lab, r, &every)) {
        CHECK(send(t.client, t.header, PART, 0));
        CHECK(send(t.client, t.body, PART, 0));
        CHECK(setsockopt(t.server, IPPROTO_TCP, TCP_QUICKACK, &(int){ 1 }, sizeof(int)));
        serve_one(lab, &t);
    }
    expect_segments_per_request(lab, &t, every.runs, 2, 0, every.name);
    int attempt = 0, runs = every.runs;
    do {
        CHECK(setsockopt(t.server, IPPROTO_TCP, TCP_QUICKACK, &(int){ 1 }, sizeof(int)));
        for (once = (struct timing){ .name = NULL }; next_request(lab, r, &once);) {
            CHECK(send(t.client, t.header, PART, 0));   /* set once, above: never again */
            CHECK(send(t.client, t.body, PART, 0));
            serve_one(lab, &t);
        }
        runs += once.runs;
    } while (spoiled_waits(lab, &once, &attempt));
    lab_show(lab, "TCP_QUICKACK set once: %d of %d requests waited", waited_of(once.ms),
             REQUESTS - 1);
    if (no_delay_why(r))
        lab_skip(lab, no_delay_why(r), "TCP_QUICKACK set once does not stick");
    else
        lab_expect_sound(lab, unclear_of(once.ms) <= 3,
                         one_in_thresh(waited_of(once.ms), r->pingpong, unclear_of(once.ms)),
                         "TCP_QUICKACK set once does not stick: the requests wait for the "
                         "delayed ACK again, as in step 1");
    expect_segments_per_request(lab, &t, runs, 2, 0, N_("TCP_QUICKACK set once"));
    stop_talk(&t);
}

static void step_compare(struct sl_lab *lab, const struct results *r)
{
    lab_step(lab, "The fixes, side by side");
    lab_say(lab, "The same request written each way: the median of %d, and how many waited "
                 "for a delayed ACK. The best fix sends the request in one segment; "
                 "TCP_NODELAY sends two.", REQUESTS - 1);
    char name[128];                       /* padded in columns: the names may be translated */
    sl_text_pad("", 34, name, sizeof name);
    lab_show(lab, "%s     median waited", name);
    sl_text_pad(_("two send()s (Nagle + delayed ACK)"), 34, name, sizeof name);
    lab_show(lab, "%s %7.2f ms %6d", name, r->two_sends, r->waited);
    double slowest_fix = 0;
    for (int i = 0; i < r->count; i++) {
        sl_text_pad(_(r->names[i]), 34, name, sizeof name);
        lab_show(lab, "%s %7.2f ms %6d", name, r->medians[i], r->waits[i]);
        slowest_fix = r->medians[i] > slowest_fix ? r->medians[i] : slowest_fix;
    }
    lab_expect_sound(lab, !r->spoiled, r->count == 5 && slowest_fix * 10 < DELACK_MIN_MS,
                     "every fix answers more than ten times sooner than the delayed ACK that "
                     "two small send()s wait for");
}

/* The connection's full segment (its MSS), with room in fd's send buffer for
 * it and a byte after it whatever tcp_wmem says (4096 8192 16384 holds less
 * than loopback's MSS: the first send() would wait for an ACK, and the two
 * writes would not go together); 0 when even SO_SNDBUF cannot make that
 * room (net.core.wmem_max caps it). */
static size_t full_segment(int fd)
{
    struct tcp_info ti;
    CHECK(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &(socklen_t){ sizeof ti }));
    int room = 4 * (int)ti.tcpi_snd_mss, sndbuf;
    CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &room, sizeof room));
    CHECK(getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &(socklen_t){ sizeof sndbuf }));
    return (size_t)sndbuf > 2 * (size_t)ti.tcpi_snd_mss ? ti.tcpi_snd_mss : 0;
}

/* Step 8's look is taken again when it was spoiled: the two writes far apart
 * (an ACK could come between them), the small segment acknowledged at once,
 * or the second gap neither at once nor a delayed ACK. For the full segment
 * the gap at the server alone cannot tell Minshall's rule from Nagle's: the
 * server's read of it ACKs it at once (more than a full segment read,
 * tcp_cleanup_rbuf()), which would free a held byte as well. What is not sent
 * right after the send() can: Nagle's rule would hold it. */
static void step_minshall(struct sl_lab *lab, struct talk *t, const struct results *r)
{
    lab_step(lab, "Minshall's Nagle: a small write after a full-sized segment");
    lab_say(lab, "Linux holds a small segment only while an earlier small segment is "
                 "unacknowledged (Minshall's variant of Nagle's rule). Two writes: %d bytes "
                 "then 1, and a full segment then 1, each to a server that delays its ACK. "
                 "The server times the gap between the two arrivals.", PART);
    size_t sizes[2] = { PART, full_segment(t->client) };   /* small; full-sized */
    int kinds = sizes[1] ? 2 : 1;
    char *first = calloc(1, sizes[1] + 1);
    double gap[2] = { 0, 0 }, between[2] = { 0, 0 };  /* at the server; at the client */
    int unacked = 0, unsent = 0, attempt = 0;       /* after the 64 bytes and 1; the full */
    bool sound;
    do {
        for (int k = 0; k < kinds; k++) {
            CHECK(setsockopt(t->server, IPPROTO_TCP, TCP_QUICKACK, &(int){ 0 }, sizeof(int)));
            double start = sl_clock_ms();
            CHECK(send(t->client, first, sizes[k], 0));
            CHECK(send(t->client, "!", 1, 0));
            /* small: both unacknowledged? full-sized: the byte not even sent? */
            CHECK(ioctl(t->client, k == 0 ? SIOCOUTQ : SIOCOUTQNSD, k == 0 ? &unacked : &unsent));
            between[k] = sl_clock_ms() - start;
            read_whole(lab, t->server, sizes[k]);
            double first_at = sl_clock_ms();
            read_whole(lab, t->server, 1);
            gap[k] = sl_clock_ms() - first_at;
            CHECK(send(t->server, "OK", 2, 0));
            read_whole(lab, t->client, 2);
        }
        sound = between[0] < DELACK_MIN_MS / 4 && between[1] < DELACK_MIN_MS / 4 &&
                unacked >= PART &&
                (gap[1] < DELACK_MIN_MS / 4 || gap[1] >= 0.75 * DELACK_MIN_MS);
    } while (!sound && sl_lab_again(lab, &attempt, "the writes were %.1f and %.1f ms apart, "
                                                   "%d bytes unacknowledged, the second gap "
                                                   "%.1f ms: a busy machine", between[0],
                                    between[1], unacked, gap[1]));
    free(first);
    lab_show(lab, "%zu bytes, then 1: the byte came %.1f ms later", sizes[0], gap[0]);
    lab_expect_unless(lab, short_delack_why(r), sound, gap[0] >= 0.75 * DELACK_MIN_MS,
                      "a small write after an unacknowledged small segment waits for its ACK");
    if (kinds == 2)
        lab_show(lab, "%zu bytes (one full segment), then 1: %.1f ms later, and %d bytes not "
                      "sent right after the send()", sizes[1], gap[1], unsent);
    lab_expect_unless(lab, kinds == 2 ? NULL : N_("net.core.wmem_max keeps the send buffer below "
                                                  "a full segment"),
                      sound, gap[1] < DELACK_MIN_MS / 4 && unsent == 0,
                      "a small write after a full-sized segment leaves at once");
}

/* Wait (bounded, 2 s) until the client's kernel holds nothing unacknowledged. */
static void wait_all_acknowledged(struct sl_lab *lab, int fd)
{
    int queued = 1;
    for (double end = sl_clock_ms() + 2000; sl_clock_ms() < end; sl_sleep_ms(1))
        if (ioctl(fd, SIOCOUTQ, &queued) == 0 && queued == 0)
            return;
    sl_lab_setup_error(lab, "%d bytes stayed unacknowledged for 2 s on the lab's loopback",
                       queued);
}

static void step_small_writes(struct sl_lab *lab)
{
    lab_step(lab, "Many small writes on a busy socket");
    lab_say(lab, "TCP_NODELAY sends each write at once — when it can. %d writes of 10 bytes "
                 "in a row, nobody reading yet: how many segments leave? (tcp_info's "
                 "segs_out counts them.)", SMALL_WRITES);
    long autocorking = sl_lab_sysctl(lab, "net.ipv4.tcp_autocorking");
    int passes = sl_lab_private(lab) && autocorking >= 0 ? 2 : 1;  /* its own network: both */
    for (int pass = 0; pass < passes; pass++) {
        if (pass == 1 && sl_lab_sysctl_set(lab, "net.ipv4.tcp_autocorking", !autocorking))
            autocorking = !autocorking;
        struct talk t;
        start_talk(lab, &t);
        CHECK(setsockopt(t.client, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int)));
        struct tcp_info before, written, after;
        CHECK(getsockopt(t.client, IPPROTO_TCP, TCP_INFO, &before, &(socklen_t){ sizeof before }));
        for (int i = 0; i < SMALL_WRITES; i++)
            CHECK(send(t.client, "0123456789", 10, 0));
        int unsent;
        CHECK(lab_call(lab, ioctl(t.client, SIOCOUTQNSD, &unsent)));
        CHECK(getsockopt(t.client, IPPROTO_TCP, TCP_INFO, &written, &(socklen_t){ sizeof written }));
        sl_lab_observe(lab);                        /* the burst, still in the send queue */
        read_whole(lab, t.server, 10 * SMALL_WRITES);
        wait_all_acknowledged(lab, t.client);
        CHECK(getsockopt(t.client, IPPROTO_TCP, TCP_INFO, &after, &(socklen_t){ sizeof after }));
        unsigned segments = after.tcpi_segs_out - before.tcpi_segs_out;
        lab_show(lab, "when the last send() returned, %u segments had left and %d bytes waited "
                      "unsent; all %d writes left in %u segments (tcp_autocorking = %ld)",
                 written.tcpi_segs_out - before.tcpi_segs_out, unsent, SMALL_WRITES, segments,
                 autocorking);
        lab_expect(lab, segments < SMALL_WRITES / 2,
                   "writes that queue behind unacknowledged data leave together: fewer "
                   "segments than writes, TCP_NODELAY or not");
        if (pass == passes - 1)
            lab_pause(lab, "the table above was taken right after the writes, most of them "
                           "still in the client's Send-Q; now ss -i shows its segs_out, far "
                           "below %d", SMALL_WRITES);
        stop_talk(&t);
        sl_lab_untrack_all(lab);
    }
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    struct results r = { 0 };
    struct talk t;
    start_talk(lab, &t);
    step_two_sends(lab, &t, &r);
    step_where(lab, &t, &r);
    sl_lab_untrack_all(lab);
    step_one_write(lab, &r);
    sl_lab_untrack_all(lab);
    step_nodelay(lab, &r);
    sl_lab_untrack_all(lab);
    step_more_coming(lab, &r);
    sl_lab_untrack_all(lab);
    step_quickack(lab, &r);
    step_compare(lab, &r);
    sl_lab_untrack_all(lab);
    sl_lab_track_port(lab, sl_local_port(t.server));
    step_minshall(lab, &t, &r);
    stop_talk(&t);
    sl_lab_untrack_all(lab);
    step_small_writes(lab);
    return sl_lab_end(lab);
}
