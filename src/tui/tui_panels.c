/* tui_panels.c — the tcp_info table, sparklines, the closed list and the
 * explanation panel (see tui_panels.h), drawn with tui.h's widgets. */
#include "socklab/tui_panels.h"

#include "socklab/i18n.h"
#include "socklab/socket_format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *head;
    int width;                  /* with the space after it */
    int keep;                   /* the higher, the longer it stays as the width shrinks */
    enum sl_explain_cell cell;
} info_columns[SL_TUI_INFO_COLUMNS] = {
    [SL_TUI_INFO_STATE] = { "State", 11, 99, SL_CELL_STATE },
    [SL_TUI_INFO_LOCAL] = { "Local Address:Port", 21, 90, SL_CELL_LOCAL },
    [SL_TUI_INFO_PEER] = { "Peer Address:Port", 21, 40, SL_CELL_PEER },
    [SL_TUI_INFO_RTT] = { "RTT ms", 8, 95, SL_CELL_RTT },
    [SL_TUI_INFO_RTTVAR] = { "Var ms", 8, 20, SL_CELL_RTT },
    [SL_TUI_INFO_CWND] = { "Cwnd", 6, 94, SL_CELL_CWND },
    [SL_TUI_INFO_SSTHRESH] = { "Ssthr", 6, 25, SL_CELL_CWND },
    [SL_TUI_INFO_UNACKED] = { "Unack", 6, 80, SL_CELL_RETRANS },
    [SL_TUI_INFO_RETRANS] = { "Retr", 5, 85, SL_CELL_RETRANS },
    [SL_TUI_INFO_SND_WND] = { "SndWnd", 8, 60, SL_CELL_WINDOWS },
    [SL_TUI_INFO_RCV_WND] = { "RcvWnd", 8, 15, SL_CELL_WINDOWS },
    [SL_TUI_INFO_ACKED] = { "Acked", 9, 50, SL_CELL_BYTES },
    [SL_TUI_INFO_RECEIVED] = { "Received", 9, 45, SL_CELL_BYTES },
    [SL_TUI_INFO_RATE] = { "Rate B/s", 10, 10, SL_CELL_BYTES },
};

enum sl_explain_cell sl_tui_info_cell(int column)
{
    return column >= 0 && column < SL_TUI_INFO_COLUMNS ? info_columns[column].cell
                                                       : SL_CELL_STATE;
}

const char *sl_tui_info_heading(int column)
{
    return column >= 0 && column < SL_TUI_INFO_COLUMNS ? info_columns[column].head : "?";
}

int sl_tui_info_columns(int width, int *which, int *widths)
{
    bool shown[SL_TUI_INFO_COLUMNS];
    int need = -1;                                  /* the last column needs no space */
    for (int c = 0; c < SL_TUI_INFO_COLUMNS; c++) {
        shown[c] = true;
        need += info_columns[c].width;
    }
    while (need > width) {                          /* drop the least kept */
        int drop = -1;
        for (int c = 0; c < SL_TUI_INFO_COLUMNS; c++)
            if (shown[c] && c != SL_TUI_INFO_STATE &&
                (drop < 0 || info_columns[c].keep < info_columns[drop].keep))
                drop = c;
        if (drop < 0)
            break;
        shown[drop] = false;
        need -= info_columns[drop].width;
    }
    int n = 0, used = 0;
    for (int c = 0; c < SL_TUI_INFO_COLUMNS; c++)
        if (shown[c]) {
            which[n] = c;
            widths[n] = info_columns[c].width;
            used += widths[n++];
        }
    widths[n - 1] += width - used;                  /* the last takes what is left */
    return n;
}

/* "12.3k", "4.5M": a count in at most 6 characters. */
static void compact(unsigned long long v, char *buf, size_t len)
{
    if (v < 100000)
        snprintf(buf, len, "%llu", v);
    else if (v < 100000000ull)
        snprintf(buf, len, "%.1fk", v / 1e3);
    else if (v < 100000000000ull)
        snprintf(buf, len, "%.1fM", v / 1e6);
    else
        snprintf(buf, len, "%.1fG", v / 1e9);
}

static void info_cell(const struct sl_socket *s, int column, char *buf, size_t len)
{
    const struct sl_tcp_info *i = &s->info;
    char local[SL_ADDR_STRLEN];
    if (column == SL_TUI_INFO_STATE) {
        snprintf(buf, len, "%s", sl_state_name(s->state));
        return;
    }
    if (column == SL_TUI_INFO_LOCAL || column == SL_TUI_INFO_PEER) {
        (column == SL_TUI_INFO_LOCAL ? sl_tuple_local : sl_tuple_peer)(&s->tuple, local,
                                                                        sizeof local);
        snprintf(buf, len, "%s", local);
        return;
    }
    bool window = column == SL_TUI_INFO_SND_WND || column == SL_TUI_INFO_RCV_WND;
    unsigned need = column == SL_TUI_INFO_SND_WND ? SL_INFO_SND_WND
                  : column == SL_TUI_INFO_RCV_WND ? SL_INFO_RCV_WND
                  : column == SL_TUI_INFO_ACKED || column == SL_TUI_INFO_RECEIVED ? SL_INFO_BYTES
                  : column == SL_TUI_INFO_RATE ? SL_INFO_DELIVERY : SL_INFO_BASE;
    if (!s->has_info || !(i->present & need) || (s->state == SL_TCP_LISTEN && window)) {
        snprintf(buf, len, "-");                    /* not sent by this kernel, or no data */
        return;
    }
    switch (column) {
    case SL_TUI_INFO_RTT: snprintf(buf, len, "%.3f", i->rtt_us / 1000.0); break;
    case SL_TUI_INFO_RTTVAR: snprintf(buf, len, "%.3f", i->rttvar_us / 1000.0); break;
    case SL_TUI_INFO_CWND: snprintf(buf, len, "%u", i->snd_cwnd); break;
    case SL_TUI_INFO_SSTHRESH:
        /* "infinite" until the first loss: the kernel says 0x7fffffff */
        snprintf(buf, len, i->snd_ssthresh >= 0x7fffffff || !i->snd_ssthresh ? "-" : "%u",
                 i->snd_ssthresh);
        break;
    case SL_TUI_INFO_UNACKED: snprintf(buf, len, "%u", i->unacked); break;
    case SL_TUI_INFO_RETRANS: snprintf(buf, len, "%u", i->total_retrans); break;
    case SL_TUI_INFO_SND_WND: compact(i->snd_wnd, buf, len); break;
    case SL_TUI_INFO_RCV_WND: compact(i->rcv_wnd, buf, len); break;
    case SL_TUI_INFO_ACKED: compact(i->bytes_acked, buf, len); break;
    case SL_TUI_INFO_RECEIVED: compact(i->bytes_received, buf, len); break;
    default: compact(i->delivery_rate, buf, len); break;
    }
}

void sl_tui_draw_info_table(const struct sl_tui_model *m, struct sl_tui_rect r,
                            const char *last_line)
{
    int which[SL_TUI_INFO_COLUMNS], widths[SL_TUI_INFO_COLUMNS];
    int n = sl_tui_info_columns(r.w, which, widths), x = r.x;
    for (int c = 0; c < n; c++) {
        sl_tui_put(r.y, x, widths[c], info_columns[which[c]].head, SL_TUI_HEADING);
        x += widths[c];
    }
    int rows = sl_tui_table_rows(r.h);
    size_t first = sl_tui_first_shown(m->selected, rows);
    for (int i = 0; i < rows; i++) {
        size_t at = first + (size_t)i;
        int y = r.y + 1 + i;
        if (at >= m->row_count) {
            sl_tui_put(y, r.x, r.w, "", SL_TUI_PLAIN);
            continue;
        }
        const struct sl_tui_row *row = &m->rows[at];
        enum sl_tui_look look = at == m->selected ? SL_TUI_REVERSE
                              : row->gone_at ? SL_TUI_DIM : SL_TUI_PLAIN;
        x = r.x;
        for (int c = 0; c < n; c++) {
            char cell[64];
            info_cell(&row->socket, which[c], cell, sizeof cell);
            if (which[c] == SL_TUI_INFO_STATE && row->gone_at)
                snprintf(cell, sizeof cell, "CLOSED");
            sl_tui_put(y, x, widths[c], cell, look);
            x += widths[c];
        }
    }
    if (r.h >= 3)
        sl_tui_put_words(r.y + r.h - 1, r.x, r.w, last_line ? last_line : "", SL_TUI_BOLD);
}

int sl_tui_sparkline(const double *values, int count, int width, char *out, size_t len)
{
    static const char *const blocks[] = { "\u2581", "\u2582", "\u2583", "\u2584",
                                          "\u2585", "\u2586", "\u2587", "\u2588" };
    static const char ascii[] = " .:-=+*#";
    bool utf8 = MB_CUR_MAX > 1;
    int first = count > width ? count - width : 0;
    double top = 0;
    for (int i = first; i < count; i++)
        top = values[i] > top ? values[i] : top;
    size_t used = 0;
    int columns = 0;
    out[0] = '\0';
    for (int i = first; i < count; i++) {
        int level = top > 0 ? (int)(values[i] / top * 7 + 0.5) : 0;
        level = level < 0 ? 0 : level > 7 ? 7 : level;
        const char *mark = utf8 ? blocks[level] : (char[]){ ascii[level], '\0' };
        size_t bytes = strlen(mark);                /* 3 for a block, 1 for ASCII */
        if (used + bytes + 1 > len)
            break;
        memcpy(out + used, mark, bytes + 1);
        used += bytes;
        columns += sl_text_columns(mark);
    }
    return columns;
}

void sl_tui_draw_closed(const struct sl_closed_list *list, struct sl_tui_rect r,
                        double start_ms)
{
    char title[192];
    snprintf(title, sizeof title, _("Closed connections, newest first (%lu in all)"),
             list->total);
    sl_tui_put(r.y, r.x, r.w, title, SL_TUI_HEADING);
    for (int i = 1; i < r.h; i++) {
        const struct sl_closed *c = sl_closed_get(list, (size_t)i - 1);
        char line[600] = "", body[480];
        if (c)
            snprintf(line, sizeof line, "%7.1fs %s", (c->ended_ms - start_ms) / 1000.0,
                     sl_closed_format(c, body, sizeof body));
        else if (i == 1)
            snprintf(line, sizeof line, "%s", _("none yet: a connection on the filter's ports "
                                                "that ends shows here, with how it ended"));
        sl_tui_put_words(r.y + i, r.x, r.w, line, i == 1 && c ? SL_TUI_BOLD : SL_TUI_PLAIN);
    }
}

struct sl_tui_scroll sl_tui_draw_explanation(struct sl_tui_rect r, const char *title,
                                             const struct sl_explanation *e, int skip)
{
    const char *paragraphs[1 + 2 * SL_EXPLAIN_PARTS];
    char parts[SL_EXPLAIN_PARTS][SL_EXPLAIN_LEN + 40];
    int n = 0;
    paragraphs[n++] = title;
    for (int k = 0; k < e->count; k++) {
        paragraphs[n++] = "";
        snprintf(parts[k], sizeof parts[k], "%s: %s", e->heading[k], e->text[k]);
        paragraphs[n++] = parts[k];
    }
    return sl_tui_draw_scrolled(r, paragraphs, n, NULL, SL_TUI_BY_LINE, skip,
                                _("Left/Right: another cell.  Up/Down: scroll.  Enter, Esc: close."));
}
