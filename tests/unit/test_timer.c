/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the per-node timer queue (include/meshrpr/timer.h): firing order by deadline
 * and arming order, cancel and re-arm, and the rules for handlers that change the queue while
 * it is being processed. Each test's timers live in a fixture that records the firing order;
 * the teardown checks that every test leaves its queue empty. */
#include "test_util.h"

#include <meshrpr/timer.h>
#include <meshrpr/util.h>

#include <stdlib.h>

#define MAX_TIMERS 8
#define MAX_FIRED  64

/* What a test timer's handler does besides recording that it fired. */
enum action {
    ACT_NONE,
    ACT_REARM_SELF, /* arm itself again at arg_deadline, up to rearm_limit times */
    ACT_CANCEL,     /* cancel timers[arg_index] */
    ACT_ARM,        /* arm timers[arg_index] at arg_deadline */
};

struct fixture;

struct test_timer {
    struct meshrpr_timer timer;
    struct fixture *fx;
    int id;
    enum action action;
    size_t arg_index;
    uint64_t arg_deadline;
    unsigned rearm_limit;
    bool armed_in_handler; /* what is_armed said about itself inside the handler */
};

struct fixture {
    struct meshrpr_timer_queue queue;
    struct test_timer timers[MAX_TIMERS];
    int fired[MAX_FIRED];
    size_t fired_count;
};

static void handler(struct meshrpr_timer *timer)
{
    struct test_timer *tt = MESHRPR_CONTAINER_OF(timer, struct test_timer, timer);
    struct fixture *fx = tt->fx;

    assert_true(fx->fired_count < MAX_FIRED);
    fx->fired[fx->fired_count++] = tt->id;
    tt->armed_in_handler = meshrpr_timer_is_armed(timer);

    switch (tt->action) {
    case ACT_NONE:
        break;
    case ACT_REARM_SELF:
        if (tt->rearm_limit > 0) {
            tt->rearm_limit--;
            meshrpr_timer_start_at(&fx->queue, timer, tt->arg_deadline);
        }
        break;
    case ACT_CANCEL:
        meshrpr_timer_cancel(&fx->queue, &fx->timers[tt->arg_index].timer);
        break;
    case ACT_ARM:
        meshrpr_timer_start_at(&fx->queue, &fx->timers[tt->arg_index].timer, tt->arg_deadline);
        break;
    }
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    if (fx == NULL) {
        return -1;
    }
    meshrpr_timer_queue_init(&fx->queue);
    for (size_t i = 0; i < MAX_TIMERS; i++) {
        meshrpr_timer_init(&fx->timers[i].timer, handler);
        fx->timers[i].fx = fx;
        fx->timers[i].id = (int)i;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    /* Every test must leave nothing armed. */
    assert_int_equal(meshrpr_timer_queue_count(&fx->queue), 0);
    assert_null(fx->queue.head);
    assert_true(meshrpr_timer_queue_next_deadline(&fx->queue) == UINT64_MAX);
    for (size_t i = 0; i < MAX_TIMERS; i++) {
        assert_false(meshrpr_timer_is_armed(&fx->timers[i].timer));
    }
    free(fx);
    return 0;
}

static void start(struct fixture *fx, size_t index, uint64_t deadline_ms)
{
    meshrpr_timer_start_at(&fx->queue, &fx->timers[index].timer, deadline_ms);
}

/* Check that exactly the timers in expected (count n) fired so far, in that order. */
static void assert_fired(const struct fixture *fx, const int *expected, size_t n)
{
    assert_int_equal(fx->fired_count, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(fx->fired[i], expected[i]);
    }
}

#define ASSERT_FIRED(fx, ...)                                                                      \
    do {                                                                                           \
        const int expected_[] = { __VA_ARGS__ };                                                   \
        assert_fired((fx), expected_, MESHRPR_ARRAY_SIZE(expected_));                              \
    } while (0)

static void test_empty_queue(void **state)
{
    struct fixture *fx = *state;

    assert_true(meshrpr_timer_queue_next_deadline(&fx->queue) == UINT64_MAX);
    assert_int_equal(meshrpr_timer_queue_count(&fx->queue), 0);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, UINT64_MAX), 0);
    assert_int_equal(fx->fired_count, 0);
}

static void test_equal_deadlines_fire_in_arming_order(void **state)
{
    struct fixture *fx = *state;

    start(fx, 3, 100);
    start(fx, 1, 100);
    start(fx, 2, 100);
    start(fx, 0, 100);
    assert_int_equal(meshrpr_timer_queue_count(&fx->queue), 4);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 100), 4);
    ASSERT_FIRED(fx, 3, 1, 2, 0);
}

static void test_earlier_deadline_first(void **state)
{
    struct fixture *fx = *state;

    start(fx, 0, 300);
    start(fx, 1, 100);
    start(fx, 2, 200);
    start(fx, 3, 100);
    assert_int_equal(meshrpr_timer_queue_next_deadline(&fx->queue), 100);

    /* Only what is due fires; the rest waits for a later call. */
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 99), 0);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 150), 2);
    ASSERT_FIRED(fx, 1, 3);
    assert_int_equal(meshrpr_timer_queue_next_deadline(&fx->queue), 200);
    assert_int_equal(meshrpr_timer_queue_count(&fx->queue), 2);
    assert_true(meshrpr_timer_is_armed(&fx->timers[0].timer));
    assert_false(meshrpr_timer_is_armed(&fx->timers[1].timer));

    /* A late call fires everything overdue, still in order. */
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 1000), 2);
    ASSERT_FIRED(fx, 1, 3, 2, 0);
}

static void test_cancel(void **state)
{
    struct fixture *fx = *state;

    start(fx, 0, 10);
    start(fx, 1, 20);
    start(fx, 2, 30);
    meshrpr_timer_cancel(&fx->queue, &fx->timers[0].timer);
    assert_false(meshrpr_timer_is_armed(&fx->timers[0].timer));
    assert_int_equal(meshrpr_timer_queue_next_deadline(&fx->queue), 20);
    meshrpr_timer_cancel(&fx->queue, &fx->timers[2].timer);
    assert_int_equal(meshrpr_timer_queue_count(&fx->queue), 1);

    /* Cancelling a disarmed or never-armed timer is a no-op. */
    meshrpr_timer_cancel(&fx->queue, &fx->timers[2].timer);
    meshrpr_timer_cancel(&fx->queue, &fx->timers[5].timer);
    assert_int_equal(meshrpr_timer_queue_count(&fx->queue), 1);

    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 100), 1);
    ASSERT_FIRED(fx, 1);
}

static void test_rearm_moves_timer(void **state)
{
    struct fixture *fx = *state;

    start(fx, 0, 100);
    start(fx, 1, 100);
    start(fx, 2, 100);

    /* Same deadline: re-arming takes a new place behind the others. */
    start(fx, 0, 100);
    assert_int_equal(meshrpr_timer_queue_count(&fx->queue), 3);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 100), 3);
    ASSERT_FIRED(fx, 1, 2, 0);

    /* Earlier and later deadlines move it to the front and out of reach. */
    start(fx, 0, 200);
    start(fx, 1, 200);
    start(fx, 1, 150);
    assert_int_equal(meshrpr_timer_queue_next_deadline(&fx->queue), 150);
    start(fx, 0, 500);
    assert_int_equal(meshrpr_timer_queue_count(&fx->queue), 2);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 200), 1);
    ASSERT_FIRED(fx, 1, 2, 0, 1);
    assert_int_equal(meshrpr_timer_queue_next_deadline(&fx->queue), 500);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 500), 1);
    ASSERT_FIRED(fx, 1, 2, 0, 1, 0);
}

static void test_disarmed_before_handler(void **state)
{
    struct fixture *fx = *state;

    start(fx, 4, 5);
    fx->timers[4].armed_in_handler = true;
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 5), 1);
    assert_false(fx->timers[4].armed_in_handler);
    assert_false(meshrpr_timer_is_armed(&fx->timers[4].timer));
}

static void test_handler_rearming_itself_waits_for_next_call(void **state)
{
    struct fixture *fx = *state;
    struct test_timer *tt = &fx->timers[0];

    /* A handler re-arming itself at or before now would loop forever if it fired again. */
    tt->action = ACT_REARM_SELF;
    tt->arg_deadline = 50;
    tt->rearm_limit = 2;
    start(fx, 0, 100);
    start(fx, 1, 100);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 100), 2);
    ASSERT_FIRED(fx, 0, 1);
    assert_true(meshrpr_timer_is_armed(&tt->timer));
    assert_int_equal(meshrpr_timer_queue_next_deadline(&fx->queue), 50);

    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 100), 1);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 100), 1);
    ASSERT_FIRED(fx, 0, 1, 0, 0);
    assert_false(meshrpr_timer_is_armed(&tt->timer));
}

static void test_handler_rearming_itself_later(void **state)
{
    struct fixture *fx = *state;
    struct test_timer *tt = &fx->timers[0];

    /* Periodic use: the re-armed timer keeps its new place relative to others. */
    tt->action = ACT_REARM_SELF;
    tt->arg_deadline = 200;
    tt->rearm_limit = 1;
    start(fx, 0, 100);
    start(fx, 1, 200);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 100), 1);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 200), 2);
    ASSERT_FIRED(fx, 0, 1, 0);
}

static void test_handler_cancels_due_timer(void **state)
{
    struct fixture *fx = *state;

    fx->timers[0].action = ACT_CANCEL;
    fx->timers[0].arg_index = 1;
    start(fx, 0, 100);
    start(fx, 1, 100);
    start(fx, 2, 90);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 100), 2);
    ASSERT_FIRED(fx, 2, 0);
    assert_false(meshrpr_timer_is_armed(&fx->timers[1].timer));
}

static void test_handler_arms_due_timer(void **state)
{
    struct fixture *fx = *state;

    /* A timer armed by a handler with a past deadline fires on the next call, not this one. */
    fx->timers[0].action = ACT_ARM;
    fx->timers[0].arg_index = 3;
    fx->timers[0].arg_deadline = 10;
    start(fx, 0, 100);
    start(fx, 1, 100);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 100), 2);
    ASSERT_FIRED(fx, 0, 1);
    assert_true(meshrpr_timer_is_armed(&fx->timers[3].timer));
    assert_int_equal(meshrpr_timer_queue_next_deadline(&fx->queue), 10);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 100), 1);
    ASSERT_FIRED(fx, 0, 1, 3);
}

static void test_handler_rearms_other_due_timer(void **state)
{
    struct fixture *fx = *state;

    /* Timer 2 was due, but re-arming moves it into this call's "new" set. */
    fx->timers[0].action = ACT_ARM;
    fx->timers[0].arg_index = 2;
    fx->timers[0].arg_deadline = 100;
    start(fx, 0, 50);
    start(fx, 2, 60);
    start(fx, 1, 100);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 100), 2);
    ASSERT_FIRED(fx, 0, 1);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 100), 1);
    ASSERT_FIRED(fx, 0, 1, 2);
}

static void test_null_handler(void **state)
{
    struct fixture *fx = *state;
    struct meshrpr_timer silent;

    meshrpr_timer_init(&silent, NULL);
    meshrpr_timer_start_at(&fx->queue, &silent, 7);
    assert_true(meshrpr_timer_is_armed(&silent));
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 7), 1);
    assert_false(meshrpr_timer_is_armed(&silent));
}

static void test_extreme_deadlines(void **state)
{
    struct fixture *fx = *state;

    start(fx, 0, UINT64_MAX);
    start(fx, 1, 0);
    assert_int_equal(meshrpr_timer_queue_next_deadline(&fx->queue), 0);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 0), 1);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, UINT64_MAX - 1), 0);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, UINT64_MAX), 1);
    ASSERT_FIRED(fx, 1, 0);
}

static void test_other_queue_is_left_alone(void **state)
{
    struct fixture *fx = *state;
    struct meshrpr_timer_queue other;

    /* A timer armed on one queue is neither moved nor cancelled through another. */
    meshrpr_timer_queue_init(&other);
    start(fx, 0, 10);
    meshrpr_timer_start_at(&other, &fx->timers[0].timer, 5);
    meshrpr_timer_cancel(&other, &fx->timers[0].timer);
    assert_int_equal(meshrpr_timer_queue_count(&other), 0);
    assert_int_equal(meshrpr_timer_queue_count(&fx->queue), 1);
    assert_true(meshrpr_timer_is_armed(&fx->timers[0].timer));
    assert_int_equal(meshrpr_timer_queue_next_deadline(&fx->queue), 10);
    assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 10), 1);
}

static void test_many_timers_fire_sorted(void **state)
{
    struct fixture *fx = *state;
    uint64_t deadline[MAX_TIMERS];
    uint32_t lcg = 12345;

    /* Deadlines from a small range so that many are equal. */
    for (size_t round = 0; round < 50; round++) {
        fx->fired_count = 0;
        for (size_t i = 0; i < MAX_TIMERS; i++) {
            lcg = lcg * 1103515245u + 12345u;
            deadline[i] = (lcg >> 16) % 4;
            start(fx, i, deadline[i]);
        }
        assert_int_equal(meshrpr_timer_queue_count(&fx->queue), MAX_TIMERS);
        assert_int_equal(meshrpr_timer_queue_process(&fx->queue, 3), MAX_TIMERS);
        /* Armed in index order, so ties must come out in index order. */
        for (size_t k = 1; k < MAX_TIMERS; k++) {
            int a = fx->fired[k - 1];
            int b = fx->fired[k];
            assert_true(deadline[a] < deadline[b] || (deadline[a] == deadline[b] && a < b));
        }
    }
}

int main(void)
{
#define TIMER_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        TIMER_TEST(test_empty_queue),
        TIMER_TEST(test_equal_deadlines_fire_in_arming_order),
        TIMER_TEST(test_earlier_deadline_first),
        TIMER_TEST(test_cancel),
        TIMER_TEST(test_rearm_moves_timer),
        TIMER_TEST(test_disarmed_before_handler),
        TIMER_TEST(test_handler_rearming_itself_waits_for_next_call),
        TIMER_TEST(test_handler_rearming_itself_later),
        TIMER_TEST(test_handler_cancels_due_timer),
        TIMER_TEST(test_handler_arms_due_timer),
        TIMER_TEST(test_handler_rearms_other_due_timer),
        TIMER_TEST(test_null_handler),
        TIMER_TEST(test_extreme_deadlines),
        TIMER_TEST(test_other_queue_is_left_alone),
        TIMER_TEST(test_many_timers_fire_sorted),
    };

    return cmocka_run_group_tests_name("timer", tests, NULL, NULL);
}
