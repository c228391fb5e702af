/* SPDX-License-Identifier: Apache-2.0 */
/* Access layer internals (MshPRTv1.1 §3.7): opcode decoding, dispatch to models with length
 * rules checked first, model bindings and subscriptions. */
#ifndef MESHRPR_ACCESS_ACCESS_H
#define MESHRPR_ACCESS_ACCESS_H

#include <meshrpr/node.h>

/* Link the composition's models to the node (runtime contexts, state slots).
 * @return 0 or -EINVAL (too many elements/models, bad composition). */
int meshrpr_access_init(struct meshrpr_node *node);
/* Call every model's start callback. */
int meshrpr_access_start(struct meshrpr_node *node);
/* Call every model's reset callback and clear bindings and subscriptions. */
void meshrpr_access_reset(struct meshrpr_node *node);

/* Decode the opcode at the front of buf (§3.7.3.1). @return 0 or -EINVAL (RFU or short). */
int meshrpr_access_opcode_pull(struct net_buf_simple *buf, uint32_t *opcode);

/* A decrypted access message. ctx->app_idx is the AppKey Index, or BT_MESH_KEY_DEV_LOCAL /
 * BT_MESH_KEY_DEV_REMOTE. Any bytes are safe. @return 0 when at least one model took it,
 * -ENOENT when none did, -EINVAL for a malformed opcode. */
int meshrpr_access_recv(struct meshrpr_node *node, struct bt_mesh_msg_ctx *ctx, const uint8_t *data,
                        size_t len);

/* Whether some model on the node would accept a message to dst (unicast element, subscribed
 * group/virtual address, or a fixed group address). */
bool meshrpr_access_wants_dst(const struct meshrpr_node *node, uint16_t dst);

/* Node Composition Refresh (the composer, src/node/node.c): empty the table for model_count
 * models of the configured composition (now the new one); the composer then fills each slot,
 * in the access layer's slot order, with meshrpr_access_slot_set(). */
void meshrpr_access_table_reset(struct meshrpr_node *node, size_t model_count);
void meshrpr_access_slot_set(struct meshrpr_node *node, size_t idx,
                             const struct meshrpr_model_state *state);

/* Model state slot and lookups. */
struct meshrpr_model_state *meshrpr_access_model_state(struct meshrpr_node *node,
                                                       const struct bt_mesh_model *model);
/* Find a model on the element with address elem_addr; id is a SIG ID, or CID<<16|ID when vnd. */
const struct bt_mesh_model *meshrpr_access_model_find(const struct meshrpr_node *node,
                                                      uint16_t elem_addr, uint32_t id, bool vnd);

/* The user data of the SIG model id on the node's primary element (a client model's context,
 * whether or not the node is provisioned), or NULL when it has none. */
void *meshrpr_access_primary_model_data(const struct meshrpr_node *node, uint16_t id);

/* Bindings and subscriptions (Config Server and the node API). Return 0, -EALREADY (already
 * there, or for unbind/sub_del not there: still a success for the Config Server), -ENOENT,
 * -ENOMEM, -EINVAL. */
int meshrpr_access_bind(struct meshrpr_node *node, const struct bt_mesh_model *model,
                        uint16_t app_idx);
int meshrpr_access_unbind(struct meshrpr_node *node, const struct bt_mesh_model *model,
                          uint16_t app_idx);
/* Remove an AppKey from every model's bindings. */
void meshrpr_access_unbind_all(struct meshrpr_node *node, uint16_t app_idx);
int meshrpr_access_sub_add(struct meshrpr_node *node, const struct bt_mesh_model *model,
                           uint16_t addr);
int meshrpr_access_sub_del(struct meshrpr_node *node, const struct bt_mesh_model *model,
                           uint16_t addr);

int meshrpr_access_store(struct meshrpr_node *node);
int meshrpr_access_restore(struct meshrpr_node *node);

#endif /* MESHRPR_ACCESS_ACCESS_H */
