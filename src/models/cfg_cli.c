/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Configuration Client model (MshPRTv1.1 §4.4.2): builds the Configuration messages of §4.3.2
 * and decodes their Status messages. A request is sent with the target's device key
 * (BT_MESH_KEY_DEV_REMOTE); a blocking call waits for the matching Status (opcode, source
 * and, for messages shared by several requests, the echoed indexes) through the
 * request/response helper, which drives the host's event loop. Every Status also reaches the
 * optional callbacks, whether or not a call waits for it.
 */
#include <meshrpr/cfg_cli.h>

#include <errno.h>
#include <string.h>

#include <meshrpr/cdb.h>
#include <meshrpr/node.h>

#define MESHRPR_LOG_MODULE "cfg_cli"
#include "core/log.h"

#include "access/access.h"
#include "access/msg_ack.h"
#include "crypto/crypto.h"
#include "models/cfg_msg.h"
#include "net/replay.h"
#include "node/node_services.h"

/* What a blocked call wants from the Status it waits for. The pointers are the caller's; any
 * of them may be NULL. */
struct comp_data_param {
    uint8_t *page;
    struct net_buf_simple *comp;
};

struct u8_param {
    uint8_t *val;
};

struct relay_param {
    uint8_t *status;
    uint8_t *transmit;
};

struct net_key_param {
    uint16_t net_idx;
    uint8_t *status;
};

struct app_key_param {
    uint16_t net_idx;
    uint16_t app_idx;
    uint8_t *status;
};

/* NetKey List, AppKey List, Model App List and Model Subscription List. */
struct list_param {
    uint16_t net_idx;   /* AppKey List */
    uint16_t elem_addr; /* Model lists */
    uint32_t mod_id;
    uint8_t *status;
    uint16_t *items;
    size_t *count; /* in: room in items; out: items stored */
};

struct mod_app_param {
    uint16_t elem_addr;
    uint16_t app_idx;
    uint32_t mod_id;
    uint8_t *status;
};

struct mod_sub_param {
    uint16_t elem_addr;
    uint16_t sub_addr;
    uint32_t mod_id;
    uint8_t *status;
};

struct krp_param {
    uint16_t net_idx;
    uint8_t *status;
    uint8_t *phase;
};

struct node_reset_param {
    bool *status;
};

/* ---- Sending ---------------------------------------------------------------------------- */

static bool always_done(void *arg)
{
    (void)arg;
    return true;
}

/*
 * Send a request and, when wait is set, block until the Status with opcode rsp_op from addr
 * has been handled (param is what its handler fills) or the timeout passes.
 */
static int cli_request(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                       struct net_buf_simple *msg, uint32_t rsp_op, void *param, bool wait)
{
    struct bt_mesh_msg_ctx ctx = BT_MESH_MSG_CTX_INIT_DEV(net_idx, addr);
    struct meshrpr_node *node;
    int err;

    if (cli == NULL || cli->model == NULL || !BT_MESH_ADDR_IS_UNICAST(addr)) {
        return -EINVAL;
    }
    node = meshrpr_model_node(cli->model);
    if (node == NULL) {
        return -EINVAL;
    }
    if (!wait) {
        return bt_mesh_model_send(cli->model, &ctx, msg, NULL, NULL);
    }
    if (node->platform.run_until == NULL) {
        return -ENOTSUP;
    }
    /* A blocking call from inside the event loop (a model or timer callback) could never see
     * its answer: ask the loop first, so that nothing is sent in that case. A loop that is
     * not running returns at once, since the predicate already holds. */
    err =
        node->platform.run_until(node->platform.ctx, always_done, NULL, meshrpr_node_now_ms(node));
    if (err == -EDEADLK) {
        return -EDEADLK;
    }
    err = meshrpr_msg_ack_ctx_prepare(&cli->ack_ctx, node, rsp_op, addr, param, cli->timeout_ms);
    if (err != 0) {
        return err;
    }
    err = bt_mesh_model_send(cli->model, &ctx, msg, NULL, NULL);
    if (err != 0) {
        meshrpr_msg_ack_ctx_clear(&cli->ack_ctx);
        return err;
    }
    return meshrpr_msg_ack_ctx_wait(&cli->ack_ctx);
}

static void add_model_id(struct net_buf_simple *buf, uint16_t cid, uint16_t mod_id, bool vnd)
{
    if (vnd) {
        net_buf_simple_add_le16(buf, cid);
    }
    net_buf_simple_add_le16(buf, mod_id);
}

static uint32_t model_id(uint16_t cid, uint16_t mod_id, bool vnd)
{
    return vnd ? (uint32_t)cid << 16 | mod_id : mod_id;
}

/* ---- Receiving -------------------------------------------------------------------------- */

/* The client of a Status, or NULL when it did not come with a device key. */
static struct bt_mesh_cfg_cli *status_cli(const struct bt_mesh_model *model,
                                          const struct bt_mesh_msg_ctx *ctx)
{
    if (!BT_MESH_IS_DEV_KEY(ctx->app_idx)) {
        return NULL;
    }
    return model->rt->user_data;
}

/* The parameters of the call waiting for this Status (opcode op from ctx->addr), or NULL. */
static void *waiting_param(struct bt_mesh_cfg_cli *cli, uint32_t op,
                           const struct bt_mesh_msg_ctx *ctx)
{
    void *param = NULL;

    if (!meshrpr_msg_ack_ctx_match(&cli->ack_ctx, op, ctx->addr, &param) || param == NULL) {
        return NULL;
    }
    return param;
}

/* Unpack a list of key indexes packed two per 3 octets (§4.3.1.1) into items (room for
 * *count), setting *count to how many were stored. */
static void key_list_unpack(struct net_buf_simple *buf, uint16_t *items, size_t *count)
{
    size_t room = items != NULL && count != NULL ? *count : 0;
    size_t n = 0;

    while (buf->len >= 2) {
        uint16_t idx[2];
        size_t got = 1;
        if (buf->len >= 3) {
            cfg_key_idx_unpack_pair(buf, &idx[0], &idx[1]);
            got = 2;
        } else {
            idx[0] = net_buf_simple_pull_le16(buf) & CFG_KEY_IDX_MASK;
        }
        for (size_t i = 0; i < got && n < room; i++) {
            items[n++] = idx[i];
        }
    }
    if (count != NULL) {
        *count = n;
    }
}

static int comp_data_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                            struct net_buf_simple *buf)
{
    struct bt_mesh_cfg_cli *cli = status_cli(model, ctx);
    struct comp_data_param *param;
    uint8_t page;

    if (cli == NULL) {
        return -EPERM;
    }
    page = net_buf_simple_pull_u8(buf);
    /* The provisioner's database keeps what page 0 says of its nodes (their composition, for
     * the Mesh CDB file). A page that does not parse is not recorded. */
    if (page == 0) {
        struct meshrpr_node *node = meshrpr_model_node(model);
        struct meshrpr_cdb *cdb = node != NULL ? node->cfg.cdb : NULL;
        struct meshrpr_cdb_node *entry = cdb != NULL ? meshrpr_cdb_node_get(cdb, ctx->addr) : NULL;

        if (entry != NULL && entry->addr == ctx->addr) {
            (void)meshrpr_cdb_node_comp_set(cdb, entry, buf->data, buf->len);
        }
    }
    param = waiting_param(cli, OP_DEV_COMP_DATA_STATUS, ctx);
    if (param != NULL) {
        if (param->page != NULL) {
            *param->page = page;
        }
        if (param->comp != NULL) {
            size_t room = net_buf_simple_tailroom(param->comp);
            net_buf_simple_add_mem(param->comp, buf->data, buf->len < room ? buf->len : room);
        }
        meshrpr_msg_ack_ctx_rx(&cli->ack_ctx);
    }
    if (cli->cb != NULL && cli->cb->comp_data != NULL) {
        cli->cb->comp_data(cli, ctx->addr, page, buf);
    }
    return 0;
}

/* Beacon, Default TTL, Friend, GATT Proxy and Network Transmit Status: one octet. */
static int u8_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                     struct net_buf_simple *buf, uint32_t op,
                     void (*cb)(struct bt_mesh_cfg_cli *, uint16_t, uint8_t))
{
    struct bt_mesh_cfg_cli *cli = status_cli(model, ctx);
    struct u8_param *param;
    uint8_t val = net_buf_simple_pull_u8(buf);

    if (cli == NULL) {
        return -EPERM;
    }
    param = waiting_param(cli, op, ctx);
    if (param != NULL) {
        if (param->val != NULL) {
            *param->val = val;
        }
        meshrpr_msg_ack_ctx_rx(&cli->ack_ctx);
    }
    if (cb != NULL) {
        cb(cli, ctx->addr, val);
    }
    return 0;
}

#define CLI_CB(model, name)                                                                        \
    (((struct bt_mesh_cfg_cli *)(model)->rt->user_data)->cb != NULL                                \
         ? ((struct bt_mesh_cfg_cli *)(model)->rt->user_data)->cb->name                            \
         : NULL)

static int beacon_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                         struct net_buf_simple *buf)
{
    return u8_status(model, ctx, buf, OP_BEACON_STATUS, CLI_CB(model, beacon_status));
}

static int ttl_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                      struct net_buf_simple *buf)
{
    return u8_status(model, ctx, buf, OP_DEFAULT_TTL_STATUS, CLI_CB(model, ttl_status));
}

static int friend_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                         struct net_buf_simple *buf)
{
    return u8_status(model, ctx, buf, OP_FRIEND_STATUS, CLI_CB(model, friend_status));
}

static int gatt_proxy_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                             struct net_buf_simple *buf)
{
    return u8_status(model, ctx, buf, OP_GATT_PROXY_STATUS, CLI_CB(model, gatt_proxy_status));
}

static int net_transmit_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                               struct net_buf_simple *buf)
{
    return u8_status(model, ctx, buf, OP_NET_TRANSMIT_STATUS,
                     CLI_CB(model, network_transmit_status));
}

static int relay_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                        struct net_buf_simple *buf)
{
    struct bt_mesh_cfg_cli *cli = status_cli(model, ctx);
    struct relay_param *param;
    uint8_t relay = net_buf_simple_pull_u8(buf);
    uint8_t transmit = net_buf_simple_pull_u8(buf);

    if (cli == NULL) {
        return -EPERM;
    }
    param = waiting_param(cli, OP_RELAY_STATUS, ctx);
    if (param != NULL) {
        if (param->status != NULL) {
            *param->status = relay;
        }
        if (param->transmit != NULL) {
            *param->transmit = transmit;
        }
        meshrpr_msg_ack_ctx_rx(&cli->ack_ctx);
    }
    if (cli->cb != NULL && cli->cb->relay_status != NULL) {
        cli->cb->relay_status(cli, ctx->addr, relay, transmit);
    }
    return 0;
}

static int net_key_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                          struct net_buf_simple *buf)
{
    struct bt_mesh_cfg_cli *cli = status_cli(model, ctx);
    struct net_key_param *param;
    uint8_t status = net_buf_simple_pull_u8(buf);
    uint16_t net_idx = net_buf_simple_pull_le16(buf) & CFG_KEY_IDX_MASK;

    if (cli == NULL) {
        return -EPERM;
    }
    param = waiting_param(cli, OP_NET_KEY_STATUS, ctx);
    if (param != NULL && param->net_idx == net_idx) {
        if (param->status != NULL) {
            *param->status = status;
        }
        meshrpr_msg_ack_ctx_rx(&cli->ack_ctx);
    }
    if (cli->cb != NULL && cli->cb->net_key_status != NULL) {
        cli->cb->net_key_status(cli, ctx->addr, status, net_idx);
    }
    return 0;
}

static int net_key_list(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                        struct net_buf_simple *buf)
{
    struct bt_mesh_cfg_cli *cli = status_cli(model, ctx);
    struct list_param *param;

    if (cli == NULL) {
        return -EPERM;
    }
    param = waiting_param(cli, OP_NET_KEY_LIST, ctx);
    if (param != NULL) {
        struct net_buf_simple list;
        net_buf_simple_clone(buf, &list);
        key_list_unpack(&list, param->items, param->count);
        meshrpr_msg_ack_ctx_rx(&cli->ack_ctx);
    }
    if (cli->cb != NULL && cli->cb->net_key_list != NULL) {
        cli->cb->net_key_list(cli, ctx->addr, buf);
    }
    return 0;
}

static int app_key_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                          struct net_buf_simple *buf)
{
    struct bt_mesh_cfg_cli *cli = status_cli(model, ctx);
    struct app_key_param *param;
    uint8_t status = net_buf_simple_pull_u8(buf);
    uint16_t net_idx;
    uint16_t app_idx;

    if (cli == NULL) {
        return -EPERM;
    }
    cfg_key_idx_unpack_pair(buf, &net_idx, &app_idx);
    param = waiting_param(cli, OP_APP_KEY_STATUS, ctx);
    if (param != NULL && param->net_idx == net_idx && param->app_idx == app_idx) {
        if (param->status != NULL) {
            *param->status = status;
        }
        meshrpr_msg_ack_ctx_rx(&cli->ack_ctx);
    }
    if (cli->cb != NULL && cli->cb->app_key_status != NULL) {
        cli->cb->app_key_status(cli, ctx->addr, status, net_idx, app_idx);
    }
    return 0;
}

static int app_key_list(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                        struct net_buf_simple *buf)
{
    struct bt_mesh_cfg_cli *cli = status_cli(model, ctx);
    struct list_param *param;
    uint8_t status = net_buf_simple_pull_u8(buf);
    uint16_t net_idx = net_buf_simple_pull_le16(buf) & CFG_KEY_IDX_MASK;

    if (cli == NULL) {
        return -EPERM;
    }
    param = waiting_param(cli, OP_APP_KEY_LIST, ctx);
    if (param != NULL && param->net_idx == net_idx) {
        struct net_buf_simple list;
        net_buf_simple_clone(buf, &list);
        if (param->status != NULL) {
            *param->status = status;
        }
        key_list_unpack(&list, param->items, param->count);
        meshrpr_msg_ack_ctx_rx(&cli->ack_ctx);
    }
    if (cli->cb != NULL && cli->cb->app_key_list != NULL) {
        cli->cb->app_key_list(cli, ctx->addr, status, net_idx, buf);
    }
    return 0;
}

/* The Model ID closing a Status: what is left is 2 (SIG) or 4 (vendor: CID, ID) octets. */
static bool pull_status_model_id(struct net_buf_simple *buf, uint32_t *mod_id)
{
    if (buf->error) {
        return false;
    }
    if (buf->len == 2) {
        *mod_id = net_buf_simple_pull_le16(buf);
        return true;
    }
    if (buf->len == 4) {
        uint32_t cid = net_buf_simple_pull_le16(buf);
        *mod_id = cid << 16 | net_buf_simple_pull_le16(buf);
        return true;
    }
    return false;
}

static int mod_app_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                          struct net_buf_simple *buf)
{
    struct bt_mesh_cfg_cli *cli = status_cli(model, ctx);
    struct mod_app_param *param;
    uint8_t status = net_buf_simple_pull_u8(buf);
    uint16_t elem_addr = net_buf_simple_pull_le16(buf);
    uint16_t app_idx = net_buf_simple_pull_le16(buf) & CFG_KEY_IDX_MASK;
    uint32_t mod_id;

    if (cli == NULL) {
        return -EPERM;
    }
    if (!pull_status_model_id(buf, &mod_id)) {
        return -EINVAL;
    }
    param = waiting_param(cli, OP_MOD_APP_STATUS, ctx);
    if (param != NULL && param->elem_addr == elem_addr && param->app_idx == app_idx &&
        param->mod_id == mod_id) {
        if (param->status != NULL) {
            *param->status = status;
        }
        meshrpr_msg_ack_ctx_rx(&cli->ack_ctx);
    }
    if (cli->cb != NULL && cli->cb->mod_app_status != NULL) {
        cli->cb->mod_app_status(cli, ctx->addr, status, elem_addr, app_idx, mod_id);
    }
    return 0;
}

/* SIG / Vendor Model App List and Model Subscription List: Status, ElementAddress, ModelID,
 * then the list (packed key indexes or 2-octet addresses). */
static int mod_list(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                    struct net_buf_simple *buf, uint32_t op, bool vnd, bool keys)
{
    struct bt_mesh_cfg_cli *cli = status_cli(model, ctx);
    struct list_param *param;
    uint8_t status = net_buf_simple_pull_u8(buf);
    uint16_t elem_addr = net_buf_simple_pull_le16(buf);
    uint32_t mod_id;

    if (cli == NULL) {
        return -EPERM;
    }
    if (vnd) {
        uint32_t cid = net_buf_simple_pull_le16(buf);
        mod_id = cid << 16 | net_buf_simple_pull_le16(buf);
    } else {
        mod_id = net_buf_simple_pull_le16(buf);
    }
    if (buf->error) {
        return -EINVAL;
    }
    param = waiting_param(cli, op, ctx);
    if (param != NULL && param->elem_addr == elem_addr && param->mod_id == mod_id) {
        struct net_buf_simple list;
        net_buf_simple_clone(buf, &list);
        if (param->status != NULL) {
            *param->status = status;
        }
        if (keys) {
            key_list_unpack(&list, param->items, param->count);
        } else {
            size_t room = param->items != NULL && param->count != NULL ? *param->count : 0;
            size_t n = 0;
            while (list.len >= 2) {
                uint16_t addr = net_buf_simple_pull_le16(&list);
                if (n < room) {
                    param->items[n++] = addr;
                }
            }
            if (param->count != NULL) {
                *param->count = n;
            }
        }
        meshrpr_msg_ack_ctx_rx(&cli->ack_ctx);
    }
    if (cli->cb != NULL && keys && cli->cb->mod_app_list != NULL) {
        cli->cb->mod_app_list(cli, ctx->addr, status, elem_addr, mod_id, buf);
    } else if (cli->cb != NULL && !keys && cli->cb->mod_sub_list != NULL) {
        cli->cb->mod_sub_list(cli, ctx->addr, status, elem_addr, mod_id, buf);
    }
    return 0;
}

static int sig_mod_app_list(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                            struct net_buf_simple *buf)
{
    return mod_list(model, ctx, buf, OP_SIG_MOD_APP_LIST, false, true);
}

static int vnd_mod_app_list(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                            struct net_buf_simple *buf)
{
    return mod_list(model, ctx, buf, OP_VND_MOD_APP_LIST, true, true);
}

static int sig_mod_sub_list(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                            struct net_buf_simple *buf)
{
    return mod_list(model, ctx, buf, OP_MOD_SUB_LIST, false, false);
}

static int vnd_mod_sub_list(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                            struct net_buf_simple *buf)
{
    return mod_list(model, ctx, buf, OP_MOD_SUB_LIST_VND, true, false);
}

static int mod_sub_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                          struct net_buf_simple *buf)
{
    struct bt_mesh_cfg_cli *cli = status_cli(model, ctx);
    struct mod_sub_param *param;
    uint8_t status = net_buf_simple_pull_u8(buf);
    uint16_t elem_addr = net_buf_simple_pull_le16(buf);
    uint16_t sub_addr = net_buf_simple_pull_le16(buf);
    uint32_t mod_id;

    if (cli == NULL) {
        return -EPERM;
    }
    if (!pull_status_model_id(buf, &mod_id)) {
        return -EINVAL;
    }
    param = waiting_param(cli, OP_MOD_SUB_STATUS, ctx);
    if (param != NULL && param->elem_addr == elem_addr && param->sub_addr == sub_addr &&
        param->mod_id == mod_id) {
        if (param->status != NULL) {
            *param->status = status;
        }
        meshrpr_msg_ack_ctx_rx(&cli->ack_ctx);
    }
    if (cli->cb != NULL && cli->cb->mod_sub_status != NULL) {
        cli->cb->mod_sub_status(cli, ctx->addr, status, elem_addr, sub_addr, mod_id);
    }
    return 0;
}

static int krp_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                      struct net_buf_simple *buf)
{
    struct bt_mesh_cfg_cli *cli = status_cli(model, ctx);
    struct krp_param *param;
    uint8_t status = net_buf_simple_pull_u8(buf);
    uint16_t net_idx = net_buf_simple_pull_le16(buf) & CFG_KEY_IDX_MASK;
    uint8_t phase = net_buf_simple_pull_u8(buf);

    if (cli == NULL) {
        return -EPERM;
    }
    param = waiting_param(cli, OP_KRP_STATUS, ctx);
    if (param != NULL && param->net_idx == net_idx) {
        if (param->status != NULL) {
            *param->status = status;
        }
        if (param->phase != NULL) {
            *param->phase = phase;
        }
        meshrpr_msg_ack_ctx_rx(&cli->ack_ctx);
    }
    if (cli->cb != NULL && cli->cb->krp_status != NULL) {
        cli->cb->krp_status(cli, ctx->addr, status, net_idx, phase);
    }
    return 0;
}

static int node_reset_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                             struct net_buf_simple *buf)
{
    struct bt_mesh_cfg_cli *cli = status_cli(model, ctx);
    struct node_reset_param *param;

    (void)buf;
    if (cli == NULL) {
        return -EPERM;
    }
    param = waiting_param(cli, OP_NODE_RESET_STATUS, ctx);
    if (param != NULL) {
        if (param->status != NULL) {
            *param->status = true;
        }
        meshrpr_msg_ack_ctx_rx(&cli->ack_ctx);
    }
    if (cli->cb != NULL && cli->cb->node_reset_status != NULL) {
        cli->cb->node_reset_status(cli, ctx->addr);
    }
    return 0;
}

const struct bt_mesh_model_op bt_mesh_cfg_cli_op[] = {
    { OP_DEV_COMP_DATA_STATUS, BT_MESH_LEN_MIN(1), comp_data_status },
    { OP_BEACON_STATUS, BT_MESH_LEN_EXACT(1), beacon_status },
    { OP_DEFAULT_TTL_STATUS, BT_MESH_LEN_EXACT(1), ttl_status },
    { OP_FRIEND_STATUS, BT_MESH_LEN_EXACT(1), friend_status },
    { OP_GATT_PROXY_STATUS, BT_MESH_LEN_EXACT(1), gatt_proxy_status },
    { OP_RELAY_STATUS, BT_MESH_LEN_EXACT(2), relay_status },
    { OP_NET_TRANSMIT_STATUS, BT_MESH_LEN_EXACT(1), net_transmit_status },
    { OP_NET_KEY_STATUS, BT_MESH_LEN_EXACT(3), net_key_status },
    { OP_NET_KEY_LIST, BT_MESH_LEN_MIN(0), net_key_list },
    { OP_APP_KEY_STATUS, BT_MESH_LEN_EXACT(4), app_key_status },
    { OP_APP_KEY_LIST, BT_MESH_LEN_MIN(3), app_key_list },
    { OP_MOD_APP_STATUS, BT_MESH_LEN_MIN(7), mod_app_status },
    { OP_SIG_MOD_APP_LIST, BT_MESH_LEN_MIN(5), sig_mod_app_list },
    { OP_VND_MOD_APP_LIST, BT_MESH_LEN_MIN(7), vnd_mod_app_list },
    { OP_MOD_SUB_STATUS, BT_MESH_LEN_MIN(7), mod_sub_status },
    { OP_MOD_SUB_LIST, BT_MESH_LEN_MIN(5), sig_mod_sub_list },
    { OP_MOD_SUB_LIST_VND, BT_MESH_LEN_MIN(7), vnd_mod_sub_list },
    { OP_KRP_STATUS, BT_MESH_LEN_EXACT(4), krp_status },
    { OP_NODE_RESET_STATUS, BT_MESH_LEN_EXACT(0), node_reset_status },
    BT_MESH_MODEL_OP_END,
};

/* Statuses come back secured with the server's device key (BT_MESH_KEY_DEV_REMOTE), or with
 * our own when the client configures its own node: accept both. Bind at init and again at
 * start, after stored bindings have been restored. */
static int cfg_cli_bind_dev_key(const struct bt_mesh_model *model)
{
    return meshrpr_model_key_bind(model, BT_MESH_KEY_DEV_ANY);
}

static int cfg_cli_init(const struct bt_mesh_model *model)
{
    struct bt_mesh_cfg_cli *cli = model->rt->user_data;

    if (cli == NULL) {
        return -EINVAL;
    }
    cli->model = model;
    memset(&cli->ack_ctx, 0, sizeof(cli->ack_ctx));
    if (cli->timeout_ms == 0) {
        cli->timeout_ms = MESHRPR_CFG_CLI_TIMEOUT_DEFAULT_MS;
    }
    return cfg_cli_bind_dev_key(model);
}

static int cfg_cli_start(const struct bt_mesh_model *model)
{
    return cfg_cli_bind_dev_key(model);
}

static void cfg_cli_reset(const struct bt_mesh_model *model)
{
    struct bt_mesh_cfg_cli *cli = model->rt->user_data;

    /* The node left the network: an answer can no longer arrive. */
    if (cli != NULL) {
        meshrpr_msg_ack_ctx_clear(&cli->ack_ctx);
    }
    (void)cfg_cli_bind_dev_key(model);
}

const struct bt_mesh_model_cb bt_mesh_cfg_cli_cb = {
    .init = cfg_cli_init,
    .start = cfg_cli_start,
    .reset = cfg_cli_reset,
};

/* ---- API -------------------------------------------------------------------------------- */

struct bt_mesh_cfg_cli *meshrpr_cfg_cli_get(struct meshrpr_node *node)
{
    /* The Configuration Client lives on the primary element (MshPRTv1.1 §4.4.2). */
    return meshrpr_access_primary_model_data(node, BT_MESH_MODEL_ID_CFG_CLI);
}

uint32_t meshrpr_cfg_cli_timeout_get(const struct bt_mesh_cfg_cli *cli)
{
    return cli->timeout_ms;
}

void meshrpr_cfg_cli_timeout_set(struct bt_mesh_cfg_cli *cli, uint32_t timeout_ms)
{
    cli->timeout_ms = timeout_ms;
}

int meshrpr_cfg_cli_comp_data_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                  uint8_t page, uint8_t *rsp_page, struct net_buf_simple *comp)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_DEV_COMP_DATA_GET, 1);
    struct comp_data_param param = { .page = rsp_page, .comp = comp };

    bt_mesh_model_msg_init(&msg, OP_DEV_COMP_DATA_GET);
    net_buf_simple_add_u8(&msg, page);
    return cli_request(cli, net_idx, addr, &msg, OP_DEV_COMP_DATA_STATUS, &param,
                       rsp_page != NULL || comp != NULL);
}

/* Get (no parameter) or Set (one octet) of a one-octet state. */
static int u8_request(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr, uint32_t op,
                      const uint8_t *val, uint32_t rsp_op, uint8_t *rsp)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_BEACON_SET, 1);
    struct u8_param param = { .val = rsp };

    bt_mesh_model_msg_init(&msg, op);
    if (val != NULL) {
        net_buf_simple_add_u8(&msg, *val);
    }
    return cli_request(cli, net_idx, addr, &msg, rsp_op, &param, rsp != NULL);
}

int meshrpr_cfg_cli_beacon_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                               uint8_t *status)
{
    return u8_request(cli, net_idx, addr, OP_BEACON_GET, NULL, OP_BEACON_STATUS, status);
}

int meshrpr_cfg_cli_beacon_set(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                               uint8_t val, uint8_t *status)
{
    return u8_request(cli, net_idx, addr, OP_BEACON_SET, &val, OP_BEACON_STATUS, status);
}

int meshrpr_cfg_cli_ttl_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                            uint8_t *ttl)
{
    return u8_request(cli, net_idx, addr, OP_DEFAULT_TTL_GET, NULL, OP_DEFAULT_TTL_STATUS, ttl);
}

int meshrpr_cfg_cli_ttl_set(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                            uint8_t val, uint8_t *ttl)
{
    return u8_request(cli, net_idx, addr, OP_DEFAULT_TTL_SET, &val, OP_DEFAULT_TTL_STATUS, ttl);
}

int meshrpr_cfg_cli_friend_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                               uint8_t *status)
{
    return u8_request(cli, net_idx, addr, OP_FRIEND_GET, NULL, OP_FRIEND_STATUS, status);
}

int meshrpr_cfg_cli_gatt_proxy_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                   uint8_t *status)
{
    return u8_request(cli, net_idx, addr, OP_GATT_PROXY_GET, NULL, OP_GATT_PROXY_STATUS, status);
}

int meshrpr_cfg_cli_net_transmit_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                     uint8_t *transmit)
{
    return u8_request(cli, net_idx, addr, OP_NET_TRANSMIT_GET, NULL, OP_NET_TRANSMIT_STATUS,
                      transmit);
}

int meshrpr_cfg_cli_net_transmit_set(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                     uint8_t val, uint8_t *transmit)
{
    return u8_request(cli, net_idx, addr, OP_NET_TRANSMIT_SET, &val, OP_NET_TRANSMIT_STATUS,
                      transmit);
}

int meshrpr_cfg_cli_relay_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                              uint8_t *status, uint8_t *transmit)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_RELAY_GET, 0);
    struct relay_param param = { .status = status, .transmit = transmit };

    bt_mesh_model_msg_init(&msg, OP_RELAY_GET);
    return cli_request(cli, net_idx, addr, &msg, OP_RELAY_STATUS, &param,
                       status != NULL || transmit != NULL);
}

int meshrpr_cfg_cli_relay_set(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                              uint8_t new_relay, uint8_t new_transmit, uint8_t *status,
                              uint8_t *transmit)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_RELAY_SET, 2);
    struct relay_param param = { .status = status, .transmit = transmit };

    bt_mesh_model_msg_init(&msg, OP_RELAY_SET);
    net_buf_simple_add_u8(&msg, new_relay);
    net_buf_simple_add_u8(&msg, new_transmit);
    return cli_request(cli, net_idx, addr, &msg, OP_RELAY_STATUS, &param,
                       status != NULL || transmit != NULL);
}

int meshrpr_cfg_cli_net_key_add(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t key_net_idx, const uint8_t net_key[16], uint8_t *status)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_NET_KEY_ADD, 18);
    struct net_key_param param = { .net_idx = key_net_idx, .status = status };

    if (net_key == NULL || key_net_idx > CFG_KEY_IDX_MASK) {
        return -EINVAL;
    }
    bt_mesh_model_msg_init(&msg, OP_NET_KEY_ADD);
    net_buf_simple_add_le16(&msg, key_net_idx);
    net_buf_simple_add_mem(&msg, net_key, 16);
    return cli_request(cli, net_idx, addr, &msg, OP_NET_KEY_STATUS, &param, status != NULL);
}

int meshrpr_cfg_cli_net_key_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t *keys, size_t *key_cnt)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_NET_KEY_GET, 0);
    struct list_param param = { .items = keys, .count = key_cnt };

    bt_mesh_model_msg_init(&msg, OP_NET_KEY_GET);
    return cli_request(cli, net_idx, addr, &msg, OP_NET_KEY_LIST, &param,
                       keys != NULL && key_cnt != NULL);
}

int meshrpr_cfg_cli_net_key_del(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t key_net_idx, uint8_t *status)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_NET_KEY_DEL, 2);
    struct net_key_param param = { .net_idx = key_net_idx, .status = status };

    if (key_net_idx > CFG_KEY_IDX_MASK) {
        return -EINVAL;
    }
    bt_mesh_model_msg_init(&msg, OP_NET_KEY_DEL);
    net_buf_simple_add_le16(&msg, key_net_idx);
    return cli_request(cli, net_idx, addr, &msg, OP_NET_KEY_STATUS, &param, status != NULL);
}

/* AppKey Add (0x00), Update (0x01) and Delete (no key). */
static int app_key_request(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                           uint32_t op, uint16_t key_net_idx, uint16_t key_app_idx,
                           const uint8_t *app_key, uint8_t *status)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_APP_KEY_DEL, 19);
    struct app_key_param param = { .net_idx = key_net_idx,
                                   .app_idx = key_app_idx,
                                   .status = status };

    if (key_net_idx > CFG_KEY_IDX_MASK || key_app_idx > CFG_KEY_IDX_MASK) {
        return -EINVAL;
    }
    bt_mesh_model_msg_init(&msg, op);
    cfg_key_idx_pack_pair(&msg, key_net_idx, key_app_idx);
    if (app_key != NULL) {
        net_buf_simple_add_mem(&msg, app_key, 16);
    }
    return cli_request(cli, net_idx, addr, &msg, OP_APP_KEY_STATUS, &param, status != NULL);
}

int meshrpr_cfg_cli_app_key_add(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t key_net_idx, uint16_t key_app_idx,
                                const uint8_t app_key[16], uint8_t *status)
{
    if (app_key == NULL) {
        return -EINVAL;
    }
    return app_key_request(cli, net_idx, addr, OP_APP_KEY_ADD, key_net_idx, key_app_idx, app_key,
                           status);
}

int meshrpr_cfg_cli_app_key_update(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                   uint16_t key_net_idx, uint16_t key_app_idx,
                                   const uint8_t app_key[16], uint8_t *status)
{
    if (app_key == NULL) {
        return -EINVAL;
    }
    return app_key_request(cli, net_idx, addr, OP_APP_KEY_UPDATE, key_net_idx, key_app_idx, app_key,
                           status);
}

int meshrpr_cfg_cli_app_key_del(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t key_net_idx, uint16_t key_app_idx, uint8_t *status)
{
    return app_key_request(cli, net_idx, addr, OP_APP_KEY_DEL, key_net_idx, key_app_idx, NULL,
                           status);
}

int meshrpr_cfg_cli_app_key_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t key_net_idx, uint8_t *status, uint16_t *keys,
                                size_t *key_cnt)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_APP_KEY_GET, 2);
    struct list_param param = {
        .net_idx = key_net_idx, .status = status, .items = keys, .count = key_cnt
    };

    if (key_net_idx > CFG_KEY_IDX_MASK) {
        return -EINVAL;
    }
    bt_mesh_model_msg_init(&msg, OP_APP_KEY_GET);
    net_buf_simple_add_le16(&msg, key_net_idx);
    return cli_request(cli, net_idx, addr, &msg, OP_APP_KEY_LIST, &param,
                       status != NULL || (keys != NULL && key_cnt != NULL));
}

static int mod_app_request(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                           uint32_t op, uint16_t elem_addr, uint16_t mod_app_idx, uint16_t mod_id,
                           uint16_t cid, bool vnd, uint8_t *status)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_MOD_APP_BIND, 8);
    struct mod_app_param param = { .elem_addr = elem_addr,
                                   .app_idx = mod_app_idx,
                                   .mod_id = model_id(cid, mod_id, vnd),
                                   .status = status };

    if (mod_app_idx > CFG_KEY_IDX_MASK) {
        return -EINVAL;
    }
    bt_mesh_model_msg_init(&msg, op);
    net_buf_simple_add_le16(&msg, elem_addr);
    net_buf_simple_add_le16(&msg, mod_app_idx);
    add_model_id(&msg, cid, mod_id, vnd);
    return cli_request(cli, net_idx, addr, &msg, OP_MOD_APP_STATUS, &param, status != NULL);
}

int meshrpr_cfg_cli_mod_app_bind(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                 uint16_t elem_addr, uint16_t mod_app_idx, uint16_t mod_id,
                                 uint8_t *status)
{
    return mod_app_request(cli, net_idx, addr, OP_MOD_APP_BIND, elem_addr, mod_app_idx, mod_id, 0,
                           false, status);
}

int meshrpr_cfg_cli_mod_app_bind_vnd(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                     uint16_t elem_addr, uint16_t mod_app_idx, uint16_t mod_id,
                                     uint16_t cid, uint8_t *status)
{
    return mod_app_request(cli, net_idx, addr, OP_MOD_APP_BIND, elem_addr, mod_app_idx, mod_id, cid,
                           true, status);
}

int meshrpr_cfg_cli_mod_app_unbind(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                   uint16_t elem_addr, uint16_t mod_app_idx, uint16_t mod_id,
                                   uint8_t *status)
{
    return mod_app_request(cli, net_idx, addr, OP_MOD_APP_UNBIND, elem_addr, mod_app_idx, mod_id, 0,
                           false, status);
}

int meshrpr_cfg_cli_mod_app_unbind_vnd(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                       uint16_t elem_addr, uint16_t mod_app_idx, uint16_t mod_id,
                                       uint16_t cid, uint8_t *status)
{
    return mod_app_request(cli, net_idx, addr, OP_MOD_APP_UNBIND, elem_addr, mod_app_idx, mod_id,
                           cid, true, status);
}

/* SIG / Vendor Model App Get and Model Subscription Get. */
static int mod_list_request(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                            uint32_t op, uint32_t rsp_op, uint16_t elem_addr, uint16_t mod_id,
                            uint16_t cid, bool vnd, uint8_t *status, uint16_t *items, size_t *count)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_VND_MOD_APP_GET, 6);
    struct list_param param = { .elem_addr = elem_addr,
                                .mod_id = model_id(cid, mod_id, vnd),
                                .status = status,
                                .items = items,
                                .count = count };

    bt_mesh_model_msg_init(&msg, op);
    net_buf_simple_add_le16(&msg, elem_addr);
    add_model_id(&msg, cid, mod_id, vnd);
    return cli_request(cli, net_idx, addr, &msg, rsp_op, &param,
                       status != NULL || (items != NULL && count != NULL));
}

int meshrpr_cfg_cli_mod_app_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t elem_addr, uint16_t mod_id, uint8_t *status,
                                uint16_t *apps, size_t *app_cnt)
{
    return mod_list_request(cli, net_idx, addr, OP_SIG_MOD_APP_GET, OP_SIG_MOD_APP_LIST, elem_addr,
                            mod_id, 0, false, status, apps, app_cnt);
}

int meshrpr_cfg_cli_mod_app_get_vnd(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                    uint16_t elem_addr, uint16_t mod_id, uint16_t cid,
                                    uint8_t *status, uint16_t *apps, size_t *app_cnt)
{
    return mod_list_request(cli, net_idx, addr, OP_VND_MOD_APP_GET, OP_VND_MOD_APP_LIST, elem_addr,
                            mod_id, cid, true, status, apps, app_cnt);
}

int meshrpr_cfg_cli_mod_sub_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t elem_addr, uint16_t mod_id, uint8_t *status,
                                uint16_t *subs, size_t *sub_cnt)
{
    return mod_list_request(cli, net_idx, addr, OP_MOD_SUB_GET, OP_MOD_SUB_LIST, elem_addr, mod_id,
                            0, false, status, subs, sub_cnt);
}

int meshrpr_cfg_cli_mod_sub_get_vnd(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                    uint16_t elem_addr, uint16_t mod_id, uint16_t cid,
                                    uint8_t *status, uint16_t *subs, size_t *sub_cnt)
{
    return mod_list_request(cli, net_idx, addr, OP_MOD_SUB_GET_VND, OP_MOD_SUB_LIST_VND, elem_addr,
                            mod_id, cid, true, status, subs, sub_cnt);
}

static int mod_sub_request(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                           uint32_t op, uint16_t elem_addr, uint16_t sub_addr, uint16_t mod_id,
                           uint16_t cid, bool vnd, uint8_t *status)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_MOD_SUB_ADD, 8);
    struct mod_sub_param param = { .elem_addr = elem_addr,
                                   .sub_addr = sub_addr,
                                   .mod_id = model_id(cid, mod_id, vnd),
                                   .status = status };

    bt_mesh_model_msg_init(&msg, op);
    net_buf_simple_add_le16(&msg, elem_addr);
    net_buf_simple_add_le16(&msg, sub_addr);
    add_model_id(&msg, cid, mod_id, vnd);
    return cli_request(cli, net_idx, addr, &msg, OP_MOD_SUB_STATUS, &param, status != NULL);
}

int meshrpr_cfg_cli_mod_sub_add(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t elem_addr, uint16_t sub_addr, uint16_t mod_id,
                                uint8_t *status)
{
    return mod_sub_request(cli, net_idx, addr, OP_MOD_SUB_ADD, elem_addr, sub_addr, mod_id, 0,
                           false, status);
}

int meshrpr_cfg_cli_mod_sub_add_vnd(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                    uint16_t elem_addr, uint16_t sub_addr, uint16_t mod_id,
                                    uint16_t cid, uint8_t *status)
{
    return mod_sub_request(cli, net_idx, addr, OP_MOD_SUB_ADD, elem_addr, sub_addr, mod_id, cid,
                           true, status);
}

int meshrpr_cfg_cli_mod_sub_del(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t elem_addr, uint16_t sub_addr, uint16_t mod_id,
                                uint8_t *status)
{
    return mod_sub_request(cli, net_idx, addr, OP_MOD_SUB_DEL, elem_addr, sub_addr, mod_id, 0,
                           false, status);
}

int meshrpr_cfg_cli_mod_sub_del_vnd(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                    uint16_t elem_addr, uint16_t sub_addr, uint16_t mod_id,
                                    uint16_t cid, uint8_t *status)
{
    return mod_sub_request(cli, net_idx, addr, OP_MOD_SUB_DEL, elem_addr, sub_addr, mod_id, cid,
                           true, status);
}

int meshrpr_cfg_cli_krp_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                            uint16_t key_net_idx, uint8_t *status, uint8_t *phase)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_KRP_GET, 2);
    struct krp_param param = { .net_idx = key_net_idx, .status = status, .phase = phase };

    if (key_net_idx > CFG_KEY_IDX_MASK) {
        return -EINVAL;
    }
    bt_mesh_model_msg_init(&msg, OP_KRP_GET);
    net_buf_simple_add_le16(&msg, key_net_idx);
    return cli_request(cli, net_idx, addr, &msg, OP_KRP_STATUS, &param,
                       status != NULL || phase != NULL);
}

int meshrpr_cfg_cli_node_reset(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                               bool *status)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_NODE_RESET, 0);
    struct node_reset_param param = { .status = status };

    if (status != NULL) {
        *status = false;
    }
    bt_mesh_model_msg_init(&msg, OP_NODE_RESET);
    return cli_request(cli, net_idx, addr, &msg, OP_NODE_RESET_STATUS, &param, status != NULL);
}

/* ---- Reconciling pending database entries ---------------------------------------------- */

/* Whether the node answers at the entry's address under the entry's device key. */
static bool probe(struct bt_mesh_cfg_cli *cli, const struct meshrpr_cdb_node *entry)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        uint8_t status = 0xff;
        int err = meshrpr_cfg_cli_beacon_get(cli, entry->net_idx, entry->addr, &status);
        if (err == 0) {
            return true;
        }
        if (err != -ETIMEDOUT) {
            return false;
        }
    }
    return false;
}

int meshrpr_cfg_cli_reconcile(struct bt_mesh_cfg_cli *cli, struct meshrpr_cdb *cdb,
                              struct meshrpr_cdb_node *entry)
{
    struct meshrpr_node *node;
    uint16_t old_addr;
    uint8_t old_elems;
    uint8_t old_key[16];
    bool found;

    if (cli == NULL || cli->model == NULL || cdb == NULL || entry == NULL || !entry->valid) {
        return -EINVAL;
    }
    node = meshrpr_model_node(cli->model);
    if (node == NULL) {
        return -EINVAL;
    }
    switch (entry->pending) {
    case MESHRPR_CDB_PENDING_NONE:
        return 0;
    case MESHRPR_CDB_PENDING_PROVISION:
        if (!probe(cli, entry)) {
            return -ETIMEDOUT;
        }
        MESHRPR_LOG_INF(&node->platform, "pending node 0x%04x answers: provisioned", entry->addr);
        entry->pending = MESHRPR_CDB_PENDING_NONE;
        break;
    case MESHRPR_CDB_PENDING_REFRESH:
        old_addr = entry->addr;
        old_elems = entry->num_elem;
        memcpy(old_key, entry->dev_key, 16);
        /* The new identity first: a node at a new address starts its SEQ again (§3.11.8.3). */
        entry->addr = entry->pending_addr;
        entry->num_elem = entry->pending_num_elem;
        memcpy(entry->dev_key, entry->pending_dev_key, 16);
        if (entry->addr != old_addr) {
            (void)meshrpr_replay_forget(node, entry->addr, entry->num_elem);
        }
        found = probe(cli, entry);
        if (!found) {
            entry->addr = old_addr;
            entry->num_elem = old_elems;
            memcpy(entry->dev_key, old_key, 16);
            found = probe(cli, entry);
            if (!found) {
                meshrpr_crypto_wipe(old_key, sizeof(old_key));
                return -ETIMEDOUT;
            }
        } else if (entry->addr != old_addr) {
            (void)meshrpr_replay_forget(node, old_addr, old_elems);
        }
        MESHRPR_LOG_INF(&node->platform,
                        "pending refresh of 0x%04x: the node is 0x%04x with the %s key", old_addr,
                        entry->addr, memcmp(entry->dev_key, old_key, 16) == 0 ? "old" : "new");
        meshrpr_crypto_wipe(old_key, sizeof(old_key));
        entry->pending = MESHRPR_CDB_PENDING_NONE;
        meshrpr_crypto_wipe(entry->pending_dev_key, 16);
        break;
    default:
        return -EINVAL;
    }
    if (node->cfg.cdb == cdb) {
        return meshrpr_node_cdb_store(node);
    }
    return 0;
}
