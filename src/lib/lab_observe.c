/* lab_observe.c — what the kernel says about the lab's own sockets: a snapshot
 * of the watched ports, shown, kept, and searched (see lab.h). */
#include "lab_internal.h"

#include "socklab/clock.h"

#include <errno.h>
#include <string.h>

/* Quietly refresh lab->observed; false when no source could be read. */
static bool take(struct sl_lab *lab)
{
    struct sl_filter filter;
    sl_filter_init(&filter);
    for (int i = 0; i < lab->port_count; i++)
        sl_filter_add_range(&filter, lab->ports[i], lab->ports[i]);
    if (lab->port_count == 0)
        sl_filter_add_range(&filter, 0, 0);    /* nothing watched: show nothing */
    return sl_snapshot_take(&lab->observed, &filter, SL_SOURCE_AUTO) == 0;
}

void sl_lab_observe(struct sl_lab *lab)
{
    int saved = errno;
    sl_lab_flush_source(lab);
    if (take(lab))
        lab->out->observe(lab, &lab->observed);
    errno = saved;
}

const struct sl_socket *sl_lab_socket(const struct sl_lab *lab, const struct sl_tuple *tuple)
{
    return sl_snapshot_find(&lab->observed, tuple);
}

int sl_lab_state(const struct sl_lab *lab, const struct sl_tuple *tuple)
{
    const struct sl_socket *s = sl_lab_socket(lab, tuple);
    return s ? s->state : 0;
}

bool sl_lab_wait_state(struct sl_lab *lab, const struct sl_tuple *tuple, int state,
                       int timeout_ms)
{
    int saved = errno;
    sl_lab_flush_source(lab);
    double deadline = sl_clock_ms() + timeout_ms;
    bool there = false;
    while (take(lab)) {
        there = sl_lab_state(lab, tuple) == state;
        if (there || sl_clock_ms() >= deadline)
            break;
        sl_sleep_ms(2);
    }
    lab->out->observe(lab, &lab->observed);
    errno = saved;
    return there;
}
