/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lower transport layer (MshPRTv1.1 §3.5): unsegmented and segmented access and control PDUs,
 * the Mesh 1.1 SAR transmitter (§3.5.3.3) and receiver (§3.5.3.4) driven by the SAR
 * Transmitter and SAR Receiver states (§4.2.48, §4.2.49), Segment Acknowledgments, and replay
 * protection of what it hands to the upper transport (§3.9.8). Every context lives in the
 * node (struct meshrpr_lower_transport); timers run on the node's clock, and completion
 * callbacks never run inside the send call that started a transfer.
 */
#include "net/lower_transport.h"

#include <errno.h>
#include <string.h>

#include <meshrpr/util.h>

#define MESHRPR_LOG_MODULE "lower"
#include "core/log.h"

#include "net/replay.h"
#include "net/upper_transport.h"
#include "node/node_services.h"

/* Formats (§3.5.2). */
#define SEG_HDR_LEN       4
#define ACCESS_SEG_LEN    12 /* segment payload with a 32-bit NetMIC */
#define CTL_SEG_LEN       8  /* segment payload with a 64-bit NetMIC */
#define ACCESS_PDU_MAX    16 /* TransportPDU with a 32-bit NetMIC */
#define CTL_PDU_MAX       12 /* TransportPDU with a 64-bit NetMIC */
#define UNSEG_ACCESS_MIN  5  /* one access octet and a 32-bit TransMIC */
#define UNSEG_ACCESS_MAX  15
#define UNSEG_CTL_MAX     11
#define CTL_PDU_TOTAL_MAX 256 /* §3.6.3 */
#define SEG_N_MAX         31
#define SEQ_ZERO_MASK     0x1fffu
#define SEQ_MASK          0xffffffu
#define SEG_ACK_OPCODE    0x00
#define SEG_ACK_LEN       6
#define OPCODE_MAX        0x7f
#define AID_MAX           0x3f
#define TTL_MAX           0x7f

/* A transfer still unacknowledged when SEQ would pass SeqAuth + 8191 is cancelled
 * (§3.5.3.3): beyond that, SeqZero no longer identifies SeqAuth. */
#define SEQ_AUTH_SPAN 8191u

#define SEG_LEN(ctl) ((ctl) ? CTL_SEG_LEN : ACCESS_SEG_LEN)

/* Segments 0..seg_n all set. */
static uint32_t block_complete(uint8_t seg_n)
{
    return (uint32_t)((UINT64_C(1) << (seg_n + 1)) - 1);
}

/* Contexts know their node: the tables may be the application's (run-time capacities). */
static struct meshrpr_node *tx_node(struct meshrpr_sar_tx_ctx *ctx)
{
    return ctx->node;
}

static struct meshrpr_node *rx_node(struct meshrpr_sar_rx_ctx *ctx)
{
    return ctx->node;
}

/* ---- Timings from the SAR states (§4.2.48, §4.2.49) -------------------------------------- */

static uint32_t seg_tx_interval_ms(const struct meshrpr_lower_transport *lt)
{
    return (lt->sar_tx.seg_int_step + 1u) * 10u;
}

/* Unicast retransmissions timer: step + increment * (TTL - 1), or step for TTL 0. */
static uint32_t unicast_retrans_ms(const struct meshrpr_lower_transport *lt, uint8_t ttl)
{
    uint32_t step = (lt->sar_tx.unicast_retrans_int_step + 1u) * 25u;
    uint32_t inc = (lt->sar_tx.unicast_retrans_int_inc + 1u) * 25u;

    return ttl > 0 ? step + inc * (ttl - 1u) : step;
}

static uint32_t multicast_retrans_ms(const struct meshrpr_lower_transport *lt)
{
    return (lt->sar_tx.multicast_retrans_int_step + 1u) * 25u;
}

static uint32_t seg_rx_interval_ms(const struct meshrpr_lower_transport *lt)
{
    return (lt->sar_rx.rx_seg_int_step + 1u) * 10u;
}

/* Ack timer: min(SegN + 0.5, ack delay increment + 1.5) segment reception intervals, computed
 * in half intervals to stay in integers. */
static uint32_t ack_delay_ms(const struct meshrpr_lower_transport *lt, uint8_t seg_n)
{
    uint32_t halves_seg = 2u * seg_n + 1u;
    uint32_t halves_adi = 2u * lt->sar_rx.ack_delay_inc + 3u;
    uint32_t halves = halves_seg < halves_adi ? halves_seg : halves_adi;

    return halves * seg_rx_interval_ms(lt) / 2u;
}

/* At most one ack per SeqAuth in this period when re-acknowledging a complete message. */
static uint32_t ack_rate_ms(const struct meshrpr_lower_transport *lt)
{
    return (2u * lt->sar_rx.ack_delay_inc + 3u) * seg_rx_interval_ms(lt) / 2u;
}

static uint32_t discard_ms(const struct meshrpr_lower_transport *lt)
{
    return (lt->sar_rx.discard_timeout + 1u) * 5000u;
}

/* ---- Pure codec -------------------------------------------------------------------------- */

int meshrpr_lower_transport_parse(bool ctl, const uint8_t *pdu, size_t len,
                                  struct meshrpr_lower_pdu *out)
{
    if (pdu == NULL || out == NULL || len == 0 || len > (ctl ? CTL_PDU_MAX : ACCESS_PDU_MAX)) {
        return -EINVAL;
    }
    memset(out, 0, sizeof(*out));
    out->seg = (pdu[0] & 0x80) != 0;
    if (ctl) {
        out->opcode = pdu[0] & OPCODE_MAX;
    } else {
        out->akf = (pdu[0] & 0x40) != 0;
        out->aid = pdu[0] & AID_MAX;
    }
    if (!out->seg) {
        out->payload = pdu + 1;
        out->payload_len = len - 1;
        /* An Upper Transport Access PDU holds at least one octet and its TransMIC. */
        return !ctl && out->payload_len < UNSEG_ACCESS_MIN ? -EINVAL : 0;
    }
    /* The Segment Acknowledgment is never segmented (§3.5.2.3). */
    if (len <= SEG_HDR_LEN || (ctl && out->opcode == SEG_ACK_OPCODE)) {
        return -EINVAL;
    }
    /* Control messages have an RFU bit where access messages have SZMIC; it is ignored. */
    out->szmic = !ctl && (pdu[1] & 0x80) != 0;
    out->seq_zero = (uint16_t)(((pdu[1] & 0x7f) << 6) | (pdu[2] >> 2));
    out->seg_o = (uint8_t)(((pdu[2] & 0x03) << 3) | (pdu[3] >> 5));
    out->seg_n = pdu[3] & 0x1f;
    out->payload = pdu + SEG_HDR_LEN;
    out->payload_len = len - SEG_HDR_LEN;
    if (out->seg_o > out->seg_n) {
        return -EINVAL;
    }
    /* Only the last segment may be shorter than a full one (§3.5.3.1). */
    if (out->seg_o < out->seg_n && out->payload_len != SEG_LEN(ctl)) {
        return -EINVAL;
    }
    return 0;
}

int meshrpr_lower_transport_encode(bool ctl, const struct meshrpr_lower_pdu *pdu, uint8_t *out,
                                   size_t size)
{
    size_t hdr_len = pdu->seg ? SEG_HDR_LEN : 1;
    uint8_t first;

    if (out == NULL || (pdu->payload == NULL && pdu->payload_len > 0)) {
        return -EINVAL;
    }
    if (ctl) {
        if (pdu->opcode > OPCODE_MAX || pdu->szmic || (pdu->seg && pdu->opcode == SEG_ACK_OPCODE)) {
            return -EINVAL;
        }
        first = pdu->opcode;
    } else {
        if (pdu->aid > AID_MAX) {
            return -EINVAL;
        }
        first = (uint8_t)((pdu->akf ? 0x40 : 0) | pdu->aid);
    }
    if (pdu->seg) {
        if (pdu->seq_zero > SEQ_ZERO_MASK || pdu->seg_n > SEG_N_MAX || pdu->seg_o > pdu->seg_n ||
            pdu->payload_len == 0 || pdu->payload_len > SEG_LEN(ctl) ||
            (pdu->seg_o < pdu->seg_n && pdu->payload_len != SEG_LEN(ctl))) {
            return -EINVAL;
        }
    } else if (ctl ? pdu->payload_len > UNSEG_CTL_MAX
                   : pdu->payload_len < UNSEG_ACCESS_MIN || pdu->payload_len > UNSEG_ACCESS_MAX) {
        return -EINVAL;
    }
    if (size < hdr_len + pdu->payload_len) {
        return -EINVAL;
    }
    out[0] = first;
    if (pdu->seg) {
        out[0] |= 0x80;
        out[1] = (uint8_t)((pdu->szmic ? 0x80 : 0) | (pdu->seq_zero >> 6));
        out[2] = (uint8_t)(((pdu->seq_zero & 0x3f) << 2) | (pdu->seg_o >> 3));
        out[3] = (uint8_t)(((pdu->seg_o & 0x07) << 5) | pdu->seg_n);
    }
    if (pdu->payload_len > 0) {
        memcpy(out + hdr_len, pdu->payload, pdu->payload_len);
    }
    return (int)(hdr_len + pdu->payload_len);
}

uint32_t meshrpr_lower_transport_seq_auth(uint32_t seq, uint16_t seq_zero)
{
    /* The largest value not above SEQ whose 13 low bits are SeqZero. */
    return seq - ((seq - seq_zero) & SEQ_ZERO_MASK);
}

int meshrpr_lower_transport_ack_parse(const uint8_t *params, size_t len,
                                      struct meshrpr_seg_ack *out)
{
    if (params == NULL || out == NULL || len != SEG_ACK_LEN) {
        return -EINVAL;
    }
    out->obo = (params[0] & 0x80) != 0;
    out->seq_zero = (uint16_t)(((params[0] & 0x7f) << 6) | (params[1] >> 2));
    out->block_ack = (uint32_t)params[2] << 24 | (uint32_t)params[3] << 16 |
                     (uint32_t)params[4] << 8 | params[5];
    return 0;
}

void meshrpr_lower_transport_ack_encode(const struct meshrpr_seg_ack *ack, uint8_t out[6])
{
    uint16_t seq_zero = ack->seq_zero & SEQ_ZERO_MASK;

    out[0] = (uint8_t)((ack->obo ? 0x80 : 0) | (seq_zero >> 6));
    out[1] = (uint8_t)((seq_zero & 0x3f) << 2);
    out[2] = (uint8_t)(ack->block_ack >> 24);
    out[3] = (uint8_t)(ack->block_ack >> 16);
    out[4] = (uint8_t)(ack->block_ack >> 8);
    out[5] = (uint8_t)ack->block_ack;
}

/* ---- SAR states -------------------------------------------------------------------------- */

int meshrpr_lower_transport_sar_tx_set(struct meshrpr_node *node,
                                       const struct meshrpr_sar_tx_state *state)
{
    if (state->seg_int_step > 0x0f || state->unicast_retrans_count > 0x0f ||
        state->unicast_retrans_without_prog_count > 0x0f ||
        state->unicast_retrans_int_step > 0x0f || state->unicast_retrans_int_inc > 0x0f ||
        state->multicast_retrans_count > 0x0f || state->multicast_retrans_int_step > 0x0f) {
        return -EINVAL;
    }
    node->lower.sar_tx = *state;
    return 0;
}

void meshrpr_lower_transport_sar_tx_get(const struct meshrpr_node *node,
                                        struct meshrpr_sar_tx_state *state)
{
    *state = node->lower.sar_tx;
}

int meshrpr_lower_transport_sar_rx_set(struct meshrpr_node *node,
                                       const struct meshrpr_sar_rx_state *state)
{
    if (state->seg_thresh > 0x1f || state->ack_delay_inc > 0x07 || state->discard_timeout > 0x0f ||
        state->rx_seg_int_step > 0x0f || state->ack_retrans_count > 0x03) {
        return -EINVAL;
    }
    node->lower.sar_rx = *state;
    return 0;
}

void meshrpr_lower_transport_sar_rx_get(const struct meshrpr_node *node,
                                        struct meshrpr_sar_rx_state *state)
{
    *state = node->lower.sar_rx;
}

/* ---- Deferred completion callbacks ------------------------------------------------------- */

/* Runs the callbacks of sends that must not call back from inside the send call: cb->start of
 * segmented transfers and cb->start / cb->end of unsegmented sends (which are complete once the
 * network layer has the PDU). */
static void done_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_lower_transport *lt =
        MESHRPR_CONTAINER_OF(timer, struct meshrpr_lower_transport, done_timer);
    /* Sends made by the callbacks wait for the next run, so this cannot loop forever. */
    uint8_t count = lt->done_count;

    for (size_t i = 0; i < lt->tx_count; i++) {
        struct meshrpr_sar_tx_ctx *ctx = &lt->tx[i];
        if (ctx->busy && ctx->start_pending) {
            ctx->start_pending = false;
            ctx->cb->start(0, 0, ctx->cb_data);
        }
    }
    while (count-- > 0 && lt->done_count > 0) {
        struct meshrpr_lower_done done = lt->done[lt->done_head];
        lt->done_head = (uint8_t)((lt->done_head + 1) % MESHRPR_LOWER_DONE_COUNT);
        lt->done_count--;
        if (done.cb->start != NULL) {
            done.cb->start(0, 0, done.cb_data);
        }
        if (done.cb->end != NULL) {
            done.cb->end(0, done.cb_data);
        }
    }
}

static bool cb_wanted(const struct bt_mesh_send_cb *cb)
{
    return cb != NULL && (cb->start != NULL || cb->end != NULL);
}

static void done_push(struct meshrpr_node *node, const struct bt_mesh_send_cb *cb, void *cb_data)
{
    struct meshrpr_lower_transport *lt = &node->lower;
    uint8_t slot = (uint8_t)((lt->done_head + lt->done_count) % MESHRPR_LOWER_DONE_COUNT);

    lt->done[slot].cb = cb;
    lt->done[slot].cb_data = cb_data;
    lt->done_count++;
    meshrpr_node_timer_start(node, &lt->done_timer, 0);
}

/* ---- SAR transmitter (§3.5.3.3) ---------------------------------------------------------- */

/* Finish a transfer: the context is free before the callbacks run, so they may send again. */
static void tx_end(struct meshrpr_node *node, struct meshrpr_sar_tx_ctx *ctx, int err)
{
    struct meshrpr_lower_transport *lt = &node->lower;
    const struct bt_mesh_send_cb *cb = ctx->cb;
    void *cb_data = ctx->cb_data;
    bool start = ctx->start_pending;

    meshrpr_node_timer_cancel(node, &ctx->timer);
    ctx->busy = false;
    ctx->on_air_wait = false;
    ctx->start_pending = false;
    ctx->cb = NULL;
    ctx->cb_data = NULL;
    if (err == 0) {
        lt->tx_complete_count++;
    } else if (err == -ETIMEDOUT) {
        lt->tx_timeout_count++;
    } else {
        lt->tx_cancel_count++;
    }
    MESHRPR_LOG_DBG(&node->platform, "seg tx to 0x%04x SeqZero 0x%04x done (%d)", ctx->dst,
                    (unsigned)(ctx->seq_auth & SEQ_ZERO_MASK), err);
    if (cb == NULL) {
        return;
    }
    if (start) {
        cb->start(0, 0, cb_data);
    }
    if (cb->end != NULL) {
        cb->end(err, cb_data);
    }
}

/* Send one segment. Its first transmission of segment 0 carries SeqAuth's SEQ; every other
 * transmission takes a new SEQ but keeps SeqZero and SeqAuth's IV Index (§3.5.3.1).
 * @return 0, a network error (the segment is lost: the retransmissions cover it), or
 *         -ETIMEDOUT / -ECANCELED when the transfer cannot go on. */
static int tx_seg_send(struct meshrpr_node *node, struct meshrpr_sar_tx_ctx *ctx, uint8_t seg_o)
{
    struct meshrpr_lower_transport *lt = &node->lower;
    const size_t seg_len = SEG_LEN(ctx->ctl);
    const size_t offset = (size_t)seg_o * seg_len;
    struct meshrpr_lower_pdu pdu = {
        .seg = true,
        .akf = !ctx->ctl && (ctx->hdr & 0x40) != 0,
        .aid = ctx->ctl ? 0 : (uint8_t)(ctx->hdr & AID_MAX),
        .opcode = ctx->ctl ? ctx->hdr : 0,
        .szmic = ctx->szmic,
        .seq_zero = (uint16_t)(ctx->seq_auth & SEQ_ZERO_MASK),
        .seg_o = seg_o,
        .seg_n = ctx->seg_n,
        .payload = ctx->pdu + offset,
        .payload_len = ctx->len - offset < seg_len ? ctx->len - offset : seg_len,
    };
    struct meshrpr_net_tx net = {
        .net_idx = ctx->net_idx,
        .src = ctx->src,
        .dst = ctx->dst,
        .ttl = ctx->ttl,
        .ctl = ctx->ctl,
        .has_seq = true,
        .iv_index = ctx->iv_index,
    };
    uint8_t buf[ACCESS_PDU_MAX];
    int len = meshrpr_lower_transport_encode(ctx->ctl, &pdu, buf, sizeof(buf));
    int err;

    if (len < 0) {
        return -ECANCELED; /* cannot happen: the context was checked when it started */
    }
    if (!ctx->seq_auth_sent && seg_o == 0) {
        net.seq = ctx->seq_auth;
        ctx->seq_auth_sent = true;
    } else {
        err = meshrpr_net_seq_alloc(node, &net.seq);
        if (err != 0) {
            MESHRPR_LOG_WRN(&node->platform, "no SEQ for a segment (%d)", err);
            return -ECANCELED;
        }
        if (((net.seq - ctx->seq_auth) & SEQ_MASK) > SEQ_AUTH_SPAN) {
            MESHRPR_LOG_WRN(&node->platform, "SEQ passed SeqAuth + 8191: giving up");
            return -ETIMEDOUT;
        }
    }
    err = meshrpr_net_send(node, &net, buf, (size_t)len);
    if (err != 0) {
        MESHRPR_LOG_WRN(&node->platform, "segment %u to 0x%04x not sent (%d)", seg_o, ctx->dst,
                        err);
        return err;
    }
    ctx->tx_id = meshrpr_node_adv_last(node);
    lt->tx_seg_count++;
    if (ctx->round > 0) {
        lt->tx_retrans_count++;
    }
    return 0;
}

/* The first segment at or after from that still needs sending, or seg_n + 1. */
static uint8_t tx_next_unacked(const struct meshrpr_sar_tx_ctx *ctx, uint8_t from)
{
    while (from <= ctx->seg_n && (ctx->acked & (UINT32_C(1) << from)) != 0) {
        from++;
    }
    return from;
}

static uint32_t tx_retrans_ms(const struct meshrpr_lower_transport *lt,
                              const struct meshrpr_sar_tx_ctx *ctx)
{
    return ctx->multicast ? multicast_retrans_ms(lt) : unicast_retrans_ms(lt, ctx->ttl);
}

/* All segments of the round are sent: the retransmissions timer measures from the moment the
 * last one has left the advertiser (§3.5.3.3 counts from the transmission), so a queue in the
 * host never makes the timer run out on a segment still waiting to go. */
static void tx_retrans_arm(struct meshrpr_node *node, struct meshrpr_sar_tx_ctx *ctx)
{
    ctx->waiting = true;
    if (!meshrpr_node_adv_is_sent(node, ctx->tx_id)) {
        ctx->on_air_wait = true;
        return;
    }
    ctx->on_air_wait = false;
    meshrpr_node_timer_start(node, &ctx->timer, tx_retrans_ms(&node->lower, ctx));
}

/* Send the next segment of the current round, then wait a segment interval, or, after the
 * round's last segment, start the retransmissions timer. */
static void tx_continue(struct meshrpr_node *node, struct meshrpr_sar_tx_ctx *ctx)
{
    struct meshrpr_lower_transport *lt = &node->lower;
    uint8_t seg = tx_next_unacked(ctx, ctx->next_seg);

    if (seg <= ctx->seg_n) {
        int err = tx_seg_send(node, ctx, seg);
        if (err == -ETIMEDOUT || err == -ECANCELED) {
            tx_end(node, ctx, err);
            return;
        }
        ctx->next_seg = (uint8_t)(seg + 1);
        if (tx_next_unacked(ctx, ctx->next_seg) <= ctx->seg_n) {
            meshrpr_node_timer_start(node, &ctx->timer, seg_tx_interval_ms(lt));
            return;
        }
    }
    tx_retrans_arm(node, ctx);
}

/* Begin another round with every unacknowledged segment. */
static void tx_new_round(struct meshrpr_node *node, struct meshrpr_sar_tx_ctx *ctx)
{
    meshrpr_node_timer_cancel(node, &ctx->timer);
    ctx->waiting = false;
    ctx->on_air_wait = false;
    ctx->next_seg = 0;
    if (ctx->round < UINT8_MAX) {
        ctx->round++;
    }
    tx_continue(node, ctx);
}

static void tx_timer_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_sar_tx_ctx *ctx = MESHRPR_CONTAINER_OF(timer, struct meshrpr_sar_tx_ctx, timer);
    struct meshrpr_node *node = tx_node(ctx);

    if (!ctx->busy) {
        return;
    }
    if (!ctx->waiting) {
        /* Segment interval elapsed. One segment of a transfer at a time in the host's queue:
         * the next one follows when the previous one has left, if that is later. */
        if (!meshrpr_node_adv_is_sent(node, ctx->tx_id)) {
            ctx->on_air_wait = true;
            return;
        }
        tx_continue(node, ctx);
        return;
    }
    if (ctx->multicast) {
        /* Group and virtual destinations never acknowledge: resend everything Multicast
         * Retransmissions Count times, then the transfer is complete. */
        if (ctx->retrans_left == 0) {
            tx_end(node, ctx, 0);
            return;
        }
        ctx->retrans_left--;
        tx_new_round(node, ctx);
        return;
    }
    if (ctx->retrans_left == 0 || ctx->no_progress_left == 0) {
        MESHRPR_LOG_WRN(&node->platform, "seg tx to 0x%04x timed out (acked 0x%08x)", ctx->dst,
                        (unsigned)ctx->acked);
        tx_end(node, ctx, -ETIMEDOUT);
        return;
    }
    ctx->retrans_left--;
    ctx->no_progress_left--;
    tx_new_round(node, ctx);
}

static struct meshrpr_sar_tx_ctx *tx_alloc(struct meshrpr_node *node, uint16_t src, uint16_t dst,
                                           int *err)
{
    struct meshrpr_sar_tx_ctx *free_ctx = NULL;

    for (size_t i = 0; i < node->lower.tx_count; i++) {
        struct meshrpr_sar_tx_ctx *ctx = &node->lower.tx[i];
        if (ctx->busy && ctx->src == src && ctx->dst == dst) {
            /* One segmented transfer per destination at a time (§3.5.3.3), counted per
             * source element as the receiver keeps one context per (SRC, DST): a second
             * one is refused rather than queued, and the caller retries after the first
             * ends. */
            *err = -EBUSY;
            return NULL;
        }
        if (!ctx->busy && free_ctx == NULL) {
            free_ctx = ctx;
        }
    }
    *err = free_ctx != NULL ? 0 : -ENOBUFS;
    return free_ctx;
}

/* Start a segmented transfer in a filled-in context: the first segment goes out now, so the
 * caller gets the network layer's error directly. */
static int tx_start(struct meshrpr_node *node, struct meshrpr_sar_tx_ctx *ctx,
                    const struct bt_mesh_send_cb *cb, void *cb_data)
{
    struct meshrpr_lower_transport *lt = &node->lower;
    int err;

    ctx->seg_n = (uint8_t)((ctx->len - 1) / SEG_LEN(ctx->ctl));
    ctx->acked = 0;
    ctx->round = 0;
    ctx->waiting = false;
    ctx->on_air_wait = false;
    ctx->seq_auth_sent = false;
    ctx->multicast = !BT_MESH_ADDR_IS_UNICAST(ctx->dst);
    if (ctx->multicast) {
        ctx->retrans_left = lt->sar_tx.multicast_retrans_count;
        ctx->no_progress_left = 0;
    } else {
        ctx->retrans_left = lt->sar_tx.unicast_retrans_count;
        ctx->no_progress_left = lt->sar_tx.unicast_retrans_without_prog_count;
    }
    ctx->cb = NULL;
    ctx->cb_data = NULL;
    ctx->start_pending = false;
    err = tx_seg_send(node, ctx, 0);
    if (err != 0) {
        return err;
    }
    ctx->busy = true;
    ctx->cb = cb;
    ctx->cb_data = cb_data;
    if (cb != NULL && cb->start != NULL) {
        ctx->start_pending = true;
        meshrpr_node_timer_start(node, &lt->done_timer, 0);
    }
    ctx->next_seg = 1;
    MESHRPR_LOG_DBG(&node->platform, "seg tx to 0x%04x: %u octets, SegN %u, SeqZero 0x%04x",
                    ctx->dst, ctx->len, ctx->seg_n, (unsigned)(ctx->seq_auth & SEQ_ZERO_MASK));
    if (tx_next_unacked(ctx, 1) <= ctx->seg_n) {
        meshrpr_node_timer_start(node, &ctx->timer, seg_tx_interval_ms(lt));
    } else {
        tx_continue(node, ctx); /* a single segment: straight to the retransmissions timer */
    }
    return 0;
}

int meshrpr_lower_transport_send_access(struct meshrpr_node *node,
                                        const struct meshrpr_lower_tx *tx, const uint8_t *upper_pdu,
                                        size_t len)
{
    const size_t min_len = tx != NULL && tx->szmic ? 1 + 8 : UNSEG_ACCESS_MIN;
    uint8_t ttl;
    int err;

    if (node == NULL || tx == NULL || upper_pdu == NULL || len < min_len || tx->aid > AID_MAX ||
        !BT_MESH_ADDR_IS_UNICAST(tx->src) || tx->dst == BT_MESH_ADDR_UNASSIGNED) {
        return -EINVAL;
    }
    if (len > MESHRPR_SAR_PDU_MAX) {
        return -EMSGSIZE;
    }
    ttl = meshrpr_net_resolve_ttl(node, tx->ttl);
    if (ttl > TTL_MAX) {
        return -EINVAL;
    }
    if (len <= UNSEG_ACCESS_MAX && !tx->force_seg && !tx->szmic) {
        /* Unsegmented (§3.5.2.1): complete once the network layer has it. */
        uint8_t buf[ACCESS_PDU_MAX];
        struct meshrpr_net_tx net = {
            .net_idx = tx->net_idx,
            .src = tx->src,
            .dst = tx->dst,
            .ttl = ttl,
            .ctl = false,
            .has_seq = true,
            .seq = tx->seq,
            .iv_index = tx->iv_index,
        };
        if (cb_wanted(tx->cb) && node->lower.done_count >= MESHRPR_LOWER_DONE_COUNT) {
            return -ENOBUFS;
        }
        buf[0] = (uint8_t)((tx->akf ? 0x40 : 0) | tx->aid);
        memcpy(&buf[1], upper_pdu, len);
        err = meshrpr_net_send(node, &net, buf, len + 1);
        if (err != 0) {
            return err;
        }
        if (cb_wanted(tx->cb)) {
            done_push(node, tx->cb, tx->cb_data);
        }
        return 0;
    }

    struct meshrpr_sar_tx_ctx *ctx = tx_alloc(node, tx->src, tx->dst, &err);
    if (ctx == NULL) {
        return err;
    }
    ctx->ctl = false;
    ctx->hdr = (uint8_t)((tx->akf ? 0x40 : 0) | tx->aid);
    ctx->szmic = tx->szmic;
    ctx->net_idx = tx->net_idx;
    ctx->src = tx->src;
    ctx->dst = tx->dst;
    ctx->ttl = ttl;
    ctx->seq_auth = tx->seq & SEQ_MASK;
    ctx->iv_index = tx->iv_index;
    ctx->len = (uint16_t)len;
    memcpy(ctx->pdu, upper_pdu, len);
    return tx_start(node, ctx, tx->cb, tx->cb_data);
}

int meshrpr_lower_transport_send_control(struct meshrpr_node *node, uint16_t net_idx, uint16_t src,
                                         uint16_t dst, uint8_t ttl, uint8_t opcode,
                                         const uint8_t *params, size_t len)
{
    int err;

    if (node == NULL || opcode == SEG_ACK_OPCODE || opcode > OPCODE_MAX ||
        (params == NULL && len > 0) || !BT_MESH_ADDR_IS_UNICAST(src) ||
        dst == BT_MESH_ADDR_UNASSIGNED) {
        return -EINVAL;
    }
    if (len > CTL_PDU_TOTAL_MAX) {
        return -EMSGSIZE;
    }
    ttl = meshrpr_net_resolve_ttl(node, ttl);
    if (ttl > TTL_MAX) {
        return -EINVAL;
    }
    if (len <= UNSEG_CTL_MAX) {
        uint8_t buf[CTL_PDU_MAX];
        struct meshrpr_net_tx net = {
            .net_idx = net_idx,
            .src = src,
            .dst = dst,
            .ttl = ttl,
            .ctl = true,
        };
        buf[0] = opcode;
        if (len > 0) {
            memcpy(&buf[1], params, len);
        }
        return meshrpr_net_send(node, &net, buf, len + 1);
    }

    struct meshrpr_sar_tx_ctx *ctx = tx_alloc(node, src, dst, &err);
    if (ctx == NULL) {
        return err;
    }
    /* Control messages have no upper transport nonce: SeqAuth is simply the first segment's
     * SEQ, reserved here. */
    err = meshrpr_net_seq_alloc(node, &ctx->seq_auth);
    if (err != 0) {
        return err;
    }
    ctx->seq_auth &= SEQ_MASK;
    ctx->iv_index = meshrpr_net_tx_iv_index(node);
    ctx->ctl = true;
    ctx->hdr = opcode;
    ctx->szmic = false;
    ctx->net_idx = net_idx;
    ctx->src = src;
    ctx->dst = dst;
    ctx->ttl = ttl;
    ctx->len = (uint16_t)len;
    memcpy(ctx->pdu, params, len);
    return tx_start(node, ctx, NULL, NULL);
}

/* ---- Sending Segment Acknowledgments ----------------------------------------------------- */

/* Acks go from the element the segments were addressed to back to their source, on the same
 * subnet, with TTL 0 when the segments came with TTL 0 and the Default TTL otherwise
 * (§3.5.3.4). */
static void ack_send(struct meshrpr_node *node, uint16_t net_idx, uint16_t src, uint16_t dst,
                     bool ttl_zero, uint16_t seq_zero, uint32_t block_ack)
{
    const struct meshrpr_seg_ack ack = { .obo = false,
                                         .seq_zero = seq_zero,
                                         .block_ack = block_ack };
    struct meshrpr_net_tx net = {
        .net_idx = net_idx,
        .src = src,
        .dst = dst,
        .ttl = ttl_zero ? 0 : meshrpr_net_resolve_ttl(node, BT_MESH_TTL_DEFAULT),
        .ctl = true,
    };
    uint8_t buf[1 + SEG_ACK_LEN];
    int err;

    buf[0] = SEG_ACK_OPCODE;
    meshrpr_lower_transport_ack_encode(&ack, &buf[1]);
    err = meshrpr_net_send(node, &net, buf, sizeof(buf));
    if (err != 0) {
        MESHRPR_LOG_WRN(&node->platform, "Segment Ack to 0x%04x not sent (%d)", dst, err);
        return;
    }
    node->lower.ack_tx_count++;
    MESHRPR_LOG_DBG(&node->platform, "ack to 0x%04x SeqZero 0x%04x BlockAck 0x%08x", dst, seq_zero,
                    (unsigned)block_ack);
}

/* ---- Receiving Segment Acknowledgments (§3.5.3.3) ---------------------------------------- */

static void ack_recv(struct meshrpr_node *node, const struct meshrpr_net_rx *rx,
                     const uint8_t *params, size_t len)
{
    struct meshrpr_lower_transport *lt = &node->lower;
    struct meshrpr_sar_tx_ctx *ctx = NULL;
    struct meshrpr_seg_ack ack;
    uint32_t newly;
    uint32_t all;

    /* A malformed Segment Ack is ignored (§3.5.2.3.1). */
    if (meshrpr_lower_transport_ack_parse(params, len, &ack) != 0) {
        lt->rx_drop_count++;
        return;
    }
    if (!rx->local && meshrpr_replay_check(node, rx->src, rx->iv_index, rx->seq)) {
        lt->rx_drop_count++;
        return;
    }
    /* Valid when its SeqZero maps to the transfer's SeqAuth, it comes from the transfer's
     * destination (or a Friend acknowledging on behalf of it) to the transfer's source, on
     * the same subnet. Group and virtual destinations never acknowledge. */
    for (size_t i = 0; i < node->lower.tx_count; i++) {
        struct meshrpr_sar_tx_ctx *c = &lt->tx[i];
        if (c->busy && !c->multicast && c->src == rx->dst && c->net_idx == rx->net_idx &&
            (c->seq_auth & SEQ_ZERO_MASK) == ack.seq_zero && (c->dst == rx->src || ack.obo)) {
            ctx = c;
            break;
        }
    }
    if (ctx == NULL) {
        MESHRPR_LOG_DBG(&node->platform, "ack from 0x%04x SeqZero 0x%04x matches no transfer",
                        rx->src, ack.seq_zero);
        return;
    }
    if (!rx->local) {
        (void)meshrpr_replay_update(node, rx->src, rx->iv_index, rx->seq);
    }
    lt->ack_rx_count++;
    if (ack.block_ack == 0) {
        /* The receiver is busy or out of resources (§3.5.3.3.2). */
        MESHRPR_LOG_WRN(&node->platform, "0x%04x refused the transfer", rx->src);
        tx_end(node, ctx, -ECANCELED);
        return;
    }
    all = block_complete(ctx->seg_n);
    newly = ack.block_ack & all & ~ctx->acked;
    ctx->acked |= ack.block_ack & all;
    if (ctx->acked == all) {
        tx_end(node, ctx, 0);
        return;
    }
    if (newly != 0) {
        ctx->no_progress_left = lt->sar_tx.unicast_retrans_without_prog_count;
    }
    if (!ctx->waiting || ctx->on_air_wait) {
        /* The current round skips what was just acknowledged; segments still queued in the
         * host may be the ones the ack misses. */
        return;
    }
    /* The ack tells what is missing: resend it now instead of waiting for the timer. */
    if (ctx->retrans_left > 0 && ctx->no_progress_left > 0) {
        ctx->retrans_left--;
        if (newly == 0) {
            ctx->no_progress_left--;
        }
        tx_new_round(node, ctx);
    }
}

/* ---- SAR receiver (§3.5.3.4) ------------------------------------------------------------- */

static void rx_ack_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_sar_rx_ctx *ctx =
        MESHRPR_CONTAINER_OF(timer, struct meshrpr_sar_rx_ctx, ack_timer);
    struct meshrpr_node *node = rx_node(ctx);

    if (ctx->state != MESHRPR_SAR_RX_ACTIVE) {
        return;
    }
    ack_send(node, ctx->net_idx, ctx->dst, ctx->src, ctx->ttl_zero,
             (uint16_t)(ctx->seq_auth & SEQ_ZERO_MASK), ctx->block);
    ctx->last_ack_ms = meshrpr_node_now_ms(node);
    if (ctx->acks_left > 0) {
        ctx->acks_left--;
        meshrpr_node_timer_start(node, &ctx->ack_timer, seg_rx_interval_ms(&node->lower));
    }
}

static void rx_discard_expired(struct meshrpr_timer *timer)
{
    struct meshrpr_sar_rx_ctx *ctx =
        MESHRPR_CONTAINER_OF(timer, struct meshrpr_sar_rx_ctx, discard_timer);
    struct meshrpr_node *node = rx_node(ctx);

    if (ctx->state != MESHRPR_SAR_RX_ACTIVE) {
        return;
    }
    /* No ack: the stored segments go, and later segments of this SeqAuth are late. */
    meshrpr_node_timer_cancel(node, &ctx->ack_timer);
    ctx->state = MESHRPR_SAR_RX_DISCARDED;
    ctx->used_ms = meshrpr_node_now_ms(node);
    node->lower.rx_discard_count++;
    MESHRPR_LOG_WRN(&node->platform, "discarded incomplete message from 0x%04x (0x%08x)", ctx->src,
                    (unsigned)ctx->block);
}

static struct meshrpr_sar_rx_ctx *rx_find(struct meshrpr_node *node, uint16_t src, uint16_t dst)
{
    for (size_t i = 0; i < node->lower.rx_count; i++) {
        struct meshrpr_sar_rx_ctx *ctx = &node->lower.rx[i];
        if (ctx->state != MESHRPR_SAR_RX_FREE && ctx->src == src && ctx->dst == dst) {
            return ctx;
        }
    }
    return NULL;
}

/* A free context, or the least recently used one that only remembers a finished message. */
static struct meshrpr_sar_rx_ctx *rx_alloc(struct meshrpr_node *node)
{
    struct meshrpr_sar_rx_ctx *best = NULL;

    for (size_t i = 0; i < node->lower.rx_count; i++) {
        struct meshrpr_sar_rx_ctx *ctx = &node->lower.rx[i];
        if (ctx->state == MESHRPR_SAR_RX_FREE) {
            return ctx;
        }
        if (ctx->state != MESHRPR_SAR_RX_ACTIVE && (best == NULL || ctx->used_ms < best->used_ms)) {
            best = ctx;
        }
    }
    return best;
}

/* Whether this node processes messages to dst: its own elements, and for access messages the
 * group and virtual addresses its models subscribe to (control messages to any group). */
static bool rx_dst_wanted(const struct meshrpr_node *node, uint16_t dst, bool ctl)
{
    if (BT_MESH_ADDR_IS_UNICAST(dst)) {
        return meshrpr_node_is_local_addr(node, dst);
    }
    return ctl || (node->net_hooks.wants_dst != NULL && node->net_hooks.wants_dst(node, dst));
}

/* Hand a reassembled message up and, once the upper layer took it, record it for replay
 * protection with the SEQ of the segment that completed it (§3.9.8). */
static void rx_deliver(struct meshrpr_node *node, const struct meshrpr_net_rx *rx,
                       const struct meshrpr_sar_rx_ctx *ctx)
{
    struct meshrpr_net_rx net = *rx;
    int err = 0;

    net.iv_index = (uint32_t)(ctx->seq_auth >> 24);
    if (ctx->ctl) {
        meshrpr_upper_transport_ctl_recv(node, &net, ctx->hdr, ctx->pdu, ctx->len);
    } else {
        const struct meshrpr_upper_rx upper = {
            .net = &net,
            .akf = (ctx->hdr & 0x40) != 0,
            .aid = ctx->hdr & AID_MAX,
            .szmic = ctx->szmic,
            .seq_auth = (uint32_t)(ctx->seq_auth & SEQ_MASK),
            .segmented = true,
        };
        err = meshrpr_upper_transport_recv(node, &upper, ctx->pdu, ctx->len);
    }
    if (err == 0 && !rx->local) {
        (void)meshrpr_replay_update(node, rx->src, rx->iv_index, rx->seq);
    }
}

static void seg_recv(struct meshrpr_node *node, const struct meshrpr_net_rx *rx,
                     const struct meshrpr_lower_pdu *pdu, uint8_t hdr)
{
    struct meshrpr_lower_transport *lt = &node->lower;
    const bool unicast = BT_MESH_ADDR_IS_UNICAST(rx->dst);
    const uint32_t seq = rx->seq & SEQ_MASK;
    const uint32_t delta = (seq - pdu->seq_zero) & SEQ_ZERO_MASK;
    const uint64_t now = meshrpr_node_now_ms(node);
    struct meshrpr_sar_rx_ctx *ctx;
    uint64_t seq_auth;
    uint32_t bit = UINT32_C(1) << pdu->seg_o;

    if (delta > seq) {
        lt->rx_drop_count++; /* SeqAuth would be below SEQ 0 of this IV Index */
        return;
    }
    seq_auth = (uint64_t)rx->iv_index << 24 | meshrpr_lower_transport_seq_auth(seq, pdu->seq_zero);

    ctx = rx_find(node, rx->src, rx->dst);
    if (ctx != NULL && seq_auth < ctx->seq_auth) {
        lt->rx_drop_count++; /* SeqAuth Error or Repeated Segment of an older message */
        return;
    }
    if (ctx != NULL && seq_auth == ctx->seq_auth) {
        if (ctx->state == MESHRPR_SAR_RX_COMPLETE) {
            /* Most Recent SeqAuth: the sender missed our ack. Re-ack, rate-limited. */
            if (unicast && now - ctx->last_ack_ms >= ack_rate_ms(lt)) {
                ack_send(node, rx->net_idx, rx->dst, rx->src, rx->ttl == 0, pdu->seq_zero,
                         ctx->block);
                ctx->last_ack_ms = now;
            }
            return;
        }
        if (ctx->state == MESHRPR_SAR_RX_DISCARDED) {
            lt->rx_drop_count++; /* Late Segment */
            return;
        }
        if (ctx->ctl != rx->ctl || ctx->hdr != hdr || ctx->szmic != pdu->szmic ||
            ctx->seg_n != pdu->seg_n || ctx->net_idx != rx->net_idx) {
            lt->rx_drop_count++; /* does not belong to the message it claims */
            return;
        }
    } else {
        /* A new SeqAuth from this source: it must be above what replay protection holds. */
        if (!rx->local &&
            meshrpr_replay_check(node, rx->src, rx->iv_index, (uint32_t)(seq_auth & SEQ_MASK))) {
            lt->rx_drop_count++;
            MESHRPR_LOG_DBG(&node->platform, "replayed SeqAuth from 0x%04x", rx->src);
            return;
        }
        if (ctx == NULL) {
            ctx = rx_alloc(node);
        }
        if (ctx == NULL) {
            /* Message Rejected: tell a unicast sender with an empty BlockAck. */
            lt->rx_reject_count++;
            MESHRPR_LOG_WRN(&node->platform, "no context for a message from 0x%04x", rx->src);
            if (unicast) {
                ack_send(node, rx->net_idx, rx->dst, rx->src, rx->ttl == 0, pdu->seq_zero, 0);
            }
            return;
        }
        /* First Segment: whatever this pair was sending before is dropped. */
        meshrpr_node_timer_cancel(node, &ctx->ack_timer);
        meshrpr_node_timer_cancel(node, &ctx->discard_timer);
        ctx->state = MESHRPR_SAR_RX_ACTIVE;
        ctx->seq_auth = seq_auth;
        ctx->block = 0;
        ctx->len = 0;
        ctx->net_idx = rx->net_idx;
        ctx->src = rx->src;
        ctx->dst = rx->dst;
        ctx->ctl = rx->ctl;
        ctx->hdr = hdr;
        ctx->szmic = pdu->szmic;
        ctx->seg_n = pdu->seg_n;
        ctx->ttl_zero = rx->ttl == 0;
        ctx->last_ack_ms = 0;
        ctx->acks_left = 0;
        ctx->used_ms = now;
    }

    if ((ctx->block & bit) != 0) {
        return; /* Repeated Segment */
    }
    {
        const size_t seg_len = SEG_LEN(ctx->ctl);
        memcpy(ctx->pdu + (size_t)pdu->seg_o * seg_len, pdu->payload, pdu->payload_len);
        if (pdu->seg_o == pdu->seg_n) {
            ctx->len = (uint16_t)((size_t)pdu->seg_n * seg_len + pdu->payload_len);
        }
    }
    ctx->block |= bit;
    ctx->used_ms = now;
    lt->rx_seg_count++;

    if (ctx->block != block_complete(ctx->seg_n)) {
        /* First or Next Segment: (re)start the Discard timer and, for a unicast DST, the
         * Ack timer; acks are repeated when SegN is above the SAR Segments Threshold. */
        meshrpr_node_timer_start(node, &ctx->discard_timer, discard_ms(lt));
        if (unicast) {
            ctx->acks_left = ctx->seg_n > lt->sar_rx.seg_thresh ? lt->sar_rx.ack_retrans_count : 0;
            meshrpr_node_timer_start(node, &ctx->ack_timer, ack_delay_ms(lt, ctx->seg_n));
        }
        return;
    }

    /* Last Segment: ack at once, stop both timers, deliver, and remember the SeqAuth so
     * that repeats are re-acknowledged but never delivered again. */
    meshrpr_node_timer_cancel(node, &ctx->ack_timer);
    meshrpr_node_timer_cancel(node, &ctx->discard_timer);
    ctx->state = MESHRPR_SAR_RX_COMPLETE;
    lt->rx_complete_count++;
    if (unicast) {
        ack_send(node, ctx->net_idx, ctx->dst, ctx->src, ctx->ttl_zero, pdu->seq_zero, ctx->block);
        ctx->last_ack_ms = now;
    }
    MESHRPR_LOG_DBG(&node->platform, "message from 0x%04x complete: %u octets", ctx->src, ctx->len);
    rx_deliver(node, rx, ctx);
}

static void unseg_recv(struct meshrpr_node *node, const struct meshrpr_net_rx *rx,
                       const struct meshrpr_lower_pdu *pdu)
{
    if (!rx->local && meshrpr_replay_check(node, rx->src, rx->iv_index, rx->seq)) {
        node->lower.rx_drop_count++;
        MESHRPR_LOG_DBG(&node->platform, "replayed SEQ 0x%06x from 0x%04x", (unsigned)rx->seq,
                        rx->src);
        return;
    }
    if (rx->ctl) {
        meshrpr_upper_transport_ctl_recv(node, rx, pdu->opcode, pdu->payload, pdu->payload_len);
    } else {
        const struct meshrpr_upper_rx upper = {
            .net = rx,
            .akf = pdu->akf,
            .aid = pdu->aid,
            .szmic = false,
            .seq_auth = rx->seq & SEQ_MASK,
            .segmented = false,
        };
        if (meshrpr_upper_transport_recv(node, &upper, pdu->payload, pdu->payload_len) != 0) {
            return;
        }
    }
    if (!rx->local) {
        (void)meshrpr_replay_update(node, rx->src, rx->iv_index, rx->seq);
    }
}

void meshrpr_lower_transport_recv(struct meshrpr_node *node, const struct meshrpr_net_rx *rx,
                                  const uint8_t *pdu, size_t len)
{
    struct meshrpr_lower_pdu p;

    if (node == NULL || rx == NULL) {
        return;
    }
    if (meshrpr_lower_transport_parse(rx->ctl, pdu, len, &p) != 0 ||
        !BT_MESH_ADDR_IS_UNICAST(rx->src) || rx->dst == BT_MESH_ADDR_UNASSIGNED) {
        node->lower.rx_drop_count++;
        MESHRPR_LOG_DBG(&node->platform, "malformed %s PDU (%zu octets) from 0x%04x",
                        rx->ctl ? "control" : "access", len, rx->src);
        return;
    }
    if (rx->ctl && !p.seg && p.opcode == SEG_ACK_OPCODE) {
        ack_recv(node, rx, p.payload, p.payload_len);
        return;
    }
    if (!rx_dst_wanted(node, rx->dst, rx->ctl)) {
        return;
    }
    if (p.seg) {
        seg_recv(node, rx, &p, (uint8_t)(pdu[0] & 0x7f));
    } else {
        unseg_recv(node, rx, &p);
    }
}

/* ---- Life cycle -------------------------------------------------------------------------- */

void meshrpr_lower_transport_adv_sent(struct meshrpr_node *node)
{
    for (size_t i = 0; i < node->lower.tx_count; i++) {
        struct meshrpr_sar_tx_ctx *ctx = &node->lower.tx[i];
        if (!ctx->busy || !ctx->on_air_wait || !meshrpr_node_adv_is_sent(node, ctx->tx_id)) {
            continue;
        }
        ctx->on_air_wait = false;
        if (ctx->waiting) {
            meshrpr_node_timer_start(node, &ctx->timer, tx_retrans_ms(&node->lower, ctx));
        } else {
            tx_continue(node, ctx);
        }
    }
}

void meshrpr_lower_transport_init(struct meshrpr_node *node)
{
    struct meshrpr_lower_transport *lt = &node->lower;

    const struct meshrpr_node_capacity *cap = node->cfg.capacity;
    memset(lt, 0, sizeof(*lt));
    lt->tx = lt->tx_storage;
    lt->tx_count = MESHRPR_SAR_TX_COUNT;
    lt->rx = lt->rx_storage;
    lt->rx_count = MESHRPR_SAR_RX_COUNT;
    if (cap != NULL && cap->sar_tx != NULL && cap->sar_tx_count > 0) {
        memset(cap->sar_tx, 0, cap->sar_tx_count * sizeof(cap->sar_tx[0]));
        lt->tx = cap->sar_tx;
        lt->tx_count = (uint8_t)cap->sar_tx_count;
    }
    if (cap != NULL && cap->sar_rx != NULL && cap->sar_rx_count > 0) {
        memset(cap->sar_rx, 0, cap->sar_rx_count * sizeof(cap->sar_rx[0]));
        lt->rx = cap->sar_rx;
        lt->rx_count = (uint8_t)cap->sar_rx_count;
    }
    /* Specification defaults (§4.2.48, §4.2.49; encoded 25 72 21 09 and 23 51 00). */
    lt->sar_tx = (struct meshrpr_sar_tx_state){
        .seg_int_step = 0x05,
        .unicast_retrans_count = 0x02,
        .unicast_retrans_without_prog_count = 0x02,
        .unicast_retrans_int_step = 0x07,
        .unicast_retrans_int_inc = 0x01,
        .multicast_retrans_count = 0x02,
        .multicast_retrans_int_step = 0x09,
    };
    lt->sar_rx = (struct meshrpr_sar_rx_state){
        .seg_thresh = 0x03,
        .ack_delay_inc = 0x01,
        .discard_timeout = 0x01,
        .rx_seg_int_step = 0x05,
        .ack_retrans_count = 0x00,
    };
    for (size_t i = 0; i < node->lower.tx_count; i++) {
        lt->tx[i].index = (uint8_t)i;
        lt->tx[i].node = node;
        meshrpr_timer_init(&lt->tx[i].timer, tx_timer_expired);
    }
    for (size_t i = 0; i < node->lower.rx_count; i++) {
        lt->rx[i].index = (uint8_t)i;
        lt->rx[i].node = node;
        meshrpr_timer_init(&lt->rx[i].ack_timer, rx_ack_expired);
        meshrpr_timer_init(&lt->rx[i].discard_timer, rx_discard_expired);
    }
    meshrpr_timer_init(&lt->done_timer, done_expired);
}

bool meshrpr_lower_transport_is_idle(const struct meshrpr_node *node)
{
    const struct meshrpr_lower_transport *lt = &node->lower;

    if (lt->done_count > 0 || meshrpr_timer_is_armed(&lt->done_timer)) {
        return false;
    }
    for (size_t i = 0; i < node->lower.tx_count; i++) {
        if (lt->tx[i].busy || meshrpr_timer_is_armed(&lt->tx[i].timer)) {
            return false;
        }
    }
    for (size_t i = 0; i < node->lower.rx_count; i++) {
        if (lt->rx[i].state == MESHRPR_SAR_RX_ACTIVE ||
            meshrpr_timer_is_armed(&lt->rx[i].ack_timer) ||
            meshrpr_timer_is_armed(&lt->rx[i].discard_timer)) {
            return false;
        }
    }
    return true;
}

void meshrpr_lower_transport_forget(struct meshrpr_node *node, uint16_t addr, uint16_t count)
{
    struct meshrpr_lower_transport *lt = &node->lower;

    for (size_t i = 0; i < node->lower.rx_count; i++) {
        struct meshrpr_sar_rx_ctx *ctx = &lt->rx[i];
        if (ctx->state != MESHRPR_SAR_RX_FREE && ctx->src >= addr && ctx->src - addr < count) {
            meshrpr_node_timer_cancel(node, &ctx->ack_timer);
            meshrpr_node_timer_cancel(node, &ctx->discard_timer);
            ctx->state = MESHRPR_SAR_RX_FREE;
        }
    }
}

void meshrpr_lower_transport_reset(struct meshrpr_node *node)
{
    struct meshrpr_lower_transport *lt = &node->lower;

    for (size_t i = 0; i < node->lower.rx_count; i++) {
        meshrpr_node_timer_cancel(node, &lt->rx[i].ack_timer);
        meshrpr_node_timer_cancel(node, &lt->rx[i].discard_timer);
        lt->rx[i].state = MESHRPR_SAR_RX_FREE;
    }
    for (size_t i = 0; i < node->lower.tx_count; i++) {
        if (lt->tx[i].busy) {
            tx_end(node, &lt->tx[i], -ECANCELED);
        }
    }
    /* Unsegmented sends already went to the network layer: they complete normally. */
    meshrpr_node_timer_cancel(node, &lt->done_timer);
    while (lt->done_count > 0) {
        struct meshrpr_lower_done done = lt->done[lt->done_head];
        lt->done_head = (uint8_t)((lt->done_head + 1) % MESHRPR_LOWER_DONE_COUNT);
        lt->done_count--;
        if (done.cb->start != NULL) {
            done.cb->start(0, 0, done.cb_data);
        }
        if (done.cb->end != NULL) {
            done.cb->end(0, done.cb_data);
        }
    }
}
