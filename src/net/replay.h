/* SPDX-License-Identifier: Apache-2.0 */
/* Replay protection list (MshPRTv1.1 §3.9.8): per source, the highest IV Index || SEQ seen. */
#ifndef MESHRPR_NET_REPLAY_H
#define MESHRPR_NET_REPLAY_H

#include <meshrpr/node.h>

/* Whether (iv_index, seq) from src must be discarded: not above the stored value (a replay),
 * or a new source while the list has no room to record it (§3.9.8). */
bool meshrpr_replay_check(const struct meshrpr_node *node, uint16_t src, uint32_t iv_index,
                          uint32_t seq);
/* Record (iv_index, seq) for src. -ENOMEM when the list is full: the message is then to be
 * discarded (§3.9.8). */
int meshrpr_replay_update(struct meshrpr_node *node, uint16_t src, uint32_t iv_index, uint32_t seq);
/* Take the list's table (built in, or the configuration's capacity) and empty it. */
void meshrpr_replay_init(struct meshrpr_node *node);
void meshrpr_replay_clear(struct meshrpr_node *node);
/* Forget the entries of count addresses from addr: a node that was reset and provisioned
 * again restarts its SEQ at 0, so a provisioner forgets what it saw from the old one. */
int meshrpr_replay_forget(struct meshrpr_node *node, uint16_t addr, uint16_t count);
int meshrpr_replay_store(struct meshrpr_node *node);
int meshrpr_replay_restore(struct meshrpr_node *node);

#endif /* MESHRPR_NET_REPLAY_H */
