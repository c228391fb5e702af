/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Segmentation and reassembly between real nodes (MshPRTv1.1 §3.5.3): up to three nodes on
 * fake platforms, wired so that every advertising PDU one node sends reaches the others (in
 * order, after the sender's call returns), unless the test's drop rule discards it. The test
 * moves one shared virtual clock; every transmission is decoded and logged with its time, so
 * the tests check what went on air and when against the SAR states' timings, and what the
 * models received. Messages travel through the public access API (bt_mesh_model_send).
 */
#include <errno.h>
#include <string.h>

#include "test_util.h"

#include <meshrpr/node.h>

#include "fake_platform.h"
#include "net/keys.h"
#include "net/lower_transport.h"
#include "net/net.h"

#define MAX_NODES  4
#define MAX_ELEMS  4
#define MAX_FLIGHT 256
#define MAX_LOG    1024
#define TEST_CID   0xffff
#define OP_DATA    BT_MESH_MODEL_OP_3(0x03, TEST_CID)
#define APP_IDX    0x000
#define GROUP_ADDR 0xc001
#define START_MS   1000

struct sar_net;

/* One decoded transmission. */
struct pdu_rec {
    uint64_t ms;
    int from;
    bool ctl;
    uint8_t ttl;
    uint32_t seq;
    uint16_t src;
    uint16_t dst;
    uint8_t transport[16];
    size_t transport_len;
    bool lower_ok;
    struct meshrpr_lower_pdu lower; /* payload points into transport */
    bool is_ack;
    struct meshrpr_seg_ack ack;
};

struct sar_node {
    struct fake_platform fp; /* first: the hooks' ctx points here */
    struct meshrpr_platform plat;
    struct sar_net *net;
    int id;
    struct meshrpr_node node;
    struct bt_mesh_comp comp;
    struct bt_mesh_elem elems[MAX_ELEMS];
    struct bt_mesh_model models[MAX_ELEMS];
    struct bt_mesh_model_rt_ctx rt[MAX_ELEMS];
    struct meshrpr_node_config cfg;

    unsigned data_count;
    uint8_t last[BT_MESH_RX_SDU_MAX];
    size_t last_len;
    struct bt_mesh_msg_ctx last_ctx;
};

struct flight {
    int from;
    uint8_t data[MESHRPR_NET_PDU_MAX_LEN];
    size_t len;
};

/* Whether to drop one PDU on its way from one node to another. */
typedef bool (*drop_fn)(struct sar_net *net, int to, const struct pdu_rec *rec);

struct sar_net {
    struct sar_node nodes[MAX_NODES];
    int count;
    uint64_t now_ms;
    struct flight flight[MAX_FLIGHT];
    unsigned flight_head;
    unsigned flight_count;
    struct pdu_rec log[MAX_LOG];
    unsigned log_count;
    drop_fn drop;
    /* State for the drop rules. */
    uint32_t drop_seg_first; /* segments (SegO bits) whose first transmission is lost */
    uint32_t seg_seen;       /* segments transmitted at least once */
    unsigned drop_acks;      /* number of acks still to lose */
    bool drop_all_acks;
    uint32_t drop_seg_always; /* segments always lost */
    int drop_only_to;         /* -1: every receiver */
};

/* ---- The wiring ------------------------------------------------------------------------- */

static void decode_rec(struct sar_net *net, int from, const uint8_t *data, size_t len,
                       struct pdu_rec *rec)
{
    struct sar_node *sn = &net->nodes[from];
    const struct meshrpr_subnet *sub = meshrpr_keys_subnet_get(&sn->node, 0x000);
    uint8_t scratch[MESHRPR_NET_PDU_MAX_LEN];
    struct meshrpr_net_pdu pdu;

    memset(rec, 0, sizeof(*rec));
    rec->ms = net->now_ms;
    rec->from = from;
    assert_non_null(sub);
    assert_int_equal(meshrpr_net_decode(&sub->cred, meshrpr_net_tx_iv_index(&sn->node), data, len,
                                        scratch, &pdu),
                     0);
    rec->ctl = pdu.ctl;
    rec->ttl = pdu.ttl;
    rec->seq = pdu.seq;
    rec->src = pdu.src;
    rec->dst = pdu.dst;
    assert_true(pdu.transport_len <= sizeof(rec->transport));
    memcpy(rec->transport, pdu.transport_pdu, pdu.transport_len);
    rec->transport_len = pdu.transport_len;
    rec->lower_ok = meshrpr_lower_transport_parse(rec->ctl, rec->transport, rec->transport_len,
                                                  &rec->lower) == 0;
    rec->is_ack = rec->lower_ok && rec->ctl && !rec->lower.seg && rec->lower.opcode == 0 &&
                  meshrpr_lower_transport_ack_parse(rec->lower.payload, rec->lower.payload_len,
                                                    &rec->ack) == 0;
}

static int wire_adv_send(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len,
                         const struct meshrpr_adv_params *params)
{
    struct sar_node *sn = ctx;
    struct sar_net *net = sn->net;
    struct flight *f;

    /* The wire takes no time: a PDU is on air, and done, as soon as it is queued (platform.h
     * allows the report from inside adv_send), so the SAR timers start at the send. */
    meshrpr_node_adv_sent(&sn->node, params->tx_id);
    if (ad_type != 0x2a) {
        return 0; /* beacons stay local */
    }
    assert_true(len <= MESHRPR_NET_PDU_MAX_LEN);
    assert_true(net->flight_count < MAX_FLIGHT);
    assert_true(net->log_count < MAX_LOG);
    decode_rec(net, sn->id, data, len, &net->log[net->log_count]);
    f = &net->flight[(net->flight_head + net->flight_count) % MAX_FLIGHT];
    f->from = sn->id;
    memcpy(f->data, data, len);
    f->len = len;
    net->flight_count++;
    net->log_count++;
    return 0;
}

/* Hand every PDU in flight to every other node, unless the drop rule takes it. */
static void net_deliver(struct sar_net *net)
{
    while (net->flight_count > 0) {
        struct flight f = net->flight[net->flight_head];
        struct pdu_rec rec;

        net->flight_head = (net->flight_head + 1) % MAX_FLIGHT;
        net->flight_count--;
        decode_rec(net, f.from, f.data, f.len, &rec);
        for (int to = 0; to < net->count; to++) {
            if (to == f.from || (net->drop != NULL && net->drop(net, to, &rec))) {
                continue;
            }
            meshrpr_node_adv_recv(&net->nodes[to].node, 0x2a, f.data, f.len, -50);
        }
    }
}

static void net_set_now(struct sar_net *net, uint64_t now_ms)
{
    net->now_ms = now_ms;
    for (int i = 0; i < net->count; i++) {
        net->nodes[i].fp.now_ms = now_ms;
    }
}

static void net_run_until(struct sar_net *net, uint64_t until_ms)
{
    net_deliver(net);
    for (;;) {
        uint64_t next = UINT64_MAX;
        for (int i = 0; i < net->count; i++) {
            uint64_t d = meshrpr_node_next_deadline_ms(&net->nodes[i].node);
            next = d < next ? d : next;
        }
        if (next > until_ms) {
            break;
        }
        if (next > net->now_ms) {
            net_set_now(net, next);
        }
        for (int i = 0; i < net->count; i++) {
            meshrpr_node_process(&net->nodes[i].node);
            net_deliver(net);
        }
    }
    net_set_now(net, until_ms);
}

static void net_run_for(struct sar_net *net, uint64_t ms)
{
    net_run_until(net, net->now_ms + ms);
}

/* ---- Nodes and their test model --------------------------------------------------------- */

static int handle_data(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *buf)
{
    struct sar_node *sn = model->rt->user_data;

    sn->data_count++;
    sn->last_len = buf->len;
    memcpy(sn->last, buf->data, buf->len);
    sn->last_ctx = *ctx;
    return 0;
}

static const struct bt_mesh_model_op test_ops[] = {
    { OP_DATA, BT_MESH_LEN_MIN(0), handle_data },
    BT_MESH_MODEL_OP_END,
};

static void node_add(struct sar_net *net, uint16_t addr, int elem_count)
{
    static const uint8_t net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
                                         0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
    static const uint8_t app_key[16] = { 0x63, 0x96, 0x47, 0x71, 0x73, 0x4f, 0xbd, 0x76,
                                         0xe3, 0xb4, 0x05, 0x19, 0xd1, 0xd9, 0x4a, 0x48 };
    struct sar_node *sn = &net->nodes[net->count];
    uint8_t dev_key[16];

    memset(sn, 0, sizeof(*sn));
    sn->net = net;
    sn->id = net->count;
    fake_platform_init(&sn->fp, 100 + (uint64_t)sn->id);
    sn->fp.now_ms = net->now_ms;
    sn->plat = sn->fp.platform;
    sn->plat.adv_send = wire_adv_send;
    for (int e = 0; e < elem_count; e++) {
        sn->rt[e].user_data = sn;
        sn->models[e].vnd.company = TEST_CID;
        sn->models[e].vnd.id = 0x0001;
        sn->models[e].rt = &sn->rt[e];
        sn->models[e].op = test_ops;
        sn->elems[e].vnd_model_count = 1;
        sn->elems[e].vnd_models = &sn->models[e];
    }
    sn->comp.elem = sn->elems;
    sn->comp.elem_count = (size_t)elem_count;
    sn->cfg.platform = &sn->plat;
    sn->cfg.comp = &sn->comp;
    net->count++;
    memset(dev_key, 0x40 + sn->id, sizeof(dev_key));
    assert_int_equal(meshrpr_node_init(&sn->node, &sn->cfg), 0);
    assert_int_equal(meshrpr_node_provision(&sn->node, net_key, 0x000, 0, 0, addr, dev_key), 0);
    assert_int_equal(meshrpr_node_app_key_add(&sn->node, 0x000, APP_IDX, app_key), 0);
    for (int e = 0; e < elem_count; e++) {
        assert_int_equal(meshrpr_node_model_app_bind(&sn->node, &sn->models[e], APP_IDX), 0);
    }
}

static void net_init(struct sar_net *net)
{
    memset(net, 0, sizeof(*net));
    net->now_ms = START_MS;
    net->drop_only_to = -1;
}

static void net_finish(struct sar_net *net)
{
    /* Long enough for every retransmission and every discard timer. */
    net->drop = NULL;
    net_run_for(net, 30000);
    for (int i = 0; i < net->count; i++) {
        assert_true(meshrpr_node_is_idle(&net->nodes[i].node));
        meshrpr_node_deinit(&net->nodes[i].node);
    }
}

/* Completion callback bookkeeping. */
struct cb_log {
    struct sar_net *net;
    unsigned start_count;
    unsigned end_count;
    int end_err;
    uint64_t end_ms;
    bool start_before_end;
};

static void cb_start(uint16_t duration, int err, void *cb_data)
{
    struct cb_log *log = cb_data;

    (void)duration, (void)err;
    log->start_count++;
}

static void cb_end(int err, void *cb_data)
{
    struct cb_log *log = cb_data;

    log->start_before_end = log->start_count > 0;
    log->end_count++;
    log->end_err = err;
    log->end_ms = log->net->now_ms;
}

static const struct bt_mesh_send_cb test_cb = { .start = cb_start, .end = cb_end };

static uint8_t pattern(size_t i, uint8_t seed)
{
    return (uint8_t)(i * 7u + seed);
}

/* Send an access message of access_len octets (3-octet opcode included) from element elem of
 * node i. */
static int model_send(struct sar_net *net, int i, int elem, uint16_t dst, size_t access_len,
                      uint8_t seed, struct cb_log *log)
{
    NET_BUF_SIMPLE_DEFINE(msg, BT_MESH_TX_SDU_MAX + BT_MESH_MIC_SHORT);
    struct bt_mesh_msg_ctx ctx = BT_MESH_MSG_CTX_INIT(0x000, APP_IDX, dst, BT_MESH_TTL_DEFAULT);

    bt_mesh_model_msg_init(&msg, OP_DATA);
    for (size_t k = 3; k < access_len; k++) {
        net_buf_simple_add_u8(&msg, pattern(k, seed));
    }
    memset(log, 0, sizeof(*log));
    log->net = net;
    return bt_mesh_model_send(&net->nodes[i].models[elem], &ctx, &msg, &test_cb, log);
}

static void assert_received(const struct sar_node *sn, size_t access_len, uint8_t seed)
{
    assert_int_equal(sn->last_len, access_len - 3);
    for (size_t k = 3; k < access_len; k++) {
        assert_int_equal(sn->last[k - 3], pattern(k, seed));
    }
}

/* ---- Drop rules ------------------------------------------------------------------------- */

static bool is_access_seg(const struct pdu_rec *rec)
{
    return rec->lower_ok && !rec->ctl && rec->lower.seg;
}

/* Lose the first transmission of the chosen segments, acks up to a count or all of them, and
 * some segments always. */
static bool drop_rule(struct sar_net *net, int to, const struct pdu_rec *rec)
{
    if (net->drop_only_to >= 0 && to != net->drop_only_to) {
        return false;
    }
    if (rec->is_ack) {
        if (net->drop_all_acks) {
            return true;
        }
        if (net->drop_acks > 0) {
            net->drop_acks--;
            return true;
        }
        return false;
    }
    if (rec->lower_ok && rec->lower.seg) {
        uint32_t bit = UINT32_C(1) << rec->lower.seg_o;
        bool first = (net->seg_seen & bit) == 0;
        net->seg_seen |= bit;
        return (net->drop_seg_always & bit) != 0 || (first && (net->drop_seg_first & bit) != 0);
    }
    return false;
}

/* ---- Scenarios -------------------------------------------------------------------------- */

/* The largest message: 380 access octets, a 384-octet Upper PDU in 32 segments. The first
 * transmissions of segments 3, 17 and 31 and the first two acks are lost, yet the message
 * arrives exactly once:
 * - round 0 runs at 60 ms spacing from 1000 to 2860; the receiver acks at 2950 (lost);
 * - with no ack, the retransmissions timer (200 + 50 * 6 ms at the Default TTL 7) starts
 *   round 1 at 3360 with every segment; segment 3 (new at 3540) brings an ack at 3690
 *   (lost), segment 17 (new at 4380) one at 4530 that gets through;
 * - the sender, still in round 1, skips what that ack covered: segment 31 goes at 4560
 *   instead of segment 20, completes the message, and the completion ack ends the send. */
static void max_message_lossy(void **state)
{
    (void)state;
    static struct sar_net net;
    struct cb_log log;
    uint32_t seq_auth = 0;
    unsigned segs = 0;

    net_init(&net);
    node_add(&net, 0x0001, 1);
    node_add(&net, 0x0010, 1);
    net.drop = drop_rule;
    net.drop_seg_first = (1u << 3) | (1u << 17) | (1u << 31);
    net.drop_acks = 2;

    assert_int_equal(model_send(&net, 0, 0, 0x0010, BT_MESH_TX_SDU_MAX, 0x11, &log), 0);
    net_run_for(&net, 10000);
    assert_int_equal(net.nodes[1].data_count, 1);
    assert_received(&net.nodes[1], BT_MESH_TX_SDU_MAX, 0x11);
    assert_int_equal(net.nodes[1].last_ctx.addr, 0x0001);
    assert_int_equal(log.end_count, 1);
    assert_int_equal(log.end_err, 0);
    assert_true(log.start_before_end);

    /* Every segment of the transfer: SeqZero fixed, SEQ new and increasing, SegN 31. */
    for (unsigned i = 0; i < net.log_count; i++) {
        const struct pdu_rec *r = &net.log[i];
        if (!is_access_seg(r)) {
            continue;
        }
        if (segs == 0) {
            seq_auth = r->seq;
        }
        assert_int_equal(r->lower.seq_zero, seq_auth & 0x1fff);
        assert_int_equal(r->lower.seg_n, 31);
        assert_int_equal(r->seq, seq_auth + segs);
        if (segs < 52) {
            assert_int_equal(r->lower.seg_o, segs % 32);
            assert_int_equal(r->ms, (segs < 32 ? START_MS : 3360 - 32 * 60) + 60u * segs);
        } else {
            assert_int_equal(r->lower.seg_o, 31);
            assert_int_equal(r->ms, 4560);
        }
        segs++;
    }
    assert_int_equal(segs, 32 + 20 + 1);
    assert_int_equal(log.end_ms, 4560);
    assert_int_equal(net.nodes[0].node.lower.tx_retrans_count, 21);
    assert_int_equal(net.nodes[1].node.lower.ack_tx_count, 4);
    assert_int_equal(net.nodes[1].node.lower.rx_complete_count, 1);
    net_finish(&net);
    assert_int_equal(net.nodes[1].data_count, 1);
}

/* A lost segment is reported by the receiver's ack timer (SegN 1: 90 ms after the segment
 * it has) and resent at once, well before the 500 ms retransmissions timer. */
static void ack_timer_brings_fast_retransmission(void **state)
{
    (void)state;
    static struct sar_net net;
    struct cb_log log;
    unsigned acks = 0;

    net_init(&net);
    node_add(&net, 0x0001, 1);
    node_add(&net, 0x0010, 1);
    net.drop = drop_rule;
    net.drop_seg_first = 1u << 1;
    assert_int_equal(model_send(&net, 0, 0, 0x0010, 20, 0x22, &log), 0); /* 2 segments */
    net_run_for(&net, 5000);
    assert_int_equal(net.nodes[1].data_count, 1);
    assert_received(&net.nodes[1], 20, 0x22);
    assert_int_equal(log.end_err, 0);
    assert_int_equal(log.end_ms, START_MS + 90);
    for (unsigned i = 0; i < net.log_count; i++) {
        const struct pdu_rec *r = &net.log[i];
        if (r->is_ack) {
            assert_int_equal(r->src, 0x0010);
            assert_int_equal(r->dst, 0x0001);
            assert_int_equal(r->ttl, 7);
            assert_int_equal(r->ms, START_MS + 90);
            assert_int_equal(r->ack.block_ack, acks == 0 ? 0x1u : 0x3u);
            acks++;
        }
    }
    assert_int_equal(acks, 2);
    net_finish(&net);
}

/* Segment 0 is lost: segment 1 arrives first with a later SEQ, the receiver derives SeqAuth
 * from its SeqZero, and segment 0's retransmission (a third SEQ) completes a message that
 * only decrypts with SeqAuth's SEQ in the nonce. */
static void seq_auth_from_seq_zero(void **state)
{
    (void)state;
    static struct sar_net net;
    struct cb_log log;
    uint32_t first_seq = 0;
    bool first_seen = false;
    uint32_t seg0_seqs[4];
    unsigned seg0_count = 0;

    net_init(&net);
    node_add(&net, 0x0001, 1);
    node_add(&net, 0x0010, 1);
    net.drop = drop_rule;
    net.drop_seg_first = 1u << 0;
    assert_int_equal(model_send(&net, 0, 0, 0x0010, 20, 0x33, &log), 0);
    net_run_for(&net, 5000);
    assert_int_equal(net.nodes[1].data_count, 1);
    assert_received(&net.nodes[1], 20, 0x33);
    assert_int_equal(log.end_err, 0);
    for (unsigned i = 0; i < net.log_count; i++) {
        const struct pdu_rec *r = &net.log[i];
        if (is_access_seg(r)) {
            if (!first_seen) {
                first_seq = r->seq;
                first_seen = true;
            }
            if (r->lower.seg_o == 0 && seg0_count < 4) {
                seg0_seqs[seg0_count++] = r->seq;
            }
        }
    }
    assert_int_equal(seg0_count, 2);
    assert_int_equal(seg0_seqs[0], first_seq);
    assert_int_equal(seg0_seqs[1], first_seq + 2);
    net_finish(&net);
}

/* Every ack lost: the receiver delivers once and re-acknowledges the repeats (rate-limited);
 * the sender resends everything twice more and gives up with -ETIMEDOUT. */
static void all_acks_lost(void **state)
{
    (void)state;
    static struct sar_net net;
    struct cb_log log;
    unsigned segs = 0;

    net_init(&net);
    node_add(&net, 0x0001, 1);
    node_add(&net, 0x0010, 1);
    net.drop = drop_rule;
    net.drop_all_acks = true;
    assert_int_equal(model_send(&net, 0, 0, 0x0010, 30, 0x44, &log), 0); /* 3 segments */
    net_run_for(&net, 5000);
    assert_int_equal(net.nodes[1].data_count, 1);
    assert_int_equal(log.end_count, 1);
    assert_int_equal(log.end_err, -ETIMEDOUT);
    for (unsigned i = 0; i < net.log_count; i++) {
        segs += is_access_seg(&net.log[i]) ? 1 : 0;
    }
    assert_int_equal(segs, 9);
    /* Completion ack plus one re-ack per later round (each round's first segment; the
     * others fall within the rate limit). */
    assert_int_equal(net.nodes[1].node.lower.ack_tx_count, 3);
    /* Rounds at 1000, then 1120 + 500 = 1620, then 1740 + 500 = 2240; gives up at 2860. */
    assert_int_equal(log.end_ms, 2860);
    net_finish(&net);
    assert_int_equal(net.nodes[1].data_count, 1);
}

/* Out of reassembly contexts: MESHRPR_SAR_RX_COUNT transfers to B (from the four elements of
 * A and of D) stay incomplete (their segment 1 is always lost), so B refuses one more with
 * BlockAck 0 and that sender cancels with -ECANCELED at once. The senders give up after their
 * retransmissions, B discards after 10 s, and then a new transfer goes through. */
_Static_assert(MESHRPR_SAR_RX_COUNT <= 2 * MAX_ELEMS && MESHRPR_SAR_TX_COUNT >= MAX_ELEMS,
               "two senders of four elements fill B's contexts");
static void block_ack_zero_when_out_of_contexts(void **state)
{
    (void)state;
    static struct sar_net net;
    struct cb_log logs[MESHRPR_SAR_RX_COUNT];
    struct cb_log extra;
    struct cb_log late;

    net_init(&net);
    node_add(&net, 0x0001, 4);
    node_add(&net, 0x0010, 1);
    node_add(&net, 0x0020, 1);
    node_add(&net, 0x0030, 4);
    net.drop = drop_rule;
    net.drop_seg_always = 1u << 1;
    for (int e = 0; e < MESHRPR_SAR_RX_COUNT; e++) {
        assert_int_equal(model_send(&net, e < MAX_ELEMS ? 0 : 3, e % MAX_ELEMS, 0x0010, 20,
                                    (uint8_t)e, &logs[e]),
                         0);
    }
    net_run_for(&net, 10);
    assert_int_equal(model_send(&net, 2, 0, 0x0010, 20, 0x55, &extra), 0);
    net_run_for(&net, 0);
    assert_int_equal(extra.end_count, 1);
    assert_int_equal(extra.end_err, -ECANCELED);
    assert_int_equal(extra.end_ms, START_MS + 10);
    assert_int_equal(net.nodes[1].node.lower.rx_reject_count, 1);

    net_run_for(&net, 5000);
    for (int e = 0; e < MESHRPR_SAR_RX_COUNT; e++) {
        assert_int_equal(logs[e].end_count, 1);
        assert_int_equal(logs[e].end_err, -ETIMEDOUT);
    }
    assert_int_equal(net.nodes[1].data_count, 0);
    net_run_until(&net, START_MS + 10000);
    assert_int_equal(net.nodes[1].node.lower.rx_discard_count, MESHRPR_SAR_RX_COUNT);

    net.drop = NULL;
    assert_int_equal(model_send(&net, 2, 0, 0x0010, 20, 0x66, &late), 0);
    net_run_for(&net, 1000);
    assert_int_equal(late.end_err, 0);
    assert_int_equal(net.nodes[1].data_count, 1);
    assert_received(&net.nodes[1], 20, 0x66);
    net_finish(&net);
}

/* A group destination: every segment three times at the multicast interval, no acks, each
 * subscriber gets the message once (B even though it lost segment 1's first copy), and the
 * transfer completes after the last interval. */
static void group_destination(void **state)
{
    (void)state;
    static struct sar_net net;
    struct cb_log log;
    unsigned segs = 0;

    net_init(&net);
    node_add(&net, 0x0001, 1);
    node_add(&net, 0x0010, 1);
    node_add(&net, 0x0020, 1);
    assert_int_equal(
        meshrpr_node_model_sub_add(&net.nodes[1].node, &net.nodes[1].models[0], GROUP_ADDR), 0);
    assert_int_equal(
        meshrpr_node_model_sub_add(&net.nodes[2].node, &net.nodes[2].models[0], GROUP_ADDR), 0);
    net.drop = drop_rule;
    net.drop_only_to = 1;
    net.drop_seg_first = 1u << 1;
    assert_int_equal(model_send(&net, 0, 0, GROUP_ADDR, 30, 0x77, &log), 0); /* 3 segments */
    net_run_for(&net, 5000);
    assert_int_equal(log.end_count, 1);
    assert_int_equal(log.end_err, 0);
    /* Rounds at 1000, 1370 (1120 + 250) and 1740; complete at 1860 + 250. */
    assert_int_equal(log.end_ms, 2110);
    for (unsigned i = 0; i < net.log_count; i++) {
        const struct pdu_rec *r = &net.log[i];
        assert_false(r->is_ack);
        if (is_access_seg(r)) {
            static const uint64_t times[] = {
                1000, 1060, 1120, 1370, 1430, 1490, 1740, 1800, 1860
            };
            assert_true(segs < 9);
            assert_int_equal(r->ms, times[segs]);
            assert_int_equal(r->lower.seg_o, segs % 3);
            segs++;
        }
    }
    assert_int_equal(segs, 9);
    for (int i = 1; i <= 2; i++) {
        assert_int_equal(net.nodes[i].data_count, 1);
        assert_received(&net.nodes[i], 30, 0x77);
        assert_int_equal(net.nodes[i].last_ctx.recv_dst, GROUP_ADDR);
        assert_int_equal(net.nodes[i].node.lower.ack_tx_count, 0);
    }
    net_finish(&net);
}

/* Repeats that get past the network layer's message cache (hand-fed to B's lower transport
 * with their original SEQ) are not delivered again: while B remembers the message they are
 * re-acknowledged, and once it forgot them, replay protection refuses the SeqAuth. */
static void replayed_message_not_redelivered(void **state)
{
    (void)state;
    static struct sar_net net;
    struct cb_log log;
    uint32_t acks_before;

    net_init(&net);
    node_add(&net, 0x0001, 1);
    node_add(&net, 0x0010, 1);
    assert_int_equal(model_send(&net, 0, 0, 0x0010, 100, 0x88, &log), 0); /* 9 segments */
    net_run_for(&net, 5000);
    assert_int_equal(net.nodes[1].data_count, 1);
    assert_int_equal(log.end_err, 0);

    for (int pass = 0; pass < 2; pass++) {
        acks_before = net.nodes[1].node.lower.ack_tx_count;
        for (unsigned i = 0; i < net.log_count; i++) {
            const struct pdu_rec *r = &net.log[i];
            if (!is_access_seg(r)) {
                continue;
            }
            const struct meshrpr_net_rx rx = {
                .net_idx = 0x000,
                .iv_index = 0,
                .seq = r->seq,
                .src = r->src,
                .dst = r->dst,
                .ttl = r->ttl,
                .ctl = false,
                .rssi = -50,
            };
            meshrpr_lower_transport_recv(&net.nodes[1].node, &rx, r->transport, r->transport_len);
        }
        net_run_for(&net, 1000);
        assert_int_equal(net.nodes[1].data_count, 1);
        if (pass == 0) {
            /* One re-ack: the other repeats fall within the rate limit. */
            assert_int_equal(net.nodes[1].node.lower.ack_tx_count, acks_before + 1);
            meshrpr_lower_transport_reset(&net.nodes[1].node);
        } else {
            assert_int_equal(net.nodes[1].node.lower.ack_tx_count, acks_before);
        }
    }
    net_finish(&net);
}

/* Transport Control messages longer than 11 parameter octets travel segmented and are
 * acknowledged like access messages. */
static void control_message_segmented(void **state)
{
    (void)state;
    static struct sar_net net;
    uint8_t params[40];

    net_init(&net);
    node_add(&net, 0x0001, 1);
    node_add(&net, 0x0010, 1);
    for (size_t i = 0; i < sizeof(params); i++) {
        params[i] = (uint8_t)i;
    }
    net.drop = drop_rule;
    net.drop_seg_first = 1u << 2;
    assert_int_equal(meshrpr_lower_transport_send_control(&net.nodes[0].node, 0x000, 0x0001, 0x0010,
                                                          BT_MESH_TTL_DEFAULT, 0x0a, params,
                                                          sizeof(params)),
                     0);
    net_run_for(&net, 5000);
    assert_int_equal(net.nodes[0].node.lower.tx_complete_count, 1);
    assert_int_equal(net.nodes[1].node.lower.rx_complete_count, 1);
    assert_int_equal(net.nodes[1].node.lower.rx[0].len, sizeof(params));
    assert_memory_equal(net.nodes[1].node.lower.rx[0].pdu, params, sizeof(params));
    net_finish(&net);
}

/* A second segmented message to the same destination waits for the first (-EBUSY), and can
 * go once the first completed. */
static void one_transfer_per_destination(void **state)
{
    (void)state;
    static struct sar_net net;
    struct cb_log first;
    struct cb_log second;

    net_init(&net);
    node_add(&net, 0x0001, 1);
    node_add(&net, 0x0010, 1);
    assert_int_equal(model_send(&net, 0, 0, 0x0010, 50, 0x01, &first), 0);
    assert_int_equal(model_send(&net, 0, 0, 0x0010, 50, 0x02, &second), -EBUSY);
    net_run_for(&net, 2000);
    assert_int_equal(first.end_err, 0);
    assert_int_equal(model_send(&net, 0, 0, 0x0010, 50, 0x02, &second), 0);
    net_run_for(&net, 2000);
    assert_int_equal(second.end_err, 0);
    assert_int_equal(net.nodes[1].data_count, 2);
    assert_received(&net.nodes[1], 50, 0x02);
    net_finish(&net);
}

/* A segmented message to another element of the sending node goes through the network
 * layer's local delivery: reassembled, acknowledged and delivered once, nothing on air. */
static void segmented_to_own_element(void **state)
{
    (void)state;
    static struct sar_net net;
    struct cb_log log;

    net_init(&net);
    node_add(&net, 0x0001, 2);
    assert_int_equal(model_send(&net, 0, 0, 0x0002, 100, 0x99, &log), 0);
    net_run_for(&net, 3000);
    assert_int_equal(log.end_count, 1);
    assert_int_equal(log.end_err, 0);
    assert_int_equal(net.nodes[0].data_count, 1);
    assert_received(&net.nodes[0], 100, 0x99);
    assert_int_equal(net.nodes[0].last_ctx.recv_dst, 0x0002);
    assert_int_equal(net.nodes[0].node.lower.rx_complete_count, 1);
    assert_int_equal(net.log_count, 0);
    net_finish(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(max_message_lossy),
        cmocka_unit_test(ack_timer_brings_fast_retransmission),
        cmocka_unit_test(seq_auth_from_seq_zero),
        cmocka_unit_test(all_acks_lost),
        cmocka_unit_test(block_ack_zero_when_out_of_contexts),
        cmocka_unit_test(group_destination),
        cmocka_unit_test(replayed_message_not_redelivered),
        cmocka_unit_test(control_message_segmented),
        cmocka_unit_test(one_transfer_per_destination),
        cmocka_unit_test(segmented_to_own_element),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
