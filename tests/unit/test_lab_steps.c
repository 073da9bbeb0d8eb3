/* test_lab_steps.c — how many steps a lab has, counted from its source
 * (src/lab/lab_steps.c): calls followed, loops make the count unknown,
 * comments and strings are not code, a lab folder is all its files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../src/lab/lab_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/socklab-steps.XXXXXX";

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The steps of a one-file lab whose main() begins it. */
static int count(const char *text)
{
    write_file("99-unit.c", text);
    return sl_lab_count_steps("/nonexistent", "labs/99-unit.c", "main");
}

static void a_step_function_counts_each_time_it_is_called(void **state)
{
    (void)state;
    assert_int_equal(count("static void step_table(struct sl_lab *lab, int row)\n"
                           "{\n    lab_step(lab, \"row %d\", row);\n}\n\n"
                           "int main(int argc, char **argv)\n{\n"
                           "    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);\n"
                           "    lab_step(lab, \"one\");\n"
                           "    step_table(lab, 0);\n    step_table(lab, 1);\n"
                           "    lab_step(lab, \"last\");\n"
                           "    return sl_lab_end(lab);\n}\n"), 4);
}

static void a_step_behind_an_if_counts(void **state)
{
    (void)state;
    assert_int_equal(count("static bool step_a(struct sl_lab *lab)\n{\n"
                           "    lab_step(lab, \"a\");\n    return true;\n}\n"
                           "static void step_b(struct sl_lab *lab)\n{\n    lab_step(lab, \"b\");\n}\n"
                           "int main(int argc, char **argv)\n{\n"
                           "    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);\n"
                           "    if (step_a(lab)) {\n        step_b(lab);\n    }\n"
                           "    return sl_lab_end(lab);\n}\n"), 2);
}

static void a_step_in_a_loop_makes_the_count_unknown(void **state)
{
    (void)state;
    const char *step = "static void step_x(struct sl_lab *lab)\n{\n    lab_step(lab, \"x\");\n}\n";
    const char *loops[] = {
        "    for (int i = 0; i < 2; i++) {\n        step_x(lab);\n    }\n",
        "    for (int i = 0; i < 2; i++)\n        step_x(lab);\n",
        "    while (more())\n        lab_step(lab, \"again\");\n",
        "    do {\n        step_x(lab);\n    } while (more());\n",
    };
    for (size_t i = 0; i < sizeof loops / sizeof loops[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "%sint main(int argc, char **argv)\n{\n"
                 "    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);\n%s"
                 "    return sl_lab_end(lab);\n}\n", step, loops[i]);
        assert_int_equal(count(text), 0);
    }
    /* ... but a loop that only does the step's work leaves the count known */
    assert_int_equal(count("static void step_x(struct sl_lab *lab)\n{\n"
                           "    lab_step(lab, \"x\");\n"
                           "    for (int i = 0; i < 3; i++)\n        send_one(i);\n"
                           "    do {\n        again();\n    } while (more());\n}\n"
                           "int main(int argc, char **argv)\n{\n"
                           "    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);\n"
                           "    for (int i = 0; i < 2; i++)\n        close(i);\n"
                           "    step_x(lab);\n    return sl_lab_end(lab);\n}\n"), 1);
}

static void comments_and_strings_are_not_steps(void **state)
{
    (void)state;
    assert_int_equal(count("/* lab_step(lab, \"in a comment\"); */\n"
                           "static const char *text = \"lab_step(lab, x) {\";\n"
                           "static const struct sl_lab_info info = { .name = \"{\" };\n"
                           "int main(int argc, char **argv)\n{\n"
                           "    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);\n"
                           "    // lab_step(lab, \"in a line comment\");\n"
                           "    lab_step(lab, \"a brace in a string: }\");\n"
                           "    lab_say(lab, \"'}' and \\\"lab_step(\\\"\");\n"
                           "    return sl_lab_end(lab);\n}\n"), 1);
}

static void a_lab_folder_is_all_its_files(void **state)
{
    (void)state;
    write_file("lesson.c", "int lesson(int argc, char **argv)\n{\n"
                           "    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);\n"
                           "    step_first(lab);\n    step_second(lab);\n"
                           "    return sl_lab_end(lab);\n}\n");
    write_file("steps.c", "void step_first(struct sl_lab *lab)\n{\n    lab_step(lab, \"1\");\n}\n"
                          "void step_second(struct sl_lab *lab)\n{\n    lab_step(lab, \"2\");\n"
                          "    lab_step(lab, \"3\");\n}\n");
    assert_int_equal(sl_lab_count_steps("/nonexistent", "labs/98-folder/lesson.c", "lesson"), 3);
    /* the function that began the lab is the one counted from */
    assert_int_equal(sl_lab_count_steps("/nonexistent", "labs/98-folder/lesson.c", "nowhere"), 0);
}

static void no_source_no_count(void **state)
{
    (void)state;
    assert_int_equal(sl_lab_count_steps("/nonexistent", "labs/97-missing.c", "main"), 0);
}

static int set_up(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    setenv("SOCKLAB_SOURCE_DIR", dir, 1);
    return 0;
}

static int tear_down(void **state)
{
    (void)state;
    const char *files[] = { "99-unit.c", "lesson.c", "steps.c" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_step_function_counts_each_time_it_is_called),
        cmocka_unit_test(a_step_behind_an_if_counts),
        cmocka_unit_test(a_step_in_a_loop_makes_the_count_unknown),
        cmocka_unit_test(comments_and_strings_are_not_steps),
        cmocka_unit_test(a_lab_folder_is_all_its_files),
        cmocka_unit_test(no_source_no_count),
    };
    return cmocka_run_group_tests(tests, set_up, tear_down);
}
