/* SPDX-License-Identifier: Apache-2.0 */
/* The node's ground floor (docs/architecture.md, "Layers"): what the layers need from the
 * node, namely time, timers, advertising, randomness, storage and the local-address check,
 * all bound to the node's own platform. Implemented in src/node/node_services.c; every layer
 * includes this header, never node_internal.h (the composer's). */
#ifndef MESHRPR_NODE_SERVICES_H
#define MESHRPR_NODE_SERVICES_H

#include <meshrpr/node.h>

/* Bind the services to the node (its platform and configuration are already copied in):
 * the timer queue, and adv_sent_hook, which the services call when advertising PDUs have left
 * (the composer passes what tells the layers above). */
void meshrpr_node_services_init(struct meshrpr_node *node,
                                void (*adv_sent_hook)(struct meshrpr_node *node));

/* The platform's monotonic time. */
uint64_t meshrpr_node_now_ms(const struct meshrpr_node *node);

/* Arm (or re-arm) a node timer to fire delay_ms from now. */
void meshrpr_node_timer_start(struct meshrpr_node *node, struct meshrpr_timer *timer,
                              uint32_t delay_ms);
void meshrpr_node_timer_cancel(struct meshrpr_node *node, struct meshrpr_timer *timer);

/* Hand one advertising PDU (AD type, AD data, count and interval from params) to the host's
 * adv_send with a fresh tx_id (platform.h states the contract). @return 0, -ENOTSUP without
 * the hook, or the host's error. */
int meshrpr_node_adv_send(struct meshrpr_node *node, uint8_t ad_type, const uint8_t *data,
                          size_t len, const struct meshrpr_adv_params *params);
/* Handle of the last PDU the host accepted: what a layer waits for after its last send. 0
 * before the first. */
uint32_t meshrpr_node_adv_last(const struct meshrpr_node *node);
/* Whether PDU tx_id (0: none) has left, as the host reported or the node estimated. When it
 * becomes true the node calls the layers' adv_sent hooks. */
bool meshrpr_node_adv_is_sent(const struct meshrpr_node *node, uint32_t tx_id);
/* Random octets from the platform; a failing hook yields -EIO. */
int meshrpr_node_random(struct meshrpr_node *node, void *out, size_t len);
/* A uniformly distributed random value in [min, max]. */
uint32_t meshrpr_node_random_range(struct meshrpr_node *node, uint32_t min, uint32_t max);

/* Persist a value of a layer (no-op without storage). Errors are logged and returned. */
int meshrpr_node_store(struct meshrpr_node *node, const char *key, const void *data, size_t len);
/* @return length read, or -ENOENT (also without storage). */
int meshrpr_node_load(struct meshrpr_node *node, const char *key, void *data, size_t size);
int meshrpr_node_erase(struct meshrpr_node *node, const char *key);

/* Whether addr is one of this node's element addresses. */
bool meshrpr_node_is_local_addr(const struct meshrpr_node *node, uint16_t addr);

/* Register the one scan observer (the Remote Provisioning Server's scanner); NULL removes it. */
void meshrpr_node_scan_observer_set(struct meshrpr_node *node,
                                    void (*fn)(struct meshrpr_node *node,
                                               const struct meshrpr_adv_report *report, void *ctx),
                                    void *ctx);

/* Persist the provisioning identity (primary address and device key) as "node/prov":
 * version, address (LE), device key. */
#define MESHRPR_NODE_PROV_STORE_VERSION 1
int meshrpr_node_identity_store(struct meshrpr_node *node);

/* Ask the host for active (true) or passive scanning. -ENOTSUP without the platform hook. */
int meshrpr_node_scan_active_set(struct meshrpr_node *node, bool active);

/* Make the provisioner's node database durable (meshrpr_node_config.cdb_store).
 * @return 0 (also without a database or hook), or the hook's error. */
int meshrpr_node_cdb_store(struct meshrpr_node *node);

#endif /* MESHRPR_NODE_SERVICES_H */
