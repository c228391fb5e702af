/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file
 * Remote Provisioning types shared by the client and the server (MshPRTv1.1 §4.3.4), with
 * the names, fields and on-air values of Zephyr's <zephyr/bluetooth/mesh/rpr.h>.
 */
#ifndef MESHRPR_RPR_H
#define MESHRPR_RPR_H

#include <stdint.h>

#include <meshrpr/prov.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The unprovisioned device's beacon carried a URI hash (bt_mesh_rpr_unprov.hash is valid). */
#define BT_MESH_RPR_UNPROV_HASH (1u << 0)

/** Shortest and longest Extended Scan, in seconds (§4.3.4.7). */
#define BT_MESH_RPR_EXT_SCAN_TIME_MIN 1
#define BT_MESH_RPR_EXT_SCAN_TIME_MAX 21

/** Remote Provisioning status codes (§4.3.4.*, Table 4.269), as sent on the air. */
enum bt_mesh_rpr_status {
    BT_MESH_RPR_SUCCESS,
    BT_MESH_RPR_ERR_SCANNING_CANNOT_START,
    BT_MESH_RPR_ERR_INVALID_STATE,
    BT_MESH_RPR_ERR_LIMITED_RESOURCES,
    BT_MESH_RPR_ERR_LINK_CANNOT_OPEN,
    BT_MESH_RPR_ERR_LINK_OPEN_FAILED,
    BT_MESH_RPR_ERR_LINK_CLOSED_BY_DEVICE,
    BT_MESH_RPR_ERR_LINK_CLOSED_BY_SERVER,
    BT_MESH_RPR_ERR_LINK_CLOSED_BY_CLIENT,
    BT_MESH_RPR_ERR_LINK_CLOSED_AS_CANNOT_RECEIVE_PDU,
    BT_MESH_RPR_ERR_LINK_CLOSED_AS_CANNOT_SEND_PDU,
    BT_MESH_RPR_ERR_LINK_CLOSED_AS_CANNOT_DELIVER_PDU_REPORT,
};

/** Remote Provisioning Server scanning state (Remote Provisioning Scan Parameters). */
enum bt_mesh_rpr_scan {
    BT_MESH_RPR_SCAN_IDLE,
    BT_MESH_RPR_SCAN_MULTI,
    BT_MESH_RPR_SCAN_SINGLE,
};

/** Node Provisioning Protocol Interface procedures (§3.11.8, NPPI values of Link Open). */
enum bt_mesh_rpr_node_refresh {
    /** Change the device key. */
    BT_MESH_RPR_NODE_REFRESH_DEVKEY,
    /** Change the device key and the unicast address; Composition Data may change. */
    BT_MESH_RPR_NODE_REFRESH_ADDR,
    /** Change the device key and make the pending Composition Data (page 128) current. */
    BT_MESH_RPR_NODE_REFRESH_COMPOSITION,
};

/** Remote Provisioning Link state (§4.3.4.8). */
enum bt_mesh_rpr_link_state {
    BT_MESH_RPR_LINK_IDLE,
    BT_MESH_RPR_LINK_OPENING,
    BT_MESH_RPR_LINK_ACTIVE,
    /** Outbound Packet Transfer. */
    BT_MESH_RPR_LINK_SENDING,
    BT_MESH_RPR_LINK_CLOSING,
};

/** A Remote Provisioning Server (or Client) as seen across the mesh. */
struct bt_mesh_rpr_node {
    /** Unicast address of the node's primary element. */
    uint16_t addr;
    /** NetKey Index used to reach it. */
    uint16_t net_idx;
    /** TTL to send with (BT_MESH_TTL_DEFAULT for the node's Default TTL). */
    uint8_t ttl;
};

/** An unprovisioned device a server found. */
struct bt_mesh_rpr_unprov {
    uint8_t uuid[16];
    /** BT_MESH_RPR_UNPROV_HASH when hash is valid. */
    uint8_t flags;
    /** RSSI at the server, in dBm. */
    int8_t rssi;
    /** OOB Information of the device's beacon. */
    bt_mesh_prov_oob_info_t oob;
    /** URI Hash: the 4 octets of the beacon in memory order. */
    uint32_t hash;
};

/** Remote Provisioning Link status. */
struct bt_mesh_rpr_link {
    enum bt_mesh_rpr_status status;
    enum bt_mesh_rpr_link_state state;
};

#ifdef __cplusplus
}
#endif

#endif /* MESHRPR_RPR_H */
