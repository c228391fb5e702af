/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * Remote Provisioning Client model (MshPRTv1.1 §4.4.6) with the names, fields and signatures
 * of Zephyr's <zephyr/bluetooth/mesh/rpr_cli.h>, and remote provisioning over the PB-Remote
 * bearer (bt_mesh_provision_remote(), bt_mesh_reprovision_remote(); Zephyr declares those two
 * in main.h).
 *
 * Put BT_MESH_MODEL_RPR_CLI(&cli) on the primary element of a provisioner node (one with a node
 * database, meshrpr_node_config.cdb, whose device keys the node's dev_key_get hook returns: the
 * client talks to each server with that server's device key).
 *
 * Requests and their answers: bt_mesh_rpr_scan_caps_get(), _scan_get(), _scan_start(),
 * _scan_stop(), _link_get() and _link_close() block, through the platform's run_until hook,
 * until the server answers or the client's timeout passes (2 s by default, see
 * meshrpr_rpr_cli_timeout_set()), then fill the response struct. With a NULL response pointer
 * they return as soon as the request is sent. Scan requests and link requests use separate
 * contexts, so a scan can be driven while a link is open. Return values: 0; -ETIMEDOUT (no
 * answer in time); -EBUSY (this client already waits for an answer of the same kind); -EDEADLK
 * (a blocking call from inside the event loop, for example from a callback); -ENOTSUP (no
 * run_until hook); -EINVAL (bad arguments, client not on a node); or an error of
 * bt_mesh_model_send() (-EADDRNOTAVAIL while the node is unprovisioned...).
 *
 * Beyond Zephyr: one client runs up to MESHRPR_RPR_CLI_LINK_COUNT PB-Remote links at once
 * (or as many as meshrpr_rpr_cli_links_set() gives it) through different servers (one link
 * per server), each with its PDU Send in flight; the link timer sends Link Close to the
 * server when the client gives up; PDU Reports are delivered in order with duplicates dropped;
 * Input/Output OOB gets the 120 s protocol timeout; extended-scan failures and link state
 * changes reach the optional callbacks ext_scan_failed and link_changed.
 *
 * Zephyr's bt_mesh_rpr_cli_timeout_get()/_set() take no client: meshrpr keeps the timeout per
 * client (meshrpr_rpr_cli_timeout_get()/_set()), and the contextless names, declared below, are
 * in the meshrpr_compat library (docs/decisions/0004-contextless-zephyr-api.md).
 */
#ifndef MESHRPR_RPR_CLI_H
#define MESHRPR_RPR_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/access.h>
#include <meshrpr/net_buf.h>
#include <meshrpr/rpr.h>

#include <meshrpr/private/rpr_cli.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Special value for the max_devs parameter of bt_mesh_rpr_scan_start(): the server reports
 *  as many devices as its table holds. */
#define BT_MESH_RPR_SCAN_MAX_DEVS_ANY 0

/** The default time a blocking request waits for the server's answer (as in Zephyr). */
#define MESHRPR_RPR_CLI_TIMEOUT_DEFAULT_MS 2000

struct bt_mesh_rpr_cli;

extern const struct bt_mesh_model_op _bt_mesh_rpr_cli_op[];
extern const struct bt_mesh_model_cb _bt_mesh_rpr_cli_cb;

/** The Remote Provisioning Client model entry for the primary element's model array. */
#define BT_MESH_MODEL_RPR_CLI(_cli)                                                                \
    BT_MESH_MODEL_CB(BT_MESH_MODEL_ID_REMOTE_PROV_CLI, _bt_mesh_rpr_cli_op, NULL, _cli,            \
                     &_bt_mesh_rpr_cli_cb)

/** Scan Status (§4.3.4.6): the answer to Scan Get, Scan Start and Scan Stop. */
struct bt_mesh_rpr_scan_status {
    /** Status of the request. */
    enum bt_mesh_rpr_status status;
    /** The server's scanning state. */
    enum bt_mesh_rpr_scan scan;
    /** Most devices the scan reports (ScannedItemsLimit). */
    uint8_t max_devs;
    /** Seconds left of the scan. */
    uint8_t timeout;
};

/** Scan Capabilities Status (§4.3.4.2). */
struct bt_mesh_rpr_caps {
    /** Size of the server's table of scanned devices (at least 4). */
    uint8_t max_devs;
    /** The server can scan actively (for Extended Scan). */
    bool active_scan;
};

/** A Remote Provisioning Client instance. Initialise the callbacks you use; the rest is
 *  private. */
struct bt_mesh_rpr_cli {
    /**
     * A server found an unprovisioned device: once per Scan Report (adv_data NULL), and for
     * each Extended Scan Report of a found device (adv_data holds the AD structures the server
     * collected, Length-Type-Data; an empty buffer when it collected none). srv is the server
     * (its primary address, the NetKey index the report came on, BT_MESH_TTL_DEFAULT).
     */
    void (*scan_report)(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                        struct bt_mesh_rpr_unprov *unprov, struct net_buf_simple *adv_data);

    /* ---- meshrpr extensions (optional) ---- */

    /**
     * An Extended Scan ended without data for scan_report: the server refused or could not
     * run it (status other than BT_MESH_RPR_SUCCESS, for example Limited Resources), or it did
     * not find the device before the scan's timeout (status BT_MESH_RPR_SUCCESS). uuid is the
     * one the report names. Zephyr drops these reports.
     */
    void (*ext_scan_failed)(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                            const uint8_t uuid[16], enum bt_mesh_rpr_status status);
    /**
     * A PB-Remote link of this client changed state: the server accepted the Link Open
     * (BT_MESH_RPR_LINK_OPENING), the link opened (ACTIVE), is closing (CLOSING) or is gone
     * (IDLE). link->status is the server's status, or, when this client gave up on the link
     * (its link timer expired), BT_MESH_RPR_ERR_LINK_OPEN_FAILED before the link opened and
     * BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT after. reason is the Link Report's Reason field
     * (a PB-ADV Link Close reason), or -1 when there is none.
     */
    void (*link_changed)(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                         const struct bt_mesh_rpr_link *link, int reason);

    /** The model this instance is (set by the model's init callback). */
    const struct bt_mesh_model *mod;
    /** Private state. */
    struct meshrpr_rpr_cli_priv priv;
};

/**
 * Get the scanning capabilities of a server (Scan Capabilities Get → Status).
 * @return 0, or an error listed in the file description.
 */
int bt_mesh_rpr_scan_caps_get(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                              struct bt_mesh_rpr_caps *caps);

/** Get a server's scanning state (Scan Get → Scan Status). */
int bt_mesh_rpr_scan_get(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                         struct bt_mesh_rpr_scan_status *status);

/**
 * Start scanning for unprovisioned devices (Scan Start → Scan Status): every device
 * (uuid NULL, at most max_devs of them, or as many as the server holds with
 * BT_MESH_RPR_SCAN_MAX_DEVS_ANY) or the one device with this UUID, for timeout seconds. Each
 * device found arrives once through scan_report. The server refuses a second client's scan
 * while one runs (status Invalid State).
 * @return as the other requests; -EINVAL when timeout is 0.
 */
int bt_mesh_rpr_scan_start(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                           const uint8_t uuid[16], uint8_t timeout, uint8_t max_devs,
                           struct bt_mesh_rpr_scan_status *status);

/**
 * Start an Extended Scan (§4.4.5.5.1.7): collect the AD structures of the given types from
 * the device with this UUID (active scanning, timeout 1..21 s), or, with uuid NULL, from the
 * server itself (timeout ignored). Never blocks: the result arrives through scan_report (or
 * ext_scan_failed).
 * @return 0; -EINVAL for a timeout out of range, ad_count not 1..16, an AD type the
 *         specification prohibits in the filter (incomplete UUID lists, Shortened Local Name)
 *         or a repeated one; or a send error.
 */
int bt_mesh_rpr_scan_start_ext(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                               const uint8_t uuid[16], uint8_t timeout, const uint8_t *ad_types,
                               size_t ad_count);

/** Stop a server's scan (Scan Stop → Scan Status). */
int bt_mesh_rpr_scan_stop(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                          struct bt_mesh_rpr_scan_status *status);

/** Get the state of a server's link (Link Get → Link Status). */
int bt_mesh_rpr_link_get(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                         struct bt_mesh_rpr_link *rsp);

/**
 * Close a server's link (Link Close with reason Fail → Link Status). A provisioning running on
 * that link through this client then ends (link_close callback, no node added).
 */
int bt_mesh_rpr_link_close(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                           struct bt_mesh_rpr_link *rsp);

/**
 * Provision the device with this UUID through a Remote Provisioning Server (PB-Remote). The
 * provisioning runs with the same struct bt_mesh_prov callbacks as over PB-ADV; link_open and
 * link_close report BT_MESH_PROV_REMOTE, node_added reports success. The client's node must be
 * provisioned, know the NetKey net_idx and have a node database.
 *
 * Called outside the event loop, it waits for the server's answer to the Link Open (repeating
 * it, at most the Link Open timeout, 10 s), so a refusal or a server that never answers comes
 * back here; called from a callback it returns once the Link Open is sent, and a refusal then
 * ends the provisioning (no link_open, no link_close: see link_changed and
 * meshrpr_prov_last_result()). A server that answers "Success, Link Active" for a link it kept
 * from before this client restarted (MshPRTv1.1 §4.4.5.5.2.2) is told to close it, and the
 * link is opened again.
 *
 * @param addr primary address to assign, or 0 for the lowest free range in the database
 * @return 0; -EINVAL (bad arguments, unprovisioned node, unknown NetKey); -ENOTSUP (no node
 *         database); -EEXIST (the UUID is in the database); -EBUSY (a link to this server is in
 *         use, or this UUID is being provisioned); -ENOMEM (all links or provisioning sessions
 *         in use); -ECONNREFUSED (the server refused the Link Open); -ETIMEDOUT (the server
 *         never answered the Link Open: the link is given up); -ECONNABORTED (the link ended
 *         before the server answered); or a send error.
 */
int bt_mesh_provision_remote(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                             const uint8_t uuid[16], uint16_t net_idx, uint16_t addr);

/**
 * Re-provision the node whose Remote Provisioning Server is srv through the Node Provisioning
 * Protocol Interface (MshPRTv1.1 §3.11.8). The procedure follows from the arguments: addr
 * differs from srv->addr: Node Address Refresh (addr 0 picks the lowest free range); same
 * address and comp_change: Node Composition Refresh; otherwise Device Key Refresh. On success
 * the node database entry gets the new device key (and address and element count) and
 * node_added fires; on failure the entry is unchanged.
 * @return as bt_mesh_provision_remote(); -ENOENT when the database has no node at srv->addr;
 *         -ECONNREFUSED when the server refuses (for example a Node Composition Refresh with no
 *         composition change pending).
 */
int bt_mesh_reprovision_remote(struct bt_mesh_rpr_cli *cli, struct bt_mesh_rpr_node *srv,
                               uint16_t addr, bool comp_change);

/* ---- meshrpr: the timeout per client ---------------------------------------------------- */

/** How long this client's blocking requests wait, in milliseconds. */
int32_t meshrpr_rpr_cli_timeout_get(const struct bt_mesh_rpr_cli *cli);
/** Set how long this client's blocking requests wait (negative values count as 0). May be
 *  called before the node is initialised. */
void meshrpr_rpr_cli_timeout_set(struct bt_mesh_rpr_cli *cli, int32_t timeout_ms);

/** The Remote Provisioning Client on a node's primary element, or NULL. */
struct bt_mesh_rpr_cli *meshrpr_rpr_cli_get(struct meshrpr_node *node);
/** Set the timeout of every Remote Provisioning Client of a node. */
void meshrpr_rpr_cli_timeout_set_all(struct meshrpr_node *node, int32_t timeout_ms);

/**
 * Run this client's PB-Remote links in the caller's table of @p count links instead of the
 * built-in MESHRPR_RPR_CLI_LINK_COUNT (RAM per link: docs/capacities.md). The table must
 * outlive the client; it is cleared here. Every link also needs a provisioner session:
 * give the node as many (struct meshrpr_node_capacity, prov_sessions). May be called before
 * the node is initialised (the table is kept across the model's init) or later while no link
 * is in use. links NULL (count ignored) goes back to the built-in table.
 * @return 0; -EINVAL (cli NULL, count 0 or above 1024 with a table); -EBUSY (a link is in
 *         use).
 */
int meshrpr_rpr_cli_links_set(struct bt_mesh_rpr_cli *cli, struct meshrpr_rpr_cli_link *links,
                              size_t count);

/** Links this client can run at once (the built-in count, or the table given to
 *  meshrpr_rpr_cli_links_set()). */
size_t meshrpr_rpr_cli_link_capacity(const struct bt_mesh_rpr_cli *cli);

/** Number of PB-Remote links of this client in use (opening, open or closing). */
size_t meshrpr_rpr_cli_link_count(const struct bt_mesh_rpr_cli *cli);

/* ---- Zephyr's contextless names (library meshrpr_compat, not libmeshrpr) ----------------- */

/** The timeout of the registered node's Remote Provisioning Client (meshrpr_compat_node_set()),
 *  or MESHRPR_RPR_CLI_TIMEOUT_DEFAULT_MS when there is none. */
int32_t bt_mesh_rpr_cli_timeout_get(void);
/** Set the timeout of every Remote Provisioning Client of the registered node. */
void bt_mesh_rpr_cli_timeout_set(int32_t timeout);

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_RPR_CLI_H */
