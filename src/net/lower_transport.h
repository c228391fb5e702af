/* SPDX-License-Identifier: Apache-2.0 */
/* Lower transport layer (MshPRTv1.1 §3.5): unsegmented and segmented access and control
 * PDUs, the Mesh 1.1 SAR transmitter and receiver (§3.5.3), Segment Acknowledgments, and
 * replay protection of what it delivers. */
#ifndef MESHRPR_NET_LOWER_TRANSPORT_H
#define MESHRPR_NET_LOWER_TRANSPORT_H

#include <meshrpr/node.h>

#include "net/net.h"

/* One Upper Transport Access PDU to send. */
struct meshrpr_lower_tx {
    uint16_t net_idx;
    uint16_t src;
    uint16_t dst;
    uint8_t ttl; /* resolved */
    bool akf;
    uint8_t aid;
    bool szmic; /* 64-bit TransMIC: forces segmentation */
    /* SEQ and IV Index the upper transport nonce used: the first (or only) PDU carries them,
     * and SeqAuth = iv_index || seq. */
    uint32_t seq;
    uint32_t iv_index;
    bool force_seg; /* send segmented even when it fits (acknowledged unicast) */
    const struct bt_mesh_send_cb *cb;
    void *cb_data;
};

void meshrpr_lower_transport_init(struct meshrpr_node *node);

/* Send an Upper Transport Access PDU (5..384 octets incl. TransMIC). cb->end fires exactly once
 * when the send succeeded (0) or was given up (-ETIMEDOUT, -ECANCELED).
 * @return 0, -EINVAL, -EMSGSIZE, -ENOBUFS (no SAR context), -EBUSY (a segmented transfer from
 *         the same element to the same destination is running), or the network layer's error
 *         (cb not called then). */
int meshrpr_lower_transport_send_access(struct meshrpr_node *node,
                                        const struct meshrpr_lower_tx *tx, const uint8_t *upper_pdu,
                                        size_t len);

/* Send a Transport Control message (opcode 0x01..0x7f, parameters up to 256 octets). */
int meshrpr_lower_transport_send_control(struct meshrpr_node *node, uint16_t net_idx, uint16_t src,
                                         uint16_t dst, uint8_t ttl, uint8_t opcode,
                                         const uint8_t *params, size_t len);

/* A TransportPDU from the network layer. Any bytes are safe. */
void meshrpr_lower_transport_recv(struct meshrpr_node *node, const struct meshrpr_net_rx *rx,
                                  const uint8_t *pdu, size_t len);

/* No busy SAR context. */
bool meshrpr_lower_transport_is_idle(const struct meshrpr_node *node);

/* The node's hook for the host's transmit-complete signal (meshrpr_node_adv_sent()): transfers
 * waiting for a segment to leave go on. */
void meshrpr_lower_transport_adv_sent(struct meshrpr_node *node);

/* Forget the reassembly contexts of count sources from addr, with the SeqAuth they remember:
 * a node that restarts its SEQ at an address we heard before (reset, address refresh back)
 * would otherwise have its segmented messages taken for old ones. */
void meshrpr_lower_transport_forget(struct meshrpr_node *node, uint16_t addr, uint16_t count);

/* Cancel every transfer (node reset). */
void meshrpr_lower_transport_reset(struct meshrpr_node *node);

/* ---- Pure codec (fuzzing and vectors) --------------------------------------------------- */

struct meshrpr_lower_pdu {
    bool seg;
    /* Access: AKF/AID; control: opcode. */
    bool akf;
    uint8_t aid;
    uint8_t opcode;
    /* Segmented only. */
    bool szmic;
    uint16_t seq_zero;
    uint8_t seg_o;
    uint8_t seg_n;
    const uint8_t *payload;
    size_t payload_len;
};

/* Parse a Lower Transport PDU's header. @return 0 or -EINVAL. */
int meshrpr_lower_transport_parse(bool ctl, const uint8_t *pdu, size_t len,
                                  struct meshrpr_lower_pdu *out);

/* SeqAuth's SEQ from a segment's SEQ and SeqZero (§3.5.3.1). */
uint32_t meshrpr_lower_transport_seq_auth(uint32_t seq, uint16_t seq_zero);

/* Build a Lower Transport PDU from its fields (the inverse of meshrpr_lower_transport_parse).
 * @return its length, or -EINVAL (a field out of range, a payload length that the format does
 *         not allow, or size too small). */
int meshrpr_lower_transport_encode(bool ctl, const struct meshrpr_lower_pdu *pdu, uint8_t *out,
                                   size_t size);

/* Segment Acknowledgment parameters (the 6 octets after opcode 0x00, §3.5.2.3.1). */
struct meshrpr_seg_ack {
    bool obo;
    uint16_t seq_zero;
    uint32_t block_ack;
};

/* @return 0, or -EINVAL unless len is exactly 6. */
int meshrpr_lower_transport_ack_parse(const uint8_t *params, size_t len,
                                      struct meshrpr_seg_ack *out);
void meshrpr_lower_transport_ack_encode(const struct meshrpr_seg_ack *ack, uint8_t out[6]);

/* ---- SAR Transmitter / SAR Receiver states (§4.2.48, §4.2.49) ----------------------------
 * Both start at the specification's defaults; a SAR Configuration Server changes them here.
 * A new state applies to transfers started afterwards (and to the timers armed afterwards).
 * The setters return -EINVAL when a field exceeds its width (4 bits; for the receiver:
 * seg_thresh 5, ack_delay_inc 3, ack_retrans_count 2). */
int meshrpr_lower_transport_sar_tx_set(struct meshrpr_node *node,
                                       const struct meshrpr_sar_tx_state *state);
void meshrpr_lower_transport_sar_tx_get(const struct meshrpr_node *node,
                                        struct meshrpr_sar_tx_state *state);
int meshrpr_lower_transport_sar_rx_set(struct meshrpr_node *node,
                                       const struct meshrpr_sar_rx_state *state);
void meshrpr_lower_transport_sar_rx_get(const struct meshrpr_node *node,
                                        struct meshrpr_sar_rx_state *state);

#endif /* MESHRPR_NET_LOWER_TRANSPORT_H */
