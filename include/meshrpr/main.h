/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * Zephyr's node-wide calls of <zephyr/bluetooth/mesh/main.h>, with Zephyr's names and
 * signatures: bt_mesh_init(), bt_mesh_provision(), bt_mesh_is_provisioned(), bt_mesh_reset().
 * They are in the meshrpr_compat library and act on the one node registered with
 * meshrpr_compat_init() (docs/decisions/0004-contextless-zephyr-api.md). Zephyr declares
 * bt_mesh_provision_remote() and bt_mesh_reprovision_remote() in its main.h too; meshrpr
 * declares them in rpr_cli.h, in libmeshrpr (they name their client, so need no registered
 * node).
 *
 * What Zephyr gets from Kconfig and its board, meshrpr gets from the host once, before
 * bt_mesh_init(): the node's platform (clock, randomness, radio, event loop), optionally its
 * storage, and, for a provisioner, the node database that bt_mesh_cdb_*() (cdb.h) work on,
 * with the hook that makes it durable (bt_mesh_cdb_*_store(); Zephyr's settings).
 *
 * Return values: as Zephyr's, plus -ENODEV when no node is registered.
 */
#ifndef MESHRPR_MAIN_H
#define MESHRPR_MAIN_H

#include <stdbool.h>
#include <stdint.h>

#include <meshrpr/access.h>
#include <meshrpr/platform.h>
#include <meshrpr/storage.h>

#ifdef __cplusplus
extern "C" {
#endif

struct meshrpr_node;
struct meshrpr_cdb;
struct bt_mesh_prov;

/** What a Zephyr-style application's node needs from its host (meshrpr extension). */
struct meshrpr_compat_host {
    /** The node's platform hooks; copied by bt_mesh_init(). Required. */
    const struct meshrpr_platform *platform;
    /** Persistent storage of the node's state, or NULL to keep it in RAM. Needed by
     *  bt_mesh_comp_change_prepare() (Zephyr's CONFIG_BT_SETTINGS). */
    const struct meshrpr_storage *storage;
    /**
     * The provisioner's node database (Zephyr's bt_mesh_cdb, CONFIG_BT_MESH_CDB), or NULL for a
     * node that provisions nobody. Zero-filled or loaded (meshrpr_cdb_load()) before
     * bt_mesh_cdb_create(); it must live as long as the node. The node looks device keys up in
     * it and records the nodes it provisions there.
     */
    struct meshrpr_cdb *cdb;
    /** Makes the database durable (meshrpr_node_config.cdb_store: for example a wrapper of
     *  meshrpr_cdb_save()); bt_mesh_cdb_*_store() call it too. NULL: nothing is stored. */
    int (*cdb_store)(void *ctx, const struct meshrpr_cdb *cdb);
    void *cdb_store_ctx;
    /** Features (BT_MESH_FEAT_*), as meshrpr_node_config.features. */
    uint16_t features;
    /** Name used in log lines; may be NULL. */
    const char *name;
};

/**
 * Register the node the contextless Zephyr calls act on (as meshrpr_compat_node_set()) and
 * the host it runs on; the node is initialised by bt_mesh_init(). The host struct is copied.
 * @return 0, -EINVAL (NULL node or host, or a host without platform).
 */
int meshrpr_compat_init(struct meshrpr_node *node, const struct meshrpr_compat_host *host);

/**
 * Initialise the registered node with its provisioning properties and composition
 * (meshrpr_node_init()): restores a stored identity, starts the models. Provisioning is not
 * enabled (bt_mesh_prov_enable()).
 * @return 0, -EALREADY (already initialised), -ENODEV (no node registered with
 *         meshrpr_compat_init()), -EINVAL, or an error of meshrpr_node_init().
 */
int bt_mesh_init(const struct bt_mesh_prov *prov, const struct bt_mesh_comp *comp);

/**
 * Provision the registered node locally with a NetKey, its index, the IV Index flags
 * (BT_MESH_FLAG_*), the IV Index, the primary address and the device key. When the host's
 * node database has been created (bt_mesh_cdb_create()), the node also enters it, under
 * bt_mesh_prov.uuid with its element count and device key, and the database is stored, as
 * Zephyr does.
 * @return 0, -EALREADY (already provisioned), -ENOMEM (no room in the database, or its
 *         address range taken), -ENODEV, -EINVAL, or a storage error.
 */
int bt_mesh_provision(const uint8_t net_key[16], uint16_t net_idx, uint8_t flags, uint32_t iv_index,
                      uint16_t addr, const uint8_t dev_key[16]);

/** Whether the registered node is provisioned (false when none is registered). */
bool bt_mesh_is_provisioned(void);

/** Reset the registered node (Node Removal, meshrpr_node_reset()); it is unprovisioned after. */
void bt_mesh_reset(void);

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_MAIN_H */
