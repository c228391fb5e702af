/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PB-ADV, the advertising provisioning bearer (MshPRTv1.1 §5.2.1, §5.3): links opened by a
 * provisioner towards a device UUID (several at once) and the one link a device accepts,
 * carrying Provisioning PDUs as acknowledged, segmented transactions. It implements the
 * provisioning bearer interface of prov_bearer.h. Also exposes the pure Generic Provisioning
 * PDU codec, the FCS and the reassembler, for tests and fuzzing.
 */
#ifndef MESHRPR_PROV_PB_ADV_H
#define MESHRPR_PROV_PB_ADV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/node.h>

#include "prov/prov_bearer.h"

/* AD type of PB-ADV (Bluetooth Assigned Numbers). */
#define MESHRPR_PB_ADV_AD_TYPE 0x29

/* PB-ADV MTU: the Generic Provisioning PDU fits a 31-octet AD structure after the AD length,
 * AD type, Link ID and Transaction Number (§5.2.1). */
#define MESHRPR_PB_ADV_GP_MTU 24
/* Link ID (4) + Transaction Number (1) + Generic Provisioning PDU. */
#define MESHRPR_PB_ADV_PDU_OVERHEAD 5

/* Payload of a Transaction Start and of a Transaction Continuation (§5.3.1.2, §5.3.1.3). */
#define MESHRPR_PB_ADV_START_DATA_MAX 20
#define MESHRPR_PB_ADV_CONT_DATA_MAX  23

/* Timing (see pb_adv.c for the reasons). */
#define MESHRPR_PB_ADV_LINK_ESTABLISH_TIMEOUT_S 60     /* §5.3.2 */
#define MESHRPR_PB_ADV_LINK_TIMEOUT_MS          60000u /* §5.2.1 link timer */
#define MESHRPR_PB_ADV_TRANSACTION_TIMEOUT_MS   30000u /* §5.3.3 */
#define MESHRPR_PB_ADV_RETRANSMIT_MS            500u   /* default; meshrpr_pb_adv_timing_set() */
#define MESHRPR_PB_ADV_CLOSE_COUNT              3      /* §5.3.1.4.3: at least three times */
#define MESHRPR_PB_ADV_CLOSE_BURSTS             3      /* Link Close bursts: first + repeats */
#define MESHRPR_PB_ADV_CLOSE_REPEAT_MS          150u   /* between two Link Close bursts */
#define MESHRPR_PB_ADV_LINGER_MS                3000u  /* a closed Link ID still answered */
#define MESHRPR_PB_ADV_STALE_RETRANSMITS        2      /* device: unanswered rounds, then stale */

/* Generic Provisioning Control Format (§5.3.1, bits 1..0 of the first octet). */
enum meshrpr_pb_adv_gpcf {
    MESHRPR_PB_ADV_GPCF_START = 0x00,
    MESHRPR_PB_ADV_GPCF_ACK = 0x01,
    MESHRPR_PB_ADV_GPCF_CONT = 0x02,
    MESHRPR_PB_ADV_GPCF_CTL = 0x03,
};

/* Provisioning Bearer Control opcodes (§5.3.1.4). */
enum meshrpr_pb_adv_ctl {
    MESHRPR_PB_ADV_LINK_OPEN = 0x00,
    MESHRPR_PB_ADV_LINK_ACK = 0x01,
    MESHRPR_PB_ADV_LINK_CLOSE = 0x02,
};

/* One decoded Generic Provisioning PDU. Pointers refer into the decoded input. */
struct meshrpr_pb_adv_gp {
    uint8_t gpcf;        /* enum meshrpr_pb_adv_gpcf */
    uint8_t seg;         /* Start: SegN (last segment number); Continuation: SegmentIndex */
    uint16_t total_len;  /* Start: TotalLength of the Provisioning PDU */
    uint8_t fcs;         /* Start: FCS of the Provisioning PDU */
    uint8_t opcode;      /* Bearer Control: enum meshrpr_pb_adv_ctl */
    uint8_t reason;      /* Link Close: any value (§5.3.1.4.3) */
    const uint8_t *uuid; /* Link Open: the Device UUID (16 octets) */
    const uint8_t *data; /* Start / Continuation: the segment */
    size_t data_len;
};

/* ---- Pure codec ---------------------------------------------------------------------------- */

/* FCS of a Provisioning PDU (§5.3.1.1): 3GPP TS 27.010 CRC-8, init 0xFF, ones' complement. */
uint8_t meshrpr_pb_adv_fcs(const uint8_t *data, size_t len);

/* SegN, the last segment number, of a Provisioning PDU of len octets (len >= 1). */
uint8_t meshrpr_pb_adv_seg_n(size_t len);

/* Decode one Generic Provisioning PDU (after the Link ID and Transaction Number).
 * @return 0; -EINVAL for a malformed PDU (wrong length for its format, empty or oversized
 *         segment, Continuation with index 0); -ENOTSUP for an RFU Bearer Control opcode. */
int meshrpr_pb_adv_gp_decode(const uint8_t *data, size_t len, struct meshrpr_pb_adv_gp *gp);

/* Encode gp into out (MESHRPR_PB_ADV_GP_MTU octets). @return the length, or -EINVAL. */
int meshrpr_pb_adv_gp_encode(const struct meshrpr_pb_adv_gp *gp, uint8_t *out);

/* Generic Provisioning PDU of segment seg (0..SegN) of the Provisioning PDU pdu (1 to
 * MESHRPR_PB_ADV_PDU_MAX octets) into out (MESHRPR_PB_ADV_GP_MTU octets).
 * @return its length, or -EINVAL. */
int meshrpr_pb_adv_segment(const uint8_t *pdu, size_t len, uint8_t seg, uint8_t *out);

/* Reassembly. reset empties rx; add takes one decoded Start or Continuation of the same
 * transaction. @return 0 when more segments are needed, 1 when the PDU is complete
 * (rx->buf, rx->total_len) and its FCS is right, -EINVAL when the segment contradicts the
 * transaction (which is then discarded), -EBADMSG when the FCS is wrong (discarded too). */
void meshrpr_pb_adv_rx_reset(struct meshrpr_pb_adv_rx *rx);
int meshrpr_pb_adv_rx_add(struct meshrpr_pb_adv_rx *rx, const struct meshrpr_pb_adv_gp *gp);

/* ---- The bearer ---------------------------------------------------------------------------- */

/* Provisioner side: open a link to the device with this UUID. Link Open is repeated every
 * MESHRPR_PB_ADV_RETRANSMIT_MS until a Link ACK (then cb->link_opened) or until timeout_s
 * (0: 60 s) passes (then cb->link_closed(TIMEOUT)). cb and session may also be set on *link
 * afterwards, before the node's event loop runs again.
 * @return 0; -ENOMEM when every link is busy; -EBUSY when a link to this UUID exists;
 *         -EIO when the random source fails; -EINVAL. */
int meshrpr_pb_adv_link_open(struct meshrpr_node *node, const uint8_t uuid[16], uint32_t timeout_s,
                             const struct meshrpr_prov_bearer_cb *cb, void *session,
                             struct meshrpr_prov_link **link);

/* Device side: accept Link Open for uuid. On a Link Open the bearer replies Link ACK, calls
 * accept (which attaches a session: link->cb and link->session), then cb->link_opened. One
 * link at a time. Disabling stops accepting links; a link already open is left to its
 * session. @return 0 or -EINVAL. */
int meshrpr_pb_adv_device_enable(struct meshrpr_node *node, const uint8_t uuid[16],
                                 void (*accept)(struct meshrpr_node *node,
                                                struct meshrpr_prov_link *link));
void meshrpr_pb_adv_device_disable(struct meshrpr_node *node);

/* Whether the device side has a link (open or closing). */
bool meshrpr_pb_adv_device_link_active(const struct meshrpr_node *node);

/* One PB-ADV AD structure's data (AD type 0x29). Any bytes are safe. */
void meshrpr_pb_adv_recv(struct meshrpr_node *node, const uint8_t *data, size_t len);

/* The node's hook for the host's transmit-complete signal (meshrpr_node_adv_sent()): the
 * retransmit timers waiting for a PDU to leave start. */
void meshrpr_pb_adv_adv_sent(struct meshrpr_node *node);

/* No link in use on either side (the device side may be enabled). */
bool meshrpr_pb_adv_is_idle(const struct meshrpr_node *node);

/* The bearer operations of PB-ADV links (type BT_MESH_PROV_ADV). */
extern const struct meshrpr_prov_bearer_ops meshrpr_pb_adv_ops;

#endif /* MESHRPR_PROV_PB_ADV_H */
