/* SPDX-License-Identifier: Apache-2.0 */
/* The dummy node of test_sim_dummy.h. */
#include "test_sim_dummy.h"

#include "test_util.h"

#include <string.h>

static void dummy_adv_recv(void *obj, uint8_t ad_type, const uint8_t *data, size_t len, int8_t rssi)
{
    struct dummy_node *node = obj;
    struct dummy_rx rx = {
        .time_us = meshrpr_sim_now_us(node->sim),
        .ad_type = ad_type,
        .len = (uint8_t)len,
        .rssi = rssi,
    };

    assert_true(len <= sizeof(rx.data));
    memcpy(rx.data, data, len);
    if (node->rx_count < DUMMY_MAX_RX) {
        node->rx[node->rx_count] = rx;
    }
    node->rx_count++;
    if (node->on_rx != NULL) {
        node->on_rx(node, &rx);
    }
}

static void dummy_adv_report(void *obj, const struct meshrpr_adv_report *report)
{
    struct dummy_node *node = obj;
    struct dummy_report rep = {
        .time_us = meshrpr_sim_now_us(node->sim),
        .addr_type = report->addr_type,
        .adv_type = report->adv_type,
        .rssi = report->rssi,
        .len = (uint8_t)report->len,
    };

    assert_true(report->len <= sizeof(rep.data));
    memcpy(rep.addr, report->addr, sizeof(rep.addr));
    memcpy(rep.data, report->data, report->len);
    if (node->report_count < DUMMY_MAX_RX) {
        node->reports[node->report_count] = rep;
    }
    node->report_count++;
}

static uint64_t dummy_next_deadline_ms(void *obj)
{
    struct dummy_node *node = obj;
    return meshrpr_timer_queue_next_deadline(&node->timers);
}

static void dummy_process(void *obj)
{
    struct dummy_node *node = obj;
    (void)meshrpr_timer_queue_process(&node->timers, node->platform->now_ms(node->platform->ctx));
}

static const struct meshrpr_sim_node_ops dummy_ops = {
    .adv_recv = dummy_adv_recv,
    .next_deadline_ms = dummy_next_deadline_ms,
    .process = dummy_process,
};

static const struct meshrpr_sim_node_ops dummy_report_ops = {
    .adv_recv = dummy_adv_recv, /* never called: adv_report takes precedence */
    .next_deadline_ms = dummy_next_deadline_ms,
    .process = dummy_process,
    .adv_report = dummy_adv_report,
};

static int add(struct meshrpr_sim *sim, struct dummy_node *node, const char *name,
               const struct meshrpr_sim_node_ops *ops)
{
    memset(node, 0, sizeof(*node));
    node->sim = sim;
    meshrpr_timer_queue_init(&node->timers);
    node->id = meshrpr_sim_node_add(sim, name, ops, node);
    assert_true(node->id >= 0);
    node->platform = meshrpr_sim_node_platform(sim, node->id);
    assert_non_null(node->platform);
    return node->id;
}

int dummy_node_add(struct meshrpr_sim *sim, struct dummy_node *node, const char *name)
{
    return add(sim, node, name, &dummy_ops);
}

int dummy_node_add_reporter(struct meshrpr_sim *sim, struct dummy_node *node, const char *name)
{
    return add(sim, node, name, &dummy_report_ops);
}

void dummy_node_start_in(struct dummy_node *node, struct meshrpr_timer *timer, uint64_t delay_ms)
{
    meshrpr_timer_start_at(&node->timers, timer,
                           node->platform->now_ms(node->platform->ctx) + delay_ms);
}

int dummy_node_send(struct dummy_node *node, uint8_t ad_type, const uint8_t *data, size_t len,
                    uint8_t count, uint16_t interval_ms)
{
    const struct meshrpr_adv_params params = { .count = count, .interval_ms = interval_ms };
    return node->platform->adv_send(node->platform->ctx, ad_type, data, len, &params);
}

int dummy_node_send_raw(struct dummy_node *node, uint8_t adv_type, const uint8_t *adv_data,
                        size_t len, uint8_t count, uint16_t interval_ms)
{
    const struct meshrpr_adv_params params = { .count = count, .interval_ms = interval_ms };
    return meshrpr_sim_adv_send_raw(node->sim, node->id, adv_type, adv_data, len, &params);
}
