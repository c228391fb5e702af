/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * Configuration Client model (MshPRTv1.1 §4.4.2) with Zephyr's names where it has them.
 *
 * Zephyr's Configuration Client functions work on a single global client. meshrpr runs many
 * nodes in one process, so every function takes the client instance first and carries the
 * meshrpr_ prefix: Zephyr's bt_mesh_cfg_cli_ttl_get(net_idx, addr, &ttl) is
 * meshrpr_cfg_cli_ttl_get(&cli, net_idx, addr, &ttl) here.
 *
 * Requests go to the node at addr secured with its device key (BT_MESH_KEY_DEV_REMOTE: the
 * node's dev_key_get hook provides it). When a function's response pointers are all NULL it
 * returns as soon as the request is sent, and the answer (if any) only reaches the
 * callbacks. Otherwise it blocks, through the platform's run_until hook, until the matching
 * Status arrives or the client's timeout passes, then fills the response pointers.
 *
 * Return values of every request function: 0; -ETIMEDOUT (no answer in time); -EBUSY (this
 * client already waits for an answer); -EDEADLK (a blocking call from inside the event loop,
 * for example from a model callback); -ENOTSUP (the platform has no run_until hook);
 * -EINVAL (bad arguments, client not on a node); or an error of bt_mesh_model_send().
 */
#ifndef MESHRPR_CFG_CLI_H
#define MESHRPR_CFG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/access.h>
#include <meshrpr/net_buf.h>
#include <meshrpr/private/msg_ack.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes of Configuration messages (MshPRTv1.1 §4.3.14). */
#define MESHRPR_CFG_STATUS_SUCCESS                0x00
#define MESHRPR_CFG_STATUS_INVALID_ADDRESS        0x01
#define MESHRPR_CFG_STATUS_INVALID_MODEL          0x02
#define MESHRPR_CFG_STATUS_INVALID_APPKEY         0x03
#define MESHRPR_CFG_STATUS_INVALID_NETKEY         0x04
#define MESHRPR_CFG_STATUS_INSUFF_RESOURCES       0x05
#define MESHRPR_CFG_STATUS_IDX_ALREADY_STORED     0x06
#define MESHRPR_CFG_STATUS_INVALID_PUBLISH_PARAMS 0x07
#define MESHRPR_CFG_STATUS_NOT_SUB_MODEL          0x08
#define MESHRPR_CFG_STATUS_STORAGE_FAIL           0x09
#define MESHRPR_CFG_STATUS_FEAT_NOT_SUPP          0x0a
#define MESHRPR_CFG_STATUS_CANNOT_UPDATE          0x0b
#define MESHRPR_CFG_STATUS_CANNOT_REMOVE          0x0c
#define MESHRPR_CFG_STATUS_CANNOT_BIND            0x0d
#define MESHRPR_CFG_STATUS_TEMP_UNABLE_TO_CHANGE  0x0e
#define MESHRPR_CFG_STATUS_CANNOT_SET             0x0f
#define MESHRPR_CFG_STATUS_UNSPECIFIED            0x10
#define MESHRPR_CFG_STATUS_INVALID_BINDING        0x11

/** Relay, GATT Proxy, Friend and Node Identity state values (§4.2.9, §4.2.11, §4.2.13). */
#define BT_MESH_RELAY_DISABLED           0x00
#define BT_MESH_RELAY_ENABLED            0x01
#define BT_MESH_RELAY_NOT_SUPPORTED      0x02
#define BT_MESH_BEACON_DISABLED          0x00
#define BT_MESH_BEACON_ENABLED           0x01
#define BT_MESH_GATT_PROXY_NOT_SUPPORTED 0x02
#define BT_MESH_FRIEND_NOT_SUPPORTED     0x02

/** Network Transmit and Relay Retransmit states (§4.2.20, §4.2.21): transmissions
 *  count + 1, interval (steps + 1) * 10 ms. As in Zephyr. */
#ifndef BT_MESH_TRANSMIT
#define BT_MESH_TRANSMIT(count, int_ms)  ((uint8_t)((count) | (((int_ms) / 10 - 1) << 3)))
#define BT_MESH_TRANSMIT_COUNT(transmit) ((uint8_t)((transmit)&0x07))
#define BT_MESH_TRANSMIT_INT(transmit)   ((((transmit) >> 3) + 1) * 10)
#endif

/** The default time a blocking request waits for its Status (Zephyr's
 *  CONFIG_BT_MESH_CFG_CLI_TIMEOUT). */
#define MESHRPR_CFG_CLI_TIMEOUT_DEFAULT_MS 5000

struct bt_mesh_cfg_cli;

/** Callbacks for every Status the client receives, whether or not a call waits for it. All
 *  optional. addr is the server's primary address; vendor model IDs are CID << 16 | ID. */
struct bt_mesh_cfg_cli_cb {
    void (*comp_data)(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t page,
                      struct net_buf_simple *buf);
    void (*beacon_status)(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status);
    void (*ttl_status)(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status);
    void (*friend_status)(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status);
    void (*gatt_proxy_status)(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status);
    void (*network_transmit_status)(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status);
    void (*relay_status)(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status,
                         uint8_t transmit);
    void (*net_key_status)(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status,
                           uint16_t net_idx);
    /** buf holds the packed NetKey Indexes (§4.3.1.1). */
    void (*net_key_list)(struct bt_mesh_cfg_cli *cli, uint16_t addr, struct net_buf_simple *buf);
    void (*app_key_status)(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status,
                           uint16_t net_idx, uint16_t app_idx);
    void (*app_key_list)(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status,
                         uint16_t net_idx, struct net_buf_simple *buf);
    void (*mod_app_status)(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status,
                           uint16_t elem_addr, uint16_t app_idx, uint32_t mod_id);
    void (*mod_app_list)(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status,
                         uint16_t elem_addr, uint32_t mod_id, struct net_buf_simple *buf);
    void (*mod_sub_status)(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status,
                           uint16_t elem_addr, uint16_t sub_addr, uint32_t mod_id);
    void (*mod_sub_list)(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status,
                         uint16_t elem_addr, uint32_t mod_id, struct net_buf_simple *buf);
    void (*krp_status)(struct bt_mesh_cfg_cli *cli, uint16_t addr, uint8_t status, uint16_t net_idx,
                       uint8_t phase);
    void (*node_reset_status)(struct bt_mesh_cfg_cli *cli, uint16_t addr);
};

/** A Configuration Client instance. Set cb (and timeout_ms, 0 meaning the default) before
 *  meshrpr_node_init(); the rest is private. */
struct bt_mesh_cfg_cli {
    /** The model this instance is (set by the model's init). */
    const struct bt_mesh_model *model;
    /** Status callbacks, or NULL. */
    const struct bt_mesh_cfg_cli_cb *cb;
    /** How long a blocking request waits; 0 at init means MESHRPR_CFG_CLI_TIMEOUT_DEFAULT_MS. */
    uint32_t timeout_ms;
    /** The outstanding request. */
    struct meshrpr_msg_ack_ctx ack_ctx;
};

extern const struct bt_mesh_model_op bt_mesh_cfg_cli_op[];
extern const struct bt_mesh_model_cb bt_mesh_cfg_cli_cb;

/** The Configuration Client model entry; cli_data is a struct bt_mesh_cfg_cli * that lives as
 *  long as the node. */
#define BT_MESH_MODEL_CFG_CLI(cli_data)                                                            \
    BT_MESH_MODEL_CB(BT_MESH_MODEL_ID_CFG_CLI, bt_mesh_cfg_cli_op, NULL, cli_data,                 \
                     &bt_mesh_cfg_cli_cb)

/** Timeout of blocking requests, in milliseconds. */
uint32_t meshrpr_cfg_cli_timeout_get(const struct bt_mesh_cfg_cli *cli);
void meshrpr_cfg_cli_timeout_set(struct bt_mesh_cfg_cli *cli, uint32_t timeout_ms);

/** Composition Data Get (§4.3.2.4). rsp_page gets the page the server answered with (the
 *  largest it has at or below page); comp gets the page's data (cut to its tailroom). */
int meshrpr_cfg_cli_comp_data_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                  uint8_t page, uint8_t *rsp_page, struct net_buf_simple *comp);

struct meshrpr_cdb;
struct meshrpr_cdb_node;

/**
 * Settle a node database entry a fault left pending (enum meshrpr_cdb_pending in cdb.h) by
 * asking the node: a Config Beacon Get, secured with a device key, first under the identity
 * the node may have taken (a REFRESH's new address and key; a PROVISION's address and key),
 * then (REFRESH) under the one it had. The first that answers is the node's: the entry
 * becomes it, its pending mark is cleared and the database is stored (cdb_store). A Device
 * Key Candidate answering makes the node switch to it (§3.6.4.2), so the old key is not
 * tried first. Blocking (the Configuration Client's timeout per question, two tries each).
 * The node's dev_key_get must read this cdb (meshrpr_cdb_dev_key_get): the entry is what
 * is asked under.
 * @return 0 settled (also when nothing was pending), -ETIMEDOUT when no identity answered
 *         (the entry stays pending: for PROVISION the device most likely never took the data
 *         and can be provisioned again), -EINVAL, or the request's error.
 */
int meshrpr_cfg_cli_reconcile(struct bt_mesh_cfg_cli *cli, struct meshrpr_cdb *cdb,
                              struct meshrpr_cdb_node *entry);

/** Secure Network Beacon state (0 or 1). */
int meshrpr_cfg_cli_beacon_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                               uint8_t *status);
int meshrpr_cfg_cli_beacon_set(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                               uint8_t val, uint8_t *status);

/** Default TTL (0, 2..127). */
int meshrpr_cfg_cli_ttl_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                            uint8_t *ttl);
int meshrpr_cfg_cli_ttl_set(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                            uint8_t val, uint8_t *ttl);

/** Friend and GATT Proxy states. */
int meshrpr_cfg_cli_friend_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                               uint8_t *status);
int meshrpr_cfg_cli_gatt_proxy_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                   uint8_t *status);

/** Relay state and Relay Retransmit (BT_MESH_TRANSMIT). */
int meshrpr_cfg_cli_relay_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                              uint8_t *status, uint8_t *transmit);
int meshrpr_cfg_cli_relay_set(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                              uint8_t new_relay, uint8_t new_transmit, uint8_t *status,
                              uint8_t *transmit);

/** Network Transmit state (BT_MESH_TRANSMIT). */
int meshrpr_cfg_cli_net_transmit_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                     uint8_t *transmit);
int meshrpr_cfg_cli_net_transmit_set(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                     uint8_t val, uint8_t *transmit);

/** NetKeys. net_key_get: keys has room for *key_cnt indexes; *key_cnt gets how many were
 *  stored. */
int meshrpr_cfg_cli_net_key_add(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t key_net_idx, const uint8_t net_key[16], uint8_t *status);
int meshrpr_cfg_cli_net_key_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t *keys, size_t *key_cnt);
int meshrpr_cfg_cli_net_key_del(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t key_net_idx, uint8_t *status);

/** AppKeys. app_key_get: the AppKey Indexes bound to key_net_idx, as net_key_get. */
int meshrpr_cfg_cli_app_key_add(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t key_net_idx, uint16_t key_app_idx,
                                const uint8_t app_key[16], uint8_t *status);
int meshrpr_cfg_cli_app_key_update(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                   uint16_t key_net_idx, uint16_t key_app_idx,
                                   const uint8_t app_key[16], uint8_t *status);
int meshrpr_cfg_cli_app_key_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t key_net_idx, uint8_t *status, uint16_t *keys,
                                size_t *key_cnt);
int meshrpr_cfg_cli_app_key_del(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t key_net_idx, uint16_t key_app_idx, uint8_t *status);

/** Model App Bind / Unbind for SIG (mod_id) and vendor (mod_id, cid) models. */
int meshrpr_cfg_cli_mod_app_bind(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                 uint16_t elem_addr, uint16_t mod_app_idx, uint16_t mod_id,
                                 uint8_t *status);
int meshrpr_cfg_cli_mod_app_bind_vnd(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                     uint16_t elem_addr, uint16_t mod_app_idx, uint16_t mod_id,
                                     uint16_t cid, uint8_t *status);
int meshrpr_cfg_cli_mod_app_unbind(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                   uint16_t elem_addr, uint16_t mod_app_idx, uint16_t mod_id,
                                   uint8_t *status);
int meshrpr_cfg_cli_mod_app_unbind_vnd(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                       uint16_t elem_addr, uint16_t mod_app_idx, uint16_t mod_id,
                                       uint16_t cid, uint8_t *status);

/** SIG / Vendor Model App Get: the AppKey Indexes bound to a model, as net_key_get. */
int meshrpr_cfg_cli_mod_app_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t elem_addr, uint16_t mod_id, uint8_t *status,
                                uint16_t *apps, size_t *app_cnt);
int meshrpr_cfg_cli_mod_app_get_vnd(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                    uint16_t elem_addr, uint16_t mod_id, uint16_t cid,
                                    uint8_t *status, uint16_t *apps, size_t *app_cnt);

/** Model Subscription Add / Delete of a group address. */
int meshrpr_cfg_cli_mod_sub_add(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t elem_addr, uint16_t sub_addr, uint16_t mod_id,
                                uint8_t *status);
int meshrpr_cfg_cli_mod_sub_add_vnd(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                    uint16_t elem_addr, uint16_t sub_addr, uint16_t mod_id,
                                    uint16_t cid, uint8_t *status);
int meshrpr_cfg_cli_mod_sub_del(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t elem_addr, uint16_t sub_addr, uint16_t mod_id,
                                uint8_t *status);
int meshrpr_cfg_cli_mod_sub_del_vnd(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                    uint16_t elem_addr, uint16_t sub_addr, uint16_t mod_id,
                                    uint16_t cid, uint8_t *status);

/** SIG / Vendor Model Subscription Get: the model's subscription addresses, as net_key_get. */
int meshrpr_cfg_cli_mod_sub_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                uint16_t elem_addr, uint16_t mod_id, uint8_t *status,
                                uint16_t *subs, size_t *sub_cnt);
int meshrpr_cfg_cli_mod_sub_get_vnd(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                                    uint16_t elem_addr, uint16_t mod_id, uint16_t cid,
                                    uint8_t *status, uint16_t *subs, size_t *sub_cnt);

/** Key Refresh Phase Get. */
int meshrpr_cfg_cli_krp_get(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                            uint16_t key_net_idx, uint8_t *status, uint8_t *phase);

/** Node Reset: *status becomes true when the node confirmed (Node Reset Status). */
int meshrpr_cfg_cli_node_reset(struct bt_mesh_cfg_cli *cli, uint16_t net_idx, uint16_t addr,
                               bool *status);

struct meshrpr_node;

/** The Configuration Client on a node's primary element, or NULL. */
struct bt_mesh_cfg_cli *meshrpr_cfg_cli_get(struct meshrpr_node *node);

/*
 * Zephyr's contextless Configuration Client calls (<zephyr/bluetooth/mesh/cfg_cli.h>), with
 * Zephyr's names, signatures and semantics, in the meshrpr_compat library: each acts on the
 * Configuration Client of the node registered with meshrpr_compat_init() or
 * meshrpr_compat_node_set(), through the meshrpr_cfg_cli_*() function of the same name.
 * The status pointers are Zephyr's: with every response pointer NULL the call returns once
 * the request is sent; otherwise it waits for the Status and fills them. A Status with a
 * nonzero status code is a successful call: the code is in *status. Returns as the meshrpr
 * functions above, plus -ENODEV (no node registered) and -EINVAL (no Configuration Client on
 * the node's primary element, as Zephyr).
 */
int32_t bt_mesh_cfg_cli_timeout_get(void);
void bt_mesh_cfg_cli_timeout_set(int32_t timeout);

int bt_mesh_cfg_cli_comp_data_get(uint16_t net_idx, uint16_t addr, uint8_t page, uint8_t *rsp,
                                  struct net_buf_simple *comp);
int bt_mesh_cfg_cli_beacon_get(uint16_t net_idx, uint16_t addr, uint8_t *status);
int bt_mesh_cfg_cli_beacon_set(uint16_t net_idx, uint16_t addr, uint8_t val, uint8_t *status);
int bt_mesh_cfg_cli_ttl_get(uint16_t net_idx, uint16_t addr, uint8_t *ttl);
int bt_mesh_cfg_cli_ttl_set(uint16_t net_idx, uint16_t addr, uint8_t val, uint8_t *ttl);
int bt_mesh_cfg_cli_friend_get(uint16_t net_idx, uint16_t addr, uint8_t *status);
int bt_mesh_cfg_cli_gatt_proxy_get(uint16_t net_idx, uint16_t addr, uint8_t *status);
int bt_mesh_cfg_cli_relay_get(uint16_t net_idx, uint16_t addr, uint8_t *status, uint8_t *transmit);
int bt_mesh_cfg_cli_relay_set(uint16_t net_idx, uint16_t addr, uint8_t new_relay,
                              uint8_t new_transmit, uint8_t *status, uint8_t *transmit);
int bt_mesh_cfg_cli_net_transmit_get(uint16_t net_idx, uint16_t addr, uint8_t *transmit);
int bt_mesh_cfg_cli_net_transmit_set(uint16_t net_idx, uint16_t addr, uint8_t val,
                                     uint8_t *transmit);
int bt_mesh_cfg_cli_net_key_add(uint16_t net_idx, uint16_t addr, uint16_t key_net_idx,
                                const uint8_t net_key[16], uint8_t *status);
int bt_mesh_cfg_cli_net_key_get(uint16_t net_idx, uint16_t addr, uint16_t *keys, size_t *key_cnt);
int bt_mesh_cfg_cli_net_key_del(uint16_t net_idx, uint16_t addr, uint16_t key_net_idx,
                                uint8_t *status);
int bt_mesh_cfg_cli_app_key_add(uint16_t net_idx, uint16_t addr, uint16_t key_net_idx,
                                uint16_t key_app_idx, const uint8_t app_key[16], uint8_t *status);
int bt_mesh_cfg_cli_app_key_update(uint16_t net_idx, uint16_t addr, uint16_t key_net_idx,
                                   uint16_t key_app_idx, const uint8_t app_key[16],
                                   uint8_t *status);
int bt_mesh_cfg_cli_app_key_get(uint16_t net_idx, uint16_t addr, uint16_t key_net_idx,
                                uint8_t *status, uint16_t *keys, size_t *key_cnt);
int bt_mesh_cfg_cli_app_key_del(uint16_t net_idx, uint16_t addr, uint16_t key_net_idx,
                                uint16_t key_app_idx, uint8_t *status);
int bt_mesh_cfg_cli_mod_app_bind(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                 uint16_t mod_app_idx, uint16_t mod_id, uint8_t *status);
int bt_mesh_cfg_cli_mod_app_bind_vnd(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                     uint16_t mod_app_idx, uint16_t mod_id, uint16_t cid,
                                     uint8_t *status);
int bt_mesh_cfg_cli_mod_app_unbind(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                   uint16_t mod_app_idx, uint16_t mod_id, uint8_t *status);
int bt_mesh_cfg_cli_mod_app_unbind_vnd(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                       uint16_t mod_app_idx, uint16_t mod_id, uint16_t cid,
                                       uint8_t *status);
int bt_mesh_cfg_cli_mod_app_get(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                uint16_t mod_id, uint8_t *status, uint16_t *apps, size_t *app_cnt);
int bt_mesh_cfg_cli_mod_app_get_vnd(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                    uint16_t mod_id, uint16_t cid, uint8_t *status, uint16_t *apps,
                                    size_t *app_cnt);
int bt_mesh_cfg_cli_mod_sub_add(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                uint16_t sub_addr, uint16_t mod_id, uint8_t *status);
int bt_mesh_cfg_cli_mod_sub_add_vnd(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                    uint16_t sub_addr, uint16_t mod_id, uint16_t cid,
                                    uint8_t *status);
int bt_mesh_cfg_cli_mod_sub_del(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                uint16_t sub_addr, uint16_t mod_id, uint8_t *status);
int bt_mesh_cfg_cli_mod_sub_del_vnd(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                    uint16_t sub_addr, uint16_t mod_id, uint16_t cid,
                                    uint8_t *status);
int bt_mesh_cfg_cli_mod_sub_get(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                uint16_t mod_id, uint8_t *status, uint16_t *subs, size_t *sub_cnt);
int bt_mesh_cfg_cli_mod_sub_get_vnd(uint16_t net_idx, uint16_t addr, uint16_t elem_addr,
                                    uint16_t mod_id, uint16_t cid, uint8_t *status, uint16_t *subs,
                                    size_t *sub_cnt);
int bt_mesh_cfg_cli_krp_get(uint16_t net_idx, uint16_t addr, uint16_t key_net_idx, uint8_t *status,
                            uint8_t *phase);
int bt_mesh_cfg_cli_node_reset(uint16_t net_idx, uint16_t addr, bool *status);

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_CFG_CLI_H */
