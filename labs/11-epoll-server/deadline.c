/* labs/11-epoll-server/deadline.c — lists of deadlines (see deadline.h). */
#include "deadline.h"

void deadline_remove(struct deadline_entry *e)
{
    struct deadline_list *l = e->list;
    if (!l)
        return;
    *(e->prev ? &e->prev->next : &l->head) = e->next;
    *(e->next ? &e->next->prev : &l->tail) = e->prev;
    e->prev = e->next = NULL;
    e->list = NULL;
}

/* At the tail, the list stays ordered: now never goes back and the timeout
 * is the same for every entry. */
void deadline_append(struct deadline_list *l, struct deadline_entry *e, long long now_ms)
{
    deadline_remove(e);
    e->list = l;
    e->deadline_ms = now_ms + l->timeout_ms;
    e->prev = l->tail;
    *(l->tail ? &l->tail->next : &l->head) = e;
    l->tail = e;
}

struct deadline_entry *deadline_due(const struct deadline_list *l, long long now_ms)
{
    return l->head && l->head->deadline_ms <= now_ms ? l->head : NULL;
}

long long deadline_earliest(const struct deadline_list *l, long long until)
{
    return l->head && l->head->deadline_ms < until ? l->head->deadline_ms : until;
}
