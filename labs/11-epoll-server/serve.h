/* labs/11-epoll-server/serve.h — the --serve front of lab 11's binary. */
#ifndef LAB11_SERVE_H
#define LAB11_SERVE_H

/* `lab11-epoll-server --serve [options]` (argv[1] is "--serve"): parse the
 * options, run the correct server until SIGINT/SIGTERM; returns the exit
 * status. Bad options: one sentence on stderr, exit 2. */
int serve_main(int argc, char **argv);

#endif
