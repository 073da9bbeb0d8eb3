/* no-sock-diag.c — run a program on a machine, as it were, without sock_diag:
 * socket(AF_NETLINK, ...) fails with EAFNOSUPPORT, as on a kernel built
 * without inet_diag, so socklab falls back to /proc/net/tcp. A seccomp filter
 * does it, for this process and what it runs only (no privilege needed).
 *
 *   no-sock-diag PROGRAM [ARG...]
 *
 * The screen suite uses it to show what the labs' live view says when it
 * cannot look at the kernel's sockets at all: under /proc, each look opens a
 * file, which a lab that has used up its descriptors (EMFILE) cannot. */
#include "socklab/check.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define THIS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define THIS_ARCH AUDIT_ARCH_AARCH64
#else
#error "no-sock-diag: add this architecture's AUDIT_ARCH_ value"
#endif

int main(int argc, char **argv)
{
    if (argc < 2)
        sl_usage_error("no-sock-diag", "usage: no-sock-diag PROGRAM [ARG...]");
    struct sock_filter program[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EAFNOSUPPORT),
    };
    struct sock_fprog filter = { sizeof program / sizeof program[0], program };
    CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));   /* what lets anyone install a filter */
    CHECK(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter));
    execvp(argv[1], argv + 1);
    sl_die_errno(errno, "cannot run %s", argv[1]);
}
