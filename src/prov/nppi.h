/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Node Provisioning Protocol Interface on the node being refreshed (MshPRTv1.1 §3.11.8,
 * §5.4.2.5): a Link Open with an NPPI procedure at the node's own Remote Provisioning Server
 * starts the local provisionee; the Provisioning Data is checked against the node's current
 * identity, and on success the refresh takes effect (new device key, address, composition).
 */
#ifndef MESHRPR_PROV_NPPI_H
#define MESHRPR_PROV_NPPI_H

#include <meshrpr/node.h>
#include <meshrpr/rpr.h>

#include "prov/prov_bearer.h"

/* What a Remote Provisioning Server hands NPPI (src/models/rpr_srv.h registers it). Defined
 * here, below the models, so that NPPI depends on nothing above it. */
struct meshrpr_rpr_srv_nppi {
    /*
     * The client asked for procedure on this node: attach a provisionee session to link (set
     * link->cb and link->session, as meshrpr_prov_device_start_ext() does). Called from the
     * Link Open handler.
     * @return 0 to accept; a negative errno refuses with Link Cannot Open (link unused).
     */
    int (*link_open)(struct meshrpr_node *node, struct meshrpr_prov_link *link,
                     enum bt_mesh_rpr_node_refresh procedure, void *ctx);
    /*
     * The client's Link Close (reason: 0 Success, 2 Fail) reached the NPPI link, before the
     * Link Status and Link Report that answer it go out: the point to store what the close
     * commits (write-ahead). May be NULL.
     */
    void (*link_closing)(struct meshrpr_node *node, uint8_t reason, void *ctx);
};

/* Register what NPPI asks of the layers above it (the composer, kept across restores). */
void meshrpr_nppi_hooks_set(struct meshrpr_node *node, const struct meshrpr_nppi_hooks *hooks);

/* Attach (or detach) the NPPI handler to the node's Remote Provisioning Server.
 * @return 0, or -ENOENT when the node has no Remote Provisioning Server. */
int meshrpr_nppi_enable(struct meshrpr_node *node, bool enable);

/* Restore the node's NPPI outcome at start-up: a stored Device Key Candidate and whether the
 * composition was refreshed. Called by node.c. */
void meshrpr_nppi_restore(struct meshrpr_node *node);
/* A refresh closed with Success whose effect a restart interrupted takes effect now (once the
 * node's identity and layers are restored). @return 0, or -EBADMSG for a corrupt record. */
int meshrpr_nppi_resume(struct meshrpr_node *node);

/* The node leaves its term (node reset, or provisioned anew): a Device Key Candidate of that
 * term must never open anything again. */
void meshrpr_nppi_candidate_drop(struct meshrpr_node *node);

/* The Device Key Candidate opened a message: it becomes the device key (§3.6.4.2). */
void meshrpr_nppi_dev_key_candidate_used(struct meshrpr_node *node);

#endif /* MESHRPR_PROV_NPPI_H */
