/* labs/11-epoll-server/notes-server.h — the original notes' epoll server,
 * transcribed on purpose so lab 11 can run it beside the correct one.
 *
 *     int sock = notes_server_listen("127.0.0.1", 0);     // in the lesson
 *     if (fork() == 0)
 *         notes_server_loop(sock, &reply, report);          // never returns
 *
 * The report lives in memory shared with the lesson (mmap MAP_SHARED before
 * the fork): the lab's own counters, so it can show what the notes' loop did. */
#ifndef LAB11_NOTES_SERVER_H
#define LAB11_NOTES_SERVER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* The notes' `epoll_event events[20]`. */
#define NOTES_EVENTS 20

/* The exit status of the transcription when strcat() was about to write past
 * its buffer: it stops there instead of corrupting its stack. */
#define NOTES_EXIT_OVERFLOW 86

/* What the lab counts inside the notes' loop (the notes count nothing). */
struct notes_report {
    atomic_long recv_eagain;      /* recv() calls that answered EAGAIN */
    atomic_long replies;          /* replies sent (each followed by close) */
    atomic_int most_events;       /* the largest count epoll_wait() returned */
    atomic_int accept_error;      /* errno of the last accept() that broke the loop
                                     with something other than EAGAIN; 0: none */
    atomic_long overflow_needed;  /* bytes strcat() would have needed in bufres */
};

/* The reply the notes leave implied: fixed bytes, sent to every request. */
struct notes_reply {
    const char *bytes;
    size_t len;
};

/* socket(), bind() to ip:port (port 0: the kernel chooses), listen(sock, 10),
 * O_NONBLOCK: the notes' set-up. Returns the listening socket; a failure is a
 * set-up error of the lab (exit status 2). */
int notes_server_listen(const char *ip, uint16_t port);

/* The notes' event loop on `sock`. It never returns: the lab kills it. */
_Noreturn void notes_server_loop(int sock, const struct notes_reply *reply,
                                 struct notes_report *report);

#endif
