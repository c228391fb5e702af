/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lower transport layer (MshPRTv1.1 §3.5): the PDU codec against the specification's message
 * samples (§8.3 Messages #6, #7, #8, #16, #18, #24), SeqAuth recovery with the spec's example,
 * the SAR state defaults, and the transmitter and receiver of one real node fed hand-made
 * TransportPDUs (acks, segments, replays) on a fake platform whose clock the test moves.
 */
#include <errno.h>
#include <string.h>

#include "test_util.h"

#include <meshrpr/node.h>

#include "fake_platform.h"
#include "net/keys.h"
#include "net/lower_transport.h"
#include "net/net.h"

/* ---- Codec ------------------------------------------------------------------------------ */

static void parse_hex(bool ctl, const char *hex, struct meshrpr_lower_pdu *out, uint8_t *buf,
                      size_t size)
{
    size_t len = test_hex(hex, buf, size);

    assert_int_equal(meshrpr_lower_transport_parse(ctl, buf, len, out), 0);
}

/* Message #6: the two segments of Config AppKey Add (device key, SeqZero 0x09AB, SegN 1). */
static void parse_message6_segments(void **state)
{
    (void)state;
    uint8_t buf[16];
    struct meshrpr_lower_pdu p;

    parse_hex(false, "8026ac01ee9dddfd2169326d23f3afdf", &p, buf, sizeof(buf));
    assert_true(p.seg);
    assert_false(p.akf);
    assert_int_equal(p.aid, 0);
    assert_false(p.szmic);
    assert_int_equal(p.seq_zero, 0x09ab);
    assert_int_equal(p.seg_o, 0);
    assert_int_equal(p.seg_n, 1);
    assert_hex_equal(p.payload, p.payload_len, "ee9dddfd2169326d23f3afdf");

    parse_hex(false, "8026ac21cfdc18c52fdef772e0e17308", &p, buf, sizeof(buf));
    assert_true(p.seg);
    assert_int_equal(p.seq_zero, 0x09ab);
    assert_int_equal(p.seg_o, 1);
    assert_int_equal(p.seg_n, 1);
    assert_hex_equal(p.payload, p.payload_len, "cfdc18c52fdef772e0e17308");
}

/* Message #24: AppKey (AID 0x26), SZMIC = 1, SeqZero 0x080D, a short last segment. */
static void parse_message24_segments(void **state)
{
    (void)state;
    uint8_t buf[16];
    struct meshrpr_lower_pdu p;

    parse_hex(false, "e6a03401c3c51d8e476b28e3aa5001f3", &p, buf, sizeof(buf));
    assert_true(p.seg);
    assert_true(p.akf);
    assert_int_equal(p.aid, 0x26);
    assert_true(p.szmic);
    assert_int_equal(p.seq_zero, 0x080d);
    assert_int_equal(p.seg_o, 0);
    assert_int_equal(p.seg_n, 1);
    assert_hex_equal(p.payload, p.payload_len, "c3c51d8e476b28e3aa5001f3");

    parse_hex(false, "e6a034211c01cea6", &p, buf, sizeof(buf));
    assert_true(p.szmic);
    assert_int_equal(p.seg_o, 1);
    assert_int_equal(p.seg_n, 1);
    assert_hex_equal(p.payload, p.payload_len, "1c01cea6");
}

/* Messages #16, #18 and #23: unsegmented access PDUs, device key and AppKey. */
static void parse_unsegmented_access(void **state)
{
    (void)state;
    uint8_t buf[16];
    struct meshrpr_lower_pdu p;

    parse_hex(false, "0089511bf1d1a81c11dcef", &p, buf, sizeof(buf));
    assert_false(p.seg);
    assert_false(p.akf);
    assert_int_equal(p.aid, 0);
    assert_hex_equal(p.payload, p.payload_len, "89511bf1d1a81c11dcef");

    parse_hex(false, "665a8bde6d9106ea078a", &p, buf, sizeof(buf));
    assert_false(p.seg);
    assert_true(p.akf);
    assert_int_equal(p.aid, 0x26);
    assert_hex_equal(p.payload, p.payload_len, "5a8bde6d9106ea078a");

    parse_hex(false, "662456db5e3100eef65daa7a38", &p, buf, sizeof(buf));
    assert_true(p.akf);
    assert_int_equal(p.aid, 0x26);
    assert_int_equal(p.payload_len, 12);
}

/* Message #7: a Segment Ack with OBO = 1, SeqZero 0x09AB, BlockAck 0x00000002. */
static void parse_message7_segment_ack(void **state)
{
    (void)state;
    uint8_t buf[16];
    struct meshrpr_lower_pdu p;
    struct meshrpr_seg_ack ack;

    parse_hex(true, "00a6ac00000002", &p, buf, sizeof(buf));
    assert_false(p.seg);
    assert_int_equal(p.opcode, 0x00);
    assert_int_equal(p.payload_len, 6);
    assert_int_equal(meshrpr_lower_transport_ack_parse(p.payload, p.payload_len, &ack), 0);
    assert_true(ack.obo);
    assert_int_equal(ack.seq_zero, 0x09ab);
    assert_int_equal(ack.block_ack, 0x00000002);

    /* Malformed acks (§3.5.2.3.1): anything but 6 parameter octets. */
    assert_int_equal(meshrpr_lower_transport_ack_parse(p.payload, 5, &ack), -EINVAL);
    assert_int_equal(meshrpr_lower_transport_ack_parse(p.payload, 7, &ack), -EINVAL);
}

static void encode_check(bool ctl, const struct meshrpr_lower_pdu *p, const char *expected)
{
    uint8_t out[16];
    int len = meshrpr_lower_transport_encode(ctl, p, out, sizeof(out));

    assert_true(len > 0);
    assert_hex_equal(out, (size_t)len, expected);
}

static void encode_samples(void **state)
{
    (void)state;
    TEST_HEX(upper6, "ee9dddfd2169326d23f3afdfcfdc18c52fdef772e0e17308");
    TEST_HEX(upper24, "c3c51d8e476b28e3aa5001f31c01cea6");
    TEST_HEX(upper18, "5a8bde6d9106ea078a");
    TEST_HEX(upper16, "89511bf1d1a81c11dcef");
    struct meshrpr_lower_pdu p = {
        .seg = true,
        .seq_zero = 0x3129ab & 0x1fff,
        .seg_o = 0,
        .seg_n = 1,
        .payload = upper6,
        .payload_len = 12,
    };
    const struct meshrpr_seg_ack ack7 = { .obo = true, .seq_zero = 0x09ab, .block_ack = 2 };
    uint8_t ack[6];

    encode_check(false, &p, "8026ac01ee9dddfd2169326d23f3afdf");
    p.seg_o = 1;
    p.payload = upper6 + 12;
    encode_check(false, &p, "8026ac21cfdc18c52fdef772e0e17308");

    p = (struct meshrpr_lower_pdu){
        .seg = true,
        .akf = true,
        .aid = 0x26,
        .szmic = true,
        .seq_zero = 0x07080d & 0x1fff,
        .seg_o = 0,
        .seg_n = 1,
        .payload = upper24,
        .payload_len = 12,
    };
    encode_check(false, &p, "e6a03401c3c51d8e476b28e3aa5001f3");
    p.seg_o = 1;
    p.payload = upper24 + 12;
    p.payload_len = 4;
    encode_check(false, &p, "e6a034211c01cea6");

    p = (struct meshrpr_lower_pdu){
        .akf = true,
        .aid = 0x26,
        .payload = upper18,
        .payload_len = upper18_len,
    };
    encode_check(false, &p, "665a8bde6d9106ea078a");
    p = (struct meshrpr_lower_pdu){ .payload = upper16, .payload_len = upper16_len };
    encode_check(false, &p, "0089511bf1d1a81c11dcef");

    meshrpr_lower_transport_ack_encode(&ack7, ack);
    assert_hex_equal(ack, sizeof(ack), "a6ac00000002");
    p = (struct meshrpr_lower_pdu){ .opcode = 0x00, .payload = ack, .payload_len = 6 };
    encode_check(true, &p, "00a6ac00000002");
}

static void parse_rejects_malformed(void **state)
{
    (void)state;
    uint8_t buf[32];
    struct meshrpr_lower_pdu p;
    size_t len;

    memset(buf, 0, sizeof(buf));
    assert_int_equal(meshrpr_lower_transport_parse(false, buf, 0, &p), -EINVAL);
    assert_int_equal(meshrpr_lower_transport_parse(true, buf, 0, &p), -EINVAL);
    assert_int_equal(meshrpr_lower_transport_parse(false, NULL, 5, &p), -EINVAL);
    /* Longer than a TransportPDU can be: 16 octets (access), 12 (control). */
    assert_int_equal(meshrpr_lower_transport_parse(false, buf, 17, &p), -EINVAL);
    assert_int_equal(meshrpr_lower_transport_parse(true, buf, 13, &p), -EINVAL);
    /* Unsegmented access: an Upper PDU shorter than one octet plus a 32-bit TransMIC. */
    assert_int_equal(meshrpr_lower_transport_parse(false, buf, 5, &p), -EINVAL);
    assert_int_equal(meshrpr_lower_transport_parse(false, buf, 6, &p), 0);
    /* Unsegmented control: an opcode alone is fine. */
    assert_int_equal(meshrpr_lower_transport_parse(true, buf, 1, &p), 0);
    /* Segmented: header but no segment. */
    len = test_hex("8026ac01", buf, sizeof(buf));
    assert_int_equal(meshrpr_lower_transport_parse(false, buf, len, &p), -EINVAL);
    /* SegO 2 > SegN 1. */
    len = test_hex("8026ac41ee", buf, sizeof(buf));
    assert_int_equal(meshrpr_lower_transport_parse(false, buf, len, &p), -EINVAL);
    /* A segment that is not the last must be full: 11 octets in segment 0 of 2. */
    len = test_hex("8026ac01ee9dddfd2169326d23f3af", buf, sizeof(buf));
    assert_int_equal(meshrpr_lower_transport_parse(false, buf, len, &p), -EINVAL);
    /* ... while the last one may be short. */
    len = test_hex("8026ac21cf", buf, sizeof(buf));
    assert_int_equal(meshrpr_lower_transport_parse(false, buf, len, &p), 0);
    /* Control segments carry 8 octets; a 12-octet segment does not fit a control PDU. */
    len = test_hex("8a26ac01 0102030405060708", buf, sizeof(buf));
    assert_int_equal(meshrpr_lower_transport_parse(true, buf, len, &p), 0);
    assert_int_equal(p.opcode, 0x0a);
    len = test_hex("8a26ac01 01020304050607", buf, sizeof(buf));
    assert_int_equal(meshrpr_lower_transport_parse(true, buf, len, &p), -EINVAL);
    /* The Segment Ack opcode is never segmented. */
    len = test_hex("8026ac21 01", buf, sizeof(buf));
    assert_int_equal(meshrpr_lower_transport_parse(true, buf, len, &p), -EINVAL);
}

static void encode_rejects_bad_fields(void **state)
{
    (void)state;
    uint8_t payload[16] = { 0 };
    uint8_t out[16];
    struct meshrpr_lower_pdu p = {
        .seg = true,
        .seq_zero = 0x2000,
        .seg_o = 0,
        .seg_n = 1,
        .payload = payload,
        .payload_len = 12,
    };

    assert_int_equal(meshrpr_lower_transport_encode(false, &p, out, sizeof(out)), -EINVAL);
    p.seq_zero = 0x1fff;
    p.seg_o = 2;
    assert_int_equal(meshrpr_lower_transport_encode(false, &p, out, sizeof(out)), -EINVAL);
    p.seg_o = 0;
    p.seg_n = 32;
    assert_int_equal(meshrpr_lower_transport_encode(false, &p, out, sizeof(out)), -EINVAL);
    p.seg_n = 1;
    p.payload_len = 11; /* not the last segment: must be full */
    assert_int_equal(meshrpr_lower_transport_encode(false, &p, out, sizeof(out)), -EINVAL);
    p.payload_len = 12;
    assert_int_equal(meshrpr_lower_transport_encode(false, &p, out, 15), -EINVAL);
    assert_int_equal(meshrpr_lower_transport_encode(false, &p, out, 16), 16);
    assert_int_equal(meshrpr_lower_transport_encode(true, &p, out, sizeof(out)), -EINVAL);
    p = (struct meshrpr_lower_pdu){ .aid = 0x40, .payload = payload, .payload_len = 5 };
    assert_int_equal(meshrpr_lower_transport_encode(false, &p, out, sizeof(out)), -EINVAL);
    p.aid = 0;
    p.payload_len = 16;
    assert_int_equal(meshrpr_lower_transport_encode(false, &p, out, sizeof(out)), -EINVAL);
    p = (struct meshrpr_lower_pdu){ .opcode = 0x80, .payload = payload, .payload_len = 1 };
    assert_int_equal(meshrpr_lower_transport_encode(true, &p, out, sizeof(out)), -EINVAL);
    p.opcode = 0x0a;
    p.payload_len = 12;
    assert_int_equal(meshrpr_lower_transport_encode(true, &p, out, sizeof(out)), -EINVAL);
}

/* §3.5.3.1: SEQ 0x647262 with SeqZero 0x1849 gives SeqAuth's SEQ 0x645849, with SeqZero
 * 0x1263 gives 0x645263; and the samples' second segments point back at their first. */
static void seq_auth_recovery(void **state)
{
    (void)state;
    assert_int_equal(meshrpr_lower_transport_seq_auth(0x647262, 0x1849), 0x645849);
    assert_int_equal(meshrpr_lower_transport_seq_auth(0x647262, 0x1263), 0x645263);
    assert_int_equal(meshrpr_lower_transport_seq_auth(0x3129ac, 0x09ab), 0x3129ab);
    assert_int_equal(meshrpr_lower_transport_seq_auth(0x3129ad, 0x09ab), 0x3129ab);
    assert_int_equal(meshrpr_lower_transport_seq_auth(0x07080e, 0x080d), 0x07080d);
    assert_int_equal(meshrpr_lower_transport_seq_auth(0x645849, 0x1849), 0x645849);
}

/* ---- One real node ---------------------------------------------------------------------- */

#define NET_KEY    "7dd7364cd842ad18c17c2b820c84c3d6"
#define APP_KEY    "63964771734fbd76e3b40519d1d94a48"
#define DEV_KEY    "9d6dd0e96eb25dc19a40ed9914f8f03f"
#define LABEL_9736 "f4a002c7fb1e4ca0a469a021de0db875"
#define IV_INDEX   0x12345678u

#define OP_APP_KEY_ADD BT_MESH_MODEL_OP_1(0x00)
#define OP_HEALTH_CUR  BT_MESH_MODEL_OP_1(0x04)
#define OP_VND_WORLD   BT_MESH_MODEL_OP_3(0x2a, 0x000a)

#define REC_MAX 64

struct unit_node {
    struct fake_platform fp; /* first: the hooks' ctx points here */
    struct meshrpr_platform plat;
    struct meshrpr_node node;
    struct bt_mesh_comp comp;
    struct bt_mesh_elem elem;
    struct bt_mesh_model models[1];
    struct bt_mesh_model vnd[1];
    struct bt_mesh_model_rt_ctx rt[2];
    struct meshrpr_node_config cfg;

    /* Network PDUs sent, with the time they went out. */
    unsigned tx_count;
    uint8_t tx[REC_MAX][MESHRPR_NET_PDU_MAX_LEN];
    size_t tx_len[REC_MAX];
    uint64_t tx_ms[REC_MAX];
    /* Report transmissions only when the test says so (meshrpr_node_adv_sent()); the handle
     * of the last one queued. */
    bool report_later;
    uint32_t pending_tx_id;

    /* Messages the models received. */
    unsigned rx_count;
    uint32_t rx_opcode;
    uint8_t rx[BT_MESH_RX_SDU_MAX];
    size_t rx_len;
    struct bt_mesh_msg_ctx rx_ctx;
};

static int rec_adv_send(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len,
                        const struct meshrpr_adv_params *params)
{
    struct unit_node *un = ctx;

    if (ad_type == 0x2a && un->tx_count < REC_MAX && len <= MESHRPR_NET_PDU_MAX_LEN) {
        memcpy(un->tx[un->tx_count], data, len);
        un->tx_len[un->tx_count] = len;
        un->tx_ms[un->tx_count] = un->fp.now_ms;
        un->tx_count++;
    }
    if (un->report_later) {
        un->pending_tx_id = params->tx_id;
    } else {
        /* This host's transmissions are over as soon as they are queued (platform.h allows
         * the report from inside adv_send): the timers start when the PDU is handed over. */
        meshrpr_node_adv_sent(&un->node, params->tx_id);
    }
    return 0;
}

static int record_msg(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                      struct net_buf_simple *buf, uint32_t opcode)
{
    struct unit_node *un = model->rt->user_data;

    un->rx_count++;
    un->rx_opcode = opcode;
    un->rx_len = buf->len;
    memcpy(un->rx, buf->data, buf->len);
    un->rx_ctx = *ctx;
    return 0;
}

static int h_app_key_add(const struct bt_mesh_model *m, struct bt_mesh_msg_ctx *c,
                         struct net_buf_simple *b)
{
    return record_msg(m, c, b, OP_APP_KEY_ADD);
}

static int h_health(const struct bt_mesh_model *m, struct bt_mesh_msg_ctx *c,
                    struct net_buf_simple *b)
{
    return record_msg(m, c, b, OP_HEALTH_CUR);
}

static int h_world(const struct bt_mesh_model *m, struct bt_mesh_msg_ctx *c,
                   struct net_buf_simple *b)
{
    return record_msg(m, c, b, OP_VND_WORLD);
}

static const struct bt_mesh_model_op sig_ops[] = {
    { OP_APP_KEY_ADD, BT_MESH_LEN_EXACT(19), h_app_key_add },
    { OP_HEALTH_CUR, BT_MESH_LEN_MIN(3), h_health },
    BT_MESH_MODEL_OP_END,
};

static const struct bt_mesh_model_op vnd_ops[] = {
    { OP_VND_WORLD, BT_MESH_LEN_MIN(0), h_world },
    BT_MESH_MODEL_OP_END,
};

static int dev_any_init(const struct bt_mesh_model *model)
{
    return meshrpr_model_key_bind(model, BT_MESH_KEY_DEV_ANY);
}

static const struct bt_mesh_model_cb dev_any_cb = { .init = dev_any_init };

static int peer_dev_key(void *ctx, uint16_t addr, uint8_t dev_key[16])
{
    (void)ctx, (void)addr;
    test_hex(DEV_KEY, dev_key, 16);
    return 0;
}

/* A node with the sample keys: a SIG model accepting device keys and bound to AppKey 0x123,
 * and a vendor model bound to it too. */
static void unit_node_setup(struct unit_node *un, uint16_t addr, uint32_t iv_index)
{
    TEST_HEX(net_key, NET_KEY);
    TEST_HEX(app_key, APP_KEY);
    TEST_HEX(dev_key, DEV_KEY);

    memset(un, 0, sizeof(*un));
    fake_platform_init(&un->fp, 42);
    un->fp.now_ms = 1000;
    un->plat = un->fp.platform;
    un->plat.adv_send = rec_adv_send;
    un->rt[0].user_data = un;
    un->rt[1].user_data = un;
    un->models[0].id = 0x1000;
    un->models[0].rt = &un->rt[0];
    un->models[0].op = sig_ops;
    un->models[0].cb = &dev_any_cb;
    un->vnd[0].vnd.company = 0x000a;
    un->vnd[0].vnd.id = 0x0001;
    un->vnd[0].rt = &un->rt[1];
    un->vnd[0].op = vnd_ops;
    un->elem.model_count = 1;
    un->elem.models = un->models;
    un->elem.vnd_model_count = 1;
    un->elem.vnd_models = un->vnd;
    un->comp.elem = &un->elem;
    un->comp.elem_count = 1;
    un->cfg.platform = &un->plat;
    un->cfg.comp = &un->comp;
    un->cfg.dev_key_get = peer_dev_key;
    assert_int_equal(meshrpr_node_init(&un->node, &un->cfg), 0);
    assert_int_equal(meshrpr_node_provision(&un->node, net_key, 0x000, 0, iv_index, addr, dev_key),
                     0);
    assert_int_equal(meshrpr_node_app_key_add(&un->node, 0x000, 0x123, app_key), 0);
    assert_int_equal(meshrpr_node_model_app_bind(&un->node, &un->models[0], 0x123), 0);
    assert_int_equal(meshrpr_node_model_app_bind(&un->node, &un->vnd[0], 0x123), 0);
    un->tx_count = 0;
}

/* Run every timer due up to until_ms, in deadline order, then stop the clock there. */
static void run_until(struct unit_node *un, uint64_t until_ms)
{
    for (;;) {
        uint64_t next = meshrpr_node_next_deadline_ms(&un->node);
        if (next > until_ms) {
            break;
        }
        if (next > un->fp.now_ms) {
            un->fp.now_ms = next;
        }
        meshrpr_node_process(&un->node);
    }
    un->fp.now_ms = until_ms;
}

static void run_for(struct unit_node *un, uint64_t ms)
{
    run_until(un, un->fp.now_ms + ms);
}

/* Decode what the node sent (i-th recorded PDU). */
static void sent_pdu(struct unit_node *un, unsigned i, struct meshrpr_net_pdu *out,
                     uint8_t scratch[MESHRPR_NET_PDU_MAX_LEN])
{
    const struct meshrpr_subnet *sub = meshrpr_keys_subnet_get(&un->node, 0x000);

    assert_true(i < un->tx_count);
    assert_non_null(sub);
    assert_int_equal(meshrpr_net_decode(&sub->cred, meshrpr_net_tx_iv_index(&un->node), un->tx[i],
                                        un->tx_len[i], scratch, out),
                     0);
}

/* Hand the lower transport one TransportPDU, as the network layer would. */
static void feed(struct unit_node *un, bool ctl, uint16_t src, uint16_t dst, uint32_t seq,
                 uint8_t ttl, uint32_t iv_index, const char *hex)
{
    uint8_t pdu[32];
    size_t len = test_hex(hex, pdu, sizeof(pdu));
    const struct meshrpr_net_rx rx = {
        .net_idx = 0x000,
        .iv_index = iv_index,
        .seq = seq,
        .src = src,
        .dst = dst,
        .ttl = ttl,
        .ctl = ctl,
        .rssi = -50,
    };

    meshrpr_lower_transport_recv(&un->node, &rx, pdu, len);
}

static void unit_node_finish(struct unit_node *un)
{
    /* Whatever is still in flight ends within the discard timeout. */
    run_for(un, 60000);
    assert_true(meshrpr_node_is_idle(&un->node));
    meshrpr_node_deinit(&un->node);
}

/* Callback bookkeeping. */
struct cb_log {
    unsigned start_count;
    unsigned end_count;
    int end_err;
    bool start_before_end;
    uint64_t end_ms;
    struct unit_node *un;
};

static void cb_start(uint16_t duration, int err, void *cb_data)
{
    struct cb_log *log = cb_data;

    (void)duration;
    assert_int_equal(err, 0);
    log->start_count++;
}

static void cb_end(int err, void *cb_data)
{
    struct cb_log *log = cb_data;

    log->start_before_end = log->start_count > 0;
    log->end_count++;
    log->end_err = err;
    log->end_ms = log->un != NULL ? log->un->fp.now_ms : 0;
}

static const struct bt_mesh_send_cb test_cb = { .start = cb_start, .end = cb_end };

/* SAR states start at the specification's defaults, encoded 25 72 21 09 and 23 51 00
 * (§4.3.8), and the setters refuse values wider than their fields. */
static void sar_state_defaults(void **state)
{
    (void)state;
    struct unit_node un;
    struct meshrpr_sar_tx_state tx;
    struct meshrpr_sar_rx_state rx;
    uint8_t enc[4];

    unit_node_setup(&un, 0x0001, IV_INDEX);
    meshrpr_lower_transport_sar_tx_get(&un.node, &tx);
    enc[0] = (uint8_t)(tx.seg_int_step | tx.unicast_retrans_count << 4);
    enc[1] = (uint8_t)(tx.unicast_retrans_without_prog_count | tx.unicast_retrans_int_step << 4);
    enc[2] = (uint8_t)(tx.unicast_retrans_int_inc | tx.multicast_retrans_count << 4);
    enc[3] = tx.multicast_retrans_int_step;
    assert_hex_equal(enc, 4, "25722109");
    meshrpr_lower_transport_sar_rx_get(&un.node, &rx);
    enc[0] = (uint8_t)(rx.seg_thresh | rx.ack_delay_inc << 5);
    enc[1] = (uint8_t)(rx.discard_timeout | rx.rx_seg_int_step << 4);
    enc[2] = rx.ack_retrans_count;
    assert_hex_equal(enc, 3, "235100");

    tx.unicast_retrans_int_inc = 16;
    assert_int_equal(meshrpr_lower_transport_sar_tx_set(&un.node, &tx), -EINVAL);
    tx.unicast_retrans_int_inc = 15;
    assert_int_equal(meshrpr_lower_transport_sar_tx_set(&un.node, &tx), 0);
    rx.seg_thresh = 32;
    assert_int_equal(meshrpr_lower_transport_sar_rx_set(&un.node, &rx), -EINVAL);
    rx.seg_thresh = 31;
    rx.ack_delay_inc = 8;
    assert_int_equal(meshrpr_lower_transport_sar_rx_set(&un.node, &rx), -EINVAL);
    rx.ack_delay_inc = 7;
    rx.ack_retrans_count = 4;
    assert_int_equal(meshrpr_lower_transport_sar_rx_set(&un.node, &rx), -EINVAL);
    rx.ack_retrans_count = 3;
    assert_int_equal(meshrpr_lower_transport_sar_rx_set(&un.node, &rx), 0);
    unit_node_finish(&un);
}

/* Message #6 fed to node 0x1201: reassembled, opened with the device key, delivered once, and
 * acknowledged from 0x1201 to 0x0003 with both segments (Default TTL: the segments had
 * TTL 4). */
static void receive_message6_and_ack(void **state)
{
    (void)state;
    struct unit_node un;
    struct meshrpr_net_pdu pdu;
    uint8_t scratch[MESHRPR_NET_PDU_MAX_LEN];

    unit_node_setup(&un, 0x1201, IV_INDEX);
    feed(&un, false, 0x0003, 0x1201, 0x3129ab, 4, IV_INDEX, "8026ac01ee9dddfd2169326d23f3afdf");
    assert_int_equal(un.rx_count, 0);
    assert_int_equal(un.tx_count, 0);
    feed(&un, false, 0x0003, 0x1201, 0x3129ac, 4, IV_INDEX, "8026ac21cfdc18c52fdef772e0e17308");
    assert_int_equal(un.rx_count, 1);
    assert_int_equal(un.rx_opcode, OP_APP_KEY_ADD);
    assert_hex_equal(un.rx, un.rx_len, "56341263964771734fbd76e3b40519d1d94a48");
    assert_int_equal(un.rx_ctx.addr, 0x0003);
    assert_int_equal(un.rx_ctx.app_idx, BT_MESH_KEY_DEV_LOCAL);

    /* The completion ack went out at once. */
    assert_int_equal(un.tx_count, 1);
    sent_pdu(&un, 0, &pdu, scratch);
    assert_true(pdu.ctl);
    assert_int_equal(pdu.src, 0x1201);
    assert_int_equal(pdu.dst, 0x0003);
    assert_int_equal(pdu.ttl, 7);
    assert_hex_equal(pdu.transport_pdu, pdu.transport_len, "0026ac00000003");

    /* Segment 0 again, 20 ms later: Most Recent SeqAuth, within the ack rate limit (150 ms
     * with the defaults): neither delivered nor acked. */
    run_for(&un, 20);
    feed(&un, false, 0x0003, 0x1201, 0x3129ad, 4, IV_INDEX, "8026ac01ee9dddfd2169326d23f3afdf");
    assert_int_equal(un.rx_count, 1);
    assert_int_equal(un.tx_count, 1);
    /* After the rate limit: acked again, still not delivered. */
    run_for(&un, 200);
    feed(&un, false, 0x0003, 0x1201, 0x3129ae, 4, IV_INDEX, "8026ac21cfdc18c52fdef772e0e17308");
    assert_int_equal(un.rx_count, 1);
    assert_int_equal(un.tx_count, 2);
    sent_pdu(&un, 1, &pdu, scratch);
    assert_hex_equal(pdu.transport_pdu, pdu.transport_len, "0026ac00000003");

    /* Once the reassembly contexts are forgotten, replay protection still refuses the
     * SeqAuth: the RPL holds the last segment's SEQ. */
    meshrpr_lower_transport_reset(&un.node);
    feed(&un, false, 0x0003, 0x1201, 0x3129ab, 4, IV_INDEX, "8026ac01ee9dddfd2169326d23f3afdf");
    feed(&un, false, 0x0003, 0x1201, 0x3129ac, 4, IV_INDEX, "8026ac21cfdc18c52fdef772e0e17308");
    assert_int_equal(un.rx_count, 1);
    assert_int_equal(un.tx_count, 2);
    unit_node_finish(&un);
}

/* Segment 0 lost: segment 1 arrives first with the later SEQ 0x3129AC, SeqAuth comes from its
 * SeqZero; then segment 0's retransmission with a new SEQ (Message #8's 0x3129AD) completes
 * the message, which only decrypts with SeqAuth's SEQ 0x3129AB in the nonce. TTL 0 segments
 * get TTL 0 acks. */
static void receive_message6_segment1_first(void **state)
{
    (void)state;
    struct unit_node un;
    struct meshrpr_net_pdu pdu;
    uint8_t scratch[MESHRPR_NET_PDU_MAX_LEN];

    unit_node_setup(&un, 0x1201, IV_INDEX);
    feed(&un, false, 0x0003, 0x1201, 0x3129ac, 0, IV_INDEX, "8026ac21cfdc18c52fdef772e0e17308");
    /* Ack timer for SegN 1: min(1 + 0.5, 2.5) * 60 ms = 90 ms. */
    run_for(&un, 89);
    assert_int_equal(un.tx_count, 0);
    run_for(&un, 1);
    assert_int_equal(un.tx_count, 1);
    assert_int_equal(un.tx_ms[0], 1090);
    sent_pdu(&un, 0, &pdu, scratch);
    assert_int_equal(pdu.ttl, 0);
    assert_hex_equal(pdu.transport_pdu, pdu.transport_len, "0026ac00000002");

    feed(&un, false, 0x0003, 0x1201, 0x3129ad, 0, IV_INDEX, "8026ac01ee9dddfd2169326d23f3afdf");
    assert_int_equal(un.rx_count, 1);
    assert_int_equal(un.rx_opcode, OP_APP_KEY_ADD);
    assert_hex_equal(un.rx, un.rx_len, "56341263964771734fbd76e3b40519d1d94a48");
    assert_int_equal(un.rx_ctx.recv_ttl, 0);
    assert_int_equal(un.tx_count, 2);
    sent_pdu(&un, 1, &pdu, scratch);
    assert_int_equal(pdu.ttl, 0);
    assert_hex_equal(pdu.transport_pdu, pdu.transport_len, "0026ac00000003");
    unit_node_finish(&un);
}

/* Message #24: SZMIC = 1 to virtual address 0x9736 under IV Index 0x12345677: the 64-bit
 * TransMIC and SeqAuth's IV Index reach the upper transport. No ack for a virtual DST. */
static void receive_message24_virtual(void **state)
{
    (void)state;
    TEST_HEX(label, LABEL_9736);
    struct unit_node un;

    unit_node_setup(&un, 0x0005, IV_INDEX);
    assert_non_null(meshrpr_keys_label_add(&un.node, label));
    assert_int_equal(meshrpr_node_model_sub_add(&un.node, &un.vnd[0], 0x9736), 0);
    feed(&un, false, 0x1234, 0x9736, 0x07080d, 3, IV_INDEX - 1, "e6a03401c3c51d8e476b28e3aa5001f3");
    run_for(&un, 1000);
    feed(&un, false, 0x1234, 0x9736, 0x07080e, 3, IV_INDEX - 1, "e6a034211c01cea6");
    assert_int_equal(un.rx_count, 1);
    assert_int_equal(un.rx_opcode, OP_VND_WORLD);
    assert_hex_equal(un.rx, un.rx_len, "576f726c64");
    assert_int_equal(un.rx_ctx.recv_dst, 0x9736);
    assert_int_equal(un.tx_count, 0);
    assert_int_equal(un.node.lower.ack_tx_count, 0);
    unit_node_finish(&un);
}

/* Message #18 (unsegmented, AppKey, to all-nodes): delivered once; the replay is dropped. */
static void receive_message18_replay(void **state)
{
    (void)state;
    struct unit_node un;

    unit_node_setup(&un, 0x0003, IV_INDEX);
    feed(&un, false, 0x1201, 0xffff, 0x000007, 3, IV_INDEX, "665a8bde6d9106ea078a");
    assert_int_equal(un.rx_count, 1);
    assert_int_equal(un.rx_opcode, OP_HEALTH_CUR);
    assert_hex_equal(un.rx, un.rx_len, "00000000");
    feed(&un, false, 0x1201, 0xffff, 0x000007, 3, IV_INDEX, "665a8bde6d9106ea078a");
    assert_int_equal(un.rx_count, 1);
    /* The same octets under a later SEQ pass replay protection, but no key opens them: the
     * nonce holds the SEQ. */
    feed(&un, false, 0x1201, 0xffff, 0x000008, 3, IV_INDEX, "665a8bde6d9106ea078a");
    assert_int_equal(un.rx_count, 1);
    unit_node_finish(&un);
}

/* A tx helper: a segmented access message of len octets from 0x0001 to dst. */
static int send_seg(struct unit_node *un, uint16_t dst, size_t len, uint8_t ttl, struct cb_log *log)
{
    uint8_t upper[MESHRPR_SAR_PDU_MAX];
    struct meshrpr_lower_tx tx = {
        .net_idx = 0x000,
        .src = 0x0001,
        .dst = dst,
        .ttl = ttl,
        .akf = true,
        .aid = 0x26,
        .force_seg = true,
        .cb = &test_cb,
        .cb_data = log,
    };

    for (size_t i = 0; i < len; i++) {
        upper[i] = (uint8_t)i;
    }
    if (log != NULL) {
        memset(log, 0, sizeof(*log));
        log->un = un;
    }
    assert_int_equal(meshrpr_net_seq_alloc(&un->node, &tx.seq), 0);
    tx.iv_index = meshrpr_net_tx_iv_index(&un->node);
    return meshrpr_lower_transport_send_access(&un->node, &tx, upper, len);
}

static void feed_ack(struct unit_node *un, uint16_t src, uint32_t seq, bool obo, uint16_t seq_zero,
                     uint32_t block)
{
    const struct meshrpr_seg_ack ack = { .obo = obo, .seq_zero = seq_zero, .block_ack = block };
    uint8_t pdu[7] = { 0x00 };
    const struct meshrpr_net_rx rx = {
        .net_idx = 0x000,
        .iv_index = IV_INDEX,
        .seq = seq,
        .src = src,
        .dst = 0x0001,
        .ttl = 5,
        .ctl = true,
    };

    meshrpr_lower_transport_ack_encode(&ack, &pdu[1]);
    meshrpr_lower_transport_recv(&un->node, &rx, pdu, sizeof(pdu));
}

/* The transmitter sends segment 0 with the upper transport's SEQ, the others spaced by the
 * segment interval with new SEQs and the same SeqZero; a BlockAck of 0 cancels at once
 * (§3.5.3.3.2). Acks that do not match the transfer change nothing. */
static void tx_block_ack_zero_cancels(void **state)
{
    (void)state;
    struct unit_node un;
    struct cb_log log;
    struct meshrpr_net_pdu pdu;
    struct meshrpr_lower_pdu lp;
    uint8_t scratch[MESHRPR_NET_PDU_MAX_LEN];
    uint32_t seq_auth;

    unit_node_setup(&un, 0x0001, IV_INDEX);
    seq_auth = meshrpr_node_seq(&un.node);
    assert_int_equal(send_seg(&un, 0x0002, 30, 7, &log), 0); /* 3 segments */
    assert_int_equal(log.start_count, 0);                    /* never from inside the send call */
    assert_int_equal(un.tx_count, 1);
    run_for(&un, 60);
    assert_int_equal(log.start_count, 1);
    assert_int_equal(un.tx_count, 2);
    for (unsigned i = 0; i < 2; i++) {
        sent_pdu(&un, i, &pdu, scratch);
        assert_false(pdu.ctl);
        assert_int_equal(pdu.seq, seq_auth + i);
        assert_int_equal(pdu.ttl, 7);
        assert_int_equal(
            meshrpr_lower_transport_parse(false, pdu.transport_pdu, pdu.transport_len, &lp), 0);
        assert_int_equal(lp.seq_zero, seq_auth & 0x1fff);
        assert_int_equal(lp.seg_o, i);
        assert_int_equal(lp.seg_n, 2);
    }
    assert_int_equal(un.tx_ms[1] - un.tx_ms[0], 60);

    /* Not for this transfer: another SeqZero, another source without OBO, a short ack. */
    feed_ack(&un, 0x0002, 100, false, (uint16_t)((seq_auth + 1) & 0x1fff), 0);
    feed_ack(&un, 0x0009, 101, false, seq_auth & 0x1fff, 0);
    {
        uint8_t short_ack[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
        const struct meshrpr_net_rx rx = {
            .iv_index = IV_INDEX,
            .seq = 102,
            .src = 0x0002,
            .dst = 0x0001,
            .ttl = 5,
            .ctl = true,
        };
        meshrpr_lower_transport_recv(&un.node, &rx, short_ack, sizeof(short_ack));
    }
    assert_int_equal(log.end_count, 0);
    assert_false(meshrpr_node_is_idle(&un.node));

    feed_ack(&un, 0x0002, 103, false, seq_auth & 0x1fff, 0);
    assert_int_equal(log.end_count, 1);
    assert_int_equal(log.end_err, -ECANCELED);
    assert_true(log.start_before_end);
    assert_true(meshrpr_node_is_idle(&un.node));
    run_for(&un, 5000);
    assert_int_equal(un.tx_count, 2);
    assert_int_equal(log.end_count, 1);
    unit_node_finish(&un);
}

/* A Friend's ack (OBO = 1, from another address) counts; acks complete the transfer once
 * every segment is acknowledged, and partial acks make the missing segments go again at
 * once. */
static void tx_acks_complete_transfer(void **state)
{
    (void)state;
    struct unit_node un;
    struct cb_log log;
    struct meshrpr_net_pdu pdu;
    struct meshrpr_lower_pdu lp;
    uint8_t scratch[MESHRPR_NET_PDU_MAX_LEN];
    uint32_t seq_auth;

    unit_node_setup(&un, 0x0001, IV_INDEX);
    seq_auth = meshrpr_node_seq(&un.node);
    assert_int_equal(send_seg(&un, 0x0002, 30, 3, &log), 0);
    run_for(&un, 120); /* all three sent */
    assert_int_equal(un.tx_count, 3);
    /* Segments 0 and 2 acknowledged by a Friend on behalf of 0x0002: segment 1 goes again. */
    feed_ack(&un, 0x0777, 200, true, seq_auth & 0x1fff, 0x5);
    assert_int_equal(un.tx_count, 4);
    sent_pdu(&un, 3, &pdu, scratch);
    assert_int_equal(
        meshrpr_lower_transport_parse(false, pdu.transport_pdu, pdu.transport_len, &lp), 0);
    assert_int_equal(lp.seg_o, 1);
    assert_int_equal(lp.seq_zero, seq_auth & 0x1fff);
    assert_true(pdu.seq > seq_auth + 2);
    assert_int_equal(log.end_count, 0);
    feed_ack(&un, 0x0002, 201, false, seq_auth & 0x1fff, 0x7);
    assert_int_equal(log.end_count, 1);
    assert_int_equal(log.end_err, 0);
    assert_int_equal(un.node.lower.tx_retrans_count, 1);
    unit_node_finish(&un);
}

/* The platform contract (platform.h, adv_send): a segment waits for the previous one to have
 * left, and the retransmissions timer starts when the round's last segment has left, however
 * long the host keeps it queued. A host that reports is trusted: nothing is retransmitted while
 * it holds the segment, until the guard (MESHRPR_ADV_SENT_GUARD_MS after the estimate). */
static void tx_timers_start_on_air(void **state)
{
    (void)state;
    struct unit_node un;
    struct cb_log log;

    unit_node_setup(&un, 0x0001, IV_INDEX);
    un.report_later = true;
    un.node.adv.host_reports = true; /* as a host that has reported before */
    assert_int_equal(send_seg(&un, 0x0002, 20, 7, &log), 0); /* 2 segments at TTL 7 */
    assert_int_equal(un.tx_count, 1);
    run_for(&un, 100);
    assert_int_equal(un.tx_count, 1); /* segment 0 is still in the host's queue */
    meshrpr_node_adv_sent(&un.node, un.pending_tx_id);
    assert_int_equal(un.tx_count, 2); /* segment 1 follows at once */
    assert_int_equal(un.tx_ms[1], 1100);
    run_for(&un, 3000);
    assert_int_equal(un.tx_count, 2); /* segment 1 has not left: no retransmission */
    meshrpr_node_adv_sent(&un.node, un.pending_tx_id);
    run_for(&un, 499);
    assert_int_equal(un.tx_count, 2);
    run_for(&un, 1);
    assert_int_equal(un.tx_count, 3); /* 200 + 50 * 6 ms after it left */
    assert_int_equal(un.tx_ms[2], 4600);
    /* Reported or not, a stale or unknown handle changes nothing. */
    meshrpr_node_adv_sent(&un.node, un.pending_tx_id + 100);
    meshrpr_node_adv_sent(&un.node, 0);
    assert_int_equal(un.tx_count, 3);
    /* Never reported: the guard takes it as sent 5 s after its estimated end (90 ms). */
    run_for(&un, 90 + MESHRPR_ADV_SENT_GUARD_MS - 1);
    assert_int_equal(un.tx_count, 3);
    run_for(&un, 61);
    assert_int_equal(un.tx_count, 4); /* the segment interval after the guard */
    assert_int_equal(log.end_count, 0);
    un.report_later = false;
    meshrpr_node_adv_sent(&un.node, un.pending_tx_id);
    run_for(&un, 10000);
    assert_int_equal(log.end_count, 1);
    assert_int_equal(log.end_err, -ETIMEDOUT);
    unit_node_finish(&un);
}

/* A host that never reports (platform.h, adv_send): the node estimates each PDU done
 * count x (interval + 10 ms) after the previous one, 90 ms with the default Network Transmit
 * (3 transmissions 20 ms apart). */
static void tx_timers_estimated_without_reports(void **state)
{
    (void)state;
    struct unit_node un;
    struct cb_log log;

    unit_node_setup(&un, 0x0001, IV_INDEX);
    un.report_later = true;
    un.node.adv.host_reports = false; /* as a host that never called meshrpr_node_adv_sent() */
    assert_int_equal(send_seg(&un, 0x0002, 20, 7, &log), 0);
    run_for(&un, 1000);
    assert_true(un.tx_count >= 3);
    assert_int_equal(un.tx_ms[0], 1000);
    assert_int_equal(un.tx_ms[1], 1090); /* segment 0 estimated done at 1090 (> 1060) */
    assert_int_equal(un.tx_ms[2], 1680); /* segment 1 done at 1180, then 500 ms */
    run_for(&un, 10000);
    assert_int_equal(log.end_count, 1);
    unit_node_finish(&un);
}

/* Without acks: 3 transmissions of each segment (SAR Unicast Retransmissions Count 2), spaced
 * by the unicast retransmissions timer 200 + 50 * (TTL - 1) ms after each round, then
 * -ETIMEDOUT. TTL 0 uses the step alone. */
static void tx_timeout_timing(void **state)
{
    (void)state;
    struct unit_node un;
    struct cb_log log;

    unit_node_setup(&un, 0x0001, IV_INDEX);
    assert_int_equal(send_seg(&un, 0x0002, 20, 7, &log), 0); /* 2 segments */
    run_for(&un, 10000);
    assert_int_equal(un.tx_count, 6);
    const uint64_t expected7[] = { 1000, 1060, 1560, 1620, 2120, 2180 };
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(un.tx_ms[i], expected7[i]);
    }
    assert_int_equal(log.end_count, 1);
    assert_int_equal(log.end_err, -ETIMEDOUT);
    assert_int_equal(log.end_ms, 2680);
    assert_int_equal(un.node.lower.tx_retrans_count, 4);

    un.tx_count = 0;
    un.fp.now_ms = 20000;
    assert_int_equal(send_seg(&un, 0x0002, 10, 0, &log), 0); /* 1 segment, TTL 0 */
    run_for(&un, 10000);
    assert_int_equal(un.tx_count, 3);
    assert_int_equal(un.tx_ms[0], 20000);
    assert_int_equal(un.tx_ms[1], 20200);
    assert_int_equal(un.tx_ms[2], 20400);
    assert_int_equal(log.end_err, -ETIMEDOUT);
    assert_int_equal(log.end_ms, 20600);
    unit_node_finish(&un);
}

/* Multicast: every segment three times at the multicast interval (250 ms), then complete;
 * acks are never expected. */
static void tx_group_completes(void **state)
{
    (void)state;
    struct unit_node un;
    struct cb_log log;

    unit_node_setup(&un, 0x0001, IV_INDEX);
    assert_int_equal(send_seg(&un, 0xc001, 20, 5, &log), 0);
    run_for(&un, 10000);
    assert_int_equal(un.tx_count, 6);
    const uint64_t expected[] = { 1000, 1060, 1310, 1370, 1620, 1680 };
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(un.tx_ms[i], expected[i]);
    }
    assert_int_equal(log.end_count, 1);
    assert_int_equal(log.end_err, 0);
    assert_int_equal(log.end_ms, 1930);
    unit_node_finish(&un);
}

/* One segmented transfer per destination (-EBUSY), MESHRPR_SAR_TX_COUNT at once (-ENOBUFS),
 * and a reset ends every transfer with -ECANCELED. */
static void tx_busy_nobufs_reset(void **state)
{
    (void)state;
    struct unit_node un;
    struct cb_log logs[MESHRPR_SAR_TX_COUNT];
    struct cb_log extra;

    unit_node_setup(&un, 0x0001, IV_INDEX);
    for (unsigned i = 0; i < MESHRPR_SAR_TX_COUNT; i++) {
        assert_int_equal(send_seg(&un, (uint16_t)(0x0100 + i), 40, 7, &logs[i]), 0);
    }
    assert_int_equal(send_seg(&un, 0x0100, 40, 7, &extra), -EBUSY);
    assert_int_equal(send_seg(&un, 0x0200, 40, 7, &extra), -ENOBUFS);
    run_for(&un, 30);
    meshrpr_lower_transport_reset(&un.node);
    for (unsigned i = 0; i < MESHRPR_SAR_TX_COUNT; i++) {
        assert_int_equal(logs[i].end_count, 1);
        assert_int_equal(logs[i].end_err, -ECANCELED);
    }
    assert_int_equal(extra.end_count, 0);
    assert_true(meshrpr_node_is_idle(&un.node));
    /* The destinations are free again. */
    assert_int_equal(send_seg(&un, 0x0100, 40, 7, &extra), 0);
    run_for(&un, 10000);
    assert_int_equal(extra.end_count, 1);
    assert_int_equal(extra.end_err, -ETIMEDOUT);
    unit_node_finish(&un);
}

/* Unsegmented sends complete with end(0) from a 0 ms timer, never inside the send call. */
static void tx_unsegmented_callback_deferred(void **state)
{
    (void)state;
    struct unit_node un;
    struct cb_log log = { 0 };
    uint8_t upper[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
    struct meshrpr_net_pdu pdu;
    uint8_t scratch[MESHRPR_NET_PDU_MAX_LEN];
    struct meshrpr_lower_tx tx = {
        .net_idx = 0x000,
        .src = 0x0001,
        .dst = 0x0002,
        .ttl = 4,
        .akf = true,
        .aid = 0x26,
        .seq = 0x000123,
        .iv_index = IV_INDEX,
        .cb = &test_cb,
        .cb_data = &log,
    };

    unit_node_setup(&un, 0x0001, IV_INDEX);
    log.un = &un;
    assert_int_equal(meshrpr_lower_transport_send_access(&un.node, &tx, upper, sizeof(upper)), 0);
    assert_int_equal(log.end_count, 0);
    assert_false(meshrpr_node_is_idle(&un.node));
    sent_pdu(&un, 0, &pdu, scratch);
    assert_int_equal(pdu.seq, 0x000123);
    assert_hex_equal(pdu.transport_pdu, pdu.transport_len, "660102030405060708090a");
    run_for(&un, 0);
    assert_int_equal(log.start_count, 1);
    assert_int_equal(log.end_count, 1);
    assert_int_equal(log.end_err, 0);
    assert_true(meshrpr_node_is_idle(&un.node));

    /* Bad arguments. */
    assert_int_equal(meshrpr_lower_transport_send_access(&un.node, &tx, upper, 4), -EINVAL);
    tx.src = 0xc000;
    assert_int_equal(meshrpr_lower_transport_send_access(&un.node, &tx, upper, 5), -EINVAL);
    tx.src = 0x0001;
    {
        uint8_t big[MESHRPR_SAR_PDU_MAX + 1] = { 0 };
        assert_int_equal(meshrpr_lower_transport_send_access(&un.node, &tx, big, sizeof(big)),
                         -EMSGSIZE);
    }
    assert_int_equal(
        meshrpr_lower_transport_send_control(&un.node, 0, 0x0001, 0x0002, 5, 0x00, NULL, 0),
        -EINVAL);
    unit_node_finish(&un);
}

/* The 8191 rule (§3.5.3.3): a retransmission whose SEQ would pass SeqAuth + 8191 cancels. */
static void tx_seq_auth_span(void **state)
{
    (void)state;
    struct unit_node un;
    struct cb_log log;
    uint32_t seq_auth;

    unit_node_setup(&un, 0x0001, IV_INDEX);
    seq_auth = meshrpr_node_seq(&un.node);
    assert_int_equal(send_seg(&un, 0x0002, 30, 7, &log), 0); /* segment 0 at SeqAuth */
    un.node.net.seq = seq_auth + 8191;                       /* white box: much traffic */
    run_for(&un, 60);
    assert_int_equal(un.tx_count, 2); /* segment 1 at SeqAuth + 8191 still goes */
    assert_int_equal(log.end_count, 0);
    run_for(&un, 60);
    assert_int_equal(un.tx_count, 2); /* segment 2 would be at SeqAuth + 8192 */
    assert_int_equal(log.end_count, 1);
    assert_int_equal(log.end_err, -ETIMEDOUT);
    unit_node_finish(&un);
}

/* Segmented control messages: more than 11 parameter octets go in 8-octet segments. */
static void tx_control_segmented(void **state)
{
    (void)state;
    struct unit_node un;
    uint8_t params[20];
    struct meshrpr_net_pdu pdu;
    struct meshrpr_lower_pdu lp;
    uint8_t scratch[MESHRPR_NET_PDU_MAX_LEN];

    for (size_t i = 0; i < sizeof(params); i++) {
        params[i] = (uint8_t)(0xa0 + i);
    }
    unit_node_setup(&un, 0x0001, IV_INDEX);
    assert_int_equal(
        meshrpr_lower_transport_send_control(&un.node, 0, 0x0001, 0x0002, 5, 0x0a, params, 11), 0);
    sent_pdu(&un, 0, &pdu, scratch);
    assert_true(pdu.ctl);
    assert_hex_equal(pdu.transport_pdu, pdu.transport_len, "0aa0a1a2a3a4a5a6a7a8a9aa");
    assert_int_equal(
        meshrpr_lower_transport_send_control(&un.node, 0, 0x0001, 0x0002, 5, 0x0a, params, 20), 0);
    run_for(&un, 200);
    assert_int_equal(un.tx_count, 4);
    for (unsigned i = 0; i < 3; i++) {
        sent_pdu(&un, 1 + i, &pdu, scratch);
        assert_true(pdu.ctl);
        assert_int_equal(
            meshrpr_lower_transport_parse(true, pdu.transport_pdu, pdu.transport_len, &lp), 0);
        assert_true(lp.seg);
        assert_int_equal(lp.opcode, 0x0a);
        assert_int_equal(lp.seg_o, i);
        assert_int_equal(lp.seg_n, 2);
        assert_memory_equal(lp.payload, params + 8 * i, lp.payload_len);
    }
    assert_int_equal(lp.payload_len, 4);
    run_for(&un, 10000);
    assert_int_equal(un.node.lower.tx_timeout_count, 1);
    unit_node_finish(&un);
}

/* Receiver timers: the ack timer follows min(SegN + 0.5, 2.5) * 60 ms and is restarted by
 * each new segment; with SAR Acknowledgment Retransmissions Count 2 and SegN above the SAR
 * Segments Threshold the ack is repeated at the segment reception interval; the Discard timer
 * (10 s) frees the context and makes later segments late. */
static void rx_ack_and_discard_timers(void **state)
{
    (void)state;
    struct unit_node un;
    struct meshrpr_sar_rx_state sar;
    struct meshrpr_net_pdu pdu;
    uint8_t scratch[MESHRPR_NET_PDU_MAX_LEN];

    unit_node_setup(&un, 0x0001, IV_INDEX);
    meshrpr_lower_transport_sar_rx_get(&un.node, &sar);
    sar.ack_retrans_count = 2;
    sar.seg_thresh = 1;
    assert_int_equal(meshrpr_lower_transport_sar_rx_set(&un.node, &sar), 0);

    /* SegN 2 (above the threshold 1): segments 0 and 1 of a message from 0x0002. */
    feed(&un, false, 0x0002, 0x0001, 0x1000, 5, IV_INDEX, "e6400002 000102030405060708090a0b");
    run_for(&un, 100);
    assert_int_equal(un.tx_count, 0);
    feed(&un, false, 0x0002, 0x0001, 0x1001, 5, IV_INDEX, "e6400022 0c0d0e0f1011121314151617");
    run_for(&un, 149);
    assert_int_equal(un.tx_count, 0);
    run_for(&un, 1000);
    assert_int_equal(un.tx_count, 3);
    assert_int_equal(un.tx_ms[0], 1250);
    assert_int_equal(un.tx_ms[1], 1310);
    assert_int_equal(un.tx_ms[2], 1370);
    for (unsigned i = 0; i < 3; i++) {
        sent_pdu(&un, i, &pdu, scratch);
        assert_hex_equal(pdu.transport_pdu, pdu.transport_len, "00400000000003");
    }
    assert_int_equal(un.node.lower.rx[0].state, MESHRPR_SAR_RX_ACTIVE);

    /* Discard 10 s after the last new segment (at 1100): nothing is sent. */
    run_until(&un, 11099);
    assert_int_equal(un.node.lower.rx[0].state, MESHRPR_SAR_RX_ACTIVE);
    run_until(&un, 11100);
    assert_int_equal(un.node.lower.rx[0].state, MESHRPR_SAR_RX_DISCARDED);
    assert_int_equal(un.node.lower.rx_discard_count, 1);
    assert_true(meshrpr_node_is_idle(&un.node));
    /* Late segment: ignored, no ack, no timer. */
    feed(&un, false, 0x0002, 0x0001, 0x1002, 5, IV_INDEX, "e6400042 18191a1b");
    run_for(&un, 1000);
    assert_int_equal(un.tx_count, 3);
    assert_int_equal(un.rx_count, 0);
    assert_true(meshrpr_node_is_idle(&un.node));
    unit_node_finish(&un);
}

/* Out of reassembly contexts: a new unicast message is refused with BlockAck 0; a group one
 * silently. */
static void rx_out_of_contexts(void **state)
{
    (void)state;
    struct unit_node un;
    struct meshrpr_net_pdu pdu;
    uint8_t scratch[MESHRPR_NET_PDU_MAX_LEN];

    unit_node_setup(&un, 0x0001, IV_INDEX);
    for (unsigned i = 0; i < MESHRPR_SAR_RX_COUNT; i++) {
        feed(&un, false, (uint16_t)(0x0100 + i), 0x0001, 0x2000, 5, IV_INDEX,
             "e6400001 000102030405060708090a0b");
    }
    run_for(&un, 10); /* before any ack timer */
    assert_int_equal(un.tx_count, 0);
    feed(&un, false, 0x0200, 0x0001, 0x3000, 5, IV_INDEX, "e6400001 000102030405060708090a0b");
    assert_int_equal(un.node.lower.rx_reject_count, 1);
    assert_int_equal(un.tx_count, 1);
    sent_pdu(&un, 0, &pdu, scratch);
    assert_int_equal(pdu.dst, 0x0200);
    assert_int_equal(pdu.src, 0x0001);
    assert_hex_equal(pdu.transport_pdu, pdu.transport_len, "00400000000000");
    feed(&un, false, 0x0201, 0xffff, 0x3000, 5, IV_INDEX, "e6400001 000102030405060708090a0b");
    assert_int_equal(un.node.lower.rx_reject_count, 2);
    assert_int_equal(un.tx_count, 1);
    unit_node_finish(&un);
}

/* Malformed or foreign PDUs: nothing delivered, nothing sent, nothing armed. */
static void rx_ignores_malformed(void **state)
{
    (void)state;
    struct unit_node un;

    unit_node_setup(&un, 0x0001, IV_INDEX);
    feed(&un, false, 0x0002, 0x0001, 10, 5, IV_INDEX, "66");           /* too short */
    feed(&un, false, 0x0002, 0x0001, 11, 5, IV_INDEX, "e6400041 00");  /* SegO > SegN */
    feed(&un, true, 0x0002, 0x0001, 12, 5, IV_INDEX, "00 0000000000"); /* short ack */
    feed(&un, true, 0x0002, 0x0001, 13, 5, IV_INDEX, "80 0000 01 00"); /* segmented ack */
    feed(&un, false, 0xc000, 0x0001, 14, 5, IV_INDEX, "e6400001 000102030405060708090a0b");
    feed(&un, false, 0x0002, 0x0009, 15, 5, IV_INDEX, "e6400001 000102030405060708090a0b");
    feed(&un, false, 0x0002, 0x0001, 0x0003, 5, IV_INDEX, "e6400801 000102030405060708090a0b");
    assert_true(meshrpr_node_is_idle(&un.node));
    assert_int_equal(un.tx_count, 0);
    assert_int_equal(un.rx_count, 0);
    /* A segment whose header disagrees with the message it claims to belong to. */
    feed(&un, false, 0x0002, 0x0001, 0x1001, 5, IV_INDEX, "e6400402 000102030405060708090a0b");
    feed(&un, false, 0x0002, 0x0001, 0x1002, 5, IV_INDEX, "e6400423 0c0d0e0f1011121314151617");
    assert_int_equal(un.node.lower.rx_seg_count, 1);
    unit_node_finish(&un);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_message6_segments),
        cmocka_unit_test(parse_message24_segments),
        cmocka_unit_test(parse_unsegmented_access),
        cmocka_unit_test(parse_message7_segment_ack),
        cmocka_unit_test(encode_samples),
        cmocka_unit_test(parse_rejects_malformed),
        cmocka_unit_test(encode_rejects_bad_fields),
        cmocka_unit_test(seq_auth_recovery),
        cmocka_unit_test(sar_state_defaults),
        cmocka_unit_test(receive_message6_and_ack),
        cmocka_unit_test(receive_message6_segment1_first),
        cmocka_unit_test(receive_message24_virtual),
        cmocka_unit_test(receive_message18_replay),
        cmocka_unit_test(tx_block_ack_zero_cancels),
        cmocka_unit_test(tx_acks_complete_transfer),
        cmocka_unit_test(tx_timeout_timing),
        cmocka_unit_test(tx_timers_start_on_air),
        cmocka_unit_test(tx_timers_estimated_without_reports),
        cmocka_unit_test(tx_group_completes),
        cmocka_unit_test(tx_busy_nobufs_reset),
        cmocka_unit_test(tx_unsegmented_callback_deferred),
        cmocka_unit_test(tx_seq_auth_span),
        cmocka_unit_test(tx_control_segmented),
        cmocka_unit_test(rx_ack_and_discard_timers),
        cmocka_unit_test(rx_out_of_contexts),
        cmocka_unit_test(rx_ignores_malformed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
