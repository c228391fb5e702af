/* SPDX-License-Identifier: Apache-2.0 */
/* A dummy node for the simulator's tests: a timer queue (include/meshrpr/timer.h) driven by
 * its simulated platform, and a record of every advertising PDU it hears (through adv_recv,
 * or, for a "reporter", through adv_report with the advertiser's address and PDU type), so
 * tests can check what the medium delivered, when and with which RSSI, without any mesh
 * stack. */
#ifndef MESHRPR_TEST_SIM_DUMMY_H
#define MESHRPR_TEST_SIM_DUMMY_H

#include <meshrpr/sim.h>

#include <meshrpr/timer.h>

/* Receptions kept per node; later ones are only counted. */
#define DUMMY_MAX_RX 512

struct dummy_rx {
    uint64_t time_us;
    uint8_t ad_type;
    uint8_t len;
    int8_t rssi;
    uint8_t data[MESHRPR_SIM_MAX_AD_DATA];
};

/* One adv_report call. */
struct dummy_report {
    uint64_t time_us;
    uint8_t addr[6]; /* as reported: least significant octet first */
    uint8_t addr_type;
    uint8_t adv_type;
    int8_t rssi;
    uint8_t len;
    uint8_t data[MESHRPR_SIM_MAX_ADV_DATA];
};

struct dummy_node;

/* Called after a reception is recorded; may send or arm timers. */
typedef void (*dummy_rx_hook)(struct dummy_node *node, const struct dummy_rx *rx);

struct dummy_node {
    struct meshrpr_sim *sim;
    int id;
    struct meshrpr_platform *platform;
    struct meshrpr_timer_queue timers;
    size_t rx_count; /* every reception, also those beyond DUMMY_MAX_RX */
    struct dummy_rx rx[DUMMY_MAX_RX];
    size_t report_count; /* every report, also those beyond DUMMY_MAX_RX */
    struct dummy_report reports[DUMMY_MAX_RX];
    dummy_rx_hook on_rx;
    void *user;
};

/* Add node to sim under name (fails the test if the sim refuses) and return its id. It hears
 * through adv_recv. */
int dummy_node_add(struct meshrpr_sim *sim, struct dummy_node *node, const char *name);

/* The same, for a node that hears through adv_report (into reports; rx stays empty). */
int dummy_node_add_reporter(struct meshrpr_sim *sim, struct dummy_node *node, const char *name);

/* Arm timer on node's queue to fire delay_ms after the node's current time. */
void dummy_node_start_in(struct dummy_node *node, struct meshrpr_timer *timer, uint64_t delay_ms);

/* Send from node through its platform hook; returns what the hook returned. */
int dummy_node_send(struct dummy_node *node, uint8_t ad_type, const uint8_t *data, size_t len,
                    uint8_t count, uint16_t interval_ms);

/* Send raw AdvData from node with meshrpr_sim_adv_send_raw(); returns what it returned. */
int dummy_node_send_raw(struct dummy_node *node, uint8_t adv_type, const uint8_t *adv_data,
                        size_t len, uint8_t count, uint16_t interval_ms);

#endif /* MESHRPR_TEST_SIM_DUMMY_H */
