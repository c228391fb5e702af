/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * Per-node timer queue: intrusive one-shot timers ordered by deadline, with no allocation and
 * no global state.
 *
 * The core is sans-IO, so timers never fire by themselves: the host asks
 * meshrpr_timer_queue_next_deadline() when to wake up and then calls
 * meshrpr_timer_queue_process() with the current time. Timers with equal deadlines fire in
 * the order they were (last) armed, which keeps simulations deterministic.
 *
 * A timer is embedded in the user's own struct; its handler gets the timer back and reaches
 * the containing struct with MESHRPR_CONTAINER_OF() from <meshrpr/util.h>:
 *
 * @code
 * struct link { struct meshrpr_timer retransmit; int attempts; };
 *
 * static void retransmit_expired(struct meshrpr_timer *timer)
 * {
 *     struct link *link = MESHRPR_CONTAINER_OF(timer, struct link, retransmit);
 *     link->attempts++;
 * }
 * @endcode
 *
 * A timer belongs to at most one queue at a time: it must be cancelled or have fired before it
 * is armed on a different queue. The queue is not thread-safe; like the rest of the core it is
 * driven from one thread.
 */
#ifndef MESHRPR_TIMER_H
#define MESHRPR_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct meshrpr_timer;

/** Called when a timer expires. The timer is already disarmed, so the handler may re-arm it. */
typedef void (*meshrpr_timer_handler_t)(struct meshrpr_timer *timer);

/** One one-shot timer. Treat the fields as private; use the functions below. */
struct meshrpr_timer {
    /** Next timer in the queue, in (deadline, seq) order. */
    struct meshrpr_timer *next;
    /** Absolute expiry time on the platform's monotonic clock. */
    uint64_t deadline_ms;
    /** Arming order: breaks ties between equal deadlines. */
    uint64_t seq;
    /** Called on expiry; may be NULL for a timer that is only polled with is_armed. */
    meshrpr_timer_handler_t handler;
    /** True while the timer is in a queue. */
    bool armed;
};

/** The armed timers of one node. */
struct meshrpr_timer_queue {
    /** Earliest timer, or NULL when none is armed. */
    struct meshrpr_timer *head;
    /** Sequence number for the next timer armed. */
    uint64_t next_seq;
};

/** Make @p queue empty. Any timers it held are forgotten (and must not be used with it). */
void meshrpr_timer_queue_init(struct meshrpr_timer_queue *queue);

/** Make @p timer a disarmed timer calling @p handler. Must not be called on an armed timer. */
void meshrpr_timer_init(struct meshrpr_timer *timer, meshrpr_timer_handler_t handler);

/**
 * Arm @p timer to expire at @p deadline_ms (absolute, may already be past). Re-arming an
 * armed timer moves it: it takes the new deadline and a new place among equal deadlines, as if
 * cancelled and armed afresh. A timer armed during meshrpr_timer_queue_process() does not fire
 * in that call, whatever its deadline. Has no effect if the timer is armed on another queue.
 */
void meshrpr_timer_start_at(struct meshrpr_timer_queue *queue, struct meshrpr_timer *timer,
                            uint64_t deadline_ms);

/** Disarm @p timer. No effect if it is not armed (or is armed on another queue). */
void meshrpr_timer_cancel(struct meshrpr_timer_queue *queue, struct meshrpr_timer *timer);

/** @return true if @p timer is armed, that is, waiting in a queue to fire. */
bool meshrpr_timer_is_armed(const struct meshrpr_timer *timer);

/** @return The earliest deadline in @p queue, or UINT64_MAX when no timer is armed. */
uint64_t meshrpr_timer_queue_next_deadline(const struct meshrpr_timer_queue *queue);

/** @return The number of armed timers in @p queue. */
size_t meshrpr_timer_queue_count(const struct meshrpr_timer_queue *queue);

/**
 * Fire every timer whose deadline is at or before @p now_ms, in (deadline, arming order)
 * order. Each timer is disarmed before its handler runs. Handlers may cancel or arm any timer,
 * including their own; a timer they cancel does not fire, and a timer armed or re-armed during
 * this call waits for the next call even if already due, so a handler that keeps re-arming
 * itself cannot make this call loop forever.
 * @return The number of timers fired.
 */
size_t meshrpr_timer_queue_process(struct meshrpr_timer_queue *queue, uint64_t now_ms);

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_TIMER_H */
