/* tui_legend.c — what the socket table and the transition log write, in
 * words: one text, shown by sockdash's help and by the labs' --tui help (see
 * tui.h). Its words are the table's: "accept queue" and "backlog" for a
 * listener's q= and bl=, the timers as ss -o names them. Each paragraph is
 * a message of the catalog (shown with sl_tui_draw_messages). */
#include "socklab/tui.h"

#include "socklab/i18n.h"

static const char *const legend[] = {
    N_("What the table and the log write"),
    "",
    N_("State: as ss names it. CLOSED: the kernel no longer lists the socket; the row stays a "
       "few seconds, with '-' where the kernel has nothing left to say."),
    N_("Recv-Q, Send-Q: bytes received and not yet read, bytes sent and not yet acknowledged. "
       "A listener's mean something else: q=2 is its accept queue (2 connections finished, "
       "waiting for accept(); ss shows it as Recv-Q), bl=8 its backlog (the most the queue "
       "holds; ss: Send-Q)."),
    N_("Timer, as ss -o names it, with the time left: on 204ms, the retransmission timer (or "
       "the SYN-ACK's); keepalive 7199s, the next keepalive probe; timewait 60s, a TIME-WAIT "
       "record's, and also an orphaned FIN-WAIT-2's (its program closed it, so the kernel "
       "keeps a small record timed by tcp_fin_timeout); persist 820ms, the next probe of a "
       "zero window. A number in brackets, as in persist 820ms (1), counts the "
       "retransmissions or probes sent so far."),
    N_("Log: poll, a change seen between two looks; trace, one the kernel's tracepoint "
       "reported (--trace, root). An end reads CLOSED (the figure's own edge), gone (RST or "
       "abort) for a socket that vanished without a TIME-WAIT, or gone (LAST-ACK unseen, or "
       "RST) when polling cannot tell a passive close quicker than a refresh from a reset."),
};

int sl_tui_legend(const char *const **paragraphs)
{
    *paragraphs = legend;
    return (int)(sizeof legend / sizeof legend[0]);
}
