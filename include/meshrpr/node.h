/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * A mesh node: every layer's state in one caller-owned struct.
 *
 * The caller allocates a struct meshrpr_node (statically, on the heap, or one per simulated
 * device), fills a struct meshrpr_node_config and calls meshrpr_node_init(). From then on the
 * host feeds the node what its scanner hears (meshrpr_node_adv_recv()) and runs its timers
 * (meshrpr_node_next_deadline_ms() / meshrpr_node_process()); the node transmits through the
 * platform's adv_send hook. Nothing is global, so many nodes share one process.
 *
 * The fields of struct meshrpr_node are private: use the functions below.
 */
#ifndef MESHRPR_NODE_H
#define MESHRPR_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/access.h>
#include <meshrpr/config.h>
#include <meshrpr/platform.h>
#include <meshrpr/storage.h>
#include <meshrpr/timer.h>

#include <meshrpr/private/access.h>
#include <meshrpr/private/keys.h>
#include <meshrpr/private/lower_transport.h>
#include <meshrpr/private/net.h>
#include <meshrpr/private/pb_adv.h>
#include <meshrpr/private/prov.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Features bits of Composition Data page 0 (§4.2.2.1). */
#define BT_MESH_FEAT_RELAY     0x0001
#define BT_MESH_FEAT_PROXY     0x0002
#define BT_MESH_FEAT_FRIEND    0x0004
#define BT_MESH_FEAT_LOW_POWER 0x0008

/** IV Index flags of the Provisioning Data (§5.4.2.5). */
#define BT_MESH_FLAG_KEY_REFRESH 0x01
#define BT_MESH_FLAG_IV_UPDATE   0x02

struct meshrpr_cdb;
struct bt_mesh_prov;

/**
 * Run-time capacities (hosts): tables larger than the built-in ones of meshrpr/config.h, in
 * storage the application provides and keeps for the node's lifetime (meshrpr_node_init()
 * clears it). A NULL table or a zero size keeps the built-in table. RAM per entry:
 * docs/capacities.md.
 */
struct meshrpr_node_capacity {
    /** Replay protection list (MshPRTv1.1 §3.9.8), one entry per source: 1..0x7fff. A
     *  provisioner needs one per node it configures, plus NPPI address refreshes. */
    struct meshrpr_rpl_entry *rpl;
    size_t rpl_size;
    /** Network message cache (§3.4.6.5): at least 2, at most 65535. A relay in a large
     *  network needs room for every PDU that can still reach it again. */
    struct meshrpr_msg_cache_entry *msg_cache;
    size_t msg_cache_size;
    /** Outgoing and incoming segmented-message contexts: 1..255 each. */
    struct meshrpr_sar_tx_ctx *sar_tx;
    size_t sar_tx_count;
    struct meshrpr_sar_rx_ctx *sar_rx;
    size_t sar_rx_count;
    /** Provisioner sessions at once (1..255): one per device provisioned at a time, over
     *  PB-ADV or PB-Remote (a Remote Provisioning Client with more links than
     *  MESHRPR_PROV_SESSION_COUNT needs as many). */
    struct meshrpr_prov_session *prov_sessions;
    size_t prov_session_count;
};

struct meshrpr_node_config {
    /** Host hooks; copied into the node. Required. */
    const struct meshrpr_platform *platform;
    /** The node's composition (page 0). Required; it must belong to this node alone. */
    const struct bt_mesh_comp *comp;
    /** The composition after the next Node Composition Refresh (page 128), or NULL when it
     *  equals comp. */
    const struct bt_mesh_comp *comp_next;
    /** Persistent storage, or NULL to keep everything in RAM. */
    const struct meshrpr_storage *storage;
    /**
     * Look up the device key of another node (BT_MESH_KEY_DEV_REMOTE), as a provisioner's
     * database does. NULL: only the local device key is known.
     * @return 0 with the key in dev_key, or -ENOENT.
     */
    int (*dev_key_get)(void *ctx, uint16_t addr, uint8_t dev_key[16]);
    void *dev_key_ctx;
    /** Features supported (BT_MESH_FEAT_*): Relay is the one meshrpr implements. */
    uint16_t features;
    /** Name used in log lines; may be NULL. */
    const char *name;
    /** Provisioning properties and callbacks (include/meshrpr/prov.h), or NULL for a node
     *  that is neither provisioned by others nor provisions others. */
    const struct bt_mesh_prov *prov;
    /** Provisioner: the node database that provisioned nodes are added to, or NULL. */
    struct meshrpr_cdb *cdb;
    /**
     * Provisioner: make the node database durable now (e.g. meshrpr_cdb_save()). Called
     * write-ahead, before a change the database must not lose crosses the air: a pending node
     * (UUID, address, device key) before its Provisioning Data is sent, a pending refresh
     * before the NPPI Link Close(Success); and after Complete or a confirmed refresh. NULL:
     * the application saves when it likes (a crash in between may then orphan a device).
     * @return 0, or a negative errno: the Provisioning Data is then not sent (the session
     *         fails with Unexpected Error), so no device holds a key nobody kept.
     */
    int (*cdb_store)(void *ctx, const struct meshrpr_cdb *cdb);
    void *cdb_store_ctx;
    /** Run-time capacities, or NULL for the built-in tables. Copied: the tables it points at
     *  must outlive the node. */
    const struct meshrpr_node_capacity *capacity;
};

/** Advertising PDUs the node keeps track of between adv_send and their completion (see
 *  meshrpr_node_adv_sent()); older ones are forgotten, which only makes their guard timer
 *  end with a later PDU's. */
#ifndef MESHRPR_ADV_PENDING_COUNT
#define MESHRPR_ADV_PENDING_COUNT 16
#endif

/* What the node knows of the PDUs it handed to the host (private; src/node/node_services.c). */
struct meshrpr_node_adv {
    uint32_t last_id;    /* tx_id of the last PDU adv_send accepted; 0 before the first */
    uint32_t sent_id;    /* every PDU up to this tx_id has left */
    bool host_reports;   /* the host has called meshrpr_node_adv_sent() */
    bool in_send;        /* inside the platform's adv_send */
    uint64_t est_end_ms; /* estimated end of the last PDU accepted */
    struct {
        uint32_t tx_id;
        uint64_t deadline_ms; /* taken as sent at this time if not reported before */
    } pending[MESHRPR_ADV_PENDING_COUNT];
    uint8_t pending_head;
    uint8_t pending_count;
    struct meshrpr_timer timer; /* earliest pending deadline, or a deferred notification */
    /* Set by the composer: tells the layers that PDUs have left (src/node/node_services.c). */
    void (*sent_hook)(struct meshrpr_node *node);
};

struct meshrpr_rpr_srv_nppi;

/* What the layers ask of the composer (src/node/node.c), which registers it at init: the
 * changes of the node as a whole (private; docs/architecture.md). */
struct meshrpr_node_hooks {
    /* A provisioning completed (meshrpr_node_provision()). */
    int (*provision)(struct meshrpr_node *node, const uint8_t net_key[16], uint16_t net_idx,
                     uint8_t flags, uint32_t iv_index, uint16_t addr, const uint8_t dev_key[16]);
    /* Config Node Reset took effect (meshrpr_node_reset()). */
    void (*reset)(struct meshrpr_node *node);
};

/* What NPPI (src/prov/nppi.c) asks of the layers above it, registered by the composer
 * (private; docs/architecture.md). */
struct meshrpr_nppi_hooks {
    /* Offer (handler) or withdraw (NULL) NPPI on the node's Remote Provisioning Server.
     * @return 0, or -ENOENT when the node has none. */
    int (*offer)(struct meshrpr_node *node, const struct meshrpr_rpr_srv_nppi *handler);
    /* The node-wide switch of a refresh the client closed with Success (procedure: enum
     * bt_mesh_rpr_node_refresh): the new address and device key, or the composition and a
     * Device Key Candidate. */
    void (*refresh_apply)(struct meshrpr_node *node, uint8_t procedure, uint16_t addr,
                          const uint8_t dev_key[16]);
};

struct meshrpr_node {
    /* All private. */
    struct meshrpr_platform platform;
    struct meshrpr_timer_queue timers;
    struct meshrpr_node_adv adv;
    struct meshrpr_node_config cfg;
    bool provisioned;
    uint16_t addr; /* primary element address */
    uint8_t dev_key[16];
    /* Device Key Candidate (MshPRTv1.1 §3.6.4.2): set by a Device Key or Node Composition
     * Refresh, becomes the device key on its first successful use. */
    uint8_t dev_key_candidate[16];
    bool has_dev_key_candidate;
    /* A Node Composition Refresh made comp_next the current composition. */
    bool comp_refreshed;
    /* The composition backed up by meshrpr_node_comp_change_prepare() ("node/comp_prev")
     * differs from comp: page 0 reports the backup, page 128 comp, until a Node Composition
     * Refresh or a node reset. */
    bool comp_prev;
    /* NPPI in progress on this node: what the accepted Provisioning Data asks for. */
    struct {
        bool pending;
        uint8_t procedure; /* enum bt_mesh_rpr_node_refresh */
        uint16_t addr;
        uint8_t dev_key[16];
    } nppi;
    struct meshrpr_nppi_hooks nppi_hooks;
    struct meshrpr_node_hooks hooks;
    struct meshrpr_keys keys;
    struct meshrpr_net net;
    struct meshrpr_net_hooks net_hooks;
    struct meshrpr_rpl rpl;
    struct meshrpr_lower_transport lower;
    struct meshrpr_access access;
    struct meshrpr_beacon beacon;
    struct meshrpr_prov_state prov;
    struct meshrpr_pb_adv_state pb_adv;
    /* Who else reads what the scanner hears (the Remote Provisioning Server). */
    void (*scan_observer)(struct meshrpr_node *node, const struct meshrpr_adv_report *report,
                          void *ctx);
    void *scan_observer_ctx;
};

/**
 * Initialise a node: link its models, restore its state from storage when present, and call
 * every model's init and start callbacks.
 * @return 0, -EINVAL for a bad configuration (missing platform hooks, no elements, more
 *         elements or models than MESHRPR_ELEM_COUNT / MESHRPR_MODEL_COUNT), -EBADMSG when
 *         the stored identity ("node/prov", "keys/net", "node/nppi_pend") is missing a part or
 *         cannot be read (the log says which; the node is not started: erase its storage to
 *         start unprovisioned), or a model's error. A node whose SEQ records ("net/seq",
 *         "net/seq_hw") are both unreadable starts but transmits nothing until it has seen the
 *         IV Index move on (MshPRTv1.1 §3.9.3: a SEQ is never reused under one IV Index).
 */
int meshrpr_node_init(struct meshrpr_node *node, const struct meshrpr_node_config *config);

/**
 * meshrpr_node_init() after checking that the application was built with the library's
 * capacities: @p node_size, @p config_size and @p signature are the application's
 * sizeof(struct meshrpr_node), sizeof(struct meshrpr_node_config) and
 * MESHRPR_CONFIG_SIGNATURE. The meshrpr_node_init() macro passes them.
 * @return -ENOEXEC when they differ from the library's (logged through the platform when the
 *         configuration's platform can be read: rebuild the application with the library's
 *         meshrpr/config.h values); otherwise as meshrpr_node_init().
 */
int meshrpr_node_init_checked(struct meshrpr_node *node, const struct meshrpr_node_config *config,
                              size_t node_size, size_t config_size, unsigned long signature);

/* Calls from the application go through the check; (meshrpr_node_init)(...) calls the
 * function itself. */
#define meshrpr_node_init(node, config)                                                            \
    meshrpr_node_init_checked((node), (config), sizeof(struct meshrpr_node),                       \
                              sizeof(struct meshrpr_node_config), MESHRPR_CONFIG_SIGNATURE)

/** Stop all timers. The node may be re-initialised afterwards. */
void meshrpr_node_deinit(struct meshrpr_node *node);

/**
 * Provision the node locally (Zephyr's bt_mesh_provision()): one NetKey, the IV Index and
 * flags, the primary address and the device key. The state is saved to storage.
 * @return 0, -EALREADY when already provisioned, -EINVAL for a bad address or index.
 */
int meshrpr_node_provision(struct meshrpr_node *node, const uint8_t net_key[16], uint16_t net_idx,
                           uint8_t flags, uint32_t iv_index, uint16_t addr,
                           const uint8_t dev_key[16]);

/**
 * Node Removal (MshPRTv1.1 §3.11.7; Zephyr's bt_mesh_reset()): cancel every transfer, forget
 * all keys, the device key, the address, bindings and subscriptions, return the network states
 * to their defaults, call every model's reset callback, and erase the stored identity. The
 * node is unprovisioned afterwards.
 */
void meshrpr_node_reset(struct meshrpr_node *node);

/** Whether the node is provisioned. */
bool meshrpr_node_is_provisioned(const struct meshrpr_node *node);

/** The primary element address (0 while unprovisioned). */
uint16_t meshrpr_node_addr(const struct meshrpr_node *node);

/**
 * Copy the node's own device key (the one it uses now: after an NPPI Device Key Refresh, the old
 * key until the new one is first used, MshPRTv1.1 §3.6.4.4) into dev_key. A provisioner
 * records its own node in its database with it.
 * @return 0, -EINVAL (NULL), -ENOENT (not provisioned).
 */
int meshrpr_node_dev_key_get(const struct meshrpr_node *node, uint8_t dev_key[16]);

/** Number of elements. */
size_t meshrpr_node_elem_count(const struct meshrpr_node *node);

/**
 * The composition will change with the next start (a firmware update; Zephyr's
 * bt_mesh_comp_change_prepare()): store the current Composition Data page 0 ("node/comp_prev").
 * A node started later with another composition (meshrpr_node_config.comp, and no comp_next)
 * runs that one, but reports the stored page as page 0 and its own as page 128 until a Node
 * Composition Refresh (MshPRTv1.1 §3.11.8.3: the Remote Provisioning Server's NPPI) or a node
 * reset makes it page 0; a start with the same composition drops the backup.
 * @return 0, -ENOTSUP (no storage), -EINVAL (NULL), or the storage's error.
 */
int meshrpr_node_comp_change_prepare(struct meshrpr_node *node);

/** Add a NetKey (as Config NetKey Add would). @return 0, -EEXIST (index holds another key),
 *  -ENOMEM (table full), -EINVAL. Adding the same key again returns 0. */
int meshrpr_node_net_key_add(struct meshrpr_node *node, uint16_t net_idx, const uint8_t key[16]);

/** Add an AppKey bound to a NetKey. @return 0, -EEXIST, -ENOENT (unknown NetKey), -ENOMEM. */
int meshrpr_node_app_key_add(struct meshrpr_node *node, uint16_t net_idx, uint16_t app_idx,
                             const uint8_t key[16]);

/** Bind a model to an AppKey. @return 0, -ENOENT (unknown key), -ENOMEM. */
int meshrpr_node_model_app_bind(struct meshrpr_node *node, const struct bt_mesh_model *model,
                                uint16_t app_idx);

/** Subscribe a model to a group address. @return 0, -EINVAL, -ENOMEM. */
int meshrpr_node_model_sub_add(struct meshrpr_node *node, const struct bt_mesh_model *model,
                               uint16_t group_addr);

/** Set the Relay state (and Relay Retransmit) and the Network Transmit state (§4.2.9,
 *  §4.2.20). */
void meshrpr_node_relay_set(struct meshrpr_node *node, bool enabled, uint8_t retransmit);
void meshrpr_node_net_transmit_set(struct meshrpr_node *node, uint8_t transmit);

/**
 * Feed one advertising report heard by the host's scanner: every AD structure in it. Mesh AD
 * types (PB-ADV, Mesh Message, Mesh Beacon) are taken from non-connectable advertising only
 * (MshPRTv1.1 §3.3.1); the whole report also reaches the Remote Provisioning Server's scanner.
 * Any bytes are safe: malformed AD structures end the walk.
 */
void meshrpr_node_scan_recv(struct meshrpr_node *node, const struct meshrpr_adv_report *report);

/** Feed one advertising PDU heard by the host's scanner (AD type and data, without the
 *  length octet). Any bytes are safe: malformed input is counted and dropped. */
void meshrpr_node_adv_recv(struct meshrpr_node *node, uint8_t ad_type, const uint8_t *data,
                           size_t len, int8_t rssi);

/**
 * The host's transmit-complete signal: every transmission of the PDU whose
 * meshrpr_adv_params.tx_id was @p tx_id, and so of every PDU before it, has ended (see
 * meshrpr_platform.adv_send for the contract and the fallback when a host never calls this).
 * The node starts the timers that wait for it at once, and may call adv_send from inside.
 * Unknown, repeated or stale handles are ignored. It may be called from inside adv_send.
 */
void meshrpr_node_adv_sent(struct meshrpr_node *node, uint32_t tx_id);

/** The earliest timer deadline in platform milliseconds, or UINT64_MAX when none is armed. */
uint64_t meshrpr_node_next_deadline_ms(const struct meshrpr_node *node);

/** Run every timer that is due at the platform's current time. */
void meshrpr_node_process(struct meshrpr_node *node);

/**
 * Whether the node has nothing in flight: no busy SAR context, no queued loopback PDU, no
 * provisioning link, and no armed timer other than the periodic beacons.
 */
bool meshrpr_node_is_idle(const struct meshrpr_node *node);

/** Current SEQ (the next one the node will use) and IV Index. */
uint32_t meshrpr_node_seq(const struct meshrpr_node *node);
uint32_t meshrpr_node_iv_index(const struct meshrpr_node *node);

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_NODE_H */
