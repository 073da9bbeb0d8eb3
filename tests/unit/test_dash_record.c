/* test_dash_record.c — recordings read back strictly: what is not JSON, or not
 * a recording, is refused with the line it is on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FRAME "{\"type\":\"frame\",\"at\":0.000,\"sockets\":1,\"traced\":0,\"polled\":0}\n"
#define SOCKET "{\"type\":\"socket\",\"state\":10,\"state_name\":\"LISTEN\"," \
    "\"local\":\"127.0.0.1:8080\",\"peer\":\"0.0.0.0:*\",\"recv_q\":0,\"send_q\":128," \
    "\"timer\":0,\"timer_ms\":0,\"retransmits\":0,\"inode\":7}\n"

/* Load a recording made of text; why holds the reason when it is refused. */
static bool load(const char *text, char *why, size_t len)
{
    char path[] = "/tmp/socklab-record-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct dash_recording rec;
    bool ok = dash_recording_load(path, &rec, why, len);
    if (ok)
        dash_recording_free(&rec);
    unlink(path);
    return ok;
}

static void assert_refused(const char *text, const char *want)
{
    char why[256];
    assert_false(load(text, why, sizeof why));
    assert_string_equal(why, want);
}

static void a_good_recording_loads(void **state)
{
    (void)state;
    char why[256];
    assert_true(load(FRAME SOCKET FRAME SOCKET, why, sizeof why));
}

static void nan_is_not_json(void **state)
{
    (void)state;
    assert_refused(FRAME SOCKET "{\"type\":\"frame\",\"at\":nan,\"sockets\":0,\"traced\":0,"
                   "\"polled\":0}\n",
                   "line 3: not JSON (invalid token near 'nan')");
    assert_refused("{\"type\":\"frame\",\"at\":Infinity,\"sockets\":0,\"traced\":0,\"polled\":0}\n",
                   "line 1: not JSON (invalid token near 'Infinity')");
}

static void malformed_frames_are_refused(void **state)
{
    (void)state;
    assert_refused(FRAME "{\"type\":\"socket\",\"state\":10,}\n",
                   "line 2: not JSON (string or '}' expected near '}')");
    assert_refused("{\"type\":\"frame\",\"at\":0,\"sockets\":0,\"traced\":0,\"polled\":0} x\n",
                   "line 1: not JSON (end of file expected near 'x')");
    assert_refused("{\"type\":\"frame\",\"at\":0,\"at\":1,\"sockets\":0,\"traced\":0,\"polled\":0}\n",
                   "line 1: not JSON (duplicate object key near '\"at\"')");
    assert_refused("{\"type\":\"frame\",\"at\":\"0\",\"sockets\":0,\"traced\":0,\"polled\":0}\n",
                   "line 1: \"at\" is missing or not a number");
    assert_refused("{\"type\":\"frame\",\"at\":0,\"sockets\":1.5,\"traced\":0,\"polled\":0}\n",
                   "line 1: \"sockets\" is missing or not a whole number");
    assert_refused("{\"type\":\"frame\",\"at\":-1,\"sockets\":0,\"traced\":0,\"polled\":0}\n",
                   "line 1: \"at\" is out of range");
    assert_refused(FRAME "{\"type\":\"change\"}\n", "line 2: expected a \"socket\" object");
    assert_refused("[1,2]\n", "line 1: expected a \"frame\" object");
    assert_refused(FRAME, "after line 1: the recording ends in the middle of a frame");
    assert_refused("", "the recording has no frames");
}

static void a_directory_is_not_a_recording(void **state)
{
    (void)state;
    struct dash_recording rec;
    char why[256];
    assert_false(dash_recording_load("/tmp", &rec, why, sizeof why));
    assert_string_equal(why, "is a directory, not a recording (a file made by --record)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_recording_loads),
        cmocka_unit_test(nan_is_not_json),
        cmocka_unit_test(malformed_frames_are_refused),
        cmocka_unit_test(a_directory_is_not_a_recording),
    };
    return cmocka_run_group_tests_name("dash_record", tests, NULL, NULL);
}
