/* labs/11-epoll-server/notes-server.c — THE ORIGINAL NOTES' SERVER, KEPT ON
 * PURPOSE. DO NOT COPY IT.
 *
 * This is the epoll loop of the original notes, transcribed into C line by
 * line, bugs included, so that lab 11 can run it beside the correct server
 * (server.c) and the class can watch each bug happen. Every bug carries a
 * comment "BUG (step ...)" naming the lab step that measures it.
 *
 * Kept as the notes wrote it: epoll_create(256); EPOLLIN|EPOLLET on the
 * listener and on every client; epoll_wait(epfd, events, sizeof(events), 500)
 * with a 20-slot array; listen(sock, 10); an accept loop that stops at any
 * error; a read loop inside while(true) whose EAGAIN branch is empty; strcat()
 * into a fixed 10240-byte buffer; the switch to blocking mode before sending;
 * close() right after the request is read.
 *
 * Added, marked "ADDED": what C needs to compile (declarations the notes leave
 * out), the reply the notes leave implied (fixed bytes, sent with a blocking
 * send() before the close), and the point where a request counts as read (its
 * blank line: the notes never say, and as printed their loop would spin even
 * after a complete request), and the lab's counters ("lab:"). A failed
 * socket(), bind() or listen() is the lab's set-up error (the notes ignore
 * bind()'s result). Left out: the two std::cout lines that print progress.
 *
 * Changed, marked "SAFE": where running the notes' code would corrupt memory
 * or leave loopback, the lab shows the bug without committing it — bind() gets
 * the lab's loopback address instead of htonl(0); the 20-slot array starts a
 * region as long as sizeof(events) slots, so what the kernel writes past slot
 * 20 lands in memory the program owns and is counted; strcat() is preceded by
 * the check it lacks, which stops the server where it would overflow. */
#include "notes-server.h"

#include "socklab/check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* ADDED: the notes' SetBlock(isblock), as their fcntl() lines do it. */
static bool set_block(int sock, bool isblock)
{
    int flags = fcntl(sock, F_GETFL, 0);
    if (flags < 0)
        return false;
    if (isblock)
        flags = flags & ~O_NONBLOCK;
    else
        flags = flags | O_NONBLOCK;
    return fcntl(sock, F_SETFL, flags) == 0;
}

int notes_server_listen(const char *ip, uint16_t port)
{
    int sock = CHECK(socket(AF_INET, SOCK_STREAM, 0));
    int on = 1;                                  /* ADDED: lab restarts reuse ports */
    CHECK(setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on));
    struct sockaddr_in tmp = { 0 };
    tmp.sin_family = AF_INET;
    tmp.sin_port = htons(port);
    CHECK_TRUE(inet_pton(AF_INET, ip, &tmp.sin_addr) == 1); /* SAFE: the notes bind htonl(0) */
    CHECK(bind(sock, (struct sockaddr *)&tmp, sizeof(tmp)));
    /* BUG (step "A burst of 200 connections"): a backlog of 10 is not "10
     * connections at most"; it bounds the accept queue, and SYNs beyond it wait
     * for a retransmission. */
    CHECK(listen(sock, 10));
    CHECK(set_block(sock, false) ? 0 : -1);
    return sock;
}

void notes_server_loop(int sock, const struct notes_reply *reply, struct notes_report *report)
{
    signal(SIGPIPE, SIG_IGN);                    /* the notes' first line */

    int epfd = epoll_create(256);                /* the size is ignored (lab 04) */
    struct epoll_event ev;
    ev.data.fd = sock;
    ev.events = EPOLLIN | EPOLLET;
    epoll_ctl(epfd, EPOLL_CTL_ADD, sock, &ev);

    /* SAFE: the notes declare `epoll_event events[20]` and pass sizeof(events)
     * as maxevents: 240 on x86-64, where the struct is packed into 12 bytes.
     * Here the 20 slots start a region of sizeof(events) slots, as lab 04 does,
     * so the events the kernel writes past slot 20 land inside it. */
    struct epoll_event region[sizeof(struct epoll_event[NOTES_EVENTS])];
    struct epoll_event *events = region;        /* "epoll_event events[20];" */

    while (true) {
        /* BUG (step "sizeof(events) as maxevents, under load"): the third
         * argument counts events, and sizeof(events) is bytes. */
        int num = epoll_wait(epfd, events, sizeof(struct epoll_event[NOTES_EVENTS]), 500);
        if (num > atomic_load(&report->most_events))  /* lab: past 20 = past the array */
            atomic_store(&report->most_events, num);

        /* BUG (step "Idle connections and a slowloris client"): a wait that
         * times out leads nowhere; no connection ever expires. */
        if (num <= 0)
            continue;

        for (int i = 0; i < num; i++) {
            if (events[i].data.fd == sock) {
                while (true) {
                    struct sockaddr_in tmpSock;
                    socklen_t len = sizeof(tmpSock);
                    int childSock = accept(sock, (struct sockaddr *)&tmpSock, &len);
                    /* BUG (step "EMFILE: out of descriptors"): any error ends the
                     * loop. On EMFILE the edge is spent and the waiting
                     * connections stay queued until another one arrives. */
                    if (childSock < 0) {
                        if (errno != EAGAIN)             /* lab */
                            atomic_store(&report->accept_error, errno);
                        break;
                    }
                    ev.data.fd = childSock;
                    ev.events = EPOLLIN | EPOLLET;
                    epoll_ctl(epfd, EPOLL_CTL_ADD, childSock, &ev);
                }
            } else {
                char bufres[10240] = { 0 };
                int tmpSocket = events[i].data.fd;
                bool canSendData = false;        /* ADDED: the notes use it undeclared */
                set_block(tmpSocket, false);

                while (true) {
                    char buf[1024] = { 0 };
                    long recvSize = recv(tmpSocket, buf, sizeof(buf) - 1, 0);
                    if (recvSize == -1) {
                        if (errno == EINTR || errno == EWOULDBLOCK || errno == EAGAIN) {
                            /* BUG (step "Half a request: spinning vs sleeping"):
                             * the notes' comment here says "send, leave the
                             * loop"; the body is empty, so recv() is called
                             * again at once, for as long as the client waits. */
                            atomic_fetch_add(&report->recv_eagain, 1);   /* lab */
                        } else {
                            epoll_ctl(epfd, EPOLL_CTL_DEL, tmpSocket, &ev);
                            close(tmpSocket);
                            canSendData = false;
                            break;
                        }
                    } else if (recvSize == 0) {
                        epoll_ctl(epfd, EPOLL_CTL_DEL, tmpSocket, &ev);
                        close(tmpSocket);
                        canSendData = false;
                        break;
                    } else {
                        /* SAFE: the check the notes lack, so the lab can show
                         * where their strcat() would write past bufres. */
                        size_t needed = strlen(bufres) + strlen(buf) + 1;
                        if (needed > sizeof(bufres)) {
                            atomic_store(&report->overflow_needed, (long)needed);
                            _exit(NOTES_EXIT_OVERFLOW);
                        }
                        /* BUG (step "An oversized request"): a request longer
                         * than the buffer has nowhere to go. */
                        strcat(bufres, buf);
                        canSendData = true;
                        if (strstr(bufres, "\r\n\r\n"))    /* ADDED: request read */
                            break;
                    }
                }

                /* BUG (step "A slow reader of a large response"): a blocking
                 * send() waits for this one client, and the whole server with it. */
                set_block(tmpSocket, true);
                if (canSendData) {                          /* ADDED: the reply */
                    send(tmpSocket, reply->bytes, reply->len, 0);
                    atomic_fetch_add(&report->replies, 1);  /* lab */
                }

                /* BUG (steps "Keep-alive: 100 requests on one connection",
                 * "Pipelined requests, and a client that half-closes", "Who gets
                 * TIME-WAIT"): closing after one request ends keep-alive, drops
                 * pipelined requests, and leaves TIME-WAIT on the server. After
                 * the read loop closed the socket, this closes it twice. */
                epoll_ctl(epfd, EPOLL_CTL_DEL, tmpSocket, &ev);
                close(tmpSocket);
            }
        }
    }
}
