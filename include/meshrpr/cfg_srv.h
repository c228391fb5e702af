/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * Configuration Server model (MshPRTv1.1 §4.4.1) with Zephyr's names.
 *
 * Put BT_MESH_MODEL_CFG_SRV on the primary element of every node. It answers Configuration
 * messages secured with the node's own device key only: Composition Data, Beacon, Default TTL,
 * GATT Proxy and Friend (both reported as not supported), Relay, Network Transmit, NetKeys,
 * AppKeys, Model App bindings, Model Subscriptions, Key Refresh Phase, Node Identity, LPN
 * PollTimeout and Node Reset. Changes are saved to the node's storage.
 *
 * Each instance needs its own small state (a pending Node Reset), which the macro allocates
 * as a compound literal: use it in a definition at file scope, like the rest of a
 * composition.
 */
#ifndef MESHRPR_CFG_SRV_H
#define MESHRPR_CFG_SRV_H

#include <meshrpr/access.h>
#include <meshrpr/timer.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Configuration Server instance state (private; allocated by BT_MESH_MODEL_CFG_SRV). */
struct meshrpr_cfg_srv {
    const struct bt_mesh_model *model;
    /** Runs the Node Reset once its Status has been sent, outside any stack callback. */
    struct meshrpr_timer reset_timer;
};

extern const struct bt_mesh_model_op bt_mesh_cfg_srv_op[];
extern const struct bt_mesh_model_cb bt_mesh_cfg_srv_cb;

/** The Configuration Server model entry for the primary element's model array. */
#define BT_MESH_MODEL_CFG_SRV                                                                      \
    BT_MESH_MODEL_CB(BT_MESH_MODEL_ID_CFG_SRV, bt_mesh_cfg_srv_op, NULL,                           \
                     &(struct meshrpr_cfg_srv){ .model = NULL }, &bt_mesh_cfg_srv_cb)

/* Config Node Reset ends in meshrpr_node_reset() (include/meshrpr/node.h), run from a
 * timer after the Node Reset Status has been sent. */

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_CFG_SRV_H */
