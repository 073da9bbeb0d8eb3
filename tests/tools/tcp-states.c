/* tcp-states.c — put TCP sockets on loopback into known states, for the tests
 * and the fixtures.
 *
 *   tcp-states [--port P] [--hold S] [--capture PREFIX]
 *
 * On 127.0.0.1:P (P = 0: the kernel chooses) it makes
 *   a listener                                  LISTEN
 *   a connected pair                            ESTAB, ESTAB
 *   a pair whose client shut its side down      FIN-WAIT-2 (client), CLOSE-WAIT (server)
 *   a pair closed client first                  TIME-WAIT (client)
 * and on [::1]:P6 a listener, a connected pair and a TIME-WAIT.
 *
 * It prints "port P", "port6 P6" and "ready" once the kernel shows every state,
 * then holds the sockets until stdin closes or S seconds pass (default 30).
 * With --capture it writes instead the raw sock_diag replies for those ports
 * (PREFIX-v4.bin, PREFIX-v6.bin) and the matching lines of /proc/net/tcp and
 * tcp6 (PREFIX-proc-tcp.txt, PREFIX-proc-tcp6.txt), and exits. */
#include "socklab/check.h"
#include "socklab/clock.h"
#include "../../src/observe/diag_internal.h"
#include "socklab/net.h"

#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pair {
    int client, server;
};

/* Sockets of any kind on `port`, local or peer. */
static size_t sockets_on(uint16_t port)
{
    struct sl_filter f;
    sl_filter_init(&f);
    sl_filter_add_range(&f, port, port);
    struct sl_snapshot snap = { 0 };
    size_t n = sl_snapshot_take(&snap, &f, SL_SOURCE_AUTO) == 0 ? snap.count : 0;
    sl_snapshot_free(&snap);
    return n;
}

/* A listener on a port nothing else uses, not even a TIME-WAIT left by an
 * earlier test (the kernel's choice of a free port may land on one): the tests
 * count what they find on that port. */
static int quiet_listener(void)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = sl_listen_on("127.0.0.1", 0, 16);
        if (sockets_on(sl_local_port(fd)) == 1)
            return fd;
        close(fd);
    }
    fprintf(stderr, "tcp-states: no quiet port found\n");
    exit(2);
}

static struct pair connect_pair(int listener)
{
    struct pair p;
    p.client = sl_connect_to(listener, 2000);
    p.server = (int)CHECK(sl_accept_within(listener, 2000));
    return p;
}

/* Wait (bounded) until the kernel lists the socket of fd's tuple in `state`. */
static void settle(const struct sl_tuple *t, int state)
{
    struct sl_filter f;
    sl_filter_init(&f);
    sl_filter_add_range(&f, t->local_port, t->local_port);
    struct sl_snapshot snap = { 0 };
    double deadline = sl_clock_ms() + 3000;
    while (sl_clock_ms() < deadline) {
        if (sl_snapshot_take(&snap, &f, SL_SOURCE_AUTO) == 0) {
            const struct sl_socket *s = sl_snapshot_find(&snap, t);
            if (s && s->state == state)
                break;
        }
        sl_sleep_ms(5);
    }
    sl_snapshot_free(&snap);
}

/* A pair closed by the client first, then the server: the client's tuple ends
 * in TIME-WAIT. */
static void make_time_wait(int listener)
{
    struct pair p = connect_pair(listener);
    struct sl_tuple t;
    sl_tuple_of_fd(p.client, &t);
    CHECK(close(p.client));
    char c;
    sl_bound_blocking(p.server, 2000);
    CHECK(recv(p.server, &c, 1, 0));            /* 0: the client's FIN */
    CHECK(close(p.server));
    settle(&t, SL_TCP_TIME_WAIT);
}

struct capture {
    FILE *v4, *v6;
};

static int save_reply(const void *buf, size_t len, int family, void *context)
{
    struct capture *c = context;
    fwrite(buf, 1, len, family == AF_INET ? c->v4 : c->v6);
    return sl_diag_scan_netlink(buf, len);
}

static void copy_proc_lines(const char *from, const char *to, uint16_t port)
{
    FILE *in = fopen(from, "r"), *out = fopen(to, "w");
    if (!in || !out) {
        perror(in ? to : from);
        exit(2);
    }
    char line[512], needle[8];
    snprintf(needle, sizeof needle, ":%04X ", port);
    for (int n = 0; fgets(line, sizeof line, in); n++)
        if (n == 0 || strstr(line, needle))
            fputs(line, out);
    fclose(in);
    fclose(out);
}

static void capture(const char *prefix, uint16_t port, uint16_t port6)
{
    char path[4][512];
    snprintf(path[0], sizeof path[0], "%s-v4.bin", prefix);
    snprintf(path[1], sizeof path[1], "%s-v6.bin", prefix);
    snprintf(path[2], sizeof path[2], "%s-proc-tcp.txt", prefix);
    snprintf(path[3], sizeof path[3], "%s-proc-tcp6.txt", prefix);
    struct capture c = { fopen(path[0], "wb"), fopen(path[1], "wb") };
    if (!c.v4 || !c.v6) {
        perror(prefix);
        exit(2);
    }
    struct sl_filter f;
    sl_filter_init(&f);
    sl_filter_add_range(&f, port, port);
    sl_filter_add_range(&f, port6, port6);
    int rc = sl_diag_dump_netlink(&f, true, save_reply, &c);
    fclose(c.v4);
    fclose(c.v6);
    if (rc < 0) {
        fprintf(stderr, "tcp-states: dump failed: %s\n", strerror(-rc));
        exit(2);
    }
    copy_proc_lines("/proc/net/tcp", path[2], port);
    copy_proc_lines("/proc/net/tcp6", path[3], port6);
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "port", required_argument, NULL, 'p' },
        { "hold", required_argument, NULL, 'h' },
        { "capture", required_argument, NULL, 'c' },
        { 0 },
    };
    uint16_t port = 0;
    int hold_s = 30;
    const char *prefix = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'p')
            port = (uint16_t)atoi(optarg);
        else if (c == 'h')
            hold_s = atoi(optarg);
        else if (c == 'c')
            prefix = optarg;
        else
            return 2;
    }

    int listener = port ? sl_listen_on("127.0.0.1", port, 16) : quiet_listener();
    port = sl_local_port(listener);
    struct pair established = connect_pair(listener);
    struct pair half_closed = connect_pair(listener);
    struct sl_tuple client_tuple, server_tuple;
    sl_tuple_of_fd(half_closed.client, &client_tuple);
    sl_tuple_of_fd(half_closed.server, &server_tuple);
    CHECK(shutdown(half_closed.client, SHUT_WR));
    settle(&client_tuple, SL_TCP_FIN_WAIT2);
    settle(&server_tuple, SL_TCP_CLOSE_WAIT);
    make_time_wait(listener);

    int listener6 = sl_listen_on("::1", port, 16);   /* the same number, if free */
    uint16_t port6 = sl_local_port(listener6);
    struct pair established6 = connect_pair(listener6);
    make_time_wait(listener6);

    if (prefix) {
        capture(prefix, port, port6);
        return 0;
    }
    printf("port %u\nport6 %u\nready\n", port, port6);
    fflush(stdout);
    struct pollfd in = { .fd = STDIN_FILENO, .events = POLLIN };
    double deadline = sl_clock_ms() + hold_s * 1000.0;
    while (sl_clock_ms() < deadline) {
        int n = poll(&in, 1, 100);
        if (n > 0) {
            char buf[64];
            if (read(STDIN_FILENO, buf, sizeof buf) <= 0)
                break;                              /* stdin closed: done */
        }
    }
    (void)established;
    (void)established6;
    return 0;
}
