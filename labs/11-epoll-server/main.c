/* labs/11-epoll-server/main.c — lab 11's one binary, two faces:
 *
 *     lab11-epoll-server [lab options]     the lesson (lesson.c)
 *     lab11-epoll-server --serve [options] the correct server alone (serve.c)
 *
 * The server itself is server.c; read it top to bottom. */
#include "lesson.h"
#include "serve.h"

#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--serve"))
        return serve_main(argc, argv);
    return lab11_lesson(argc, argv);
}
