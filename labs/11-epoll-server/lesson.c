/* labs/11-epoll-server/lesson.c — lab 11: an epoll HTTP server done right.
 *
 * What it shows
 *   1. the correct server (server.c) answers a GET over loopback, keeps the
 *      connection open for the next request, and stops gracefully on SIGTERM.
 *
 * Run it
 *   terminal 1:  socklab run 11
 *   terminal 2:  at the pause, the ss command it prints
 *   or serve it: socklab serve --log, then curl http://127.0.0.1:PORT/
 *
 * What you should see
 *   At the pause, the client's connection ESTAB on the server's port: after
 *   its answer, HTTP/1.1 keeps it open for the next request.
 *
 * Notes: docs/labs/11-epoll-server.md  (socklab notes 11) */
#include "lesson.h"

#include "server.h"
#include "socklab/check.h"
#include "socklab/lab.h"
#include "socklab/net.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct sl_lab_info info = {
    .number = 11,
    .name = "epoll-server",
    .title = "An epoll HTTP server: the notes' bugs, and one done right",
    .goal = "Run a correct edge-triggered epoll HTTP/1.1 server in a child process, "
            "ask it for a page over loopback, see the connection kept alive for the "
            "next request, and stop it gracefully.",
    .ports = 1,
};

static volatile sig_atomic_t server_stop;

static void stop_server(int sig)
{
    (void)sig;
    server_stop = 1;
}

/* Read one response (head and Content-Length bytes of body) into buf,
 * waiting at most 2 s in all; returns its length, 0 when it did not come. */
static size_t read_response(int fd, char *buf, size_t room)
{
    size_t used = 0;
    for (int waits = 0; used + 1 < room && waits < 20; waits++) {
        buf[used] = '\0';
        const char *end = strstr(buf, "\r\n\r\n");
        const char *length = strstr(buf, "Content-Length: ");
        if (end && length && used >= (size_t)(end + 4 - buf) + strtoul(length + 16, NULL, 10))
            return used;
        if (!sl_wait_fd(fd, POLLIN, 100))
            continue;
        ssize_t n = recv(fd, buf + used, room - used - 1, MSG_DONTWAIT);
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    buf[used] = '\0';
    return 0;
}

int lab11_lesson(int argc, char **argv)
{
    struct sl_lab *lab = sl_lab_begin(argc, argv, &info);
    static char response[8192];
    char status_text[64];

    lab_step(lab, "The correct server answers a GET, and keeps the connection");
    lab_say(lab, "A listening socket on loopback; a child process runs the correct server "
                 "on it (server.c). The lab, as a client, sends one GET for \"/\".");
    int listener = sl_listen_on(sl_lab_bind_ip(lab), sl_lab_port(lab, 0), SOMAXCONN);
    sl_lab_track_port(lab, sl_local_port(listener));
    pid_t server = sl_lab_fork(lab);
    if (server == 0) {
        signal(SIGTERM, stop_server);
        struct http_server_config cfg = { .listen_fd = listener };
        _exit(http_server_run(&cfg, &server_stop) == 0 ? 0 : 1);
    }
    int client = sl_connect_to(listener, 1000);
    CHECK(close(listener));                 /* the child serves it */
    const char request[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    lab_call(lab, send(client, request, sizeof request - 1, MSG_NOSIGNAL));
    size_t n = read_response(client, response, sizeof response);
    lab_show(lab, "%.*s", (int)strcspn(response, "\r"), response);
    lab_expect(lab, n > 0 && !strncmp(response, "HTTP/1.1 200 OK\r\n", 17),
               "the server answers the GET with 200 OK");
    const char *body = strstr(response, "\r\n\r\n");
    lab_expect(lab, body && n - (size_t)(body + 4 - response) == http_builtin_page_len &&
                        !memcmp(body + 4, http_builtin_page, http_builtin_page_len),
               "the body is the built-in page, exactly Content-Length bytes");

    struct sl_tuple tuple;
    sl_tuple_of_fd(client, &tuple);
    lab_expect(lab, sl_lab_wait_state(lab, &tuple, SL_TCP_ESTABLISHED, 1000),
               "after its answer the connection stays ESTAB: HTTP/1.1 keeps it alive");
    lab_pause(lab, "the client's connection ESTAB on the server's port, kept alive");
    lab_call(lab, send(client, request, sizeof request - 1, MSG_NOSIGNAL));
    n = read_response(client, response, sizeof response);
    lab_expect(lab, n > 0 && !strncmp(response, "HTTP/1.1 200 OK\r\n", 17),
               "a second GET on the same connection is answered too");

    lab_say(lab, "SIGTERM asks the server to stop: it stops accepting, closes the idle "
                 "connection and returns.");
    CHECK(kill(server, SIGTERM));
    int status = 0;
    sl_lab_wait_child(lab, server, 5000, &status);
    lab_show(lab, "the server %s", sl_wait_status_describe(status, status_text, sizeof status_text));
    lab_expect(lab, WIFEXITED(status) && WEXITSTATUS(status) == 0,
               "the server stops gracefully on SIGTERM: exit status 0");
    lab_expect(lab, sl_wait_fd(client, POLLIN, 1000) && recv(client, response, 1, 0) == 0,
               "the client reads end-of-file: the server closed the idle connection");
    CHECK(close(client));

    return sl_lab_end(lab);
}
