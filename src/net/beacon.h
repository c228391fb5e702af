/* SPDX-License-Identifier: Apache-2.0 */
/* Beacons on the mesh beacon AD type (MshPRTv1.1 §3.10): Secure Network Beacons sent and
 * authenticated, IV Index and Key Refresh flags learnt from them. */
#ifndef MESHRPR_NET_BEACON_H
#define MESHRPR_NET_BEACON_H

#include <meshrpr/node.h>

void meshrpr_beacon_init(struct meshrpr_node *node);
/* Start periodic Secure Network Beacons (when enabled) once the node has keys. */
void meshrpr_beacon_start(struct meshrpr_node *node);
void meshrpr_beacon_stop(struct meshrpr_node *node);
/* Set the Secure Network Beacon state (0 or 1), restarting or stopping the timer. */
void meshrpr_beacon_set(struct meshrpr_node *node, uint8_t enabled);
/* Send one Secure Network Beacon for a subnet now. */
int meshrpr_beacon_send(struct meshrpr_node *node, uint16_t net_idx);
/* One Mesh Beacon AD (type 0x2B). Any bytes are safe. */
void meshrpr_beacon_recv(struct meshrpr_node *node, const uint8_t *data, size_t len);

/* Pure codec: build / authenticate a Secure Network Beacon (22 octets). */
int meshrpr_beacon_secure_encode(const struct meshrpr_subnet *sub, uint8_t flags, uint32_t iv_index,
                                 uint8_t out[22]);
/* @return 0 with flags and IV Index when sub's keys authenticate it, -EINVAL (length, type,
 *         Network ID), -EBADMSG (authentication value). */
int meshrpr_beacon_secure_decode(const struct meshrpr_subnet *sub, const uint8_t *data, size_t len,
                                 uint8_t *flags, uint32_t *iv_index);

#endif /* MESHRPR_NET_BEACON_H */
