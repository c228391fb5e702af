/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * The umbrella header, as <zephyr/bluetooth/mesh.h> is for Zephyr: one include gives every
 * public meshrpr header, so code written against Zephyr's mesh documentation starts with
 * `#include <meshrpr/mesh.h>` and finds the documented names (access layer and models,
 * provisioning, the Configuration and Remote Provisioning models, the node database) next to
 * meshrpr's own node, platform and storage interfaces.
 */
#ifndef MESHRPR_MESH_H
#define MESHRPR_MESH_H

#include <meshrpr/config.h>
#include <meshrpr/platform.h>
#include <meshrpr/timer.h>
#include <meshrpr/util.h>

#include <meshrpr/net_buf.h>

#include <meshrpr/access.h>
#include <meshrpr/main.h>
#include <meshrpr/node.h>
#include <meshrpr/storage.h>

#include <meshrpr/prov.h>

#include <meshrpr/cfg_cli.h>
#include <meshrpr/cfg_srv.h>

#include <meshrpr/rpr.h>
#include <meshrpr/rpr_cli.h>
#include <meshrpr/rpr_srv.h>

#include <meshrpr/cdb.h>

#endif /* MESHRPR_MESH_H */
