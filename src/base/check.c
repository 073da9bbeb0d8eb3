/* check.c — the error family: one output routine, errno by name (see check.h). */
#include "check_internal.h"

#include "socklab/i18n.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The step engine's "step N (title)", when a lab is running. The one piece of
 * state here: the messages come from anywhere in a program. */
static void (*context_of)(char *buf, size_t len);

void sl_error_context(void (*describe)(char *buf, size_t len))
{
    context_of = describe;
}

const char *sl_errno_name(int err, char buf[static 16])
{
    const char *name = strerrorname_np(err);    /* glibc >= 2.32 */
    if (name)
        return name;
    snprintf(buf, 16, "E%d", err);
    return buf;
}

char *sl_errno_describe(int err, char *buf, size_t len)
{
    char number[16];
    snprintf(buf, len, "%s (%s)", sl_errno_name(err, number), strerror(err));
    return buf;
}

char *sl_check_format(char *buf, size_t len, const char *call_text, int err,
                      const char *file, int line)
{
    char what[128];
    snprintf(buf, len, _("%s failed: %s at %s:%d"), call_text,
             sl_errno_describe(err, what, sizeof what), file, line);
    return buf;
}

/* The one output routine: "program: [step N (title): ]text[, errno]", the
 * text in the user's language (i18n.h: the format is translated here, so
 * every caller of the family is translated by it). */
static _Noreturn void report(const char *program, int err, const char *fmt, va_list ap)
{
    char where[160] = "";
    if (context_of) {
        context_of(where, sizeof where - 2);
        if (where[0])
            strcat(where, ": ");
    }
    fflush(stdout);
    fprintf(stderr, "%s: %s", program ? program : program_invocation_short_name, where);
    vfprintf(stderr, _(fmt), ap);
    if (err) {
        char what[128];
        fprintf(stderr, ", %s", sl_errno_describe(err, what, sizeof what));
    }
    fputc('\n', stderr);
    exit(2);
}

/* sl_die for a message already in the user's language. */
static _Noreturn __attribute__((format(printf, 1, 2))) void die_untranslated(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(NULL, 0, fmt, ap);
}

void sl_die_errno(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(NULL, err, fmt, ap);
}

void sl_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(NULL, 0, fmt, ap);
}

void sl_usage_error(const char *program, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(program, 0, fmt, ap);
}

/* A hint for the set-up errors a class meets most. */
static const char *hint_for(int err, const char *call_text)
{
    bool binding = strstr(call_text, "bind(") || strstr(call_text, "listen");
    switch (binding ? err : err == EMFILE || err == ENFILE ? err : 0) {
    case EADDRINUSE:
        return _(" (another program, or another run's TIME-WAIT, holds the port: choose "
                 "another --port or leave it out)");
    case EACCES:
        return _(" (ports below net.ipv4.ip_unprivileged_port_start need root: choose "
                 "--port 1024 or above)");
    case EMFILE:
    case ENFILE:
        return _(" (out of file descriptors: see ulimit -n)");
    default:
        return "";
    }
}

long sl_check(long result, const char *call_text, const char *file, int line)
{
    if (result != -1)
        return result;
    int err = errno;
    char message[512];
    sl_check_format(message, sizeof message, call_text, err, file, line);
    die_untranslated("%s%s", message, hint_for(err, call_text));
}

void sl_check_true(int ok, const char *cond_text, const char *file, int line)
{
    if (!ok)
        die_untranslated(_("%s is false at %s:%d"), cond_text, file, line);
}
