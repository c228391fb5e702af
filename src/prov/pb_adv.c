/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PB-ADV, the provisioning bearer on advertising (MshPRTv1.1 §5.2.1, §5.3). A provisioner
 * opens links to device UUIDs (MESHRPR_PB_ADV_LINK_COUNT at once); a device accepts one link
 * at a time. Each Provisioning PDU travels as one transaction: segmented into a Transaction
 * Start and Continuations, checked by an FCS, acknowledged by a Transaction Ack and
 * retransmitted until then.
 *
 * Timing and transmissions (the specification leaves them to the implementation except where
 * a section is cited):
 *  - Link Open and transaction segments: two transmissions 20 ms apart per send, the whole
 *    PDU (every segment) repeated every 500 ms until acknowledged, as Zephyr and BlueZ do.
 *  - Link ACK and Transaction Ack: three transmissions 20 ms apart (Zephyr's
 *    BT_MESH_TRANSMIT(2, 20)); repeated whenever a duplicate arrives.
 *  - Link Close: a burst of close_count transmissions 20 ms apart (§5.3.1.4.3 asks for at
 *    least three); the session hears link_closed as soon as that burst has left, together
 *    with the completion of a send in flight. The Link Close is unacknowledged, so the slot
 *    then lingers for MESHRPR_PB_ADV_LINGER_MS with only the Link ID: it repeats the burst
 *    (MESHRPR_PB_ADV_CLOSE_BURSTS in all, MESHRPR_PB_ADV_CLOSE_REPEAT_MS apart) and answers
 *    whatever the peer still sends on that link (a retransmitted Provisioning Complete: it
 *    missed the close) with another burst. A new link may take a lingering slot.
 *  - A device whose open link is stale (its last PDU, Complete or Failed, is out; or its PDU
 *    in flight went unanswered for MESHRPR_PB_ADV_STALE_RETRANSMITS retransmissions) takes a
 *    fresh Link Open for its UUID under another Link ID: the old provisioner's Link Close was
 *    lost (device_link_stale()).
 *  - Link establishment: 60 s unless the caller gives another (§5.3.2); link timer 60 s from
 *    link open until the first Provisioning PDU (§5.2.1); transaction timer 30 s from the
 *    first transmission of a transaction (§5.3.3). Each expiry closes the link with Timeout.
 *  - No random 20-50 ms delay before each PDU (§5.3.3): the host adds its advertising delay,
 *    and the order of our PDUs (Ack before the answer) is what matters.
 *
 * Robustness rules beyond the letter of §5.3.3, each learnt from deployed peers:
 *  - The peer's next Provisioning PDU acknowledges ours: some devices answer at once and
 *    never send the Transaction Ack (Zephyr issue #71422 shows the other half of the race).
 *    A peer's Link Close with reason Success likewise completes a PDU still in flight.
 *  - A duplicate transaction (one already acknowledged) is acknowledged again and not
 *    delivered; a duplicate Link ACK is ignored; a repeated Link Open is answered again.
 *  - After the first transaction, only the previous (duplicate) or the next Transaction
 *    Number is taken from the peer, so a stale retransmission is never delivered twice.
 *  - We send the SegN of §5.3.1.2, and also accept the one-too-many SegN that senders of the
 *    Zephyr family announce for 43-, 66-octet... PDUs.
 */
#include "prov/pb_adv.h"

#include <errno.h>
#include <string.h>

#define MESHRPR_LOG_MODULE "pb_adv"
#include "core/log.h"

#include "node/node_services.h"
#include "prov/unprov_beacon.h"

#include <meshrpr/util.h>

/* BT_MESH_PROV_ADV of Zephyr's bt_mesh_prov_bearer_t (BIT(0)). */
#define PB_ADV_BEARER_TYPE 0x01

enum link_state {
    LINK_FREE = 0,
    LINK_OPENING, /* provisioner: Link Open sent, waiting for Link ACK */
    LINK_OPEN,
    LINK_CLOSING, /* our first Link Close burst on its way; link_closed follows */
    LINK_LINGER,  /* closed by us: no session, Link Close repeated and answered (see top) */
};

/* Transaction Numbers (§5.2.1): the provisioner uses 0x00..0x7F, the device 0x80..0xFF, each
 * wrapping within its half. */
#define TN_PROVISIONER_FIRST 0x00
#define TN_DEVICE_FIRST      0x80

/* Defaults of struct meshrpr_pb_adv_timing (include/meshrpr/prov.h). */
static const struct meshrpr_pb_adv_timing timing_default = {
    .retransmit_ms = MESHRPR_PB_ADV_RETRANSMIT_MS,
    .retransmit_jitter_ms = 50,
    .tx_interval_ms = 20,
    .data_count = 2,
    .ack_count = 3,
    .close_count = MESHRPR_PB_ADV_CLOSE_COUNT,
};

/* Provisioning Failed (MshPRTv1.1 §5.4.1.10): the one PDU after which we send nothing but the
 * Link Close (§5.4.4). */
#define PROV_PDU_TYPE_FAILED 0x09
/* Provisioning Complete (§5.4.1.9): the device's last PDU on success. */
#define PROV_PDU_TYPE_COMPLETE 0x08

static int link_send(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len,
                     meshrpr_prov_send_complete_t complete, void *cb_data);
static void link_close(struct meshrpr_prov_link *link, enum meshrpr_prov_link_status reason);

const struct meshrpr_prov_bearer_ops meshrpr_pb_adv_ops = {
    .type = PB_ADV_BEARER_TYPE,
    .send = link_send,
    .close = link_close,
};

/* ---- Pure codec ----------------------------------------------------------------------------- */

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

uint8_t meshrpr_pb_adv_fcs(const uint8_t *data, size_t len)
{
    /* 3GPP TS 27.010 §5.2.1.6: polynomial x^8 + x^2 + x + 1 processed least significant bit
     * first (reflected: 0xE0), register preset to 0xFF, the FCS is the ones' complement. */
    uint8_t crc = 0xff;

    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc & 1) ? (uint8_t)((crc >> 1) ^ 0xe0) : (uint8_t)(crc >> 1);
        }
    }
    return (uint8_t)(crc ^ 0xff);
}

uint8_t meshrpr_pb_adv_seg_n(size_t len)
{
    /* §5.3.1.2: segment 0 carries 20 octets, every further one 23; SegN = ceil((L - 20) / 23).
     * (Zephyr's 1 + (L - 20) / 23 is one too many for L = 43, 66, ...) */
    if (len <= MESHRPR_PB_ADV_START_DATA_MAX) {
        return 0;
    }
    return (uint8_t)((len - MESHRPR_PB_ADV_START_DATA_MAX + MESHRPR_PB_ADV_CONT_DATA_MAX - 1) /
                     MESHRPR_PB_ADV_CONT_DATA_MAX);
}

/* Length of segment seg of a PDU of total_len octets whose last segment is seg_n. */
static size_t seg_len(size_t total_len, uint8_t seg_n, uint8_t seg)
{
    if (seg == 0) {
        return seg_n == 0 ? total_len : MESHRPR_PB_ADV_START_DATA_MAX;
    }
    if (seg < seg_n) {
        return MESHRPR_PB_ADV_CONT_DATA_MAX;
    }
    return total_len - MESHRPR_PB_ADV_START_DATA_MAX -
           (size_t)(seg_n - 1) * MESHRPR_PB_ADV_CONT_DATA_MAX;
}

static size_t seg_offset(uint8_t seg)
{
    return seg == 0
               ? 0
               : MESHRPR_PB_ADV_START_DATA_MAX + (size_t)(seg - 1) * MESHRPR_PB_ADV_CONT_DATA_MAX;
}

int meshrpr_pb_adv_gp_decode(const uint8_t *data, size_t len, struct meshrpr_pb_adv_gp *gp)
{
    if (data == NULL || gp == NULL || len < 1 || len > MESHRPR_PB_ADV_GP_MTU) {
        return -EINVAL;
    }
    memset(gp, 0, sizeof(*gp));
    gp->gpcf = data[0] & 0x03;
    switch (gp->gpcf) {
    case MESHRPR_PB_ADV_GPCF_START:
        /* §5.3.1.2: SegN | TotalLength (2) | FCS | segment 0 (1..20 octets). */
        if (len < 5) {
            return -EINVAL;
        }
        gp->seg = data[0] >> 2;
        gp->total_len = (uint16_t)(data[1] << 8 | data[2]);
        gp->fcs = data[3];
        gp->data = &data[4];
        gp->data_len = len - 4;
        return gp->data_len <= MESHRPR_PB_ADV_START_DATA_MAX ? 0 : -EINVAL;
    case MESHRPR_PB_ADV_GPCF_ACK:
        /* §5.3.1.3 (Table 5.10): the upper six bits are padding; nothing follows. */
        return len == 1 ? 0 : -EINVAL;
    case MESHRPR_PB_ADV_GPCF_CONT:
        /* §5.3.1.4: SegmentIndex | segment (1..23 octets); index 0 is the Start's. */
        gp->seg = data[0] >> 2;
        gp->data = &data[1];
        gp->data_len = len - 1;
        return gp->seg != 0 && gp->data_len >= 1 ? 0 : -EINVAL;
    default:
        /* §5.3.1.5: BearerOpcode | parameters. */
        gp->opcode = data[0] >> 2;
        switch (gp->opcode) {
        case MESHRPR_PB_ADV_LINK_OPEN:
            if (len != 17) {
                return -EINVAL;
            }
            gp->uuid = &data[1];
            return 0;
        case MESHRPR_PB_ADV_LINK_ACK:
            return len == 1 ? 0 : -EINVAL;
        case MESHRPR_PB_ADV_LINK_CLOSE:
            if (len != 2) {
                return -EINVAL;
            }
            gp->reason = data[1];
            return 0;
        default:
            return -ENOTSUP; /* RFU opcodes */
        }
    }
}

int meshrpr_pb_adv_gp_encode(const struct meshrpr_pb_adv_gp *gp, uint8_t *out)
{
    if (gp == NULL || out == NULL) {
        return -EINVAL;
    }
    switch (gp->gpcf) {
    case MESHRPR_PB_ADV_GPCF_START:
        if (gp->seg > 63 || gp->data == NULL || gp->data_len < 1 ||
            gp->data_len > MESHRPR_PB_ADV_START_DATA_MAX) {
            return -EINVAL;
        }
        out[0] = (uint8_t)(gp->seg << 2 | MESHRPR_PB_ADV_GPCF_START);
        out[1] = (uint8_t)(gp->total_len >> 8);
        out[2] = (uint8_t)gp->total_len;
        out[3] = gp->fcs;
        memcpy(&out[4], gp->data, gp->data_len);
        return (int)(4 + gp->data_len);
    case MESHRPR_PB_ADV_GPCF_ACK:
        out[0] = MESHRPR_PB_ADV_GPCF_ACK;
        return 1;
    case MESHRPR_PB_ADV_GPCF_CONT:
        if (gp->seg < 1 || gp->seg > 63 || gp->data == NULL || gp->data_len < 1 ||
            gp->data_len > MESHRPR_PB_ADV_CONT_DATA_MAX) {
            return -EINVAL;
        }
        out[0] = (uint8_t)(gp->seg << 2 | MESHRPR_PB_ADV_GPCF_CONT);
        memcpy(&out[1], gp->data, gp->data_len);
        return (int)(1 + gp->data_len);
    case MESHRPR_PB_ADV_GPCF_CTL:
        out[0] = (uint8_t)(gp->opcode << 2 | MESHRPR_PB_ADV_GPCF_CTL);
        switch (gp->opcode) {
        case MESHRPR_PB_ADV_LINK_OPEN:
            if (gp->uuid == NULL) {
                return -EINVAL;
            }
            memcpy(&out[1], gp->uuid, 16);
            return 17;
        case MESHRPR_PB_ADV_LINK_ACK:
            return 1;
        case MESHRPR_PB_ADV_LINK_CLOSE:
            out[1] = gp->reason;
            return 2;
        default:
            return -EINVAL;
        }
    default:
        return -EINVAL;
    }
}

int meshrpr_pb_adv_segment(const uint8_t *pdu, size_t len, uint8_t seg, uint8_t *out)
{
    struct meshrpr_pb_adv_gp gp = { 0 };
    uint8_t seg_n;

    if (pdu == NULL || len < 1 || len > MESHRPR_PB_ADV_PDU_MAX) {
        return -EINVAL;
    }
    seg_n = meshrpr_pb_adv_seg_n(len);
    if (seg > seg_n) {
        return -EINVAL;
    }
    if (seg == 0) {
        gp.gpcf = MESHRPR_PB_ADV_GPCF_START;
        gp.seg = seg_n;
        gp.total_len = (uint16_t)len;
        gp.fcs = meshrpr_pb_adv_fcs(pdu, len);
    } else {
        gp.gpcf = MESHRPR_PB_ADV_GPCF_CONT;
        gp.seg = seg;
    }
    gp.data = &pdu[seg_offset(seg)];
    gp.data_len = seg_len(len, seg_n, seg);
    return meshrpr_pb_adv_gp_encode(&gp, out);
}

void meshrpr_pb_adv_rx_reset(struct meshrpr_pb_adv_rx *rx)
{
    rx->received = 0;
    rx->total_len = 0;
    rx->seg_n = 0;
    rx->fcs = 0;
    memset(rx->seg_len, 0, sizeof(rx->seg_len));
}

static uint32_t all_segments(uint8_t seg_n)
{
    return seg_n >= 31 ? UINT32_MAX : (1u << (seg_n + 1)) - 1;
}

static int rx_discard(struct meshrpr_pb_adv_rx *rx, int err)
{
    meshrpr_pb_adv_rx_reset(rx);
    return err;
}

/* SegN as announced, mapped to the one the transaction really has. §5.3.1.2 gives
 * ceil((L - 20) / 23); senders of the Zephyr family (Zephyr, NimBLE, ESP-IDF) announce
 * 1 + (L - 20) / 23, one more for L = 43, 66, ... but send only the segments the data fills, so
 * that value is taken as the correct one. @return the SegN, or -1 when it cannot be right. */
static int start_seg_n(size_t total, uint8_t announced)
{
    const uint8_t seg_n = meshrpr_pb_adv_seg_n(total);

    if (announced == seg_n) {
        return seg_n;
    }
    if (total > MESHRPR_PB_ADV_START_DATA_MAX &&
        announced == 1 + (total - MESHRPR_PB_ADV_START_DATA_MAX) / MESHRPR_PB_ADV_CONT_DATA_MAX) {
        return seg_n;
    }
    return -1;
}

static int rx_add_start(struct meshrpr_pb_adv_rx *rx, const struct meshrpr_pb_adv_gp *gp)
{
    const size_t total = gp->total_len;
    const int seg_n = start_seg_n(total, gp->seg);

    if (rx->total_len != 0) {
        /* A retransmitted Start repeats the first; a different one contradicts it. */
        if (total != rx->total_len || seg_n != rx->seg_n || gp->fcs != rx->fcs ||
            gp->data_len != rx->seg_len[0]) {
            return rx_discard(rx, -EINVAL);
        }
        return 0;
    }
    /* §5.3.1.2: TotalLength and SegN must agree, and segment 0 is full unless it is the only
     * one. */
    if (total < 1 || total > MESHRPR_PB_ADV_PDU_MAX || seg_n < 0 ||
        gp->data_len != seg_len(total, (uint8_t)seg_n, 0)) {
        return rx_discard(rx, -EINVAL);
    }
    /* Continuations that arrived before the Start must fit the transaction it announces. */
    for (uint8_t i = 1; i < MESHRPR_PB_ADV_SEG_MAX; i++) {
        if ((rx->received & (1u << i)) != 0 &&
            (i > seg_n || rx->seg_len[i] != seg_len(total, (uint8_t)seg_n, i))) {
            return rx_discard(rx, -EINVAL);
        }
    }
    rx->total_len = (uint16_t)total;
    rx->seg_n = (uint8_t)seg_n;
    rx->fcs = gp->fcs;
    memcpy(rx->buf, gp->data, gp->data_len);
    rx->seg_len[0] = (uint8_t)gp->data_len;
    rx->received |= 1u;
    return 0;
}

static int rx_add_cont(struct meshrpr_pb_adv_rx *rx, const struct meshrpr_pb_adv_gp *gp)
{
    const uint8_t i = gp->seg;
    const size_t off = seg_offset(i);

    if (i < 1 || i >= MESHRPR_PB_ADV_SEG_MAX || gp->data_len < 1 ||
        gp->data_len > MESHRPR_PB_ADV_CONT_DATA_MAX || off + gp->data_len > sizeof(rx->buf)) {
        return rx_discard(rx, -EINVAL);
    }
    if (rx->total_len != 0 &&
        (i > rx->seg_n || gp->data_len != seg_len(rx->total_len, rx->seg_n, i))) {
        return rx_discard(rx, -EINVAL);
    }
    if ((rx->received & (1u << i)) != 0) {
        return rx->seg_len[i] == gp->data_len ? 0 : rx_discard(rx, -EINVAL);
    }
    memcpy(&rx->buf[off], gp->data, gp->data_len);
    rx->seg_len[i] = (uint8_t)gp->data_len;
    rx->received |= 1u << i;
    return 0;
}

int meshrpr_pb_adv_rx_add(struct meshrpr_pb_adv_rx *rx, const struct meshrpr_pb_adv_gp *gp)
{
    int err;

    if (rx == NULL || gp == NULL || (gp->data == NULL && gp->data_len > 0)) {
        return -EINVAL;
    }
    if (gp->gpcf == MESHRPR_PB_ADV_GPCF_START) {
        err = rx_add_start(rx, gp);
    } else if (gp->gpcf == MESHRPR_PB_ADV_GPCF_CONT) {
        err = rx_add_cont(rx, gp);
    } else {
        return -EINVAL;
    }
    if (err != 0 || rx->total_len == 0 || rx->received != all_segments(rx->seg_n)) {
        return err;
    }
    /* §5.3.1.1: a transaction with a wrong FCS is dropped silently (and not acknowledged). */
    if (meshrpr_pb_adv_fcs(rx->buf, rx->total_len) != rx->fcs) {
        return rx_discard(rx, -EBADMSG);
    }
    return 1;
}

/* ---- Transmission -----------------------------------------------------------------------------
 */

static struct meshrpr_pb_adv_link *adv_link(struct meshrpr_prov_link *link)
{
    return MESHRPR_CONTAINER_OF(link, struct meshrpr_pb_adv_link, link);
}

static const struct meshrpr_pb_adv_timing *timing_of(const struct meshrpr_node *node)
{
    return node->pb_adv.timing_set ? &node->pb_adv.timing : &timing_default;
}

static struct meshrpr_adv_params adv_params(const struct meshrpr_node *node, uint8_t count)
{
    const struct meshrpr_adv_params params = { .count = count,
                                               .interval_ms = timing_of(node)->tx_interval_ms };
    return params;
}

/* One PB-ADV PDU: Link ID | Transaction Number | Generic Provisioning PDU (§5.2.1). */
static int pdu_send(struct meshrpr_pb_adv_link *l, uint8_t tn, const uint8_t *gp, size_t gp_len,
                    uint8_t count)
{
    const struct meshrpr_adv_params params = adv_params(l->node, count);
    struct meshrpr_node *node = l->node;
    uint8_t buf[MESHRPR_PB_ADV_PDU_OVERHEAD + MESHRPR_PB_ADV_GP_MTU];
    int err;

    if (node->platform.adv_send == NULL) {
        return -ENOTSUP;
    }
    put_be32(buf, l->link_id);
    buf[4] = tn;
    memcpy(&buf[MESHRPR_PB_ADV_PDU_OVERHEAD], gp, gp_len);
    err = meshrpr_node_adv_send(node, MESHRPR_PB_ADV_AD_TYPE, buf,
                                MESHRPR_PB_ADV_PDU_OVERHEAD + gp_len, &params);
    if (err != 0) {
        /* The retransmission timers make up for a full host queue. */
        MESHRPR_LOG_WRN(&node->platform, "link 0x%08x: adv_send failed (%d)", (unsigned)l->link_id,
                        err);
    }
    return err;
}

/* Bearer Control PDUs carry Transaction Number 0 (§5.2.1). */
static void ctl_send(struct meshrpr_pb_adv_link *l, uint8_t opcode, uint8_t reason)
{
    struct meshrpr_pb_adv_gp gp = {
        .gpcf = MESHRPR_PB_ADV_GPCF_CTL, .opcode = opcode, .reason = reason, .uuid = l->uuid
    };
    uint8_t out[MESHRPR_PB_ADV_GP_MTU];
    int len = meshrpr_pb_adv_gp_encode(&gp, out);

    const struct meshrpr_pb_adv_timing *t = timing_of(l->node);
    const uint8_t count = opcode == MESHRPR_PB_ADV_LINK_OPEN    ? t->data_count
                          : opcode == MESHRPR_PB_ADV_LINK_CLOSE ? t->close_count
                                                                : t->ack_count;

    if (len > 0) {
        (void)pdu_send(l, 0, out, (size_t)len, count);
    }
}

static void ack_send(struct meshrpr_pb_adv_link *l, uint8_t tn)
{
    const uint8_t ack = MESHRPR_PB_ADV_GPCF_ACK;

    if (pdu_send(l, tn, &ack, 1, timing_of(l->node)->ack_count) == 0) {
        l->ack_tx_id = meshrpr_node_adv_last(l->node);
    }
}

/* Every segment of the transaction in flight, in order (§5.3.3). */
static void tx_send_all(struct meshrpr_pb_adv_link *l)
{
    const uint8_t seg_n = meshrpr_pb_adv_seg_n(l->tx_len);
    uint8_t out[MESHRPR_PB_ADV_GP_MTU];

    for (uint8_t seg = 0; seg <= seg_n; seg++) {
        int len = meshrpr_pb_adv_segment(l->tx_pdu, l->tx_len, seg, out);
        if (len <= 0 ||
            pdu_send(l, l->tx_id, out, (size_t)len, timing_of(l->node)->data_count) != 0) {
            return;
        }
    }
}

static uint8_t tn_next(uint8_t tn)
{
    return (uint8_t)(((tn + 1) & 0x7f) | (tn & 0x80));
}

/* ---- Link life cycle --------------------------------------------------------------------------
 */

static void retransmit_expired(struct meshrpr_timer *timer);
static void timeout_expired(struct meshrpr_timer *timer);

/* Arm the retransmit timer delay_ms after the PDUs just sent have left the advertiser
 * (include/meshrpr/platform.h, adv_send): a queue in the host never makes us repeat a PDU
 * that has not gone out yet. */
static void retransmit_arm(struct meshrpr_pb_adv_link *l, uint32_t delay_ms)
{
    struct meshrpr_node *node = l->node;

    meshrpr_node_timer_cancel(node, &l->retransmit);
    l->retransmit_tx_id = meshrpr_node_adv_last(node);
    l->retransmit_delay_ms = delay_ms;
    l->retransmit_on_air_wait = !meshrpr_node_adv_is_sent(node, l->retransmit_tx_id);
    if (!l->retransmit_on_air_wait) {
        meshrpr_node_timer_start(node, &l->retransmit, delay_ms);
    }
}

/* The retransmission interval with its random jitter. */
static uint32_t retransmit_interval_ms(struct meshrpr_pb_adv_link *l)
{
    const struct meshrpr_pb_adv_timing *t = timing_of(l->node);

    return t->retransmit_ms + (t->retransmit_jitter_ms > 0
                                   ? meshrpr_node_random_range(l->node, 0, t->retransmit_jitter_ms)
                                   : 0);
}

static void retransmit_cancel(struct meshrpr_pb_adv_link *l)
{
    l->retransmit_on_air_wait = false;
    meshrpr_node_timer_cancel(l->node, &l->retransmit);
}

static void link_sent(struct meshrpr_pb_adv_link *l)
{
    if (l->state != LINK_FREE && l->retransmit_on_air_wait &&
        meshrpr_node_adv_is_sent(l->node, l->retransmit_tx_id)) {
        l->retransmit_on_air_wait = false;
        meshrpr_node_timer_start(l->node, &l->retransmit, l->retransmit_delay_ms);
    }
}

void meshrpr_pb_adv_adv_sent(struct meshrpr_node *node)
{
    link_sent(&node->pb_adv.dev_link);
    for (size_t i = 0; i < MESHRPR_PB_ADV_LINK_COUNT; i++) {
        link_sent(&node->pb_adv.links[i]);
    }
}

static void link_setup(struct meshrpr_pb_adv_link *l, struct meshrpr_node *node, bool device,
                       uint32_t link_id, const uint8_t uuid[16])
{
    memset(l, 0, sizeof(*l));
    meshrpr_timer_init(&l->retransmit, retransmit_expired);
    meshrpr_timer_init(&l->timeout, timeout_expired);
    l->link.ops = &meshrpr_pb_adv_ops;
    l->node = node;
    l->device = device;
    l->link_id = link_id;
    memcpy(l->uuid, uuid, 16);
    l->tx_next_id = device ? TN_DEVICE_FIRST : TN_PROVISIONER_FIRST;
}

/* The link is gone: complete a send still in flight, tell the session, then free the slot or,
 * when we closed it (linger), keep only its Link ID to repeat the Link Close. The slot stays
 * CLOSING during the callbacks, so nothing reuses or re-closes it meanwhile. */
static void link_finish_ext(struct meshrpr_pb_adv_link *l, uint8_t reason, int tx_err, bool linger)
{
    struct meshrpr_node *node = l->node;
    const struct meshrpr_prov_bearer_cb *cb = l->link.cb;
    const bool device = l->device;
    enum meshrpr_prov_link_status status = reason <= MESHRPR_PROV_LINK_FAIL
                                               ? (enum meshrpr_prov_link_status)reason
                                               : MESHRPR_PROV_LINK_FAIL; /* "Unrecognized" */

    retransmit_cancel(l);
    meshrpr_node_timer_cancel(node, &l->timeout);
    l->state = LINK_CLOSING;
    MESHRPR_LOG_INF(&node->platform, "link 0x%08x closed (reason 0x%02x)", (unsigned)l->link_id,
                    reason);
    if (l->tx_busy) {
        meshrpr_prov_send_complete_t complete = l->tx_complete;
        l->tx_busy = false;
        l->tx_complete = NULL;
        if (complete != NULL) {
            complete(tx_err, l->tx_cb_data);
        }
    }
    if (cb != NULL && cb->link_closed != NULL) {
        cb->link_closed(&l->link, status);
    }
    if (linger) {
        /* Wipe the PDUs (they include provisioning secrets in transit); keep the Link ID. */
        const uint32_t link_id = l->link_id;
        uint8_t uuid[16];
        memcpy(uuid, l->uuid, sizeof(uuid));
        link_setup(l, node, device, link_id, uuid);
        l->state = LINK_LINGER;
        l->close_reason = reason;
        l->close_bursts_left = MESHRPR_PB_ADV_CLOSE_BURSTS - 1;
        l->close_tx_id = meshrpr_node_adv_last(node);
        retransmit_arm(l, MESHRPR_PB_ADV_CLOSE_REPEAT_MS);
        meshrpr_node_timer_start(node, &l->timeout, MESHRPR_PB_ADV_LINGER_MS);
    } else {
        /* Wipe the PDUs and free the slot. */
        link_setup(l, node, device, 0, (const uint8_t[16]){ 0 });
    }
    if (device) {
        meshrpr_unprov_beacon_suspend(node, false);
    }
}

static void link_finish(struct meshrpr_pb_adv_link *l, uint8_t reason, int tx_err)
{
    link_finish_ext(l, reason, tx_err, false);
}

/* The end of a lingering slot (or a peer that has heard our close): free it. */
static void link_free(struct meshrpr_pb_adv_link *l)
{
    retransmit_cancel(l);
    meshrpr_node_timer_cancel(l->node, &l->timeout);
    link_setup(l, l->node, l->device, 0, (const uint8_t[16]){ 0 });
}

/* One more Link Close burst on a lingering link (§5.3.1.4.3: it is unacknowledged, so a peer
 * that missed every copy would hold its end of the link until its own timers expire). */
static void linger_close_send(struct meshrpr_pb_adv_link *l)
{
    ctl_send(l, MESHRPR_PB_ADV_LINK_CLOSE, l->close_reason);
    l->close_tx_id = meshrpr_node_adv_last(l->node);
}

/* Anything but a Link Close from the peer of a link we closed: it missed our Link Close. One
 * answer per burst: while the last one is still waiting to go out, it answers this copy too. */
static void linger_recv(struct meshrpr_pb_adv_link *l, const struct meshrpr_pb_adv_gp *gp)
{
    if (gp->gpcf == MESHRPR_PB_ADV_GPCF_CTL && gp->opcode == MESHRPR_PB_ADV_LINK_CLOSE) {
        link_free(l);
        return;
    }
    if (meshrpr_node_adv_is_sent(l->node, l->close_tx_id)) {
        linger_close_send(l);
    }
}

/* Close from our side: Link Close (close_count transmissions), then link_finish once they have
 * left. */
static void link_begin_close(struct meshrpr_pb_adv_link *l, uint8_t reason, int tx_err)
{
    struct meshrpr_node *node = l->node;

    if (l->state != LINK_OPENING && l->state != LINK_OPEN) {
        return;
    }
    MESHRPR_LOG_DBG(&node->platform, "link 0x%08x: closing (reason 0x%02x)", (unsigned)l->link_id,
                    reason);
    meshrpr_node_timer_cancel(node, &l->timeout);
    retransmit_cancel(l);
    l->state = LINK_CLOSING;
    l->close_reason = reason;
    l->close_tx_err = tx_err;
    ctl_send(l, MESHRPR_PB_ADV_LINK_CLOSE, reason);
    retransmit_arm(l, 0);
}

static void tx_done(struct meshrpr_pb_adv_link *l, int err)
{
    meshrpr_prov_send_complete_t complete = l->tx_complete;
    void *cb_data = l->tx_cb_data;

    l->tx_busy = false;
    l->tx_complete = NULL;
    l->tx_cb_data = NULL;
    retransmit_cancel(l);
    meshrpr_node_timer_cancel(l->node, &l->timeout);
    if (complete != NULL) {
        complete(err, cb_data);
    }
}

/* The first Provisioning PDU either way stops the link timer (§5.2.1). */
static void link_timer_stop(struct meshrpr_pb_adv_link *l)
{
    if (!l->pdu_seen) {
        l->pdu_seen = true;
        if (!l->tx_busy) {
            meshrpr_node_timer_cancel(l->node, &l->timeout);
        }
    }
}

static void retransmit_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_pb_adv_link *l =
        MESHRPR_CONTAINER_OF(timer, struct meshrpr_pb_adv_link, retransmit);

    switch (l->state) {
    case LINK_OPENING:
        ctl_send(l, MESHRPR_PB_ADV_LINK_OPEN, 0);
        retransmit_arm(l, retransmit_interval_ms(l));
        break;
    case LINK_OPEN:
        if (l->tx_busy) {
            if (l->tx_unanswered < UINT8_MAX) {
                l->tx_unanswered++;
            }
            tx_send_all(l);
            retransmit_arm(l, retransmit_interval_ms(l));
        }
        break;
    case LINK_CLOSING:
        /* The first Link Close burst has left: the link is gone for the session. */
        link_finish_ext(l, l->close_reason, l->close_tx_err, true);
        break;
    case LINK_LINGER:
        if (l->close_bursts_left > 0) {
            l->close_bursts_left--;
            linger_close_send(l);
            retransmit_arm(l, MESHRPR_PB_ADV_CLOSE_REPEAT_MS);
        }
        break;
    default:
        break;
    }
}

static void timeout_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_pb_adv_link *l =
        MESHRPR_CONTAINER_OF(timer, struct meshrpr_pb_adv_link, timeout);
    const struct meshrpr_platform *platform = &l->node->platform;

    if (l->state == LINK_LINGER) {
        link_free(l);
        return;
    }
    if (l->state == LINK_OPENING) {
        MESHRPR_LOG_WRN(platform, "link 0x%08x: no Link ACK, establishment timed out",
                        (unsigned)l->link_id);
    } else if (l->tx_busy) {
        MESHRPR_LOG_WRN(platform, "link 0x%08x: transaction 0x%02x not acknowledged in %u s",
                        (unsigned)l->link_id, l->tx_id,
                        (unsigned)(MESHRPR_PB_ADV_TRANSACTION_TIMEOUT_MS / 1000));
    } else {
        MESHRPR_LOG_WRN(platform, "link 0x%08x: link timer expired", (unsigned)l->link_id);
    }
    link_begin_close(l, MESHRPR_PROV_LINK_TIMEOUT, -ETIMEDOUT);
}

/* ---- Bearer operations ------------------------------------------------------------------------
 */

static int link_send(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len,
                     meshrpr_prov_send_complete_t complete, void *cb_data)
{
    struct meshrpr_pb_adv_link *l;

    if (link == NULL || pdu == NULL || len < 1 || len > MESHRPR_PB_ADV_PDU_MAX) {
        return -EINVAL;
    }
    l = adv_link(link);
    if (l->state != LINK_OPEN) {
        return -ENOTCONN;
    }
    if (l->tx_busy) {
        return -EBUSY;
    }
    if (l->peer_failed && !l->device) {
        return -ECONNRESET; /* §5.4.4: only the Link Close may follow Provisioning Failed */
    }
    memcpy(l->tx_pdu, pdu, len);
    l->tx_len = (uint16_t)len;
    l->tx_id = l->tx_next_id;
    l->tx_next_id = tn_next(l->tx_next_id);
    l->tx_complete = complete;
    l->tx_cb_data = cb_data;
    l->tx_busy = true;
    l->tx_unanswered = 0;
    l->tx_final = pdu[0] == PROV_PDU_TYPE_COMPLETE || pdu[0] == PROV_PDU_TYPE_FAILED;
    l->pdu_seen = true;
    MESHRPR_LOG_DBG(&l->node->platform, "link 0x%08x: tx 0x%02x, PDU type 0x%02x, %u octets",
                    (unsigned)l->link_id, l->tx_id, pdu[0], (unsigned)len);
    tx_send_all(l);
    retransmit_arm(l, retransmit_interval_ms(l));
    meshrpr_node_timer_start(l->node, &l->timeout, MESHRPR_PB_ADV_TRANSACTION_TIMEOUT_MS);
    return 0;
}

static void link_close(struct meshrpr_prov_link *link, enum meshrpr_prov_link_status reason)
{
    struct meshrpr_pb_adv_link *l;

    if (link == NULL) {
        return;
    }
    l = adv_link(link);
    link_begin_close(
        l, (uint8_t)reason <= MESHRPR_PROV_LINK_FAIL ? (uint8_t)reason : MESHRPR_PROV_LINK_FAIL,
        -ECANCELED);
}

/* ---- Public API -------------------------------------------------------------------------------
 */

static bool link_id_used(const struct meshrpr_node *node, uint32_t link_id)
{
    const struct meshrpr_pb_adv_state *s = &node->pb_adv;

    if (s->dev_link.state != LINK_FREE && s->dev_link.link_id == link_id) {
        return true;
    }
    for (size_t i = 0; i < MESHRPR_PB_ADV_LINK_COUNT; i++) {
        if (s->links[i].state != LINK_FREE && s->links[i].link_id == link_id) {
            return true;
        }
    }
    return false;
}

int meshrpr_pb_adv_link_open(struct meshrpr_node *node, const uint8_t uuid[16], uint32_t timeout_s,
                             const struct meshrpr_prov_bearer_cb *cb, void *session,
                             struct meshrpr_prov_link **link)
{
    struct meshrpr_pb_adv_link *l = NULL;
    uint32_t link_id = 0;
    uint64_t timeout_ms;

    if (node == NULL || uuid == NULL || link == NULL) {
        return -EINVAL;
    }
    for (size_t i = 0; i < MESHRPR_PB_ADV_LINK_COUNT; i++) {
        struct meshrpr_pb_adv_link *c = &node->pb_adv.links[i];
        if (c->state == LINK_FREE) {
            l = l != NULL ? l : c;
        } else if (c->state != LINK_CLOSING && c->state != LINK_LINGER &&
                   memcmp(c->uuid, uuid, 16) == 0) {
            return -EBUSY; /* a closing link does not stop a retry towards the same device */
        }
    }
    for (size_t i = 0; l == NULL && i < MESHRPR_PB_ADV_LINK_COUNT; i++) {
        if (node->pb_adv.links[i].state == LINK_LINGER) {
            l = &node->pb_adv.links[i];
            link_free(l); /* a new link matters more than the repeats of an old close */
        }
    }
    if (l == NULL) {
        return -ENOMEM;
    }
    /* §5.3.2: a random Link ID; never 0 (BlueZ ignores such a Link Open) and never one of
     * our own links'. */
    while (link_id == 0 || link_id_used(node, link_id)) {
        uint8_t r[4];
        if (meshrpr_node_random(node, r, sizeof(r)) != 0) {
            return -EIO;
        }
        link_id = get_be32(r);
    }
    timeout_ms =
        (uint64_t)(timeout_s != 0 ? timeout_s : MESHRPR_PB_ADV_LINK_ESTABLISH_TIMEOUT_S) * 1000u;
    link_setup(l, node, false, link_id, uuid);
    l->link.cb = cb;
    l->link.session = session;
    l->establish_timeout_ms = timeout_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)timeout_ms;
    l->state = LINK_OPENING;
    MESHRPR_LOG_INF(&node->platform, "link 0x%08x: opening", (unsigned)link_id);
    ctl_send(l, MESHRPR_PB_ADV_LINK_OPEN, 0);
    retransmit_arm(l, retransmit_interval_ms(l));
    meshrpr_node_timer_start(node, &l->timeout, l->establish_timeout_ms);
    *link = &l->link;
    return 0;
}

int meshrpr_pb_adv_timing_set(struct meshrpr_node *node, const struct meshrpr_pb_adv_timing *timing)
{
    if (node == NULL) {
        return -EINVAL;
    }
    if (timing == NULL) {
        node->pb_adv.timing_set = false;
        return 0;
    }
    if (timing->retransmit_ms < 20 || timing->retransmit_ms > 10000 ||
        timing->retransmit_jitter_ms > timing->retransmit_ms || timing->tx_interval_ms < 10 ||
        timing->tx_interval_ms > 1000 || timing->data_count < 1 || timing->data_count > 8 ||
        timing->ack_count < 1 || timing->ack_count > 8 ||
        timing->close_count < MESHRPR_PB_ADV_CLOSE_COUNT || timing->close_count > 8) {
        return -EINVAL;
    }
    node->pb_adv.timing = *timing;
    node->pb_adv.timing_set = true;
    return 0;
}

void meshrpr_pb_adv_timing_get(const struct meshrpr_node *node,
                               struct meshrpr_pb_adv_timing *timing)
{
    if (node != NULL && timing != NULL) {
        *timing = *timing_of(node);
    }
}

int meshrpr_pb_adv_device_enable(struct meshrpr_node *node, const uint8_t uuid[16],
                                 void (*accept)(struct meshrpr_node *node,
                                                struct meshrpr_prov_link *link))
{
    if (node == NULL || uuid == NULL || accept == NULL) {
        return -EINVAL;
    }
    memcpy(node->pb_adv.dev_uuid, uuid, 16);
    node->pb_adv.dev_accept = accept;
    node->pb_adv.dev_enabled = true;
    return 0;
}

void meshrpr_pb_adv_device_disable(struct meshrpr_node *node)
{
    if (node != NULL) {
        node->pb_adv.dev_enabled = false;
        node->pb_adv.dev_accept = NULL;
    }
}

bool meshrpr_pb_adv_device_link_active(const struct meshrpr_node *node)
{
    /* A lingering link is over: the device beacons again (and accepts a new Link Open). */
    return node->pb_adv.dev_link.state != LINK_FREE && node->pb_adv.dev_link.state != LINK_LINGER;
}

bool meshrpr_pb_adv_is_idle(const struct meshrpr_node *node)
{
    if (node->pb_adv.dev_link.state != LINK_FREE) {
        return false;
    }
    for (size_t i = 0; i < MESHRPR_PB_ADV_LINK_COUNT; i++) {
        if (node->pb_adv.links[i].state != LINK_FREE) {
            return false;
        }
    }
    return true;
}

/* ---- Reception --------------------------------------------------------------------------------
 */

static struct meshrpr_pb_adv_link *link_find(struct meshrpr_node *node, uint32_t link_id)
{
    struct meshrpr_pb_adv_state *s = &node->pb_adv;

    if (s->dev_link.state != LINK_FREE && s->dev_link.link_id == link_id) {
        return &s->dev_link;
    }
    for (size_t i = 0; i < MESHRPR_PB_ADV_LINK_COUNT; i++) {
        if (s->links[i].state != LINK_FREE && s->links[i].link_id == link_id) {
            return &s->links[i];
        }
    }
    return NULL;
}

/* Device side: whether our open link is one its provisioner has left, so a Link Open for our
 * UUID under another Link ID may replace it. §5.3.2 has the device ignore other Link IDs while
 * a link is open, but a Link Close is unacknowledged (§5.3.1.4.3) and may be lost whole;
 * waiting for our own timers (the 30 s transaction timer, the 60 s provisioning timer) would
 * refuse every provisioner meanwhile. Stale is: our last PDU (Complete or Failed) is out, so
 * only the close was still due; or the PDU in flight has gone unanswered for
 * MESHRPR_PB_ADV_STALE_RETRANSMITS retransmissions, when a live provisioner acknowledges every
 * copy. A link quietly waiting for the provisioner's next PDU (the user typing an OOB value)
 * is never stale. */
static bool device_link_stale(const struct meshrpr_pb_adv_link *l)
{
    return l->tx_final || (l->tx_busy && l->tx_unanswered >= MESHRPR_PB_ADV_STALE_RETRANSMITS);
}

/* Device side, no link: a Link Open for our UUID opens one (§5.3.2). */
static void device_link_open(struct meshrpr_node *node, uint32_t link_id, const uint8_t *uuid)
{
    struct meshrpr_pb_adv_state *s = &node->pb_adv;
    struct meshrpr_pb_adv_link *l = &s->dev_link;

    if (!s->dev_enabled || s->dev_accept == NULL || memcmp(uuid, s->dev_uuid, 16) != 0) {
        return; /* not for us: no reply, keep beaconing */
    }
    if (l->state == LINK_LINGER) {
        link_free(l);
    } else if (l->state == LINK_OPEN && device_link_stale(l)) {
        /* The provisioner of the old link has moved on: its Link Close never reached us. */
        MESHRPR_LOG_INF(&node->platform, "link 0x%08x: replaced by a new Link Open",
                        (unsigned)l->link_id);
        link_finish(l, MESHRPR_PROV_LINK_TIMEOUT, -ETIMEDOUT);
    }
    if (l->state != LINK_FREE) {
        return; /* one session at a time (§5.2.1) */
    }
    link_setup(l, node, true, link_id, uuid);
    l->state = LINK_OPEN;
    MESHRPR_LOG_INF(&node->platform, "link 0x%08x: opened by a provisioner", (unsigned)link_id);
    ctl_send(l, MESHRPR_PB_ADV_LINK_ACK, 0);
    meshrpr_unprov_beacon_suspend(node, true);
    meshrpr_node_timer_start(node, &l->timeout, MESHRPR_PB_ADV_LINK_TIMEOUT_MS);
    s->dev_accept(node, &l->link);
    if (l->state != LINK_OPEN) {
        return; /* the provisioning layer refused it */
    }
    if (l->link.cb == NULL) {
        MESHRPR_LOG_WRN(&node->platform, "link 0x%08x: no session attached", (unsigned)link_id);
        link_begin_close(l, MESHRPR_PROV_LINK_FAIL, -ECANCELED);
        return;
    }
    if (l->link.cb->link_opened != NULL) {
        l->link.cb->link_opened(&l->link);
    }
}

static void ctl_recv(struct meshrpr_node *node, struct meshrpr_pb_adv_link *l, uint32_t link_id,
                     const struct meshrpr_pb_adv_gp *gp)
{
    switch (gp->opcode) {
    case MESHRPR_PB_ADV_LINK_OPEN:
        if (l == NULL) {
            device_link_open(node, link_id, gp->uuid);
        } else if (l->device && l->state == LINK_OPEN && memcmp(l->uuid, gp->uuid, 16) == 0) {
            /* The provisioner missed our Link ACK: answer again. */
            ctl_send(l, MESHRPR_PB_ADV_LINK_ACK, 0);
        }
        break;
    case MESHRPR_PB_ADV_LINK_ACK:
        if (l == NULL || l->device || l->state != LINK_OPENING) {
            break; /* duplicate or stray Link ACK */
        }
        retransmit_cancel(l);
        l->state = LINK_OPEN;
        MESHRPR_LOG_INF(&node->platform, "link 0x%08x: open", (unsigned)l->link_id);
        meshrpr_node_timer_start(node, &l->timeout, MESHRPR_PB_ADV_LINK_TIMEOUT_MS);
        if (l->link.cb != NULL && l->link.cb->link_opened != NULL) {
            l->link.cb->link_opened(&l->link);
        }
        break;
    case MESHRPR_PB_ADV_LINK_CLOSE:
        if (l != NULL && (l->state == LINK_OPENING || l->state == LINK_OPEN)) {
            /* A provisioner closes with Success only once it has our last PDU. */
            link_finish(l, gp->reason, gp->reason == MESHRPR_PROV_LINK_SUCCESS ? 0 : -ECONNRESET);
        }
        break;
    default:
        break;
    }
}

static void seg_recv(struct meshrpr_pb_adv_link *l, uint8_t tn, const struct meshrpr_pb_adv_gp *gp)
{
    const struct meshrpr_platform *platform = &l->node->platform;
    int ret;

    if (l->rx_any && tn == l->rx_last) {
        /* §5.3.3: a transaction we already have; our Ack was lost. One Ack per burst of
         * copies: while the last one is still waiting to go out, it answers this copy too. */
        if (meshrpr_node_adv_is_sent(l->node, l->ack_tx_id) && !l->peer_failed) {
            ack_send(l, tn);
        }
        return;
    }
    if (l->rx_any && tn != tn_next(l->rx_last)) {
        MESHRPR_LOG_DBG(platform, "link 0x%08x: unexpected transaction 0x%02x",
                        (unsigned)l->link_id, tn);
        return;
    }
    if (!l->rx_active || l->rx_id != tn) {
        meshrpr_pb_adv_rx_reset(&l->rx);
        l->rx_active = true;
        l->rx_id = tn;
    }
    ret = meshrpr_pb_adv_rx_add(&l->rx, gp);
    if (ret < 0) {
        MESHRPR_LOG_DBG(platform, "link 0x%08x: transaction 0x%02x discarded (%d)",
                        (unsigned)l->link_id, tn, ret);
        l->rx_active = false;
        return;
    }
    if (ret == 0) {
        return;
    }
    l->rx_active = false;
    l->rx_any = true;
    l->rx_last = tn;
    link_timer_stop(l);
    MESHRPR_LOG_DBG(platform, "link 0x%08x: rx 0x%02x, PDU type 0x%02x, %u octets",
                    (unsigned)l->link_id, tn, l->rx.buf[0], (unsigned)l->rx.total_len);
    if (l->rx.buf[0] == PROV_PDU_TYPE_FAILED) {
        /* §5.4.4: after Provisioning Failed the provisioner sends nothing but the Link Close.
         * The session hears of it before the PDU in flight completes, so it never starts the
         * next one it has queued (a Public Key behind a refused Start); the Ack goes out only
         * if the session keeps the link. */
        l->peer_failed = true;
        if (l->link.cb != NULL && l->link.cb->recv != NULL) {
            l->link.cb->recv(&l->link, l->rx.buf, l->rx.total_len);
        }
        if (l->state != LINK_OPEN) {
            return;
        }
        ack_send(l, tn);
        if (l->tx_busy) {
            tx_done(l, 0);
        }
        return;
    }
    /* Ack first, so it goes out before whatever the session answers. */
    ack_send(l, tn);
    if (l->tx_busy) {
        tx_done(l, 0); /* the peer's next PDU acknowledges ours */
        if (l->state != LINK_OPEN) {
            return;
        }
    }
    if (l->link.cb != NULL && l->link.cb->recv != NULL) {
        l->link.cb->recv(&l->link, l->rx.buf, l->rx.total_len);
    }
}

void meshrpr_pb_adv_recv(struct meshrpr_node *node, const uint8_t *data, size_t len)
{
    struct meshrpr_pb_adv_gp gp;
    struct meshrpr_pb_adv_link *l;
    uint32_t link_id;
    uint8_t tn;

    if (node == NULL || data == NULL || len <= MESHRPR_PB_ADV_PDU_OVERHEAD ||
        len > MESHRPR_PB_ADV_PDU_OVERHEAD + MESHRPR_PB_ADV_GP_MTU) {
        return;
    }
    link_id = get_be32(data);
    tn = data[4];
    if (meshrpr_pb_adv_gp_decode(&data[MESHRPR_PB_ADV_PDU_OVERHEAD],
                                 len - MESHRPR_PB_ADV_PDU_OVERHEAD, &gp) != 0) {
        return;
    }
    l = link_find(node, link_id);
    if (l != NULL && l->state == LINK_LINGER) {
        linger_recv(l, &gp);
        return;
    }
    if (l != NULL) {
        l->tx_unanswered = 0; /* the peer is there */
    }
    if (gp.gpcf == MESHRPR_PB_ADV_GPCF_CTL) {
        ctl_recv(node, l, link_id, &gp);
        return;
    }
    if (l == NULL || l->state != LINK_OPEN) {
        return;
    }
    if (gp.gpcf == MESHRPR_PB_ADV_GPCF_ACK) {
        if (l->tx_busy && tn == l->tx_id) {
            tx_done(l, 0);
        }
        return;
    }
    seg_recv(l, tn, &gp);
}
