/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the simulator's world and event loop (sim/sim.c): timers of several nodes fire at
 * their virtual times in (time, node id) order, run_until and run_until_done stop where they
 * should and refuse to nest, each node's platform gets its own reproducible random stream,
 * logging is quiet by default and stamped with virtual time and node name, and the node limit
 * is an error, not a crash. Nodes are the dummy nodes of test_sim_dummy.h. */
#include "test_sim_dummy.h"
#include "test_util.h"

#include <meshrpr/util.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NODES      4
#define MAX_FIRED  64
#define MAX_TIMERS 8

struct fixture;

struct test_timer {
    struct meshrpr_timer timer;
    struct fixture *fx;
    int node;
    int tag;
};

struct fired {
    uint64_t now_ms;
    uint64_t now_us;
    int node;
    int tag;
};

struct fixture {
    struct meshrpr_sim sim;
    struct dummy_node nodes[NODES];
    struct test_timer timers[NODES][MAX_TIMERS];
    struct fired fired[MAX_FIRED];
    size_t fired_count;
    int nested_rc; /* what a nested run returned inside a handler */
    bool done;
};

static void record_fired(struct meshrpr_timer *timer)
{
    struct test_timer *tt = MESHRPR_CONTAINER_OF(timer, struct test_timer, timer);
    struct fixture *fx = tt->fx;
    const struct meshrpr_platform *p = fx->nodes[tt->node].platform;

    assert_true(fx->fired_count < MAX_FIRED);
    fx->fired[fx->fired_count++] = (struct fired){
        .now_ms = p->now_ms(p->ctx),
        .now_us = meshrpr_sim_now_us(&fx->sim),
        .node = tt->node,
        .tag = tt->tag,
    };
}

static struct test_timer *arm(struct fixture *fx, int node, int slot, int tag, uint64_t at_ms,
                              meshrpr_timer_handler_t handler)
{
    struct test_timer *tt = &fx->timers[node][slot];
    tt->fx = fx;
    tt->node = node;
    tt->tag = tag;
    meshrpr_timer_init(&tt->timer, handler);
    meshrpr_timer_start_at(&fx->nodes[node].timers, &tt->timer, at_ms);
    return tt;
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    meshrpr_sim_init(&fx->sim, 42);
    static const char *const names[NODES] = { "alpha", "bravo", "charlie", "delta" };
    for (int i = 0; i < NODES; i++) {
        assert_int_equal(dummy_node_add(&fx->sim, &fx->nodes[i], names[i]), i);
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static void test_timers_fire_in_time_then_node_order(void **state)
{
    struct fixture *fx = *state;

    /* Deliberately armed out of order, with ties across nodes and within one node. */
    arm(fx, 2, 0, 20, 300, record_fired);
    arm(fx, 0, 0, 0, 300, record_fired);
    arm(fx, 1, 0, 10, 100, record_fired);
    arm(fx, 3, 0, 30, 5, record_fired);
    arm(fx, 0, 1, 1, 300, record_fired);
    arm(fx, 1, 1, 11, 1000, record_fired);

    assert_int_equal(meshrpr_sim_run_until(&fx->sim, 999), 0);
    assert_int_equal(meshrpr_sim_now_ms(&fx->sim), 999);

    const struct fired expect[] = {
        { 5, 5000, 3, 30 },    { 100, 100000, 1, 10 }, { 300, 300000, 0, 0 },
        { 300, 300000, 0, 1 }, { 300, 300000, 2, 20 },
    };
    assert_int_equal(fx->fired_count, MESHRPR_ARRAY_SIZE(expect));
    for (size_t i = 0; i < MESHRPR_ARRAY_SIZE(expect); i++) {
        assert_int_equal(fx->fired[i].now_ms, expect[i].now_ms);
        assert_int_equal(fx->fired[i].now_us, expect[i].now_us);
        assert_int_equal(fx->fired[i].node, expect[i].node);
        assert_int_equal(fx->fired[i].tag, expect[i].tag);
    }

    /* An event exactly at the deadline runs; the clock then rests on the deadline. */
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, 1000), 0);
    assert_int_equal(fx->fired_count, 6);
    assert_int_equal(fx->fired[5].tag, 11);
    assert_int_equal(meshrpr_sim_now_us(&fx->sim), 1000000);
}

/* Re-arms itself every 7 ms, three times. */
static void periodic(struct meshrpr_timer *timer)
{
    struct test_timer *tt = MESHRPR_CONTAINER_OF(timer, struct test_timer, timer);
    record_fired(timer);
    if (tt->tag < 3) {
        tt->tag++;
        dummy_node_start_in(&tt->fx->nodes[tt->node], timer, 7);
    }
}

static void test_rearming_timer_and_idle_run(void **state)
{
    struct fixture *fx = *state;

    arm(fx, 1, 0, 0, 10, periodic);
    /* With no deadline the world runs until nothing is left, leaving the clock there. */
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, UINT64_MAX), 0);
    assert_int_equal(fx->fired_count, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(fx->fired[i].now_ms, 10 + 7 * i);
    }
    assert_int_equal(meshrpr_sim_now_ms(&fx->sim), 31);

    /* A deadline in the past neither runs anything nor moves the clock back. */
    arm(fx, 0, 0, 0, 40, record_fired);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, 20), 0);
    assert_int_equal(meshrpr_sim_now_ms(&fx->sim), 31);
    assert_int_equal(fx->fired_count, 4);
}

static void test_past_deadline_is_due_now(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(meshrpr_sim_run_until(&fx->sim, 50), 0);
    arm(fx, 2, 0, 7, 10, record_fired); /* already past */
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, 50), 0);
    assert_int_equal(fx->fired_count, 1);
    assert_int_equal(fx->fired[0].now_ms, 50);
}

static bool done_flag(void *arg)
{
    return *(bool *)arg;
}

static void set_done(struct meshrpr_timer *timer)
{
    struct test_timer *tt = MESHRPR_CONTAINER_OF(timer, struct test_timer, timer);
    record_fired(timer);
    tt->fx->done = true;
}

static void test_run_until_done(void **state)
{
    struct fixture *fx = *state;

    /* Already done: returns at once, clock untouched. */
    fx->done = true;
    assert_int_equal(meshrpr_sim_run_until_done(&fx->sim, done_flag, &fx->done, 1000), 0);
    assert_int_equal(meshrpr_sim_now_us(&fx->sim), 0);

    /* Done after the timer at 300 ms: the timer at 400 ms has not run. */
    fx->done = false;
    arm(fx, 0, 0, 1, 300, set_done);
    arm(fx, 1, 0, 2, 400, record_fired);
    const struct meshrpr_platform *p = fx->nodes[3].platform;
    assert_int_equal(p->run_until(p->ctx, done_flag, &fx->done, 1000), 0);
    assert_int_equal(meshrpr_sim_now_ms(&fx->sim), 300);
    assert_int_equal(fx->fired_count, 1);

    /* Never done: -ETIMEDOUT with the clock on the deadline, after running what was due. */
    fx->done = false;
    assert_int_equal(meshrpr_sim_run_until_done(&fx->sim, done_flag, &fx->done, 2500), -ETIMEDOUT);
    assert_int_equal(meshrpr_sim_now_ms(&fx->sim), 2500);
    assert_int_equal(fx->fired_count, 2);

    /* Nothing left and no deadline: -ETIMEDOUT rather than waiting forever. */
    assert_int_equal(meshrpr_sim_run_until_done(&fx->sim, NULL, NULL, UINT64_MAX), -ETIMEDOUT);
    assert_int_equal(meshrpr_sim_now_ms(&fx->sim), 2500);
}

static void nested_run(struct meshrpr_timer *timer)
{
    struct test_timer *tt = MESHRPR_CONTAINER_OF(timer, struct test_timer, timer);
    struct fixture *fx = tt->fx;
    const struct meshrpr_platform *p = fx->nodes[tt->node].platform;

    record_fired(timer);
    fx->nested_rc = p->run_until(p->ctx, done_flag, &fx->done, 10000);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, 10000), -EDEADLK);
}

static void test_run_until_from_callback_is_edeadlk(void **state)
{
    struct fixture *fx = *state;

    fx->nested_rc = 1;
    arm(fx, 2, 0, 0, 10, nested_run);
    arm(fx, 2, 1, 1, 20, record_fired);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, 100), 0);
    assert_int_equal(fx->nested_rc, -EDEADLK);
    /* The nested call changed nothing: the later timer ran in the outer loop, in its turn. */
    assert_int_equal(fx->fired_count, 2);
    assert_int_equal(fx->fired[1].now_ms, 20);

    /* And the world is usable again afterwards. */
    arm(fx, 0, 0, 2, 150, record_fired);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, 200), 0);
    assert_int_equal(fx->fired_count, 3);
}

static uint64_t stuck_deadline_ms(void *node)
{
    (void)node;
    return 0;
}

static void stuck_process(void *node)
{
    (void)node;
}

static void test_stuck_node_gives_eloop(void **state)
{
    struct fixture *fx = *state;
    static const struct meshrpr_sim_node_ops stuck_ops = {
        .next_deadline_ms = stuck_deadline_ms,
        .process = stuck_process,
    };

    assert_true(meshrpr_sim_node_add(&fx->sim, "stuck", &stuck_ops, NULL) >= 0);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, 10), -ELOOP);
    /* The world is not left running. */
    assert_int_equal(meshrpr_sim_run_until_done(&fx->sim, done_flag, &fx->done, 0), -ELOOP);
}

static void test_platform_hooks(void **state)
{
    struct fixture *fx = *state;

    for (int i = 0; i < NODES; i++) {
        const struct meshrpr_platform *p = fx->nodes[i].platform;
        assert_int_equal(meshrpr_platform_check(p), 0);
        assert_non_null(p->log);
        assert_non_null(p->adv_send);
        assert_non_null(p->run_until);
        assert_ptr_equal(meshrpr_sim_node_platform(&fx->sim, i), p);
    }
    assert_int_equal(meshrpr_sim_node_count(&fx->sim), NODES);
    assert_string_equal(meshrpr_sim_node_name(&fx->sim, 0), "alpha");
    assert_string_equal(meshrpr_sim_node_name(&fx->sim, 3), "delta");
    assert_null(meshrpr_sim_node_platform(&fx->sim, NODES));
    assert_null(meshrpr_sim_node_platform(&fx->sim, -1));
    assert_null(meshrpr_sim_node_stats(&fx->sim, NODES));

    const struct meshrpr_platform *p = fx->nodes[1].platform;
    assert_int_equal(p->now_ms(p->ctx), 0);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, 1234), 0);
    assert_int_equal(p->now_ms(p->ctx), 1234);
}

/* 32 random octets from node id of a fresh world seeded with seed. */
static void draw(uint64_t seed, int id, uint8_t out[32])
{
    struct meshrpr_sim *sim = malloc(sizeof(*sim));
    assert_non_null(sim);
    meshrpr_sim_init(sim, seed);
    for (int i = 0; i <= id; i++) {
        assert_int_equal(meshrpr_sim_node_add(sim, NULL, NULL, NULL), i);
    }
    const struct meshrpr_platform *p = meshrpr_sim_node_platform(sim, id);
    assert_int_equal(p->random(p->ctx, out, 32), 0);
    free(sim);
}

static void test_random_per_node_and_seed(void **state)
{
    (void)state;
    uint8_t a[32], b[32], c[32], d[32];

    draw(7, 1, a);
    draw(7, 1, b);
    assert_memory_equal(a, b, sizeof(a)); /* reproducible */
    draw(7, 2, c);
    assert_memory_not_equal(a, c, sizeof(a)); /* per node */
    draw(8, 1, d);
    assert_memory_not_equal(a, d, sizeof(a)); /* per seed */

    /* Drawing from one node does not shift another's stream. */
    struct meshrpr_sim *sim = malloc(sizeof(*sim));
    assert_non_null(sim);
    meshrpr_sim_init(sim, 7);
    assert_int_equal(meshrpr_sim_node_add(sim, NULL, NULL, NULL), 0);
    assert_int_equal(meshrpr_sim_node_add(sim, NULL, NULL, NULL), 1);
    const struct meshrpr_platform *p0 = meshrpr_sim_node_platform(sim, 0);
    const struct meshrpr_platform *p1 = meshrpr_sim_node_platform(sim, 1);
    uint8_t junk[100];
    assert_int_equal(p0->random(p0->ctx, junk, sizeof(junk)), 0);
    assert_int_equal(p1->random(p1->ctx, b, sizeof(b)), 0);
    assert_memory_equal(a, b, sizeof(a));
    free(sim);
}

static void test_rng_helpers(void **state)
{
    (void)state;
    struct meshrpr_sim_rng rng;
    unsigned hist[10] = { 0 };

    meshrpr_sim_rng_seed(&rng, 0);
    assert_int_not_equal(meshrpr_sim_rng_next(&rng), 0);
    assert_int_equal(meshrpr_sim_rng_below(&rng, 0), 0);
    assert_int_equal(meshrpr_sim_rng_below(&rng, 1), 0);
    for (int i = 0; i < 10000; i++) {
        uint64_t v = meshrpr_sim_rng_below(&rng, 10);
        assert_true(v < 10);
        hist[v]++;
        double u = meshrpr_sim_rng_unit(&rng);
        assert_true(u >= 0.0 && u < 1.0);
    }
    for (int i = 0; i < 10; i++) {
        assert_in_range(hist[i], 850, 1150); /* 1000 expected, sigma ~30 */
    }
}

struct log_capture {
    unsigned count;
    uint64_t time_us;
    char name[MESHRPR_SIM_NAME_SIZE];
    enum meshrpr_log_level level;
    char module[16];
    char text[64];
};

static void capture_log(void *arg, uint64_t time_us, const char *node_name,
                        enum meshrpr_log_level level, const char *module, const char *text)
{
    struct log_capture *cap = arg;
    cap->count++;
    cap->time_us = time_us;
    snprintf(cap->name, sizeof(cap->name), "%s", node_name);
    cap->level = level;
    snprintf(cap->module, sizeof(cap->module), "%s", module);
    snprintf(cap->text, sizeof(cap->text), "%s", text);
}

static void test_logging(void **state)
{
    struct fixture *fx = *state;
    struct log_capture cap = { 0 };
    const struct meshrpr_platform *p = fx->nodes[2].platform;

    /* Quiet by default, even with a callback installed at level NONE. */
    p->log(p->ctx, MESHRPR_LOG_LEVEL_ERR, "net", "should not appear");
    meshrpr_sim_set_log(&fx->sim, MESHRPR_LOG_LEVEL_NONE, capture_log, &cap);
    p->log(p->ctx, MESHRPR_LOG_LEVEL_ERR, "net", "should not appear");
    assert_int_equal(cap.count, 0);

    meshrpr_sim_set_log(&fx->sim, MESHRPR_LOG_LEVEL_INF, capture_log, &cap);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, 12), 0);
    p->log(p->ctx, MESHRPR_LOG_LEVEL_DBG, "net", "too detailed");
    assert_int_equal(cap.count, 0);
    p->log(p->ctx, MESHRPR_LOG_LEVEL_WRN, "prov", "link lost");
    assert_int_equal(cap.count, 1);
    assert_int_equal(cap.time_us, 12000);
    assert_string_equal(cap.name, "charlie");
    assert_int_equal(cap.level, MESHRPR_LOG_LEVEL_WRN);
    assert_string_equal(cap.module, "prov");
    assert_string_equal(cap.text, "link lost");

    /* The simulator's own lines (module "sim") come at DBG. */
    meshrpr_sim_set_log(&fx->sim, MESHRPR_LOG_LEVEL_DBG, capture_log, &cap);
    const uint8_t data[] = { 1, 2, 3 };
    assert_int_equal(dummy_node_send(&fx->nodes[0], 0x2a, data, sizeof(data), 1, 0), 0);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, 100), 0);
    assert_true(cap.count > 1);
    assert_string_equal(cap.module, "sim");

    /* The stderr fallback must not crash (its text is not checked). */
    meshrpr_sim_set_log(&fx->sim, MESHRPR_LOG_LEVEL_ERR, NULL, NULL);
    p->log(p->ctx, MESHRPR_LOG_LEVEL_ERR, "test", "stderr fallback line (expected)");
}

static void test_node_limit(void **state)
{
    struct fixture *fx = *state;

    for (int i = NODES; i < MESHRPR_SIM_MAX_NODES; i++) {
        assert_int_equal(meshrpr_sim_node_add(&fx->sim, NULL, NULL, NULL), i);
    }
    assert_int_equal(meshrpr_sim_node_add(&fx->sim, "one too many", NULL, NULL), -ENOMEM);
    assert_int_equal(meshrpr_sim_node_count(&fx->sim), MESHRPR_SIM_MAX_NODES);
    assert_string_equal(meshrpr_sim_node_name(&fx->sim, NODES), "n4");
    assert_int_equal(meshrpr_sim_node_add(NULL, NULL, NULL, NULL), -EINVAL);

    /* Long names are cut, not overflowed. */
    meshrpr_sim_init(&fx->sim, 1);
    assert_int_equal(meshrpr_sim_node_add(&fx->sim, "a-very-long-node-name-indeed", NULL, NULL), 0);
    assert_int_equal(strlen(meshrpr_sim_node_name(&fx->sim, 0)), MESHRPR_SIM_NAME_SIZE - 1);
}

int main(void)
{
#define SIM_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        SIM_TEST(test_timers_fire_in_time_then_node_order),
        SIM_TEST(test_rearming_timer_and_idle_run),
        SIM_TEST(test_past_deadline_is_due_now),
        SIM_TEST(test_run_until_done),
        SIM_TEST(test_run_until_from_callback_is_edeadlk),
        SIM_TEST(test_stuck_node_gives_eloop),
        SIM_TEST(test_platform_hooks),
        SIM_TEST(test_random_per_node_and_seed),
        SIM_TEST(test_rng_helpers),
        SIM_TEST(test_logging),
        SIM_TEST(test_node_limit),
    };

    return cmocka_run_group_tests_name("sim_world", tests, NULL, NULL);
}
