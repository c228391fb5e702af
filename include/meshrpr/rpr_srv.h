/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * Remote Provisioning Server model (MshPRTv1.1 §4.4.5) with Zephyr's names.
 *
 * Put BT_MESH_MODEL_RPR_SRV on the primary element, next to the Configuration Server. The
 * server has no API of its own: Remote Provisioning Clients drive it over the mesh, secured
 * with the node's device key. It scans for unprovisioned devices (regular and extended
 * scanning), and relays Provisioning PDUs between a client and a device over PB-ADV, or to the
 * node's own provisionee for the Node Provisioning Protocol Interface (NPPI).
 *
 * Each instance needs its own state (scanned devices, the link, queued reports), which the
 * macro allocates as a compound literal: use it in a definition at file scope, like the rest
 * of a composition. Its size follows MESHRPR_RPR_SRV_SCANNED_ITEMS (at least 4, the default)
 * and MESHRPR_RPR_SRV_AD_DATA_MAX (include/meshrpr/private/rpr_srv.h).
 */
#ifndef MESHRPR_RPR_SRV_H
#define MESHRPR_RPR_SRV_H

#include <meshrpr/access.h>
#include <meshrpr/rpr.h>

#include <meshrpr/private/rpr_srv.h>

#ifdef __cplusplus
extern "C" {
#endif

extern const struct bt_mesh_model_op _bt_mesh_rpr_srv_op[];
extern const struct bt_mesh_model_cb _bt_mesh_rpr_srv_cb;

/** The Remote Provisioning Server model entry for the primary element's model array. */
#define BT_MESH_MODEL_RPR_SRV                                                                      \
    BT_MESH_MODEL_CB(BT_MESH_MODEL_ID_REMOTE_PROV_SRV, _bt_mesh_rpr_srv_op, NULL,                  \
                     &(struct meshrpr_rpr_srv){ .model = NULL }, &_bt_mesh_rpr_srv_cb)

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_RPR_SRV_H */
