/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * Compile-time capacities of one node, with their defaults.
 *
 * The library never allocates: every table lives inside struct meshrpr_node with the sizes
 * below. Override any of them with -D, or put the overrides in a header and build with
 * -DMESHRPR_USER_CONFIG_FILE='"my_config.h"'. Impossible values fail the build.
 */
#ifndef MESHRPR_CONFIG_H
#define MESHRPR_CONFIG_H

#ifdef MESHRPR_USER_CONFIG_FILE
#include MESHRPR_USER_CONFIG_FILE
#endif

/** A compile-time check in a public header: C11's _Static_assert, C++'s static_assert. */
#ifdef __cplusplus
#define MESHRPR_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define MESHRPR_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/** Subnets (NetKeys) a node can hold. */
#ifndef MESHRPR_SUBNET_COUNT
#define MESHRPR_SUBNET_COUNT 3
#endif

/** Application keys a node can hold. */
#ifndef MESHRPR_APP_KEY_COUNT
#define MESHRPR_APP_KEY_COUNT 4
#endif

/** Elements of one node. */
#ifndef MESHRPR_ELEM_COUNT
#define MESHRPR_ELEM_COUNT 8
#endif

/** Models of one node, over all its elements (SIG and vendor). */
#ifndef MESHRPR_MODEL_COUNT
#define MESHRPR_MODEL_COUNT 16
#endif

/** AppKeys one model can be bound to. */
#ifndef MESHRPR_MODEL_KEY_COUNT
#define MESHRPR_MODEL_KEY_COUNT 4
#endif

/** Group or virtual addresses one model can subscribe to. */
#ifndef MESHRPR_MODEL_GROUP_COUNT
#define MESHRPR_MODEL_GROUP_COUNT 4
#endif

/* The tables below are built into struct meshrpr_node with these sizes: small, to fit a
 * microcontroller. A host sizes the network message cache, the replay protection list and
 * the segmentation contexts at run time instead (struct meshrpr_node_capacity in
 * meshrpr/node.h), and the node database (meshrpr_cdb_init_nodes()). RAM per entry:
 * docs/capacities.md. An application must be built with the same values as the library:
 * meshrpr_node_init() refuses a node whose layout differs (-ENOEXEC). */

/** Network message cache entries (MshPRTv1.1 §3.4.6.5: at least 2). */
#ifndef MESHRPR_MSG_CACHE_SIZE
#define MESHRPR_MSG_CACHE_SIZE 32
#endif

/** Replay protection list entries, advertised as CRPL in Composition Data page 0. */
#ifndef MESHRPR_RPL_SIZE
#define MESHRPR_RPL_SIZE 32
#endif

/** Network PDUs addressed to the node itself, queued for local delivery. */
#ifndef MESHRPR_LOOPBACK_COUNT
#define MESHRPR_LOOPBACK_COUNT 8
#endif

/** Concurrent outgoing segmented messages. */
#ifndef MESHRPR_SAR_TX_COUNT
#define MESHRPR_SAR_TX_COUNT 4
#endif

/** Concurrent incoming segmented messages. A Remote Provisioning Client receives one Scan
 *  Report (segmented) from each server it scans through at once: 8 covers as many servers
 *  reporting together, and a server whose report found no free context sends it again
 *  (issue #11). */
#ifndef MESHRPR_SAR_RX_COUNT
#define MESHRPR_SAR_RX_COUNT 8
#endif

/** Virtual address Label UUIDs a node can know. */
#ifndef MESHRPR_LABEL_COUNT
#define MESHRPR_LABEL_COUNT 4
#endif

/** Relay queue: a PDU to relay is dropped (not queued) while this many of the node's own PDUs
 *  wait in the host's advertising queue (src/net/net.c). */
#ifndef MESHRPR_RELAY_QUEUE_LEN
#define MESHRPR_RELAY_QUEUE_LEN 8
#endif

/** SEQ values reserved per storage write (the node adds this much on restore). */
#ifndef MESHRPR_SEQ_STORE_RATE
#define MESHRPR_SEQ_STORE_RATE 128
#endif

MESHRPR_STATIC_ASSERT(MESHRPR_SUBNET_COUNT >= 1 && MESHRPR_SUBNET_COUNT <= 4096, "subnet count");
MESHRPR_STATIC_ASSERT(MESHRPR_APP_KEY_COUNT >= 1 && MESHRPR_APP_KEY_COUNT <= 4096, "app key count");
MESHRPR_STATIC_ASSERT(MESHRPR_ELEM_COUNT >= 1 && MESHRPR_ELEM_COUNT <= 255, "element count");
MESHRPR_STATIC_ASSERT(MESHRPR_MODEL_COUNT >= 1 && MESHRPR_MODEL_COUNT <= 255, "model count");
MESHRPR_STATIC_ASSERT(MESHRPR_MSG_CACHE_SIZE >= 2, "MshPRTv1.1 §3.4.6.5: cache of at least 2");
MESHRPR_STATIC_ASSERT(MESHRPR_RPL_SIZE >= 1 && MESHRPR_RPL_SIZE <= 0x7fff, "RPL size");
MESHRPR_STATIC_ASSERT(MESHRPR_SAR_TX_COUNT >= 1 && MESHRPR_SAR_RX_COUNT >= 1, "SAR contexts");
MESHRPR_STATIC_ASSERT(MESHRPR_SEQ_STORE_RATE >= 1, "SEQ store rate");
MESHRPR_STATIC_ASSERT(MESHRPR_RELAY_QUEUE_LEN >= 1, "relay queue");
MESHRPR_STATIC_ASSERT(MESHRPR_SAR_TX_COUNT <= 255 && MESHRPR_SAR_RX_COUNT <= 255, "SAR contexts");
MESHRPR_STATIC_ASSERT(MESHRPR_MSG_CACHE_SIZE <= 0xffff, "message cache size");

/** A signature of the values above that shape struct meshrpr_node: meshrpr_node_init()
 *  compares the application's with the library's. */
#define MESHRPR_CONFIG_SIGNATURE                                                                   \
    ((unsigned long)MESHRPR_SUBNET_COUNT * 1000003ul ^                                             \
     (unsigned long)MESHRPR_APP_KEY_COUNT * 999983ul ^                                             \
     (unsigned long)MESHRPR_ELEM_COUNT * 99991ul ^ (unsigned long)MESHRPR_MODEL_COUNT * 9973ul ^   \
     (unsigned long)MESHRPR_MODEL_KEY_COUNT * 997ul ^                                              \
     (unsigned long)MESHRPR_MODEL_GROUP_COUNT * 97ul ^                                             \
     (unsigned long)MESHRPR_MSG_CACHE_SIZE << 20 ^ (unsigned long)MESHRPR_RPL_SIZE << 8 ^          \
     (unsigned long)MESHRPR_LOOPBACK_COUNT << 4 ^ (unsigned long)MESHRPR_SAR_TX_COUNT << 12 ^      \
     (unsigned long)MESHRPR_SAR_RX_COUNT << 16 ^ (unsigned long)MESHRPR_LABEL_COUNT << 24 ^        \
     (unsigned long)MESHRPR_RELAY_QUEUE_LEN << 28)

#endif /* MESHRPR_CONFIG_H */
