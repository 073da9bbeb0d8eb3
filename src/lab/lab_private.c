/* lab_private.c — a network of the lab's own (--private), and the note that
 * lets another terminal find it.
 *
 * The engine makes the network before the set-up checks (so that the ports
 * it checks are the private network's), while the lab is still one thread
 * (unshare(CLONE_NEWUSER) refuses a threaded process), and says in one line
 * what it made. The children a lab forks inherit the network; the engine's
 * own observation (sock_diag) and capture see only that network, which is
 * the point. What the lab may do there is its network's, never the
 * machine's: sl_lab_privileged is true (CAP_NET_ADMIN over this network),
 * sl_lab_root_on_machine false for a user (the uid inside is the user's).
 *
 * r and b run the lab again in the same process (lab.c): that run makes a
 * fresh network in place of this one, so that nothing the last run left
 * (its closing sockets, a setting it changed, a packet filter) is in the
 * new one, and the old one goes with its last process (the classroom's
 * panes follow the lab: socklab enter-class). In a user namespace the
 * capabilities that takes are kept across the exec as ambient ones: a uid
 * other than 0 keeps none otherwise, and the next run could neither make its
 * network nor capture or filter in it. */
#include "lab_internal.h"

#include "socklab/check.h"
#include "socklab/netns.h"
#include "socklab/running.h"
#include "socklab/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* /proc/sys/net/ipv4/tcp_fin_timeout for net.ipv4.tcp_fin_timeout. */
static void sysctl_path(const char *name, size_t len, char *path, size_t room)
{
    snprintf(path, room, "/proc/sys/%.*s", (int)len, name);
    for (char *p = path + strlen("/proc/sys/"); *p; p++)
        if (*p == '.')
            *p = '/';
}

/* Write "value" into the setting; 0 or the errno. */
static int write_setting(const char *path, const char *value)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;
    size_t n = strlen(value);
    if (fd == -1)
        return errno;
    if (write(fd, value, n) != (ssize_t)n)
        err = errno ? errno : EIO;
    close(fd);
    return err;
}

/* --sysctl NAME=VALUE, in the private network just made: a refusal is a
 * set-up error (a setting this kernel keeps for the machine, or one a user's
 * namespace may not change). */
static void set_asked(struct sl_lab *lab, const char *setting)
{
    const char *eq = strchr(setting, '=');
    char path[256];
    sysctl_path(setting, (size_t)(eq - setting), path, sizeof path);
    int err = access(path, F_OK) == -1 ? ENOENT : write_setting(path, eq + 1);
    if (err)
        sl_usage_error(lab->program, "--sysctl %s: %s in the lab's network (%s); leave it "
                       "out, or set it as root in a namespace of your own.", setting,
                       err == ENOENT ? _("no such setting") : _("the kernel refused it"),
                       strerrorname_np(err));
}

/* r or b: a fresh network in the user namespace the first run made (or,
 * as root, the machine's); when the kernel refuses one, the last run's
 * network, as it was left, and the lab says so. */
static void network_again(struct sl_lab *lab, const char *kind)
{
    lab->private_net = true;
    lab->user_namespace = !strcmp(kind, "user");
    unsetenv(SL_PRIVATE_AGAIN);
    if (unshare(CLONE_NEWNET) == -1 || sl_netns_loopback_up() != 0) {
        lab->private_kept = true;
        return;
    }
    lab->private_again = true;
    for (int i = 0; i < lab->opt.sysctl_count; i++)
        set_asked(lab, lab->opt.sysctls[i]);
}

void sl_lab_network_enter(struct sl_lab *lab)
{
    const char *again = getenv(SL_PRIVATE_AGAIN);
    if (again) {
        network_again(lab, again);
        return;
    }
    if (!lab->opt.private_net && !lab->info->own_network)
        return;
    enum sl_netns_kind kind;
    char why[400];
    if (sl_netns_make(&kind, why, sizeof why) != 0) {
        if (lab->opt.private_net)
            sl_usage_error(lab->program, "--private: %s.", why);
        /* A lab that wants its own network runs without one: the steps
         * that need it say why they are skipped. */
        snprintf(lab->private_refused, sizeof lab->private_refused, "%s", why);
        return;
    }
    lab->private_net = true;
    lab->user_namespace = kind == SL_NETNS_USER_NET;
    for (int i = 0; i < lab->opt.sysctl_count; i++)      /* before the set-up checks */
        set_asked(lab, lab->opt.sysctls[i]);
}

/* Every capability this process holds over its user namespace, made
 * ambient so that it stays across execve() (a uid other than 0 keeps none
 * otherwise): inheritable first, as the kernel requires. Over the lab's own
 * namespace only; a failure leaves the next run without them, and it says
 * so (sl_lab_network_enter keeps the old network). */
static void keep_capabilities(void)
{
    struct __user_cap_header_struct head = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &head, data) != 0)
        return;
    for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
        data[i].inheritable |= data[i].permitted;
    if (syscall(SYS_capset, &head, data) != 0)
        return;
    for (int cap = 0; cap < 32 * _LINUX_CAPABILITY_U32S_3; cap++)
        if (data[cap / 32].permitted & (1u << (cap % 32)))
            prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
}

void sl_lab_network_again(struct sl_lab *lab)
{
    if (!lab->private_net)
        return;
    if (lab->user_namespace)
        keep_capabilities();
    setenv(SL_PRIVATE_AGAIN, lab->user_namespace ? "user" : "net", 1);
}

void sl_lab_network_started(struct sl_lab *lab)
{
    if (lab->private_net) {
        char text[300];
        if (lab->private_kept)
            snprintf(text, sizeof text, "%s", _("private network: the one this lab made "
                                                "before it started again (its sockets and "
                                                "settings stay)"));
        else if (lab->private_again)
            snprintf(text, sizeof text, "%s", _("private network: a fresh one for this run, "
                                                "loopback up (the last run's went, with what "
                                                "it left)"));
        else if (lab->user_namespace)
            snprintf(text, sizeof text, _("private network: user + network namespace (uid %u "
                                          "as itself), loopback up"), (unsigned)getuid());
        else
            snprintf(text, sizeof text, "%s", _("private network: a network namespace of its "
                                                "own, loopback up"));
        if (lab->out->network)
            lab->out->network(lab, text);
        else
            lab->out->say(lab, text);
        for (int i = 0; i < lab->opt.sysctl_count; i++)
            lab->out->say(lab, lab->opt.sysctls[i]);     /* as set, before step 1 */
    }
    /* The note is a convenience for other terminals: without it the lab runs
     * the same, and `socklab ss` says it found no lab. */
    char path[PATH_MAX];
    if (sl_running_register(lab->info->number, lab->info->name, lab->private_net, path,
                            sizeof path) == 0)
        sl_guard_remove_file(path);
    sl_lab_wire_open(lab);
}

bool sl_lab_private(const struct sl_lab *lab)
{
    return lab->private_net;
}

const char *sl_lab_private_refused(const struct sl_lab *lab)
{
    return lab->private_refused[0] ? lab->private_refused : NULL;
}

bool sl_lab_root_on_machine(const struct sl_lab *lab)
{
    (void)lab;
    return sl_netns_root_on_machine();
}

bool sl_lab_sysctl_set(struct sl_lab *lab, const char *name, long value)
{
    if (!lab->private_net || strncmp(name, "net.", 4) != 0)
        return false;                     /* the machine's settings are never written */
    long before;
    if (sl_sysctl_read(name, &before, 1) != 1)
        return false;
    char path[256], text[32];
    sysctl_path(name, strlen(name), path, sizeof path);
    snprintf(text, sizeof text, "%ld", value);
    bool written = write_setting(path, text) == 0;
    if (written)
        sl_lab_show(lab, "%s: %ld -> %ld (this lab's network only)", name, before, value);
    return written;
}
