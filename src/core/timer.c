/* SPDX-License-Identifier: Apache-2.0 */
/* The timer queue of include/meshrpr/timer.h: a singly linked list kept sorted by
 * (deadline, seq). A node has a handful of timers (link timeouts, retransmissions, scan
 * timers), so linear insertion costs less than any heap and keeps equal deadlines trivially
 * in arming order. */
#include <meshrpr/timer.h>

/* True when (deadline, seq) of a sorts before that of b. */
static bool timer_before(const struct meshrpr_timer *a, const struct meshrpr_timer *b)
{
    if (a->deadline_ms != b->deadline_ms) {
        return a->deadline_ms < b->deadline_ms;
    }
    return a->seq < b->seq;
}

/* Remove timer from the list. Returns false, changing nothing, if it is not in this queue. */
static bool timer_unlink(struct meshrpr_timer_queue *queue, struct meshrpr_timer *timer)
{
    for (struct meshrpr_timer **link = &queue->head; *link != NULL; link = &(*link)->next) {
        if (*link == timer) {
            *link = timer->next;
            timer->next = NULL;
            timer->armed = false;
            return true;
        }
    }
    return false;
}

void meshrpr_timer_queue_init(struct meshrpr_timer_queue *queue)
{
    queue->head = NULL;
    queue->next_seq = 0;
}

void meshrpr_timer_init(struct meshrpr_timer *timer, meshrpr_timer_handler_t handler)
{
    timer->next = NULL;
    timer->deadline_ms = 0;
    timer->seq = 0;
    timer->handler = handler;
    timer->armed = false;
}

void meshrpr_timer_start_at(struct meshrpr_timer_queue *queue, struct meshrpr_timer *timer,
                            uint64_t deadline_ms)
{
    /* Linking a timer that sits in another queue would splice the two lists together. */
    if (timer->armed && !timer_unlink(queue, timer)) {
        return;
    }
    timer->deadline_ms = deadline_ms;
    timer->seq = queue->next_seq++;
    timer->armed = true;

    struct meshrpr_timer **link = &queue->head;
    while (*link != NULL && timer_before(*link, timer)) {
        link = &(*link)->next;
    }
    timer->next = *link;
    *link = timer;
}

void meshrpr_timer_cancel(struct meshrpr_timer_queue *queue, struct meshrpr_timer *timer)
{
    if (timer->armed) {
        (void)timer_unlink(queue, timer);
    }
}

bool meshrpr_timer_is_armed(const struct meshrpr_timer *timer)
{
    return timer->armed;
}

uint64_t meshrpr_timer_queue_next_deadline(const struct meshrpr_timer_queue *queue)
{
    return queue->head != NULL ? queue->head->deadline_ms : UINT64_MAX;
}

size_t meshrpr_timer_queue_count(const struct meshrpr_timer_queue *queue)
{
    size_t count = 0;
    for (const struct meshrpr_timer *t = queue->head; t != NULL; t = t->next) {
        count++;
    }
    return count;
}

size_t meshrpr_timer_queue_process(struct meshrpr_timer_queue *queue, uint64_t now_ms)
{
    /* Timers armed from here on get seq >= first_new and wait for the next call. */
    const uint64_t first_new = queue->next_seq;
    size_t fired = 0;

    for (;;) {
        /* Rescan from the head after every handler: it may have changed the list anywhere.
         * The first old timer that is due is the next to fire, since the list is sorted. */
        struct meshrpr_timer *due = NULL;
        for (struct meshrpr_timer *t = queue->head; t != NULL && t->deadline_ms <= now_ms;
             t = t->next) {
            if (t->seq < first_new) {
                due = t;
                break;
            }
        }
        if (due == NULL) {
            return fired;
        }
        (void)timer_unlink(queue, due);
        fired++;
        if (due->handler != NULL) {
            due->handler(due);
        }
    }
}
