/* labs/01-byte-order.c — byte order: how a number sits in memory, how it
 * travels on the wire, and what the address you bind() decides.
 *
 * What it shows
 *   1. this host's byte order, read from memory byte by byte;
 *   2. htonl()/htons() put the most significant byte first on every host;
 *   3. the original notes' "integer 2" example, measured: addresses never
 *      change order, the bytes in them do;
 *   4. inet_pton()/inet_ntop(): text addresses to network-order bytes and back;
 *   5. forgetting htons(): the port you asked for is not the port you get;
 *   6. binding INADDR_LOOPBACK vs INADDR_ANY: who can connect.
 *
 * Run it
 *   terminal 1:  socklab run 1            (or build/bin/lab01-byte-order)
 *   terminal 2:  at the pause of step 6, the exact ss command it prints, e.g.
 *                ss -tano '( sport = :41234 or dport = :41234 )'
 *
 * What you should see
 *   On x86 and most ARM machines the bytes of 0x01020304 are 04 03 02 01 in
 *   memory and 01 02 03 04 after htonl(). At the pause, one listener on
 *   127.0.0.1:PORT and one on 0.0.0.0:PORT2, both LISTEN.
 *
 * Step 6 binds 0.0.0.0 (every address of this host) for the length of that
 * step, because that is the lesson; every connection it makes goes to 127.0.0.x.
 *
 * Notes: docs/labs/01-byte-order.md  (socklab notes 1) */
#include "socklab/check.h"
#include "socklab/lab.h"
#include "socklab/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 1,
    .name = "byte-order",
    .title = N_("Byte order: a number in memory, on the wire, and in bind()"),
    .goal = N_("See the bytes of a number in this host's order and in network order, "
               "convert addresses and ports correctly, and find out who can connect "
               "to a socket bound to INADDR_LOOPBACK or to INADDR_ANY."),
    .ports = 2,
};

/* "04 03 02 01": the bytes of an object at increasing addresses. */
static const char *hex_bytes(const void *object, size_t size, char *buf, size_t len)
{
    const unsigned char *byte = object;
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < size && used + 4 < len; i++)
        used += (size_t)snprintf(buf + used, len - used, i ? " %02x" : "%02x", byte[i]);
    return buf;
}

/* One connection attempt to ip:port, shown as the kernel answered it; returns
 * 0 when the handshake completed, or the errno of the failure. No local port
 * left for the client is a set-up error, not an answer about the listener. */
static int connect_once(struct sl_lab *lab, const char *ip, uint16_t port)
{
    struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(port) };
    CHECK_TRUE(inet_pton(AF_INET, ip, &peer.sin_addr) == 1);
    int fd = CHECK(socket(AF_INET, SOCK_STREAM, 0));
    sl_bound_blocking(fd, 2000);                 /* a lab never waits forever */
    lab_show(lab, "connect() to %s:%u", ip, port);
    int rc = lab_call(lab, connect(fd, (struct sockaddr *)&peer, sizeof peer));
    int err = rc == -1 ? errno : 0;
    close(fd);
    if (err == EADDRNOTAVAIL || err == EAGAIN)
        sl_lab_setup_error(lab, "no local port is free for a client (see "
                                "net.ipv4.ip_local_port_range); widen the range or close sockets");
    return err;
}

/* A listener on addr (network order) and port (host order; 0: the kernel chooses). */
static int listen_on(in_addr_t addr, uint16_t port)
{
    struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons(port),
                                 .sin_addr.s_addr = addr };
    int fd = CHECK(socket(AF_INET, SOCK_STREAM, 0));
    int on = 1;
    CHECK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));
    CHECK(bind(fd, (struct sockaddr *)&local, sizeof local));
    CHECK(listen(fd, 8));
    return fd;
}

int main(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    const char *bind_ip = sl_lab_bind_ip(lab);
    struct in_addr specific;
    CHECK_TRUE(inet_pton(AF_INET, bind_ip, &specific) == 1);   /* IPv4: the engine checked */
    char hex[64];

    lab_step(lab, "This host's byte order, read from memory");
    lab_say(lab, "A uint32_t holding 0x01020304 takes four bytes. We copy them out "
                 "and print them from the lowest address to the highest.");
    uint32_t value = 0x01020304;
    unsigned char in_memory[4];
    memcpy(in_memory, &value, sizeof value);
    lab_show(lab, "bytes of 0x01020304 in memory: %s", hex_bytes(in_memory, 4, hex, sizeof hex));
    bool little_endian = in_memory[0] == 0x04;
    if (little_endian)
        lab_say(lab, "The least significant byte (04) is at the lowest address: this host is "
                     "little-endian.");
    else
        lab_say(lab, "The least significant byte (04) is at the highest address: this host is "
                     "big-endian.");
    bool compiler_says_little = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
    lab_expect(lab, little_endian == compiler_says_little,
               "the byte order measured in memory is the one the compiler targets (%s)",
               compiler_says_little ? _("little-endian") : _("big-endian"));

    lab_step(lab, "htonl() and htons(): network order is big-endian on every host");
    lab_say(lab, "TCP/IP headers carry numbers most significant byte first. htonl() "
                 "and htons() turn a host number into that order; on a big-endian "
                 "host they change nothing, on a little-endian host they swap.");
    uint32_t wire32 = htonl(value);
    uint16_t wire16 = htons(8080);
    lab_show(lab, "bytes of htonl(0x01020304): %s", hex_bytes(&wire32, 4, hex, sizeof hex));
    lab_expect(lab, memcmp(&wire32, "\x01\x02\x03\x04", 4) == 0,
               "htonl(0x01020304) puts 01 02 03 04 in memory: most significant first");
    lab_show(lab, "bytes of htons(8080) (0x1f90): %s", hex_bytes(&wire16, 2, hex, sizeof hex));
    lab_expect(lab, memcmp(&wire16, "\x1f\x90", 2) == 0,
               "htons(8080) puts 1f 90 in memory");
    lab_expect(lab, ntohl(htonl(value)) == value && ntohs(htons(8080)) == 8080,
               "ntohl() and ntohs() undo htonl() and htons()");

    lab_step(lab, "The integer 2 in memory: addresses count up, bytes move");
    lab_say(lab, "Claim M1 (docs/myths.md): big-endian stores the integer 2 at addresses "
                 "that count down, 0x187 0x186 0x185 0x184. That mixes up addresses and "
                 "bytes: addresses always count up. Byte order decides which byte sits at "
                 "the lowest address. Here are the real addresses.");
    uint32_t two = 2, two_on_wire = htonl(2);
    const unsigned char *host_bytes = (const unsigned char *)&two;
    const unsigned char *wire_bytes = (const unsigned char *)&two_on_wire;
    for (int i = 0; i < 4; i++)
        lab_show(lab, "address %p: host order %02x   network order %02x",
                 (const void *)(host_bytes + i), host_bytes[i], wire_bytes[i]);
    lab_expect(lab, wire_bytes[0] == 0 && wire_bytes[3] == 2,
               "in network order the lowest address holds 00 and the 02 sits at the highest");
    lab_expect(lab, (host_bytes[0] == 2) == little_endian,
               "in host order the 02 sits at the lowest address exactly when the host "
               "is little-endian");
    lab_say(lab, "Claim M2 (docs/myths.md): every ordinary computer is little-endian. Most are "
                 "(x86-64, and ARM as Linux runs it), but s390x and some POWER systems "
                 "are big-endian: code that calls htonl() works on both, code that "
                 "swaps bytes by hand works on one.");

    lab_step(lab, "Text addresses: inet_pton() and inet_ntop()");
    lab_say(lab, "inet_pton() turns \"127.0.0.1\" into the four bytes a sockaddr_in "
                 "holds, already in network order. It returns 1 on success, and 0 (not "
                 "-1, and errno untouched) for text that is not an address.");
    struct in_addr loopback;
    int ok = lab_call(lab, inet_pton(AF_INET, "127.0.0.1", &loopback));
    lab_show(lab, "bytes of 127.0.0.1: %s", hex_bytes(&loopback, 4, hex, sizeof hex));
    lab_expect(lab, ok == 1 && memcmp(&loopback, "\x7f\x00\x00\x01", 4) == 0,
               "inet_pton(\"127.0.0.1\") gives 7f 00 00 01, network order");
    lab_expect(lab, loopback.s_addr == htonl(INADDR_LOOPBACK),
               "those bytes equal htonl(INADDR_LOOPBACK): INADDR_* constants are in host order");
    struct in_addr junk;
    int bad = lab_call(lab, inet_pton(AF_INET, "256.0.0.1", &junk));
    lab_expect(lab, bad == 0, "inet_pton(\"256.0.0.1\") returns 0: not an address, not an error");
    char text[INET_ADDRSTRLEN];
    const char *back = inet_ntop(AF_INET, &loopback, text, sizeof text);
    lab_show(lab, "inet_ntop() gives back \"%s\"", back ? back : "(null)");
    lab_expect(lab, back && strcmp(back, "127.0.0.1") == 0,
               "inet_ntop() turns the bytes back into \"127.0.0.1\"");

    lab_step(lab, "Forgetting htons(): the port you get is not the port you asked for");
    lab_say(lab, "We pick a free port P (the kernel chooses one), then bind a new socket "
                 "writing sin_port = P without htons(). The kernel reads sin_port in "
                 "network order. (If the swapped port is taken, or below "
                 "ip_unprivileged_port_start and so for root only, the lab tries another P.)");
    sl_lab_sysctl(lab, "net.ipv4.ip_unprivileged_port_start");
    uint16_t wanted = 0, bound = 0;
    for (int attempt = 0; attempt < 20 && !bound; attempt++) {
        int probe = listen_on(htonl(INADDR_LOOPBACK), 0);
        wanted = sl_local_port(probe);           /* a port that was free just now */
        close(probe);
        int fd = CHECK(socket(AF_INET, SOCK_STREAM, 0));
        struct sockaddr_in local = { .sin_family = AF_INET,
                                     .sin_port = wanted,      /* the mistake: no htons() */
                                     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        if (bind(fd, (struct sockaddr *)&local, sizeof local) == 0)
            bound = sl_local_port(fd);           /* what ss would show */
        close(fd);                               /* the swapped port may be taken: retry */
    }
    lab_show(lab, "asked for port %u, the kernel bound port %u", wanted, bound);
    lab_expect(lab, bound != 0 && bound == ntohs(wanted),
               "without htons() the kernel binds the port whose bytes are swapped (%u)",
               ntohs(wanted));

    lab_step(lab, "Who can connect: INADDR_LOOPBACK vs INADDR_ANY");
    lab_say(lab, "Listener A binds one address (%s); listener B binds htonl(INADDR_ANY), "
                 "that is 0.0.0.0: every address this host has. Then we knock on a "
                 "second loopback address, which only B answers.", bind_ip);
    int a = listen_on(specific.s_addr, sl_lab_port(lab, 0));
    int b = listen_on(htonl(INADDR_ANY), sl_lab_port(lab, 1));
    struct sl_tuple tuple_a, tuple_b;
    sl_lab_follow(lab, a, &tuple_a);
    sl_lab_follow(lab, b, &tuple_b);
    uint16_t port_a = tuple_a.local_port, port_b = tuple_b.local_port;
    struct sockaddr_in where;
    socklen_t where_len = sizeof where;
    CHECK(getsockname(b, (struct sockaddr *)&where, &where_len));
    lab_show(lab, "getsockname(B) = %s:%u", inet_ntoa(where.sin_addr), ntohs(where.sin_port));
    lab_expect(lab, where.sin_addr.s_addr == htonl(INADDR_ANY),
               "B is bound to 0.0.0.0: htonl(0) is 0 in any byte order");
    sl_lab_observe(lab);                         /* what ss would print now */
    lab_expect(lab, sl_lab_state(lab, &tuple_a) == SL_TCP_LISTEN &&
                    sl_lab_state(lab, &tuple_b) == SL_TCP_LISTEN,
               "the kernel lists A and B in LISTEN, each with the address it was bound to");
    lab_pause(lab, "LISTEN: A on %s:%u, B on 0.0.0.0:%u", bind_ip, port_a, port_b);
    const char *other = strcmp(bind_ip, "127.0.0.2") ? "127.0.0.2" : "127.0.0.3";
    lab_expect(lab, connect_once(lab, bind_ip, port_a) == 0,
               "A accepts a connection to its own address");
    lab_expect(lab, connect_once(lab, other, port_a) == ECONNREFUSED,
               "A refuses %s: it listens on %s only", other, bind_ip);
    lab_expect(lab, connect_once(lab, other, port_b) == 0,
               "B accepts %s as well: INADDR_ANY means every local address", other);
    close(a);                                    /* also resets the connections never accepted */
    close(b);

    lab_step(lab, "INADDR_LOOPBACK without htonl()");
    lab_say(lab, "Claim M4 (docs/myths.md): mixing up byte orders has serious "
                 "consequences. htonl(0) hides them, as 0 reads the same both ways. "
                 "Forget htonl() on INADDR_LOOPBACK (0x7f000001) and a "
                 "little-endian host asks for 1.0.0.127, an address it does not have. "
                 "Whether bind() refuses it depends on net.ipv4.ip_nonlocal_bind: set to "
                 "1, as on many load-balancer hosts (or IP_FREEBIND on the socket), the "
                 "kernel binds addresses it does not have.");
    long nonlocal = sl_lab_sysctl(lab, "net.ipv4.ip_nonlocal_bind");
    int c = CHECK(socket(AF_INET, SOCK_STREAM, 0));
    struct sockaddr_in wrong = { .sin_family = AF_INET,
                                 .sin_addr.s_addr = INADDR_LOOPBACK };  /* no htonl() */
    int rc = lab_call(lab, bind(c, (struct sockaddr *)&wrong, sizeof wrong));
    int err = errno;
    struct sockaddr_in got = { .sin_family = AF_INET };
    socklen_t got_len = sizeof got;
    CHECK(getsockname(c, (struct sockaddr *)&got, &got_len));
    if (rc == 0)
        lab_show(lab, "getsockname() = %s", inet_ntoa(got.sin_addr));
    else
        lab_show(lab, "getsockname() = %s (bind() failed: the socket is not bound)",
                 inet_ntoa(got.sin_addr));
    if (!little_endian)
        lab_expect(lab, rc == 0 && got.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
                   "on a big-endian host INADDR_LOOPBACK needs no swap: bind() gets 127.0.0.1");
    else if (nonlocal == 1)
        lab_expect(lab, rc == 0 && got.sin_addr.s_addr == INADDR_LOOPBACK,
                   "with ip_nonlocal_bind = 1, bind() to INADDR_LOOPBACK without htonl() "
                   "succeeds silently, on 1.0.0.127: nothing on this host answers there");
    else
        lab_expect(lab, rc == -1 && err == EADDRNOTAVAIL,
                   "bind() to INADDR_LOOPBACK without htonl() fails with EADDRNOTAVAIL "
                   "on this little-endian host");
    close(c);

    return sl_lab_end(lab);
}
