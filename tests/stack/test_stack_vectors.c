/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The whole stack (access → upper → lower → network and back) against the specification's
 * message samples (MshPRTv1.1 §8.3): a node sends the sample's access message and the Network
 * PDUs it puts on air must equal the published ones byte for byte; a node fed the published
 * PDUs must deliver the sample's access message to its model.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include <meshrpr/node.h>

#include "net/keys.h"
#include "net/net.h"

/* ---- A platform that records every transmission ----------------------------------------- */

struct rec_platform {
    struct meshrpr_platform platform;
    uint64_t now_ms;
    unsigned count;
    uint8_t pdu[8][29];
    size_t len[8];
};

static uint64_t rec_now(void *ctx)
{
    return ((struct rec_platform *)ctx)->now_ms;
}

static int rec_random(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    memset(out, 0x5a, len);
    return 0;
}

static int rec_adv_send(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len,
                        const struct meshrpr_adv_params *params)
{
    struct rec_platform *rp = ctx;

    (void)params;
    if (ad_type == 0x2a && rp->count < 8 && len <= 29) {
        memcpy(rp->pdu[rp->count], data, len);
        rp->len[rp->count] = len;
        rp->count++;
    }
    return 0;
}

static void rec_log(void *ctx, enum meshrpr_log_level level, const char *module, const char *text)
{
    (void)ctx;
    if (getenv("VEC_LOG") != NULL) {
        fprintf(stderr, "[%d] %s: %s\n", level, module, text);
    }
}

static void rec_init(struct rec_platform *rp)
{
    memset(rp, 0, sizeof(*rp));
    rp->platform.ctx = rp;
    rp->platform.now_ms = rec_now;
    rp->platform.random = rec_random;
    rp->platform.adv_send = rec_adv_send;
    rp->platform.log = rec_log;
}

/* Run the node's timers until it is idle (SAR timers run out on their own; the periodic
 * beacon does not count). */
static void drain(struct rec_platform *rp, struct meshrpr_node *node)
{
    for (int i = 0; i < 10000 && !meshrpr_node_is_idle(node); i++) {
        uint64_t next = meshrpr_node_next_deadline_ms(node);
        if (next > rp->now_ms) {
            rp->now_ms = next;
        }
        meshrpr_node_process(node);
    }
    assert_true(meshrpr_node_is_idle(node));
}

/* ---- A node with one element and a recording model -------------------------------------- */

struct vec_node {
    struct rec_platform rp;
    struct meshrpr_node node;
    struct bt_mesh_comp comp;
    struct bt_mesh_elem elem;
    struct bt_mesh_model models[1];
    struct bt_mesh_model vnd[1];
    struct bt_mesh_model_rt_ctx rt[2];
    struct meshrpr_node_config cfg;
    uint8_t peer_dev_key[16];
    unsigned rx_count;
    uint32_t rx_opcode;
    uint8_t rx[400];
    size_t rx_len;
    struct bt_mesh_msg_ctx rx_ctx;
};

static int record_msg(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                      struct net_buf_simple *buf, uint32_t opcode)
{
    struct vec_node *vn = model->rt->user_data;

    vn->rx_count++;
    vn->rx_opcode = opcode;
    vn->rx_len = buf->len;
    memcpy(vn->rx, buf->data, buf->len);
    vn->rx_ctx = *ctx;
    return 0;
}

#define OP_APP_KEY_ADD    BT_MESH_MODEL_OP_1(0x00)
#define OP_APP_KEY_STATUS BT_MESH_MODEL_OP_2(0x80, 0x03)
#define OP_HEALTH_CURRENT BT_MESH_MODEL_OP_1(0x04)
#define OP_VND_HELLO      BT_MESH_MODEL_OP_3(0x15, 0x000a)
#define OP_VND_WORLD      BT_MESH_MODEL_OP_3(0x2a, 0x000a)

static int h_app_key_add(const struct bt_mesh_model *m, struct bt_mesh_msg_ctx *c,
                         struct net_buf_simple *b)
{
    return record_msg(m, c, b, OP_APP_KEY_ADD);
}

static int h_app_key_status(const struct bt_mesh_model *m, struct bt_mesh_msg_ctx *c,
                            struct net_buf_simple *b)
{
    return record_msg(m, c, b, OP_APP_KEY_STATUS);
}

static int h_health(const struct bt_mesh_model *m, struct bt_mesh_msg_ctx *c,
                    struct net_buf_simple *b)
{
    return record_msg(m, c, b, OP_HEALTH_CURRENT);
}

static int h_hello(const struct bt_mesh_model *m, struct bt_mesh_msg_ctx *c,
                   struct net_buf_simple *b)
{
    return record_msg(m, c, b, OP_VND_HELLO);
}

static int h_world(const struct bt_mesh_model *m, struct bt_mesh_msg_ctx *c,
                   struct net_buf_simple *b)
{
    return record_msg(m, c, b, OP_VND_WORLD);
}

static const struct bt_mesh_model_op sig_ops[] = {
    { OP_APP_KEY_ADD, BT_MESH_LEN_EXACT(19), h_app_key_add },
    { OP_APP_KEY_STATUS, BT_MESH_LEN_EXACT(4), h_app_key_status },
    { OP_HEALTH_CURRENT, BT_MESH_LEN_MIN(3), h_health },
    BT_MESH_MODEL_OP_END,
};

static const struct bt_mesh_model_op vnd_ops[] = {
    { OP_VND_HELLO, BT_MESH_LEN_MIN(0), h_hello },
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
    struct vec_node *vn = ctx;

    (void)addr;
    memcpy(dev_key, vn->peer_dev_key, 16);
    return 0;
}

#define NET_KEY    "7dd7364cd842ad18c17c2b820c84c3d6"
#define APP_KEY    "63964771734fbd76e3b40519d1d94a48"
#define DEV_KEY    "9d6dd0e96eb25dc19a40ed9914f8f03f"
#define LABEL_B529 "0073e7e4d8b9440faf8415df4c56c0e1"
#define LABEL_9736 "f4a002c7fb1e4ca0a469a021de0db875"

/* A node at addr with the sample keys; its own device key and its peer's are both the sample
 * DevKey (the samples use one device key, that of node 0x1201). */
static void vec_node_setup(struct vec_node *vn, uint16_t addr, uint32_t iv_index)
{
    TEST_HEX(net_key, NET_KEY);
    TEST_HEX(app_key, APP_KEY);
    TEST_HEX(dev_key, DEV_KEY);

    memset(vn, 0, sizeof(*vn));
    rec_init(&vn->rp);
    memcpy(vn->peer_dev_key, dev_key, 16);
    vn->rt[0].user_data = vn;
    vn->rt[1].user_data = vn;
    vn->models[0].id = 0x1000;
    vn->models[0].rt = &vn->rt[0];
    vn->models[0].op = sig_ops;
    vn->models[0].cb = &dev_any_cb;
    vn->vnd[0].vnd.company = 0x000a;
    vn->vnd[0].vnd.id = 0x0001;
    vn->vnd[0].rt = &vn->rt[1];
    vn->vnd[0].op = vnd_ops;
    vn->elem.model_count = 1;
    vn->elem.models = vn->models;
    vn->elem.vnd_model_count = 1;
    vn->elem.vnd_models = vn->vnd;
    vn->comp.elem = &vn->elem;
    vn->comp.elem_count = 1;
    vn->cfg.platform = &vn->rp.platform;
    vn->cfg.comp = &vn->comp;
    vn->cfg.dev_key_get = peer_dev_key;
    vn->cfg.dev_key_ctx = vn;
    assert_int_equal(meshrpr_node_init(&vn->node, &vn->cfg), 0);
    assert_int_equal(meshrpr_node_provision(&vn->node, net_key, 0x000, 0, iv_index, addr, dev_key),
                     0);
    assert_int_equal(meshrpr_node_app_key_add(&vn->node, 0x000, 0x123, app_key), 0);
    assert_int_equal(meshrpr_node_model_app_bind(&vn->node, &vn->models[0], 0x123), 0);
    assert_int_equal(meshrpr_node_model_app_bind(&vn->node, &vn->vnd[0], 0x123), 0);
    vn->rp.count = 0; /* forget beacons and anything else sent while setting up */
}

static void send_sample(struct vec_node *vn, const struct bt_mesh_model *model, uint32_t seq,
                        uint16_t app_idx, uint16_t dst, uint8_t ttl, const uint8_t *uuid,
                        const char *access_hex)
{
    uint8_t access[64];
    size_t len = test_hex(access_hex, access, sizeof(access));
    struct bt_mesh_msg_ctx ctx = BT_MESH_MSG_CTX_INIT(0x000, app_idx, dst, ttl);
    struct net_buf_simple msg;

    ctx.uuid = uuid;
    vn->node.net.seq = seq; /* white box: the samples fix the SEQ */
    net_buf_simple_init_with_data(&msg, access, len);
    assert_int_equal(bt_mesh_model_send(model, &ctx, &msg, NULL, NULL), 0);
    drain(&vn->rp, &vn->node);
}

/* Message #6: Config AppKey Add, two segments, device key, 0x0003 → 0x1201, TTL 4. */
static void send_message6(void **state)
{
    (void)state;
    struct vec_node vn;

    vec_node_setup(&vn, 0x0003, 0x12345678);
    send_sample(&vn, &vn.models[0], 0x3129ab, BT_MESH_KEY_DEV_REMOTE, 0x1201, 4, NULL,
                "0056341263964771734fbd76e3b40519d1d94a48");
    assert_true(vn.rp.count >= 2);
    assert_hex_equal(vn.rp.pdu[0], vn.rp.len[0],
                     "68cab5c5348a230afba8c63d4e686364979deaf4fd40961145939cda0e");
    assert_hex_equal(vn.rp.pdu[1], vn.rp.len[1],
                     "681615b5dd4a846cae0c032bf0746f44f1b8cc8ce5edc57e55beed49c0");
    meshrpr_node_deinit(&vn.node);
}

/* Message #16: Config AppKey Status, device key, 0x1201 → 0x0003, TTL 0x0B. */
static void send_message16(void **state)
{
    (void)state;
    struct vec_node vn;

    vec_node_setup(&vn, 0x1201, 0x12345678);
    send_sample(&vn, &vn.models[0], 0x000006, BT_MESH_KEY_DEV_LOCAL, 0x0003, 0x0b, NULL,
                "800300563412");
    assert_int_equal(vn.rp.count, 1);
    assert_hex_equal(vn.rp.pdu[0], vn.rp.len[0],
                     "68e80e5da5af0e6b9be7f5a642f2f98680e61c3a8b47f228");
    assert_true(meshrpr_node_is_idle(&vn.node));
    meshrpr_node_deinit(&vn.node);
}

/* Message #18: Health Current Status with the AppKey to all-nodes, TTL 3. */
static void send_message18(void **state)
{
    (void)state;
    struct vec_node vn;

    vec_node_setup(&vn, 0x1201, 0x12345678);
    send_sample(&vn, &vn.models[0], 0x000007, 0x123, 0xffff, 3, NULL, "0400000000");
    assert_true(vn.rp.count >= 1);
    assert_hex_equal(vn.rp.pdu[0], vn.rp.len[0], "6848cba437860e5673728a627fb938535508e21a6baf57");
    meshrpr_node_deinit(&vn.node);
}

/* Message #22: vendor message to virtual address 0xB529, Label UUID as additional data. */
static void send_message22(void **state)
{
    (void)state;
    TEST_HEX(label, LABEL_B529);
    struct vec_node vn;

    vec_node_setup(&vn, 0x1234, 0x12345677);
    send_sample(&vn, &vn.vnd[0], 0x07080b, 0x123, 0xb529, 3, label, "d50a0048656c6c6f");
    assert_true(vn.rp.count >= 1);
    assert_hex_equal(vn.rp.pdu[0], vn.rp.len[0],
                     "e8d85caecef1e3ed31f3fdcf88a411135fea55df730b6b28e255");
    meshrpr_node_deinit(&vn.node);
}

static void feed(struct vec_node *vn, const char *pdu_hex)
{
    uint8_t pdu[29];
    size_t len = test_hex(pdu_hex, pdu, sizeof(pdu));

    /* Segments arrive 10 ms apart; the receiver's timers run in between. */
    vn->rp.now_ms += 10;
    meshrpr_node_process(&vn->node);
    meshrpr_node_adv_recv(&vn->node, 0x2a, pdu, len, -60);
}

/* Message #6 received by 0x1201: reassembled and opened with its device key. */
static void receive_message6(void **state)
{
    (void)state;
    struct vec_node vn;

    vec_node_setup(&vn, 0x1201, 0x12345678);
    feed(&vn, "68cab5c5348a230afba8c63d4e686364979deaf4fd40961145939cda0e");
    assert_int_equal(vn.rx_count, 0);
    feed(&vn, "681615b5dd4a846cae0c032bf0746f44f1b8cc8ce5edc57e55beed49c0");
    drain(&vn.rp, &vn.node);
    assert_int_equal(vn.rx_count, 1);
    assert_int_equal(vn.rx_opcode, OP_APP_KEY_ADD);
    assert_hex_equal(vn.rx, vn.rx_len, "56341263964771734fbd76e3b40519d1d94a48");
    assert_int_equal(vn.rx_ctx.addr, 0x0003);
    assert_int_equal(vn.rx_ctx.recv_ttl, 4);
    assert_int_equal(vn.rx_ctx.app_idx, BT_MESH_KEY_DEV_LOCAL);
    /* The receiver acknowledged both segments: a Segment Ack (control opcode 0x00) to 0x0003
     * with OBO 0, SeqZero 0x09ab and BlockAck 0b11 (format of §3.5.2.3.1, as in Message #7). */
    assert_true(vn.rp.count >= 1);
    const struct meshrpr_subnet *sub = meshrpr_keys_subnet_get(&vn.node, 0x000);
    struct meshrpr_net_pdu ack;
    uint8_t scratch[29];
    assert_int_equal(meshrpr_net_decode(&sub->cred, 0x12345678, vn.rp.pdu[vn.rp.count - 1],
                                        vn.rp.len[vn.rp.count - 1], scratch, &ack),
                     0);
    assert_true(ack.ctl);
    assert_int_equal(ack.src, 0x1201);
    assert_int_equal(ack.dst, 0x0003);
    assert_hex_equal(ack.transport_pdu, ack.transport_len, "0026ac00000003");
    meshrpr_node_deinit(&vn.node);
}

/* Message #24 received: two segments, SZMIC = 1, virtual address 0x9736, IV Index 0x12345677
 * arriving at a node whose current IV Index is 0x12345678 (IVI selects the previous one). */
static void receive_message24(void **state)
{
    (void)state;
    TEST_HEX(label, LABEL_9736);
    struct vec_node vn;

    vec_node_setup(&vn, 0x0005, 0x12345678);
    assert_non_null(meshrpr_keys_label_add(&vn.node, label));
    assert_int_equal(meshrpr_node_model_sub_add(&vn.node, &vn.vnd[0], 0x9736), 0);
    feed(&vn, "e8624e65bb8c1794e998b4081f47a35251fdd3896d99e4db489b918599");
    feed(&vn, "e8a7d0f0a2ea42dc2f4dd6fb4db33a6c088d023b47");
    drain(&vn.rp, &vn.node);
    assert_int_equal(vn.rx_count, 1);
    assert_int_equal(vn.rx_opcode, OP_VND_WORLD);
    assert_hex_equal(vn.rx, vn.rx_len, "576f726c64");
    assert_int_equal(vn.rx_ctx.addr, 0x1234);
    assert_int_equal(vn.rx_ctx.recv_dst, 0x9736);
    assert_int_equal(vn.rx_ctx.app_idx, 0x123);
    assert_non_null(vn.rx_ctx.uuid);
    assert_memory_equal(vn.rx_ctx.uuid, label, 16);
    meshrpr_node_deinit(&vn.node);
}

/* Message #18 received by a node at another address: all-nodes reaches the primary element. */
static void receive_message18(void **state)
{
    (void)state;
    struct vec_node vn;

    vec_node_setup(&vn, 0x0100, 0x12345678);
    feed(&vn, "6848cba437860e5673728a627fb938535508e21a6baf57");
    drain(&vn.rp, &vn.node);
    assert_int_equal(vn.rx_count, 1);
    assert_int_equal(vn.rx_opcode, OP_HEALTH_CURRENT);
    assert_hex_equal(vn.rx, vn.rx_len, "00000000");
    assert_int_equal(vn.rx_ctx.app_idx, 0x123);
    assert_int_equal(vn.rx_ctx.recv_dst, 0xffff);
    meshrpr_node_deinit(&vn.node);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(send_message6),     cmocka_unit_test(send_message16),
        cmocka_unit_test(send_message18),    cmocka_unit_test(send_message22),
        cmocka_unit_test(receive_message6),  cmocka_unit_test(receive_message24),
        cmocka_unit_test(receive_message18),
    };
    return cmocka_run_group_tests_name("stack_vectors", tests, NULL, NULL);
}
