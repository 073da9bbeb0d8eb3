/* record.h — frames as JSON lines, to replay a show later (on a machine
 * without root, or in a test, the same every time).
 *
 *   {"type":"frame","at":1500.0,"sockets":2,"traced":0,"polled":1}
 *   {"type":"socket","state":1,"local":"127.0.0.1:8080","peer":"127.0.0.1:40000",...}
 *   {"type":"change","traced":false,"kind":"changed","from":1,"to":8,"local":...,"peer":...}
 *
 * "at" is milliseconds since the recording started; states are the kernel's
 * numbers (the names beside them are for people reading the file). */
#ifndef SOCKDASH_RECORD_H
#define SOCKDASH_RECORD_H

#include <stdio.h>

#include "socklab/owner.h"
#include "socklab/watch.h"

void dash_record_frame(FILE *out, double at, const struct sl_snapshot *snap,
                       const struct sl_owner *owners, const struct sl_changes *traced,
                       const struct sl_changes *polled);

/* A recording, read whole and checked when opened. */
struct dash_frame {
    double at;
    struct sl_snapshot snap;
    struct sl_owner *owners;                /* one per socket */
    struct sl_changes traced, polled;
};

struct dash_recording {
    struct dash_frame *frames;
    size_t count;
};

/* Read and check a recording; false with "line N: what is wrong" in why. */
bool dash_recording_load(const char *path, struct dash_recording *rec, char *why, size_t len);
void dash_recording_free(struct dash_recording *rec);

#endif
