/* lab_setup.c — refuse what the lab cannot use, before step 1.
 *
 * A class meets these mid-lab otherwise, as a raw error or, worse, as a claim
 * the kernel seems to contradict: a --bind address that is not this machine's
 * (traffic would leave it), one of a family or kind the lab's claims do not
 * cover, a --port that needs root or that another program (or another user's
 * run, through its TIME-WAIT) holds. Each gets one sentence and exit 2. */
#include "lab_internal.h"

#include "socklab/addr.h"
#include "socklab/check.h"
#include "socklab/sysctl.h"
#include "socklab/tcpstate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#define refuse(lab, ...) sl_usage_error((lab)->program, __VA_ARGS__)

static bool is_wildcard(const struct sockaddr_storage *a)
{
    if (a->ss_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr == htonl(INADDR_ANY);
    return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)a)->sin6_addr);
}

static bool is_loopback(const struct sockaddr_storage *a)
{
    if (a->ss_family == AF_INET)   /* all of 127.0.0.0/8 is routed to lo */
        return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
    return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)a)->sin6_addr);
}

/* Is the address assigned to one of this machine's interfaces? (Not "can it
 * be bound": with net.ipv4.ip_nonlocal_bind=1 any address can.) */
static bool is_local(const struct sockaddr_storage *a)
{
    if (is_wildcard(a) || is_loopback(a))
        return true;
    struct ifaddrs *list;
    if (getifaddrs(&list) == -1)
        return false;
    bool found = false;
    for (struct ifaddrs *i = list; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != a->ss_family)
            continue;
        if (a->ss_family == AF_INET)
            found = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr ==
                    ((const struct sockaddr_in *)a)->sin_addr.s_addr;
        else
            found = !memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr,
                            &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
    }
    freeifaddrs(list);
    return found;
}

/* Try to bind ip:port as the labs' listeners do, with SO_REUSEADDR: a
 * TIME-WAIT left on the port by an earlier run does not stop them, a listener
 * of another program does. 0, or the errno. */
static int try_bind(const struct sockaddr_storage *addr, socklen_t len)
{
    int fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd == -1)
        return errno;
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    int err = bind(fd, (const struct sockaddr *)addr, len) == -1 ? errno : 0;
    close(fd);
    return err;
}

/* What holds a local port, in words, from the kernel's own list. */
static const char *holder_of(uint16_t port)
{
    struct sl_filter f;
    sl_filter_init(&f);
    sl_filter_add_range(&f, port, port);
    struct sl_snapshot snap = { 0 };
    const char *what = _("another socket");
    if (sl_snapshot_take(&snap, &f, SL_SOURCE_AUTO) == 0) {
        bool listener = false, time_wait = false;
        for (size_t i = 0; i < snap.count; i++) {
            if (snap.sockets[i].tuple.local_port != port)
                continue;
            listener |= snap.sockets[i].state == SL_TCP_LISTEN;
            time_wait |= snap.sockets[i].timer == SL_TIMER_TIMEWAIT;
        }
        if (listener)
            what = _("another program's listener");
        else if (time_wait)
            what = _("a TIME-WAIT that another run left (maybe another user's), gone "
                     "within 60 s");
    }
    sl_snapshot_free(&snap);
    return what;
}

static void check_address(struct sl_lab *lab, const struct sockaddr_storage *addr)
{
    const char *ip = lab->opt.bind_ip;
    unsigned rules = lab->info->bind_rules;
    if (addr->ss_family == AF_INET6 && !(rules & SL_BIND_IPV6))
        refuse(lab, "--bind %s is an IPv6 address, and this lab's claims are about IPv4: "
                    "use an IPv4 address such as 127.0.0.1.", ip);
    if (is_wildcard(addr) && !(rules & SL_BIND_WILDCARD))
        refuse(lab, "--bind %s is the wildcard (every address), and this lab's claims are "
                    "about one address: use 127.0.0.1 or another loopback address.", ip);
    if (!is_local(addr))
        refuse(lab, "--bind %s is not an address of this machine (ip -brief address lists "
                    "them); labs only talk to this machine.", ip);
}

static void check_ports(struct sl_lab *lab, struct sockaddr_storage *addr, socklen_t len)
{
    int count = lab->info->ports > 0 ? lab->info->ports : 0;
    for (int i = 0; i < count && lab->opt.base_port; i++) {
        unsigned port = lab->opt.base_port + (unsigned)i;
        if (addr->ss_family == AF_INET)
            ((struct sockaddr_in *)addr)->sin_port = htons((uint16_t)port);
        else
            ((struct sockaddr_in6 *)addr)->sin6_port = htons((uint16_t)port);
        int err = try_bind(addr, len);
        char note[128] = "";
        if (count > 1)
            snprintf(note, sizeof note, _(" (this lab uses --port N to N+%d)"), count - 1);
        if (err == EACCES)
            refuse(lab, "port %u%s needs root: ports below %ld are privileged "
                        "(net.ipv4.ip_unprivileged_port_start); choose --port 1024 or above.",
                   port, note, sl_sysctl_long("net.ipv4.ip_unprivileged_port_start", 1024));
        if (err == EADDRINUSE)
            refuse(lab, "port %u%s is held on %s by %s, as ss -tan 'sport = :%u' "
                        "shows; choose another --port or leave --port out.", port, note,
                   lab->opt.bind_ip, holder_of((uint16_t)port), port);
        if (err) {
            char what[128];
            refuse(lab, "cannot bind %s port %u%s: %s.", lab->opt.bind_ip, port, note,
                   sl_errno_describe(err, what, sizeof what));
        }
    }
}

void sl_lab_check_setup(struct sl_lab *lab)
{
    struct sockaddr_storage addr;
    socklen_t len;
    const char *why;
    if (!sl_addr_parse_ip(lab->opt.bind_ip, 0, &addr, &len, &why))
        refuse(lab, "--bind '%s': %s.", lab->opt.bind_ip, why);
    check_address(lab, &addr);
    check_ports(lab, &addr, len);
}
