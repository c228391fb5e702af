/* SPDX-License-Identifier: Apache-2.0 */
/* Replay protection list (MshPRTv1.1 §3.9.8): per source, the highest IV Index || SEQ seen. */
#ifndef MESHRPR_NET_REPLAY_H
#define MESHRPR_NET_REPLAY_H

#include <meshrpr/node.h>

/* Whether (iv_index, seq) from src is not above the stored value (a replay). */
bool meshrpr_replay_check(const struct meshrpr_node *node, uint16_t src, uint32_t iv_index,
                          uint32_t seq);
/* Record (iv_index, seq) for src. -ENOMEM when the list is full: the message is then to be
 * discarded (§3.9.8). */
int meshrpr_replay_update(struct meshrpr_node *node, uint16_t src, uint32_t iv_index,
                          uint32_t seq);
void meshrpr_replay_clear(struct meshrpr_node *node);
int meshrpr_replay_store(struct meshrpr_node *node);
int meshrpr_replay_restore(struct meshrpr_node *node);

#endif /* MESHRPR_NET_REPLAY_H */
