/* SPDX-License-Identifier: Apache-2.0 */
/* Key tables: NetKeys with their derived credentials, AppKeys, virtual-address Labels
 * (MshPRTv1.1 §3.9.6, §3.4.2.3). */
#ifndef MESHRPR_NET_KEYS_H
#define MESHRPR_NET_KEYS_H

#include <meshrpr/node.h>

/* Add a NetKey and derive its credentials. 0 (also for the identical key again), -EEXIST
 * (index holds another key), -ENOMEM, -EINVAL (index > 0xfff). */
int meshrpr_keys_subnet_add(struct meshrpr_node *node, uint16_t net_idx, const uint8_t key[16]);
int meshrpr_keys_subnet_del(struct meshrpr_node *node, uint16_t net_idx);
struct meshrpr_subnet *meshrpr_keys_subnet_get(struct meshrpr_node *node, uint16_t net_idx);
/* Iterate subnets whose NID matches: pass NULL first, then the previous result. */
const struct meshrpr_subnet *meshrpr_keys_subnet_by_nid(const struct meshrpr_node *node,
                                                        uint8_t nid,
                                                        const struct meshrpr_subnet *prev);

/* 0, -EEXIST (index holds another key or another NetKey binding), -ENOENT (no such NetKey),
 * -ENOMEM, -EINVAL. */
int meshrpr_keys_app_add(struct meshrpr_node *node, uint16_t net_idx, uint16_t app_idx,
                         const uint8_t key[16]);
int meshrpr_keys_app_del(struct meshrpr_node *node, uint16_t net_idx, uint16_t app_idx);
const struct meshrpr_app_key *meshrpr_keys_app_get(const struct meshrpr_node *node,
                                                   uint16_t app_idx);

/* Virtual address of a Label UUID (§3.4.2.3). */
int meshrpr_keys_virtual_addr(const uint8_t uuid[16], uint16_t *addr);
/* Remember a Label; returns its table entry or NULL when full. */
const struct meshrpr_label *meshrpr_keys_label_add(struct meshrpr_node *node,
                                                   const uint8_t uuid[16]);

/* Persist / restore the key tables under "keys/net" and "keys/app". */
int meshrpr_keys_store(struct meshrpr_node *node);
/* Forget every NetKey, AppKey and Label (a node reset, or a restore that failed). The caller
 * stores the result when it should last. */
void meshrpr_keys_clear(struct meshrpr_node *node);
int meshrpr_keys_restore(struct meshrpr_node *node);

#endif /* MESHRPR_NET_KEYS_H */
