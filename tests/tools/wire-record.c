/* wire-record.c — record TCP segments off this kernel's loopback into a pcap
 * savefile, for the decoder's tests (tests/fixtures/wire-lo.pcap).
 *
 *   wire-record FILE
 *
 * In a private network of its own (no root needed, see netns.h) it captures
 * on lo while it plays, on 127.0.0.1 and [::1] port 40500:
 *   1. a connection that carries data both ways and closes client first
 *      (S, S., ., P., ., P., ., F., F., .);
 *   2. a server that closes with 10 bytes unread: R. after its answer;
 *   3. a connect() to a bound port nobody listens on: S, R.;
 *   4. the same connection as 1 over IPv6, without data.
 * then writes every frame as captured and exits. */
#include "socklab/check.h"
#include "socklab/clock.h"
#include "socklab/net.h"
#include "socklab/netns.h"

#include <netinet/in.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PORT 40500

static void drain_into(pcap_t *p, pcap_dumper_t *d)
{
    sl_sleep_ms(50);                      /* delayed ACKs and the last FIN */
    while (pcap_dispatch(p, -1, pcap_dump, (u_char *)d) > 0)
        ;
}

static void conversation(const char *ip, bool data)
{
    int listener = sl_listen_on(ip, PORT, 4);
    int client = sl_connect_to(listener, 2000);
    int server = CHECK(accept(listener, NULL, NULL));
    char buf[16];
    if (data) {
        CHECK(send(client, "hello", 5, 0));
        CHECK(recv(server, buf, sizeof buf, 0));
        CHECK(send(server, "hi!", 3, 0));
        CHECK(recv(client, buf, sizeof buf, 0));
    }
    close(client);
    sl_wait_fd(server, POLLIN, 1000);
    close(server);
    close(listener);
}

static void unread_data(void)
{
    int pair[2];
    char buf[16];
    sl_tcp_pair("127.0.0.1", PORT + 1, pair);
    CHECK(send(pair[0], "GET / and more", 14, 0));
    sl_wait_fd(pair[1], POLLIN, 1000);
    CHECK(recv(pair[1], buf, 4, 0));
    CHECK(send(pair[1], "answer", 6, 0));
    close(pair[1]);                       /* 10 bytes unread: a RST */
    sl_sleep_ms(20);
    close(pair[0]);
}

static void refused(void)
{
    int bound = CHECK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT + 2),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    CHECK(bind(bound, (struct sockaddr *)&a, sizeof a));
    int fd = CHECK(socket(AF_INET, SOCK_STREAM, 0));
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
        sl_die("connect() to a port nobody listens on succeeded");
    close(fd);
    close(bound);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        sl_usage_error("wire-record", "usage: wire-record FILE");
    enum sl_netns_kind kind;
    char why[400], err[PCAP_ERRBUF_SIZE];
    if (sl_netns_make(&kind, why, sizeof why) != 0)
        sl_usage_error("wire-record", "%s.", why);
    pcap_t *p = pcap_create("lo", err);
    CHECK_TRUE(p != NULL);
    pcap_set_immediate_mode(p, 1);
    pcap_set_snaplen(p, 160);
    CHECK_TRUE(pcap_activate(p) == 0);
    pcap_setnonblock(p, 1, err);
    pcap_dumper_t *d = pcap_dump_open(p, argv[1]);
    CHECK_TRUE(d != NULL);
    conversation("127.0.0.1", true);
    drain_into(p, d);
    unread_data();
    drain_into(p, d);
    refused();
    drain_into(p, d);
    conversation("::1", false);
    drain_into(p, d);
    pcap_dump_close(d);
    pcap_close(p);
    return 0;
}
