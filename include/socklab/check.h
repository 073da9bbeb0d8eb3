/* check.h — one way to fail, for every program of the house.
 *
 * As TLPI's errExit/fatal/usageErr, the family shares one output routine:
 * every message is one line on stderr, "program: what went wrong", where
 * program is the running program's own name (lab06-time-wait, sockdash,
 * socklab). Exit statuses are those of lab.h: 1 only ever comes from a lab
 * whose expectation failed; everything here exits with 2 (usage or set-up).
 *
 * CHECK() wraps a raw call and keeps it visible in the lab's source:
 *
 *     int fd = CHECK(socket(AF_INET, SOCK_STREAM, 0));
 *
 * On success it returns the call's value. On -1 it reports the call's own
 * text, errno by name and message, file and line, then exits with status 2: a
 * set-up error, the kernel refused something the lesson is not about. Where
 * the error *is* the lesson (EAGAIN, EPIPE, EADDRINUSE), a lab tests the
 * value itself. CHECK_TRUE() is the form for calls that set no errno
 * (inet_pton returns 1 on success and sets errno only for a bad family).
 *
 * Who exits and who returns:
 *   - check, the step engine (lab*.c) and net's set-up helpers exit: they
 *     serve programs whose only sensible answer to a failed set-up is to stop
 *     and say why;
 *   - addr, filter, diag, owner, watch, trace, json and the dashboard's parts
 *     return: -errno where a system call failed (said in each header), or
 *     false with a reason; their callers choose (sockdash falls back from
 *     netlink to /proc, says so, and keeps running). */
#ifndef SOCKLAB_CHECK_H
#define SOCKLAB_CHECK_H

#include <stddef.h>

#define CHECK(call) sl_check((long)(call), #call, __FILE__, __LINE__)
#define CHECK_TRUE(cond) sl_check_true((cond) ? 1 : 0, #cond, __FILE__, __LINE__)

long sl_check(long result, const char *call_text, const char *file, int line);
void sl_check_true(int ok, const char *cond_text, const char *file, int line);

/* "program: what, EAGAIN (Resource temporarily unavailable)" and exit 2. */
_Noreturn void sl_die_errno(int err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "program: what" and exit 2. */
_Noreturn void sl_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Bad input: "program: what is wrong and what to do" on stderr, then exit 2.
 * program names the tool the user typed (NULL: the running program). */
_Noreturn void sl_usage_error(const char *program, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Where the program is, for the messages above: the step engine registers a
 * function that writes "step 3 (The server closes too)" into buf, so a
 * set-up failure inside a lab names its step. NULL removes it. */
void sl_error_context(void (*describe)(char *buf, size_t len));

/* "EAGAIN" for EAGAIN; "E123" style for a number glibc has no name for. The
 * buffer form never fails; the returned pointer is either a static name or buf. */
const char *sl_errno_name(int err, char buf[static 16]);

/* "EAGAIN (Resource temporarily unavailable)" into buf; returns buf. */
char *sl_errno_describe(int err, char *buf, size_t len);

#endif
