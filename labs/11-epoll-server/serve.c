/* labs/11-epoll-server/serve.c — `lab11-epoll-server --serve`: the correct
 * server in the foreground, for curl, ab, wrk and the dashboard.
 *
 *     lab11-epoll-server --serve [--port N] [--bind ADDR] [--root DIR] [--log]
 *     socklab serve [the same options]
 *
 * It prints one line, "serving on http://ADDR:PORT/", once it listens, then
 * serves until SIGINT or SIGTERM, which stop it gracefully: no new
 * connections, the responses in flight finished (at most 3 s), exit 0.
 *
 * --stats prints, as the server stops, one line of what it counted: the
 * requests, the connections and its system calls by kind. --without turns
 * techniques off, to count what each saves (lab 11's last step does).
 *
 * --notes serves the original notes' transcribed server instead, so a load
 * generator can be pointed at it for comparison (it answers one request a
 * connection, spins on half a request, and dies of Ctrl-C as it is). */
#include "serve.h"

#include "notes-server.h"
#include "server.h"
#include "servers.h"
#include "socklab/check.h"
#include "socklab/i18n.h"
#include "socklab/net.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define PROGRAM "lab11-epoll-server --serve"

static volatile sig_atomic_t stop_requested;

static void request_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(void)
{
    printf("%s", _("Usage: lab11-epoll-server --serve [options]   (or: socklab serve [options])\n\n"
           "Serve HTTP/1.1 with the correct epoll server of lab 11 until Ctrl-C.\n"
           "GET and HEAD: \"/\" is a built-in page, other paths are files under --root.\n\n"
           "  --port N               the port to listen on (default: one the kernel picks)\n"
           "  --bind ADDR            the address to listen on (default 127.0.0.1)\n"
           "  --root DIR             serve the files under DIR (nothing outside it)\n"
           "  --log                  one line per request on standard output\n"
           "  --max-connections N    clients beyond N get 503 (default 16384)\n"
           "  --idle-timeout-ms MS   close a connection idle this long (default 60000)\n"
           "  --header-timeout-ms MS a request must arrive whole within MS (default 10000)\n"
           "  --header-limit BYTES   longer request heads get 431 (default 8192)\n"
           "  --stats                at the end, one line: requests, connections and\n"
           "                         the system calls made, by kind\n"
           "  --without LIST         turn techniques off (comma-separated): short-read-rule,\n"
           "                         batching, prepared, edge-triggered, accept4,\n"
           "                         level-listener\n"
           "  --notes                serve the notes' transcribed server instead (lab 11's\n"
           "                         bugs included), to compare it under the same load\n"
           "  --notes-body FILE      with --notes: reply with FILE's bytes, not the page\n"
           "  --help                 this text\n"));
}

/* A whole number in [min, max], or a usage error naming the option. */
static long number_option(const char *option, const char *text, long min, long max)
{
    char *end;
    errno = 0;
    long value = text ? strtol(text, &end, 10) : 0;
    if (!text || !*text || *end || errno || value < min || value > max)
        sl_usage_error(PROGRAM, "%s needs a number from %ld to %ld, e.g. %s %ld.", option, min,
                       max, option, max < 8080 ? max : 8080);
    return value;
}

static void announce(uint16_t port, void *arg)
{
    const struct http_server_config *cfg = arg;
    const char *ip = cfg->bind_ip;
    printf(strchr(ip, ':') ? "serving on http://[%s]:%u/\n" : "serving on http://%s:%u/\n", ip,
           port);
    fflush(stdout);
}

/* As many descriptors as the hard limit allows: each connection takes one. */
static void raise_descriptor_limit(void)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

/* The notes' fixed reply with a file's bytes as its body (for the benchmark's
 * bodies), the head as the notes' reply has it. */
static const struct notes_reply *reply_with_file(const char *path)
{
    static struct notes_reply reply;
    FILE *f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) || ftell(f) < 0)
        sl_usage_error(PROGRAM, "--notes-body: cannot read %s.", path);
    long size = ftell(f);
    char head[128];
    int head_len = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: "
                            "application/octet-stream\r\nContent-Length: %ld\r\n\r\n", size);
    char *bytes = malloc((size_t)head_len + (size_t)size);
    CHECK_TRUE(bytes != NULL);
    memcpy(bytes, head, (size_t)head_len);
    rewind(f);
    if (fread(bytes + head_len, 1, (size_t)size, f) != (size_t)size)
        sl_usage_error(PROGRAM, "--notes-body: cannot read %s.", path);
    fclose(f);
    reply.bytes = bytes;
    reply.len = (size_t)head_len + (size_t)size;
    return &reply;
}

/* The notes' loop, standalone: it never returns (SIGINT ends it). */
static _Noreturn void serve_notes(const struct http_server_config *cfg, const char *body)
{
    const struct notes_reply *reply = body ? reply_with_file(body) : notes_reply_page();
    int sock = notes_server_listen(cfg->bind_ip, cfg->port);
    printf("serving the notes' server on http://%s:%u/ (one reply a connection)\n",
           cfg->bind_ip, sl_local_port(sock));
    fflush(stdout);
    static struct notes_report report;        /* counted, shown to nobody here */
    notes_server_loop(sock, reply, &report);
}

/* --without a,b,c: each name must be a technique. */
static void without_option(struct http_server_without *without, const char *list)
{
    char names[256];
    if (!list || snprintf(names, sizeof names, "%s", list) >= (int)sizeof names || !*list)
        sl_usage_error(PROGRAM, "--without needs techniques, e.g. --without batching,accept4.");
    for (char *save, *name = strtok_r(names, ",", &save); name; name = strtok_r(NULL, ",", &save))
        if (!http_without_set(without, name))
            sl_usage_error(PROGRAM, "--without: '%s' is not a technique (short-read-rule, "
                                    "batching, prepared, edge-triggered, accept4, "
                                    "level-listener).", name);
}

/* "stats: requests=N connections=N accept4=N recv=N ..." */
static void print_stats(const struct http_server_stats *stats)
{
    printf("stats: requests=%llu connections=%llu", stats->requests, stats->connections);
    for (int call = 0; call < HTTP_CALLS; call++)
        printf(" %s=%llu", http_call_name((enum http_call)call), stats->calls[call]);
    printf("\n");
    fflush(stdout);
}

int serve_main(int argc, char **argv)
{
    struct http_server_config cfg = { .bind_ip = "127.0.0.1" };
    struct http_server_stats stats = { 0 };
    bool notes = false, show_stats = false;
    const char *notes_body = NULL;
    sl_i18n_init();                       /* its messages in the user's language */
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
            usage();
            return 0;
        } else if (!strcmp(opt, "--notes")) {
            notes = true;
            continue;
        } else if (!strcmp(opt, "--log")) {
            cfg.log = stdout;
            continue;
        } else if (!strcmp(opt, "--stats")) {
            show_stats = true;
            continue;
        } else if (!strcmp(opt, "--notes-body")) {
            if (!arg)
                sl_usage_error(PROGRAM, "--notes-body needs a file, e.g. --notes-body page.html.");
            notes_body = arg;
        } else if (!strcmp(opt, "--without")) {
            without_option(&cfg.without, arg);
        } else if (!strcmp(opt, "--port")) {
            cfg.port = (uint16_t)number_option(opt, arg, 1, 65535);
        } else if (!strcmp(opt, "--bind")) {
            if (!arg)
                sl_usage_error(PROGRAM, "--bind needs an address, e.g. --bind 127.0.0.1.");
            cfg.bind_ip = arg;
        } else if (!strcmp(opt, "--root")) {
            if (!arg)
                sl_usage_error(PROGRAM, "--root needs a directory, e.g. --root docs.");
            cfg.root = arg;
        } else if (!strcmp(opt, "--max-connections")) {
            cfg.max_connections = (int)number_option(opt, arg, 1, 1000000);
        } else if (!strcmp(opt, "--idle-timeout-ms")) {
            cfg.idle_timeout_ms = (int)number_option(opt, arg, 1, 86400000);
        } else if (!strcmp(opt, "--header-timeout-ms")) {
            cfg.header_timeout_ms = (int)number_option(opt, arg, 1, 86400000);
        } else if (!strcmp(opt, "--header-limit")) {
            cfg.header_limit = (int)number_option(opt, arg, 64, 1 << 20);
        } else {
            sl_usage_error(PROGRAM, "unknown option '%s'; see --serve --help.", opt);
        }
        i++;                                /* the option's argument */
    }

    if (notes)
        serve_notes(&cfg, notes_body);

    struct sigaction stop = { .sa_handler = request_stop };
    sigaction(SIGINT, &stop, NULL);
    sigaction(SIGTERM, &stop, NULL);
    raise_descriptor_limit();

    char error[512] = "";
    cfg.on_listening = announce;
    cfg.on_listening_arg = &cfg;
    cfg.error_out = error;
    cfg.error_len = sizeof error;
    cfg.stats = &stats;
    int status = http_server_run(&cfg, &stop_requested);
    if (status == 0 && show_stats)
        print_stats(&stats);
    if (status == -EINVAL || status == -EADDRINUSE || status == -EADDRNOTAVAIL ||
        status == -EACCES || status == -ENOENT || status == -ENOTDIR)
        sl_usage_error(PROGRAM, "%s", error);           /* bad set-up: exit 2 */
    if (status < 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM, error);
        return 1;
    }
    return 0;
}
