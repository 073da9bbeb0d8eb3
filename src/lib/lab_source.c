/* lab_source.c — find the lab's own source and cut out one step's code.
 *
 * A step's code is what follows its lab_step(...) statement, up to the next
 * lab_step, the call to sl_lab_end or the end of the function. Narration (lab_say statements) is left
 * out: it is shown as narration already. The source is looked for where the
 * build keeps it (build/bin/../../labs/) and where `make install` puts it
 * ($(PREFIX)/libexec/socklab/../../share/socklab/labs/, a lab directory's
 * files in their own folder there); SOCKLAB_SOURCE_DIR,
 * when set, is tried first. */
#include "lab_internal.h"

#include <stdlib.h>
#include <string.h>

struct sl_source {
    char *text;         /* the whole file, '\n' replaced by '\0' */
    char **lines;       /* lines[i] is line i + 1 */
    int count;
    const char *name;   /* the file name as compiled in */
};

static char *read_file(const char *path)
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

struct sl_source *sl_source_load(const char *exe_dir, const char *file)
{
    char path[PATH_MAX * 2];
    const char *override = getenv("SOCKLAB_SOURCE_DIR");
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    char *text = NULL;
    if (override) {
        snprintf(path, sizeof path, "%s/%s", override, base);
        text = read_file(path);
    }
    if (!text) {
        snprintf(path, sizeof path, "%s/../../%s", exe_dir, file);
        text = read_file(path);
    }
    if (!text && file[0] != '/') {         /* labs/NN-name.c, labs/NN-name/part.c */
        snprintf(path, sizeof path, "%s/../../share/socklab/%s", exe_dir, file);
        text = read_file(path);
    }
    if (!text) {
        snprintf(path, sizeof path, "%s/../../share/socklab/labs/%s", exe_dir, base);
        text = read_file(path);
    }
    if (!text)
        return NULL;

    struct sl_source *src = calloc(1, sizeof *src);
    int room = 256;
    if (!src || !(src->lines = malloc((size_t)room * sizeof *src->lines))) {
        fprintf(stderr, "socklab: out of memory\n");
        exit(2);
    }
    src->text = text;
    src->name = file;
    for (char *line = text; *line;) {
        if (src->count == room) {
            room *= 2;
            src->lines = realloc(src->lines, (size_t)room * sizeof *src->lines);
            if (!src->lines) {
                fprintf(stderr, "socklab: out of memory\n");
                exit(2);
            }
        }
        src->lines[src->count++] = line;
        char *nl = strchr(line, '\n');
        if (!nl)
            break;
        *nl = '\0';
        line = nl + 1;
    }
    return src;
}

void sl_source_free(struct sl_source *src)
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

/* The index of the line that ends the statement starting at index i. */
static int statement_end(const struct sl_source *src, int i)
{
    while (i < src->count - 1) {
        const char *end = src->lines[i] + strlen(src->lines[i]);
        while (end > src->lines[i] && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (end > src->lines[i] && end[-1] == ';')
            break;
        i++;
    }
    return i;
}

bool sl_source_excerpt(const struct sl_source *src, int step_line, struct sl_excerpt *out)
{
    int first = statement_end(src, step_line - 1) + 1;  /* 0-based: after lab_step(...); */
    int last = first;
    while (last < src->count && !starts_statement(src->lines[last], "lab_step(") &&
           !strstr(src->lines[last], "sl_lab_end(") && src->lines[last][0] != '}')
        last++;
    last--;                                        /* the last line that belongs */
    while (first <= last && blank(src->lines[first]))
        first++;
    while (last >= first && blank(src->lines[last]))
        last--;
    if (first > last)
        return false;

    out->file = src->name;
    out->count = 0;
    for (int i = first; i <= last && out->count < SL_EXCERPT_MAX_LINES; i++) {
        if (starts_statement(src->lines[i], "lab_say(")) {
            i = statement_end(src, i);
            continue;
        }
        out->numbers[out->count] = i + 1;
        out->lines[out->count++] = src->lines[i];
    }
    return out->count > 0;
}
