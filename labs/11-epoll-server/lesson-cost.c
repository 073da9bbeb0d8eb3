/* labs/11-epoll-server/lesson-cost.c — lab 11's last step: what the correct
 * server's techniques save, counted. The same clients run against the
 * correct server twice, once as it is and once without one technique
 * (--without in `socklab serve`), and the server counts every system call
 * it makes (server.c: count_call, on the line before each). The difference
 * is what the technique saves; the techniques themselves are explained where
 * server.c writes them. */
#include "lesson-steps.h"

#include "socklab/check.h"
#include "socklab/lab.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* What the clients do while the server counts. */
enum workload {
    ONE_AT_A_TIME,      /* 100 requests on one connection, each waiting for its reply */
    PIPELINED,          /* 10 times 16 requests in one send(), then their 16 replies */
    CLOSE_EACH,         /* 50 connections, one request each with Connection: close */
    SLOW_READER,        /* the big file twice to a small window, each read after a pause */
};

struct technique {
    const char *name;
    const char *without;                /* http_without_set's name */
    enum workload workload;
    enum http_call call;                /* the call it saves */
    int saved;                          /* at least this many fewer, over the workload */
};

static const struct technique techniques[] = {
    { N_("the short-read rule (no recv() only to see EAGAIN)"), "short-read-rule",
      ONE_AT_A_TIME, CALL_RECV, 90 },
    { N_("batching (the replies to one read in one send())"), "batching", PIPELINED,
      CALL_SEND, 100 },
    { N_("accept4() (non-blocking and close-on-exec as it accepts)"), "accept4", CLOSE_EACH,
      CALL_FCNTL, 100 },
    { N_("a level-triggered listener, one accept4() a turn (no accept4() only to see EAGAIN)"),
      "level-listener", CLOSE_EACH, CALL_ACCEPT, 40 },
    { N_("edge-triggered, EPOLLOUT left registered (no epoll_ctl() as output backs up)"),
      "edge-triggered", SLOW_READER, CALL_EPOLL_CTL, 2 },
};

static const char close_request[] = "GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n";

/* Run the workload; true when every reply came whole. */
static bool run_workload(struct lesson *l, const struct lab_server *s, enum workload w)
{
    struct http_client c;
    int status, ok = 0, want = w == ONE_AT_A_TIME ? 100 : w == PIPELINED ? 160
                                : w == CLOSE_EACH ? 50 : 2;
    char batch[1024] = "";
    for (int i = 0; i < 16; i++)
        strcat(batch, http_get_root);
    for (int i = 0; w == CLOSE_EACH && i < want; i++) {
        if (client_open(&c, l->ip, s->port, 0, 2000) && client_send_text(&c, close_request, 2000))
            ok += client_read_reply(&c, 2000, &status, NULL) == REPLY_FULL;
        client_wait_closed(&c, 2000);
        client_close(&c);
    }
    if (w != CLOSE_EACH && client_open(&c, l->ip, s->port, w == SLOW_READER ? 4096 : 0, 2000)) {
        for (int i = 0; w == ONE_AT_A_TIME && i < want; i++)
            ok += client_send_text(&c, http_get_root, 2000) &&
                  client_read_reply(&c, 2000, &status, NULL) == REPLY_FULL;
        for (int i = 0; w == PIPELINED && i < 10 && client_send_text(&c, batch, 2000); i++)
            for (int k = 0; k < 16; k++)
                ok += client_read_reply(&c, 2000, &status, NULL) == REPLY_FULL;
        for (int i = 0; w == SLOW_READER && i < want && client_send_text(&c, http_get_big, 2000);
             i++) {
            usleep(200 * 1000);             /* the server's sending backs up meanwhile */
            ok += client_read_reply(&c, 10000, &status, NULL) == REPLY_FULL;
        }
        client_close(&c);
    }
    return ok == want;
}

/* One run of the correct server under the workload; its counts in *stats. */
static bool counted_run(struct lesson *l, const struct technique *t, bool without,
                        struct http_server_stats *stats)
{
    struct server_setup setup = { .root = l->root, .stats = stats };
    memset(stats, 0, sizeof *stats);
    if (without)
        http_without_set(&setup.without, t->without);
    server_start(l->lab, &l->servers[CORRECT], &setup);
    bool whole = run_workload(l, &l->servers[CORRECT], t->workload);
    server_stop(l->lab, &l->servers[CORRECT]);          /* the counts are final now */
    return whole;
}

/* What the prepared response saves is no system call but user time: the
 * request path alone (no sockets), 20,000 pipelined requests, timed. */
static double ns_per_request(bool prepared)
{
    enum { REQUESTS = 20000 };
    size_t one = strlen(http_get_root), len = 0;
    char *requests = malloc(REQUESTS * one);
    CHECK(requests ? 0 : -1);
    for (int i = 0; i < REQUESTS; i++, len += one)
        memcpy(requests + len, http_get_root, one);
    struct http_server_config cfg = { .without.prepared = !prepared };
    struct timespec a, b;
    char *response;
    size_t response_len;
    int count;
    bool closes;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    http_answer_bytes(&cfg, requests, len, NULL, 0, &response, &response_len, &count, &closes);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    free(response);
    free(requests);
    return ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / REQUESTS;
}

/* One technique: the counts with and without it, and what that saves. */
static void measure(struct lesson *l, const struct technique *t, bool big,
                    struct http_server_stats *with, struct http_server_stats *without)
{
    if (t->workload == SLOW_READER && !big) {
        lab_skip(l->lab, "tcp_wmem's maximum would make the big file over 256 MiB",
                 "%s saves epoll_ctl() calls", _(t->name));
        return;
    }
    bool whole;                             /* every reply came, within its bound */
    int attempt = 0;
    do
        whole = counted_run(l, t, false, with) && counted_run(l, t, true, without);
    while (!whole && sl_lab_again(l->lab, &attempt, "a reply did not come within its time"));
    unsigned long long a = with->calls[t->call], b = without->calls[t->call];
    lab_show(l->lab, "%s: %llu %s() with it, %llu without, for %llu requests", _(t->name), a,
             http_call_name(t->call), b, with->requests);
    if (t->workload == SLOW_READER && !without->blocked_writes)
        lab_skip(l->lab, "the server's send buffer took the whole file: no send() said EAGAIN",
                 "%s saves epoll_ctl() calls", _(t->name));
    else
        lab_expect_sound(l->lab, whole, b >= a + (unsigned long long)t->saved,
                         "%s saves at least %d %s() calls here", _(t->name), t->saved,
                         http_call_name(t->call));
}

void step_cost(struct lesson *l)
{
    lab_step(l->lab, "What each technique saves, in system calls");
    lab_say(l->lab, "The correct server counts every system call it makes. The same clients "
                    "run against it as it is, then without one technique; the difference is "
                    "what the technique saves. server.c explains each where it is written.");
    struct http_server_stats *with = mmap(NULL, 2 * sizeof *with, PROT_READ | PROT_WRITE,
                                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(with == MAP_FAILED ? -1 : 0);
    bool big = lesson_make_big_reply(l);
    for (size_t i = 0; i < sizeof techniques / sizeof techniques[0]; i++)
        measure(l, &techniques[i], big, with, with + 1);
    if (big)
        lesson_remove_big_reply(l);
    munmap(with, 2 * sizeof *with);
    double fast = ns_per_request(true), slow = ns_per_request(false);
    lab_show(l->lab, "the prepared response, Date cached per second: %.0f ns of the request "
                     "path a request with it, %.0f ns without (no system call either way)",
             fast, slow);
}
