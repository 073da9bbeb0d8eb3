/* labs/11-epoll-server/servers.h — the two servers under test, as children of
 * the lesson: the notes' server (notes-server.c) and the correct one
 * (server.c). The lesson keeps each one's listening socket for the whole lab;
 * every scenario starts a fresh child on it and ends it (killed and reaped). */
#ifndef LAB11_SERVERS_H
#define LAB11_SERVERS_H

#include "notes-server.h"
#include "server.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sl_lab;

enum server_kind { SERVER_NOTES, SERVER_CORRECT };

struct lab_server {
    enum server_kind kind;
    const char *name;                   /* "the notes' server" */
    int listener;                       /* the lesson's; every child serves it */
    uint16_t port;
    pid_t pid;                          /* 0 when no child runs */
    struct notes_report *report;        /* the notes' server only: shared memory */
};

/* What one run of a server is given. Zero: the defaults. */
struct server_setup {
    int nofile;                         /* > 0: RLIMIT_NOFILE in the child */
    int idle_timeout_ms;                /* the correct server's deadlines */
    int header_timeout_ms;
    const char *root;                   /* the correct server's files (/big) */
    const struct notes_reply *reply;    /* the notes' server's fixed reply */
    struct http_server_stats *stats;    /* the correct server counts here (shared memory) */
    struct http_server_without without; /* techniques it does without */
};

/* The listening socket for one kind on the lab's port_index-th port: the notes'
 * own set-up (listen backlog 10) or a listener with the usual backlog. */
void server_open(struct sl_lab *lab, struct lab_server *s, enum server_kind kind,
                 int port_index);

/* Start a child serving s->listener (the report is zeroed first). */
void server_start(struct sl_lab *lab, struct lab_server *s, const struct server_setup *setup);

/* End the child (SIGTERM, then SIGKILL after a bounded wait) and reap it;
 * returns its wait status. */
int server_stop(struct sl_lab *lab, struct lab_server *s);

/* Close the listener and free the report. */
void server_close(struct lab_server *s);

/* Freeze (SIGSTOP) or thaw (SIGCONT) the child; true once it is in that state. */
bool server_freeze(struct lab_server *s, bool frozen);

/* What the child used while the lesson slept for ms milliseconds: its CPU
 * time (user + system, /proc/PID/stat), the time it was running or waiting
 * for a CPU (/proc/PID/schedstat; -1 when the kernel does not expose it),
 * and the wall-clock time that passed. */
struct server_cpu {
    double cpu_ms, runnable_ms, wall_ms;
};
struct server_cpu server_cpu_over(const struct lab_server *s, int ms);

/* The built-in page as the notes' server sends it: a fixed HTTP reply. */
const struct notes_reply *notes_reply_page(void);

#endif
