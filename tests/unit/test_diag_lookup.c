/* test_diag_lookup.c — exact lookups, tcp_info by its length, destroy events
 * and how a connection ended: on answers and events recorded off the kernel
 * (tests/fixtures/diag-lookup.bin, diag-destroy.bin, diag-info-*.bin, made by
 * tests/tools/diag-events), and live on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "private_network.h"
#include "quiet_listener.h"
#include "../../src/observe/diag_internal.h"
#include "socklab/closed.h"
#include "socklab/clock.h"
#include "socklab/net.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

/* The datagrams of a recorded file: each preceded by its length. */
struct datagrams {
    char *buf;
    size_t len, count;
    const char *at[16];
    size_t size[16];
};

static void load(const char *name, struct datagrams *d)
{
    d->buf = fixture(name, &d->len);
    d->count = 0;
    for (size_t i = 0; i + 4 <= d->len && d->count < 16;) {
        uint32_t n;
        memcpy(&n, d->buf + i, 4);
        assert_true(i + 4 + n <= d->len);
        d->at[d->count] = d->buf + i + 4;
        d->size[d->count++] = n;
        i += 4 + n;
    }
}

/* One answer, copied to an exactly sized buffer (ASan sees any overread). */
static int parse_one(const struct datagrams *d, size_t k, uint32_t seq, struct sl_socket *s,
                     enum sl_lookup_result *r)
{
    char *copy = malloc(d->size[k]);
    memcpy(copy, d->at[k], d->size[k]);
    int rc = sl_lookup_parse_answer(copy, d->size[k], seq, 1, s, r);
    free(copy);
    return rc;
}

static void recorded_answers(void **state)
{
    (void)state;
    struct datagrams d;
    load("diag-lookup.bin", &d);
    assert_int_equal(d.count, 6);
    struct sl_socket s[6];
    enum sl_lookup_result r[6];
    for (size_t k = 0; k < 6; k++)
        assert_int_equal(parse_one(&d, k, 1001 + (uint32_t)k, &s[k], &r[k]), 1);
    /* the client and the server of a pair, by cookie, with their tcp_info */
    assert_int_equal(r[0], SL_LOOKUP_FOUND);
    assert_int_equal(s[0].state, SL_TCP_ESTABLISHED);
    assert_true(s[0].cookie != 0 && s[0].has_info);
    assert_int_equal(s[0].info.bytes_sent, 5);                 /* "hello" */
    assert_int_equal(s[1].info.bytes_received, 5);
    assert_int_equal(s[1].tuple.local_port, s[0].tuple.peer_port);
    assert_int_equal(s[2].state, SL_TCP_LISTEN);
    /* after close: the client's TIME-WAIT record keeps its cookie ... */
    assert_int_equal(r[3], SL_LOOKUP_FOUND);
    assert_int_equal(s[3].state, SL_TCP_TIME_WAIT);
    assert_int_equal(s[3].timer, SL_TIMER_TIMEWAIT);
    assert_true(s[3].cookie == s[0].cookie);
    assert_false(s[3].has_info);
    /* ... the server is gone by cookie, and without one the port's listener answers */
    assert_int_equal(r[4], SL_LOOKUP_GONE);
    assert_int_equal(r[5], SL_LOOKUP_FOUND);
    assert_int_equal(s[5].state, SL_TCP_LISTEN);
    assert_true(s[5].cookie == s[2].cookie);
    free(d.buf);
}

static void answers_are_checked(void **state)
{
    (void)state;
    struct datagrams d;
    load("diag-lookup.bin", &d);
    struct sl_socket s;
    enum sl_lookup_result r = SL_LOOKUP_FAILED;
    assert_int_equal(parse_one(&d, 0, 2000, &s, &r), -EBADMSG);   /* not a seq we asked */
    assert_int_equal(parse_one(&d, 1, 1001, &s, &r), -EBADMSG);   /* 1002 is out of range */
    char *cut = malloc(d.size[0] - 40);                           /* a message cut short */
    memcpy(cut, d.at[0], d.size[0] - 40);
    assert_int_equal(sl_lookup_parse_answer(cut, d.size[0] - 40, 1001, 1, &s, &r), -EBADMSG);
    free(cut);
    free(d.buf);
}

static void request_names_one_socket(void **state)
{
    (void)state;
    struct sl_socket s = { .tuple = { .family = AF_INET, .local_port = 8080,
                                      .peer_port = 40000 }, .cookie = 0x1122334455667788ull };
    char buf[256];
    assert_int_equal(sl_lookup_put_request(buf, 10, &s, 7, true), 0);
    size_t n = sl_lookup_put_request(buf, sizeof buf, &s, 7, true);
    assert_int_equal(n, 16 + sizeof(struct inet_diag_req_v2));
    const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
    assert_int_equal(h->nlmsg_flags & NLM_F_DUMP, 0);          /* a lookup, not a walk */
    assert_int_equal(h->nlmsg_seq, 7);
    const struct inet_diag_req_v2 *req = (const void *)(buf + 16);
    assert_int_equal(ntohs(req->id.idiag_sport), 8080);
    assert_int_equal(req->id.idiag_cookie[0], 0x55667788u);
    assert_int_equal(req->id.idiag_cookie[1], 0x11223344u);
    s.cookie = 0;                                             /* unknown: "any" */
    sl_lookup_put_request(buf, sizeof buf, &s, 8, false);
    assert_int_equal(req->id.idiag_cookie[0], 0xffffffffu);
    assert_int_equal(req->idiag_ext, 0);
}

/* struct tcp_info as kernels of other sizes sent it: each field only when
 * all its bytes came. */
static void tcp_info_by_length(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        unsigned present;
    } sizes[] = {
        { "diag-info-104.bin", SL_INFO_BASE },
        { "diag-info-168.bin", SL_INFO_BASE | SL_INFO_BYTES | SL_INFO_SEGS | SL_INFO_MIN_RTT |
                               SL_INFO_DELIVERY },
        { "diag-info-232.bin", SL_INFO_BASE | SL_INFO_BYTES | SL_INFO_SEGS | SL_INFO_MIN_RTT |
                               SL_INFO_DELIVERY | SL_INFO_BYTES_SENT | SL_INFO_SND_WND },
    };
    struct datagrams d;
    load("diag-lookup.bin", &d);
    struct sl_socket full;
    enum sl_lookup_result r;
    assert_int_equal(parse_one(&d, 0, 1001, &full, &r), 1);
    assert_true(full.info.present & SL_INFO_RCV_WND);          /* this kernel: 6.5 or later */
    for (size_t k = 0; k < 3; k++) {
        size_t len;
        char *buf = fixture(sizes[k].file, &len);
        struct sl_snapshot snap = { 0 };
        assert_int_equal(sl_diag_parse_netlink(buf, len, &snap), 1);
        assert_int_equal(snap.count, 1);
        const struct sl_tcp_info *i = &snap.sockets[0].info;
        assert_int_equal(i->present, sizes[k].present);
        assert_int_equal(i->rtt_us, full.info.rtt_us);         /* the same socket */
        assert_int_equal(i->snd_cwnd, full.info.snd_cwnd);
        assert_int_equal(i->bytes_acked, i->present & SL_INFO_BYTES ? full.info.bytes_acked : 0);
        assert_int_equal(i->snd_wnd, i->present & SL_INFO_SND_WND ? full.info.snd_wnd : 0);
        assert_int_equal(i->rcv_wnd, 0);                       /* none of them has it */
        sl_snapshot_free(&snap);
        free(buf);
    }
    struct sl_tcp_info i;
    assert_int_equal(sl_tcp_info_parse(d.at[0], 103, &i), 0);   /* too short for anything */
    assert_int_equal(sl_tcp_info_size_for(SL_INFO_BASE), 104);
    assert_int_equal(sl_tcp_info_size_for(SL_INFO_SND_WND), 232);
    free(d.buf);
}

static const struct sl_socket *event_with(const struct sl_snapshot *s, uint16_t local,
                                          uint16_t peer)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->sockets[i].tuple.local_port == local && s->sockets[i].tuple.peer_port == peer)
            return &s->sockets[i];
    return NULL;
}

/* The recorded ends, each told apart by what its event and its last states say. */
static void recorded_ends(void **state)
{
    (void)state;
    struct datagrams d, l;
    load("diag-destroy.bin", &d);
    load("diag-lookup.bin", &l);
    assert_int_equal(d.count, 6);
    struct sl_snapshot ev = { 0 };
    for (size_t k = 0; k < d.count; k++)
        assert_int_equal(sl_destroy_parse(d.at[k], d.size[k], NULL, &ev), 1);
    struct sl_socket client, server;
    enum sl_lookup_result r;
    parse_one(&l, 0, 1001, &client, &r);
    parse_one(&l, 1, 1002, &server, &r);
    uint16_t port = server.tuple.local_port, client_port = client.tuple.local_port;

    const struct sl_socket *first = event_with(&ev, client_port, port);
    assert_non_null(first);
    assert_true(first->cookie == client.cookie);               /* matched by cookie */
    assert_int_equal(first->state, SL_TCP_CLOSE);
    assert_int_equal(first->info.bytes_acked, 7);              /* 5 bytes, the SYN, the FIN */
    struct sl_end_context c = { SL_TCP_FIN_WAIT2, 1, true };
    assert_int_equal(sl_ending_of(first, &c), SL_END_FIN_FIRST);

    const struct sl_socket *second = event_with(&ev, port, client_port);
    assert_non_null(second);
    c = (struct sl_end_context){ SL_TCP_CLOSE_WAIT, 0, false };
    assert_int_equal(sl_ending_of(second, &c), SL_END_FIN_SECOND);

    /* SO_LINGER 0: the resetting side is disconnected (peer port 0); the other got the RST */
    const struct sl_socket *reset = NULL, *refused = NULL, *listener = event_with(&ev, port, 0);
    for (size_t i = 0; i < ev.count; i++) {
        const struct sl_socket *e = &ev.sockets[i];
        if (e->tuple.peer_port == 0 && e->tuple.local_port != port) {
            if (event_with(&ev, port, e->tuple.local_port))   /* its peer's end too */
                reset = e;
            else
                refused = e;
        }
    }
    assert_non_null(reset);
    assert_non_null(refused);
    c = (struct sl_end_context){ SL_TCP_ESTABLISHED, 1, false };
    assert_int_equal(sl_ending_of(reset, &c), SL_END_RESET_SENT);
    const struct sl_socket *reset_peer = event_with(&ev, port, reset->tuple.local_port);
    assert_non_null(reset_peer);
    c = (struct sl_end_context){ SL_TCP_ESTABLISHED, 0, false };
    assert_int_equal(sl_ending_of(reset_peer, &c), SL_END_RESET_RECEIVED);
    c = (struct sl_end_context){ 0, -1, false };
    assert_int_equal(sl_ending_of(refused, &c), SL_END_CONNECT_FAILED);
    assert_non_null(listener);
    c = (struct sl_end_context){ SL_TCP_LISTEN, -1, false };
    assert_int_equal(sl_ending_of(listener, &c), SL_END_LISTENER);

    /* The filter keeps its ports and the disconnected (peer port 0) */
    struct sl_filter f;
    sl_filter_init(&f);
    sl_filter_add_range(&f, 1, 1);
    struct sl_snapshot kept = { 0 };
    for (size_t k = 0; k < d.count; k++)
        sl_destroy_parse(d.at[k], d.size[k], &f, &kept);
    assert_int_equal(kept.count, 3);                           /* two resets, the listener */
    sl_snapshot_free(&kept);
    sl_snapshot_free(&ev);
    free(d.buf);
    free(l.buf);
}

static void closed_list_is_bounded(void **state)
{
    (void)state;
    struct sl_closed_list *list = calloc(1, sizeof *list);
    for (int i = 0; i < SL_CLOSED_KEEP + 5; i++) {
        struct sl_closed c = { .cookie = (uint64_t)i + 1, .seen_alive = true, .first_seen_ms = 10, .ended_ms = 25 };
        sl_closed_add(list, &c);
    }
    assert_int_equal(list->count, SL_CLOSED_KEEP);
    assert_int_equal(list->total, SL_CLOSED_KEEP + 5);
    assert_true(sl_closed_get(list, 0)->cookie == SL_CLOSED_KEEP + 5);     /* newest first */
    assert_true(sl_closed_get(list, SL_CLOSED_KEEP - 1)->cookie == 6);      /* 1..5 dropped */
    assert_null(sl_closed_get(list, SL_CLOSED_KEEP));
    assert_true(sl_closed_duration_ms(sl_closed_get(list, 0)) == 15);
    free(list);
}

/* Live: a pair looked up in one batch; after close, the client by its
 * cookie in TIME-WAIT, the server gone; and the destroy events of exactly the
 * filter's port arrive, the other port's do not. */
static void live_lookups_and_events(void **state)
{
    (void)state;
    int listener = quiet_listener(8), other = sl_listen_on("127.0.0.1", 0, 8);
    struct sl_filter f;
    sl_filter_init(&f);
    sl_filter_add_range(&f, sl_local_port(listener), sl_local_port(listener));
    char why[200];
    struct sl_destroy *events = sl_destroy_open(&f, why, sizeof why);
    assert_non_null(events);
    int client = sl_connect_to(listener, 2000);
    int server = (int)sl_accept_within(listener, 2000);
    int stranger = sl_connect_to(other, 2000), stranger_peer = (int)sl_accept_within(other, 2000);
    struct sl_snapshot snap = { 0 };
    assert_int_equal(sl_snapshot_take(&snap, &f, SL_SOURCE_NETLINK), 0);
    assert_int_equal(snap.count, 3);
    struct sl_lookup *l = sl_lookup_open();
    assert_non_null(l);
    struct sl_socket fresh[3];
    enum sl_lookup_result r[3];
    assert_int_equal(sl_lookup_sockets(l, snap.sockets, 3, true, fresh, r), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(r[i], SL_LOOKUP_FOUND);
        assert_true(fresh[i].cookie == snap.sockets[i].cookie);
    }
    assert_int_equal(sl_lookup_stats(l).sends, 1);             /* one batch, one send() */
    close(client);
    char c;
    sl_bound_blocking(server, 2000);
    assert_int_equal(recv(server, &c, 1, 0), 0);
    close(server);
    close(stranger);
    close(stranger_peer);
    /* The filter passes, besides the port's, every end whose peer port is 0
     * (a reset connection's event has lost its peer; a listener has none):
     * in the machine's network (where no private one could be made), other
     * programs' resets and listeners closing meanwhile. So
     * the pair's ends are counted among what came, and nothing else may
     * have a peer: the stranger's ends, on another port, must not come. */
    struct sl_snapshot ended = { 0 };
    uint16_t port = sl_local_port(listener);
    int ours = 0;
    double deadline = sl_clock_ms() + 3000;
    while (ours < 2 && sl_clock_ms() < deadline) {
        sl_wait_fd(sl_destroy_fd(events), POLLIN, 100);
        sl_destroy_read(events, &ended);
        ours = 0;
        for (size_t i = 0; i < ended.count; i++)
            ours += ended.sockets[i].tuple.local_port == port ||
                    ended.sockets[i].tuple.peer_port == port;
    }
    assert_int_equal(ours, 2);                                /* the pair */
    for (size_t i = 0; i < ended.count; i++)                  /* not the stranger */
        assert_true(ended.sockets[i].tuple.local_port == port ||
                    ended.sockets[i].tuple.peer_port == port ||
                    ended.sockets[i].tuple.peer_port == 0);
    assert_int_equal(sl_lookup_sockets(l, snap.sockets, 3, false, fresh, r), 0);
    int time_wait = 0, gone = 0;
    for (int i = 0; i < 3; i++) {
        if (snap.sockets[i].state == SL_TCP_LISTEN)
            assert_int_equal(r[i], SL_LOOKUP_FOUND);
        else if (r[i] == SL_LOOKUP_FOUND)
            time_wait += fresh[i].state == SL_TCP_TIME_WAIT;
        else
            gone += r[i] == SL_LOOKUP_GONE;
    }
    assert_int_equal(time_wait, 1);
    assert_int_equal(gone, 1);
    sl_snapshot_free(&ended);
    sl_snapshot_free(&snap);
    sl_lookup_close(l);
    sl_destroy_close(events);
    close(listener);
    close(other);
}

int main(void)
{
    alone_in_a_network();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recorded_answers),
        cmocka_unit_test(answers_are_checked),
        cmocka_unit_test(request_names_one_socket),
        cmocka_unit_test(tcp_info_by_length),
        cmocka_unit_test(recorded_ends),
        cmocka_unit_test(closed_list_is_bounded),
        cmocka_unit_test(live_lookups_and_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
