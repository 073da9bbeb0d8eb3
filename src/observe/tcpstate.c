/* tcpstate.c — state names, meanings (the names as the tools print them in
 * every language, the meanings in the user's) and RFC 9293's transitions (see tcpstate.h). */
#include "socklab/tcpstate.h"

#include "socklab/i18n.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct state_names {
    const char *ss;
    const char *netstat;
    const char *rfc;
    const char *meaning;
};

/* ss's names come from iproute2's sstate_name[]; netstat's from net-tools'
 * tcp_state[]. NEW_SYN_RECV is a request socket, which both tools show as
 * SYN-RECV. ss calls a closed socket UNCONN. */
static const struct state_names names[SL_TCP_STATE_COUNT] = {
    [SL_TCP_ESTABLISHED] = { "ESTAB", "ESTABLISHED", "ESTABLISHED",
        N_("the connection is open: data flows both ways") },
    [SL_TCP_SYN_SENT] = { "SYN-SENT", "SYN_SENT", "SYN-SENT",
        N_("connect() sent a SYN and waits for the SYN-ACK") },
    [SL_TCP_SYN_RECV] = { "SYN-RECV", "SYN_RECV", "SYN-RECEIVED",
        N_("a SYN arrived and a SYN-ACK went back; waiting for the final ACK") },
    [SL_TCP_FIN_WAIT1] = { "FIN-WAIT-1", "FIN_WAIT1", "FIN-WAIT-1",
        N_("this side closed and sent a FIN; the peer has not acknowledged it yet") },
    [SL_TCP_FIN_WAIT2] = { "FIN-WAIT-2", "FIN_WAIT2", "FIN-WAIT-2",
        N_("our FIN was acknowledged; waiting for the peer to close its side") },
    [SL_TCP_TIME_WAIT] = { "TIME-WAIT", "TIME_WAIT", "TIME-WAIT",
        N_("our FIN went first (or both at once): the 4-tuple is held for late segments") },
    [SL_TCP_CLOSE] = { "UNCONN", "CLOSE", "CLOSED",
        N_("no connection: the socket is not connected to anything") },
    [SL_TCP_CLOSE_WAIT] = { "CLOSE-WAIT", "CLOSE_WAIT", "CLOSE-WAIT",
        N_("the peer closed; this side has not closed or shut down its own yet") },
    [SL_TCP_LAST_ACK] = { "LAST-ACK", "LAST_ACK", "LAST-ACK",
        N_("the peer closed, then this side closed; waiting for the last ACK") },
    [SL_TCP_LISTEN] = { "LISTEN", "LISTEN", "LISTEN",
        N_("waiting for connections; finished ones wait in the accept queue") },
    [SL_TCP_CLOSING] = { "CLOSING", "CLOSING", "CLOSING",
        N_("both sides closed at once; waiting for the ACK of our FIN") },
    [SL_TCP_NEW_SYN_RECV] = { "SYN-RECV", "SYN_RECV", "SYN-RECEIVED",
        N_("a connection request (SYN received, SYN-ACK sent), not yet a full socket") },
    [SL_TCP_BOUND_INACTIVE] = { "UNCONN", "CLOSE", "CLOSED",
        N_("bound to a port, neither listening nor connecting") },
};

bool sl_state_valid(int state)
{
    return state > 0 && state < SL_TCP_STATE_COUNT;
}

const char *sl_state_name(int state)
{
    return sl_state_valid(state) ? names[state].ss : "UNKNOWN";
}

const char *sl_state_netstat_name(int state)
{
    return sl_state_valid(state) ? names[state].netstat : "UNKNOWN";
}

const char *sl_state_rfc_name(int state)
{
    return sl_state_valid(state) ? names[state].rfc : "UNKNOWN";
}

const char *sl_state_meaning(int state)
{
    return sl_state_valid(state) ? _(names[state].meaning) : _("not a TCP state");
}

int sl_state_from_name(const char *name)
{
    /* The first match wins, so SYN-RECV names SYN_RECV, not NEW_SYN_RECV. */
    for (int s = 1; s < SL_TCP_STATE_COUNT; s++)
        if (!strcasecmp(name, names[s].ss) || !strcasecmp(name, names[s].netstat) ||
            !strcasecmp(name, names[s].rfc))
            return s;
    /* ss's filter words differ from its column names in two places. */
    if (!strcasecmp(name, "established"))
        return SL_TCP_ESTABLISHED;
    if (!strcasecmp(name, "closed"))
        return SL_TCP_CLOSE;
    if (!strcasecmp(name, "bound-inactive"))
        return SL_TCP_BOUND_INACTIVE;
    return -1;
}

int sl_states_named(const char *text, int *states, int room)
{
    int n = 0;
    for (const char *at = text; *at;) {
        size_t len = strspn(at, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                "0123456789_-");
        if (!len) {
            at++;
            continue;
        }
        char word[32];
        bool capitals = len < sizeof word;
        for (size_t i = 0; capitals && i < len; i++)
            capitals = !(at[i] >= 'a' && at[i] <= 'z');
        at += len;
        if (!capitals)
            continue;
        memcpy(word, at - len, len);
        word[len] = '\0';
        int state = sl_state_from_name(word);
        bool seen = state < 0;
        for (int i = 0; i < n && !seen; i++)
            seen = states[i] == state;
        if (!seen && n < room)
            states[n++] = state;
    }
    return n;
}

#define B(s) SL_STATE_BIT(SL_TCP_##s)

sl_state_mask sl_state_group(const char *name)
{
    static const struct { const char *name; sl_state_mask mask; } groups[] = {
        /* ss(8)'s state groups */
        { "all", SL_STATES_ALL },
        { "connected", SL_STATES_ALL & ~(B(LISTEN) | B(CLOSE) | B(BOUND_INACTIVE)) },
        { "synchronized", SL_STATES_ALL & ~(B(LISTEN) | B(CLOSE) | B(BOUND_INACTIVE) |
                                            B(SYN_SENT)) },
        { "bucket", B(SYN_RECV) | B(NEW_SYN_RECV) | B(TIME_WAIT) },
        { "big", SL_STATES_ALL & ~(B(SYN_RECV) | B(NEW_SYN_RECV) | B(TIME_WAIT)) },
        /* socklab's, as the dashboard groups its meter */
        { "listening", B(LISTEN) },
        { "opening", B(SYN_SENT) | B(SYN_RECV) | B(NEW_SYN_RECV) },
        { "closing", B(FIN_WAIT1) | B(FIN_WAIT2) | B(CLOSING) | B(TIME_WAIT) |
                     B(CLOSE_WAIT) | B(LAST_ACK) },
    };
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (!strcasecmp(name, groups[i].name))
            return groups[i].mask;
    return 0;
}

bool sl_state_parse_list(const char *list, sl_state_mask *mask, char *why, size_t why_len)
{
    char copy[256];
    if (strlen(list) >= sizeof copy) {
        snprintf(why, why_len, "the state list is too long");
        return false;
    }
    size_t len = strlen(list);
    if (len && (list[0] == ',' || list[len - 1] == ',' || strstr(list, ",,"))) {
        snprintf(why, why_len, "an empty item in the list");
        return false;
    }
    strcpy(copy, list);
    *mask = 0;
    char *save = NULL;
    for (char *word = strtok_r(copy, ",", &save); word; word = strtok_r(NULL, ",", &save)) {
        sl_state_mask group = sl_state_group(word);
        int state = group ? 0 : sl_state_from_name(word);
        if (!group && state < 0) {
            snprintf(why, why_len, "'%s' is not a TCP state or group", word);
            return false;
        }
        /* A request socket is how Linux shows SYN-RECV: asking for one asks for both. */
        if (state == SL_TCP_SYN_RECV)
            group = B(SYN_RECV) | B(NEW_SYN_RECV);
        *mask |= group ? group : SL_STATE_BIT(state);
    }
    if (!*mask) {
        snprintf(why, why_len, "the state list is empty");
        return false;
    }
    return true;
}

#undef B

/* RFC 9293, Figure 5, edge by edge. Notes from the figure: the SYN-RECEIVED ->
 * LISTEN edge applies only when SYN-RECEIVED was reached from LISTEN (note 1);
 * FIN-WAIT-1 -> TIME-WAIT is the edge the figure omits, taken when a FIN
 * arrives together with the ACK of our own FIN (note 2). */
static const struct sl_transition transitions[] = {
    { SL_TCP_CLOSE,       SL_TCP_LISTEN,      "passive OPEN",           "create TCB" },
    { SL_TCP_CLOSE,       SL_TCP_SYN_SENT,    "active OPEN",            "create TCB, snd SYN" },
    { SL_TCP_LISTEN,      SL_TCP_CLOSE,       "CLOSE",                  "delete TCB" },
    { SL_TCP_LISTEN,      SL_TCP_SYN_RECV,    "rcv SYN",                "snd SYN,ACK" },
    { SL_TCP_LISTEN,      SL_TCP_SYN_SENT,    "SEND",                   "snd SYN" },
    { SL_TCP_SYN_SENT,    SL_TCP_CLOSE,       "CLOSE",                  "delete TCB" },
    { SL_TCP_SYN_SENT,    SL_TCP_SYN_RECV,    "rcv SYN",                "snd SYN,ACK" },
    { SL_TCP_SYN_SENT,    SL_TCP_ESTABLISHED, "rcv SYN,ACK",            "snd ACK" },
    { SL_TCP_SYN_RECV,    SL_TCP_LISTEN,      "rcv RST",                "x" },
    { SL_TCP_SYN_RECV,    SL_TCP_ESTABLISHED, "rcv ACK of SYN",         "x" },
    { SL_TCP_SYN_RECV,    SL_TCP_FIN_WAIT1,   "CLOSE",                  "snd FIN" },
    { SL_TCP_ESTABLISHED, SL_TCP_FIN_WAIT1,   "CLOSE",                  "snd FIN" },
    { SL_TCP_ESTABLISHED, SL_TCP_CLOSE_WAIT,  "rcv FIN",                "snd ACK" },
    { SL_TCP_FIN_WAIT1,   SL_TCP_FIN_WAIT2,   "rcv ACK of FIN",         "x" },
    { SL_TCP_FIN_WAIT1,   SL_TCP_CLOSING,     "rcv FIN",                "snd ACK" },
    { SL_TCP_FIN_WAIT1,   SL_TCP_TIME_WAIT,   "rcv FIN, ACK of FIN",    "snd ACK" },
    { SL_TCP_FIN_WAIT2,   SL_TCP_TIME_WAIT,   "rcv FIN",                "snd ACK" },
    { SL_TCP_CLOSING,     SL_TCP_TIME_WAIT,   "rcv ACK of FIN",         "x" },
    { SL_TCP_CLOSE_WAIT,  SL_TCP_LAST_ACK,    "CLOSE",                  "snd FIN" },
    { SL_TCP_LAST_ACK,    SL_TCP_CLOSE,       "rcv ACK of FIN",         "x" },
    { SL_TCP_TIME_WAIT,   SL_TCP_CLOSE,       "Timeout (Linux: 60 s)",  "delete TCB" },
};

const struct sl_transition *sl_transitions(size_t *count)
{
    *count = sizeof transitions / sizeof transitions[0];
    return transitions;
}

const struct sl_transition *sl_transition_find(int from, int to)
{
    if (from == SL_TCP_NEW_SYN_RECV)
        from = SL_TCP_SYN_RECV;
    if (to == SL_TCP_NEW_SYN_RECV)
        to = SL_TCP_SYN_RECV;
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
        if (transitions[i].from == from && transitions[i].to == to)
            return &transitions[i];
    return NULL;
}
