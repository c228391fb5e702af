/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The access layer (MshPRTv1.1 §3.7): opcode formats (1, 2 and 3 octets, 0x7F reserved),
 * the op tables' length rules checked before any handler runs, key and destination matching.
 */
#include <errno.h>
#include <string.h>

#include "fake_platform.h"
#include "test_util.h"

#include <meshrpr/node.h>

#include "access/access.h"

#define OP_GET  BT_MESH_MODEL_OP_2(0x80, 0x01)
#define OP_SET  BT_MESH_MODEL_OP_1(0x01)
#define OP_VND  BT_MESH_MODEL_OP_3(0x02, 0x0059)
#define OP_MIN2 BT_MESH_MODEL_OP_2(0x80, 0x02)

static unsigned calls[4];
static uint16_t last_len;

static int h_get(const struct bt_mesh_model *m, struct bt_mesh_msg_ctx *c, struct net_buf_simple *b)
{
    (void)m, (void)c;
    calls[0]++;
    last_len = b->len;
    return 0;
}

static int h_set(const struct bt_mesh_model *m, struct bt_mesh_msg_ctx *c, struct net_buf_simple *b)
{
    (void)m, (void)c;
    calls[1]++;
    last_len = b->len;
    return 0;
}

static int h_vnd(const struct bt_mesh_model *m, struct bt_mesh_msg_ctx *c, struct net_buf_simple *b)
{
    (void)m, (void)c;
    calls[2]++;
    last_len = b->len;
    return 0;
}

static int h_min2(const struct bt_mesh_model *m, struct bt_mesh_msg_ctx *c,
                  struct net_buf_simple *b)
{
    (void)m, (void)c;
    calls[3]++;
    last_len = b->len;
    return 0;
}

static const struct bt_mesh_model_op ops[] = {
    { OP_GET, BT_MESH_LEN_EXACT(0), h_get },
    { OP_SET, BT_MESH_LEN_EXACT(3), h_set },
    { OP_MIN2, BT_MESH_LEN_MIN(2), h_min2 },
    BT_MESH_MODEL_OP_END,
};
static const struct bt_mesh_model_op vnd_ops[] = {
    { OP_VND, BT_MESH_LEN_MIN(0), h_vnd },
    BT_MESH_MODEL_OP_END,
};

static struct bt_mesh_model_rt_ctx rt[2];
static struct bt_mesh_model models[1];
static struct bt_mesh_model vnd[1];
static struct bt_mesh_elem elem;
static struct bt_mesh_comp comp;

struct fixture {
    struct fake_platform fp;
    struct meshrpr_node node;
};

static int setup(void **state)
{
    static const uint8_t key[16] = { 1 };
    struct fixture *f = test_calloc(1, sizeof(*f));
    struct meshrpr_node_config cfg = { 0 };

    memset(calls, 0, sizeof(calls));
    models[0] = (struct bt_mesh_model){ .id = 0x1000, .rt = &rt[0], .op = ops };
    vnd[0] = (struct bt_mesh_model){ .vnd = { 0x0059, 1 }, .rt = &rt[1], .op = vnd_ops };
    elem = (struct bt_mesh_elem){
        .model_count = 1, .models = models, .vnd_model_count = 1, .vnd_models = vnd
    };
    comp = (struct bt_mesh_comp){ .elem = &elem, .elem_count = 1 };
    fake_platform_init(&f->fp, 1);
    cfg.platform = &f->fp.platform;
    cfg.comp = &comp;
    if (meshrpr_node_init(&f->node, &cfg) != 0 ||
        meshrpr_node_provision(&f->node, key, 0, 0, 0, 0x0100, key) != 0 ||
        meshrpr_node_app_key_add(&f->node, 0, 1, key) != 0 ||
        meshrpr_node_model_app_bind(&f->node, &models[0], 1) != 0 ||
        meshrpr_node_model_app_bind(&f->node, &vnd[0], 1) != 0) {
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    meshrpr_node_deinit(&f->node);
    test_free(f);
    return 0;
}

static int deliver(struct fixture *f, uint16_t app_idx, uint16_t dst, const char *hex)
{
    uint8_t msg[32];
    size_t len = test_hex(hex, msg, sizeof(msg));
    struct bt_mesh_msg_ctx ctx = { .app_idx = app_idx, .addr = 0x0200, .recv_dst = dst };

    return meshrpr_access_recv(&f->node, &ctx, msg, len);
}

static void opcode_formats(void **state)
{
    (void)state;
    static const struct {
        const char *hex;
        int err;
        uint32_t opcode;
        uint16_t rest;
    } cases[] = {
        { "01", 0, 0x01, 0 },      { "7e aa", 0, 0x7e, 1 }, { "7f", -EINVAL, 0, 0 },
        { "8001", 0, 0x8001, 0 },  { "80", -EINVAL, 0, 0 }, { "c25900ff", 0, 0xc20059, 1 },
        { "c259", -EINVAL, 0, 0 }, { "", -EINVAL, 0, 0 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t raw[8];
        size_t len = test_hex(cases[i].hex, raw, sizeof(raw));
        struct net_buf_simple buf;
        uint32_t opcode = 0;

        net_buf_simple_init_with_data(&buf, raw, len);
        assert_int_equal(meshrpr_access_opcode_pull(&buf, &opcode), cases[i].err);
        if (cases[i].err == 0) {
            assert_int_equal(opcode, cases[i].opcode);
            assert_int_equal(buf.len, cases[i].rest);
        }
    }
    /* And the encoder writes what the decoder reads (vendor opcodes carry the CID LE). */
    NET_BUF_SIMPLE_DEFINE(msg, 8);
    bt_mesh_model_msg_init(&msg, OP_VND);
    assert_hex_equal(msg.data, msg.len, "c25900");
}

static void length_rules_before_handlers(void **state)
{
    struct fixture *f = *state;

    /* EXACT(0): a Get with no parameters, and only then. */
    assert_int_equal(deliver(f, 1, 0x0100, "8001"), 0);
    assert_int_equal(calls[0], 1);
    assert_int_equal(deliver(f, 1, 0x0100, "8001 00"), -ENOENT);
    assert_int_equal(calls[0], 1);
    /* EXACT(3). */
    assert_int_equal(deliver(f, 1, 0x0100, "01 aabbcc"), 0);
    assert_int_equal(deliver(f, 1, 0x0100, "01 aabb"), -ENOENT);
    assert_int_equal(deliver(f, 1, 0x0100, "01 aabbccdd"), -ENOENT);
    assert_int_equal(calls[1], 1);
    assert_int_equal(last_len, 3);
    /* MIN(2). */
    assert_int_equal(deliver(f, 1, 0x0100, "8002 aa"), -ENOENT);
    assert_int_equal(deliver(f, 1, 0x0100, "8002 aabb"), 0);
    assert_int_equal(deliver(f, 1, 0x0100, "8002 aabbccdd"), 0);
    assert_int_equal(calls[3], 2);
    /* Vendor opcode. */
    assert_int_equal(deliver(f, 1, 0x0100, "c25900 0102"), 0);
    assert_int_equal(calls[2], 1);
    assert_int_equal(last_len, 2);
}

static void key_and_destination_matching(void **state)
{
    struct fixture *f = *state;

    /* An unbound key, a device key the model is not bound to, another element's address. */
    assert_int_equal(deliver(f, 2, 0x0100, "8001"), -ENOENT);
    assert_int_equal(deliver(f, BT_MESH_KEY_DEV_LOCAL, 0x0100, "8001"), -ENOENT);
    assert_int_equal(deliver(f, 1, 0x0101, "8001"), -ENOENT);
    /* All-nodes reaches the primary element; a group needs a subscription. */
    assert_int_equal(deliver(f, 1, 0xffff, "8001"), 0);
    assert_int_equal(deliver(f, 1, 0xc001, "8001"), -ENOENT);
    assert_int_equal(meshrpr_node_model_sub_add(&f->node, &models[0], 0xc001), 0);
    assert_int_equal(deliver(f, 1, 0xc001, "8001"), 0);
    assert_int_equal(calls[0], 2);
    assert_true(meshrpr_node_is_idle(&f->node));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(opcode_formats),
        cmocka_unit_test_setup_teardown(length_rules_before_handlers, setup, teardown),
        cmocka_unit_test_setup_teardown(key_and_destination_matching, setup, teardown),
    };
    return cmocka_run_group_tests_name("access", tests, NULL, NULL);
}
