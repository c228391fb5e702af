/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Remote Provisioning Server inside the library: where the Node Provisioning Protocol
 * Interface (NPPI, MshPRTv1.1 §3.11.8, §4.4.5.5.2) attaches the node's own provisionee.
 *
 * A Link Open carrying an NPPI procedure makes the server, once its own checks pass (a Node
 * Composition Refresh needs page 128 to differ from page 0), offer a local provisioning link
 * (struct meshrpr_prov_link, bearer type BT_MESH_PROV_REMOTE) to the registered NPPI handler.
 * The handler starts the provisionee on it (meshrpr_prov_device_start_ext() with its NPPI
 * hooks) or refuses. The link then behaves like any bearer's: PDUs the client sends with PDU
 * Send reach link->cb->recv; ops->send becomes a PDU Report and completes when the client's
 * node acknowledged it; ops->close ends the link (Link Report, Link Closed by Server) and
 * link_closed follows from the node's event loop; a Link Close from the client ends it with
 * link_closed(reason of the Link Close). Without a handler, NPPI Link Opens get Link Cannot
 * Open.
 */
#ifndef MESHRPR_MODELS_RPR_SRV_H
#define MESHRPR_MODELS_RPR_SRV_H

#include <meshrpr/node.h>
#include <meshrpr/rpr.h>
#include <meshrpr/rpr_srv.h>

#include "prov/nppi.h"
#include "prov/prov_bearer.h"

/* The Remote Provisioning Server of a node (on its primary element), or NULL. */
struct meshrpr_rpr_srv *meshrpr_rpr_srv_get(struct meshrpr_node *node);

/* Register the NPPI handler of the node's server (NULL removes it).
 * @return 0, or -ENOENT when the node has no Remote Provisioning Server. */
int meshrpr_rpr_srv_nppi_set(struct meshrpr_node *node, const struct meshrpr_rpr_srv_nppi *nppi,
                             void *ctx);

/* Whether the server has nothing going on: no scan, no extended scan, no link, nothing
 * queued. */
bool meshrpr_rpr_srv_is_idle(const struct meshrpr_rpr_srv *srv);

#endif /* MESHRPR_MODELS_RPR_SRV_H */
