/* markdown.c — Markdown laid out for a terminal (see markdown.h). md4c walks
 * the document and calls back for each block, span and piece of text; the
 * text of a paragraph (or heading, or table cell) is gathered, then laid out
 * when its block ends. */
#include "socklab/markdown.h"

#include "socklab/charset.h"
#include "socklab/i18n.h"
#include "socklab/text.h"

#include <md4c.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing string. */
struct buffer {
    char *text;
    size_t len, cap;
    bool failed;
};

static void put_n(struct buffer *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *grown = realloc(b->text, cap);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->text = grown;
        b->cap = cap;
    }
    memcpy(b->text + b->len, s, n);
    b->len += n;
    b->text[b->len] = '\0';
}

static void put(struct buffer *b, const char *s) { put_n(b, s, strlen(s)); }

static void put_spaces(struct buffer *b, int n)
{
    for (; n > 0; n--)
        put_n(b, " ", 1);
}

static void put_repeated(struct buffer *b, const char *s, int n)
{
    for (; n > 0; n--)
        put(b, s);
}

static void clear(struct buffer *b)
{
    b->len = 0;
    if (b->text)
        b->text[0] = '\0';
}

/* A space no line breaks at (in "[answer 2 at the end]"): a control
 * character while the text is laid out, a space in what is returned. */
#define KEEP_TOGETHER '\x1f'
/* U+2060 WORD JOINER, which text.h never breaks beside: between the wide
 * characters of a translated marker ("[答案 2 在末尾]"), taken out of what is
 * returned. */
#define WORD_JOINER "\xe2\x81\xa0"

#define MAX_DEPTH 16
#define MAX_COLUMNS 12

struct list {
    bool ordered, tight;
    unsigned next_number;
    int indent;                 /* where its items' text starts */
};

struct table {
    int columns, rows;          /* row 0 is the heading */
    char **cells;               /* rows x MAX_COLUMNS, each NULL or a string */
    int cap_rows;
};

struct render {
    struct buffer out;          /* the lines so far */
    struct buffer words;        /* the text of the block being read */
    int width;
    int indent;                 /* where the current container's text starts */
    char marker[16];            /* an item's "- " or "3. ", for its first line */
    bool blank;                 /* a blank line before the next block */
    int depth;                  /* lists open */
    struct list lists[MAX_DEPTH];
    bool in_table;              /* a line break in a cell is a space */
    bool soft_break;            /* a line ended inside the paragraph just before */
    unsigned heading_level;
    struct table table;
    int cell;                   /* the cell being read in the current row */
};

/* --- laying out ------------------------------------------------------- */

static void start_block(struct render *r)
{
    if (r->blank && r->out.len)
        put(&r->out, "\n");
    r->blank = false;
}

/* The pending item marker on a line of its own (a list item that starts
 * with a code block or a table). */
static void flush_marker(struct render *r)
{
    if (!r->marker[0])
        return;
    put_spaces(&r->out, r->indent - sl_text_columns(r->marker));
    put(&r->out, r->marker);
    put(&r->out, "\n");
    r->marker[0] = '\0';
}

/* text wrapped to the width: the first line after `first` (placed at column
 * `at`, which the caller has already written), the rest at `indent`. */
static void wrap(struct render *r, const char *text, int at, int indent)
{
    int room = r->width - at;
    const char *next;
    while (*text == ' ')
        text++;
    if (!*text) {
        put(&r->out, "\n");
        return;
    }
    while (*text) {
        size_t n = sl_text_wrap(text, room > 8 ? room : 8, &next);
        put_n(&r->out, text, n);
        put(&r->out, "\n");
        text = next;
        if (*text) {
            put_spaces(&r->out, indent);
            room = r->width - indent;
        }
    }
}

/* The gathered words as a paragraph at the current indent (and the item's
 * marker before its first line). */
static void flush_paragraph(struct render *r)
{
    if (!r->words.len)
        return;
    start_block(r);
    if (r->marker[0]) {
        put_spaces(&r->out, r->indent - sl_text_columns(r->marker));
        put(&r->out, r->marker);
        r->marker[0] = '\0';
    } else {
        put_spaces(&r->out, r->indent);
    }
    wrap(r, r->words.text, r->indent, r->indent);
    clear(&r->words);
    r->blank = r->depth == 0 || !r->lists[r->depth - 1].tight;
}

static void flush_heading(struct render *r)
{
    start_block(r);
    flush_marker(r);
    size_t mark = r->out.len;
    put_spaces(&r->out, r->indent);
    wrap(r, r->words.text ? r->words.text : "", r->indent, r->indent);
    if (r->heading_level <= 2) {                 /* underline the last line it took */
        const char *last = r->out.text + mark;
        for (const char *p = last; *p && p[1]; p++)
            if (*p == '\n')
                last = p + 1;
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)strcspn(last, "\n"), last);
        int cols = sl_text_columns(line);
        put_repeated(&r->out, r->heading_level == 1 ? "=" : "-", cols);
        put(&r->out, "\n");
    }
    clear(&r->words);
    r->blank = true;
}

/* A code block: its lines at the indent plus four, each wrapped after a
 * space when it is wider than the room (four more for the rest of it). */
static void flush_code(struct render *r)
{
    start_block(r);
    flush_marker(r);
    const char *text = r->words.text ? r->words.text : "";
    int indent = r->indent + 4;
    while (*text) {
        size_t n = strcspn(text, "\n");
        char *line = strndup(text, n);
        if (!line) {
            r->out.failed = true;
            return;
        }
        put_spaces(&r->out, indent);
        wrap(r, line, indent, indent + 4);
        free(line);
        text += n;
        if (*text == '\n')
            text++;
    }
    clear(&r->words);
    r->blank = true;
}

/* --- tables ------------------------------------------------------------- */

static char **cell_at(struct table *t, int row, int column)
{
    return &t->cells[row * MAX_COLUMNS + column];
}

static void table_free(struct table *t)
{
    for (int i = 0; i < t->rows * MAX_COLUMNS; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

static bool table_add_row(struct table *t)
{
    if (t->rows == t->cap_rows) {
        int cap = t->cap_rows ? t->cap_rows * 2 : 8;
        char **grown = realloc(t->cells, (size_t)cap * MAX_COLUMNS * sizeof *grown);
        if (!grown)
            return false;
        memset(grown + (size_t)t->cap_rows * MAX_COLUMNS, 0,
               (size_t)(cap - t->cap_rows) * MAX_COLUMNS * sizeof *grown);
        t->cells = grown;
        t->cap_rows = cap;
    }
    t->rows++;
    return true;
}

static const char *cell_text(struct table *t, int row, int column)
{
    const char *s = *cell_at(t, row, column);
    return s ? s : "";
}

/* Aligned in columns, two spaces apart, a rule under the heading. */
static void table_as_columns(struct render *r, const int *widths)
{
    struct table *t = &r->table;
    for (int row = 0; row < t->rows; row++) {
        put_spaces(&r->out, r->indent);
        for (int c = 0; c < t->columns; c++) {
            const char *s = cell_text(t, row, c);
            put(&r->out, s);
            if (c + 1 < t->columns)
                put_spaces(&r->out, widths[c] - sl_text_columns(s) + 2);
        }
        /* no spaces at the end of a line */
        while (r->out.len && r->out.text[r->out.len - 1] == ' ')
            r->out.text[--r->out.len] = '\0';
        put(&r->out, "\n");
        if (row == 0) {
            put_spaces(&r->out, r->indent);
            for (int c = 0; c < t->columns; c++) {
                put_repeated(&r->out, "-", widths[c]);
                if (c + 1 < t->columns)
                    put_spaces(&r->out, 2);
            }
            put(&r->out, "\n");
        }
    }
}

/* Whether text ends in a wide character (a Chinese heading takes a Chinese
 * colon after it). */
static bool ends_wide(const char *text)
{
    size_t len = strlen(text), start = len;
    while (start > 0 && ((unsigned char)text[--start] & 0xc0) == 0x80)
        ;
    return len && sl_text_columns_n(text + start, len - start) == 2;
}

/* Too wide for the terminal: a row an item, its first cell first, then each
 * other cell after its column's heading. */
static void table_as_list(struct render *r)
{
    struct table *t = &r->table;
    for (int row = 1; row < t->rows; row++) {
        if (row > 1)
            put(&r->out, "\n");
        put_spaces(&r->out, r->indent);
        put(&r->out, "* ");
        wrap(r, cell_text(t, row, 0), r->indent + 2, r->indent + 2);
        for (int c = 1; c < t->columns; c++) {
            const char *heading = cell_text(t, 0, c), *s = cell_text(t, row, c);
            if (!*s)
                continue;
            struct buffer line = { 0 };
            put(&line, heading);
            put(&line, ends_wide(heading) ? "：" : *heading ? ": " : "");
            put(&line, s);
            put_spaces(&r->out, r->indent + 4);
            wrap(r, line.failed ? s : line.text, r->indent + 4, r->indent + 6);
            free(line.text);
        }
    }
}

static void flush_table(struct render *r)
{
    struct table *t = &r->table;
    start_block(r);
    flush_marker(r);
    int widths[MAX_COLUMNS] = { 0 }, total = r->indent;
    for (int c = 0; c < t->columns; c++) {
        for (int row = 0; row < t->rows; row++) {
            int w = sl_text_columns(cell_text(t, row, c));
            widths[c] = w > widths[c] ? w : widths[c];
        }
        total += widths[c] + (c ? 2 : 0);
    }
    if (total <= r->width)
        table_as_columns(r, widths);
    else
        table_as_list(r);
    table_free(t);
    r->blank = true;
}

/* --- md4c's callbacks ------------------------------------------------------ */

static int enter_block(MD_BLOCKTYPE type, void *detail, void *data)
{
    struct render *r = data;
    if (type != MD_BLOCK_TH && type != MD_BLOCK_TD)
        flush_paragraph(r);                      /* a tight item's text before its sublist */
    switch (type) {
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        if (r->depth == MAX_DEPTH)
            return 1;
        r->lists[r->depth] = (struct list){
            .ordered = type == MD_BLOCK_OL,
            .tight = type == MD_BLOCK_OL ? ((MD_BLOCK_OL_DETAIL *)detail)->is_tight
                                         : ((MD_BLOCK_UL_DETAIL *)detail)->is_tight,
            .next_number = type == MD_BLOCK_OL ? ((MD_BLOCK_OL_DETAIL *)detail)->start : 0,
            .indent = r->indent,
        };
        r->depth++;
        break;
    case MD_BLOCK_LI: {
        struct list *l = &r->lists[r->depth - 1];
        if (l->ordered)
            snprintf(r->marker, sizeof r->marker, "%u. ", l->next_number++);
        else
            snprintf(r->marker, sizeof r->marker, "- ");
        r->indent = l->indent + sl_text_columns(r->marker);
        break;
    }
    case MD_BLOCK_QUOTE:
        r->indent += 4;
        break;
    case MD_BLOCK_H:
        r->heading_level = ((MD_BLOCK_H_DETAIL *)detail)->level;
        break;
    case MD_BLOCK_HR:
        start_block(r);
        put_spaces(&r->out, r->indent);
        put_repeated(&r->out, "-", r->width - r->indent < 40 ? r->width - r->indent : 40);
        put(&r->out, "\n");
        r->blank = true;
        break;
    case MD_BLOCK_TABLE:
        r->in_table = true;
        memset(&r->table, 0, sizeof r->table);
        r->table.columns = (int)((MD_BLOCK_TABLE_DETAIL *)detail)->col_count;
        if (r->table.columns > MAX_COLUMNS)
            r->table.columns = MAX_COLUMNS;
        break;
    case MD_BLOCK_TR:
        if (!table_add_row(&r->table))
            return 1;
        r->cell = 0;
        break;
    default:
        break;
    }
    return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *data)
{
    (void)detail;
    struct render *r = data;
    r->soft_break = false;                       /* no line break outlives its block */
    switch (type) {
    case MD_BLOCK_H:
        flush_heading(r);
        break;
    case MD_BLOCK_CODE:
        flush_code(r);
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        if (r->table.rows && r->cell < r->table.columns) {
            char **cell = cell_at(&r->table, r->table.rows - 1, r->cell);
            *cell = strdup(r->words.text ? r->words.text : "");
        }
        r->cell++;
        clear(&r->words);
        break;
    case MD_BLOCK_TABLE:
        flush_table(r);
        r->in_table = false;
        break;
    case MD_BLOCK_LI:
        flush_paragraph(r);
        flush_marker(r);                         /* an empty item still shows */
        r->indent = r->lists[r->depth - 1].indent;
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        flush_paragraph(r);
        r->depth--;
        r->blank = r->depth == 0 || !r->lists[r->depth - 1].tight;
        break;
    case MD_BLOCK_QUOTE:
        flush_paragraph(r);
        r->indent -= 4;
        break;
    case MD_BLOCK_HTML:                          /* raw HTML is not for a terminal */
        clear(&r->words);
        break;
    default:
        flush_paragraph(r);
        break;
    }
    return 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *data)
{
    (void)type, (void)detail, (void)data;
    return 0;
}

/* A link keeps its text; an absolute address follows it (a relative one
 * points into the source tree, which a terminal cannot follow). */
static int leave_span(MD_SPANTYPE type, void *detail, void *data)
{
    struct render *r = data;
    if (type != MD_SPAN_A)
        return 0;
    const MD_ATTRIBUTE *href = &((MD_SPAN_A_DETAIL *)detail)->href;
    if (href->size > 7 && (!strncmp(href->text, "http://", 7) || !strncmp(href->text, "https://", 8))) {
        put(&r->words, " <");
        put_n(&r->words, href->text, href->size);
        put(&r->words, ">");
    }
    return 0;
}

/* The few entities the notes may use. */
static void put_entity(struct buffer *b, const char *text, size_t size)
{
    static const struct { const char *name, *text; } entities[] = {
        { "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" },
        { "&nbsp;", " " }, { "&#39;", "'" },
    };
    for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
        if (strlen(entities[i].name) == size && !memcmp(entities[i].name, text, size)) {
            put(b, entities[i].text);
            return;
        }
    put_n(b, text, size);
}

/* How many columns the character that starts text (size bytes) takes. */
static int first_char_columns(const char *text, size_t size)
{
    unsigned char c = (unsigned char)text[0];
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return size ? sl_text_columns_n(text, n < size ? n : size) : 0;
}


/* A line that ended inside a paragraph is a space between the words around
 * it, but nothing between two wide characters: Chinese is written without
 * spaces, so a translation's lines join as CSS Text joins them. */
static void end_soft_break(struct render *r, const char *next, size_t size)
{
    if (r->soft_break && r->words.len &&
        !(ends_wide(r->words.text) && first_char_columns(next, size) == 2))
        put(&r->words, " ");
    r->soft_break = false;
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *data)
{
    struct render *r = data;
    if (type != MD_TEXT_SOFTBR)
        end_soft_break(r, text, size);
    switch (type) {
    case MD_TEXT_SOFTBR: r->soft_break = true; break;
    case MD_TEXT_BR: put(&r->words, r->in_table ? " " : "\n"); break;
    case MD_TEXT_HTML: break;                    /* inline raw HTML, left out */
    case MD_TEXT_ENTITY: put_entity(&r->words, text, size); break;
    case MD_TEXT_NULLCHAR: put(&r->words, "?"); break;
    default: put_n(&r->words, text, size); break;
    }
    return 0;
}

/* --- the answers, folded ---------------------------------------------------- */

/* text into b, never broken across lines: a text beyond ASCII (wide
 * characters break anywhere) gets a word joiner between its characters. */
static void put_unbroken(struct buffer *b, const char *text)
{
    bool ascii = true;
    for (const char *p = text; *p; p++)
        ascii = ascii && (unsigned char)*p < 0x80;
    if (ascii) {
        put(b, text);
        return;
    }
    for (const char *p = text; *p;) {
        size_t n = 1;
        while (((unsigned char)p[n] & 0xc0) == 0x80)
            n++;
        put_n(b, p, n);
        p += n;
        if (*p)
            put(b, WORD_JOINER);
    }
}

/* The text with every <details>...</details> replaced by "[answer N at the
 * end]", and the answers (their whitespace made single spaces) after it as a
 * numbered list under "Answers". */
static bool fold_answers(const char *text, size_t len, struct buffer *folded)
{
    struct buffer answers = { 0 };
    int count = 0;
    const char *end = text + len, *at = text;
    while (at < end) {
        const char *open = memmem(at, (size_t)(end - at), "<details>", 9);
        const char *close = open ? memmem(open, (size_t)(end - open), "</details>", 10) : NULL;
        if (!close) {
            put_n(folded, at, (size_t)(end - at));
            break;
        }
        put_n(folded, at, (size_t)(open - at));
        const char *body = open + 9;
        const char *summary_end = memmem(body, (size_t)(close - body), "</summary>", 10);
        if (summary_end)
            body = summary_end + 10;
        char marker[96];
        /* TRANSLATORS: after an exercise's question; its answer is under "Answers". */
        snprintf(marker, sizeof marker, _("[answer %d at the end]"), ++count);
        for (char *p = marker; (p = strchr(p, ' ')); p++)
            *p = KEEP_TOGETHER;
        put_unbroken(folded, marker);
        snprintf(marker, sizeof marker, "%d. ", count);
        put(&answers, marker);
        bool space = false;
        for (const char *p = body; p < close; p++) {
            bool blank = *p == ' ' || *p == '\n' || *p == '\t';
            if (blank && !space && answers.len && answers.text[answers.len - 1] != ' ')
                put(&answers, " ");
            else if (!blank)
                put_n(&answers, p, 1);
            space = blank;
        }
        put(&answers, "\n");
        at = close + 10;
    }
    if (count) {
        put(folded, "\n\n## ");
        put(folded, _("Answers"));
        put(folded, "\n\n");
        put_n(folded, answers.text, answers.len);
    }
    bool ok = !answers.failed && !folded->failed;
    free(answers.text);
    return ok;
}

char *sl_markdown_render(const char *text, size_t len, int columns, unsigned flags)
{
    char *ascii = NULL;
    if (flags & SL_MARKDOWN_ASCII) {
        ascii = sl_charset_ascii(text, len);
        if (!ascii)
            return NULL;
        text = ascii;
        len = strlen(ascii);
    }
    struct buffer folded = { 0 };
    bool ok = fold_answers(text, len, &folded);
    free(ascii);
    if (!ok) {
        free(folded.text);
        return NULL;
    }
    struct render r = { .width = columns < 20 ? 20 : columns };
    const MD_PARSER parser = {
        .abi_version = 0,
        .flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_COLLAPSEWHITESPACE,
        .enter_block = enter_block,
        .leave_block = leave_block,
        .enter_span = enter_span,
        .leave_span = leave_span,
        .text = on_text,
    };
    int rc = folded.len ? md_parse(folded.text, (MD_SIZE)folded.len, &parser, &r) : 0;
    flush_paragraph(&r);
    free(folded.text);
    free(r.words.text);
    table_free(&r.table);
    if (rc != 0 || r.out.failed) {
        free(r.out.text);
        return NULL;
    }
    if (!r.out.text)
        return strdup("");
    for (char *p = r.out.text; (p = strchr(p, KEEP_TOGETHER)); p++)
        *p = ' ';
    for (char *p = r.out.text; (p = strstr(p, WORD_JOINER));)
        memmove(p, p + 3, strlen(p + 3) + 1);
    return r.out.text;
}
