/* fuzz_request.c — libFuzzer over lab 11's request path: bytes in, responses
 * out, exactly as one connection of the server handles them, without sockets
 * (http_answer_bytes in server.c).
 *
 * The first byte chooses up to three places where the rest is cut, as reads
 * from a socket would cut it. Besides what ASan and UBSan catch, it checks:
 *   - the answer does not depend on the cuts (the same bytes in one piece
 *     give the same responses): the parser's state carries across reads;
 *   - every answer starts with a status line, and there is one only when
 *     something was answered.
 *
 *   make fuzz                          a long run (FUZZ_SECONDS, default 300)
 *   build/fuzz/fuzz_request CORPUS...  libFuzzer's own options apply */
#include "server.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[] = "/tmp/socklab-fuzz-root.XXXXXX";
static char file[sizeof root + 16];

static void remove_root(void)
{
    unlink(file);
    rmdir(root);
}

/* A root with one file, so that paths reach open_beneath() too. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (!mkdtemp(root))
        abort();
    snprintf(file, sizeof file, "%s/a.txt", root);
    FILE *f = fopen(file, "w");
    if (!f)
        abort();
    fputs("a file under the root\n", f);
    fclose(f);
    atexit(remove_root);
    return 0;
}

/* The Date header's value is the clock's: blank it before comparing. */
static void blank_dates(char *text, size_t len)
{
    if (!text)
        return;
    for (char *at = text; (at = memmem(at, len - (size_t)(at - text), "\r\nDate: ", 8));) {
        at += 8;
        for (; at < text + len && *at != '\r'; at++)
            *at = '#';
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *bytes = (const char *)data + 1;
    size_t len = size - 1, cuts[3], ncuts = 0;
    for (int i = 0; i < 3 && len > 1 && (data[0] >> (2 * i)) & 3; i++)
        cuts[ncuts++] = 1 + (size_t)((data[0] * 37u + (unsigned)i * 101u) % (len - 1));
    for (size_t i = 1; i < ncuts; i++)      /* ascending */
        for (size_t j = i; j > 0 && cuts[j] < cuts[j - 1]; j--) {
            size_t t = cuts[j];
            cuts[j] = cuts[j - 1], cuts[j - 1] = t;
        }

    struct http_server_config cfg = { .root = root, .header_limit = 1024 };
    char *whole, *pieces;
    size_t whole_len, pieces_len;
    int whole_count, pieces_count;
    bool whole_closes, pieces_closes;
    http_answer_bytes(&cfg, bytes, len, NULL, 0, &whole, &whole_len, &whole_count, &whole_closes);
    http_answer_bytes(&cfg, bytes, len, cuts, ncuts, &pieces, &pieces_len, &pieces_count,
                      &pieces_closes);

    if ((whole_count > 0) != (whole_len > 0) ||
        (whole_len && memcmp(whole, "HTTP/1.1 ", whole_len < 9 ? whole_len : 9)))
        abort();                            /* an answer without a status line */
    blank_dates(whole, whole_len);
    blank_dates(pieces, pieces_len);
    if (whole_count != pieces_count || whole_closes != pieces_closes ||
        whole_len != pieces_len || (whole_len && memcmp(whole, pieces, whole_len)))
        abort();                            /* the cuts changed the answer */
    free(whole);
    free(pieces);
    return 0;
}
