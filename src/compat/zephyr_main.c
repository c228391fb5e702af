/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr's node-wide calls (bt_mesh_init(), bt_mesh_provision(), bt_mesh_is_provisioned(),
 * bt_mesh_reset(), bt_mesh_comp_change_prepare()) on the node registered with
 * meshrpr_compat_init(), and the host that node runs on. Part of the meshrpr_compat library:
 * the registered host below is, with the node pointer of zephyr_prov.c, the global state a
 * contextless API needs (docs/decisions/0004-contextless-zephyr-api.md).
 */
#include "compat/zephyr_compat.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <meshrpr/access.h>
#include <meshrpr/cdb.h>
#include <meshrpr/node.h>
#include <meshrpr/prov.h>

/* The host of the registered node, and whether bt_mesh_init() has run on it. */
static struct {
    bool registered;
    bool initialised;
    struct meshrpr_compat_host host;
    const struct bt_mesh_prov *prov; /* bt_mesh_init()'s */
} compat;

int meshrpr_compat_init(struct meshrpr_node *node, const struct meshrpr_compat_host *host)
{
    if (node == NULL || host == NULL || host->platform == NULL) {
        return -EINVAL;
    }
    compat.host = *host;
    compat.registered = true;
    compat.initialised = false;
    meshrpr_compat_node_set(node);
    return 0;
}

const struct meshrpr_compat_host *meshrpr_compat_host_get(void)
{
    return compat.registered ? &compat.host : NULL;
}

struct meshrpr_cdb *meshrpr_compat_cdb_get(void)
{
    return compat.registered ? compat.host.cdb : NULL;
}

int meshrpr_compat_cdb_store(void)
{
    const struct meshrpr_platform *platform = compat.host.platform;
    uint64_t unix_ms;

    if (!compat.registered || compat.host.cdb == NULL) {
        return 0;
    }
    /* The database changed: stamped by the host's wall clock, as the node does. */
    if (platform->utc_time_ms != NULL && platform->utc_time_ms(platform->ctx, &unix_ms) == 0) {
        (void)meshrpr_cdb_timestamp_set(compat.host.cdb, unix_ms / 1000u);
    }
    if (compat.host.cdb_store == NULL) {
        return 0;
    }
    return compat.host.cdb_store(compat.host.cdb_store_ctx, compat.host.cdb);
}

int bt_mesh_init(const struct bt_mesh_prov *prov, const struct bt_mesh_comp *comp)
{
    struct meshrpr_node *node = meshrpr_compat_node_get();
    struct meshrpr_node_config cfg;
    int err;

    if (node == NULL || !compat.registered) {
        return -ENODEV;
    }
    if (compat.initialised) {
        return -EALREADY;
    }
    if (prov == NULL || comp == NULL) {
        return -EINVAL;
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.platform = compat.host.platform;
    cfg.comp = comp;
    cfg.storage = compat.host.storage;
    cfg.features = compat.host.features;
    cfg.name = compat.host.name;
    cfg.prov = prov;
    if (compat.host.cdb != NULL) {
        /* A provisioner: device keys of other nodes come from its database (Zephyr's
         * CONFIG_BT_MESH_CDB), and the nodes it provisions go there. */
        cfg.cdb = compat.host.cdb;
        cfg.dev_key_get = meshrpr_cdb_dev_key_get;
        cfg.dev_key_ctx = compat.host.cdb;
        cfg.cdb_store = compat.host.cdb_store;
        cfg.cdb_store_ctx = compat.host.cdb_store_ctx;
    }
    err = meshrpr_node_init(node, &cfg);
    if (err == 0) {
        compat.initialised = true;
        compat.prov = prov;
    }
    return err;
}

int bt_mesh_provision(const uint8_t net_key[16], uint16_t net_idx, uint8_t flags, uint32_t iv_index,
                      uint16_t addr, const uint8_t dev_key[16])
{
    struct meshrpr_node *node = meshrpr_compat_node_get();
    struct meshrpr_cdb *cdb = meshrpr_compat_cdb_get();
    struct meshrpr_cdb_node *entry = NULL;
    int err;

    if (node == NULL || !compat.initialised) {
        return -ENODEV;
    }
    if (net_key == NULL || dev_key == NULL) {
        return -EINVAL;
    }
    if (meshrpr_node_is_provisioned(node)) {
        return -EALREADY;
    }
    if (meshrpr_compat_cdb_valid()) {
        /* A provisioner enters itself in its own database, as Zephyr does, so its
         * Configuration Client can configure it like any other node. */
        static const uint8_t no_uuid[16];

        entry = meshrpr_cdb_node_alloc(cdb, compat.prov->uuid != NULL ? compat.prov->uuid : no_uuid,
                                       addr, (uint8_t)meshrpr_node_elem_count(node), net_idx);
        if (entry == NULL) {
            return -ENOMEM;
        }
        memcpy(entry->dev_key, dev_key, sizeof(entry->dev_key));
    }
    err = meshrpr_node_provision(node, net_key, net_idx, flags, iv_index, addr, dev_key);
    if (err != 0 && !meshrpr_node_is_provisioned(node)) {
        if (entry != NULL) {
            meshrpr_cdb_node_del(cdb, entry);
        }
        return err;
    }
    if (entry != NULL) {
        int store_err = meshrpr_compat_cdb_store();
        if (err == 0) {
            err = store_err;
        }
    }
    return err;
}

int bt_mesh_comp_change_prepare(void)
{
    struct meshrpr_node *node = meshrpr_compat_node_get();

    if (node == NULL) {
        return -ENODEV;
    }
    /* Zephyr without CONFIG_BT_SETTINGS: nowhere to keep the backup. */
    if (compat.host.storage == NULL) {
        return -ENOTSUP;
    }
    /* Before provisioning no provisioner has read page 0: nothing to keep it for, and a
     * backup would make the node report a composition it no longer runs once provisioned. */
    if (!bt_mesh_is_provisioned()) {
        return -EAGAIN;
    }
    return meshrpr_node_comp_change_prepare(node);
}

bool bt_mesh_is_provisioned(void)
{
    struct meshrpr_node *node = meshrpr_compat_node_get();

    return node != NULL && compat.initialised && meshrpr_node_is_provisioned(node);
}

void bt_mesh_reset(void)
{
    struct meshrpr_node *node = meshrpr_compat_node_get();

    if (node != NULL && compat.initialised) {
        meshrpr_node_reset(node);
    }
}
