/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Key tables of a node: NetKeys with the material derived from them (MshPRTv1.1 §3.9.6.3:
 * NID, EncryptionKey, PrivacyKey, Network ID, BeaconKey, IdentityKey, PrivateBeaconKey),
 * AppKeys with their AID (§3.9.6.4), and the Label UUIDs of virtual addresses (§3.4.2.3).
 * Derived material is computed once when a key is added, never per PDU.
 */
#include "net/keys.h"

#include <errno.h>
#include <string.h>

#define MESHRPR_LOG_MODULE "keys"
#include "core/log.h"

#include "crypto/crypto.h"
#include "node/node_services.h"

#define KEY_INDEX_MAX      0x0fff
#define KEYS_STORE_VERSION 1

/* s1("vtad"), §3.4.2.3. */
static const uint8_t salt_vtad[16] = { 0xce, 0xf7, 0xfa, 0x9d, 0xc4, 0x7b, 0xaf, 0x5d,
                                       0xaa, 0xee, 0xd1, 0x94, 0x06, 0x09, 0x4f, 0x37 };

static int subnet_derive(struct meshrpr_subnet *sub)
{
    const uint8_t p_flooding = 0x00;
    int err = meshrpr_crypto_k2(sub->net_key, &p_flooding, 1, &sub->cred.nid,
                                sub->cred.encryption_key, sub->cred.privacy_key);

    if (err == 0) {
        err = meshrpr_crypto_network_id(sub->net_key, sub->network_id);
    }
    if (err == 0) {
        err = meshrpr_crypto_beacon_key(sub->net_key, sub->beacon_key);
    }
    if (err == 0) {
        err = meshrpr_crypto_identity_key(sub->net_key, sub->identity_key);
    }
    if (err == 0) {
        err = meshrpr_crypto_private_beacon_key(sub->net_key, sub->private_beacon_key);
    }
    return err;
}

struct meshrpr_subnet *meshrpr_keys_subnet_get(struct meshrpr_node *node, uint16_t net_idx)
{
    for (size_t i = 0; i < MESHRPR_SUBNET_COUNT; i++) {
        struct meshrpr_subnet *sub = &node->keys.subnets[i];
        if (sub->valid && sub->net_idx == net_idx) {
            return sub;
        }
    }
    return NULL;
}

int meshrpr_keys_subnet_add(struct meshrpr_node *node, uint16_t net_idx, const uint8_t key[16])
{
    struct meshrpr_subnet *sub = meshrpr_keys_subnet_get(node, net_idx);
    int err;

    if (net_idx > KEY_INDEX_MAX) {
        return -EINVAL;
    }
    if (sub != NULL) {
        /* §4.4.1.2.8: adding the same key again succeeds; another key is refused. */
        return memcmp(sub->net_key, key, 16) == 0 ? 0 : -EEXIST;
    }
    for (size_t i = 0; i < MESHRPR_SUBNET_COUNT && sub == NULL; i++) {
        if (!node->keys.subnets[i].valid) {
            sub = &node->keys.subnets[i];
        }
    }
    if (sub == NULL) {
        return -ENOMEM;
    }
    memset(sub, 0, sizeof(*sub));
    sub->net_idx = net_idx;
    memcpy(sub->net_key, key, 16);
    err = subnet_derive(sub);
    if (err != 0) {
        meshrpr_crypto_wipe(sub, sizeof(*sub));
        return err;
    }
    sub->valid = true;
    return 0;
}

int meshrpr_keys_subnet_del(struct meshrpr_node *node, uint16_t net_idx)
{
    struct meshrpr_subnet *sub = meshrpr_keys_subnet_get(node, net_idx);

    if (sub == NULL) {
        return -ENOENT;
    }
    /* AppKeys bound to the NetKey go with it (§4.4.1.2.8). */
    for (size_t i = 0; i < MESHRPR_APP_KEY_COUNT; i++) {
        struct meshrpr_app_key *app = &node->keys.app_keys[i];
        if (app->valid && app->net_idx == net_idx) {
            meshrpr_crypto_wipe(app, sizeof(*app));
        }
    }
    meshrpr_crypto_wipe(sub, sizeof(*sub));
    return 0;
}

const struct meshrpr_subnet *meshrpr_keys_subnet_by_nid(const struct meshrpr_node *node,
                                                        uint8_t nid,
                                                        const struct meshrpr_subnet *prev)
{
    size_t start = prev == NULL ? 0 : (size_t)(prev - node->keys.subnets) + 1;

    for (size_t i = start; i < MESHRPR_SUBNET_COUNT; i++) {
        const struct meshrpr_subnet *sub = &node->keys.subnets[i];
        if (sub->valid && sub->cred.nid == nid) {
            return sub;
        }
    }
    return NULL;
}

static struct meshrpr_app_key *app_find(struct meshrpr_node *node, uint16_t app_idx)
{
    for (size_t i = 0; i < MESHRPR_APP_KEY_COUNT; i++) {
        struct meshrpr_app_key *app = &node->keys.app_keys[i];
        if (app->valid && app->app_idx == app_idx) {
            return app;
        }
    }
    return NULL;
}

const struct meshrpr_app_key *meshrpr_keys_app_get(const struct meshrpr_node *node,
                                                   uint16_t app_idx)
{
    return app_find((struct meshrpr_node *)node, app_idx);
}

int meshrpr_keys_app_add(struct meshrpr_node *node, uint16_t net_idx, uint16_t app_idx,
                         const uint8_t key[16])
{
    struct meshrpr_app_key *app = app_find(node, app_idx);
    int err;

    if (net_idx > KEY_INDEX_MAX || app_idx > KEY_INDEX_MAX) {
        return -EINVAL;
    }
    if (meshrpr_keys_subnet_get(node, net_idx) == NULL) {
        return -ENOENT;
    }
    if (app != NULL) {
        /* §4.4.1.2.9: the same key on the same NetKey again is a success. */
        return app->net_idx == net_idx && memcmp(app->key, key, 16) == 0 ? 0 : -EEXIST;
    }
    for (size_t i = 0; i < MESHRPR_APP_KEY_COUNT && app == NULL; i++) {
        if (!node->keys.app_keys[i].valid) {
            app = &node->keys.app_keys[i];
        }
    }
    if (app == NULL) {
        return -ENOMEM;
    }
    memset(app, 0, sizeof(*app));
    err = meshrpr_crypto_k4(key, &app->aid);
    if (err != 0) {
        return err;
    }
    app->app_idx = app_idx;
    app->net_idx = net_idx;
    memcpy(app->key, key, 16);
    app->valid = true;
    return 0;
}

int meshrpr_keys_app_del(struct meshrpr_node *node, uint16_t net_idx, uint16_t app_idx)
{
    struct meshrpr_app_key *app = app_find(node, app_idx);

    if (app == NULL || app->net_idx != net_idx) {
        return -ENOENT;
    }
    meshrpr_crypto_wipe(app, sizeof(*app));
    return 0;
}

int meshrpr_keys_virtual_addr(const uint8_t uuid[16], uint16_t *addr)
{
    uint8_t hash[16];
    int err = meshrpr_crypto_aes_cmac(salt_vtad, uuid, 16, hash);

    if (err == 0) {
        *addr = (uint16_t)(0x8000 | ((hash[14] & 0x3f) << 8) | hash[15]);
    }
    return err;
}

const struct meshrpr_label *meshrpr_keys_label_add(struct meshrpr_node *node,
                                                   const uint8_t uuid[16])
{
    struct meshrpr_label *free_slot = NULL;
    uint16_t addr;

    for (size_t i = 0; i < MESHRPR_LABEL_COUNT; i++) {
        struct meshrpr_label *label = &node->keys.labels[i];
        if (label->valid && memcmp(label->uuid, uuid, 16) == 0) {
            return label;
        }
        if (!label->valid && free_slot == NULL) {
            free_slot = label;
        }
    }
    if (free_slot == NULL || meshrpr_keys_virtual_addr(uuid, &addr) != 0) {
        return NULL;
    }
    free_slot->valid = true;
    free_slot->addr = addr;
    memcpy(free_slot->uuid, uuid, 16);
    return free_slot;
}

/* Stored as: version, then per key: index (2, LE), [bound NetKey index (2, LE)], key (16). */
int meshrpr_keys_store(struct meshrpr_node *node)
{
    uint8_t net[1 + MESHRPR_SUBNET_COUNT * 18];
    uint8_t app[1 + MESHRPR_APP_KEY_COUNT * 20];
    size_t net_len = 1;
    size_t app_len = 1;
    int err;

    net[0] = KEYS_STORE_VERSION;
    for (size_t i = 0; i < MESHRPR_SUBNET_COUNT; i++) {
        const struct meshrpr_subnet *sub = &node->keys.subnets[i];
        if (sub->valid) {
            net[net_len++] = (uint8_t)sub->net_idx;
            net[net_len++] = (uint8_t)(sub->net_idx >> 8);
            memcpy(&net[net_len], sub->net_key, 16);
            net_len += 16;
        }
    }
    app[0] = KEYS_STORE_VERSION;
    for (size_t i = 0; i < MESHRPR_APP_KEY_COUNT; i++) {
        const struct meshrpr_app_key *a = &node->keys.app_keys[i];
        if (a->valid) {
            app[app_len++] = (uint8_t)a->app_idx;
            app[app_len++] = (uint8_t)(a->app_idx >> 8);
            app[app_len++] = (uint8_t)a->net_idx;
            app[app_len++] = (uint8_t)(a->net_idx >> 8);
            memcpy(&app[app_len], a->key, 16);
            app_len += 16;
        }
    }
    err = meshrpr_node_store(node, "keys/net", net, net_len);
    if (err == 0) {
        err = meshrpr_node_store(node, "keys/app", app, app_len);
    }
    meshrpr_crypto_wipe(net, sizeof(net));
    meshrpr_crypto_wipe(app, sizeof(app));
    return err;
}

int meshrpr_keys_restore(struct meshrpr_node *node)
{
    uint8_t net[1 + MESHRPR_SUBNET_COUNT * 18];
    uint8_t app[1 + MESHRPR_APP_KEY_COUNT * 20];
    int len;

    memset(&node->keys, 0, sizeof(node->keys));
    len = meshrpr_node_load(node, "keys/net", net, sizeof(net));
    /* A provisioned node has at least one NetKey: a record that is missing, truncated or of
     * another version would leave it on the mesh with an address and no way to talk. */
    if (len > (int)sizeof(net) || len < 1 + 18 || (len - 1) % 18 != 0 ||
        net[0] != KEYS_STORE_VERSION) {
        MESHRPR_LOG_ERR(&node->platform, "keys/net is %s (%d)",
                        len == -ENOENT ? "missing" : "corrupt", len);
        meshrpr_crypto_wipe(net, sizeof(net));
        return -EBADMSG;
    }
    for (int pos = 1; pos + 18 <= len; pos += 18) {
        if (meshrpr_keys_subnet_add(node, (uint16_t)(net[pos] | net[pos + 1] << 8),
                                    &net[pos + 2]) != 0) {
            MESHRPR_LOG_ERR(&node->platform, "keys/net: NetKey %d is corrupt", (pos - 1) / 18);
            meshrpr_crypto_wipe(net, sizeof(net));
            memset(&node->keys, 0, sizeof(node->keys));
            return -EBADMSG;
        }
    }
    len = meshrpr_node_load(node, "keys/app", app, sizeof(app));
    if (len >= 1 && len <= (int)sizeof(app) && app[0] == KEYS_STORE_VERSION) {
        for (int pos = 1; pos + 20 <= len; pos += 20) {
            (void)meshrpr_keys_app_add(node, (uint16_t)(app[pos + 2] | app[pos + 3] << 8),
                                       (uint16_t)(app[pos] | app[pos + 1] << 8), &app[pos + 4]);
        }
    }
    meshrpr_crypto_wipe(net, sizeof(net));
    meshrpr_crypto_wipe(app, sizeof(app));
    return 0;
}

void meshrpr_keys_clear(struct meshrpr_node *node)
{
    meshrpr_crypto_wipe(&node->keys, sizeof(node->keys));
}
