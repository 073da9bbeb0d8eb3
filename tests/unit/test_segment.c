/* test_segment.c — TCP segments decoded from frames recorded off this kernel's
 * loopback (tests/fixtures/wire-lo.pcap), and from damaged copies of them:
 * every frame cut at every length, header lengths that lie, random bytes.
 * Each frame is decoded from a buffer of exactly its size, so that ASan sees
 * any read past its end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "socklab/segment.h"



#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define FRAMES_MAX 64

struct frame {
    uint8_t *bytes;
    size_t len;
};

static struct frame frames[FRAMES_MAX];
static int frame_count;
static int link_type;

static int load(void **state)
{
    (void)state;
    char err[PCAP_ERRBUF_SIZE], path[256];
    const char *dir = getenv("SOCKLAB_FIXTURES");
    snprintf(path, sizeof path, "%s/wire-lo.pcap", dir ? dir : "tests/fixtures");
    pcap_t *p = pcap_open_offline(path, err);
    if (!p) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    link_type = pcap_datalink(p);
    struct pcap_pkthdr *h;
    const u_char *b;
    while (frame_count < FRAMES_MAX && pcap_next_ex(p, &h, &b) == 1) {
        frames[frame_count].bytes = malloc(h->caplen);
        memcpy(frames[frame_count].bytes, b, h->caplen);
        frames[frame_count++].len = h->caplen;
    }
    pcap_close(p);
    return frame_count == 26 ? 0 : -1;
}

static int unload(void **state)
{
    (void)state;
    for (int i = 0; i < frame_count; i++)
        free(frames[i].bytes);
    return 0;
}

/* Every frame decoded and related, in order. */
static void decode_all(struct sl_segment *out)
{
    struct sl_flows *flows = malloc(sizeof *flows);
    sl_flows_init(flows);
    for (int i = 0; i < frame_count; i++) {
        assert_int_equal(sl_segment_decode(link_type, frames[i].bytes, frames[i].len, &out[i]), 0);
        sl_flows_relate(flows, &out[i]);
    }
    free(flows);
}

static const char *flags_of(const struct sl_segment *s, char *buf)
{
    return sl_segment_flags(s->flags, buf, 12);
}

static void the_flags_read_as_tcpdump_writes_them(void **state)
{
    (void)state;
    static const char *const want[26] = {
        "S", "S.", ".", "P.", ".", "P.", ".", "F.", "F.", ".",      /* data, client closes */
        "S", "S.", ".", "P.", ".", "P.", ".", "R.",                 /* unread data: RST */
        "S", "R.",                                                  /* nobody listens */
        "S", "S.", ".", "F.", "F.", ".",                            /* IPv6 */
    };
    struct sl_segment s[FRAMES_MAX];
    char buf[12];
    decode_all(s);
    for (int i = 0; i < frame_count; i++)
        assert_string_equal(flags_of(&s[i], buf), want[i]);
    assert_string_equal(sl_segment_flags(0, buf, sizeof buf), "none");
    assert_string_equal(sl_segment_flags(SL_TCP_FIN | SL_TCP_PSH | SL_TCP_ACK, buf, sizeof buf), "FP.");
    assert_string_equal(sl_segment_flags(SL_TCP_SYN | SL_TCP_ECE | SL_TCP_CWR, buf, sizeof buf), "SEW");
}

static void numbers_are_relative_to_each_isn(void **state)
{
    (void)state;
    struct sl_segment s[FRAMES_MAX];
    decode_all(s);
    /* SYN 0; SYN-ACK 0 ack 1; ACK 1 ack 1; 5 bytes at 1; their ACK 6; ... */
    static const uint32_t seq[10] = { 0, 0, 1, 1, 1, 1, 6, 6, 4, 7 };
    static const uint32_t ack[10] = { 0, 1, 1, 1, 6, 6, 4, 4, 7, 5 };
    static const uint32_t len[10] = { 0, 0, 0, 5, 0, 3, 0, 0, 0, 0 };
    for (int i = 0; i < 10; i++) {
        assert_int_equal(s[i].rel_seq, seq[i]);
        assert_int_equal(s[i].rel_ack, ack[i]);
        assert_int_equal(s[i].payload, len[i]);
        assert_true(s[i].relative && s[i].opener_known);
    }
    assert_true(s[0].opener && !s[1].opener && s[2].opener);
    assert_int_equal(s[0].seq - s[0].rel_seq, s[3].seq - s[3].rel_seq);   /* the same ISN */
    /* The RST from a port nobody listens on: its sender sent no SYN. */
    assert_int_equal(s[19].flags, SL_TCP_RST | SL_TCP_ACK);
    assert_int_equal(s[19].rel_ack, 1);
    assert_false(s[19].relative);
}

static void windows_are_scaled_after_the_handshake(void **state)
{
    (void)state;
    struct sl_segment s[FRAMES_MAX];
    decode_all(s);
    assert_int_equal(s[0].wscale, 10);
    assert_int_equal(s[0].window, s[0].raw_window);         /* never scaled in a SYN */
    assert_int_equal(s[1].window, s[1].raw_window);
    assert_int_equal(s[2].window, (uint32_t)s[2].raw_window << 10);
}

static void options_of_the_handshake(void **state)
{
    (void)state;
    struct sl_segment s[FRAMES_MAX];
    decode_all(s);
    assert_int_equal(s[0].mss, 65495);
    assert_true(s[0].sack_permitted && s[0].has_timestamps);
    assert_int_equal(s[0].ts_ecr, 0);
    assert_int_equal(s[1].ts_ecr, s[0].ts_val);                /* the SYN-ACK echoes the SYN */
    char text[8][48];
    int n = sl_segment_options(&s[0], text, 8);
    assert_int_equal(n, 4);
    assert_string_equal(text[0], "mss 65495");
    assert_string_equal(text[1], "sackOK");
    assert_int_equal(strncmp(text[2], "TS val ", 7), 0);
    assert_string_equal(text[3], "wscale 10");
    assert_int_equal(sl_segment_options(&s[2], text, 8), 1);    /* the ACK: timestamps only */
    assert_int_equal(s[20].tuple.family, AF_INET6);
    assert_int_equal(s[20].mss, 65476);                        /* IPv6's larger header */
}

/* Every prefix of every frame: refused or decoded, never read past. */
static void truncated_frames_are_refused_safely(void **state)
{
    (void)state;
    for (int i = 0; i < frame_count; i++)
        for (size_t cut = 0; cut < frames[i].len; cut++) {
            uint8_t *copy = malloc(cut ? cut : 1);
            memcpy(copy, frames[i].bytes, cut);
            struct sl_segment s;
            int rc = sl_segment_decode(link_type, copy, cut, &s);
            /* Cut inside the IP or TCP header: refused. Inside the options: decoded. */
            if (cut < 14 + (frames[i].bytes[12] == 0x86 ? 40u : 20u) + 20)
                assert_int_equal(rc, -EINVAL);
            free(copy);
        }
}

static void lying_lengths_are_refused(void **state)
{
    (void)state;
    struct sl_segment s;
    uint8_t *f = malloc(frames[0].len);
    memcpy(f, frames[0].bytes, frames[0].len);
    f[14] = 0x4f;                                   /* IHL 60 bytes: past the TCP header */
    assert_int_equal(sl_segment_decode(link_type, f, frames[0].len, &s), -EINVAL);
    memcpy(f, frames[0].bytes, frames[0].len);
    f[14 + 20 + 12] = 0xf0;                         /* data offset 60 > the segment */
    assert_int_equal(sl_segment_decode(link_type, f, frames[0].len, &s), -EINVAL);
    memcpy(f, frames[0].bytes, frames[0].len);
    f[14 + 2] = 0, f[14 + 3] = 30;                  /* total length shorter than the headers */
    assert_int_equal(sl_segment_decode(link_type, f, frames[0].len, &s), -EINVAL);
    memcpy(f, frames[0].bytes, frames[0].len);
    f[14 + 9] = 17;                                 /* UDP */
    assert_int_equal(sl_segment_decode(link_type, f, frames[0].len, &s), -EPROTONOSUPPORT);
    memcpy(f, frames[0].bytes, frames[0].len);
    f[14 + 20 + 21] = 0xff;                         /* the MSS option's length lies */
    assert_int_equal(sl_segment_decode(link_type, f, frames[0].len, &s), 0);
    assert_int_equal(s.mss, 0);
    assert_int_equal(sl_segment_decode(9999, f, frames[0].len, &s), -EPROTONOSUPPORT);
    free(f);
}

/* Random damage (a fixed seed: the same bytes every run): never a crash, and
 * relating what decodes never fails either. */
static void random_damage_is_harmless(void **state)
{
    (void)state;
    unsigned seed = 20;
    struct sl_flows *flows = malloc(sizeof *flows);
    sl_flows_init(flows);
    for (int round = 0; round < 20000; round++) {
        const struct frame *fr = &frames[round % frame_count];
        uint8_t *f = malloc(fr->len);
        memcpy(f, fr->bytes, fr->len);
        for (int k = 0; k < 4; k++)
            f[rand_r(&seed) % fr->len] = (uint8_t)rand_r(&seed);
        size_t len = fr->len - rand_r(&seed) % 8;
        struct sl_segment s;
        if (sl_segment_decode(link_type, f, len, &s) == 0)
            sl_flows_relate(flows, &s);
        free(f);
    }
    assert_true(flows->count <= SL_FLOWS_MAX);
    free(flows);
}

/* More connections than the table holds: the oldest are forgotten. */
static void the_flow_table_is_bounded(void **state)
{
    (void)state;
    struct sl_flows *flows = malloc(sizeof *flows);
    sl_flows_init(flows);
    struct sl_segment syn;
    assert_int_equal(sl_segment_decode(link_type, frames[0].bytes, frames[0].len, &syn), 0);
    for (int i = 0; i < 3 * SL_FLOWS_MAX; i++) {
        struct sl_segment s = syn;
        s.tuple.local_port = (uint16_t)(1000 + i);
        sl_flows_relate(flows, &s);
    }
    assert_int_equal(flows->count, SL_FLOWS_MAX);
    free(flows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_flags_read_as_tcpdump_writes_them),
        cmocka_unit_test(numbers_are_relative_to_each_isn),
        cmocka_unit_test(windows_are_scaled_after_the_handshake),
        cmocka_unit_test(options_of_the_handshake),
        cmocka_unit_test(truncated_frames_are_refused_safely),
        cmocka_unit_test(lying_lengths_are_refused),
        cmocka_unit_test(random_damage_is_harmless),
        cmocka_unit_test(the_flow_table_is_bounded),
    };
    return cmocka_run_group_tests_name("segment", tests, load, unload);
}
