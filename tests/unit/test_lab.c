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

#include "socklab/check.h"
#include "socklab/lab.h"
#include "socklab/net.h"
#include "socklab/tcpstate.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
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

/* A step written as its own function: its excerpt ends with the function,
 * braces in strings and comments notwithstanding, and is never cut. */
static void long_step(struct sl_lab *lab)
{
    lab_step(lab, "A long step of its own");
    const char *brace = "}";   /* a brace in a string: not the end */
    /* } nor in a comment */
    int sum = 0;
    for (int i = 0; i < 3; i++) {
        sum += i;
    }
    sum += 1; sum += 2; sum += 3; sum += 4; sum += 5;
    sum += 6; sum += 7; sum += 8; sum += 9; sum += 10;
    sum += 11; sum += 12; sum += 13; sum += 14; sum += 15;
    sum += 16; sum += 17; sum += 18; sum += 19; sum += 20;
    sum += 21; sum += 22; sum += 23; sum += 24; sum += 25;
    sum += 26; sum += 27; sum += 28; sum += 29; sum += 30;
    sum += 31; sum += 32; sum += 33; sum += 34; sum += 35;
    sum += 36; sum += 37; sum += 38; sum += 39; sum += 40;
    sum += 41; sum += 42; sum += 43; sum += 44; sum += 45;
    sum += 46; sum += 47; sum += 48; sum += 49; sum += 50;
    sum += 51; sum += 52; sum += 53; sum += 54; sum += 55;
    sum += 56; sum += 57; sum += 58; sum += 59; sum += 60;
    sum += 61; sum += 62; sum += 63; sum += 64; sum += 65;
    sum += 66; sum += 67; sum += 68; sum += 69; sum += 70;
    sum += 71; sum += 72; sum += 73; sum += 74; sum += 75;
    sum += 76; sum += 77; sum += 78; sum += 79; sum += 80;
    sum += 81; sum += 82; sum += 83; sum += 84; sum += 85;
    sum += 86; sum += 87; sum += 88; sum += 89; sum += 90;
    sum += 91; sum += 92; sum += 93; sum += 94; sum += 95;
    sum += 96; sum += 97; sum += 98; sum += 99; sum += 100;
    sum += 101; sum += 102; sum += 103; sum += 104; sum += 105;
    sum += 106; sum += 107; sum += 108; sum += 109; sum += 110;
    sum += 111; sum += 112; sum += 113; sum += 114; sum += 115;
    sum += 116; sum += 117; sum += 118; sum += 119; sum += 120;
    sum += 121; sum += 122; sum += 123; sum += 124; sum += 125;
    sum += 126; sum += 127; sum += 128; sum += 129; sum += 130;
    sum += 131; sum += 132; sum += 133; sum += 134; sum += 135;
    sum += 136; sum += 137; sum += 138; sum += 139; sum += 140;
    sum += 141; sum += 142; sum += 143; sum += 144; sum += 145;
    sum += 146; sum += 147; sum += 148; sum += 149; sum += 150;
    lab_show(lab, "%s %d", brace, sum);
    int last_line_of_the_long_step = 1;
    (void)last_line_of_the_long_step;
}

static int after_the_long_step(void)
{
    return 0;
}

/* The lab under test: `failures` of its three expectations fail; a negative count adds
 * the step written as a function. */
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
    sl_lab_track_port(lab, 5000);
    lab_pause(lab, "the class looks");
    (void)marker_line_of_code;
    if (failures < 0)
        long_step(lab);
    return sl_lab_end(lab) + after_the_long_step();
}

/* Outcomes other than held and failed, and set-up errors inside a step. */
static int outcome_lab(int argc, char **argv, int mode)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    lab_step(lab, "Outcomes");
    lab_expect(lab, true, "a claim that held");
    lab_skip(lab, "net.ipv4.example is 1 here", "a claim this configuration rules out");
    int attempt = 0;
    bool sound;
    do {
        sound = mode != 1;               /* mode 1: the machine is always busy */
    } while (!sound && sl_lab_again(lab, &attempt, "the child ran %d ms late", 120));
    lab_expect_sound(lab, sound, true, "a timed claim");
    int pair[2];
    struct sl_tuple client, server;
    sl_tcp_pair("127.0.0.1", 0, pair);
    sl_lab_follow_pair(lab, pair, &client, &server);
    lab_expect(lab, sl_lab_wait_state(lab, &server, SL_TCP_ESTABLISHED, 1000) &&
                    server.local_port == client.peer_port,
               "a followed pair is found in the kernel's list");
    close(pair[0]);
    close(pair[1]);
    if (mode == 2)
        sl_lab_setup_error(lab, "the port was taken meanwhile");
    if (mode == 3)
        CHECK(close(-1));
    return sl_lab_end(lab);
}

/* A wait for a state that never comes (nothing closes the pair), and the
 * claim that it came. */
static int wait_lab(int argc, char **argv, int unused)
{
    (void)unused;
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    lab_step(lab, "A wait that runs out");
    int pair[2];
    struct sl_tuple client, server;
    sl_tcp_pair("127.0.0.1", 0, pair);
    sl_lab_follow_pair(lab, pair, &client, &server);
    lab_expect(lab, sl_lab_wait_state(lab, &server, SL_TCP_CLOSE_WAIT, 300),
               "the server's end reached CLOSE-WAIT");
    close(pair[0]);
    close(pair[1]);
    return sl_lab_end(lab);
}

struct run {
    int status;                 /* exit status, or -1 if not a normal exit */
    char out[65536];
    char err[4096];
};

static void slurp(FILE *f, char *buf, size_t len)
{
    rewind(f);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void run_lab(struct run *r, int (*lab_main)(int, char **, int), int failures,
                    const char *const *args)
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
        int status = lab_main(argc, argv, failures);
        fflush(stdout);
        exit(status);
    }
    int status;
    waitpid(pid, &status, 0);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    slurp(out, r->out, sizeof r->out);
    slurp(err, r->err, sizeof r->err);
}

static void run_tiny_lab(struct run *r, int failures, const char *const *args)
{
    run_lab(r, tiny_lab, failures, args);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The longest line of s, in bytes. */
static int longest_line(const char *s)
{
    int longest = 0, n = 0;
    for (; *s; s++) {
        n = *s == '\n' ? 0 : n + 1;
        if (n > longest)
            longest = n;
    }
    return longest;
}

static void text_fits_80_columns(void **state)
{
    (void)state;
    struct run r;                          /* a skipped claim is longer than a line */
    run_lab(&r, outcome_lab, 0, (const char *[]){ "--auto", "--no-source", NULL });
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "[skip] a claim this configuration rules out"));
    assert_true(longest_line(r.out) <= 80);
}

static void all_held_exits_0(void **state)
{
    (void)state;
    struct run r;
    run_tiny_lab(&r, 0, (const char *[]){ "--json", "--auto", NULL });
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "\"event\":\"end\",\"step\":2,\"expectations\":3,"
                                  "\"held\":3,\"failed\":0,\"skipped\":0,\"inconclusive\":0,"
                                  "\"quit\":false,\"status\":0}"));
}

static void one_failure_exits_1(void **state)
{
    (void)state;
    struct run r;
    run_tiny_lab(&r, 1, (const char *[]){ "--json", "--auto", NULL });
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "\"claim\":\"first claim\",\"outcome\":\"failed\","
                                  "\"ok\":false"));
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
    assert_non_null(strstr(r.out, "\"call\":\"recv(-1, NULL, 0, 0)\",\"line\":"));
    assert_non_null(strstr(r.out, "\"return\":-1,"
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
                               "engine's tests\",\"goal\":\"Exercise every event.\",\"ports\":2}\n");
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

static void skipped_and_inconclusive_are_counted_apart(void **state)
{
    (void)state;
    struct run r;
    run_lab(&r, outcome_lab, 0, (const char *[]){ "--json", "--auto", NULL });
    assert_int_equal(r.status, 0);                     /* a skip is not a failure */
    assert_non_null(strstr(r.out, "\"outcome\":\"skipped\",\"ok\":false,"
                                  "\"why\":\"net.ipv4.example is 1 here\""));
    assert_non_null(strstr(r.out, "\"held\":3,\"failed\":0,\"skipped\":1,"
                                  "\"inconclusive\":0"));
    run_lab(&r, outcome_lab, 1, (const char *[]){ "--json", "--auto", NULL });
    assert_int_equal(r.status, 3);                     /* inconclusive: the machine */
    assert_non_null(strstr(r.out, "attempt 2 of 3"));
    assert_non_null(strstr(r.out, "attempt 3 of 3"));
    assert_null(strstr(r.out, "attempt 4 of 3"));
    assert_non_null(strstr(r.out, "\"claim\":\"a timed claim\",\"outcome\":\"inconclusive\","
                                  "\"ok\":false,\"why\":\"the child ran 120 ms late\""));
    run_lab(&r, outcome_lab, 1, (const char *[]){ "--auto", NULL });
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.out, "[skip] a claim this configuration rules out"));
    assert_non_null(strstr(r.out, "[??]   a timed claim"));
    assert_non_null(strstr(r.out, "0 failed, 1 skipped, 1 inconclusive"));
}

/* The kernel tells how long tasks waited for a CPU (PSI, else schedstat). */
static bool cpu_wait_known(void)
{
    return access("/proc/pressure/cpu", R_OK) == 0 || access("/proc/self/schedstat", R_OK) == 0;
}

/* A wait that runs out while every CPU is taken is taken again, then the
 * claim is inconclusive: the machine, not the kernel, may have kept the
 * state away. (On an idle machine the same claim fails: tiny_lab's
 * failures show that path; an idle machine cannot be had in a test.) */
static void a_wait_that_runs_out_busy_is_inconclusive(void **state)
{
    (void)state;
    if (!cpu_wait_known())
        skip();
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int hogs = (int)(cpus > 0 && cpus < 64 ? cpus : 64) * 3;
    pid_t hog[192];
    for (int i = 0; i < hogs; i++)
        if ((hog[i] = fork()) == 0)
            for (volatile unsigned long spin = 0;; spin++)
                ;
    struct run r;
    run_lab(&r, wait_lab, 0, (const char *[]){ "--json", "--auto", NULL });
    for (int i = 0; i < hogs; i++)
        kill(hog[i], SIGKILL);
    for (int i = 0; i < hogs; i++)
        waitpid(hog[i], NULL, 0);
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.out, "this wait lasted): taking it again, attempt 2 of 3"));
    assert_non_null(strstr(r.out, "\"claim\":\"the server's end reached CLOSE-WAIT\","
                                  "\"outcome\":\"inconclusive\""));
}

static void setup_errors_in_a_step_name_the_step(void **state)
{
    (void)state;
    struct run r;
    run_lab(&r, outcome_lab, 2, (const char *[]){ "--json", "--auto", NULL });
    assert_int_equal(r.status, 2);
    assert_int_equal(count_lines(r.err), 1);
    assert_non_null(strstr(r.err, "lab99-unit: step 1 (Outcomes): set-up error, not the "
                                  "lesson: the port was taken meanwhile"));
    assert_null(strstr(r.out, "\"outcome\":\"failed\""));
    run_lab(&r, outcome_lab, 3, (const char *[]){ "--auto", NULL });
    assert_int_equal(r.status, 2);
    assert_int_equal(count_lines(r.err), 1);
    assert_non_null(strstr(r.err, ": step 1 (Outcomes): close(-1) failed: EBADF"));
}

static void setup_is_checked_before_step_1(void **state)
{
    (void)state;
    int holder = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(bind(holder, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(holder, 1), 0);           /* another program's server */
    socklen_t len = sizeof a;
    getsockname(holder, (struct sockaddr *)&a, &len);
    char held[8], below[8];
    snprintf(held, sizeof held, "%u", ntohs(a.sin_port));        /* N, checked first */
    snprintf(below, sizeof below, "%u", 80u);
    struct {
        const char *const *args;
        const char *says;
    } cases[] = {
        { (const char *[]){ "--bind", "::1", NULL }, "IPv6" },
        { (const char *[]){ "--bind", "0.0.0.0", NULL }, "wildcard" },
        { (const char *[]){ "--bind", "192.0.2.7", NULL }, "not an address of this machine" },
        { (const char *[]){ "--port", held, NULL }, "listener" },
        { (const char *[]){ "--port", below, NULL }, getuid() ? "needs root" : NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!cases[i].says)
            continue;                    /* root may bind port 80 */
        struct run r;
        run_tiny_lab(&r, 0, cases[i].args);
        assert_int_equal(r.status, 2);
        assert_int_equal(count_lines(r.err), 1);
        assert_non_null(strstr(r.err, cases[i].says));
        assert_string_equal(r.out, "");                /* refused before anything */
    }
    close(holder);
}

static void a_step_function_is_shown_whole(void **state)
{
    (void)state;
    setenv("SOCKLAB_SOURCE_DIR", "tests/unit", 1);
    struct run r;
    run_tiny_lab(&r, -1, (const char *[]){ "--json", "--auto", NULL });
    assert_int_equal(r.status, 0);
    char *before = strstr(r.out, "\"event\":\"source\",\"step\":2");
    assert_non_null(before);
    char *before_end = strchr(before, '\n');
    *before_end = '\0';
    assert_null(strstr(before, "long_step(lab)"));     /* the call starts step 3 */
    *before_end = '\n';
    char *source = strstr(r.out, "\"event\":\"source\",\"step\":3");
    assert_non_null(source);
    *strchr(source, '\n') = '\0';
    assert_non_null(strstr(source, "sum += 150;"));                 /* past 40 lines */
    assert_non_null(strstr(source, "int last_line_of_the_long_step = 1;"));
    assert_null(strstr(source, "after_the_long_step"));            /* the function ended */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(skipped_and_inconclusive_are_counted_apart),
        cmocka_unit_test(a_wait_that_runs_out_busy_is_inconclusive),
        cmocka_unit_test(setup_errors_in_a_step_name_the_step),
        cmocka_unit_test(setup_is_checked_before_step_1),
        cmocka_unit_test(a_step_function_is_shown_whole),
        cmocka_unit_test(all_held_exits_0),
        cmocka_unit_test(text_fits_80_columns),
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
