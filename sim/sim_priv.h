/* SPDX-License-Identifier: Apache-2.0 */
/* Functions the simulator's own files share (sim.c: world and event loop, radio.c: medium and
 * transmission queue, pcap.c: trace). Not part of the simulator's API. */
#ifndef MESHRPR_SIM_PRIV_H
#define MESHRPR_SIM_PRIV_H

#include <meshrpr/sim.h>

/* Transmission states. */
enum {
    SIM_TX_FREE = 0,
    SIM_TX_QUEUED, /* waiting for its start time */
    SIM_TX_ON_AIR, /* started, delivered at its end */
    SIM_TX_DONE,   /* delivered, kept while it can still overlap a transmission on air */
    /* A scan exchange waiting for its SCAN_REQ: then QUEUED for its SCAN_RSP, ON_AIR, and freed
     * at delivery (exchanges never enter the air list). */
    SIM_TX_SCAN_REQ,
};

/* Index meaning "no transmission" in the air list. */
#define SIM_TX_NONE UINT16_MAX

/* Transmission indices and counts are uint16_t and senders uint8_t. */
_Static_assert(MESHRPR_SIM_MAX_TX > 0 && MESHRPR_SIM_MAX_TX < SIM_TX_NONE,
               "MESHRPR_SIM_MAX_TX must fit a uint16_t index below SIM_TX_NONE");
_Static_assert(MESHRPR_SIM_MAX_NODES > 0 && MESHRPR_SIM_MAX_NODES <= MESHRPR_SIM_NODE_LIMIT,
               "MESHRPR_SIM_MAX_NODES must fit a uint16_t node id below SIM_NODE_NONE");

/* Index meaning "no node" in the node heaps and the spatial index's buckets. */
#define SIM_NODE_NONE UINT16_MAX

/* Log a line of the simulator itself (module "sim") on behalf of node id (-1: the world). */
void meshrpr_sim_log(struct meshrpr_sim *sim, int id, enum meshrpr_log_level level, const char *fmt,
                     ...) __attribute__((format(printf, 4, 5)));

/* The deadline of node id may have changed: ask it again before the next step. */
void meshrpr_sim_node_stale(struct meshrpr_sim *sim, int id);

/* Every node of the world may have moved, or the range changed: rebuild the spatial index
 * before it is used next. */
void meshrpr_sim_geometry_changed(struct meshrpr_sim *sim);

/* Empty the transmission pool and the event queue. */
void meshrpr_sim_radio_init(struct meshrpr_sim *sim);

/* Time of the earliest pending radio event; false if there is none. */
bool meshrpr_sim_radio_peek(const struct meshrpr_sim *sim, uint64_t *time_us);

/* Dispatch the earliest pending radio event (the clock is already at its time): put a
 * transmission on air, or deliver one that ends. */
void meshrpr_sim_radio_dispatch(struct meshrpr_sim *sim);

/* Free finished transmissions that nothing on air can overlap any more. */
void meshrpr_sim_radio_reclaim(struct meshrpr_sim *sim);

/* The link-layer PDU type (MESHRPR_SIM_PDU_*) of HCI report type adv_type (MESHRPR_ADV_IND,
 * _SCAN_IND, _NONCONN_IND, _SCAN_RSP); UINT8_MAX for any other. */
uint8_t meshrpr_sim_pdu_type(uint8_t adv_type);

/* Append the record of a transmission going on air to the trace, if one is open. */
void meshrpr_sim_pcap_record(struct meshrpr_sim *sim, const struct meshrpr_sim_tx *tx);

/* Append the SCAN_REQ of scan exchange tx (from tx->peer to tx->sender), sent at time_us, to
 * the trace, if one is open. */
void meshrpr_sim_pcap_record_scan_req(struct meshrpr_sim *sim, const struct meshrpr_sim_tx *tx,
                                      uint64_t time_us);

#endif /* MESHRPR_SIM_PRIV_H */
