/* netns.c — a private network, and entering another process's (see netns.h). */
#include "socklab/netns.h"

#include "socklab/i18n.h"
#include "socklab/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CAP_SYS_ADMIN_BIT 21

bool sl_netns_capable(int cap)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return false;
    char line[256];
    uint64_t caps = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "CapEff: %" SCNx64, &caps) == 1)
            break;
    fclose(f);
    return caps & (UINT64_C(1) << cap);
}

/* The machine's own user namespace maps every uid to itself: "0 0 4294967295". */
static bool in_initial_user_namespace(void)
{
    FILE *f = fopen("/proc/self/uid_map", "r");
    if (!f)
        return true;                      /* a kernel without user namespaces */
    unsigned long inside, outside, count;
    int n = fscanf(f, "%lu %lu %lu", &inside, &outside, &count);
    fclose(f);
    return n == 3 && inside == 0 && outside == 0 && count == 4294967295UL;
}

bool sl_netns_root_on_machine(void)
{
    return in_initial_user_namespace() && sl_netns_capable(CAP_SYS_ADMIN_BIT);
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd == -1)
        return -errno;
    size_t len = strlen(text);
    int err = write(fd, text, len) == (ssize_t)len ? 0 : -errno;
    close(fd);
    return err;
}

int sl_netns_loopback_up(void)
{
    struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (!nl)
        return -errno;
    int err = 0;
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_NEWLINK;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    nlh->nlmsg_seq = (uint32_t)time(NULL);
    struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof *ifm);
    ifm->ifi_family = AF_UNSPEC;
    ifm->ifi_index = (int)if_nametoindex("lo");
    ifm->ifi_flags = IFF_UP;
    ifm->ifi_change = IFF_UP;
    if (ifm->ifi_index == 0 || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == -1 ||
        mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) == -1) {
        err = -errno;
    } else {
        /* The answer is one ack (an error message whose error is 0) or the refusal. */
        ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
        if (n == -1 || mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, mnl_socket_get_portid(nl),
                                  NULL, NULL) == MNL_CB_ERROR)
            err = errno ? -errno : -EIO;
    }
    mnl_socket_close(nl);
    return err;
}

/* How many threads this process runs (Threads: in /proc/self/status). */
static int thread_count(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    int threads = 1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &threads) == 1)
            break;
    if (f)
        fclose(f);
    return threads;
}

/* Why the kernel refused an unprivileged user namespace, in one sentence. */
static void explain_refusal(int err, char *why, size_t len)
{
    if (err == EINVAL && thread_count() > 1) {  /* unshare(CLONE_NEWUSER) wants one thread */
        snprintf(why, len, _("this process already runs %d threads, and a user namespace is "
                             "made by a single-threaded one (a bug of the program: report it)"),
                 thread_count());
        return;
    }
    long max = sl_sysctl_long("user.max_user_namespaces", -1);
    long clone = sl_sysctl_long("kernel.unprivileged_userns_clone", -1);
    long apparmor = sl_sysctl_long("kernel.apparmor_restrict_unprivileged_userns", -1);
    if (err == EINVAL)
        snprintf(why, len, "%s",
                 _("this kernel has no user namespaces (CONFIG_USER_NS is off); "
                   "run as root for a network namespace, or leave --private out"));
    else if (max == 0)
        snprintf(why, len, "%s",
                 _("user namespaces are switched off (user.max_user_namespaces = 0); "
                   "an administrator can raise it (sysctl user.max_user_namespaces="
                   "1000), or run as root, or leave --private out"));
    else if (err == ENOSPC)
        snprintf(why, len, _("this user has used up its user namespaces "
                             "(user.max_user_namespaces = %ld); end other labs or containers, "
                             "or leave --private out"), max);
    else if (clone == 0)
        snprintf(why, len, "%s",
                 _("unprivileged user namespaces are switched off "
                   "(kernel.unprivileged_userns_clone = 0); an administrator can "
                   "set it to 1, or run as root, or leave --private out"));
    else if (apparmor == 1)
        snprintf(why, len, "%s",
                 _("AppArmor restricts unprivileged user namespaces "
                   "(kernel.apparmor_restrict_unprivileged_userns = 1); run as root, "
                   "or leave --private out"));
    else
        snprintf(why, len, _("the kernel refused a user namespace (%s), perhaps a security "
                             "module's rule; run as root, or leave --private out"),
                 strerrorname_np(err) ? strerrorname_np(err) : "error");
}

/* The user's own uid and gid, mapped to themselves in the new user namespace:
 * the one mapping an unprivileged process may write (after setgroups deny). */
static int map_user(char *why, size_t len)
{
    char map[64];
    int err;
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned)getuid(), (unsigned)getuid());
    if ((err = write_file("/proc/self/uid_map", map)) == 0 &&
        (err = write_file("/proc/self/setgroups", "deny")) == 0) {
        snprintf(map, sizeof map, "%u %u 1\n", (unsigned)getgid(), (unsigned)getgid());
        err = write_file("/proc/self/gid_map", map);
    }
    if (err)
        snprintf(why, len, _("the user namespace was made, but its uid and gid maps could not "
                             "be written (%s), perhaps a security module's rule; run as root, "
                             "or leave --private out"), strerrorname_np(-err));
    return err;
}

int sl_netns_make(enum sl_netns_kind *kind, char *why, size_t len)
{
    bool root = sl_netns_root_on_machine();
    *kind = root ? SL_NETNS_NET : SL_NETNS_USER_NET;
    if (unshare(root ? CLONE_NEWNET : CLONE_NEWUSER | CLONE_NEWNET) == -1) {
        int err = errno;
        if (root)
            snprintf(why, len, _("the kernel refused a network namespace (%s); "
                                 "leave --private out"), strerrorname_np(err));
        else
            explain_refusal(err, why, len);
        return -err;
    }
    int err = root ? 0 : map_user(why, len);
    if (!err && (err = sl_netns_loopback_up()) != 0)
        snprintf(why, len, _("the private network was made, but its loopback could not be "
                             "brought up (%s); leave --private out"), strerrorname_np(-err));
    return err;
}

static int open_namespace(pid_t pid, const char *which, struct stat *st)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, which);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd != -1 && fstat(fd, st) == -1) {
        close(fd);
        fd = -1;
    }
    return fd;
}

int sl_netns_join(pid_t pid, char *why, size_t len)
{
    struct stat my_user, my_net, its_user, its_net;
    int user = open_namespace(pid, "user", &its_user), net = open_namespace(pid, "net", &its_net);
    int mine_user = open_namespace(getpid(), "user", &my_user);
    int mine_net = open_namespace(getpid(), "net", &my_net);
    int err = 0;
    if (user == -1 || net == -1 || mine_user == -1 || mine_net == -1) {
        err = -errno;
        snprintf(why, len, _("cannot open the namespaces of process %d (%s): it has ended, or "
                             "it belongs to another user"), (int)pid, strerrorname_np(errno));
    } else if (its_user.st_ino != my_user.st_ino && setns(user, CLONE_NEWUSER) == -1) {
        err = -errno;
        snprintf(why, len, _("cannot enter the user namespace of process %d (%s)"), (int)pid,
                 strerrorname_np(errno));
    } else if (its_net.st_ino != my_net.st_ino && setns(net, CLONE_NEWNET) == -1) {
        err = -errno;
        snprintf(why, len, _("cannot enter the network of process %d (%s)"), (int)pid,
                 strerrorname_np(errno));
    }
    int opened[] = { user, net, mine_user, mine_net };
    for (int i = 0; i < 4; i++)
        if (opened[i] != -1)
            close(opened[i]);
    return err;
}
