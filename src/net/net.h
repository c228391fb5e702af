/* SPDX-License-Identifier: Apache-2.0 */
/* Network layer (MshPRTv1.1 §3.4): Network PDU encoding and decoding, SEQ and IV Index,
 * network message cache, relaying, network transmit, loopback to local elements. */
#ifndef MESHRPR_NET_NET_H
#define MESHRPR_NET_NET_H

#include <meshrpr/node.h>

/* ---- Pure codec (spec vectors, fuzzing) ------------------------------------------------- */

/* A decoded Network PDU. transport_pdu points into the caller's scratch buffer. */
struct meshrpr_net_pdu {
    uint8_t ivi;
    uint8_t nid;
    bool ctl;
    uint8_t ttl;
    uint32_t seq;
    uint16_t src;
    uint16_t dst;
    const uint8_t *transport_pdu;
    size_t transport_len;
};

/* Encrypt and obfuscate one Network PDU into out (MESHRPR_NET_PDU_MAX_LEN octets).
 * @return 0 with *out_len set, or -EINVAL (TransportPDU length for the CTL value, TTL, SEQ). */
int meshrpr_net_encode(const struct meshrpr_net_cred *cred, uint32_t iv_index, bool ctl,
                       uint8_t ttl, uint32_t seq, uint16_t src, uint16_t dst,
                       const uint8_t *transport_pdu, size_t len, uint8_t *out, size_t *out_len);

/* De-obfuscate and decrypt a Network PDU received under cred with the given IV Index
 * (the caller chose it from the IVI bit). scratch holds MESHRPR_NET_PDU_MAX_LEN octets.
 * @return 0, -EINVAL (length, NID mismatch), -EBADMSG (NetMIC). */
int meshrpr_net_decode(const struct meshrpr_net_cred *cred, uint32_t iv_index, const uint8_t *pdu,
                       size_t len, uint8_t *scratch, struct meshrpr_net_pdu *out);

/* ---- The node's network layer ----------------------------------------------------------- */

/* What the lower transport learns about a received PDU. */
struct meshrpr_net_rx {
    uint16_t net_idx;
    uint32_t iv_index;
    uint32_t seq;
    uint16_t src;
    uint16_t dst;
    uint8_t ttl;
    bool ctl;
    int8_t rssi;
    bool local; /* looped back from this node itself */
};

/* What the lower transport asks the network layer to send. */
struct meshrpr_net_tx {
    uint16_t net_idx;
    uint16_t src;
    uint16_t dst;
    uint8_t ttl; /* already resolved: never BT_MESH_TTL_DEFAULT */
    bool ctl;
    /* When set, send with this SEQ and IV Index (the first segment of a message carries the
     * SEQ its upper transport nonce used); otherwise the network layer takes the next SEQ. */
    bool has_seq;
    uint32_t seq;
    uint32_t iv_index;
};

void meshrpr_net_init(struct meshrpr_node *node);

/* Register what the network and transport layers hand up (kept across meshrpr_net_init). */
void meshrpr_net_hooks_set(struct meshrpr_node *node, const struct meshrpr_net_hooks *hooks);

/* The network layer's configuration states, set by the Configuration Server and the node:
 * Default TTL (§4.2.8), Relay and Relay Retransmit (§4.2.9, §4.2.21; a node without the
 * Relay feature keeps Relay at "not supported" and takes only the retransmit state), Network
 * Transmit (§4.2.20). The caller stores them (meshrpr_net_store). */
void meshrpr_net_default_ttl_set(struct meshrpr_node *node, uint8_t ttl);
void meshrpr_net_relay_set(struct meshrpr_node *node, uint8_t relay, uint8_t retransmit);
void meshrpr_net_transmit_set(struct meshrpr_node *node, uint8_t transmit);

/* A new source address (provisioning, NPPI Node Address Refresh): nothing was sent from it,
 * so SEQ starts at 0 with no reservation. */
void meshrpr_net_seq_reset(struct meshrpr_node *node);

/* The IV Index and IV Update flag a provisioning gave (MshPRTv1.1 §5.4.2.5). */
void meshrpr_net_iv_set(struct meshrpr_node *node, uint32_t iv_index, bool iv_update);

/* Called once the node is provisioned or restored: starts what needs keys. */
void meshrpr_net_start(struct meshrpr_node *node);

/* Send one TransportPDU (1..16 octets, or 1..12 for control). Destinations that are this
 * node's own elements are delivered locally (deferred through a timer, never re-entrantly);
 * group destinations are both sent and delivered locally.
 * @return 0, -EINVAL, -ENOENT (unknown NetKey), -ENOBUFS, or the platform's error. */
int meshrpr_net_send(struct meshrpr_node *node, const struct meshrpr_net_tx *tx,
                     const uint8_t *transport_pdu, size_t len);

/* Reserve the next SEQ (persisting a new reservation block when needed). -ENOSPC when the
 * 24-bit space is exhausted. */
int meshrpr_net_seq_alloc(struct meshrpr_node *node, uint32_t *seq);

/* IV Index to transmit with (§3.11.5: the previous one while an IV Update is in progress). */
uint32_t meshrpr_net_tx_iv_index(const struct meshrpr_node *node);

/* Resolve BT_MESH_TTL_DEFAULT to the node's Default TTL. */
uint8_t meshrpr_net_resolve_ttl(const struct meshrpr_node *node, uint8_t ttl);

/* One Mesh Message AD (type 0x2A) from the bearer. */
void meshrpr_net_recv(struct meshrpr_node *node, const uint8_t *data, size_t len, int8_t rssi);

/* Persist / restore SEQ, IV Index and the configuration states (Default TTL, Relay, Network
 * Transmit). */
int meshrpr_net_store(struct meshrpr_node *node);
/* The transmit IV Index changed (SEQ starts again at 0): a node whose SEQ was unknown since
 * its restart may transmit again once it knew the IV Index before this change. */
void meshrpr_net_iv_moved(struct meshrpr_node *node);
int meshrpr_net_restore(struct meshrpr_node *node);

#endif /* MESHRPR_NET_NET_H */
