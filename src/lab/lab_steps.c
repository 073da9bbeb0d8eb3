/* lab_steps.c — how many steps a lab has, counted from its own source, so
 * that a pause can say "step 3 of 9" with no count kept by hand in each lab.
 *
 * Counting the lab_step() lines is not enough: a step written as a function
 * may be called twice (lab 03 runs one for each row of a table), and a lab
 * of several files (lab 11) keeps its steps apart from the function that
 * begins it. So the count follows the calls: starting from the function that
 * called sl_lab_begin(), each lab_step() counts one and each call of a
 * function of the lab counts that function's steps. A step (or a call that
 * holds one) inside a for, while or do loop makes the count unknown: how often
 * a loop turns is known only when it runs. A step behind an if counts: the
 * lab tells its whole story unless the machine rules a part out, and then it
 * says why.
 *
 * The source is read where the excerpts are read from (lab_code.c). A lab
 * in a folder of its own (labs/11-epoll-server/) is every .c file there. */
#include "lab_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FUNCTIONS 512
#define MAX_CALLS 8192
#define UNKNOWN (-1)

struct call {
    char name[64];
    bool in_loop;
};

struct function {
    char name[64];
    int first_call, call_count;     /* its calls: calls[first_call ...] */
};

struct program {
    struct function functions[MAX_FUNCTIONS];
    int function_count;
    struct call calls[MAX_CALLS];
    int call_count;
};

/* Comments, string literals and character constants become spaces (line
 * breaks stay), so that what is left is code. */
static void blank_out_non_code(char *p)
{
    while (*p) {
        if (p[0] == '/' && p[1] == '*') {
            for (; *p && !(p[0] == '*' && p[1] == '/'); p++)
                if (*p != '\n')
                    *p = ' ';
            if (*p)
                p[0] = p[1] = ' ', p += 2;
        } else if (p[0] == '/' && p[1] == '/') {
            for (; *p && *p != '\n'; p++)
                *p = ' ';
        } else if (*p == '"' || *p == '\'') {
            char quote = *p;
            *p++ = ' ';
            while (*p && *p != quote && *p != '\n') {
                if (p[0] == '\\' && p[1])
                    *p++ = ' ';
                *p++ = ' ';
            }
            if (*p == quote)
                *p++ = ' ';
        } else if (*p == '#') {            /* a preprocessor line: not code we follow */
            for (; *p && *p != '\n'; p++)
                if (p[0] != '\\' || p[1] != '\n')
                    *p = ' ';
        } else {
            p++;
        }
    }
}

static bool word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

static const char *skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* From an opening parenthesis to just after the one that closes it. */
static const char *after_parens(const char *p)
{
    int depth = 0;
    for (; *p; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')' && --depth == 0)
            return p + 1;
    }
    return p;
}

/* The calls in one function's body (from its '{' to the matching '}'), each
 * marked when it stands in a loop; returns where the body ends. */
static const char *read_body(struct program *prog, const char *p)
{
    bool loop_block[256] = { false };     /* for each open brace: a loop's body? */
    int depth = 0, statement_loop_depth = -1;
    bool loop_next = false;               /* the next statement or block is a loop's body */
    for (; *p; p++) {
        if (*p == '{') {
            if (depth + 1 < 256)
                loop_block[depth + 1] = loop_next;
            depth++;
            loop_next = false;
            continue;
        }
        if (*p == '}') {
            if (--depth == 0)
                return p + 1;
            continue;
        }
        if (*p == ';') {
            if (statement_loop_depth == depth)
                statement_loop_depth = -1;  /* a loop's body of one statement ends */
            loop_next = false;
            continue;
        }
        if (!word_char(*p) || word_char(p[-1]))     /* p > the body's '{' */
            continue;
        const char *end = p;
        while (word_char(*end))
            end++;
        size_t len = (size_t)(end - p);
        const char *next = skip_space(end);
        bool loop_word = (len == 3 && !strncmp(p, "for", 3)) ||
                         (len == 5 && !strncmp(p, "while", 5));
        if (loop_word && *next == '(') {
            next = skip_space(after_parens(next));
            if (*next == '{') {
                loop_next = true;
            } else if (*next != ';') {
                statement_loop_depth = depth;
            }
            p = next - 1;
            continue;
        }
        if (len == 2 && !strncmp(p, "do", 2)) {
            if (*next == '{')
                loop_next = true;
            else
                statement_loop_depth = depth;
            p = end - 1;
            continue;
        }
        if (*next == '(' && len < sizeof prog->calls[0].name && prog->call_count < MAX_CALLS) {
            bool in_loop = statement_loop_depth >= 0;
            for (int d = 1; d <= depth && d < 256; d++)
                in_loop = in_loop || loop_block[d];
            struct call *c = &prog->calls[prog->call_count++];
            snprintf(c->name, sizeof c->name, "%.*s", (int)len, p);
            c->in_loop = in_loop;
        }
        p = end - 1;
    }
    return p;
}

/* Every function defined in one file (its text with non-code blanked): a
 * '{' at file level after a ')' and no '=' opens a body; the name is the
 * word before the first '(' since the previous declaration. */
static void read_functions(struct program *prog, const char *text)
{
    const char *span = text;
    for (const char *p = text; *p; p++) {
        if (*p == ';' || *p == '}') {
            span = p + 1;
            continue;
        }
        if (*p != '{')
            continue;
        const char *paren = memchr(span, '(', (size_t)(p - span));
        bool assigned = memchr(span, '=', (size_t)(p - span)) != NULL;
        const char *name_end = paren;
        while (name_end && name_end > span && isspace((unsigned char)name_end[-1]))
            name_end--;
        const char *name = name_end;
        while (name && name > span && word_char(name[-1]))
            name--;
        if (!paren || assigned || name == name_end || prog->function_count == MAX_FUNCTIONS ||
            (size_t)(name_end - name) >= sizeof prog->functions[0].name) {
            int depth = 0;                 /* a struct or an initializer: skip it */
            for (; *p; p++)
                if (*p == '{')
                    depth++;
                else if (*p == '}' && --depth == 0)
                    break;
            if (!*p)
                return;
            span = p + 1;
            continue;
        }
        struct function *f = &prog->functions[prog->function_count++];
        snprintf(f->name, sizeof f->name, "%.*s", (int)(name_end - name), name);
        f->first_call = prog->call_count;
        p = read_body(prog, p);
        f->call_count = prog->call_count - f->first_call;
        span = p;
        if (!*p)
            return;
    }
}

static const struct function *find_function(const struct program *prog, const char *name)
{
    for (int i = 0; i < prog->function_count; i++)
        if (!strcmp(prog->functions[i].name, name))
            return &prog->functions[i];
    return NULL;
}

static bool is_step(const char *name)
{
    return !strcmp(name, "lab_step") || !strcmp(name, "sl_lab_step");
}

/* The steps one call of f runs: its own, and those of the functions it
 * calls; UNKNOWN when a loop decides how many. */
static int steps_of(const struct program *prog, const struct function *f, int depth)
{
    if (depth > 32)
        return UNKNOWN;                    /* recursion: not a story told in steps */
    int total = 0;
    for (int i = 0; i < f->call_count; i++) {
        const struct call *c = &prog->calls[f->first_call + i];
        const struct function *g = is_step(c->name) ? NULL : find_function(prog, c->name);
        int n = is_step(c->name) ? 1 : g && g != f ? steps_of(prog, g, depth + 1) : 0;
        if (n == UNKNOWN || (n > 0 && c->in_loop))
            return UNKNOWN;
        total += n;
    }
    return total;
}

static void read_source(struct program *prog, char *text)
{
    blank_out_non_code(text);
    read_functions(prog, text);
    free(text);
}

/* A lab in a folder of its own ("labs/11-epoll-server/lesson.c"): the
 * folder's name starts with two digits and a dash. */
static bool in_lab_folder(const char *file)
{
    const char *slash = strrchr(file, '/');
    if (!slash)
        return false;
    const char *folder = slash;
    while (folder > file && folder[-1] != '/')
        folder--;
    return slash - folder > 3 && isdigit((unsigned char)folder[0]) &&
           isdigit((unsigned char)folder[1]) && folder[2] == '-';
}

/* Every other .c file of the folder `path` is in. */
static void read_folder(struct program *prog, const char *path)
{
    char dir[PATH_MAX * 2], *copy = strdup(path);
    if (!copy)
        return;
    snprintf(dir, sizeof dir, "%s", dirname(copy));
    free(copy);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 3 || strcmp(e->d_name + len - 2, ".c") || !strcmp(e->d_name, base))
            continue;
        char file[PATH_MAX * 3];
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        char *text = sl_lab_read_file(file);
        if (text)
            read_source(prog, text);
    }
    closedir(d);
}

int sl_lab_count_steps(const char *exe_dir, const char *file, const char *function)
{
    char path[PATH_MAX * 2];
    char *text = sl_lab_find_source(exe_dir, file, path, sizeof path);
    if (!text)
        return 0;
    struct program *prog = calloc(1, sizeof *prog);
    if (!prog) {
        free(text);
        return 0;
    }
    read_source(prog, text);
    if (in_lab_folder(file))
        read_folder(prog, path);
    const struct function *begins = find_function(prog, function);
    int steps = begins ? steps_of(prog, begins, 0) : UNKNOWN;
    free(prog);
    return steps > 0 ? steps : 0;
}
