/* lab_options.c — the options every lab shares, and the lab's own flags.
 *
 *   --auto --json --tui --port N --bind ADDR --delay MS --from N --no-source
 *   --describe --help --version      and the lab's variants: --et, --no-loop, ...
 *
 * Bad input gets one line saying what is wrong and what to do, and status 2. */
#include "lab_internal.h"

#include "socklab/addr.h"
#include "socklab/charset.h"
#include "socklab/check.h"
#include "socklab/json.h"
#include "socklab/text.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_AUTO = 256, OPT_JSON, OPT_TUI, OPT_PORT, OPT_BIND, OPT_DELAY, OPT_FROM, OPT_NO_SOURCE,
       OPT_DESCRIBE, OPT_CHECK, OPT_HELP, OPT_VERSION, OPT_PRIVATE, OPT_SYSCTL,
       OPT_FLAG };

static const struct option common[] = {
    { "auto", no_argument, NULL, OPT_AUTO },
    { "json", no_argument, NULL, OPT_JSON },
    { "tui", no_argument, NULL, OPT_TUI },
    { "port", required_argument, NULL, OPT_PORT },
    { "bind", required_argument, NULL, OPT_BIND },
    { "delay", required_argument, NULL, OPT_DELAY },
    { "from", required_argument, NULL, OPT_FROM },
    { "no-source", no_argument, NULL, OPT_NO_SOURCE },
    { "describe", no_argument, NULL, OPT_DESCRIBE },
    { "check", no_argument, NULL, OPT_CHECK },
    { "help", no_argument, NULL, OPT_HELP },
    { "version", no_argument, NULL, OPT_VERSION },
    { "private", no_argument, NULL, OPT_PRIVATE },
    { "sysctl", required_argument, NULL, OPT_SYSCTL },
};
#define COMMON_COUNT (int)(sizeof common / sizeof common[0])

#define usage_error(lab, ...) sl_usage_error((lab)->program, __VA_ARGS__)

/* text folded between words to 78 columns (text.h), in ASCII under a
 * locale that is not UTF-8 (charset.h) */
static void print_folded(const char *text)
{
    char *ascii = sl_charset_utf8() ? NULL : sl_charset_ascii(text, strlen(text));
    const char *next;
    for (const char *p = ascii ? ascii : text; *p; p = next) {
        size_t n = sl_text_wrap(p, 78, &next);
        printf("%.*s\n", (int)n, p);
    }
    free(ascii);
}

static void print_help(const struct sl_lab *lab)
{
    const struct sl_lab_info *info = lab->info;
    char ports[64];
    if (info->ports > 1)
        snprintf(ports, sizeof ports, _("ports N..N+%d"), info->ports - 1);
    else
        snprintf(ports, sizeof ports, "%s", _("port N"));
    setlocale(LC_CTYPE, "");               /* columns, and UTF-8 or not: the user's */
    char first[512];
    snprintf(first, sizeof first, _("%s \u2014 lab %02d: %s"), lab->program, info->number,
             info->title);
    print_folded(first);                   /* a long title goes on under it */
    printf("\n");
    print_folded(info->goal);
    printf("\n");
    printf(_("Usage: %s [options]\n\n"), lab->program);
    printf(_("  --auto         run straight through, never wait at a pause\n"
           "  --json         print one JSON object per event (for tests and tools)\n"
           "  --tui          the classroom in one window: the step, its code and the\n"
           "                 lab's sockets live (RFC 9293 diagram, table, transitions)\n"
           "  --port N       use %s (default: the kernel chooses)\n"
           "  --bind ADDR    the address to bind (default 127.0.0.1)\n"
           "  --delay MS     how long a pause lasts when not waiting for a key (default 0)\n"
           "  --from N       run steps 1 to N-1 without pausing, then stop from step N\n"
           "  --no-source    do not show each step's code\n"
           "  --private      run in a network of the lab's own (no root needed): its\n"
           "                 segments on the wire, its sysctls its own\n"
           "  --sysctl K=V   with --private: set net.* sysctl K to V in that network\n"
           "  --describe     print this lab's number, name, title and goal as JSON\n"
           "  --check        check the options, the address and the ports, then exit\n"
           "  --help         this help\n"
           "  --version      the socklab version\n"),
           ports);
    for (int i = 0; info->flags && info->flags[i].name; i++) {
        printf("  --%-12s ", info->flags[i].name);    /* its help folded under itself */
        const char *next;
        for (const char *p = info->flags[i].help; *p; p = next) {
            size_t n = sl_text_wrap(p, 80 - 17, &next);
            printf("%s%.*s\n", p == info->flags[i].help ? "" : "                 ", (int)n, p);
        }
    }
    printf(_("\nOn a terminal the lab stops after every step and at each named pause:\n"
           "Enter continues, q ends the lab, r starts it again, b goes back a step (the\n"
           "lab runs again up to the step before: a kernel cannot be rewound). Exit\n"
           "status: 0 when no claim failed (skipped ones allowed), 1 when the kernel\n"
           "disagreed with one, 2 for a usage or set-up error, 3 when a measurement\n"
           "stayed inconclusive on a busy machine.\n"
           "Notes: socklab notes %d\n"), info->number);
}

static void print_describe(const struct sl_lab *lab)
{
    struct sl_json j;
    sl_json_begin(&j, stdout);
    sl_json_int(&j, "number", lab->info->number);
    sl_json_string(&j, "name", lab->info->name);
    sl_json_string(&j, "title", lab->info->title);
    sl_json_string(&j, "goal", lab->info->goal);
    sl_json_int(&j, "ports", lab->info->ports);
    sl_json_end(&j);
}

static long parse_number(const struct sl_lab *lab, const char *option, const char *text,
                         long min, long max)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end || value < min || value > max)
        usage_error(lab, "%s needs a whole number from %ld to %ld (got '%s').",
                    option, min, max, text);
    return value;
}

/* The long options: the common ones, then one per lab flag. */
static int build_options(const struct sl_lab *lab, struct option *all, int room)
{
    int n = 0;
    for (int i = 0; i < COMMON_COUNT; i++)
        all[n++] = common[i];
    for (int i = 0; lab->info->flags && lab->info->flags[i].name; i++) {
        if (i >= SL_LAB_MAX_FLAGS || n >= room - 1)
            usage_error(lab, "this lab declares too many flags");
        all[n++] = (struct option){ lab->info->flags[i].name, no_argument, NULL, OPT_FLAG + i };
    }
    all[n] = (struct option){ 0 };
    return n;
}

void sl_lab_parse_options(struct sl_lab *lab, int argc, char **argv)
{
    struct option all[COMMON_COUNT + SL_LAB_MAX_FLAGS + 1];
    build_options(lab, all, (int)(sizeof all / sizeof all[0]));
    lab->opt.bind_ip = "127.0.0.1";
    lab->opt.from = 1;

    opterr = 0;                           /* our own one-line messages */
    int c;
    while ((c = getopt_long(argc, argv, ":", all, NULL)) != -1) {
        switch (c) {
        case OPT_AUTO: lab->opt.auto_mode = true; break;
        case OPT_JSON: lab->opt.json = true; break;
        case OPT_TUI: lab->opt.tui = true; break;
        case OPT_NO_SOURCE: lab->opt.no_source = true; break;
        case OPT_PRIVATE: lab->opt.private_net = true; break;
        case OPT_SYSCTL:
            if (strncmp(optarg, "net.", 4) != 0 || !strchr(optarg, '=') ||
                strstr(optarg, "..") || strchr(optarg, '/'))
                usage_error(lab, "--sysctl takes a network setting and its value, such as "
                                 "net.ipv4.tcp_fin_timeout=5 (got '%s').", optarg);
            if (lab->opt.sysctl_count == SL_LAB_MAX_SYSCTLS)
                usage_error(lab, "--sysctl may be given at most %d times.", SL_LAB_MAX_SYSCTLS);
            lab->opt.sysctls[lab->opt.sysctl_count++] = optarg;
            break;
        case OPT_PORT: {
            int last = 65535 - (lab->info->ports > 0 ? lab->info->ports - 1 : 0);
            lab->opt.base_port = (uint16_t)parse_number(lab, "--port", optarg, 1, last);
            break;
        }
        case OPT_BIND: {
            struct sockaddr_storage addr;
            socklen_t len;
            const char *why;
            if (!sl_addr_parse_ip(optarg, 0, &addr, &len, &why))
                usage_error(lab, "--bind '%s': %s.", optarg, why);
            lab->opt.bind_ip = optarg;
            break;
        }
        case OPT_DELAY:
            lab->opt.delay_ms = (int)parse_number(lab, "--delay", optarg, 0, 60000);
            break;
        case OPT_FROM:
            lab->opt.from = (int)parse_number(lab, "--from", optarg, 1, 999);
            break;
        case OPT_DESCRIBE: print_describe(lab); exit(0);
        case OPT_CHECK: lab->opt.check_only = true; break;
        case OPT_HELP: print_help(lab); exit(0);
        case OPT_VERSION: printf("socklab %s\n", SL_VERSION); exit(0);
        case ':':
            usage_error(lab, "%s needs a value; run with --help to see the options.",
                        argv[optind - 1]);
        case '?': {                 /* a short option's letter (even in -xyz) is in optopt */
            char letter[3] = { '-', (char)optopt, '\0' };
            usage_error(lab, "unknown option '%s'; run with --help to see the options.",
                        optopt ? letter : argv[optind - 1]);
        }
        default:
            if (c >= OPT_FLAG && c < OPT_FLAG + SL_LAB_MAX_FLAGS)
                lab->opt.flags[c - OPT_FLAG] = true;
        }
    }
    if (optind < argc)
        usage_error(lab, "unexpected argument '%s'; labs take options only (see --help).",
                    argv[optind]);
    if (lab->opt.sysctl_count && !lab->opt.private_net)
        usage_error(lab, "--sysctl needs --private: a lab writes settings only in a network "
                         "of its own, never the machine's.");
    if (lab->opt.tui && lab->opt.json)
        usage_error(lab, "--tui is a screen and --json a stream; choose one.");
}
