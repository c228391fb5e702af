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
