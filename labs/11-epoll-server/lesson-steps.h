/* labs/11-epoll-server/lesson-steps.h — what the steps of lab 11 share: the
 * lab, the two servers, and the large file the slow-reader step serves. Each
 * step runs one scenario against both servers and checks what it measured. */
#ifndef LAB11_LESSON_STEPS_H
#define LAB11_LESSON_STEPS_H

#include "clients.h"
#include "servers.h"

#include <stdbool.h>
#include <stddef.h>

struct sl_socket;
struct sl_tuple;

enum { NOTES, CORRECT, SERVERS };

#define NOTES_BACKLOG 10        /* notes-server.c: listen(sock, 10) */

struct lesson {
    struct sl_lab *lab;
    const char *ip;
    struct lab_server servers[SERVERS];     /* [NOTES], [CORRECT] */
    char root[64];                          /* a temporary directory holding "big" */
    size_t big_size;                        /* its size: more than a send buffer holds */
    struct notes_reply big_reply;           /* the same bytes, as the notes' reply */
};

/* lesson-http.c: what a well-behaved client sees. */
void step_keep_alive(struct lesson *l);
void step_pipelined(struct lesson *l);
void step_time_wait(struct lesson *l);
void step_burst(struct lesson *l);
void step_maxevents(struct lesson *l);

/* lesson-abuse.c: clients that are slow, idle, greedy or too big. */
void step_half_request(struct lesson *l);
void step_slow_reader(struct lesson *l);
void step_emfile(struct lesson *l);
void step_idle_and_slowloris(struct lesson *l);
void step_oversized(struct lesson *l);

/* lesson-cost.c: what the correct server's techniques save, counted. */
void step_cost(struct lesson *l);

/* How many of the n sockets with these tuples pass match(socket, arg), in a
 * fresh snapshot every 5 ms until all n do or timeout_ms has passed. Nothing
 * is shown: a step that wants the class to see the sockets observes them. */
int lesson_count_sockets(const struct sl_tuple *tuples, int n,
                         bool (*match)(const struct sl_socket *, int), int arg, int timeout_ms);
bool lesson_in_state(const struct sl_socket *s, int state);

/* Make sure the lab may open `needed` descriptors (raising its soft
 * RLIMIT_NOFILE up to the hard one, and saying so); false when it cannot. */
bool lesson_enough_descriptors(struct sl_lab *lab, long needed);

/* How many TIME-WAIT records this network namespace holds now. */
int lesson_time_wait_count(void);

/* Receive queues (Recv-Q) of at most / at least `bytes`, as count matches. */
bool lesson_queue_at_most(const struct sl_socket *s, int bytes);
bool lesson_queue_at_least(const struct sl_socket *s, int bytes);

/* Wait (bounded) until the client's socket, or the server's end of its
 * connection, has a Recv-Q that matches; true when it got there. */
bool lesson_wait_queue(const struct http_client *c, bool server_side,
                       bool (*match)(const struct sl_socket *, int), int bytes, int timeout_ms);

/* How many of the n clients' requests wait, unread, at the server's end of
 * their connections (bounded: until all n do or timeout_ms has passed). */
int lesson_requests_queued(const struct http_client *c, int n, int timeout_ms);

/* How many of them are in `state` in the last observation. */
int lesson_count_observed(const struct sl_lab *lab, const struct sl_tuple *tuples, int n,
                          int state);

/* The server's accept queue (its listener's Recv-Q), taken again until it is
 * empty or timeout_ms has passed. */
int lesson_accept_queue(const struct lab_server *s, int timeout_ms);

/* The tuple as the other end sees it. */
void lesson_reverse_tuple(const struct sl_tuple *t, struct sl_tuple *out);

/* Write the big file under a new temporary root, and the same bytes as the
 * notes' reply (false, and nothing written, when tcp_wmem would make it larger
 * than 256 MiB); remove them again. */
bool lesson_make_big_reply(struct lesson *l);
void lesson_remove_big_reply(struct lesson *l);

#endif
