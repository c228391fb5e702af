/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The provisioning bearer interface (MshPRTv1.1 §5.2): what the Provisioning Protocol needs
 * from a bearer, so the same provisioner and provisionee state machines run over PB-ADV
 * (pb_adv.c), PB-Remote (the Remote Provisioning Client) and the Remote Provisioning Server's
 * local NPPI path. A bearer owns its links; each link carries one provisioning session.
 */
#ifndef MESHRPR_PRIVATE_PROV_BEARER_H
#define MESHRPR_PRIVATE_PROV_BEARER_H

#include <stddef.h>
#include <stdint.h>

/* Why a link closed: the PB-ADV Link Close reasons (§5.3.1.4.3), used by every bearer. */
enum meshrpr_prov_link_status {
    MESHRPR_PROV_LINK_SUCCESS = 0x00,
    MESHRPR_PROV_LINK_TIMEOUT = 0x01,
    MESHRPR_PROV_LINK_FAIL = 0x02,
};

struct meshrpr_prov_link;

/* Completion of one sent Provisioning PDU: 0 when the peer has it (acknowledged, or the peer's
 * next PDU arrived), or a negative errno when the bearer gave up. */
typedef void (*meshrpr_prov_send_complete_t)(int err, void *cb_data);

/* What a bearer tells the session that owns a link. Called from the node's event loop, never
 * re-entrantly from inside ops->send or ops->close. */
struct meshrpr_prov_bearer_cb {
    /* The link is open (provisioner: the peer accepted; device: a provisioner opened it). */
    void (*link_opened)(struct meshrpr_prov_link *link);
    /* One complete Provisioning PDU (type octet first). */
    void (*recv)(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len);
    /* The link is gone (closed by the peer, timed out, or after ops->close finished). The
     * link must not be used afterwards. */
    void (*link_closed)(struct meshrpr_prov_link *link, enum meshrpr_prov_link_status reason);
};

struct meshrpr_prov_bearer_ops {
    /* BT_MESH_PROV_ADV, BT_MESH_PROV_GATT or BT_MESH_PROV_REMOTE (bt_mesh_prov_bearer_t). */
    uint8_t type;
    /* Send one Provisioning PDU (1..66 octets with the type octet). One PDU in flight per link:
     * -EBUSY while the previous one is not complete. */
    int (*send)(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len,
                meshrpr_prov_send_complete_t complete, void *cb_data);
    /* Close the link with a reason, telling the peer; link_closed follows. */
    void (*close)(struct meshrpr_prov_link *link, enum meshrpr_prov_link_status reason);
};

/* The part of a link every bearer shares: embedded first in each bearer's own link struct. */
struct meshrpr_prov_link {
    const struct meshrpr_prov_bearer_ops *ops;
    const struct meshrpr_prov_bearer_cb *cb;
    void *session; /* the provisioning session that owns the link */
};

#endif /* MESHRPR_PRIVATE_PROV_BEARER_H */
