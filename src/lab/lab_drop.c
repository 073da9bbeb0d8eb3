/* lab_drop.c — drop chosen segments on the lab's own loopback (see lab.h).
 *
 * nftables, through its library (libnftables: the rule is written as nft(8)
 * would take it, in this process, so it needs no program and keeps the
 * capabilities a private network gives). One table, "socklab", with an input
 * chain: a segment dropped there has already passed the capture, which
 * therefore shows it (and the sender's retransmissions). Only ever in a
 * private network: a rule on the machine's loopback would touch every user. */
#include "lab_internal.h"

#include "socklab/segment.h"

#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

/* "syn | ack" for the bits set in flags. */
static void flag_names(unsigned flags, char *buf, size_t len)
{
    static const char *const names[] = { "fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr" };
    size_t n = 0;
    buf[0] = '\0';
    for (int bit = 0; bit < 8 && n < len; bit++)
        if (flags & (1u << bit))
            n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " | " : "", names[bit]);
}

static bool run(struct sl_lab *lab, const char *commands)
{
    struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!nft)
        sl_lab_setup_error(lab, "nftables could not start (out of memory)");
    nft_ctx_buffer_output(nft);
    nft_ctx_buffer_error(nft);
    int rc = nft_run_cmd_from_buffer(nft, commands);
    if (rc != 0) {
        char error[512];
        snprintf(error, sizeof error, "%s", nft_ctx_get_error_buffer(nft));
        error[strcspn(error, "\n")] = '\0';
        nft_ctx_free(nft);
        sl_lab_setup_error(lab, "nftables refused a rule on the lab's loopback: %s", error);
    }
    nft_ctx_free(nft);
    return true;
}

bool sl_lab_drop(struct sl_lab *lab, uint16_t port, unsigned flags, unsigned without)
{
    if (!lab->private_net || !sl_lab_privileged(lab))
        return false;                     /* never the machine's loopback; nor one it cannot */
    char set[80], unset[80], mask[120], rule[600];
    flag_names(flags, set, sizeof set);
    flag_names(without, unset, sizeof unset);
    flag_names(flags | without, mask, sizeof mask);
    char match[260] = "";                 /* 0 and 0: every segment to the port */
    if (flags || without)
        snprintf(match, sizeof match, " tcp flags & (%s) == %s", mask, flags ? set : "0");
    snprintf(rule, sizeof rule,
             "add table inet socklab\n"
             "add chain inet socklab input { type filter hook input priority 0; }\n"
             "add rule inet socklab input tcp dport %u%s drop\n", port, match);
    run(lab, rule);
    lab->dropping = true;
    if (!flags && !without)
        sl_lab_show(lab, "nft: on the lab's loopback, every segment to port %u is dropped", port);
    else if (!without)
        sl_lab_show(lab, "nft: on the lab's loopback, segments to port %u with %s set are "
                         "dropped", port, set);
    else if (!flags)
        sl_lab_show(lab, "nft: on the lab's loopback, segments to port %u with no flag set and "
                         "not %s are dropped", port, unset);
    else
        sl_lab_show(lab, "nft: on the lab's loopback, segments to port %u with %s set and not "
                         "%s are dropped", port, set, unset);
    return true;
}

void sl_lab_undrop(struct sl_lab *lab)
{
    if (lab->dropping)
        run(lab, "delete table inet socklab\n");
    lab->dropping = false;
}
