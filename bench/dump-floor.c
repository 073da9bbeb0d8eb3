/* dump-floor.c — the floor no socket lister can beat: the same sock_diag dump
 * sockdash asks for (INET_DIAG_INFO with --info, the filter compiled into the
 * kernel's bytecode), with every reply received and its message headers
 * walked, and nothing parsed, stored or printed.
 *
 *   dump-floor [--info] [--port A[-B][,...]]
 *
 * Prints the number of socket messages received. */
#include "../src/observe/diag_internal.h"

#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <string.h>

static int count_messages(const void *buf, size_t len, int family, void *context)
{
    (void)family;
    size_t *count = context;
    int rc = sl_diag_scan_netlink(buf, len);
    int left = (int)len;
    for (const struct nlmsghdr *h = buf; rc >= 0 && NLMSG_OK(h, left); h = NLMSG_NEXT(h, left))
        *count += h->nlmsg_type == SOCK_DIAG_BY_FAMILY;
    return rc;
}

int main(int argc, char **argv)
{
    struct sl_filter f;
    char why[160];
    sl_filter_init(&f);
    bool info = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--info")) {
            info = true;
        } else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
            if (!sl_filter_add_ports(&f, argv[++i], why, sizeof why)) {
                fprintf(stderr, "dump-floor: --port %s: %s.\n", argv[i], why);
                return 2;
            }
        } else {
            fprintf(stderr, "dump-floor: usage: dump-floor [--info] [--port A[-B][,...]]\n");
            return 2;
        }
    }
    size_t count = 0;
    int rc = sl_diag_dump_netlink(&f, info, count_messages, &count);
    if (rc < 0) {
        fprintf(stderr, "dump-floor: %s\n", strerror(-rc));
        return 1;
    }
    printf("%zu\n", count);
    return 0;
}
