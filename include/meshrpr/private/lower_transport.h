/* SPDX-License-Identifier: Apache-2.0 */
/* Lower transport (SAR) state of a node (not API: complete types so callers can allocate
 * nodes). Owned by src/net/lower_transport.c: the SAR Transmitter and SAR Receiver states
 * (MshPRTv1.1 §4.2.48, §4.2.49), the outgoing and incoming segmented-message contexts and the
 * layer's counters. */
#ifndef MESHRPR_PRIVATE_LOWER_TRANSPORT_H
#define MESHRPR_PRIVATE_LOWER_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <meshrpr/config.h>
#include <meshrpr/timer.h>

struct bt_mesh_send_cb;

/* Largest Upper Transport PDU: 32 access segments of 12 octets (§3.5.2.2). Control messages
 * are smaller (32 segments of 8 octets). */
#define MESHRPR_SAR_PDU_MAX 384

/* Unsegmented sends whose completion callbacks wait for the deferred-completion timer. */
#ifndef MESHRPR_LOWER_DONE_COUNT
#define MESHRPR_LOWER_DONE_COUNT 8
#endif

/* SAR Transmitter state (§4.2.48), each field as encoded on the air (4 bits). */
struct meshrpr_sar_tx_state {
    uint8_t seg_int_step;                       /* segment interval = (v + 1) * 10 ms */
    uint8_t unicast_retrans_count;              /* retransmissions to a unicast DST */
    uint8_t unicast_retrans_without_prog_count; /* ... of them without progress */
    uint8_t unicast_retrans_int_step;           /* (v + 1) * 25 ms */
    uint8_t unicast_retrans_int_inc;            /* (v + 1) * 25 ms per TTL hop above 1 */
    uint8_t multicast_retrans_count;            /* retransmissions to a group/virtual DST */
    uint8_t multicast_retrans_int_step;         /* (v + 1) * 25 ms */
};

/* SAR Receiver state (§4.2.49), each field as encoded on the air. */
struct meshrpr_sar_rx_state {
    uint8_t seg_thresh;        /* 5 bits: acks are repeated when SegN is above it */
    uint8_t ack_delay_inc;     /* 3 bits: ack delay = (v + 1.5) segment reception intervals */
    uint8_t discard_timeout;   /* 4 bits: (v + 1) * 5 s */
    uint8_t rx_seg_int_step;   /* 4 bits: segment reception interval = (v + 1) * 10 ms */
    uint8_t ack_retrans_count; /* 2 bits: repeats of an ack sent by the ack timer */
};

/* One outgoing segmented message. */
struct meshrpr_node;

struct meshrpr_sar_tx_ctx {
    struct meshrpr_timer timer; /* segment interval, then the retransmissions timer */
    const struct bt_mesh_send_cb *cb;
    void *cb_data;
    uint32_t seq_auth; /* SEQ of SeqAuth (the first segment's first transmission) */
    uint32_t iv_index; /* IV Index of SeqAuth: every segment uses it */
    uint32_t acked;    /* segments acknowledged so far (BlockAck bits) */
    uint16_t net_idx;
    uint16_t src;
    uint16_t dst;
    uint16_t len;
    uint8_t index;             /* position in meshrpr_lower_transport.tx (constant) */
    struct meshrpr_node *node; /* owner: the table may live outside the node */
    uint8_t hdr;               /* AKF | AID, or the control opcode */
    uint8_t ttl;
    uint8_t seg_n;
    uint8_t next_seg;         /* next segment to consider in the current round */
    uint8_t round;            /* 0 for the first transmission of the segments */
    uint8_t retrans_left;     /* remaining retransmission rounds */
    uint8_t no_progress_left; /* unicast: remaining rounds without progress */
    bool busy;
    bool ctl;
    bool szmic;
    bool multicast; /* group or virtual DST: never acknowledged */
    bool waiting;   /* all segments of the round sent: the retransmissions timer's turn */
    /* Waiting for the host to report the last segment sent (tx_id) on air (platform.h,
     * adv_send): the next segment, or the retransmissions timer, starts from there. */
    bool on_air_wait;
    uint32_t tx_id;     /* adv_send handle of the last segment sent */
    bool seq_auth_sent; /* the SeqAuth SEQ has been used by a transmission */
    bool start_pending; /* cb->start not yet called */
    uint8_t pdu[MESHRPR_SAR_PDU_MAX];
};

/* States of a reassembly context. */
#define MESHRPR_SAR_RX_FREE      0
#define MESHRPR_SAR_RX_ACTIVE    1 /* collecting segments */
#define MESHRPR_SAR_RX_COMPLETE  2 /* delivered: remembered to re-acknowledge repeats */
#define MESHRPR_SAR_RX_DISCARDED 3 /* discard timer expired: later segments are late */

/* The segmented message a (SRC, DST) pair is sending us, or the last one it sent. */
struct meshrpr_sar_rx_ctx {
    struct meshrpr_timer ack_timer;
    struct meshrpr_timer discard_timer;
    uint64_t seq_auth; /* IV Index << 24 | SEQ */
    uint64_t last_ack_ms;
    uint64_t used_ms; /* last change, for choosing a context to reuse */
    uint32_t block;   /* segments received */
    uint16_t net_idx;
    uint16_t src;
    uint16_t dst;
    uint16_t len; /* total length, known once the last segment arrived */
    uint8_t index;
    struct meshrpr_node *node; /* owner: the table may live outside the node */
    uint8_t state;
    uint8_t hdr; /* AKF | AID, or the control opcode */
    uint8_t seg_n;
    uint8_t acks_left; /* ack repeats left after the ack timer's ack */
    bool ctl;
    bool szmic;
    bool ttl_zero; /* the first segment came with TTL 0: so do the acks (§3.5.3.4) */
    uint8_t pdu[MESHRPR_SAR_PDU_MAX];
};

/* An unsegmented send whose callbacks run from the deferred-completion timer. */
struct meshrpr_lower_done {
    const struct bt_mesh_send_cb *cb;
    void *cb_data;
};

struct meshrpr_lower_transport {
    struct meshrpr_sar_tx_state sar_tx;
    struct meshrpr_sar_rx_state sar_rx;
    /* Segmentation and reassembly contexts: tx_storage and rx_storage, or the application's
     * (struct meshrpr_node_capacity). */
    struct meshrpr_sar_tx_ctx *tx;
    struct meshrpr_sar_rx_ctx *rx;
    uint8_t tx_count;
    uint8_t rx_count;
    struct meshrpr_sar_tx_ctx tx_storage[MESHRPR_SAR_TX_COUNT];
    struct meshrpr_sar_rx_ctx rx_storage[MESHRPR_SAR_RX_COUNT];
    struct meshrpr_lower_done done[MESHRPR_LOWER_DONE_COUNT];
    uint8_t done_head;
    uint8_t done_count;
    struct meshrpr_timer done_timer;

    /* Counters for tests, the tool and benchmarks. */
    uint32_t tx_seg_count;     /* segment transmissions, retransmissions included */
    uint32_t tx_retrans_count; /* segment retransmissions */
    uint32_t tx_complete_count;
    uint32_t tx_timeout_count;
    uint32_t tx_cancel_count;
    uint32_t rx_seg_count; /* new segments stored */
    uint32_t rx_complete_count;
    uint32_t rx_discard_count;
    uint32_t rx_reject_count; /* no free reassembly context */
    uint32_t rx_drop_count;   /* malformed, replayed, late or foreign PDUs */
    uint32_t ack_tx_count;
    uint32_t ack_rx_count; /* valid acks for one of our transfers */
};

#endif /* MESHRPR_PRIVATE_LOWER_TRANSPORT_H */
