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

#endif /* MESHRPR_CONFIG_H */
