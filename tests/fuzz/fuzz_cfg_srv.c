/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the Configuration Server and Client message decoders and, through them, the
 * access layer's opcode decoding and length rules. The input is a sequence of records, each
 * [flags][length][access message (opcode + parameters)], fed with meshrpr_access_recv() to a
 * fresh provisioned node (Configuration Server and Client and three test models on two
 * elements, one AppKey bound, one subscription) as if decrypted by the upper transport.
 * Flags: bits 0-1 the key it was opened with (local device key twice as likely, the remote
 * device key as a Status to the client, an AppKey), bit 2 the second element as destination,
 * bit 3 TTL 0. After each record the node's timers run for a while (responses, SAR, a Node
 * Reset), and a minute at the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <meshrpr/cfg_cli.h>
#include <meshrpr/cfg_srv.h>
#include <meshrpr/node.h>

#include "access/access.h"
#include "fake_platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NODE_ADDR 0x0100
#define PEER_ADDR 0x0002

static const uint8_t net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
                                     0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
static const uint8_t dev_key[16] = { 0x9d, 0x6d, 0xd0, 0xe9, 0x6e, 0xb2, 0x5d, 0xc1,
                                     0x9a, 0x40, 0xed, 0x99, 0x14, 0xf8, 0xf0, 0x3f };
static const uint8_t app_key[16] = { 0x63, 0x96, 0x47, 0x71, 0x73, 0x4f, 0xbd, 0x76,
                                     0xe3, 0xb4, 0x05, 0x19, 0xd1, 0xd9, 0x4a, 0x48 };

/* The client's callbacks walk every list they are given, so that lengths get checked. */
static volatile unsigned sink;

static void walk(struct net_buf_simple *buf)
{
    for (uint16_t i = 0; i < buf->len; i++) {
        sink += buf->data[i];
    }
}

static void cb_comp_data(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t page,
                         struct net_buf_simple *buf)
{
    (void)cli;
    (void)addr;
    (void)page;
    walk(buf);
}

static void cb_net_key_list(struct bt_mesh_cfg_cli *cli, uint16_t addr, struct net_buf_simple *buf)
{
    (void)cli;
    (void)addr;
    walk(buf);
}

static void cb_app_key_list(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status,
                            uint16_t net_idx, struct net_buf_simple *buf)
{
    (void)cli;
    (void)addr;
    (void)status;
    (void)net_idx;
    walk(buf);
}

static void cb_mod_list(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status,
                        uint16_t elem_addr, uint32_t mod_id, struct net_buf_simple *buf)
{
    (void)cli;
    (void)addr;
    (void)status;
    (void)elem_addr;
    (void)mod_id;
    walk(buf);
}

static const struct bt_mesh_cfg_cli_cb cli_cb = {
    .comp_data = cb_comp_data,
    .net_key_list = cb_net_key_list,
    .app_key_list = cb_app_key_list,
    .mod_app_list = cb_mod_list,
    .mod_sub_list = cb_mod_list,
};

static struct bt_mesh_cfg_cli cli = { .cb = &cli_cb };

static const struct bt_mesh_model models_0[] = {
    BT_MESH_MODEL_CFG_SRV,
    BT_MESH_MODEL_CFG_CLI(&cli),
    BT_MESH_MODEL(0x1000, NULL, NULL, NULL),
};
static const struct bt_mesh_model vnd_0[] = {
    BT_MESH_MODEL_VND(0x05f1, 0x0001, NULL, NULL, NULL),
};
static const struct bt_mesh_model models_1[] = {
    BT_MESH_MODEL(0x1001, NULL, NULL, NULL),
};
static const struct bt_mesh_elem elems[] = {
    BT_MESH_ELEM(0x0001, models_0, vnd_0),
    BT_MESH_ELEM(0x0002, models_1, BT_MESH_MODEL_NONE),
};
static const struct bt_mesh_comp comp = {
    .cid = 0x05f1,
    .pid = 0x0001,
    .vid = 0x0001,
    .elem_count = 2,
    .elem = elems,
};
static const struct bt_mesh_comp comp_next = {
    .cid = 0x05f1,
    .pid = 0x0001,
    .vid = 0x0002,
    .elem_count = 1,
    .elem = elems,
};

static int peer_dev_key(void *ctx, uint16_t addr, uint8_t key[16])
{
    (void)ctx;
    if (addr != PEER_ADDR) {
        return -1;
    }
    memset(key, 0x42, 16);
    return 0;
}

static struct fake_platform fp;
static struct meshrpr_node node;

/* Run the node's timers for duration_ms of fake time. */
static void run_timers(uint32_t duration_ms)
{
    const uint64_t end = fp.now_ms + duration_ms;

    for (unsigned steps = 0; steps < 10000; steps++) {
        uint64_t next = meshrpr_node_next_deadline_ms(&node);
        if (next > end) {
            break;
        }
        if (next > fp.now_ms) {
            fp.now_ms = next;
        }
        meshrpr_node_process(&node);
    }
    fp.now_ms = end;
}

static const uint16_t keys[] = { BT_MESH_KEY_DEV_LOCAL, BT_MESH_KEY_DEV_LOCAL,
                                 BT_MESH_KEY_DEV_REMOTE, 0x001 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct meshrpr_node_config cfg = {
        .platform = &fp.platform,
        .comp = &comp,
        .comp_next = &comp_next,
        .dev_key_get = peer_dev_key,
        .features = BT_MESH_FEAT_RELAY,
    };

    fake_platform_init(&fp, 7);
    if (meshrpr_node_init(&node, &cfg) != 0 ||
        meshrpr_node_provision(&node, net_key, 0, 0, 0, NODE_ADDR, dev_key) != 0 ||
        meshrpr_node_app_key_add(&node, 0, 0x001, app_key) != 0 ||
        meshrpr_node_model_app_bind(&node, &models_0[2], 0x001) != 0 ||
        meshrpr_node_model_sub_add(&node, &models_1[0], 0xc001) != 0) {
        abort();
    }

    while (size >= 2) {
        const uint8_t flags = data[0];
        size_t len = data[1];
        struct bt_mesh_msg_ctx ctx = { 0 };

        data += 2;
        size -= 2;
        if (len > size) {
            len = size;
        }
        ctx.net_idx = 0;
        ctx.app_idx = keys[flags & 0x03];
        ctx.addr = PEER_ADDR;
        ctx.recv_dst = (flags & 0x04) != 0 ? NODE_ADDR + 1 : NODE_ADDR;
        ctx.recv_ttl = (flags & 0x08) != 0 ? 0 : 5;
        ctx.send_ttl = ctx.recv_ttl == 0 ? 0 : BT_MESH_TTL_DEFAULT;
        (void)meshrpr_access_recv(&node, &ctx, data, len);
        run_timers(200);
        data += len;
        size -= len;
    }
    run_timers(60000);
    if (!meshrpr_node_is_idle(&node)) {
        abort(); /* something never finished */
    }
    meshrpr_node_deinit(&node);
    return 0;
}
