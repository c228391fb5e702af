/* SPDX-License-Identifier: Apache-2.0 */
/* Tests of the simulated radio medium (sim/radio.c): who hears a broadcast (range, explicit
 * links, never the sender itself), loss probabilities, transmit count and interval with the
 * random advDelay, airtime and delivery times, RSSI against distance, the optional collision
 * and half-duplex models (checked against an independent overlap computation over many
 * packets), sending from inside a reception callback, and the transmission-queue limit. */
#include "test_sim_dummy.h"
#include "test_util.h"

#include <meshrpr/util.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NODES      6
#define MAX_EVENTS 32768

struct fixture;

struct sender {
    struct meshrpr_timer timer;
    struct fixture *fx;
    int id;
    uint16_t period_ms;
    unsigned left;
};

struct fixture {
    struct meshrpr_sim sim;
    struct dummy_node nodes[NODES];
    struct meshrpr_sim_radio_event events[MAX_EVENTS];
    size_t event_count;
    size_t tx_event[MAX_EVENTS]; /* index in events of the TX event of each tx_id */
    /* Periodic senders for the collision tests. */
    struct sender senders[NODES];
};

static void observe(void *arg, const struct meshrpr_sim_radio_event *event)
{
    struct fixture *fx = arg;
    assert_true(fx->event_count < MAX_EVENTS);
    fx->events[fx->event_count] = *event;
    fx->events[fx->event_count].data = NULL; /* only valid during the call */
    if (event->kind == MESHRPR_SIM_RADIO_TX) {
        assert_true(event->tx_id < MAX_EVENTS);
        fx->tx_event[event->tx_id] = fx->event_count;
    }
    fx->event_count++;
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    meshrpr_sim_init(&fx->sim, 2024);
    for (int i = 0; i < NODES; i++) {
        assert_int_equal(dummy_node_add(&fx->sim, &fx->nodes[i], NULL), i);
    }
    meshrpr_sim_set_observer(&fx->sim, observe, fx);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static const uint8_t payload[] = { 0x68, 0xec, 0xa4, 0x87, 0x51, 0x67, 0x65, 0xb5, 0xe5, 0xbf };

static void place(struct fixture *fx, int id, double x_m, double y_m)
{
    assert_int_equal(meshrpr_sim_node_set_position(&fx->sim, id, x_m, y_m), 0);
}

static void send_and_settle(struct fixture *fx, int from, uint8_t count, uint16_t interval_ms)
{
    assert_int_equal(
        dummy_node_send(&fx->nodes[from], 0x2a, payload, sizeof(payload), count, interval_ms), 0);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, UINT64_MAX), 0);
}

static void test_broadcast_reaches_nodes_in_range(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(meshrpr_sim_set_range(&fx->sim, 10.0), 0);
    place(fx, 0, 0, 0);
    place(fx, 1, 5, 0);
    place(fx, 2, 10, 0); /* exactly at the range: heard */
    place(fx, 3, 15, 0);
    place(fx, 4, 0, 9.9);
    place(fx, 5, 7.2, 7.2); /* 10.18 m */

    send_and_settle(fx, 0, 1, 0);
    const size_t expect[NODES] = { 0, 1, 1, 0, 1, 0 };
    for (int i = 0; i < NODES; i++) {
        assert_int_equal(fx->nodes[i].rx_count, expect[i]);
        assert_int_equal(meshrpr_sim_link_exists(&fx->sim, 0, i), expect[i] == 1);
    }
    const struct dummy_rx *rx = &fx->nodes[1].rx[0];
    assert_int_equal(rx->ad_type, 0x2a);
    assert_int_equal(rx->len, sizeof(payload));
    assert_memory_equal(rx->data, payload, sizeof(payload));
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 0)->tx, 1);
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 0)->rx, 0); /* not itself */

    /* Range is symmetric; the default range is unlimited. */
    assert_true(meshrpr_sim_link_exists(&fx->sim, 4, 0));
    assert_false(meshrpr_sim_link_exists(&fx->sim, 3, 0));
    assert_int_equal(meshrpr_sim_set_range(&fx->sim, INFINITY), 0);
    place(fx, 3, 1e6, 1e6);
    assert_true(meshrpr_sim_link_exists(&fx->sim, 0, 3));
    assert_int_equal(meshrpr_sim_set_range(&fx->sim, -1.0), -EINVAL);
    assert_int_equal(meshrpr_sim_set_range(&fx->sim, NAN), -EINVAL);
}

static void test_explicit_links_override_range(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(meshrpr_sim_set_range(&fx->sim, 10.0), 0);
    place(fx, 3, 500, 0); /* far away, but linked */
    assert_int_equal(meshrpr_sim_link_set(&fx->sim, 0, 3, MESHRPR_SIM_LOSS_DEFAULT), 0);
    assert_int_equal(meshrpr_sim_link_set_oneway(&fx->sim, 0, 2, 0.0), 0);

    send_and_settle(fx, 0, 1, 0);
    /* Node 1 is within range (all at the origin) but has no link: it hears nothing. */
    const size_t expect[NODES] = { 0, 0, 1, 1, 0, 0 };
    for (int i = 0; i < NODES; i++) {
        assert_int_equal(fx->nodes[i].rx_count, expect[i]);
    }
    assert_true(meshrpr_sim_link_exists(&fx->sim, 3, 0));
    assert_false(meshrpr_sim_link_exists(&fx->sim, 2, 0)); /* one-way */
    send_and_settle(fx, 2, 1, 0);
    assert_int_equal(fx->nodes[0].rx_count, 0);

    /* RSSI still follows distance on an explicit link. */
    assert_int_equal(fx->nodes[3].rx[0].rssi, meshrpr_sim_rssi(&fx->sim, 0, 3));
    assert_true(fx->nodes[3].rx[0].rssi < -100);

    /* Removing the last explicit link returns to range mode. */
    assert_int_equal(meshrpr_sim_link_remove(&fx->sim, 0, 3), 0);
    assert_true(meshrpr_sim_link_exists(&fx->sim, 0, 2));
    assert_false(meshrpr_sim_link_exists(&fx->sim, 0, 1));
    meshrpr_sim_link_clear(&fx->sim);
    assert_true(meshrpr_sim_link_exists(&fx->sim, 0, 1));
    assert_false(meshrpr_sim_link_exists(&fx->sim, 0, 3)); /* 500 m > 10 m */
    assert_int_equal(meshrpr_sim_link_remove(&fx->sim, 0, 3), 0);

    /* Bad arguments change nothing. */
    assert_int_equal(meshrpr_sim_link_set(&fx->sim, 0, 0, 0.0), -EINVAL);
    assert_int_equal(meshrpr_sim_link_set(&fx->sim, 0, NODES, 0.0), -EINVAL);
    assert_int_equal(meshrpr_sim_link_set(&fx->sim, 0, 1, 1.5), -EINVAL);
    assert_int_equal(meshrpr_sim_link_set_oneway(&fx->sim, 0, 1, NAN), -EINVAL);
    assert_true(meshrpr_sim_link_exists(&fx->sim, 0, 1));
}

static void test_loss_all_and_none(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(meshrpr_sim_set_default_loss(&fx->sim, 1.0), 0);
    for (int k = 0; k < 50; k++) {
        send_and_settle(fx, 0, 1, 0);
    }
    for (int i = 1; i < NODES; i++) {
        assert_int_equal(fx->nodes[i].rx_count, 0);
        assert_int_equal(meshrpr_sim_node_stats(&fx->sim, i)->rx_lost_loss, 50);
    }

    assert_int_equal(meshrpr_sim_set_default_loss(&fx->sim, 0.0), 0);
    for (int k = 0; k < 50; k++) {
        send_and_settle(fx, 0, 1, 0);
    }
    for (int i = 1; i < NODES; i++) {
        assert_int_equal(fx->nodes[i].rx_count, 50);
        assert_int_equal(meshrpr_sim_node_stats(&fx->sim, i)->rx, 50);
        assert_int_equal(meshrpr_sim_node_stats(&fx->sim, i)->rx_lost_loss, 50);
    }
    assert_int_equal(meshrpr_sim_set_default_loss(&fx->sim, -0.1), -EINVAL);
    assert_int_equal(meshrpr_sim_set_default_loss(&fx->sim, 1.1), -EINVAL);

    /* A per-link loss beats the default: 0 -> 1 loses all, 0 -> 2 (default 0) none, and
     * in explicit mode unlinked nodes hear nothing. */
    assert_int_equal(meshrpr_sim_link_set_oneway(&fx->sim, 0, 1, 1.0), 0);
    assert_int_equal(meshrpr_sim_link_set_oneway(&fx->sim, 0, 2, MESHRPR_SIM_LOSS_DEFAULT), 0);
    for (int k = 0; k < 20; k++) {
        send_and_settle(fx, 0, 1, 0);
    }
    assert_int_equal(fx->nodes[1].rx_count, 50);
    assert_int_equal(fx->nodes[2].rx_count, 70);
    assert_int_equal(fx->nodes[3].rx_count, 50);
}

static void test_loss_rate_is_plausible(void **state)
{
    struct fixture *fx = *state;
    const int packets = 2000;

    assert_int_equal(meshrpr_sim_set_default_loss(&fx->sim, 0.3), 0);
    for (int k = 0; k < packets; k++) {
        send_and_settle(fx, 0, 1, 0);
    }
    for (int i = 1; i < NODES; i++) {
        const struct meshrpr_sim_node_stats *st = meshrpr_sim_node_stats(&fx->sim, i);
        assert_int_equal(st->rx + st->rx_lost_loss, packets);
        assert_int_equal(st->rx, fx->nodes[i].rx_count);
        /* 600 expected, sigma about 20.5: five sigmas either side. */
        assert_in_range(st->rx_lost_loss, 500, 700);
    }
    /* Each receiver draws independently: the nodes did not all lose the same packets. */
    assert_int_not_equal(meshrpr_sim_node_stats(&fx->sim, 1)->rx_lost_loss,
                         meshrpr_sim_node_stats(&fx->sim, 2)->rx_lost_loss);
}

static void test_count_and_interval(void **state)
{
    struct fixture *fx = *state;
    const uint64_t airtime_us = MESHRPR_SIM_AIRTIME_US(sizeof(payload));

    assert_int_equal(airtime_us, (1 + 4 + 2 + 6 + 2 + sizeof(payload) + 3) * 8);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, 1000), 0);
    send_and_settle(fx, 0, 4, 20);

    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 0)->tx, 4);
    const struct dummy_node *rx = &fx->nodes[1];
    assert_int_equal(rx->rx_count, 4);
    /* The first waits its advDelay (0..10 ms), then its airtime; the rest are spaced by the
     * interval plus their own advDelay. */
    assert_in_range(rx->rx[0].time_us, 1000000 + airtime_us,
                    1000000 + airtime_us + MESHRPR_SIM_ADV_DELAY_MAX_US);
    bool gaps_differ = false;
    for (int i = 1; i < 4; i++) {
        uint64_t gap_us = rx->rx[i].time_us - rx->rx[i - 1].time_us;
        assert_in_range(gap_us, 20000, 20000 + MESHRPR_SIM_ADV_DELAY_MAX_US);
        if (gap_us != rx->rx[1].time_us - rx->rx[0].time_us) {
            gaps_differ = true;
        }
        assert_memory_equal(rx->rx[i].data, payload, sizeof(payload)); /* identical repeats */
    }
    assert_true(gaps_differ); /* the advDelay is random, not a constant */

    /* The observer saw 4 starts, each delivered airtime later to 5 nodes. */
    size_t tx_events = 0;
    for (size_t i = 0; i < fx->event_count; i++) {
        const struct meshrpr_sim_radio_event *ev = &fx->events[i];
        if (ev->kind == MESHRPR_SIM_RADIO_TX) {
            assert_int_equal(ev->repeat, tx_events);
            assert_int_equal(ev->count, 4);
            assert_int_equal(ev->to, -1);
            tx_events++;
        } else {
            assert_int_equal(ev->kind, MESHRPR_SIM_RADIO_RX);
            assert_int_equal(ev->from, 0);
        }
    }
    assert_int_equal(tx_events, 4);
    assert_int_equal(fx->event_count, 4 + 4 * (NODES - 1));

    /* NULL params: one transmission. */
    assert_int_equal(fx->nodes[2].platform->adv_send(fx->nodes[2].platform->ctx, 0x2b, payload,
                                                     sizeof(payload), NULL),
                     0);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, UINT64_MAX), 0);
    assert_int_equal(fx->nodes[1].rx_count, 5);
    assert_int_equal(fx->nodes[1].rx[4].ad_type, 0x2b);
}

static void test_node_sends_one_pdu_at_a_time(void **state)
{
    struct fixture *fx = *state;

    /* Two PDUs asked for at once: the second starts only after the first's last repeat. */
    assert_int_equal(dummy_node_send(&fx->nodes[0], 0x2a, payload, 4, 3, 0), 0);
    assert_int_equal(dummy_node_send(&fx->nodes[0], 0x2a, payload, 8, 2, 0), 0);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, UINT64_MAX), 0);

    uint64_t prev_end_us = 0;
    size_t seen = 0;
    for (size_t i = 0; i < fx->event_count; i++) {
        const struct meshrpr_sim_radio_event *ev = &fx->events[i];
        if (ev->kind != MESHRPR_SIM_RADIO_TX) {
            continue;
        }
        assert_int_equal(ev->len, seen < 3 ? 4 : 8);
        assert_true(ev->time_us >= prev_end_us); /* never overlapping itself */
        prev_end_us = ev->time_us + MESHRPR_SIM_AIRTIME_US(ev->len);
        seen++;
    }
    assert_int_equal(seen, 5);
}

static void test_rssi_falls_with_distance(void **state)
{
    struct fixture *fx = *state;
    const double dist_m[NODES] = { 0, 0.5, 2, 5, 10, 50 };

    for (int i = 0; i < NODES; i++) {
        place(fx, i, dist_m[i], 0);
    }
    send_and_settle(fx, 0, 1, 0);
    for (int i = 1; i < NODES; i++) {
        assert_int_equal(fx->nodes[i].rx_count, 1);
        assert_int_equal(fx->nodes[i].rx[0].rssi, meshrpr_sim_rssi(&fx->sim, 0, i));
        if (i > 1) {
            assert_true(fx->nodes[i].rx[0].rssi < fx->nodes[i - 1].rx[0].rssi);
        }
    }
    /* -40 dBm at 1 m (and closer), minus 25 dB per decade. */
    assert_int_equal(fx->nodes[1].rx[0].rssi, -40);
    assert_int_equal(fx->nodes[4].rx[0].rssi, -65);
    assert_int_equal(fx->nodes[5].rx[0].rssi, -82); /* -82.47 rounded */
    place(fx, 5, 1e30, 0);
    assert_int_equal(meshrpr_sim_rssi(&fx->sim, 0, 5), INT8_MIN);

    /* Another model: -30 dBm at 1 m, exponent 2. */
    assert_int_equal(meshrpr_sim_set_path_loss(&fx->sim, -30.0, 2.0), 0);
    assert_int_equal(meshrpr_sim_rssi(&fx->sim, 0, 4), -50);
    assert_int_equal(meshrpr_sim_set_path_loss(&fx->sim, -30.0, -1.0), -EINVAL);
    assert_int_equal(meshrpr_sim_rssi(&fx->sim, 0, NODES), 0);
}

/* A timer that makes its node send a short PDU every period_ms, left times. */
static void send_tick(struct meshrpr_timer *timer)
{
    struct sender *snd = MESHRPR_CONTAINER_OF(timer, struct sender, timer);
    struct dummy_node *node = &snd->fx->nodes[snd->id];
    const uint8_t data[6] = { (uint8_t)snd->id, (uint8_t)(snd->left >> 8), (uint8_t)snd->left };

    assert_int_equal(dummy_node_send(node, 0x2a, data, sizeof(data), 1, 0), 0);
    if (--snd->left > 0) {
        dummy_node_start_in(node, timer, snd->period_ms);
    }
}

static void start_senders(struct fixture *fx, const int *ids, size_t n, unsigned sends,
                          uint16_t period_ms)
{
    for (size_t k = 0; k < n; k++) {
        struct sender *snd = &fx->senders[ids[k]];
        snd->fx = fx;
        snd->id = ids[k];
        snd->left = sends;
        snd->period_ms = period_ms;
        meshrpr_timer_init(&snd->timer, send_tick);
        dummy_node_start_in(&fx->nodes[snd->id], &snd->timer, 1);
    }
}

/* The TX event of transmission tx_id. */
static const struct meshrpr_sim_radio_event *find_tx(const struct fixture *fx, uint32_t tx_id)
{
    assert_true(tx_id < MAX_EVENTS);
    const struct meshrpr_sim_radio_event *ev = &fx->events[fx->tx_event[tx_id]];
    assert_int_equal(ev->kind, MESHRPR_SIM_RADIO_TX);
    assert_int_equal(ev->tx_id, tx_id);
    return ev;
}

static bool overlaps(const struct meshrpr_sim_radio_event *a,
                     const struct meshrpr_sim_radio_event *b)
{
    uint64_t a_end = a->time_us + MESHRPR_SIM_AIRTIME_US(a->len);
    uint64_t b_end = b->time_us + MESHRPR_SIM_AIRTIME_US(b->len);
    return a->time_us < b_end && b->time_us < a_end;
}

/* Independently of the simulator, decide whether reception ev overlaps a transmission by its
 * receiver (own_only) or by another node the receiver can hear. */
static bool expect_overlap(const struct fixture *fx, const struct meshrpr_sim_radio_event *ev,
                           bool own_only)
{
    const struct meshrpr_sim_radio_event *tx = find_tx(fx, ev->tx_id);
    for (size_t i = 0; i < fx->event_count; i++) {
        const struct meshrpr_sim_radio_event *other = &fx->events[i];
        if (other->kind != MESHRPR_SIM_RADIO_TX || other->tx_id == ev->tx_id ||
            !overlaps(tx, other)) {
            continue;
        }
        if (own_only
                ? other->from == ev->to
                : other->from != ev->to && meshrpr_sim_link_exists(&fx->sim, other->from, ev->to)) {
            return true;
        }
    }
    return false;
}

static void test_collisions(void **state)
{
    struct fixture *fx = *state;

    /* 0 and 1 are hidden from each other but both reach 2; 3 sends too but only 4 hears it,
     * so its transmissions must never destroy anything at 2. */
    assert_int_equal(meshrpr_sim_set_range(&fx->sim, 15.0), 0);
    place(fx, 0, 0, 0);
    place(fx, 1, 20, 0);
    place(fx, 2, 10, 0);
    place(fx, 3, 100, 0);
    place(fx, 4, 110, 0);
    place(fx, 5, 500, 0);
    meshrpr_sim_set_collisions(&fx->sim, true);

    const int senders[] = { 0, 1, 3 };
    start_senders(fx, senders, MESHRPR_ARRAY_SIZE(senders), 1500, 8);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, UINT64_MAX), 0);

    const struct meshrpr_sim_node_stats *st = meshrpr_sim_node_stats(&fx->sim, 2);
    assert_int_equal(st->rx + st->rx_lost_collision, 3000);
    assert_int_equal(st->rx_lost_half_duplex, 0);
    assert_true(st->rx_lost_collision > 20); /* about 5 % of 3000 overlap */
    assert_true(st->rx_lost_collision < 600);
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 0)->rx, 0);

    size_t checked = 0, collided = 0;
    for (size_t i = 0; i < fx->event_count; i++) {
        const struct meshrpr_sim_radio_event *ev = &fx->events[i];
        if (ev->kind == MESHRPR_SIM_RADIO_TX) {
            continue;
        }
        bool lost = ev->kind == MESHRPR_SIM_RADIO_LOST_COLLISION;
        assert_true(lost || ev->kind == MESHRPR_SIM_RADIO_RX);
        assert_int_equal(lost, expect_overlap(fx, ev, false));
        collided += lost;
        checked++;
    }
    assert_int_equal(checked, 3000 + 1500); /* node 2 hears 0 and 1; node 4 hears 3 */
    assert_int_equal(collided, st->rx_lost_collision);
    /* 3's only listener is 4, which hears nobody else: nothing of 3's is ever lost. */
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 4)->rx, 1500);
}

static void test_collisions_off_by_default(void **state)
{
    struct fixture *fx = *state;

    const int senders[] = { 0, 1, 2 };
    start_senders(fx, senders, MESHRPR_ARRAY_SIZE(senders), 500, 8);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, UINT64_MAX), 0);
    for (int i = 0; i < NODES; i++) {
        const struct meshrpr_sim_node_stats *st = meshrpr_sim_node_stats(&fx->sim, i);
        assert_int_equal(st->rx_lost_collision, 0);
        assert_int_equal(st->rx_lost_half_duplex, 0);
        assert_int_equal(st->rx, i < 3 ? 1000 : 1500);
    }
}

static void test_half_duplex(void **state)
{
    struct fixture *fx = *state;

    meshrpr_sim_set_half_duplex(&fx->sim, true);
    const int senders[] = { 0, 1 };
    start_senders(fx, senders, MESHRPR_ARRAY_SIZE(senders), 1500, 8);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, UINT64_MAX), 0);

    const struct meshrpr_sim_node_stats *st = meshrpr_sim_node_stats(&fx->sim, 1);
    assert_int_equal(st->rx + st->rx_lost_half_duplex, 1500);
    assert_true(st->rx_lost_half_duplex > 10);
    assert_int_equal(st->rx_lost_collision, 0);
    /* Listeners that never transmit lose nothing: collisions themselves are off. */
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 2)->rx, 3000);

    for (size_t i = 0; i < fx->event_count; i++) {
        const struct meshrpr_sim_radio_event *ev = &fx->events[i];
        if (ev->kind == MESHRPR_SIM_RADIO_TX) {
            continue;
        }
        assert_int_equal(ev->kind == MESHRPR_SIM_RADIO_LOST_HALF_DUPLEX,
                         expect_overlap(fx, ev, true));
    }
}

/* Node 1 relays what it hears from node 0, marking it. */
static void relay(struct dummy_node *node, const struct dummy_rx *rx)
{
    if (rx->data[0] == 1) {
        uint8_t out[MESHRPR_SIM_MAX_AD_DATA];
        memcpy(out, rx->data, rx->len);
        out[0] = 2;
        assert_int_equal(dummy_node_send(node, rx->ad_type, out, rx->len, 2, 10), 0);
    }
}

static void test_send_from_reception_callback(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(meshrpr_sim_set_range(&fx->sim, 10.0), 0);
    place(fx, 0, 0, 0);
    place(fx, 1, 8, 0);
    place(fx, 2, 16, 0);
    for (int i = 3; i < NODES; i++) {
        place(fx, i, 1000, 1000);
    }
    fx->nodes[1].on_rx = relay;

    const uint8_t data[] = { 1, 0xaa, 0xbb };
    assert_int_equal(dummy_node_send(&fx->nodes[0], 0x2a, data, sizeof(data), 1, 0), 0);
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, UINT64_MAX), 0);

    assert_int_equal(fx->nodes[2].rx_count, 2); /* the relay's two repeats, not the original */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(fx->nodes[2].rx[i].data[0], 2);
        assert_true(fx->nodes[2].rx[i].time_us > fx->nodes[1].rx[0].time_us);
    }
    assert_int_equal(fx->nodes[0].rx_count, 2); /* node 0 hears the relay too */
}

static void test_adv_send_errors_and_queue_limit(void **state)
{
    struct fixture *fx = *state;
    uint8_t big[MESHRPR_SIM_MAX_AD_DATA + 1] = { 0 };

    assert_int_equal(dummy_node_send(&fx->nodes[0], 0x2a, big, sizeof(big), 1, 0), -EMSGSIZE);
    assert_int_equal(dummy_node_send(&fx->nodes[0], 0x2a, big, 1, 0, 0), -EINVAL);
    assert_int_equal(dummy_node_send(&fx->nodes[0], 0x2a, NULL, 1, 1, 0), -EINVAL);
    assert_int_equal(meshrpr_sim_adv_send(&fx->sim, NODES, 0x2a, big, 1, NULL), -EINVAL);
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 0)->tx_refused, 3);
    assert_int_equal(dummy_node_send(&fx->nodes[0], 0x2a, NULL, 0, 1, 0), 0); /* empty AD */

    /* Fill the queue with 8-repeat PDUs: all or nothing, and never a crash. */
    size_t accepted = 0;
    int rc;
    while ((rc = dummy_node_send(&fx->nodes[1], 0x2a, big, MESHRPR_SIM_MAX_AD_DATA, 8, 0)) == 0) {
        accepted++;
    }
    assert_int_equal(rc, -ENOBUFS);
    assert_int_equal(accepted, (MESHRPR_SIM_MAX_TX - 1) / 8);
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 1)->tx_refused, 1);

    assert_int_equal(meshrpr_sim_run_until(&fx->sim, UINT64_MAX), 0);
    assert_int_equal(meshrpr_sim_node_stats(&fx->sim, 1)->tx, accepted * 8);
    assert_int_equal(fx->nodes[2].rx_count, accepted * 8 + 1);

    /* Once the air has been quiet for a longest airtime, the pool is free again. */
    assert_int_equal(meshrpr_sim_run_until(&fx->sim, meshrpr_sim_now_ms(&fx->sim) + 1), 0);
    for (size_t k = 0; k < (MESHRPR_SIM_MAX_TX / 8); k++) {
        assert_int_equal(dummy_node_send(&fx->nodes[1], 0x2a, big, 3, 8, 0), 0);
    }
}

int main(void)
{
#define SIM_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        SIM_TEST(test_broadcast_reaches_nodes_in_range),
        SIM_TEST(test_explicit_links_override_range),
        SIM_TEST(test_loss_all_and_none),
        SIM_TEST(test_loss_rate_is_plausible),
        SIM_TEST(test_count_and_interval),
        SIM_TEST(test_node_sends_one_pdu_at_a_time),
        SIM_TEST(test_rssi_falls_with_distance),
        SIM_TEST(test_collisions),
        SIM_TEST(test_collisions_off_by_default),
        SIM_TEST(test_half_duplex),
        SIM_TEST(test_send_from_reception_callback),
        SIM_TEST(test_adv_send_errors_and_queue_limit),
    };

    return cmocka_run_group_tests_name("sim_radio", tests, NULL, NULL);
}
