/* labs/11-epoll-server/lesson-abuse.c — lab 11's steps with clients a server
 * must survive: half a request, a reader too slow for its reply, more clients
 * than descriptors, idle and slowloris clients, a request too large. Each step
 * runs the same clients against both servers, then checks what it measured. */
#include "lesson-steps.h"

#include "socklab/clock.h"
#include "socklab/lab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define SPIN_WINDOW_MS 1000
#define EMFILE_NOFILE 12        /* descriptors 0-3 (3: the listener) and 8 more */
#define NOTES_ACCEPTS (EMFILE_NOFILE - 5)   /* the notes' server: 0-2, listener, epoll */
#define EMFILE_IDLE 10
#define EMFILE_WAITING 3
#define DEADLINE_MS 500         /* the correct server's idle and header deadlines here */

/* Running or waiting for a CPU the whole window is spinning, however busy the
 * machine. Without schedstat only the CPU it got is known, and a busy machine
 * may give a spinning process less than half a CPU: that proves nothing (the
 * caller then calls the claim inconclusive, not failed). */
static bool spinning(const struct server_cpu *used)
{
    if (used->runnable_ms >= 0)
        return used->runnable_ms >= 0.9 * used->wall_ms;
    return used->cpu_ms >= 0.5 * used->wall_ms;
}

void step_half_request(struct lesson *l)
{
    lab_step(l->lab, "Half a request: spinning vs sleeping");
    lab_say(l->lab, "A client sends a request line and one header, without the blank line "
                    "that ends a request, and waits. The server's CPU time is read over "
                    "one second (/proc/PID/stat and /proc/PID/schedstat). Then a second "
                    "client sends a whole request.");
    struct server_cpu used[SERVERS];
    enum reply_outcome second[SERVERS];
    for (int k = 0; k < SERVERS; k++) {
        struct lab_server *s = &l->servers[k];
        server_start(l->lab, s, NULL);
        struct http_client half, whole;
        int status;
        if (client_open(&half, l->ip, s->port, 0, 2000))
            client_send_text(&half, "GET / HTTP/1.1\r\nHost: lab\r\n", 2000);
        lesson_wait_queue(&half, true, lesson_queue_at_most, 0, 2000);  /* read */
        int attempt = 0;                    /* a window that opened early is taken again */
        do
            used[k] = server_cpu_over(s, SPIN_WINDOW_MS);
        while (k == NOTES && !spinning(&used[k]) &&
               sl_lab_again(l->lab, &attempt, "it ran or waited to run %.0f ms of %.0f ms",
                            used[k].runnable_ms, used[k].wall_ms));
        second[k] = REPLY_CLOSED;
        if (client_open(&whole, l->ip, s->port, 0, 2000) &&
            client_send_text(&whole, http_get_root, 2000))
            second[k] = client_read_reply(&whole, k == NOTES ? 500 : 3000, &status, NULL);
        lab_show(l->lab, "%s: %.0f ms of CPU in %.0f ms (running or waiting to run: %.0f ms); "
                 "the second client: %s", s->name, used[k].cpu_ms, used[k].wall_ms,
                 used[k].runnable_ms, reply_outcome_name(second[k]));
        if (k == NOTES)
            lab_pause(l->lab, "top -p %d: the notes' server at 100%% CPU", (int)s->pid);
        client_close(&half);
        client_close(&whole);
        server_stop(l->lab, s);
    }
    lab_show(l->lab, "the notes' read loop called recv() %ld times and got EAGAIN",
             atomic_load(&l->servers[NOTES].report->recv_eagain));
    bool schedstat = used[NOTES].runnable_ms >= 0, spun = spinning(&used[NOTES]);
    lab_expect_sound(l->lab, schedstat || spun, spun,
                     "the notes' server spins on EAGAIN: it wanted a CPU the whole second");
    lab_expect(l->lab, used[CORRECT].cpu_ms <= 0.05 * used[CORRECT].wall_ms,
               "the correct server sleeps in epoll_wait(): under 5%% of a CPU (%.0f ms)",
               used[CORRECT].cpu_ms);
    lab_expect(l->lab, second[NOTES] == REPLY_TIMEOUT && second[CORRECT] == REPLY_FULL,
               "while one client's request is incomplete the notes' server answers no one; "
               "the correct server answers the second client");
}

void step_slow_reader(struct lesson *l)
{
    lab_step(l->lab, "A slow reader of a large response");
    lab_say(l->lab, "Client A asks for a reply larger than a send buffer can hold "
                    "(tcp_wmem's maximum and 1 MiB), with a small receive buffer, and does "
                    "not read. Client B then asks for a reply and waits for it. Then A "
                    "reads everything.");
    if (!lesson_make_big_reply(l)) {
        const char *why = _("tcp_wmem's maximum asks for a reply over 256 MiB");
        lab_skip(l->lab, why, "under the notes' blocking send() B waits for A");
        lab_skip(l->lab, why, "the correct server answers B at once");
        return;
    }
    enum reply_outcome b_first[SERVERS], a_after[SERVERS], b_after[SERVERS];
    for (int k = 0; k < SERVERS; k++) {
        struct lab_server *s = &l->servers[k];
        struct server_setup setup = { .root = l->root, .reply = &l->big_reply };
        server_start(l->lab, s, &setup);
        struct http_client a, b;
        int status;
        long body = 0;
        if (client_open(&a, l->ip, s->port, 4096, 2000))
            client_send_text(&a, http_get_big, 2000);
        lesson_wait_queue(&a, false, lesson_queue_at_least, 1, 2000);  /* sending */
        b_first[k] = REPLY_CLOSED;
        if (client_open(&b, l->ip, s->port, 0, 2000) &&
            client_send_text(&b, http_get_root, 2000))
            b_first[k] = client_read_reply(&b, k == NOTES ? 1000 : 3000, &status, NULL);
        if (k == NOTES)
            lab_pause(l->lab, "ss -tm: A's Recv-Q full, the server's Send-Q large");
        a_after[k] = client_read_reply(&a, 10000, &status, &body);
        b_after[k] = b_first[k] != REPLY_TIMEOUT ? b_first[k]      /* B, once A has read */
                                                  : client_read_reply(&b, 10000, &status, NULL);
        lab_show(l->lab, "%s: B while A stalls: %s; then A: %s (%ld bytes of body), B: %s",
                 s->name, reply_outcome_name(b_first[k]), reply_outcome_name(a_after[k]),
                 body, reply_outcome_name(b_after[k]));
        client_close(&a);
        client_close(&b);
        server_stop(l->lab, s);
    }
    lesson_remove_big_reply(l);
    lab_expect(l->lab, b_first[NOTES] == REPLY_TIMEOUT && a_after[NOTES] == REPLY_FULL &&
                           b_after[NOTES] == REPLY_FULL,
               "under the notes' blocking send() B waits for A: answered only after A read");
    lab_expect(l->lab, b_first[CORRECT] == REPLY_FULL && a_after[CORRECT] == REPLY_FULL,
               "the correct server answers B at once while A's reply waits for EPOLLOUT");
}

/* The reason this machine's somaxconn rules step 9 out, or NULL: the
 * clients the notes' server cannot accept must fit in its accept queue,
 * or they wait in SYN-SENT instead and its stranding cannot be seen. */
static const char *emfile_ruled_out(struct lesson *l, char *why, size_t len)
{
    long somaxconn = sl_lab_sysctl(l->lab, "net.core.somaxconn");
    long room = (somaxconn >= 0 && somaxconn < NOTES_BACKLOG ? somaxconn : NOTES_BACKLOG) + 1;
    int needed = EMFILE_IDLE + EMFILE_WAITING - NOTES_ACCEPTS;
    if (room >= needed)
        return NULL;
    snprintf(why, len, _("net.core.somaxconn = %ld leaves the notes' accept queue room for "
                         "%ld, fewer than the %d clients it cannot accept: some would wait in "
                         "SYN-SENT instead"), somaxconn, room, needed);
    return why;
}

/* Step 9's claims, from what the waiting clients got (after_free: from the
 * notes' server once the idle clients left; queued: its accept queue then);
 * the notes' skipped with the reason when ruled_out. */
static void emfile_claims(struct lesson *l, const char *ruled_out,
                          const struct reply_count got[SERVERS],
                          const struct reply_count *after_free, int queued)
{
    const char *stranded = _("the notes' accept() fails with EMFILE, the loop breaks, and the "
                             "waiting clients get neither a reply nor a refusal");
    int err = atomic_load(&l->servers[NOTES].report->accept_error);
    if (ruled_out) {
        lab_skip(l->lab, ruled_out, "%s", stranded);
        lab_skip(l->lab, ruled_out, "the notes' server still accepts no one");
    } else {
        lab_show(l->lab, "the notes' accept loop ended on %s",
                 err ? strerrorname_np(err) : _("EAGAIN only"));
        lab_expect(l->lab, err == EMFILE && got[NOTES].timeout == EMFILE_WAITING, "%s", stranded);
        lab_expect(l->lab, after_free->timeout == EMFILE_WAITING && queued >= EMFILE_WAITING,
                   "after the idle clients leave, the notes' server still accepts no one: "
                   "the edge is spent, and %d connections stay in the accept queue", queued);
    }
    lab_expect(l->lab, got[CORRECT].full + got[CORRECT].closed == EMFILE_WAITING,
               "the correct server answers or cleanly refuses every waiting client "
               "(%d answered, %d refused)", got[CORRECT].full, got[CORRECT].closed);
}

void step_emfile(struct lesson *l)
{
    lab_step(l->lab, "EMFILE: out of descriptors");
    lab_say(l->lab, "Each server runs with RLIMIT_NOFILE %d (ulimit -n counts descriptors "
                    "of every kind, not sockets). %d idle clients take what is left; then "
                    "%d clients send a request. The correct server closes idle connections "
                    "after %d ms here.", EMFILE_NOFILE, EMFILE_IDLE, EMFILE_WAITING,
            DEADLINE_MS);
    char why[200];
    const char *ruled_out = emfile_ruled_out(l, why, sizeof why);
    struct reply_count got[SERVERS] = { { 0, 0, 0 }, { 0, 0, 0 } }, after_free = { 0, 0, 0 };
    int queued = 0;
    for (int k = ruled_out ? CORRECT : NOTES; k < SERVERS; k++) {
        struct lab_server *s = &l->servers[k];
        struct server_setup setup = { .nofile = EMFILE_NOFILE,
                                      .idle_timeout_ms = DEADLINE_MS };
        server_start(l->lab, s, &setup);
        struct http_client idle[EMFILE_IDLE], waiting[EMFILE_WAITING];
        clients_open(idle, EMFILE_IDLE, l->ip, s->port);
        clients_open(waiting, EMFILE_WAITING, l->ip, s->port);
        clients_send_text(waiting, EMFILE_WAITING, http_get_root);
        got[k] = clients_read_replies(waiting, EMFILE_WAITING, k == NOTES ? 500 : 4000);
        clients_close(idle, EMFILE_IDLE);                   /* descriptors free again */
        if (k == NOTES) {
            after_free = clients_read_replies(waiting, EMFILE_WAITING, 300);
            queued = lesson_accept_queue(s, 0);
            lab_pause(l->lab, "the notes' listener on port %u: Recv-Q %d, connections "
                              "nobody will accept", s->port, queued);
        }
        lab_show(l->lab, "%s: of %d waiting clients, %d answered, %d refused (closed)",
                 s->name, EMFILE_WAITING, got[k].full, got[k].closed);
        clients_close(waiting, EMFILE_WAITING);
        server_stop(l->lab, s);
    }
    emfile_claims(l, ruled_out, got, &after_free, queued);
}

/* "closed after 501 ms" or "still open after 1500 ms" */
static const char *closed_after(double closed_ms, int waited_ms, char *text, size_t len)
{
    if (closed_ms < 0)
        snprintf(text, len, _("still open after %d ms"), waited_ms);
    else
        snprintf(text, len, _("closed after %.0f ms"), closed_ms);
    return text;
}

void step_idle_and_slowloris(struct lesson *l)
{
    lab_step(l->lab, "Idle connections and a slowloris client");
    lab_say(l->lab, "One client connects and sends nothing; another (a \"slowloris\") "
                    "sends its headers one byte every 100 ms and never ends them. The "
                    "correct server here closes a connection idle for %d ms, and a "
                    "request whose headers are not complete %d ms after its first byte.",
            DEADLINE_MS, DEADLINE_MS);
    double idle_closed[SERVERS], slow_closed[SERVERS];
    const int held_ms[SERVERS] = { 3 * DEADLINE_MS, 10 * DEADLINE_MS };  /* the longest wait */
    for (int k = 0; k < SERVERS; k++) {
        struct lab_server *s = &l->servers[k];
        struct server_setup setup = { .idle_timeout_ms = DEADLINE_MS,
                                      .header_timeout_ms = DEADLINE_MS };
        server_start(l->lab, s, &setup);
        struct http_client idle, slow;
        idle_closed[k] = slow_closed[k] = -1;
        if (client_open(&idle, l->ip, s->port, 0, 2000))
            idle_closed[k] = client_wait_closed(&idle, held_ms[k]);
        if (client_open(&slow, l->ip, s->port, 0, 2000))
            slow_closed[k] = client_trickle(&slow, 100, held_ms[k]);
        char idle_text[48], slow_text[48];
        lab_show(l->lab, "%s: the idle client %s, the slowloris %s", s->name,
                 closed_after(idle_closed[k], held_ms[k], idle_text, sizeof idle_text),
                 closed_after(slow_closed[k], held_ms[k], slow_text, sizeof slow_text));
        client_close(&idle);
        client_close(&slow);
        server_stop(l->lab, s);
    }
    lab_expect(l->lab, idle_closed[NOTES] < 0 && slow_closed[NOTES] < 0,
               "the notes' server holds an idle client and a slowloris forever (a "
               "descriptor each, and the slowloris costs it a CPU)");
    lab_expect(l->lab, idle_closed[CORRECT] >= 0.9 * DEADLINE_MS &&
                           slow_closed[CORRECT] >= 0.9 * DEADLINE_MS,
               "the correct server closes both at their deadline, though the slowloris "
               "keeps sending");
}

void step_oversized(struct lesson *l)
{
    lab_step(l->lab, "An oversized request");
    lab_say(l->lab, "A 16 KiB request: one header of 16000 bytes. The notes' server "
                    "strcat()s what it reads into char bufres[10240] (claim M69 in "
                    "docs/myths.md). The lab's transcription checks "
                    "the length first and stops the server where strcat() would have "
                    "written past the buffer; the correct server limits headers and "
                    "answers 431 Request Header Fields Too Large.");
    size_t size = 16000 + 64;
    char *request = malloc(size);
    if (!request)
        return;
    int used = snprintf(request, size, "GET / HTTP/1.1\r\nHost: lab\r\nX-Filler: ");
    memset(request + used, 'x', size - (size_t)used - 5);
    memcpy(request + size - 5, "\r\n\r\n", 5);
    int status[SERVERS] = { 0 }, exit_status = 0;
    for (int k = 0; k < SERVERS; k++) {
        struct lab_server *s = &l->servers[k];
        server_start(l->lab, s, NULL);
        struct http_client c;
        if (client_open(&c, l->ip, s->port, 0, 2000)) {
            client_send(&c, request, size - 1, 2000);
            client_read_reply(&c, 2000, &status[k], NULL);
        }
        client_close(&c);
        int ended = server_stop(l->lab, s);
        if (k == NOTES)
            exit_status = ended;
        if (status[k])
            lab_show(l->lab, "%s replied %d", s->name, status[k]);
        else
            lab_show(l->lab, "%s closed the connection without a reply", s->name);
    }
    free(request);
    long needed = atomic_load(&l->servers[NOTES].report->overflow_needed);
    char text[64];
    lab_show(l->lab, "the notes' server %s; strcat() would have needed %ld bytes in 10240",
             sl_wait_status_describe(exit_status, text, sizeof text), needed);
    bool stopped = WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == NOTES_EXIT_OVERFLOW;
    lab_expect(l->lab, stopped && needed > 10240 && status[NOTES] == 0,
               "the notes' strcat() would have written past bufres[10240] (the lab stopped "
               "it there): no reply, and in C a corrupted stack");
    lab_expect(l->lab, status[CORRECT] == 431,
               "the correct server answers 431 to a request whose headers are too large");
}
