/* tui_panels.h — the panels beside the socket table that sockdash (and a
 * lab's --tui) can show: the sockets' tcp_info as columns, a sparkline of the
 * selected connection's RTT and cwnd, the connections that ended, and one
 * socket's cell explained. Drawn with the widgets of tui.h. */
#ifndef SOCKLAB_TUI_PANELS_H
#define SOCKLAB_TUI_PANELS_H

#include <stddef.h>

#include "socklab/closed.h"
#include "socklab/explain.h"
#include "socklab/tui.h"

/* The tcp_info table's columns, in the order shown. */
enum sl_tui_info_column {
    SL_TUI_INFO_STATE, SL_TUI_INFO_LOCAL, SL_TUI_INFO_PEER, SL_TUI_INFO_RTT,
    SL_TUI_INFO_RTTVAR, SL_TUI_INFO_CWND, SL_TUI_INFO_SSTHRESH, SL_TUI_INFO_UNACKED,
    SL_TUI_INFO_RETRANS, SL_TUI_INFO_SND_WND, SL_TUI_INFO_RCV_WND, SL_TUI_INFO_ACKED,
    SL_TUI_INFO_RECEIVED, SL_TUI_INFO_RATE, SL_TUI_INFO_COLUMNS
};

/* Which columns fit in `width`, in the order shown (the least needed left
 * out first: rate, receive window, rttvar, ssthresh ...); returns how many. */
int sl_tui_info_columns(int width, int *which, int *widths);

/* What a column's cell explains. */
enum sl_explain_cell sl_tui_info_cell(int column);
const char *sl_tui_info_heading(int column);

/* The sockets with their tcp_info (rtt in ms, cwnd, ssthresh, unacked,
 * retransmissions, windows, bytes, delivery rate), the selected row reversed,
 * and `last_line` (a sparkline, say) on the last line. A socket without
 * tcp_info (a listener has some, a TIME-WAIT record none) shows "-". */
void sl_tui_draw_info_table(const struct sl_tui_model *m, struct sl_tui_rect r,
                            const char *last_line);

/* values as a sparkline of at most `width` columns (the newest on the right):
 * block characters where the locale has them, " .:-=+*#" where it has not;
 * scaled from 0 to the largest value. Returns its width in columns (a block
 * is three bytes and one column). */
int sl_tui_sparkline(const double *values, int count, int width, char *out, size_t len);

/* The connections that ended, newest first: when, how, the tuple, duration,
 * bytes each way, retransmissions, final RTT. */
void sl_tui_draw_closed(const struct sl_closed_list *list, struct sl_tui_rect r,
                        double start_ms);

/* One socket's cell explained, filling r (cleared first), from line `skip`
 * of the text on, its last line the keys (sl_tui_draw_scrolled); returns
 * where the view is (skip held within the text) and how many lines it has. */
struct sl_tui_scroll sl_tui_draw_explanation(struct sl_tui_rect r, const char *title,
                                             const struct sl_explanation *e, int skip);

#endif
