/* lab.h — the step engine every lab runs on.
 *
 * A lab is a main() that declares who it is, then tells a story in steps:
 *
 *     static const struct sl_lab_info info = {
 *         .number = 3, .name = "blocking-vs-nonblocking",
 *         .title = "...", .goal = "...", .ports = 1,
 *     };
 *     int main(int argc, char **argv)
 *     {
 *         struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
 *         lab_step(lab, "An empty non-blocking socket");
 *         lab_say(lab, "Nothing has been sent yet. What does recv() say?");
 *         ssize_t n = lab_call(lab, recv(fd, buf, sizeof buf, MSG_DONTWAIT));
 *         lab_expect(lab, n == -1 && errno == EAGAIN,
 *                    "recv() on an empty non-blocking socket fails with EAGAIN");
 *         lab_pause(lab, "the socket is still ESTAB: nothing was lost");
 *         return sl_lab_end(lab);
 *     }
 *
 * Each step records its file and line, so the engine can show the lab's own
 * code between this step and the next: what the student reads is what ran.
 * Every expectation is checked on the running kernel and counted; the exit
 * status is 0 when all held, 1 when one failed, 2 for usage or set-up errors.
 *
 * Presenters (chosen by the common options): text, with colour on a terminal
 * unless NO_COLOR is set; or JSON lines (--json), one object per event. */
#ifndef SOCKLAB_LAB_H
#define SOCKLAB_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "socklab/diag.h"

/* A variant of a lab, switched on by --NAME (e.g. --et, --no-loop). */
struct sl_lab_flag {
    const char *name;
    const char *help;
};

struct sl_lab_info {
    int number;                         /* its place in the curriculum: 1..99 */
    const char *name;                   /* "byte-order": the file is labs/01-byte-order.c */
    const char *title;                  /* one line */
    const char *goal;                   /* what the class will have seen at the end */
    int ports;                          /* how many ports it uses from --port N on */
    const struct sl_lab_flag *flags;    /* its variants, ended by { NULL, NULL } */
};

struct sl_lab;

/* Parse the common options (and the lab's flags), answer --help, --version and
 * --describe, and announce the lab. Bad options: one line on stderr, exit 2. */
struct sl_lab *sl_lab_begin(int argc, char **argv, const struct sl_lab_info *info);

/* Report the totals, release everything; returns the exit status (0 or 1). */
int sl_lab_end(struct sl_lab *lab);

/* The address labs bind to: 127.0.0.1 unless --bind says otherwise. */
const char *sl_lab_bind_ip(const struct sl_lab *lab);

/* The index-th port the lab may use (--port N gives N + index), or 0 when no
 * --port was given: the lab then lets the kernel choose. */
uint16_t sl_lab_port(const struct sl_lab *lab, int index);

/* Add a port to the ones the pause hints and observations cover. */
void sl_lab_watch_port(struct sl_lab *lab, uint16_t port);

/* True when the lab was started with --NAME, NAME one of info->flags. */
bool sl_lab_flag(const struct sl_lab *lab, const char *name);

/* True in --auto mode (no waiting at pauses). */
bool sl_lab_auto(const struct sl_lab *lab);

/* --- the story ------------------------------------------------------------ */

#define lab_step(lab, ...) sl_lab_step((lab), __FILE__, __LINE__, __VA_ARGS__)
#define lab_say(lab, ...) sl_lab_say((lab), __VA_ARGS__)
#define lab_show(lab, ...) sl_lab_show((lab), __VA_ARGS__)
#define lab_pause(lab, ...) sl_lab_pause((lab), __VA_ARGS__)

/* Run a raw system call, show its text and what the kernel answered (the value,
 * errno by name when it is -1, and how long it took), and return its value.
 * errno is left as the call set it, so the lab can test it next. */
#define lab_call(lab, call) \
    (sl_lab_call_start(lab), sl_lab_call_done((lab), #call, (long)(call)))

/* Check a claim on the running kernel; counted, shown pass/fail; returns cond. */
#define lab_expect(lab, cond, ...) \
    sl_lab_expect((lab), __FILE__, __LINE__, (cond) ? true : false, __VA_ARGS__)

#define SL_PRINTF(f, a) __attribute__((format(printf, f, a)))

void sl_lab_step(struct sl_lab *lab, const char *file, int line, const char *fmt, ...)
    SL_PRINTF(4, 5);
void sl_lab_say(struct sl_lab *lab, const char *fmt, ...) SL_PRINTF(2, 3);
void sl_lab_show(struct sl_lab *lab, const char *fmt, ...) SL_PRINTF(2, 3);
bool sl_lab_expect(struct sl_lab *lab, const char *file, int line, bool ok,
                   const char *fmt, ...) SL_PRINTF(5, 6);

/* A named pause: "look: <what>", then the exact ss and netstat commands for the
 * lab's ports. Waits for Enter on a terminal (q ends the lab cleanly); in
 * --auto mode or without a terminal it waits --delay milliseconds. */
void sl_lab_pause(struct sl_lab *lab, const char *fmt, ...) SL_PRINTF(2, 3);

void sl_lab_call_start(struct sl_lab *lab);
long sl_lab_call_done(struct sl_lab *lab, const char *call_text, long result);

/* --- what the kernel says about the lab's sockets -------------------------- */

/* Take a snapshot of the sockets on the watched ports (sock_diag, else /proc),
 * show it (a small ss-like table in text, an "observe" event in JSON) and keep
 * it for sl_lab_state(). */
void sl_lab_observe(struct sl_lab *lab);

/* The state of the socket with this 4-tuple in the last observation (see
 * sl_tuple_of_fd; save the tuple before close() to follow a socket into
 * TIME-WAIT), or 0 when it is not there. */
int sl_lab_state(const struct sl_lab *lab, const struct sl_tuple *tuple);

/* That socket in the last observation, or NULL. */
const struct sl_socket *sl_lab_socket(const struct sl_lab *lab, const struct sl_tuple *tuple);

/* Observe again every few milliseconds, for at most timeout_ms, until the
 * socket with this tuple is in `state` (0: until it is gone); then show the
 * observation. True when it got there. State changes on loopback take a few
 * microseconds, but they happen after the call that caused them returns. */
bool sl_lab_wait_state(struct sl_lab *lab, const struct sl_tuple *tuple, int state,
                       int timeout_ms);

/* --- children -------------------------------------------------------------- */

/* fork() for labs: the child is remembered, and killed and reaped if the lab
 * ends early (q at a pause, Ctrl-C, a set-up error). */
pid_t sl_lab_fork(struct sl_lab *lab);

/* Wait at most timeout_ms for a child forked with sl_lab_fork; returns true and
 * its wait status, or false (the child is then killed and reaped). */
bool sl_lab_wait_child(struct sl_lab *lab, pid_t pid, int timeout_ms, int *status);

/* "exited with status 0" / "killed by SIGPIPE" for a wait status. */
const char *sl_wait_status_describe(int status, char *buf, size_t len);

#endif
