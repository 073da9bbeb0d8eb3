/* lab_text_screen.c — the text presenter's screen (see lab_text_internal.h):
 * its lines counted and kept, the step drawn again at a pause when its title
 * has scrolled away, and the keys of a pause.
 *
 * Why draw the step again rather than fold its code or page it as it runs:
 * the code is the lesson and is never cut; the lab is never stopped between
 * two calls (a "more" prompt there would spoil what a step measures); and the
 * terminal's own history keeps every line as it was written. At a pause the
 * lab waits anyway, so that is where the screen is put in order: the step's
 * title and narration at the top, then its latest lines (what the pause is
 * about), the earlier ones a key away. A bigger terminal shows more of them,
 * and needs this less often. */
#include "lab_text_internal.h"

#include "socklab/charset.h"
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/text.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct text_screen {
    struct sl_lab *lab;
    FILE *out;                  /* the presenter writes here; lines go on to lab->stream */
    bool terminal, utf8, colour;
    char *partial;              /* the line being written */
    size_t partial_len, partial_room;
    char colour_now[64];        /* the colours in effect where the next line starts */

    char **lines;               /* the step's lines, from its title on, each with the */
    int line_count, line_room;  /* colours in effect where it started */
    int narration_end;          /* lines[0..narration_end): the title and the narration */
    bool narrating, keeping;
    int rows_used;              /* rows written since the title, its own included */

    /* The step drawn again: the rows its lines are shown in, and how far up. */
    int view_top;               /* 1-based row of the line that says what is above */
    int view_rows;              /* 0: no view to scroll */
    int view_offset;            /* lines up from the latest */
};

/* ---- measuring ---- */

int text_screen_columns(const struct text_screen *s)
{
    struct winsize ws;
    if (s->terminal && ioctl(fileno(s->lab->stream), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

int text_screen_rows(const struct text_screen *s)
{
    struct winsize ws;
    if (s->terminal && ioctl(fileno(s->lab->stream), TIOCGWINSZ, &ws) == 0)
        return ws.ws_row;
    return 0;
}

/* The length of the ANSI escape sequence at p (0 when there is none). */
static size_t escape_length(const char *p)
{
    if (p[0] != '\033' || p[1] != '[')
        return 0;
    size_t n = 2;
    while (p[n] && !(p[n] >= 0x40 && p[n] <= 0x7e))
        n++;
    return p[n] ? n + 1 : n;
}

/* The columns a line takes on screen, its colours left out. */
static int visible_columns(const char *line, size_t bytes)
{
    int columns = 0;
    size_t i = 0;
    while (i < bytes) {
        size_t esc = escape_length(line + i);
        if (esc) {
            i += esc;
            continue;
        }
        size_t run = i;
        while (run < bytes && line[run] != '\033')
            run++;
        columns += sl_text_columns_n(line + i, run - i);
        i = run;
    }
    return columns;
}

static int rows_of_line(const struct text_screen *s, const char *line, size_t bytes)
{
    int columns = visible_columns(line, bytes), width = text_screen_columns(s);
    return columns <= width ? 1 : (columns + width - 1) / width;
}

int text_screen_rows_of(const struct text_screen *s, const char *text)
{
    int rows = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        rows += rows_of_line(s, p, len);
        p += len + (nl != NULL);
    }
    return rows;
}

/* ---- lines out ---- */

/* The colours a line leaves in effect after the ones in effect before it. */
static void follow_colours(struct text_screen *s, const char *line)
{
    for (const char *p = strstr(line, "\033["); p; p = strstr(p + 1, "\033[")) {
        size_t n = escape_length(p);
        if (n == 0 || p[n - 1] != 'm')
            continue;
        size_t used = strlen(s->colour_now);
        if (n == 4 && p[2] == '0')             /* \033[0m: back to plain */
            s->colour_now[0] = '\0';
        else if (used + n < sizeof s->colour_now)
            snprintf(s->colour_now + used, sizeof s->colour_now - used, "%.*s", (int)n, p);
    }
}

static void keep_line(struct text_screen *s, const char *line)
{
    if (s->line_count == s->line_room) {
        int room = s->line_room ? s->line_room * 2 : 64;
        char **more = realloc(s->lines, (size_t)room * sizeof *more);
        if (!more)
            sl_die("out of memory");
        s->lines = more;
        s->line_room = room;
    }
    char *kept;
    if (asprintf(&kept, "%s%s", s->colour_now, line) < 0)
        sl_die("out of memory");
    s->lines[s->line_count++] = kept;
}

/* A whole line: in ASCII unless the terminal shows UTF-8, written, counted,
 * kept when it belongs to the step. */
static void line_done(struct text_screen *s)
{
    char empty[1] = "";
    char *line = s->partial ? s->partial : empty;
    size_t len = s->partial_len;
    char *ascii = NULL;
    line[len] = '\0';
    if (!s->utf8) {                       /* the one place a lab's lines become ASCII */
        ascii = sl_charset_ascii(line, len);
        if (!ascii)
            sl_die("out of memory");
        line = ascii;
        len = strlen(ascii);
    }
    fwrite(line, 1, len, s->lab->stream);
    fputc('\n', s->lab->stream);
    s->rows_used += rows_of_line(s, line, len);
    if (s->keeping)
        keep_line(s, line);
    follow_colours(s, line);
    free(ascii);
    s->partial_len = 0;
}

static ssize_t tee_write(void *cookie, const char *buf, size_t size)
{
    struct text_screen *s = cookie;
    for (size_t i = 0; i < size; i++) {
        if (buf[i] == '\n') {
            line_done(s);
            continue;
        }
        if (s->partial_len + 2 > s->partial_room) {
            size_t room = s->partial_room ? s->partial_room * 2 : 256;
            char *more = realloc(s->partial, room);
            if (!more)
                sl_die("out of memory");
            s->partial = more;
            s->partial_room = room;
        }
        s->partial[s->partial_len++] = buf[i];
    }
    return (ssize_t)size;
}

struct text_screen *text_screen_open(struct sl_lab *lab, bool colour)
{
    struct text_screen *s = calloc(1, sizeof *s);
    if (!s)
        sl_die("out of memory");
    s->lab = lab;
    s->terminal = isatty(fileno(lab->stream));
    s->utf8 = sl_charset_utf8();
    s->colour = colour;
    s->out = fopencookie(s, "w", (cookie_io_functions_t){ .write = tee_write });
    if (!s->out)
        sl_die("out of memory");
    setvbuf(s->out, NULL, _IONBF, 0);
    return s;
}

static void forget_step(struct text_screen *s)
{
    for (int i = 0; i < s->line_count; i++)
        free(s->lines[i]);
    s->line_count = 0;
    s->narration_end = 0;
}

void text_screen_close(struct text_screen *s)
{
    if (s->partial_len)
        line_done(s);
    fclose(s->out);
    fflush(s->lab->stream);
    forget_step(s);
    free(s->lines);
    free(s->partial);
    free(s);
}

FILE *text_screen_out(const struct text_screen *s)
{
    return s->out;
}

void text_screen_step(struct text_screen *s)
{
    forget_step(s);
    s->keeping = true;
    s->narrating = true;
    s->rows_used = 0;
}

void text_screen_narration_done(struct text_screen *s)
{
    if (!s->narrating)
        return;
    s->narrating = false;
    s->narration_end = s->line_count;
}

/* ---- the step drawn again ---- */

/* One kept line in at most `columns` columns (a view is one row a line; the
 * terminal's history has it whole), then plain colours. */
static void put_cut(const struct text_screen *s, const char *line, int columns)
{
    FILE *f = s->lab->stream;
    int used = 0;
    for (const char *p = line; *p;) {
        size_t esc = escape_length(p);
        if (esc) {
            if (s->colour)
                fwrite(p, 1, esc, f);
            p += esc;
            continue;
        }
        const char *run = p;
        while (*run && *run != '\033')
            run++;
        char piece[1024];
        snprintf(piece, sizeof piece, "%.*s", (int)(run - p), p);
        int taken;
        size_t fit = sl_text_prefix(piece, columns - used, &taken);
        fwrite(piece, 1, fit, f);
        used += taken;
        p = run;
    }
    if (s->colour)
        fputs("\033[0m", f);
}

/* The line that says what of the step is above and below the view. */
static void put_where(const struct text_screen *s, int above, int below, int columns)
{
    const char *up = s->utf8 ? "↑" : "^", *down = s->utf8 ? "↓" : "v";
    char text[256];
    if (below > 0)
        snprintf(text, sizeof text, _("  %s %d earlier, %s %d later: Up/Down, PgUp/PgDn "
                                      "scroll this step"), up, above, down, below);
    else
        snprintf(text, sizeof text, sl_plural((unsigned long)above,
                                              "  %s %d earlier line of this step: Up or PgUp "
                                              "shows it",
                                              "  %s %d earlier lines of this step: Up or PgUp "
                                              "shows them"), up, above);
    if (s->colour)
        fputs("\033[2m", s->lab->stream);
    put_cut(s, text, columns - 1);
}

/* The view's lines, in place (the cursor is saved and comes back). */
static void draw_view(struct text_screen *s)
{
    FILE *f = s->lab->stream;
    int body = s->line_count - s->narration_end, columns = text_screen_columns(s);
    int last = body - s->view_offset, first = last - s->view_rows;
    fputs("\0337", f);
    fprintf(f, "\033[%d;1H\033[2K", s->view_top);
    put_where(s, first, s->view_offset, columns);
    for (int i = 0; i < s->view_rows; i++) {
        fprintf(f, "\033[%d;1H\033[2K", s->view_top + 1 + i);
        put_cut(s, s->lines[s->narration_end + first + i], columns);
    }
    fputs("\0338", f);
    fflush(f);
}

void text_screen_make_room(struct text_screen *s, int rows)
{
    struct sl_lab *lab = s->lab;
    int height = text_screen_rows(s);
    s->view_rows = 0;
    if (!s->terminal || !s->keeping || height <= 0 || s->rows_used + rows <= height)
        return;
    if (lab->opt.auto_mode && lab->opt.delay_ms == 0)
        return;                           /* nobody reads it: the history has it all */
    text_screen_narration_done(s);
    int columns = text_screen_columns(s), head = 0;
    for (int i = 0; i < s->narration_end; i++)
        head += rows_of_line(s, s->lines[i], strlen(s->lines[i]));
    int body = s->line_count - s->narration_end;
    int room = height - rows - head;      /* for the body, and the line above it */
    if (room < 0)
        return;                           /* a narration longer than the screen */
    FILE *f = s->lab->stream;
    for (int i = 0; i < height; i++)      /* what is on screen goes up into the history */
        fputc('\n', f);
    fputs("\033[H", f);
    for (int i = 0; i < s->narration_end; i++) {
        put_cut(s, s->lines[i], columns);
        fputc('\n', f);
    }
    s->rows_used = head;
    if (body <= room) {                   /* it fits once the rest is gone */
        for (int i = s->narration_end; i < s->line_count; i++) {
            put_cut(s, s->lines[i], columns);
            fputc('\n', f);
        }
        s->rows_used += body;
        return;
    }
    s->view_top = head + 1;
    s->view_rows = room - 1;
    s->view_offset = 0;
    for (int i = 0; i <= s->view_rows; i++)
        fputc('\n', f);
    s->rows_used += room;
    draw_view(s);
}

/* ---- keys ---- */

enum key { KEY_NONE, KEY_ENTER, KEY_Q, KEY_R, KEY_B, KEY_UP, KEY_DOWN, KEY_PAGE_UP,
           KEY_PAGE_DOWN, KEY_EOF };

/* The rest of an escape sequence, if it comes within 50 ms. */
static int next_byte(void)
{
    struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
    char c;
    if (poll(&p, 1, 50) == 1 && read(STDIN_FILENO, &c, 1) == 1)
        return (unsigned char)c;
    return -1;
}

static enum key read_key(void)
{
    char c;
    if (read(STDIN_FILENO, &c, 1) != 1)
        return KEY_EOF;                   /* end of input: nobody to wait for */
    switch (c) {
    case '\n': case '\r': case ' ': return KEY_ENTER;
    case 'q': case 'Q': return KEY_Q;
    case 'r': case 'R': return KEY_R;
    case 'b': case 'B': return KEY_B;
    case '\033': break;
    default: return KEY_NONE;
    }
    int a = next_byte();
    if (a != '[' && a != 'O')
        return KEY_NONE;
    int b = next_byte();
    if (b == 'A')
        return KEY_UP;
    if (b == 'B')
        return KEY_DOWN;
    if ((b == '5' || b == '6') && next_byte() == '~')
        return b == '5' ? KEY_PAGE_UP : KEY_PAGE_DOWN;
    return KEY_NONE;
}

/* Scroll the view by `lines` (up when positive); false when there is none. */
static void scroll_view(struct text_screen *s, int lines)
{
    int body = s->line_count - s->narration_end, most = body - s->view_rows;
    int offset = s->view_offset + lines;
    offset = offset < 0 ? 0 : offset > most ? most : offset;
    if (offset != s->view_offset) {
        s->view_offset = offset;
        draw_view(s);
    }
}

enum sl_lab_choice text_screen_ask(struct text_screen *s, const char *prompt)
{
    FILE *f = s->lab->stream;
    int rows = rows_of_line(s, prompt, strlen(prompt));
    fputs(prompt, f);
    fflush(f);
    enum sl_lab_choice choice = SL_CHOICE_GO_ON;
    if (sl_guard_raw_terminal(STDIN_FILENO)) {
        for (bool asked = true; asked;) {
            int page = s->view_rows > 1 ? s->view_rows - 1 : 1;
            switch (read_key()) {
            case KEY_ENTER: case KEY_EOF: asked = false; break;
            case KEY_Q: choice = SL_CHOICE_QUIT; asked = false; break;
            case KEY_R: choice = SL_CHOICE_RESTART; asked = false; break;
            case KEY_B: choice = SL_CHOICE_BACK; asked = false; break;
            case KEY_UP: if (s->view_rows) scroll_view(s, 1); break;
            case KEY_DOWN: if (s->view_rows) scroll_view(s, -1); break;
            case KEY_PAGE_UP: if (s->view_rows) scroll_view(s, page); break;
            case KEY_PAGE_DOWN: if (s->view_rows) scroll_view(s, -page); break;
            case KEY_NONE: break;
            }
        }
        sl_guard_restore_terminal();
    }
    if (s->view_rows && s->view_offset) {  /* the history keeps the latest lines */
        s->view_offset = 0;
        draw_view(s);
    }
    fputc('\n', f);
    fflush(f);
    s->rows_used += rows;
    s->view_rows = 0;
    return choice;
}

void text_screen_count_down(struct text_screen *s, const char *label, int ms)
{
    FILE *f = s->lab->stream;
    if (!s->terminal || ms < 1000) {
        sl_sleep_ms(ms);
        return;
    }
    for (int left = ms; left > 0; left -= 1000) {
        fputc('\r', f);
        fprintf(f, _("%s: going on in %d s (--auto)"), label, (left + 999) / 1000);
        fputs("\033[K", f);
        fflush(f);
        sl_sleep_ms(left < 1000 ? left : 1000);
    }
    fputs("\r\033[K", f);
    fflush(f);
}
