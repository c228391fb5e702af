/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The RAM of a Remote Provisioning Client node with the default capacities (config.h and the
 * layers' MESHRPR_* limits), for the footprint report (cmake/Footprint.cmake reads the sizes of
 * these objects from the compiled probe; it is never linked into anything). The composition
 * is the README's client: Configuration Server and Client and the Remote Provisioning Client
 * on one element. The node database a provisioner also needs is reported on its own.
 */
#include <meshrpr/cdb.h>
#include <meshrpr/mesh.h>

/* The node: every layer's state, the timers, the provisioning sessions and PB-ADV links. */
struct meshrpr_node meshrpr_fp_node;
/* The Remote Provisioning Client model with its MESHRPR_RPR_CLI_LINK_COUNT links. */
struct bt_mesh_rpr_cli meshrpr_fp_rpr_cli;
/* The Configuration Client model. */
struct bt_mesh_cfg_cli meshrpr_fp_cfg_cli;
/* The models' runtime contexts (the compound literals of the model macros). */
const struct bt_mesh_model meshrpr_fp_models[] = {
    BT_MESH_MODEL_CFG_SRV,
    BT_MESH_MODEL_CFG_CLI(&meshrpr_fp_cfg_cli),
    BT_MESH_MODEL_RPR_CLI(&meshrpr_fp_rpr_cli),
};
/* The provisioner's node database (MESHRPR_CDB_* entries). */
struct meshrpr_cdb meshrpr_fp_cdb;
