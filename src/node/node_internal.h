/* SPDX-License-Identifier: Apache-2.0 */
/* The composer's own functions (src/node/node.c), which change the node as a whole. Layers
 * include node/node_services.h instead; the files still including this header are listed as
 * known upward dependencies in tests/layering/known_upward.txt. */
#ifndef MESHRPR_NODE_INTERNAL_H
#define MESHRPR_NODE_INTERNAL_H

#include "node/node_services.h"

/* Forget the composition backup of meshrpr_node_comp_change_prepare() (a Node Composition
 * Refresh or a reset made the configured composition page 0). */
void meshrpr_node_comp_prev_drop(struct meshrpr_node *node);

/* Node Composition Refresh: make comp_next the node's composition. Model objects both
 * compositions share keep their state, bindings and subscriptions (they are not initialised
 * again); new ones are initialised and started; dropped ones get their reset callback. */
void meshrpr_node_composition_switch(struct meshrpr_node *node);

#endif /* MESHRPR_NODE_INTERNAL_H */
