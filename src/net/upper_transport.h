/* SPDX-License-Identifier: Apache-2.0 */
/* Upper transport layer (MshPRTv1.1 §3.6): encryption of access messages with an AppKey or a
 * device key (32- or 64-bit TransMIC), virtual-address Labels, and the entry for Transport
 * Control messages. */
#ifndef MESHRPR_NET_UPPER_TRANSPORT_H
#define MESHRPR_NET_UPPER_TRANSPORT_H

#include <meshrpr/node.h>

#include "net/net.h"

/* How an Upper Transport PDU arrived. */
struct meshrpr_upper_rx {
    const struct meshrpr_net_rx *net; /* of the last segment; net->iv_index is SeqAuth's */
    bool akf;
    uint8_t aid;
    bool szmic;
    uint32_t seq_auth; /* SEQ of the first segment (= net->seq when unsegmented) */
    bool segmented;
};

/* Send an access message (opcode + parameters) from element address src.
 * @return 0 or a negative errno (see bt_mesh_model_send()). */
int meshrpr_upper_transport_send(struct meshrpr_node *node, uint16_t src,
                                 const struct bt_mesh_msg_ctx *ctx, const uint8_t *access,
                                 size_t len, const struct bt_mesh_send_cb *cb, void *cb_data);

/* An Upper Transport Access PDU from the lower transport. Decrypts it with every candidate
 * key and hands the access message to the access layer.
 * @return 0 when it was decrypted (the lower transport then records it for replay
 *         protection), -ENOENT when no key opened it. */
int meshrpr_upper_transport_recv(struct meshrpr_node *node, const struct meshrpr_upper_rx *rx,
                                 const uint8_t *upper_pdu, size_t len);

/* A Transport Control message other than a Segment Ack (Heartbeat, Friend messages...). */
void meshrpr_upper_transport_ctl_recv(struct meshrpr_node *node, const struct meshrpr_net_rx *rx,
                                      uint8_t opcode, const uint8_t *params, size_t len);

#endif /* MESHRPR_NET_UPPER_TRANSPORT_H */
