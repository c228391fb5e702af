/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr's Configuration Database calls (bt_mesh_cdb_*()) on the node database of the host
 * registered with meshrpr_compat_init(), through the meshrpr_cdb_*() table functions. Part of
 * the meshrpr_compat library; it keeps no state of its own.
 */
#include "compat/zephyr_compat.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <meshrpr/cdb.h>
#include <meshrpr/node.h>

#define CDB_KEY_IDX_MAX 0x0fff

static bool is_zero(const uint8_t *p, size_t len)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < len; i++) {
        acc |= p[i];
    }
    return acc == 0;
}

bool meshrpr_compat_cdb_valid(void)
{
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();

    for (uint16_t idx = 0; cdb != NULL && idx <= CDB_KEY_IDX_MAX; idx++) {
        if (meshrpr_cdb_subnet_get(cdb, idx) != NULL) {
            return true;
        }
    }
    return false;
}

int bt_mesh_cdb_create(const uint8_t key[16])
{
    const struct meshrpr_compat_host *host = meshrpr_compat_host_get();
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();
    uint8_t mesh_uuid[16];
    int err;

    if (cdb == NULL) {
        return -ENODEV;
    }
    if (key == NULL) {
        return -EINVAL;
    }
    if (meshrpr_compat_cdb_valid()) {
        return -EALREADY;
    }
    /* A new mesh gets a new identity: the Mesh CDB's meshUUID is a random UUID (version 4). */
    err = host->platform->random(host->platform->ctx, mesh_uuid, sizeof(mesh_uuid));
    if (err != 0) {
        return err;
    }
    mesh_uuid[6] = (uint8_t)((mesh_uuid[6] & 0x0f) | 0x40);
    mesh_uuid[8] = (uint8_t)((mesh_uuid[8] & 0x3f) | 0x80);
    meshrpr_cdb_init(cdb, mesh_uuid, "mesh");
    err = meshrpr_cdb_subnet_add(cdb, 0x0000, key);
    if (err != 0) {
        return err;
    }
    (void)meshrpr_compat_cdb_store();
    return 0;
}

void bt_mesh_cdb_clear(void)
{
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();
    struct meshrpr_cdb_node *node;

    if (cdb == NULL) {
        return;
    }
    while ((node = meshrpr_cdb_node_next(cdb, NULL)) != NULL) {
        meshrpr_cdb_node_del(cdb, node);
    }
    for (uint16_t idx = 0; idx <= CDB_KEY_IDX_MAX; idx++) {
        /* Removing a NetKey removes its AppKeys. */
        meshrpr_cdb_subnet_del(cdb, meshrpr_cdb_subnet_get(cdb, idx));
    }
    /* A cleared database starts a new network: the old one's exclusions do not apply. */
    memset(cdb->exclusions, 0, sizeof(cdb->exclusions));
    (void)meshrpr_compat_cdb_store();
}

void bt_mesh_cdb_iv_update(uint32_t iv_index, bool iv_update)
{
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();

    if (cdb != NULL) {
        cdb->iv_index = iv_index;
        cdb->iv_update = iv_update;
        (void)meshrpr_compat_cdb_store();
    }
}

struct bt_mesh_cdb_node *bt_mesh_cdb_node_alloc(const uint8_t uuid[16], uint16_t addr,
                                                uint8_t num_elem, uint16_t net_idx)
{
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();

    return cdb != NULL ? meshrpr_cdb_node_alloc(cdb, uuid, addr, num_elem, net_idx) : NULL;
}

uint16_t bt_mesh_cdb_free_addr_get(uint8_t num_elem)
{
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();

    return cdb != NULL ? meshrpr_cdb_free_addr_get(cdb, num_elem) : 0;
}

void bt_mesh_cdb_node_del(struct bt_mesh_cdb_node *node, bool store)
{
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();

    if (cdb == NULL || node == NULL) {
        return;
    }
    /* As Zephyr does, the deleted node's addresses stay out of allocation until the IV Index
     * has moved on twice (MshCDB networkExclusions, under the current IV Index): messages
     * from the old node may still be in flight with sequence numbers a new node would reuse.
     * With every exclusion slot in use the node is only deleted (documented in cdb.h). */
    if (meshrpr_cdb_node_exclude(cdb, node) != 0) {
        meshrpr_cdb_node_del(cdb, node);
    }
    if (store) {
        (void)meshrpr_compat_cdb_store();
    }
}

void bt_mesh_cdb_node_update(struct bt_mesh_cdb_node *node, uint16_t addr, uint8_t num_elem)
{
    if (node != NULL) {
        node->addr = addr;
        node->num_elem = num_elem;
        (void)meshrpr_compat_cdb_store();
    }
}

struct bt_mesh_cdb_node *bt_mesh_cdb_node_get(uint16_t addr)
{
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();

    return cdb != NULL ? meshrpr_cdb_node_get(cdb, addr) : NULL;
}

void bt_mesh_cdb_node_store(const struct bt_mesh_cdb_node *node)
{
    (void)node;
    (void)meshrpr_compat_cdb_store();
}

void bt_mesh_cdb_node_foreach(bt_mesh_cdb_node_func_t func, void *user_data)
{
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();
    struct meshrpr_cdb_node *node;
    struct meshrpr_cdb_node *next;

    if (cdb == NULL || func == NULL) {
        return;
    }
    /* The next entry is taken first, so the callback may delete the one it gets. */
    for (node = meshrpr_cdb_node_next(cdb, NULL); node != NULL; node = next) {
        next = meshrpr_cdb_node_next(cdb, node);
        if (func(node, user_data) == BT_MESH_CDB_ITER_STOP) {
            break;
        }
    }
}

int bt_mesh_cdb_node_key_import(struct bt_mesh_cdb_node *node, const uint8_t in[16])
{
    if (node == NULL || in == NULL) {
        return -EINVAL;
    }
    memcpy(node->dev_key, in, sizeof(node->dev_key));
    return 0;
}

int bt_mesh_cdb_node_key_export(const struct bt_mesh_cdb_node *node, uint8_t out[16])
{
    if (node == NULL || out == NULL) {
        return -EINVAL;
    }
    if (is_zero(node->dev_key, sizeof(node->dev_key))) {
        return -ENOENT;
    }
    memcpy(out, node->dev_key, sizeof(node->dev_key));
    return 0;
}

struct bt_mesh_cdb_subnet *bt_mesh_cdb_subnet_alloc(uint16_t net_idx)
{
    static const uint8_t no_key[16];
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();

    if (cdb == NULL || meshrpr_cdb_subnet_add(cdb, net_idx, no_key) != 0) {
        return NULL;
    }
    return meshrpr_cdb_subnet_get(cdb, net_idx);
}

void bt_mesh_cdb_subnet_del(struct bt_mesh_cdb_subnet *sub, bool store)
{
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();

    if (cdb == NULL || sub == NULL) {
        return;
    }
    meshrpr_cdb_subnet_del(cdb, sub);
    if (store) {
        (void)meshrpr_compat_cdb_store();
    }
}

struct bt_mesh_cdb_subnet *bt_mesh_cdb_subnet_get(uint16_t net_idx)
{
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();

    return cdb != NULL ? meshrpr_cdb_subnet_get(cdb, net_idx) : NULL;
}

void bt_mesh_cdb_subnet_store(const struct bt_mesh_cdb_subnet *sub)
{
    (void)sub;
    (void)meshrpr_compat_cdb_store();
}

uint8_t bt_mesh_cdb_subnet_flags(const struct bt_mesh_cdb_subnet *sub)
{
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();
    uint8_t flags = 0;

    /* Provisioning Data flags (MshPRTv1.1 §5.4.2.5): Key Refresh while the new key is the
     * one to use (phase 2), IV Update while it is in progress. */
    if (sub != NULL && sub->kr_phase == 2) {
        flags |= BT_MESH_FLAG_KEY_REFRESH;
    }
    if (cdb != NULL && cdb->iv_update) {
        flags |= BT_MESH_FLAG_IV_UPDATE;
    }
    return flags;
}

/* Zephyr's key 0 is the key in use, key 1 the new one of a Key Refresh. meshrpr's entries keep
 * the newest key in key and the one it replaces in old_key. */
static int key_import(uint8_t key[16], bool *has_old, uint8_t old_key[16], int key_idx,
                      const uint8_t in[16])
{
    if (in == NULL) {
        return -EINVAL;
    }
    if (key_idx == 0) {
        memcpy(*has_old ? old_key : key, in, 16);
        return 0;
    }
    if (key_idx == 1) {
        if (!*has_old) {
            memcpy(old_key, key, 16);
            *has_old = true;
        }
        memcpy(key, in, 16);
        return 0;
    }
    return -EINVAL;
}

static int key_export(const uint8_t key[16], bool has_old, const uint8_t old_key[16], int key_idx,
                      uint8_t out[16])
{
    if (out == NULL || (key_idx != 0 && key_idx != 1)) {
        return -EINVAL;
    }
    if (key_idx == 1 && !has_old) {
        return -ENOENT;
    }
    memcpy(out, (key_idx == 0 && has_old) ? old_key : key, 16);
    return 0;
}

int bt_mesh_cdb_subnet_key_import(struct bt_mesh_cdb_subnet *sub, int key_idx, const uint8_t in[16])
{
    if (sub == NULL) {
        return -EINVAL;
    }
    return key_import(sub->key, &sub->has_old_key, sub->old_key, key_idx, in);
}

int bt_mesh_cdb_subnet_key_export(const struct bt_mesh_cdb_subnet *sub, int key_idx,
                                  uint8_t out[16])
{
    if (sub == NULL) {
        return -EINVAL;
    }
    return key_export(sub->key, sub->has_old_key, sub->old_key, key_idx, out);
}

struct bt_mesh_cdb_app_key *bt_mesh_cdb_app_key_alloc(uint16_t net_idx, uint16_t app_idx)
{
    static const uint8_t no_key[16];
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();

    if (cdb == NULL || meshrpr_cdb_app_key_add(cdb, net_idx, app_idx, no_key) != 0) {
        return NULL;
    }
    return meshrpr_cdb_app_key_get(cdb, app_idx);
}

void bt_mesh_cdb_app_key_del(struct bt_mesh_cdb_app_key *key, bool store)
{
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();

    if (cdb == NULL || key == NULL) {
        return;
    }
    meshrpr_cdb_app_key_del(cdb, key);
    if (store) {
        (void)meshrpr_compat_cdb_store();
    }
}

struct bt_mesh_cdb_app_key *bt_mesh_cdb_app_key_get(uint16_t app_idx)
{
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();

    return cdb != NULL ? meshrpr_cdb_app_key_get(cdb, app_idx) : NULL;
}

void bt_mesh_cdb_app_key_store(const struct bt_mesh_cdb_app_key *key)
{
    (void)key;
    (void)meshrpr_compat_cdb_store();
}

int bt_mesh_cdb_app_key_import(struct bt_mesh_cdb_app_key *key, int key_idx, const uint8_t in[16])
{
    if (key == NULL) {
        return -EINVAL;
    }
    return key_import(key->key, &key->has_old_key, key->old_key, key_idx, in);
}

int bt_mesh_cdb_app_key_export(const struct bt_mesh_cdb_app_key *key, int key_idx, uint8_t out[16])
{
    if (key == NULL) {
        return -EINVAL;
    }
    return key_export(key->key, key->has_old_key, key->old_key, key_idx, out);
}
