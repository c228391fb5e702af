/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PB-ADV bearer and Unprovisioned Device beacon state of a node (not API). Owned by
 * src/prov/pb_adv.c and src/prov/unprov_beacon.c. A zeroed struct is a valid idle state: the
 * node needs no init call for either module.
 */
#ifndef MESHRPR_PRIVATE_PB_ADV_H
#define MESHRPR_PRIVATE_PB_ADV_H

#include <stdbool.h>
#include <stdint.h>

#include <meshrpr/config.h>
#include <meshrpr/prov.h>
#include <meshrpr/timer.h>

/* struct meshrpr_prov_link, the part every provisioning bearer's link shares, is defined in
 * the library's internal bearer interface; a PB-ADV link embeds it, so it is needed here. */
#include <meshrpr/private/prov_bearer.h>

struct meshrpr_node;

/** Provisioner-side PB-ADV links of one node (several devices provisioned at once, or the
 *  Remote Provisioning Server's link plus local provisioning). */
#ifndef MESHRPR_PB_ADV_LINK_COUNT
#define MESHRPR_PB_ADV_LINK_COUNT 4
#endif

/** Largest Provisioning PDU (type octet included) the bearer sends or reassembles. 66 covers
 *  every Provisioning PDU of MshPRTv1.1 §5.4.1 except long Provisioning Record fragments. */
#ifndef MESHRPR_PB_ADV_PDU_MAX
#define MESHRPR_PB_ADV_PDU_MAX 66
#endif

/* Segments of the largest PDU: a 20-octet Transaction Start, then 23-octet Continuations
 * (MshPRTv1.1 §5.3.1.2-§5.3.1.3). */
#define MESHRPR_PB_ADV_SEG_MAX (1 + (MESHRPR_PB_ADV_PDU_MAX - 20 + 22) / 23)

MESHRPR_STATIC_ASSERT(MESHRPR_PB_ADV_LINK_COUNT >= 1 && MESHRPR_PB_ADV_LINK_COUNT <= 64,
                      "PB-ADV link count");
MESHRPR_STATIC_ASSERT(MESHRPR_PB_ADV_PDU_MAX >= 66 && MESHRPR_PB_ADV_PDU_MAX <= 20 + 31 * 23,
                      "PB-ADV PDU size: at least Public Key + HMAC, at most 32 segments");

/* Reassembly of one incoming transaction (pure state, driven by meshrpr_pb_adv_rx_add()). */
struct meshrpr_pb_adv_rx {
    uint8_t buf[MESHRPR_PB_ADV_PDU_MAX];
    uint8_t seg_len[MESHRPR_PB_ADV_SEG_MAX]; /* length of each segment received so far */
    uint32_t received;                       /* bit i: segment i is in buf */
    uint16_t total_len;                      /* from the Transaction Start; 0 before it */
    uint8_t seg_n;                           /* last segment number, valid with total_len */
    uint8_t fcs;                             /* from the Transaction Start */
};

/* One PB-ADV link (either role). The bearer-independent part comes first so a
 * struct meshrpr_prov_link pointer converts back to this struct. */
struct meshrpr_pb_adv_link {
    struct meshrpr_prov_link link;
    struct meshrpr_node *node;
    uint8_t state; /* enum in pb_adv.c; 0 = free */
    bool device;   /* PB-ADV Server side (the device being provisioned) */
    uint32_t link_id;
    uint8_t uuid[16];
    uint32_t establish_timeout_ms; /* provisioner: link establishment timer (§5.3.2) */
    bool pdu_seen;                 /* a Provisioning PDU went either way: link timer stopped */

    /* Closing: the reason reported once the Link Close has left. */
    uint8_t close_reason;
    int close_tx_err; /* completion error of a send still pending when the link goes down */
    /* Closed by us, lingering: Link Close bursts still to repeat, and the adv_send handle of
     * the last one (a peer still talking on the link is answered once per burst). */
    uint8_t close_bursts_left;
    uint32_t close_tx_id;
    /* Device: retransmissions of our PDU in flight without a word from the provisioner, and
     * whether that PDU is our last (Complete or Failed): either makes the link stale, so a
     * fresh Link Open may replace it. */
    uint8_t tx_unanswered;
    bool tx_final;

    /* Outgoing transaction: one Provisioning PDU in flight (§5.3.3). */
    bool tx_busy;
    uint8_t tx_id;      /* Transaction Number of the PDU in flight (or last sent) */
    uint8_t tx_next_id; /* number of the next new transaction */
    uint8_t tx_pdu[MESHRPR_PB_ADV_PDU_MAX];
    uint16_t tx_len;
    meshrpr_prov_send_complete_t tx_complete;
    void *tx_cb_data;

    /* Incoming transactions. */
    bool rx_any;     /* a transaction was completed on this link */
    uint8_t rx_last; /* number of the last completed (and acknowledged) transaction */
    bool rx_active;  /* a transaction is being reassembled */
    uint8_t rx_id;   /* its number */
    struct meshrpr_pb_adv_rx rx;

    /* The retransmit timer waits for our last PDU (retransmit_tx_id) to leave the advertiser
     * before it starts with retransmit_delay_ms (include/meshrpr/platform.h, adv_send). */
    bool retransmit_on_air_wait;
    uint32_t retransmit_tx_id;
    uint32_t retransmit_delay_ms;
    uint32_t ack_tx_id; /* adv_send handle of our last Transaction Ack */
    bool peer_failed;   /* Provisioning Failed received: only the Link Close may follow */

    struct meshrpr_timer retransmit; /* Link Open / transaction retransmission, Link Close */
    struct meshrpr_timer timeout;    /* link establishment, link timer or transaction timer */
};

/* Unprovisioned Device beacon (MshPRTv1.1 §3.10.2). */
struct meshrpr_unprov_beacon {
    struct meshrpr_timer timer;
    bool enabled;   /* started by the device role, until stopped or provisioned */
    bool suspended; /* a PB-ADV link is open on the device side */
    uint8_t uuid[16];
    uint16_t oob_info;
    bool has_uri;
    uint8_t uri_hash[4];
    uint8_t uri[29]; /* URI AD data (scheme code point first), sent as AD type 0x24 */
    uint8_t uri_len;
    uint32_t interval_ms; /* 0: the default */
};

struct meshrpr_pb_adv_state {
    bool timing_set; /* timing holds the user's values; the defaults otherwise */
    struct meshrpr_pb_adv_timing timing;
    struct meshrpr_pb_adv_link links[MESHRPR_PB_ADV_LINK_COUNT]; /* provisioner side */
    struct meshrpr_pb_adv_link dev_link;                         /* device side */
    bool dev_enabled;
    uint8_t dev_uuid[16];
    void (*dev_accept)(struct meshrpr_node *node, struct meshrpr_prov_link *link);
    struct meshrpr_unprov_beacon beacon;
};

#endif /* MESHRPR_PRIVATE_PB_ADV_H */
