/* labs/11-epoll-server/deadline.h — lists of deadlines, for the server's two
 * timeouts (idle, request): not the lesson, the bookkeeping behind it.
 *
 * Every entry of a list gets the same timeout and is appended at the tail
 * with "now + timeout", and now never goes back: so a list is always ordered
 * by deadline, the earliest at the head. Moving an entry to the tail is O(1),
 * and so is finding what is due: no tick scans every connection, no heap. */
#ifndef LAB11_DEADLINE_H
#define LAB11_DEADLINE_H

#include <stddef.h>

struct deadline_list;

/* One entry, embedded in what it times (a connection). */
struct deadline_entry {
    struct deadline_list *list;     /* NULL: in no list */
    struct deadline_entry *prev, *next;
    long long deadline_ms;
};

struct deadline_list {
    struct deadline_entry *head, *tail;
    int timeout_ms;
};

/* Take e out of its list, if it is in one. */
void deadline_remove(struct deadline_entry *e);

/* Move e to the tail of l with the deadline now_ms + l->timeout_ms. */
void deadline_append(struct deadline_list *l, struct deadline_entry *e, long long now_ms);

/* The head of l if its deadline has come by now_ms, else NULL. */
struct deadline_entry *deadline_due(const struct deadline_list *l, long long now_ms);

/* The earlier of `until` and the deadline at l's head. */
long long deadline_earliest(const struct deadline_list *l, long long until);

#endif
