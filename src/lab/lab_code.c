/* lab_code.c — find the lab's own source and cut out one step's code.
 *
 * A step's code is what follows its lab_step(...) statement, up to the next
 * lab_step() or sl_lab_end() in the same block, or the end of the block the
 * step stands in (a step written as its own function ends with the function).
 * The boundary is found by C's own structure: braces are counted outside
 * comments, strings and character constants. Narration (lab_say statements,
 * with the if or else that chose one) is left out: it is shown as narration
 * already. An excerpt is never cut.
 * The source is looked for where the
 * build keeps it (build/bin/../../labs/), where a lab rebuilt by hand against
 * the installed library has it (the file as it was compiled: absolute, or
 * relative to the binary's folder, or beside the binary; README: "Changing a
 * lab") and where `make install` puts it
 * ($(PREFIX)/libexec/socklab/../../share/socklab/labs/, a lab directory's
 * files in a folder of their own there); SOCKLAB_SOURCE_DIR,
 * when set, is tried first. A rebuilt lab is looked for before the installed
 * copy, which is the lab before the student changed it. */
#include "lab_internal.h"

#include "socklab/check.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STEP_FUNCTIONS 64

struct sl_lab_code {
    char *text;         /* the whole file, '\n' replaced by '\0' */
    char **lines;       /* lines[i] is line i + 1 */
    int count;
    const char *name;   /* the file name as compiled in */
    /* The functions whose bodies hold a lab_step(): a call to one of them
     * starts another step, so an excerpt ends before it. */
    char step_functions[MAX_STEP_FUNCTIONS][64];
    int step_function_count;
};

/* The name a line at column 0 defines, "step_name" in
 * "static void step_name(struct sl_lab *lab)", or false. */
static bool defines_function(const char *line, char *name, size_t len)
{
    if (!((line[0] >= 'a' && line[0] <= 'z') || (line[0] >= 'A' && line[0] <= 'Z')))
        return false;
    const char *paren = strchr(line, '(');
    if (!paren || strchr(line, '=') || strchr(line, ';'))
        return false;                     /* a declaration or a variable, not a definition */
    const char *end = paren, *start = paren;
    while (start > line && (isalnum((unsigned char)start[-1]) || start[-1] == '_'))
        start--;
    if (start == end || (size_t)(end - start) >= len)
        return false;
    snprintf(name, len, "%.*s", (int)(end - start), start);
    return true;
}

static void find_step_functions(struct sl_lab_code *src)
{
    char name[64] = "";
    bool inside = false;
    for (int i = 0; i < src->count; i++) {
        const char *line = src->lines[i];
        if (!inside && defines_function(line, name, sizeof name))
            inside = true;
        else if (inside && line[0] == '}')
            inside = false;
        else if (inside && strstr(line, "lab_step(") &&
                 src->step_function_count < MAX_STEP_FUNCTIONS &&
                 strcmp(name, "main") != 0) {
            snprintf(src->step_functions[src->step_function_count++], 64, "%s", name);
            inside = false;                /* one lab_step is enough to know */
        }
    }
}

/* "for (...)", "if (...)", "while (...)" or "else" alone on a line: a header
 * whose body is the next line. */
static bool controls_next_line(const char *line)
{
    line += strspn(line, " \t");
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    bool header = !strncmp(line, "for (", 5) || !strncmp(line, "if (", 4) ||
                  !strncmp(line, "while (", 7) || !strncmp(line, "else", 4);
    return header && len > 0 && line[len - 1] != ';' && line[len - 1] != '{';
}

/* Does this line call a function that starts a step of its own? */
static bool calls_a_step(const struct sl_lab_code *src, const char *line)
{
    for (int i = 0; i < src->step_function_count; i++) {
        const char *name = src->step_functions[i];
        for (const char *p = strstr(line, name); p; p = strstr(p + 1, name)) {
            bool starts_word = p == line || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
            if (starts_word && p[strlen(name)] == '(')
                return true;
        }
    }
    return false;
}

char *sl_lab_read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    char chunk[4096];
    size_t n;
    while (mem && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, mem);
    fclose(f);
    if (mem)
        fclose(mem);
    return text;
}

char *sl_lab_find_source(const char *exe_dir, const char *file, char *path, size_t len)
{
    const char *override = getenv("SOCKLAB_SOURCE_DIR");
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    char *text = NULL;
    if (override) {
        snprintf(path, len, "%s/%s", override, base);
        text = sl_lab_read_file(path);
    }
    if (!text) {
        snprintf(path, len, "%s/../../%s", exe_dir, file);
        text = sl_lab_read_file(path);
    }
    if (!text && file[0] == '/') {         /* cc /home/ann/labs/05-sigpipe.c */
        snprintf(path, len, "%s", file);
        text = sl_lab_read_file(path);
    }
    if (!text && file[0] != '/') {         /* cc mine/05-sigpipe.c -o lab05, run as ./lab05 */
        snprintf(path, len, "%s/%s", exe_dir, file);
        text = sl_lab_read_file(path);
    }
    if (!text && base != file) {           /* cc ~/labs/05-sigpipe.c -o ~/labs/lab05 */
        snprintf(path, len, "%s/%s", exe_dir, base);
        text = sl_lab_read_file(path);
    }
    if (!text && file[0] != '/') {         /* labs/NN-name.c, labs/NN-name/part.c */
        snprintf(path, len, "%s/../../share/socklab/%s", exe_dir, file);
        text = sl_lab_read_file(path);
    }
    if (!text) {
        snprintf(path, len, "%s/../../share/socklab/labs/%s", exe_dir, base);
        text = sl_lab_read_file(path);
    }
    return text;
}

struct sl_lab_code *sl_lab_code_load(const char *exe_dir, const char *file)
{
    char path[PATH_MAX * 2];
    char *text = sl_lab_find_source(exe_dir, file, path, sizeof path);
    if (!text)
        return NULL;

    struct sl_lab_code *src = calloc(1, sizeof *src);
    int room = 256;
    if (!src || !(src->lines = malloc((size_t)room * sizeof *src->lines)))
        sl_die("out of memory");
    src->text = text;
    src->name = file;
    for (char *line = text; *line;) {
        if (src->count == room) {
            room *= 2;
            src->lines = realloc(src->lines, (size_t)room * sizeof *src->lines);
            if (!src->lines)
                sl_die("out of memory");
        }
        src->lines[src->count++] = line;
        char *nl = strchr(line, '\n');
        if (!nl)
            break;
        *nl = '\0';
        line = nl + 1;
    }
    find_step_functions(src);
    return src;
}

int sl_lab_code_lines(const struct sl_lab_code *src, const char *const **lines)
{
    *lines = (const char *const *)src->lines;
    return src->count;
}

void sl_lab_code_free(struct sl_lab_code *src)
{
    if (!src)
        return;
    free(src->text);
    free(src->lines);
    free(src);
}

static bool blank(const char *line)
{
    return line[strspn(line, " \t")] == '\0';
}

static bool starts_statement(const char *line, const char *word)
{
    line += strspn(line, " \t");
    return strncmp(line, word, strlen(word)) == 0;
}

/* Where the lexer is between lines: only block comments span lines here
 * (string literals that continue with a backslash are not used in labs). */
struct lexer {
    bool in_comment;
    int depth;                  /* braces opened since the step began */
    int lowest;                 /* the lowest depth reached on the last line */
};

/* Count the braces of one line that are code, not comment or literal. */
static void lex_line(struct lexer *lx, const char *p)
{
    lx->lowest = lx->depth;
    while (*p) {
        if (lx->in_comment) {
            if (p[0] == '*' && p[1] == '/') {
                lx->in_comment = false;
                p++;
            }
        } else if (p[0] == '/' && p[1] == '*') {
            lx->in_comment = true;
            p++;
        } else if (p[0] == '/' && p[1] == '/') {
            return;
        } else if (*p == '"' || *p == '\'') {
            char quote = *p++;
            while (*p && *p != quote)
                p += (p[0] == '\\' && p[1]) ? 2 : 1;
            if (!*p)
                return;
        } else if (*p == '{') {
            lx->depth++;
        } else if (*p == '}') {
            lx->depth--;
            if (lx->depth < lx->lowest)
                lx->lowest = lx->depth;
        }
        p++;
    }
}

/* The index of the line that ends the statement starting at index i: the
 * first line, from i on, whose code ends with ';' at the statement's depth. */
static int statement_end(const struct sl_lab_code *src, int i, struct lexer *lx)
{
    int depth = lx->depth;
    for (; i < src->count - 1; i++) {
        lex_line(lx, src->lines[i]);
        const char *end = src->lines[i] + strlen(src->lines[i]);
        while (end > src->lines[i] && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (lx->depth == depth && end > src->lines[i] && end[-1] == ';')
            break;
    }
    if (i == src->count - 1)
        lex_line(lx, src->lines[i]);
    return i;
}

bool sl_lab_code_excerpt(const struct sl_lab_code *src, int step_line, struct sl_excerpt *out)
{
    struct lexer lx = { 0 };
    if (step_line < 1 || step_line > src->count)
        return false;
    int first = statement_end(src, step_line - 1, &lx) + 1; /* 0-based: after lab_step(...); */
    lx.depth = 0;

    *out = (struct sl_excerpt){ .file = src->name };
    out->numbers = malloc((size_t)(src->count + 1) * sizeof *out->numbers);
    out->lines = malloc((size_t)(src->count + 1) * sizeof *out->lines);
    if (!out->numbers || !out->lines) {
        sl_excerpt_free(out);
        return false;
    }
    for (int i = first; i < src->count; i++) {
        const char *line = src->lines[i];
        if (!lx.in_comment && lx.depth == 0 &&
            (starts_statement(line, "lab_step(") || strstr(line, "sl_lab_end(")))
            break;                               /* the next step, or the end */
        if (!lx.in_comment && calls_a_step(src, line)) {
            while (out->count > 0 && controls_next_line(out->lines[out->count - 1]))
                out->count--;                    /* its "for (...)" goes with it */
            break;                               /* a call that starts the next step */
        }
        if (!lx.in_comment && starts_statement(line, "lab_say(")) {
            i = statement_end(src, i, &lx);      /* narration: shown as such */
            while (out->count > 0 && controls_next_line(out->lines[out->count - 1]))
                out->count--;                    /* and the if or else that chose it */
            continue;
        }
        lex_line(&lx, line);
        if (lx.lowest < 0)                       /* the block the step stands in ends */
            break;
        out->numbers[out->count] = i + 1;
        out->lines[out->count++] = line;
    }
    while (out->count > 0 && blank(out->lines[out->count - 1]))
        out->count--;
    int lead = 0;
    while (lead < out->count && blank(out->lines[lead]))
        lead++;
    if (lead) {
        out->count -= lead;
        memmove(out->numbers, out->numbers + lead, (size_t)out->count * sizeof *out->numbers);
        memmove(out->lines, out->lines + lead, (size_t)out->count * sizeof *out->lines);
    }
    if (out->count == 0) {
        sl_excerpt_free(out);
        return false;
    }
    return true;
}

void sl_excerpt_free(struct sl_excerpt *excerpt)
{
    free(excerpt->numbers);
    free(excerpt->lines);
    excerpt->numbers = NULL;
    excerpt->lines = NULL;
    excerpt->count = 0;
}
