/* fixture.h — read a file of tests/fixtures into an exactly sized buffer, so
 * that AddressSanitizer catches any read past its end. */
#ifndef SOCKLAB_TEST_FIXTURE_H
#define SOCKLAB_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

static inline char *fixture(const char *name, size_t *len)
{
    char path[256];
    *len = 0;
    const char *dir = getenv("SOCKLAB_FIXTURES");
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/fixtures", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fixture %s is missing (run the tests from the repository's root)\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)size + 1);      /* +1: a NUL for text fixtures */
    if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        buf[size] = '\0';
    *len = (size_t)size;
    return buf;
}

#endif
