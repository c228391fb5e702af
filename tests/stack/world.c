/* SPDX-License-Identifier: Apache-2.0 */
#include "world.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <meshrpr/util.h>

static void ops_adv_recv(void *n, uint8_t ad_type, const uint8_t *data, size_t len, int8_t rssi)
{
    meshrpr_node_adv_recv(n, ad_type, data, len, rssi);
}

static uint64_t ops_next_deadline_ms(void *n)
{
    return meshrpr_node_next_deadline_ms(n);
}

static void ops_process(void *n)
{
    meshrpr_node_process(n);
}

static void ops_adv_report(void *n, const struct meshrpr_adv_report *report)
{
    meshrpr_node_scan_recv(n, report);
}

static void ops_adv_sent(void *n, uint32_t tx_id)
{
    meshrpr_node_adv_sent(n, tx_id);
}

static const struct meshrpr_sim_node_ops node_ops = {
    .adv_recv = ops_adv_recv,
    .adv_report = ops_adv_report,
    .next_deadline_ms = ops_next_deadline_ms,
    .process = ops_process,
    .adv_sent = ops_adv_sent,
};

static struct world_node *model_owner(const struct bt_mesh_model *model)
{
    return model->rt->user_data;
}

static void record(struct world_node *wn, struct bt_mesh_msg_ctx *ctx, struct net_buf_simple *buf)
{
    wn->last_len = buf->len;
    memcpy(wn->last, buf->data, buf->len);
    wn->last_ctx = *ctx;
}

static int handle_data(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *buf)
{
    struct world_node *wn = model_owner(model);

    wn->data_count++;
    record(wn, ctx, buf);
    return 0;
}

static int handle_echo(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *buf)
{
    struct world_node *wn = model_owner(model);
    NET_BUF_SIMPLE_DEFINE(rsp, BT_MESH_TX_SDU_MAX);

    wn->echo_count++;
    record(wn, ctx, buf);
    bt_mesh_model_msg_init(&rsp, WORLD_OP_ECHO_RSP);
    net_buf_simple_add_mem(&rsp, buf->data, buf->len);
    /* Answer with the key the request came with (the node's own device key for DEV_LOCAL). */
    return bt_mesh_model_send(model, ctx, &rsp, NULL, NULL);
}

static int handle_echo_rsp(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                           struct net_buf_simple *buf)
{
    struct world_node *wn = model_owner(model);

    wn->echo_rsp_count++;
    record(wn, ctx, buf);
    return 0;
}

static const struct bt_mesh_model_op test_ops[] = {
    { WORLD_OP_ECHO, BT_MESH_LEN_MIN(0), handle_echo },
    { WORLD_OP_ECHO_RSP, BT_MESH_LEN_MIN(0), handle_echo_rsp },
    { WORLD_OP_DATA, BT_MESH_LEN_MIN(0), handle_data },
    BT_MESH_MODEL_OP_END,
};

/* The test model takes device-key messages in both directions. */
static int test_model_init(const struct bt_mesh_model *model)
{
    return meshrpr_model_key_bind(model, BT_MESH_KEY_DEV_ANY);
}

static const struct bt_mesh_model_cb test_model_cb = { .init = test_model_init };

/* The world is the provisioner's database of device keys. */
static int world_dev_key_get(void *ctx, uint16_t addr, uint8_t dev_key[16])
{
    struct world *w = ctx;

    for (int i = 0; i < w->count; i++) {
        const struct meshrpr_node *n = &w->nodes[i].node;
        if (meshrpr_node_is_provisioned(n) && addr >= meshrpr_node_addr(n) &&
            addr < meshrpr_node_addr(n) + meshrpr_node_elem_count(n)) {
            memcpy(dev_key, w->nodes[i].dev_key, 16);
            return 0;
        }
    }
    return -ENOENT;
}

struct world *world_new(uint64_t seed)
{
    struct world *w = calloc(1, sizeof(*w));

    if (w != NULL) {
        meshrpr_sim_init(&w->sim, seed);
    }
    return w;
}

void world_free(struct world *w)
{
    for (int i = 0; i < w->count; i++) {
        meshrpr_node_deinit(&w->nodes[i].node);
    }
    meshrpr_sim_pcap_close(&w->sim);
    free(w);
}

int world_add(struct world *w, const char *name, double x_m, double y_m, const char *storage_dir)
{
    int i = w->count;
    struct world_node *wn = &w->nodes[i];

    if (i >= WORLD_MAX_NODES) {
        return -ENOMEM;
    }
    memset(wn, 0, sizeof(*wn));
    wn->world = w;
    wn->sim_id = meshrpr_sim_node_add(&w->sim, name, &node_ops, &wn->node);
    meshrpr_sim_node_set_position(&w->sim, wn->sim_id, x_m, y_m);

    wn->rt.user_data = wn;
    wn->vnd_model.vnd.company = WORLD_TEST_CID;
    wn->vnd_model.vnd.id = 0x0001;
    wn->vnd_model.rt = &wn->rt;
    wn->vnd_model.op = test_ops;
    wn->vnd_model.cb = &test_model_cb;
    wn->elem.vnd_model_count = 1;
    wn->elem.vnd_models = &wn->vnd_model;
    wn->comp.cid = WORLD_TEST_CID;
    wn->comp.elem = &wn->elem;
    wn->comp.elem_count = 1;

    for (size_t k = 0; k < 16; k++) {
        wn->dev_key[k] = (uint8_t)(0xd0 + i + k * 7);
    }
    if (storage_dir != NULL) {
        if (meshrpr_storage_file_init(&wn->storage, storage_dir) != 0) {
            return -EIO;
        }
        wn->has_storage = true;
    }
    wn->cfg.platform = meshrpr_sim_node_platform(&w->sim, wn->sim_id);
    wn->cfg.comp = &wn->comp;
    wn->cfg.storage = wn->has_storage ? &wn->storage.storage : NULL;
    wn->cfg.dev_key_get = world_dev_key_get;
    wn->cfg.dev_key_ctx = w;
    wn->cfg.features = BT_MESH_FEAT_RELAY;
    wn->cfg.name = name;
    if (meshrpr_node_init(&wn->node, &wn->cfg) != 0) {
        return -EINVAL;
    }
    w->count++;
    return i;
}

void world_provision(struct world *w, int i, uint16_t net_idx, const uint8_t net_key[16],
                     uint16_t addr)
{
    struct world_node *wn = &w->nodes[i];

    (void)meshrpr_node_provision(&wn->node, net_key, net_idx, 0, 0, addr, wn->dev_key);
}

int world_send(struct world *w, int i, uint16_t net_idx, uint16_t app_idx, uint16_t dst,
               uint32_t opcode, const uint8_t *payload, size_t len)
{
    struct world_node *wn = &w->nodes[i];
    struct bt_mesh_msg_ctx ctx = BT_MESH_MSG_CTX_INIT(net_idx, app_idx, dst, BT_MESH_TTL_DEFAULT);
    NET_BUF_SIMPLE_DEFINE(msg, BT_MESH_TX_SDU_MAX);

    bt_mesh_model_msg_init(&msg, opcode);
    net_buf_simple_add_mem(&msg, payload, len);
    if (msg.error) {
        return -EMSGSIZE;
    }
    return bt_mesh_model_send(&wn->vnd_model, &ctx, &msg, NULL, NULL);
}

void world_run(struct world *w, uint32_t duration_ms)
{
    (void)meshrpr_sim_run_until(&w->sim, meshrpr_sim_now_ms(&w->sim) + duration_ms);
}

bool world_idle(const struct world *w)
{
    for (int i = 0; i < w->count; i++) {
        if (!meshrpr_node_is_idle(&w->nodes[i].node)) {
            return false;
        }
    }
    return true;
}
