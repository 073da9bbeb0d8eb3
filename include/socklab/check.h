/* check.h — report a failed system call the way a lab should.
 *
 * CHECK() wraps a raw call and keeps it visible in the lab's source:
 *
 *     int fd = CHECK(socket(AF_INET, SOCK_STREAM, 0));
 *
 * On success it returns the call's value. On -1 it prints the call's own text,
 * errno by name and message, file and line, then exits with status 2 (a set-up
 * error: the kernel refused something the lesson is not about). Where the error
 * *is* the lesson (EAGAIN, EPIPE, EADDRINUSE), a lab tests the value itself. */
#ifndef SOCKLAB_CHECK_H
#define SOCKLAB_CHECK_H

#include <stddef.h>

#define CHECK(call) sl_check((long)(call), #call, __FILE__, __LINE__)

long sl_check(long result, const char *call_text, const char *file, int line);

/* Bad input: "program: what is wrong and what to do" on stderr, then exit 2. */
_Noreturn void sl_usage_error(const char *program, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "EAGAIN" for EAGAIN; "E123" style for a number glibc has no name for. The
 * buffer form never fails; the returned pointer is either a static name or buf. */
const char *sl_errno_name(int err, char buf[static 16]);

/* "EAGAIN (Resource temporarily unavailable)" into buf; returns buf. */
char *sl_errno_describe(int err, char *buf, size_t len);

/* The one line CHECK prints, into buf (tested on its own; CHECK then exits). */
char *sl_check_format(char *buf, size_t len, const char *call_text, int err,
                      const char *file, int line);

#endif
