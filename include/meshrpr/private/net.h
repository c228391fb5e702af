/* SPDX-License-Identifier: Apache-2.0 */
/* Network layer, replay protection and beacon state of a node (not API: complete types so
 * callers can allocate nodes). Owned by src/net/net.c, src/net/replay.c, src/net/beacon.c. */
#ifndef MESHRPR_PRIVATE_NET_H
#define MESHRPR_PRIVATE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/config.h>
#include <meshrpr/timer.h>

/* Largest Network PDU on the advertising bearer (MshPRTv1.1 §3.4.4). */
#define MESHRPR_NET_PDU_MAX_LEN 29

/* One network message cache entry: (SRC, IV Index LSB, SEQ) identifies a PDU. */
struct meshrpr_msg_cache_entry {
    uint16_t src;
    uint32_t ivi_seq; /* IVI << 24 | SEQ */
};

/* A PDU this node sent to one of its own addresses, waiting for local delivery. */
struct meshrpr_loopback_pdu {
    uint16_t net_idx;
    uint16_t src;
    uint16_t dst;
    uint32_t seq;
    uint32_t iv_index;
    uint8_t ttl;
    bool ctl;
    uint8_t len;
    uint8_t transport_pdu[16];
};

struct meshrpr_net {
    uint32_t iv_index;
    bool iv_update;     /* IV Update in progress */
    uint32_t seq;       /* next SEQ to use */
    uint32_t seq_limit; /* first SEQ not covered by the stored reservation */
    /* Restored without a readable SEQ reservation: every SEQ under the IV Index may have been
     * used, so the node transmits nothing until it has seen the IV Index move on (its first
     * beacon only tells it the current one: iv_learned). */
    bool seq_unknown;
    bool iv_learned;
    uint8_t default_ttl;  /* §4.2.8 */
    uint8_t net_transmit; /* §4.2.20: count (bits 0-2), interval steps (bits 3-7) */
    uint8_t relay;        /* §4.2.9: 0 disabled, 1 enabled, 2 not supported */
    uint8_t relay_retransmit;
    /* The message cache: cache_storage, or the application's (struct
     * meshrpr_node_capacity). */
    struct meshrpr_msg_cache_entry *cache;
    uint16_t cache_size;
    uint16_t cache_next;
    struct meshrpr_msg_cache_entry cache_storage[MESHRPR_MSG_CACHE_SIZE];
    struct meshrpr_loopback_pdu loopback[MESHRPR_LOOPBACK_COUNT];
    uint8_t loopback_head;
    uint8_t loopback_count;
    struct meshrpr_timer loopback_timer;
    /* Counters for tests, the tool and benchmarks. */
    uint32_t rx_count;
    uint32_t tx_count;
    uint32_t relay_count;
    uint32_t drop_count;       /* malformed, unauthenticated or invalid PDUs */
    uint32_t dup_count;        /* authenticated PDUs already in the message cache, or our own */
    uint32_t relay_drop_count; /* PDUs not relayed: the relay queue was full */
};

struct meshrpr_node;
struct bt_mesh_msg_ctx;

/* What the network and transport layers hand up, registered by the composer
 * (src/node/node.c) so that these layers call nothing above them (docs/architecture.md). A
 * NULL hook means nobody above: nothing is wanted or delivered. */
struct meshrpr_net_hooks {
    /* Whether a model would accept a message to group or virtual address dst. */
    bool (*wants_dst)(const struct meshrpr_node *node, uint16_t dst);
    /* An access message the upper transport decrypted. */
    int (*access_recv)(struct meshrpr_node *node, struct bt_mesh_msg_ctx *ctx, const uint8_t *data,
                       size_t len);
    /* The Device Key Candidate opened a message (MshPRTv1.1 §3.6.4.2). */
    void (*dev_key_candidate_used)(struct meshrpr_node *node);
};

struct meshrpr_rpl_entry {
    uint16_t src; /* 0: free */
    uint32_t iv_index;
    uint32_t seq;
};

struct meshrpr_rpl {
    /* storage, or the application's (struct meshrpr_node_capacity). */
    struct meshrpr_rpl_entry *entries;
    uint16_t size;
    struct meshrpr_rpl_entry storage[MESHRPR_RPL_SIZE];
};

struct meshrpr_beacon {
    uint8_t enabled; /* Secure Network Beacon state, §4.2.10 */
    struct meshrpr_timer timer;
    uint32_t interval_ms;
    uint32_t rx_count; /* authenticated beacons received */
    uint32_t tx_count; /* Secure Network Beacons sent */
};

#endif /* MESHRPR_PRIVATE_NET_H */
