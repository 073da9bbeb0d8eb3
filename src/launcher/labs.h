/* labs.h — the launcher's view of the labs: found next to socklab (or where
 * `make install` puts them), each describing itself through --describe, so
 * there is no list of labs to keep up to date in the launcher. */
#ifndef SOCKLAB_LAUNCHER_LABS_H
#define SOCKLAB_LAUNCHER_LABS_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#define MAX_LABS 100

struct lab_entry {
    char path[PATH_MAX];        /* the executable */
    char file[NAME_MAX + 1];    /* "lab01-byte-order" */
    int number;
    char name[64];              /* "byte-order" */
    char title[256];
    int ports;                  /* how many ports it uses from --port N on */
};

struct home {
    char bin_dir[PATH_MAX];     /* where socklab is */
    char lab_dir[PATH_MAX];     /* where the labs were found */
    struct lab_entry labs[MAX_LABS];
    int lab_count;
};

/* Where socklab is, then the labs beside it or in ../libexec/socklab. */
void home_locate(struct home *h);
void home_find_labs(struct home *h);

/* A lab by number ("1", "01"), name ("byte-order") or file name; NULL if none. */
const struct lab_entry *home_lab(const struct home *h, const char *which);

/* The lab, or one sentence and exit 2. */
const struct lab_entry *home_lab_or_die(const struct home *h, const char *which);

/* "01  byte-order    title", the title folded under itself to `width`. */
void home_print_list(const struct home *h, FILE *out, int width);

/* Replace this process with the lab, given its options. */
_Noreturn void home_exec_lab(const struct lab_entry *e, int argc, char **argv);

/* The lab's source (labs/NN-name.c) or notes (docs/labs/NN-name.md, in the
 * person's language where they are translated: docs.h), in the build tree or
 * the install tree: the path into buf, or false. */
bool home_lab_file(const struct home *h, const struct lab_entry *e, bool notes,
                   char *buf, size_t len);

/* The width to fold text to: the terminal's, at most 100; 0 (do not fold)
 * when the output is not a terminal. */
int home_width(void);

/* Print text folded at spaces to `width`, `indent` spaces before the lines
 * after the first (the first starts wherever the cursor is, at column `at`). */
void home_fold(FILE *out, const char *text, int at, int indent, int width);

#endif
