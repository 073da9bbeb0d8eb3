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

/* How many of the n sockets with these tuples pass match(socket, arg), in a
 * fresh snapshot every 5 ms until all n do or timeout_ms has passed. */
int lesson_count_sockets(const struct sl_tuple *tuples, int n,
                         bool (*match)(const struct sl_socket *, int), int arg, int timeout_ms);

/* How many of the n sockets with these tuples are in `state`, observed again
 * until all are or timeout_ms has passed; the last observation is shown. */
int lesson_count_state(struct sl_lab *lab, const struct sl_tuple *tuples, int n, int state,
                       int timeout_ms);

/* Wait (bounded) until the server has accepted every connection queued on its
 * listener; returns how many still wait there. */
int lesson_wait_accepted(const struct lab_server *s, int timeout_ms);

/* The tuple as the other end sees it. */
void lesson_reverse_tuple(const struct sl_tuple *t, struct sl_tuple *out);

/* Write the big file under a new temporary root, and the same bytes as the
 * notes' reply; remove them again. */
void lesson_make_big_reply(struct lesson *l);
void lesson_remove_big_reply(struct lesson *l);

/* The numbers in a /proc file (e.g. /proc/sys/net/ipv4/tcp_wmem), at most n;
 * returns how many were read. */
int lesson_read_numbers(const char *path, long *out, int n);

#endif
