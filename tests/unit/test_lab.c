/* test_lab.c — the step engine: expectations counted, exit statuses, options,
 * results with errno names, pause hints, and the step's own source excerpt.
 *
 * Each case runs a tiny lab in a child process with its output captured, so
 * exits (status 2 on bad options, q, ...) are observed as a user would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socklab/lab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct sl_lab_flag flags[] = {
    { "et", "use edge-triggered mode" },
    { NULL, NULL },
};

static const struct sl_lab_info info = {
    .number = 99, .name = "unit", .title = "A lab for the engine's tests",
    .goal = "Exercise every event.", .ports = 2, .flags = flags,
};

/* The lab under test: `failures` of its three expectations fail. */
static int tiny_lab(int argc, char **argv, int failures)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    lab_step(lab, "First step");
    lab_say(lab, "narration that must not appear in the source excerpt");
    int marker_line_of_code = 41;
    lab_expect(lab, failures < 1, "first claim");
    lab_expect(lab, failures < 2, "second claim");
    lab_step(lab, "Second step");
    long n = lab_call(lab, recv(-1, NULL, 0, 0));
    int err = errno;
    lab_expect(lab, n == -1 && err == EBADF, "errno survives lab_call");
    lab_show(lab, "flag et is %s, port 1 is %u", sl_lab_flag(lab, "et") ? "on" : "off",
             sl_lab_port(lab, 1));
    sl_lab_watch_port(lab, 5000);
    lab_pause(lab, "the class looks");
    (void)marker_line_of_code;
    return sl_lab_end(lab);
}

struct run {
    int status;                 /* exit status, or -1 if not a normal exit */
    char out[16384];
    char err[4096];
};

static void slurp(FILE *f, char *buf, size_t len)
{
    rewind(f);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void run_tiny_lab(struct run *r, int failures, const char *const *args)
{
    char *argv[16] = { "lab99-unit" };
    int argc = 1;
    for (; args[argc - 1]; argc++)
        argv[argc] = (char *)args[argc - 1];
    argv[argc] = NULL;

    FILE *out = tmpfile(), *err = tmpfile();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fileno(out), STDOUT_FILENO);
        dup2(fileno(err), STDERR_FILENO);
        optind = 1;
        int status = tiny_lab(argc, argv, failures);
        fflush(stdout);
        exit(status);
    }
    int status;
    waitpid(pid, &status, 0);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    slurp(out, r->out, sizeof r->out);
    slurp(err, r->err, sizeof r->err);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void all_held_exits_0(void **state)
{
    (void)state;
    struct run r;
    run_tiny_lab(&r, 0, (const char *[]){ "--json", "--auto", NULL });
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"event\":\"end\",\"step\":2,\"expectations\":3,"
                                  "\"held\":3,\"failed\":0,\"quit\":false,\"status\":0}"));
}

static void one_failure_exits_1(void **state)
{
    (void)state;
    struct run r;
    run_tiny_lab(&r, 1, (const char *[]){ "--json", "--auto", NULL });
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "\"claim\":\"first claim\",\"ok\":false"));
    assert_non_null(strstr(r.out, "\"expectations\":3,\"held\":2,\"failed\":1"));
    run_tiny_lab(&r, 2, (const char *[]){ "--auto", NULL });      /* text mode */
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "[FAIL] second claim"));
    assert_non_null(strstr(r.out, "3 expectations: 1 held, 2 failed"));
}

static void results_carry_errno_names(void **state)
{
    (void)state;
    struct run r;
    run_tiny_lab(&r, 0, (const char *[]){ "--json", "--auto", NULL });
    assert_non_null(strstr(r.out, "\"call\":\"recv(-1, NULL, 0, 0)\",\"return\":-1,"
                                  "\"errno\":\"EBADF\",\"error\":\"Bad file descriptor\""));
    run_tiny_lab(&r, 0, (const char *[]){ "--auto", NULL });
    assert_non_null(strstr(r.out, "recv(-1, NULL, 0, 0) = -1  EBADF (Bad file descriptor)"));
}

static void options_reach_the_lab(void **state)
{
    (void)state;
    struct run r;
    run_tiny_lab(&r, 0, (const char *[]){ "--json", "--auto", "--et", "--port", "5000", NULL });
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "flag et is on, port 1 is 5001"));
    run_tiny_lab(&r, 0, (const char *[]){ "--json", "--auto", NULL });
    assert_non_null(strstr(r.out, "flag et is off, port 1 is 0"));
}

static void pause_names_the_ss_command(void **state)
{
    (void)state;
    struct run r;
    run_tiny_lab(&r, 0, (const char *[]){ "--json", "--auto", NULL });
    assert_non_null(strstr(r.out, "\"look\":\"the class looks\",\"hints\":["
                                  "\"ss -tano '( sport = :5000 or dport = :5000 )'\""));
}

static void bad_options_exit_2_with_one_line(void **state)
{
    (void)state;
    const char *const *bad[] = {
        (const char *[]){ "--bogus", NULL },
        (const char *[]){ "--port", NULL },
        (const char *[]){ "--port", "0", NULL },
        (const char *[]){ "--port", "65535", NULL },     /* two ports do not fit */
        (const char *[]){ "--port", "12ab", NULL },
        (const char *[]){ "--delay", "-5", NULL },
        (const char *[]){ "--bind", "localhost", NULL },
        (const char *[]){ "stray", NULL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct run r;
        run_tiny_lab(&r, 0, bad[i]);
        assert_int_equal(r.status, 2);
        assert_int_equal(count_lines(r.err), 1);
        assert_non_null(strstr(r.err, "lab99-unit: "));
        assert_string_equal(r.out, "");
    }
}

static void describe_help_version_exit_0(void **state)
{
    (void)state;
    struct run r;
    run_tiny_lab(&r, 0, (const char *[]){ "--describe", NULL });
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "{\"number\":99,\"name\":\"unit\",\"title\":\"A lab for the "
                               "engine's tests\",\"goal\":\"Exercise every event.\"}\n");
    run_tiny_lab(&r, 0, (const char *[]){ "--help", NULL });
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "--et"));
    assert_non_null(strstr(r.out, "use edge-triggered mode"));
    run_tiny_lab(&r, 0, (const char *[]){ "--version", NULL });
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "socklab "));
}

static void source_excerpt_is_the_steps_code(void **state)
{
    (void)state;
    setenv("SOCKLAB_SOURCE_DIR", "tests/unit", 1);   /* where this file is */
    struct run r;
    run_tiny_lab(&r, 0, (const char *[]){ "--json", "--auto", NULL });
    char *source = strstr(r.out, "\"event\":\"source\",\"step\":1");
    assert_non_null(source);
    char *line_end = strchr(source, '\n');
    *line_end = '\0';
    assert_non_null(strstr(source, "int marker_line_of_code = 41;"));
    assert_non_null(strstr(source, "lab_expect(lab, failures < 2, \\\"second claim\\\");"));
    assert_null(strstr(source, "narration"));          /* lab_say is shown as narration */
    assert_null(strstr(source, "Second step"));        /* the next step is not this one */
    run_tiny_lab(&r, 0, (const char *[]){ "--json", "--auto", "--no-source", NULL });
    assert_null(strstr(r.out, "\"event\":\"source\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_held_exits_0),
        cmocka_unit_test(one_failure_exits_1),
        cmocka_unit_test(results_carry_errno_names),
        cmocka_unit_test(options_reach_the_lab),
        cmocka_unit_test(pause_names_the_ss_command),
        cmocka_unit_test(bad_options_exit_2_with_one_line),
        cmocka_unit_test(describe_help_version_exit_0),
        cmocka_unit_test(source_excerpt_is_the_steps_code),
    };
    return cmocka_run_group_tests_name("lab", tests, NULL, NULL);
}
