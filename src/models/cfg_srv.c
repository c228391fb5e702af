/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Configuration Server model (MshPRTv1.1 §4.4.1): answers the Configuration messages of
 * §4.3.2 that a provisioner needs, on the primary element, secured with the node's own device
 * key only. Every answer goes back to the request's source on the same subnet with the same
 * key; its TTL is the Default TTL, or 0 when the request came with TTL 0 (§3.7.3.1, set by the
 * upper transport in the received context). Requests carrying Prohibited values are not
 * understood and get no answer (§3.7.3.4). State changes are persisted by the layer owning
 * them. Node Reset answers first and removes the node afterwards, from a timer, so that the
 * Status still leaves secured with the device key the reset erases.
 */
#include <meshrpr/cfg_srv.h>

#include <errno.h>
#include <string.h>

#include <meshrpr/node.h>
#include <meshrpr/util.h>

#define MESHRPR_LOG_MODULE "cfg_srv"
#include "core/log.h"

#include "access/access.h"
#include "access/composition.h"
#include "crypto/crypto.h"
#include "models/cfg_msg.h"
#include "net/beacon.h"
#include "net/keys.h"
#include "net/lower_transport.h"
#include "net/net.h"
#include "net/replay.h"
#include "node/node_services.h"

/* Default TTL values 0x01 and 0x80..0xff are Prohibited (§4.2.8). */
#define DEFAULT_TTL_PROHIBITED(ttl) ((ttl) == 0x01 || (ttl) > BT_MESH_TTL_MAX)

/* Room for an access message's parameters behind a 2-octet opcode. */
#define PARAMS_MAX_OP2 (BT_MESH_TX_SDU_MAX - 2)

/* Key indexes that fit in a list message after `header` octets: 2 per 3 octets. */
#define KEY_LIST_FIT(header) ((PARAMS_MAX_OP2 - (header)) / 3 * 2)
#define KEY_LIST_CAP(count, header)                                                                \
    ((count) < KEY_LIST_FIT(header) ? (count) : KEY_LIST_FIT(header))

/* ---- Helpers ---------------------------------------------------------------------------- */

/* The node of a request the server may answer: secured with the local device key (§4.4.1.1)
 * on a provisioned node. NULL otherwise (for example an AppKey bound by local API). */
static struct meshrpr_node *srv_node(const struct bt_mesh_model *model,
                                     const struct bt_mesh_msg_ctx *ctx)
{
    struct meshrpr_node *node = meshrpr_model_node(model);

    if (node == NULL || !node->provisioned || ctx->app_idx != BT_MESH_KEY_DEV_LOCAL) {
        return NULL;
    }
    return node;
}

static int srv_send_cb(const struct bt_mesh_model *model, const struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *msg, const struct bt_mesh_send_cb *cb, void *cb_data)
{
    struct bt_mesh_msg_ctx rsp = *ctx;
    int err;

    /* Same NetKey, same (device) key, back to the source; send_ttl is already the
     * response TTL. Responses to unicast requests get a 20..50 ms delay (§3.7.3.1). */
    rsp.app_idx = BT_MESH_KEY_DEV_LOCAL;
    rsp.send_rel = false;
    rsp.rnd_delay = true;
    rsp.uuid = NULL;
    err = bt_mesh_model_send(model, &rsp, msg, cb, cb_data);
    if (err != 0) {
        MESHRPR_LOG_WRN(&meshrpr_model_node(model)->platform, "status to 0x%04x not sent (%d)",
                        ctx->addr, err);
    }
    return err;
}

static int srv_send(const struct bt_mesh_model *model, const struct bt_mesh_msg_ctx *ctx,
                    struct net_buf_simple *msg)
{
    return srv_send_cb(model, ctx, msg, NULL, NULL);
}

/* A Model ID field is 2 octets (SIG) or 4 (vendor: CID then ID), told apart by what is left
 * of the message (§4.3.1.3). Vendor IDs become CID << 16 | ID. */
static bool pull_model_id(struct net_buf_simple *buf, uint32_t *id, bool *vnd)
{
    if (buf->len == 2) {
        *id = net_buf_simple_pull_le16(buf);
        *vnd = false;
        return true;
    }
    if (buf->len == 4) {
        uint32_t cid = net_buf_simple_pull_le16(buf);
        *id = cid << 16 | net_buf_simple_pull_le16(buf);
        *vnd = true;
        return true;
    }
    return false;
}

static void add_model_id(struct net_buf_simple *buf, uint32_t id, bool vnd)
{
    if (vnd) {
        net_buf_simple_add_le16(buf, (uint16_t)(id >> 16));
    }
    net_buf_simple_add_le16(buf, (uint16_t)id);
}

/* Element address and model of a request: the status code when they do not resolve. */
static uint8_t find_model(struct meshrpr_node *node, uint16_t elem_addr, uint32_t id, bool vnd,
                          const struct bt_mesh_model **model)
{
    if (!meshrpr_node_is_local_addr(node, elem_addr)) {
        return MESHRPR_CFG_STATUS_INVALID_ADDRESS;
    }
    *model = meshrpr_access_model_find(node, elem_addr, id, vnd);
    return *model == NULL ? MESHRPR_CFG_STATUS_INVALID_MODEL : MESHRPR_CFG_STATUS_SUCCESS;
}

/* AppKey Indexes of the node's table bound to net_idx, at most max. */
static size_t app_keys_of(const struct meshrpr_node *node, uint16_t net_idx, uint16_t *idx,
                          size_t max)
{
    size_t count = 0;

    for (size_t i = 0; i < MESHRPR_APP_KEY_COUNT && count < max; i++) {
        const struct meshrpr_app_key *app = &node->keys.app_keys[i];
        if (app->valid && app->net_idx == net_idx) {
            idx[count++] = app->app_idx;
        }
    }
    return count;
}

/* ---- Composition Data, §4.3.2.4 / §4.3.2.5 ---------------------------------------------- */

static int comp_data_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                         struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_DEV_COMP_DATA_STATUS, BT_MESH_TX_SDU_MAX - 1);
    NET_BUF_SIMPLE_DEFINE(data, BT_MESH_TX_SDU_MAX - 2); /* opcode and Page take 2 */
    uint8_t page = net_buf_simple_pull_u8(buf);
    int selected;

    if (node == NULL) {
        return -EPERM;
    }
    selected = meshrpr_composition_page_encode(node, page, &data);
    if (selected < 0) {
        return selected;
    }
    bt_mesh_model_msg_init(&msg, OP_DEV_COMP_DATA_STATUS);
    net_buf_simple_add_u8(&msg, (uint8_t)selected);
    net_buf_simple_add_mem(&msg, data.data, data.len);
    return srv_send(model, ctx, &msg);
}

/* ---- Beacon, Default TTL, GATT Proxy, Friend, Relay, Network Transmit ------------------- */

static int send_u8_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                          uint32_t op, uint8_t val)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_BEACON_STATUS, 1);

    bt_mesh_model_msg_init(&msg, op);
    net_buf_simple_add_u8(&msg, val);
    return srv_send(model, ctx, &msg);
}

static int beacon_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                      struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);

    (void)buf;
    if (node == NULL) {
        return -EPERM;
    }
    return send_u8_status(model, ctx, OP_BEACON_STATUS, node->beacon.enabled);
}

static int beacon_set(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                      struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint8_t val = net_buf_simple_pull_u8(buf);

    if (node == NULL) {
        return -EPERM;
    }
    if (val > 1) { /* Prohibited (§4.2.10) */
        return -EINVAL;
    }
    if (val != node->beacon.enabled) {
        meshrpr_beacon_set(node, val);
    }
    return send_u8_status(model, ctx, OP_BEACON_STATUS, node->beacon.enabled);
}

static int default_ttl_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                           struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);

    (void)buf;
    if (node == NULL) {
        return -EPERM;
    }
    return send_u8_status(model, ctx, OP_DEFAULT_TTL_STATUS, node->net.default_ttl);
}

static int default_ttl_set(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                           struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint8_t ttl = net_buf_simple_pull_u8(buf);

    if (node == NULL) {
        return -EPERM;
    }
    if (DEFAULT_TTL_PROHIBITED(ttl)) {
        return -EINVAL;
    }
    if (ttl != node->net.default_ttl) {
        meshrpr_net_default_ttl_set(node, ttl);
        (void)meshrpr_net_store(node);
    }
    return send_u8_status(model, ctx, OP_DEFAULT_TTL_STATUS, node->net.default_ttl);
}

/* GATT Proxy and Friend are not implemented: Get and Set both report Not Supported
 * (§4.4.1.2: a Set of an unsupported feature leaves the state alone). */
static int gatt_proxy_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                          struct net_buf_simple *buf)
{
    (void)buf;
    if (srv_node(model, ctx) == NULL) {
        return -EPERM;
    }
    return send_u8_status(model, ctx, OP_GATT_PROXY_STATUS, CFG_STATE_NOT_SUPPORTED);
}

static int gatt_proxy_set(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                          struct net_buf_simple *buf)
{
    if (srv_node(model, ctx) == NULL) {
        return -EPERM;
    }
    if (net_buf_simple_pull_u8(buf) > 1) { /* Prohibited (§4.2.11) */
        return -EINVAL;
    }
    return send_u8_status(model, ctx, OP_GATT_PROXY_STATUS, CFG_STATE_NOT_SUPPORTED);
}

static int friend_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                      struct net_buf_simple *buf)
{
    (void)buf;
    if (srv_node(model, ctx) == NULL) {
        return -EPERM;
    }
    return send_u8_status(model, ctx, OP_FRIEND_STATUS, CFG_STATE_NOT_SUPPORTED);
}

static int friend_set(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                      struct net_buf_simple *buf)
{
    if (srv_node(model, ctx) == NULL) {
        return -EPERM;
    }
    if (net_buf_simple_pull_u8(buf) > 1) { /* Prohibited (§4.2.13) */
        return -EINVAL;
    }
    return send_u8_status(model, ctx, OP_FRIEND_STATUS, CFG_STATE_NOT_SUPPORTED);
}

static int send_relay_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                             const struct meshrpr_node *node)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_RELAY_STATUS, 2);
    bool supported = node->net.relay != CFG_STATE_NOT_SUPPORTED;

    bt_mesh_model_msg_init(&msg, OP_RELAY_STATUS);
    net_buf_simple_add_u8(&msg, node->net.relay);
    /* Without the Relay feature the retransmit fields read 0 (§4.3.2.14). */
    net_buf_simple_add_u8(&msg, supported ? node->net.relay_retransmit : 0);
    return srv_send(model, ctx, &msg);
}

static int relay_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                     struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);

    (void)buf;
    if (node == NULL) {
        return -EPERM;
    }
    return send_relay_status(model, ctx, node);
}

static int relay_set(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                     struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint8_t relay = net_buf_simple_pull_u8(buf);
    uint8_t retransmit = net_buf_simple_pull_u8(buf);

    if (node == NULL) {
        return -EPERM;
    }
    if (relay > 1) { /* Prohibited (§4.2.9) */
        return -EINVAL;
    }
    if (node->net.relay != CFG_STATE_NOT_SUPPORTED &&
        (node->net.relay != relay || node->net.relay_retransmit != retransmit)) {
        meshrpr_net_relay_set(node, relay, retransmit);
        (void)meshrpr_net_store(node);
    }
    return send_relay_status(model, ctx, node);
}

static int net_transmit_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                            struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);

    (void)buf;
    if (node == NULL) {
        return -EPERM;
    }
    return send_u8_status(model, ctx, OP_NET_TRANSMIT_STATUS, node->net.net_transmit);
}

static int net_transmit_set(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                            struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint8_t transmit = net_buf_simple_pull_u8(buf);

    if (node == NULL) {
        return -EPERM;
    }
    if (transmit != node->net.net_transmit) {
        meshrpr_net_transmit_set(node, transmit);
        (void)meshrpr_net_store(node);
    }
    return send_u8_status(model, ctx, OP_NET_TRANSMIT_STATUS, node->net.net_transmit);
}

/* ---- NetKeys, §4.3.2.31..36 ------------------------------------------------------------- */

static int send_net_key_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                               uint8_t status, uint16_t net_idx)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_NET_KEY_STATUS, 3);

    bt_mesh_model_msg_init(&msg, OP_NET_KEY_STATUS);
    net_buf_simple_add_u8(&msg, status);
    net_buf_simple_add_le16(&msg, net_idx);
    return srv_send(model, ctx, &msg);
}

static int net_key_add(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint16_t net_idx = net_buf_simple_pull_le16(buf) & CFG_KEY_IDX_MASK;
    const uint8_t *key = net_buf_simple_pull_mem(buf, 16);
    uint8_t status;
    int err;

    if (node == NULL || key == NULL) {
        return -EPERM;
    }
    err = meshrpr_keys_subnet_add(node, net_idx, key);
    switch (err) {
    case 0:
        status = MESHRPR_CFG_STATUS_SUCCESS;
        (void)meshrpr_keys_store(node);
        break;
    case -EEXIST:
        status = MESHRPR_CFG_STATUS_IDX_ALREADY_STORED;
        break;
    case -ENOMEM:
        status = MESHRPR_CFG_STATUS_INSUFF_RESOURCES;
        break;
    default:
        status = MESHRPR_CFG_STATUS_UNSPECIFIED;
        break;
    }
    return send_net_key_status(model, ctx, status, net_idx);
}

static int net_key_update(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                          struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint16_t net_idx = net_buf_simple_pull_le16(buf) & CFG_KEY_IDX_MASK;

    if (node == NULL) {
        return -EPERM;
    }
    /* The Key Refresh procedure is not implemented, so no NetKey is ever in a phase that
     * accepts an update (§4.4.1.2: Cannot Update). */
    return send_net_key_status(model, ctx,
                               meshrpr_keys_subnet_get(node, net_idx) == NULL
                                   ? MESHRPR_CFG_STATUS_INVALID_NETKEY
                                   : MESHRPR_CFG_STATUS_CANNOT_UPDATE,
                               net_idx);
}

static int net_key_del(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint16_t net_idx = net_buf_simple_pull_le16(buf) & CFG_KEY_IDX_MASK;
    size_t count = 0;

    if (node == NULL) {
        return -EPERM;
    }
    if (meshrpr_keys_subnet_get(node, net_idx) == NULL) {
        /* Deleting an absent key is a success (§4.4.1.2). */
        return send_net_key_status(model, ctx, MESHRPR_CFG_STATUS_SUCCESS, net_idx);
    }
    /* The key that secures this very message (and so the last key) cannot go. */
    if (net_idx == ctx->net_idx) {
        return send_net_key_status(model, ctx, MESHRPR_CFG_STATUS_CANNOT_REMOVE, net_idx);
    }
    /* Its AppKeys go with it, and with them the models' bindings. */
    for (size_t i = 0; i < MESHRPR_APP_KEY_COUNT; i++) {
        const struct meshrpr_app_key *app = &node->keys.app_keys[i];
        if (app->valid && app->net_idx == net_idx) {
            meshrpr_access_unbind_all(node, app->app_idx);
            count++;
        }
    }
    (void)meshrpr_keys_subnet_del(node, net_idx);
    (void)meshrpr_keys_store(node);
    if (count > 0) {
        (void)meshrpr_access_store(node);
    }
    return send_net_key_status(model, ctx, MESHRPR_CFG_STATUS_SUCCESS, net_idx);
}

static int net_key_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_NET_KEY_LIST, PARAMS_MAX_OP2);
    uint16_t idx[KEY_LIST_CAP(MESHRPR_SUBNET_COUNT, 0)];
    size_t count = 0;

    (void)buf;
    if (node == NULL) {
        return -EPERM;
    }
    /* A longer list would not fit in one message. */
    for (size_t i = 0; i < MESHRPR_SUBNET_COUNT && count < MESHRPR_ARRAY_SIZE(idx); i++) {
        if (node->keys.subnets[i].valid) {
            idx[count++] = node->keys.subnets[i].net_idx;
        }
    }
    bt_mesh_model_msg_init(&msg, OP_NET_KEY_LIST);
    cfg_key_idx_pack_list(&msg, idx, count);
    return srv_send(model, ctx, &msg);
}

/* ---- AppKeys, §4.3.2.37..42 ------------------------------------------------------------- */

static int send_app_key_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                               uint8_t status, uint16_t net_idx, uint16_t app_idx)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_APP_KEY_STATUS, 4);

    bt_mesh_model_msg_init(&msg, OP_APP_KEY_STATUS);
    net_buf_simple_add_u8(&msg, status);
    cfg_key_idx_pack_pair(&msg, net_idx, app_idx);
    return srv_send(model, ctx, &msg);
}

static int app_key_add(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint16_t net_idx;
    uint16_t app_idx;
    const uint8_t *key;
    const struct meshrpr_app_key *old;
    uint8_t status;
    int err;

    cfg_key_idx_unpack_pair(buf, &net_idx, &app_idx);
    key = net_buf_simple_pull_mem(buf, 16);
    if (node == NULL || key == NULL) {
        return -EPERM;
    }
    old = meshrpr_keys_app_get(node, app_idx);
    err = meshrpr_keys_app_add(node, net_idx, app_idx, key);
    switch (err) {
    case 0:
        status = MESHRPR_CFG_STATUS_SUCCESS;
        if (old == NULL) {
            (void)meshrpr_keys_store(node);
        }
        break;
    case -ENOENT:
        status = MESHRPR_CFG_STATUS_INVALID_NETKEY;
        break;
    case -EEXIST:
        /* The index is taken: by another NetKey's AppKey (Invalid NetKey Index) or by
         * another key on this NetKey (Key Index Already Stored), §4.4.1.2. */
        status = old != NULL && old->net_idx != net_idx ? MESHRPR_CFG_STATUS_INVALID_NETKEY
                                                        : MESHRPR_CFG_STATUS_IDX_ALREADY_STORED;
        break;
    case -ENOMEM:
        status = MESHRPR_CFG_STATUS_INSUFF_RESOURCES;
        break;
    default:
        status = MESHRPR_CFG_STATUS_UNSPECIFIED;
        break;
    }
    return send_app_key_status(model, ctx, status, net_idx, app_idx);
}

static int app_key_update(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                          struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint16_t net_idx;
    uint16_t app_idx;
    const struct meshrpr_app_key *app;
    uint8_t status;

    cfg_key_idx_unpack_pair(buf, &net_idx, &app_idx);
    if (node == NULL) {
        return -EPERM;
    }
    app = meshrpr_keys_app_get(node, app_idx);
    if (meshrpr_keys_subnet_get(node, net_idx) == NULL) {
        status = MESHRPR_CFG_STATUS_INVALID_NETKEY;
    } else if (app == NULL) {
        status = MESHRPR_CFG_STATUS_INVALID_APPKEY;
    } else if (app->net_idx != net_idx) {
        status = MESHRPR_CFG_STATUS_INVALID_BINDING;
    } else {
        /* Updates belong to the Key Refresh procedure, which is not implemented: the
         * NetKey is never in Phase 1 (§4.4.1.2). */
        status = MESHRPR_CFG_STATUS_CANNOT_UPDATE;
    }
    return send_app_key_status(model, ctx, status, net_idx, app_idx);
}

static int app_key_del(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint16_t net_idx;
    uint16_t app_idx;
    const struct meshrpr_app_key *app;
    uint8_t status = MESHRPR_CFG_STATUS_SUCCESS;

    cfg_key_idx_unpack_pair(buf, &net_idx, &app_idx);
    if (node == NULL) {
        return -EPERM;
    }
    app = meshrpr_keys_app_get(node, app_idx);
    if (meshrpr_keys_subnet_get(node, net_idx) == NULL) {
        status = MESHRPR_CFG_STATUS_INVALID_NETKEY;
    } else if (app == NULL) {
        /* Deleting an absent key is a success (§4.4.1.2). */
    } else if (app->net_idx != net_idx) {
        status = MESHRPR_CFG_STATUS_INVALID_BINDING;
    } else {
        /* Models bound to the key lose the binding (§4.4.1.2). */
        meshrpr_access_unbind_all(node, app_idx);
        (void)meshrpr_keys_app_del(node, net_idx, app_idx);
        (void)meshrpr_keys_store(node);
        (void)meshrpr_access_store(node);
    }
    return send_app_key_status(model, ctx, status, net_idx, app_idx);
}

static int app_key_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_APP_KEY_LIST, PARAMS_MAX_OP2);
    uint16_t net_idx = net_buf_simple_pull_le16(buf) & CFG_KEY_IDX_MASK;
    /* Status and NetKeyIndex take 3 octets; a longer list would not fit. */
    uint16_t idx[KEY_LIST_CAP(MESHRPR_APP_KEY_COUNT, 3)];
    size_t count;

    if (node == NULL) {
        return -EPERM;
    }
    bt_mesh_model_msg_init(&msg, OP_APP_KEY_LIST);
    if (meshrpr_keys_subnet_get(node, net_idx) == NULL) {
        net_buf_simple_add_u8(&msg, MESHRPR_CFG_STATUS_INVALID_NETKEY);
        net_buf_simple_add_le16(&msg, net_idx);
        return srv_send(model, ctx, &msg);
    }
    count = app_keys_of(node, net_idx, idx, MESHRPR_ARRAY_SIZE(idx));
    net_buf_simple_add_u8(&msg, MESHRPR_CFG_STATUS_SUCCESS);
    net_buf_simple_add_le16(&msg, net_idx);
    cfg_key_idx_pack_list(&msg, idx, count);
    return srv_send(model, ctx, &msg);
}

/* ---- Model App Bind / Unbind and Model App Get, §4.3.2.46..50 --------------------------- */

static int send_mod_app_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                               uint8_t status, uint16_t elem_addr, uint16_t app_idx, uint32_t id,
                               bool vnd)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_MOD_APP_STATUS, 9);

    bt_mesh_model_msg_init(&msg, OP_MOD_APP_STATUS);
    net_buf_simple_add_u8(&msg, status);
    net_buf_simple_add_le16(&msg, elem_addr);
    net_buf_simple_add_le16(&msg, app_idx);
    add_model_id(&msg, id, vnd);
    return srv_send(model, ctx, &msg);
}

static int mod_app_bind_unbind(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                               struct net_buf_simple *buf, bool bind)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint16_t elem_addr = net_buf_simple_pull_le16(buf);
    uint16_t app_idx = net_buf_simple_pull_le16(buf) & CFG_KEY_IDX_MASK;
    const struct bt_mesh_model *target = NULL;
    uint32_t id;
    bool vnd;
    uint8_t status;
    int err;

    if (node == NULL) {
        return -EPERM;
    }
    if (!pull_model_id(buf, &id, &vnd)) {
        return -EINVAL; /* neither 6 nor 8 octets: not understood */
    }
    status = find_model(node, elem_addr, id, vnd, &target);
    if (status != MESHRPR_CFG_STATUS_SUCCESS) {
        return send_mod_app_status(model, ctx, status, elem_addr, app_idx, id, vnd);
    }
    if (meshrpr_keys_app_get(node, app_idx) == NULL) {
        status = MESHRPR_CFG_STATUS_INVALID_APPKEY;
    } else if (!vnd && id == BT_MESH_MODEL_ID_CFG_SRV) {
        /* The Configuration Server uses the device key only (§4.4.1.1). */
        status = MESHRPR_CFG_STATUS_CANNOT_BIND;
    } else {
        err = bind ? meshrpr_access_bind(node, target, app_idx)
                   : meshrpr_access_unbind(node, target, app_idx);
        if (err == 0) {
            (void)meshrpr_access_store(node);
        } else if (err == -ENOMEM) {
            status = MESHRPR_CFG_STATUS_INSUFF_RESOURCES;
        } else if (err != -EALREADY && err != -ENOENT) {
            /* -EALREADY / -ENOENT: already bound or not bound, a success (§4.4.1.2). */
            status = MESHRPR_CFG_STATUS_UNSPECIFIED;
        }
    }
    return send_mod_app_status(model, ctx, status, elem_addr, app_idx, id, vnd);
}

static int mod_app_bind(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                        struct net_buf_simple *buf)
{
    return mod_app_bind_unbind(model, ctx, buf, true);
}

static int mod_app_unbind(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                          struct net_buf_simple *buf)
{
    return mod_app_bind_unbind(model, ctx, buf, false);
}

static int mod_app_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_VND_MOD_APP_LIST, PARAMS_MAX_OP2);
    uint16_t elem_addr = net_buf_simple_pull_le16(buf);
    const struct bt_mesh_model *target = NULL;
    uint16_t idx[MESHRPR_MODEL_KEY_COUNT];
    size_t count = 0;
    uint32_t id;
    bool vnd;
    uint8_t status;

    if (node == NULL || !pull_model_id(buf, &id, &vnd)) {
        return -EPERM;
    }
    status = find_model(node, elem_addr, id, vnd, &target);
    if (status == MESHRPR_CFG_STATUS_SUCCESS) {
        const struct meshrpr_model_state *st = meshrpr_access_model_state(node, target);
        for (size_t k = 0; st != NULL && k < MESHRPR_MODEL_KEY_COUNT; k++) {
            /* Device-key pseudo bindings are not AppKeys. */
            if (st->keys[k] <= CFG_KEY_IDX_MASK) {
                idx[count++] = st->keys[k];
            }
        }
    }
    bt_mesh_model_msg_init(&msg, vnd ? OP_VND_MOD_APP_LIST : OP_SIG_MOD_APP_LIST);
    net_buf_simple_add_u8(&msg, status);
    net_buf_simple_add_le16(&msg, elem_addr);
    add_model_id(&msg, id, vnd);
    cfg_key_idx_pack_list(&msg, idx, count);
    return srv_send(model, ctx, &msg);
}

/* ---- Model Publication, §4.3.2.15..18 --------------------------------------------------- */

/* No meshrpr model publishes, so every Publication request reports Invalid Publish
 * Parameters once the element and model resolve. */
static int mod_pub_reply(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                         struct meshrpr_node *node, uint16_t elem_addr,
                         struct net_buf_simple *id_buf)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_MOD_PUB_STATUS, 14);
    const struct bt_mesh_model *target = NULL;
    uint32_t id;
    bool vnd;
    uint8_t status;

    if (!pull_model_id(id_buf, &id, &vnd)) {
        return -EINVAL;
    }
    status = find_model(node, elem_addr, id, vnd, &target);
    if (status == MESHRPR_CFG_STATUS_SUCCESS) {
        status = MESHRPR_CFG_STATUS_INVALID_PUBLISH_PARAMS;
    }
    bt_mesh_model_msg_init(&msg, OP_MOD_PUB_STATUS);
    net_buf_simple_add_u8(&msg, status);
    net_buf_simple_add_le16(&msg, elem_addr);
    net_buf_simple_add_le16(&msg, BT_MESH_ADDR_UNASSIGNED); /* PublishAddress */
    net_buf_simple_add_le16(&msg, 0);                       /* AppKeyIndex, CredentialFlag */
    net_buf_simple_add_u8(&msg, 0);                         /* PublishTTL */
    net_buf_simple_add_u8(&msg, 0);                         /* PublishPeriod */
    net_buf_simple_add_u8(&msg, 0);                         /* PublishRetransmit */
    add_model_id(&msg, id, vnd);
    return srv_send(model, ctx, &msg);
}

static int mod_pub_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint16_t elem_addr = net_buf_simple_pull_le16(buf);

    if (node == NULL) {
        return -EPERM;
    }
    return mod_pub_reply(model, ctx, node, elem_addr, buf);
}

static int mod_pub_set(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint16_t elem_addr = net_buf_simple_pull_le16(buf);

    /* PublishAddress(2), AppKeyIndex(2), TTL, Period, Retransmit: then the Model ID. */
    if (node == NULL || net_buf_simple_pull(buf, 7) == NULL) {
        return -EPERM;
    }
    return mod_pub_reply(model, ctx, node, elem_addr, buf);
}

static int mod_pub_va_set(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                          struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint16_t elem_addr = net_buf_simple_pull_le16(buf);

    /* Label(16), AppKeyIndex(2), TTL, Period, Retransmit: then the Model ID. */
    if (node == NULL || net_buf_simple_pull(buf, 21) == NULL) {
        return -EPERM;
    }
    return mod_pub_reply(model, ctx, node, elem_addr, buf);
}

/* ---- Model Subscription, §4.3.2.19..29 -------------------------------------------------- */

static int send_mod_sub_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                               uint8_t status, uint16_t elem_addr, uint16_t sub_addr, uint32_t id,
                               bool vnd)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_MOD_SUB_STATUS, 9);

    bt_mesh_model_msg_init(&msg, OP_MOD_SUB_STATUS);
    net_buf_simple_add_u8(&msg, status);
    net_buf_simple_add_le16(&msg, elem_addr);
    net_buf_simple_add_le16(&msg, sub_addr);
    add_model_id(&msg, id, vnd);
    return srv_send(model, ctx, &msg);
}

/* Remove every subscription of a model. */
static void sub_del_all(struct meshrpr_node *node, const struct bt_mesh_model *target)
{
    struct meshrpr_model_state *st = meshrpr_access_model_state(node, target);

    for (size_t g = 0; st != NULL && g < MESHRPR_MODEL_GROUP_COUNT; g++) {
        if (st->groups[g] != BT_MESH_ADDR_UNASSIGNED) {
            (void)meshrpr_access_sub_del(node, target, st->groups[g]);
        }
    }
}

enum sub_action {
    SUB_ADD,
    SUB_DEL,
    SUB_OVERWRITE,
    SUB_DEL_ALL,
};

/* The common part of the Subscription Add / Delete / Overwrite / Delete All messages, for
 * group addresses (label == NULL) and Label UUIDs. */
static int mod_sub_change(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                          struct net_buf_simple *buf, enum sub_action action, bool virt)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint16_t elem_addr = net_buf_simple_pull_le16(buf);
    uint16_t sub_addr = BT_MESH_ADDR_UNASSIGNED;
    const uint8_t *label = NULL;
    const struct bt_mesh_model *target = NULL;
    uint32_t id;
    bool vnd;
    uint8_t status;
    int err = 0;

    if (node == NULL) {
        return -EPERM;
    }
    if (action != SUB_DEL_ALL) {
        if (virt) {
            label = net_buf_simple_pull_mem(buf, 16);
        } else {
            sub_addr = net_buf_simple_pull_le16(buf);
        }
    }
    if (buf->error || !pull_model_id(buf, &id, &vnd)) {
        return -EINVAL;
    }
    if (label != NULL && meshrpr_keys_virtual_addr(label, &sub_addr) != 0) {
        return -EIO;
    }
    status = find_model(node, elem_addr, id, vnd, &target);
    if (status != MESHRPR_CFG_STATUS_SUCCESS) {
        return send_mod_sub_status(model, ctx, status, elem_addr, sub_addr, id, vnd);
    }
    /* Subscriptions hold group addresses (all-nodes is implicit) or virtual addresses given
     * by their Label (§4.3.2.19). */
    if (action != SUB_DEL_ALL && !virt &&
        (sub_addr < 0xc000 || sub_addr == BT_MESH_ADDR_ALL_NODES)) {
        return send_mod_sub_status(model, ctx, MESHRPR_CFG_STATUS_INVALID_ADDRESS, elem_addr,
                                   sub_addr, id, vnd);
    }
    if (action == SUB_OVERWRITE || action == SUB_DEL_ALL) {
        sub_del_all(node, target);
    }
    if (action == SUB_ADD || action == SUB_OVERWRITE) {
        if (label != NULL && meshrpr_keys_label_add(node, label) == NULL) {
            err = -ENOMEM;
        } else {
            err = meshrpr_access_sub_add(node, target, sub_addr);
        }
    } else if (action == SUB_DEL) {
        err = meshrpr_access_sub_del(node, target, sub_addr);
    }
    if (err == -ENOMEM) {
        status = MESHRPR_CFG_STATUS_INSUFF_RESOURCES;
    } else if (err == -EINVAL) {
        status = MESHRPR_CFG_STATUS_INVALID_ADDRESS;
    }
    if (err == 0 || action == SUB_OVERWRITE || action == SUB_DEL_ALL) {
        (void)meshrpr_access_store(node);
    }
    return send_mod_sub_status(model, ctx, status, elem_addr, sub_addr, id, vnd);
}

static int mod_sub_add(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *buf)
{
    return mod_sub_change(model, ctx, buf, SUB_ADD, false);
}

static int mod_sub_del(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *buf)
{
    return mod_sub_change(model, ctx, buf, SUB_DEL, false);
}

static int mod_sub_overwrite(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                             struct net_buf_simple *buf)
{
    return mod_sub_change(model, ctx, buf, SUB_OVERWRITE, false);
}

static int mod_sub_del_all(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                           struct net_buf_simple *buf)
{
    return mod_sub_change(model, ctx, buf, SUB_DEL_ALL, false);
}

static int mod_sub_va_add(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                          struct net_buf_simple *buf)
{
    return mod_sub_change(model, ctx, buf, SUB_ADD, true);
}

static int mod_sub_va_del(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                          struct net_buf_simple *buf)
{
    return mod_sub_change(model, ctx, buf, SUB_DEL, true);
}

static int mod_sub_va_overwrite(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                                struct net_buf_simple *buf)
{
    return mod_sub_change(model, ctx, buf, SUB_OVERWRITE, true);
}

static int mod_sub_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                       struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_MOD_SUB_LIST_VND, PARAMS_MAX_OP2);
    uint16_t elem_addr = net_buf_simple_pull_le16(buf);
    const struct bt_mesh_model *target = NULL;
    uint32_t id;
    bool vnd;
    uint8_t status;

    if (node == NULL || !pull_model_id(buf, &id, &vnd)) {
        return -EPERM;
    }
    status = find_model(node, elem_addr, id, vnd, &target);
    bt_mesh_model_msg_init(&msg, vnd ? OP_MOD_SUB_LIST_VND : OP_MOD_SUB_LIST);
    net_buf_simple_add_u8(&msg, status);
    net_buf_simple_add_le16(&msg, elem_addr);
    add_model_id(&msg, id, vnd);
    if (status == MESHRPR_CFG_STATUS_SUCCESS) {
        const struct meshrpr_model_state *st = meshrpr_access_model_state(node, target);
        for (size_t g = 0; st != NULL && g < MESHRPR_MODEL_GROUP_COUNT; g++) {
            if (st->groups[g] != BT_MESH_ADDR_UNASSIGNED && net_buf_simple_tailroom(&msg) >= 2) {
                net_buf_simple_add_le16(&msg, st->groups[g]);
            }
        }
    }
    return srv_send(model, ctx, &msg);
}

/* ---- Key Refresh Phase, Node Identity, LPN PollTimeout ---------------------------------- */

static int krp_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                   struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_KRP_STATUS, 4);
    uint16_t net_idx = net_buf_simple_pull_le16(buf) & CFG_KEY_IDX_MASK;

    if (node == NULL) {
        return -EPERM;
    }
    bt_mesh_model_msg_init(&msg, OP_KRP_STATUS);
    net_buf_simple_add_u8(&msg, meshrpr_keys_subnet_get(node, net_idx) == NULL
                                    ? MESHRPR_CFG_STATUS_INVALID_NETKEY
                                    : MESHRPR_CFG_STATUS_SUCCESS);
    net_buf_simple_add_le16(&msg, net_idx);
    net_buf_simple_add_u8(&msg, 0); /* Phase 0: Key Refresh is not implemented */
    return srv_send(model, ctx, &msg);
}

static int send_node_identity_status(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                                     struct meshrpr_node *node, uint16_t net_idx)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_NODE_IDENTITY_STATUS, 4);
    bool known = meshrpr_keys_subnet_get(node, net_idx) != NULL;

    bt_mesh_model_msg_init(&msg, OP_NODE_IDENTITY_STATUS);
    net_buf_simple_add_u8(&msg,
                          known ? MESHRPR_CFG_STATUS_SUCCESS : MESHRPR_CFG_STATUS_INVALID_NETKEY);
    net_buf_simple_add_le16(&msg, net_idx);
    /* Node Identity advertising belongs to the Proxy feature, not implemented (§4.2.12). */
    net_buf_simple_add_u8(&msg, known ? CFG_STATE_NOT_SUPPORTED : CFG_STATE_DISABLED);
    return srv_send(model, ctx, &msg);
}

static int node_identity_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                             struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint16_t net_idx = net_buf_simple_pull_le16(buf) & CFG_KEY_IDX_MASK;

    if (node == NULL) {
        return -EPERM;
    }
    return send_node_identity_status(model, ctx, node, net_idx);
}

static int node_identity_set(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                             struct net_buf_simple *buf)
{
    struct meshrpr_node *node = srv_node(model, ctx);
    uint16_t net_idx = net_buf_simple_pull_le16(buf) & CFG_KEY_IDX_MASK;

    if (node == NULL) {
        return -EPERM;
    }
    if (net_buf_simple_pull_u8(buf) > 1) { /* Prohibited (§4.2.12) */
        return -EINVAL;
    }
    return send_node_identity_status(model, ctx, node, net_idx);
}

static int lpn_timeout_get(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                           struct net_buf_simple *buf)
{
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_LPN_TIMEOUT_STATUS, 5);
    uint16_t lpn_addr = net_buf_simple_pull_le16(buf);

    if (srv_node(model, ctx) == NULL) {
        return -EPERM;
    }
    if (!BT_MESH_ADDR_IS_UNICAST(lpn_addr)) { /* Prohibited: must be a unicast address */
        return -EINVAL;
    }
    bt_mesh_model_msg_init(&msg, OP_LPN_TIMEOUT_STATUS);
    net_buf_simple_add_le16(&msg, lpn_addr);
    net_buf_simple_add_le24(&msg, 0); /* not a Friend: no Low Power node known */
    return srv_send(model, ctx, &msg);
}

/* ---- Node Reset, §4.3.2.53 / §4.3.2.54 -------------------------------------------------- */

static void reset_timeout(struct meshrpr_timer *timer)
{
    struct meshrpr_cfg_srv *srv = MESHRPR_CONTAINER_OF(timer, struct meshrpr_cfg_srv, reset_timer);
    struct meshrpr_node *node = meshrpr_model_node(srv->model);

    /* The node leaves the network as a whole (the composer, src/node/node.c). */
    if (node != NULL && node->provisioned && node->hooks.reset != NULL) {
        node->hooks.reset(node);
    }
}

/* The Status has left (or failed for good): remove the node, but from a fresh timer event,
 * never inside the lower transport that is calling us. */
static void reset_status_sent(int err, void *cb_data)
{
    struct meshrpr_cfg_srv *srv = cb_data;
    struct meshrpr_node *node = meshrpr_model_node(srv->model);

    (void)err;
    if (node != NULL) {
        meshrpr_node_timer_start(node, &srv->reset_timer, 0);
    }
}

static int node_reset(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                      struct net_buf_simple *buf)
{
    static const struct bt_mesh_send_cb reset_cb = { .end = reset_status_sent };
    struct meshrpr_node *node = srv_node(model, ctx);
    struct meshrpr_cfg_srv *srv = model->rt->user_data;
    BT_MESH_MODEL_BUF_DEFINE(msg, OP_NODE_RESET_STATUS, 0);
    int err;

    (void)buf;
    if (node == NULL) {
        return -EPERM;
    }
    bt_mesh_model_msg_init(&msg, OP_NODE_RESET_STATUS);
    /* The Status goes out secured with the device key before the reset erases it. */
    err = srv_send_cb(model, ctx, &msg, &reset_cb, srv);
    if (err != 0) {
        reset_status_sent(err, srv);
    }
    return err;
}

/* ---- Model definition ------------------------------------------------------------------- */

const struct bt_mesh_model_op bt_mesh_cfg_srv_op[] = {
    { OP_DEV_COMP_DATA_GET, BT_MESH_LEN_EXACT(1), comp_data_get },
    { OP_BEACON_GET, BT_MESH_LEN_EXACT(0), beacon_get },
    { OP_BEACON_SET, BT_MESH_LEN_EXACT(1), beacon_set },
    { OP_DEFAULT_TTL_GET, BT_MESH_LEN_EXACT(0), default_ttl_get },
    { OP_DEFAULT_TTL_SET, BT_MESH_LEN_EXACT(1), default_ttl_set },
    { OP_FRIEND_GET, BT_MESH_LEN_EXACT(0), friend_get },
    { OP_FRIEND_SET, BT_MESH_LEN_EXACT(1), friend_set },
    { OP_GATT_PROXY_GET, BT_MESH_LEN_EXACT(0), gatt_proxy_get },
    { OP_GATT_PROXY_SET, BT_MESH_LEN_EXACT(1), gatt_proxy_set },
    { OP_RELAY_GET, BT_MESH_LEN_EXACT(0), relay_get },
    { OP_RELAY_SET, BT_MESH_LEN_EXACT(2), relay_set },
    { OP_NET_TRANSMIT_GET, BT_MESH_LEN_EXACT(0), net_transmit_get },
    { OP_NET_TRANSMIT_SET, BT_MESH_LEN_EXACT(1), net_transmit_set },
    { OP_NET_KEY_ADD, BT_MESH_LEN_EXACT(18), net_key_add },
    { OP_NET_KEY_UPDATE, BT_MESH_LEN_EXACT(18), net_key_update },
    { OP_NET_KEY_DEL, BT_MESH_LEN_EXACT(2), net_key_del },
    { OP_NET_KEY_GET, BT_MESH_LEN_EXACT(0), net_key_get },
    { OP_APP_KEY_ADD, BT_MESH_LEN_EXACT(19), app_key_add },
    { OP_APP_KEY_UPDATE, BT_MESH_LEN_EXACT(19), app_key_update },
    { OP_APP_KEY_DEL, BT_MESH_LEN_EXACT(3), app_key_del },
    { OP_APP_KEY_GET, BT_MESH_LEN_EXACT(2), app_key_get },
    { OP_MOD_APP_BIND, BT_MESH_LEN_MIN(6), mod_app_bind },
    { OP_MOD_APP_UNBIND, BT_MESH_LEN_MIN(6), mod_app_unbind },
    { OP_SIG_MOD_APP_GET, BT_MESH_LEN_EXACT(4), mod_app_get },
    { OP_VND_MOD_APP_GET, BT_MESH_LEN_EXACT(6), mod_app_get },
    { OP_MOD_PUB_GET, BT_MESH_LEN_MIN(4), mod_pub_get },
    { OP_MOD_PUB_SET, BT_MESH_LEN_MIN(11), mod_pub_set },
    { OP_MOD_PUB_VA_SET, BT_MESH_LEN_MIN(25), mod_pub_va_set },
    { OP_MOD_SUB_ADD, BT_MESH_LEN_MIN(6), mod_sub_add },
    { OP_MOD_SUB_DEL, BT_MESH_LEN_MIN(6), mod_sub_del },
    { OP_MOD_SUB_OVERWRITE, BT_MESH_LEN_MIN(6), mod_sub_overwrite },
    { OP_MOD_SUB_DEL_ALL, BT_MESH_LEN_MIN(4), mod_sub_del_all },
    { OP_MOD_SUB_VA_ADD, BT_MESH_LEN_MIN(20), mod_sub_va_add },
    { OP_MOD_SUB_VA_DEL, BT_MESH_LEN_MIN(20), mod_sub_va_del },
    { OP_MOD_SUB_VA_OVERWRITE, BT_MESH_LEN_MIN(20), mod_sub_va_overwrite },
    { OP_MOD_SUB_GET, BT_MESH_LEN_EXACT(4), mod_sub_get },
    { OP_MOD_SUB_GET_VND, BT_MESH_LEN_EXACT(6), mod_sub_get },
    { OP_KRP_GET, BT_MESH_LEN_EXACT(2), krp_get },
    { OP_NODE_IDENTITY_GET, BT_MESH_LEN_EXACT(2), node_identity_get },
    { OP_NODE_IDENTITY_SET, BT_MESH_LEN_EXACT(3), node_identity_set },
    { OP_LPN_TIMEOUT_GET, BT_MESH_LEN_EXACT(2), lpn_timeout_get },
    { OP_NODE_RESET, BT_MESH_LEN_EXACT(0), node_reset },
    BT_MESH_MODEL_OP_END,
};

/* Device-key messages reach the model through a binding to the local device key; bind at
 * init and again at start, after the stored bindings have been restored. */
static int cfg_srv_bind_dev_key(const struct bt_mesh_model *model)
{
    return meshrpr_model_key_bind(model, BT_MESH_KEY_DEV_LOCAL);
}

static int cfg_srv_init(const struct bt_mesh_model *model)
{
    struct meshrpr_cfg_srv *srv = model->rt->user_data;
    struct meshrpr_node *node = meshrpr_model_node(model);

    if (srv == NULL || node == NULL) {
        return -EINVAL;
    }
    /* The Configuration Server lives on the primary element only (§4.4.1). */
    if (model->rt->elem_idx != 0) {
        MESHRPR_LOG_ERR(&node->platform, "Configuration Server must be on the primary element");
        return -EINVAL;
    }
    srv->model = model;
    meshrpr_timer_init(&srv->reset_timer, reset_timeout);
    return cfg_srv_bind_dev_key(model);
}

static int cfg_srv_start(const struct bt_mesh_model *model)
{
    return cfg_srv_bind_dev_key(model);
}

static void cfg_srv_reset(const struct bt_mesh_model *model)
{
    struct meshrpr_cfg_srv *srv = model->rt->user_data;

    (void)cfg_srv_bind_dev_key(model);
    if (srv != NULL) {
        meshrpr_node_timer_cancel(meshrpr_model_node(model), &srv->reset_timer);
    }
}

const struct bt_mesh_model_cb bt_mesh_cfg_srv_cb = {
    .init = cfg_srv_init,
    .start = cfg_srv_start,
    .reset = cfg_srv_reset,
};
