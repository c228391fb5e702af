/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Upper transport layer (MshPRTv1.1 §3.6): access messages encrypted with an AppKey
 * (application nonce, AKF = 1, AID = k4(AppKey)) or a device key (device nonce, AKF = 0,
 * unicast only), the Label UUID as additional data for virtual destinations, and the choice
 * of candidate keys on receive.
 */
#include "net/upper_transport.h"

#include <errno.h>
#include <string.h>

#define MESHRPR_LOG_MODULE "upper"
#include "core/log.h"

#include "crypto/crypto.h"
#include "net/keys.h"
#include "net/lower_transport.h"
#include "node/node_services.h"

/* Upper Transport Access PDU: up to 380 octets of access message and a 32-bit TransMIC. */
#define UPPER_PDU_MAX (BT_MESH_TX_SDU_MAX + BT_MESH_MIC_SHORT)
/* Unsegmented access PDUs carry at most 15 octets of Upper PDU (§3.5.2.1). */
#define UNSEG_UPPER_MAX 15

/* The key a message is secured with, resolved from a context. */
struct upper_key {
    uint8_t key[16];
    bool akf;
    uint8_t aid;
};

static int key_for_send(struct meshrpr_node *node, const struct bt_mesh_msg_ctx *ctx,
                        struct upper_key *out)
{
    if (BT_MESH_IS_DEV_KEY(ctx->app_idx)) {
        /* Device keys secure unicast messages only (§3.6.4.1, Table 3.8). */
        if (!BT_MESH_ADDR_IS_UNICAST(ctx->addr)) {
            return -EINVAL;
        }
        out->akf = false;
        out->aid = 0;
        /* A node refreshed through its own Remote Provisioning Server (NPPI, §3.11.8) has the
         * new key as a candidate, and its database has it for its own address: a request to
         * itself with the database's key uses that key, which makes the candidate the device
         * key as it would for any other client. */
        if (ctx->app_idx == BT_MESH_KEY_DEV_REMOTE && node->has_dev_key_candidate &&
            meshrpr_node_is_local_addr(node, ctx->addr) && node->cfg.dev_key_get != NULL &&
            node->cfg.dev_key_get(node->cfg.dev_key_ctx, ctx->addr, out->key) == 0) {
            return 0;
        }
        if (ctx->app_idx == BT_MESH_KEY_DEV_LOCAL || meshrpr_node_is_local_addr(node, ctx->addr)) {
            memcpy(out->key, node->dev_key, 16);
            return 0;
        }
        if (node->cfg.dev_key_get == NULL ||
            node->cfg.dev_key_get(node->cfg.dev_key_ctx, ctx->addr, out->key) != 0) {
            MESHRPR_LOG_WRN(&node->platform, "no device key for 0x%04x", ctx->addr);
            return -EINVAL;
        }
        return 0;
    }
    const struct meshrpr_app_key *app = meshrpr_keys_app_get(node, ctx->app_idx);
    if (app == NULL || app->net_idx != ctx->net_idx) {
        return -EINVAL;
    }
    memcpy(out->key, app->key, 16);
    out->akf = true;
    out->aid = app->aid;
    return 0;
}

int meshrpr_upper_transport_send(struct meshrpr_node *node, uint16_t src,
                                 const struct bt_mesh_msg_ctx *ctx, const uint8_t *access,
                                 size_t len, const struct bt_mesh_send_cb *cb, void *cb_data)
{
    uint8_t pdu[UPPER_PDU_MAX];
    uint8_t nonce[MESHRPR_CRYPTO_NONCE_LEN];
    struct upper_key key;
    struct meshrpr_lower_tx tx = { 0 };
    const uint8_t *aad = NULL;
    int err;

    if (len == 0 || len > BT_MESH_TX_SDU_MAX || ctx->addr == BT_MESH_ADDR_UNASSIGNED) {
        return -EINVAL;
    }
    if (BT_MESH_ADDR_IS_VIRTUAL(ctx->addr)) {
        if (ctx->uuid == NULL) {
            return -EINVAL;
        }
        aad = ctx->uuid;
    }
    if (meshrpr_keys_subnet_get(node, ctx->net_idx) == NULL) {
        return -EINVAL;
    }
    err = key_for_send(node, ctx, &key);
    if (err != 0) {
        return err;
    }
    tx.net_idx = ctx->net_idx;
    tx.src = src;
    tx.dst = ctx->addr;
    tx.ttl = meshrpr_net_resolve_ttl(node, ctx->send_ttl);
    tx.akf = key.akf;
    tx.aid = key.aid;
    tx.szmic = false; /* a 32-bit TransMIC leaves the most room for the message */
    tx.force_seg = ctx->send_rel || len + BT_MESH_MIC_SHORT > UNSEG_UPPER_MAX;
    tx.cb = cb;
    tx.cb_data = cb_data;
    err = meshrpr_net_seq_alloc(node, &tx.seq);
    if (err != 0) {
        meshrpr_crypto_wipe(&key, sizeof(key));
        return err;
    }
    tx.iv_index = meshrpr_net_tx_iv_index(node);
    if (key.akf) {
        meshrpr_crypto_application_nonce(nonce, false, tx.seq, src, tx.dst, tx.iv_index);
    } else {
        meshrpr_crypto_device_nonce(nonce, false, tx.seq, src, tx.dst, tx.iv_index);
    }
    err = meshrpr_crypto_ccm_encrypt(key.key, nonce, access, len, aad, aad != NULL ? 16 : 0, pdu,
                                     pdu + len, BT_MESH_MIC_SHORT);
    meshrpr_crypto_wipe(&key, sizeof(key));
    if (err != 0) {
        return err;
    }
    return meshrpr_lower_transport_send_access(node, &tx, pdu, len + BT_MESH_MIC_SHORT);
}

/* Try one key; on success the plaintext is in out. */
static bool try_decrypt(const uint8_t key[16], bool app_nonce, const struct meshrpr_upper_rx *rx,
                        const uint8_t *aad, const uint8_t *pdu, size_t payload_len, size_t mic_len,
                        uint8_t *out)
{
    const struct meshrpr_net_rx *net = rx->net;
    const bool aszmic = rx->segmented && rx->szmic;
    uint8_t nonce[MESHRPR_CRYPTO_NONCE_LEN];

    if (app_nonce) {
        meshrpr_crypto_application_nonce(nonce, aszmic, rx->seq_auth, net->src, net->dst,
                                         net->iv_index);
    } else {
        meshrpr_crypto_device_nonce(nonce, aszmic, rx->seq_auth, net->src, net->dst, net->iv_index);
    }
    return meshrpr_crypto_ccm_decrypt(key, nonce, pdu, payload_len, aad, aad != NULL ? 16 : 0,
                                      pdu + payload_len, mic_len, out) == 0;
}

/* Find the AppKey (and for virtual destinations the Label) that opens the PDU. */
static int open_with_app_key(struct meshrpr_node *node, const struct meshrpr_upper_rx *rx,
                             const uint8_t *pdu, size_t payload_len, size_t mic_len, uint8_t *out,
                             uint16_t *app_idx, const uint8_t **uuid)
{
    for (size_t i = 0; i < MESHRPR_APP_KEY_COUNT; i++) {
        const struct meshrpr_app_key *app = &node->keys.app_keys[i];
        if (!app->valid || app->aid != rx->aid || app->net_idx != rx->net->net_idx) {
            continue;
        }
        if (!BT_MESH_ADDR_IS_VIRTUAL(rx->net->dst)) {
            if (try_decrypt(app->key, true, rx, NULL, pdu, payload_len, mic_len, out)) {
                *app_idx = app->app_idx;
                *uuid = NULL;
                return 0;
            }
            continue;
        }
        /* The 14-bit hash may match several Labels: try each (§3.4.2.3). */
        for (size_t l = 0; l < MESHRPR_LABEL_COUNT; l++) {
            const struct meshrpr_label *label = &node->keys.labels[l];
            if (label->valid && label->addr == rx->net->dst &&
                try_decrypt(app->key, true, rx, label->uuid, pdu, payload_len, mic_len, out)) {
                *app_idx = app->app_idx;
                *uuid = label->uuid;
                return 0;
            }
        }
    }
    return -ENOENT;
}

static int open_with_dev_key(struct meshrpr_node *node, const struct meshrpr_upper_rx *rx,
                             const uint8_t *pdu, size_t payload_len, size_t mic_len, uint8_t *out,
                             uint16_t *app_idx)
{
    uint8_t key[16];
    bool ok;

    if (!meshrpr_node_is_local_addr(node, rx->net->dst)) {
        return -ENOENT;
    }
    /* Our own device key: a request to one of our servers. */
    if (try_decrypt(node->dev_key, false, rx, NULL, pdu, payload_len, mic_len, out)) {
        *app_idx = BT_MESH_KEY_DEV_LOCAL;
        return 0;
    }
    /* A Device Key Candidate from NPPI becomes the device key when it first opens a message
     * (§3.6.4.2). */
    if (node->has_dev_key_candidate &&
        try_decrypt(node->dev_key_candidate, false, rx, NULL, pdu, payload_len, mic_len, out)) {
        if (node->net_hooks.dev_key_candidate_used != NULL) {
            node->net_hooks.dev_key_candidate_used(node);
        }
        *app_idx = BT_MESH_KEY_DEV_LOCAL;
        return 0;
    }
    /* The sender's device key: a server's response to one of our clients. */
    if (node->cfg.dev_key_get == NULL ||
        node->cfg.dev_key_get(node->cfg.dev_key_ctx, rx->net->src, key) != 0) {
        return -ENOENT;
    }
    ok = try_decrypt(key, false, rx, NULL, pdu, payload_len, mic_len, out);
    meshrpr_crypto_wipe(key, sizeof(key));
    if (!ok) {
        return -ENOENT;
    }
    *app_idx = BT_MESH_KEY_DEV_REMOTE;
    return 0;
}

int meshrpr_upper_transport_recv(struct meshrpr_node *node, const struct meshrpr_upper_rx *rx,
                                 const uint8_t *upper_pdu, size_t len)
{
    const size_t mic_len = rx->segmented && rx->szmic ? BT_MESH_MIC_LONG : BT_MESH_MIC_SHORT;
    uint8_t access[UPPER_PDU_MAX];
    struct bt_mesh_msg_ctx ctx = { 0 };
    const uint8_t *uuid = NULL;
    uint16_t app_idx;
    size_t payload_len;
    int err;

    if (len <= mic_len || len - mic_len > BT_MESH_RX_SDU_MAX) {
        return -EINVAL;
    }
    payload_len = len - mic_len;
    if (rx->akf) {
        err = open_with_app_key(node, rx, upper_pdu, payload_len, mic_len, access, &app_idx, &uuid);
    } else {
        err = open_with_dev_key(node, rx, upper_pdu, payload_len, mic_len, access, &app_idx);
    }
    if (err != 0) {
        MESHRPR_LOG_DBG(&node->platform, "no key opens PDU from 0x%04x", rx->net->src);
        return err;
    }
    ctx.net_idx = rx->net->net_idx;
    ctx.app_idx = app_idx;
    ctx.addr = rx->net->src;
    ctx.recv_dst = rx->net->dst;
    ctx.recv_rssi = rx->net->rssi;
    ctx.recv_ttl = rx->net->ttl;
    /* A response goes back with TTL 0 when the request came with TTL 0 (§3.7.3.1). */
    ctx.send_ttl = rx->net->ttl == 0 ? 0 : BT_MESH_TTL_DEFAULT;
    ctx.uuid = uuid;
    if (node->net_hooks.access_recv != NULL) {
        (void)node->net_hooks.access_recv(node, &ctx, access, payload_len);
    }
    meshrpr_crypto_wipe(access, payload_len);
    return 0;
}

void meshrpr_upper_transport_ctl_recv(struct meshrpr_node *node, const struct meshrpr_net_rx *rx,
                                      uint8_t opcode, const uint8_t *params, size_t len)
{
    (void)params;
    /* Friendship and Heartbeat are not implemented: such messages are counted and dropped. */
    MESHRPR_LOG_DBG(&node->platform, "control opcode 0x%02x (%zu octets) from 0x%04x ignored",
                    opcode, len, rx->src);
}
