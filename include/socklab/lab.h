/* lab.h — the step engine every lab runs on.
 *
 * A lab is a main() that declares who it is, then tells a story in steps:
 *
 *     static const struct sl_lab_info info = {
 *         .number = 3, .name = "blocking-vs-nonblocking",
 *         .title = "...", .goal = "...", .ports = 1,
 *     };
 *     int main(int argc, char **argv)
 *     {
 *         struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
 *         lab_step(lab, "An empty non-blocking socket");
 *         lab_say(lab, "Nothing has been sent yet. What does recv() say?");
 *         ssize_t n = lab_call(lab, recv(fd, buf, sizeof buf, MSG_DONTWAIT));
 *         lab_expect(lab, n == -1 && errno == EAGAIN,
 *                    "recv() on an empty non-blocking socket fails with EAGAIN");
 *         lab_pause(lab, "the socket is still ESTAB: nothing was lost");
 *         return sl_lab_end(lab);
 *     }
 *
 * Each step records its file and line, so the engine can show the lab's own
 * code from this step to the next one (or to the end of the block the step
 * stands in): what the student reads is what ran.
 *
 * Every claim ends in one of four outcomes, counted apart:
 *   held          the kernel did what the lab says             lab_expect()
 *   failed        the kernel disagreed (the only outcome that blames it)
 *   skipped       this machine's configuration rules the step   lab_skip()
 *                 out (a sysctl, no root); the lab says why
 *   inconclusive  the machine, not the kernel, spoiled the      lab_expect_sound()
 *                 measurement, even after SL_LAB_ATTEMPTS tries
 * Exit status: 0 when nothing failed and nothing stayed inconclusive (skips
 * are allowed), 1 when an expectation failed, 2 for a usage or set-up error,
 * 3 when a measurement stayed inconclusive.
 *
 * In a terminal the engine pauses after every step (Enter: next, q: quit, r:
 * start again, b: back a step) as well as at each named lab_pause(); --from N
 * runs the steps before N without pausing. Presenters (chosen by the common options):
 * text, with colour on a terminal unless NO_COLOR is set; JSON lines (--json),
 * one object per event; the full-screen classroom (--tui). */
#ifndef SOCKLAB_LAB_H
#define SOCKLAB_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "socklab/diag.h"
#include "socklab/i18n.h"
#include "socklab/segment.h"

/* A variant of a lab, switched on by --NAME (e.g. --et, --no-loop). */
struct sl_lab_flag {
    const char *name;
    const char *help;
};

/* Exit statuses of every lab (and of the tools, for 0 and 2). */
enum {
    SL_EXIT_OK = 0,             /* every claim held (or was skipped, with its reason) */
    SL_EXIT_FAILED = 1,         /* the kernel disagreed with a claim */
    SL_EXIT_USAGE = 2,          /* bad usage or set-up: nothing was taught */
    SL_EXIT_INCONCLUSIVE = 3,   /* the machine spoiled a measurement, even after retries */
};

/* What a --bind address may be for this lab; by default an IPv4 address of
 * this machine that is not the wildcard (127.0.0.1 unless --bind says so). */
enum {
    SL_BIND_IPV6 = 1 << 0,      /* the lab's claims hold over IPv6 as well */
    SL_BIND_WILDCARD = 1 << 1,  /* ... and on the wildcard address (0.0.0.0, ::) */
};

struct sl_lab_info {
    int number;                         /* its place in the curriculum: 1..99 */
    const char *name;                   /* "byte-order": the file is labs/01-byte-order.c */
    const char *title;                  /* one line */
    const char *goal;                   /* what the class will have seen at the end */
    int ports;                          /* how many ports it uses from --port N on */
    const struct sl_lab_flag *flags;    /* its variants, ended by { NULL, NULL } */
    unsigned bind_rules;                /* SL_BIND_* bits; 0: IPv4, not the wildcard */
    bool own_network;                   /* its steps drop packets: it runs in a network of
                                           its own whenever one can be made, as with
                                           --private (sl_lab_private_refused says why not) */
};

/* The four outcomes of a claim (see above). */
enum sl_outcome {
    SL_OUTCOME_HELD,
    SL_OUTCOME_FAILED,
    SL_OUTCOME_SKIPPED,
    SL_OUTCOME_INCONCLUSIVE,
};

/* "held", "failed", "skipped", "inconclusive" */
const char *sl_outcome_name(enum sl_outcome outcome);

struct sl_lab;

/* Parse the common options (and the lab's flags), answer --help, --version and
 * --describe, check the set-up (the --bind address is this machine's and fits
 * the lab; every port from --port N on can be bound), and announce the lab.
 * Bad options or set-up: one sentence on stderr, exit 2, before step 1. */
#define sl_lab_begin(argc, argv, info) sl_lab_begin_in(__FILE__, __func__, (argc), (argv), (info))
/* (where it is called from: the engine counts the lab's steps from there) */
struct sl_lab *sl_lab_begin_in(const char *file, const char *function, int argc, char **argv,
                               const struct sl_lab_info *info);

/* Report the totals, release everything; returns the exit status (SL_EXIT_*). */
int sl_lab_end(struct sl_lab *lab);

/* A set-up failure in the middle of a step (a port taken meanwhile, a
 * resource the lesson is not about): "program: step N (title): what; what to
 * do" on stderr, everything released, exit 2. Never a failed expectation. */
_Noreturn void sl_lab_setup_error(struct sl_lab *lab, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The address labs bind to: 127.0.0.1 unless --bind says otherwise. */
const char *sl_lab_bind_ip(const struct sl_lab *lab);

/* The index-th port the lab may use (--port N gives N + index), or 0 when no
 * --port was given: the lab then lets the kernel choose. */
uint16_t sl_lab_port(const struct sl_lab *lab, int index);

/* The lab's address (--bind) with this port (0: the kernel chooses), for a
 * raw bind() or connect() in a step; returns its length. */
socklen_t sl_lab_address(const struct sl_lab *lab, uint16_t port, struct sockaddr_storage *addr);

/* Add a port to the ones the pause hints and observations cover. */
void sl_lab_track_port(struct sl_lab *lab, uint16_t port);

/* Forget every tracked port: what follows tracks only what it names, so a
 * step's pause shows its own sockets, not those of the steps before. */
void sl_lab_untrack_all(struct sl_lab *lab);

/* Remember a connected or listening socket's 4-tuple (to find it in later
 * observations, even after close()) and track its local port. */
void sl_lab_follow(struct sl_lab *lab, int fd, struct sl_tuple *tuple);

/* The same for a client/server pair (pair[0] the client, pair[1] the
 * server): both tuples, and the server's port tracked. */
void sl_lab_follow_pair(struct sl_lab *lab, const int pair[2], struct sl_tuple *client,
                        struct sl_tuple *server);

/* Read a sysctl the lab's claims depend on ("net.ipv4.tcp_fin_timeout"),
 * show "net.ipv4.tcp_fin_timeout = 60" as a result, and return its first
 * value; -1 (and nothing shown but "not on this kernel") when it does not
 * exist. sl_lab_sysctl_values gives every value of a vector sysctl
 * (tcp_rmem: min default max) and returns how many it read. The setting is
 * shown where it is read, before the step's code. */
long sl_lab_sysctl(struct sl_lab *lab, const char *name);
int sl_lab_sysctl_values(struct sl_lab *lab, const char *name, long *values, int room);

/* True when the lab holds CAP_NET_ADMIN over the network it runs in: root,
 * or any user with --private. It may then make network namespaces of its own
 * (a child's, to try another sysctl value). Not "root on the machine": a
 * user's --private lab is privileged over its own network only (see
 * sl_lab_root_on_machine). */
bool sl_lab_privileged(const struct sl_lab *lab);

/* True when the lab is root on the machine (the machine's user namespace,
 * CAP_SYS_ADMIN): for what is the whole machine's, such as tracefs. */
bool sl_lab_root_on_machine(const struct sl_lab *lab);

/* True when the lab was started with --NAME, NAME one of info->flags. */
bool sl_lab_flag(const struct sl_lab *lab, const char *name);

/* True when nobody waits at pauses (--auto, --json, or no terminal). */
bool sl_lab_auto(const struct sl_lab *lab);

/* --- the story ------------------------------------------------------------ */

/* Every text a lab hands the functions below (a step's title, narration,
 * results, claims, skip reasons, pauses) is a format string the engine
 * translates before it formats it (i18n.h): a whole sentence in one string,
 * never one assembled from pieces, so that it can be translated as it stands.
 * A count in a sentence takes the catalog's plural form, which is a format
 * string too:
 *
 *     lab_show(lab, lab_plural(n, "%d client waits", "%d clients wait"), n); */
#define lab_plural(n, one, many) sl_plural((unsigned long)(n), (one), (many))

#define lab_step(lab, ...) sl_lab_step((lab), __FILE__, __LINE__, __VA_ARGS__)
#define lab_say(lab, ...) sl_lab_say((lab), __VA_ARGS__)
#define lab_show(lab, ...) sl_lab_show((lab), __VA_ARGS__)
#define lab_pause(lab, ...) sl_lab_pause((lab), __VA_ARGS__)

/* Run a raw system call, show its text and what the kernel answered (the value,
 * errno by name when it is -1, and how long it took), and return its value.
 * errno is left as the call set it, so the lab can test it next; how long it
 * took stays available from sl_lab_last_call_ms(). */
#define lab_call(lab, call) \
    (sl_lab_call_start(lab), sl_lab_call_done((lab), __LINE__, #call, (long)(call)))

/* Check a claim on the running kernel: held or failed; returns cond. */
#define lab_expect(lab, cond, ...) \
    sl_lab_expect((lab), __FILE__, __LINE__, \
                  (cond) ? SL_OUTCOME_HELD : SL_OUTCOME_FAILED, NULL, __VA_ARGS__)

/* A claim this machine's configuration cannot show: skipped, with why. */
#define lab_skip(lab, why, ...) \
    sl_lab_expect((lab), __FILE__, __LINE__, SL_OUTCOME_SKIPPED, (why), __VA_ARGS__)

/* A claim checked by a measurement that can be spoiled by a busy machine:
 * when `sound` is false the outcome is inconclusive (with the reason given to
 * the last sl_lab_again), otherwise held or failed as lab_expect. */
#define lab_expect_sound(lab, sound, cond, ...) \
    sl_lab_expect((lab), __FILE__, __LINE__, \
                  !(sound) ? SL_OUTCOME_INCONCLUSIVE \
                           : (cond) ? SL_OUTCOME_HELD : SL_OUTCOME_FAILED, \
                  NULL, __VA_ARGS__)

/* A claim this configuration may rule out: skipped, with why_not as the
 * reason, when why_not is not NULL; otherwise as lab_expect_sound. (why_not
 * is evaluated twice: a plain expression.) */
#define lab_expect_unless(lab, why_not, sound, cond, ...) \
    sl_lab_expect((lab), __FILE__, __LINE__, \
                  (why_not) ? SL_OUTCOME_SKIPPED \
                  : !(sound) ? SL_OUTCOME_INCONCLUSIVE \
                  : (cond) ? SL_OUTCOME_HELD : SL_OUTCOME_FAILED, \
                  (why_not), __VA_ARGS__)

/* How many times a spoiled measurement is tried in all. */
#define SL_LAB_ATTEMPTS 3

/* The retry of a measurement the machine spoiled:
 *
 *     int attempt = 0;
 *     do {
 *         ... measure; sound = the waiting side ran on time ...
 *     } while (!sound && sl_lab_again(lab, &attempt, "the child ran %d ms late", late));
 *     lab_expect_sound(lab, sound, waited >= 200, "recv() waited for all 10 bytes");
 *
 * Shows why the measurement is taken again and returns true while attempts
 * remain (at most SL_LAB_ATTEMPTS in all); the reason is kept for
 * lab_expect_sound. */
bool sl_lab_again(struct sl_lab *lab, int *attempt, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* How long the last lab_call() took, in milliseconds (measured around the
 * call itself, on this process's side). */
double sl_lab_last_call_ms(const struct sl_lab *lab);

#define SL_PRINTF(f, a) __attribute__((format(printf, f, a)))

void sl_lab_step(struct sl_lab *lab, const char *file, int line, const char *fmt, ...)
    SL_PRINTF(4, 5);
void sl_lab_say(struct sl_lab *lab, const char *fmt, ...) SL_PRINTF(2, 3);
void sl_lab_show(struct sl_lab *lab, const char *fmt, ...) SL_PRINTF(2, 3);
bool sl_lab_expect(struct sl_lab *lab, const char *file, int line, enum sl_outcome outcome,
                   const char *why, const char *fmt, ...) SL_PRINTF(6, 7);

/* A named pause: "look: <what>", then the exact ss and netstat commands for the
 * lab's ports. Waits for Enter on a terminal (q ends the lab cleanly); in
 * --auto mode or without a terminal it waits --delay milliseconds. Every step
 * also ends with a pause of its own on a terminal, unless it ended with this. */
void sl_lab_pause(struct sl_lab *lab, const char *fmt, ...) SL_PRINTF(2, 3);

void sl_lab_call_start(struct sl_lab *lab);
long sl_lab_call_done(struct sl_lab *lab, int line, const char *call_text, long result);

/* --- what the kernel says about the lab's sockets -------------------------- */

/* Take a snapshot of the sockets on the watched ports (sock_diag, else /proc),
 * show it (a small ss-like table in text, an "observe" event in JSON) and keep
 * it for sl_lab_state(). */
void sl_lab_observe(struct sl_lab *lab);

/* The state of the socket with this 4-tuple in the last observation (see
 * sl_tuple_of_fd; save the tuple before close() to follow a socket into
 * TIME-WAIT), or 0 when it is not there. */
int sl_lab_state(const struct sl_lab *lab, const struct sl_tuple *tuple);

/* That socket in the last observation, or NULL. */
const struct sl_socket *sl_lab_socket(const struct sl_lab *lab, const struct sl_tuple *tuple);

/* Observe again every few milliseconds, for at most timeout_ms, until the
 * socket with this tuple is in `state` (0: until it is gone); then show the
 * observation. True when it got there. State changes on loopback take a few
 * microseconds, but they happen after the call that caused them returns.
 * A wait of more than a few seconds shows a countdown on a terminal, and q
 * ends the lab there. A wait that runs out while tasks waited for a CPU for
 * a tenth of it or more (PSI, else this process's schedstat) goes on, up to
 * SL_LAB_ATTEMPTS times in all (2 s more at most each time); if it runs out
 * busy every time, the next claim to fail in the step is inconclusive, not
 * failed: the process that would have caused the state may not have run. */
bool sl_lab_wait_state(struct sl_lab *lab, const struct sl_tuple *tuple, int state,
                       int timeout_ms);

/* Observe until `count_of(snapshot)` reaches `want`, for at most timeout_ms
 * (counts wait for the state they count; a busy machine as for
 * sl_lab_wait_state); returns the last count. The
 * sockets are shown when they are few; many are one line, not a screenful. */
int sl_lab_wait_count(struct sl_lab *lab, int (*count_of)(const struct sl_snapshot *, void *),
                      void *arg, int want, int timeout_ms);

/* --- the lab's own network and its wire (--private, capture) --------------- */

/* True when the lab runs in a network of its own (--private): its loopback,
 * its ports and its network sysctls are its own, and nothing it does there
 * changes the machine. */
bool sl_lab_private(const struct sl_lab *lab);

/* A lab with info->own_network that could not have its network (user
 * namespaces off, say): why, in words for a skip ("user namespaces are
 * disabled (user.max_user_namespaces = 0)"); NULL when it has one or never
 * asked. Its steps that need the network are skipped with this reason. */
const char *sl_lab_private_refused(const struct sl_lab *lab);

/* Set a network sysctl of the lab's private network and show both values
 * ("net.ipv4.tcp_abort_on_overflow: 0 -> 1 (this lab's network only)").
 * Only in a private network: the machine's settings are never written, even
 * by root. False (nothing written, nothing shown) when the lab is not private
 * or the setting cannot be written. */
bool sl_lab_sysctl_set(struct sl_lab *lab, const char *name, long value);

/* Drop, on the lab's own loopback (nftables), the segments sent to `port`
 * whose flags include all of `flags` and none of `without` (SL_TCP_* from
 * socklab/segment.h: SL_TCP_SYN, SL_TCP_ACK drops the SYNs that open
 * connections; 0 and 0 drop every segment: the end on `port` is gone). Only in a private network; false there otherwise. The rule
 * stays until sl_lab_undrop or the end of the lab (the network ends with it).
 * The capture still sees what is dropped: it looks before the filter. */
bool sl_lab_drop(struct sl_lab *lab, uint16_t port, unsigned flags, unsigned without);
void sl_lab_undrop(struct sl_lab *lab);

/* True when the lab sees its segments: a capture on its loopback (private
 * network, or root on the machine). Otherwise every wire expectation is
 * skipped, with the reason. */
bool sl_lab_wire(const struct sl_lab *lab);

/* What a wire expectation looks for among the step's segments. Every field
 * left 0 matches anything. */
struct sl_wire_match {
    const struct sl_tuple *from;    /* sent by this end (its tuple: local = the sender) */
    const struct sl_tuple *on;      /* on this connection, either way */
    uint16_t from_port;             /* sent from this port */
    unsigned flags;                 /* all of these set (SL_TCP_*) */
    unsigned without;               /* none of these set */
    unsigned any;                   /* at least one of these set (FIN | RST: an end) */
    bool data;                      /* it carries data */
    bool empty;                     /* it carries none (a bare ACK, a keepalive probe) */
    bool zero_window;               /* it advertises a window of 0 */
    bool probe;                     /* a window probe: no data, and a sequence number
                                       below what its sender has sent already */
    bool in_last_call;              /* captured during the step's last lab_call */
    double after_ms;                /* in a sequence (lab_expect_segments): at least this
                                       long after the latest segment that matched the
                                       entry before it */
};

/* Segments of this step (since its lab_step) that match; -1 without a
 * capture. Reads what the capture holds first. */
int sl_lab_wire_count(struct sl_lab *lab, const struct sl_wire_match *m);

/* "The lab expects this segment": held when one of this step's segments
 * matches (waiting for it at most timeout_ms), failed when none came;
 * skipped, with the reason, when the lab has no capture — never held. */
#define lab_expect_segment(lab, match, timeout_ms, ...) \
    sl_lab_expect_wire((lab), __FILE__, __LINE__, (match), 1, 1, false, (timeout_ms), \
                       __VA_ARGS__)

/* These `n` segments, in this order (others may come between them). An
 * entry with after_ms counts from the latest match of the entry before it:
 * "a header, then a bare ACK at least 30 ms later" looks at each header. */
#define lab_expect_segments(lab, matches, n, timeout_ms, ...) \
    sl_lab_expect_wire((lab), __FILE__, __LINE__, (matches), (n), (n), false, (timeout_ms), \
                       __VA_ARGS__)

/* Exactly `want` of them once settle_ms more have passed (segments in flight
 * arrive): a SYN and its one retransmission, as many SYN-ACKs as the queue
 * admitted. Failed at once when more came. */
#define lab_expect_segment_count(lab, match, want, settle_ms, ...) \
    sl_lab_expect_wire((lab), __FILE__, __LINE__, (match), 1, (want), true, (settle_ms), \
                       __VA_ARGS__)

/* None of them: held when no segment of this step matches once settle_ms
 * more have passed, failed when one does. */
#define lab_expect_no_segment(lab, match, settle_ms, ...) \
    sl_lab_expect_wire((lab), __FILE__, __LINE__, (match), 1, 0, true, (settle_ms), \
                       __VA_ARGS__)

bool sl_lab_expect_wire(struct sl_lab *lab, const char *file, int line,
                        const struct sl_wire_match *m, int count, int want, bool exactly,
                        int ms, const char *fmt, ...) SL_PRINTF(9, 10);

/* --- children -------------------------------------------------------------- */

/* fork() for labs: the child is remembered, and killed and reaped if the lab
 * ends early (q at a pause, Ctrl-C, a set-up error). */
pid_t sl_lab_fork(struct sl_lab *lab);

/* Wait at most timeout_ms for a child forked with sl_lab_fork; returns true and
 * its wait status, or false (the child is then killed and reaped). */
bool sl_lab_wait_child(struct sl_lab *lab, pid_t pid, int timeout_ms, int *status);

/* "exited with status 0" / "killed by SIGPIPE" for a wait status. */
const char *sl_wait_status_describe(int status, char *buf, size_t len);

#endif
