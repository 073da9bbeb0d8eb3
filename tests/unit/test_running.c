/* test_running.c — the notes running labs leave for other terminals: written
 * whole, listed newest first, a stale one (its process gone, or its pid now
 * another process's) removed, a directory that is not the user's refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socklab/running.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char runtime[64];

static int make_runtime(void **state)
{
    (void)state;
    snprintf(runtime, sizeof runtime, "/tmp/socklab-running-test.XXXXXX");
    if (!mkdtemp(runtime))
        return -1;
    setenv("XDG_RUNTIME_DIR", runtime, 1);
    return 0;
}

static int remove_runtime(void **state)
{
    (void)state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", runtime);
    return system(command) == 0 ? 0 : -1;
}

static void a_note_is_listed_then_removed(void **state)
{
    (void)state;
    char path[256];
    assert_int_equal(sl_running_register(9, "rst-and-linger", true, path, sizeof path), 0);
    struct sl_running found[4];
    assert_int_equal(sl_running_list(found, 4), 1);
    assert_int_equal(found[0].pid, getpid());
    assert_int_equal(found[0].number, 9);
    assert_string_equal(found[0].name, "rst-and-linger");
    assert_true(found[0].private_net);
    char dir[256];
    struct stat st;
    snprintf(dir, sizeof dir, "%s/socklab", runtime);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 077, 0);              /* the directory is the user's alone */
    assert_int_equal(unlink(path), 0);
    assert_int_equal(sl_running_list(found, 4), 0);
}

static void stale_notes_are_removed(void **state)
{
    (void)state;
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0);                            /* a pid whose process has gone */
    char path[256];
    snprintf(path, sizeof path, "%s/socklab/%d", runtime, (int)child);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%d 12345 2 handshake 1\n", (int)child);
    fclose(f);
    snprintf(path, sizeof path, "%s/socklab/%d", runtime, (int)getpid());
    f = fopen(path, "w");                               /* our pid, another start time */
    assert_non_null(f);
    fprintf(f, "%d 1 2 handshake 1\n", (int)getpid());
    fclose(f);
    struct sl_running found[4];
    assert_int_equal(sl_running_list(found, 4), 0);
    assert_int_equal(access(path, F_OK), -1);
}

static void a_directory_open_to_others_is_refused(void **state)
{
    (void)state;
    char dir[256], path[256];
    snprintf(dir, sizeof dir, "%s/socklab", runtime);
    assert_int_equal(chmod(dir, 0777), 0);
    assert_int_equal(sl_running_register(2, "handshake", false, path, sizeof path), -EPERM);
    struct sl_running found[4];
    assert_int_equal(sl_running_list(found, 4), -EPERM);
    assert_int_equal(chmod(dir, 0700), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_note_is_listed_then_removed),
        cmocka_unit_test(stale_notes_are_removed),
        cmocka_unit_test(a_directory_open_to_others_is_refused),
    };
    return cmocka_run_group_tests_name("running", tests, make_runtime, remove_runtime);
}
