/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Remote Provisioning Server state of one model instance (not API). Owned by
 * src/models/rpr_srv.c; allocated by BT_MESH_MODEL_RPR_SRV (include/meshrpr/rpr_srv.h). A zeroed
 * struct is valid before the model's init callback runs.
 */
#ifndef MESHRPR_PRIVATE_RPR_SRV_H
#define MESHRPR_PRIVATE_RPR_SRV_H

#include <stdbool.h>
#include <stdint.h>

#include <meshrpr/config.h>

#include <meshrpr/timer.h>

#include <meshrpr/private/prov_bearer.h>

struct bt_mesh_model;
struct meshrpr_node;

/** Size of the table of scanned devices, reported as MaxScannedItems (§4.3.4.2: at least 4). */
#ifndef MESHRPR_RPR_SRV_SCANNED_ITEMS
#define MESHRPR_RPR_SRV_SCANNED_ITEMS 4
#endif
MESHRPR_STATIC_ASSERT(MESHRPR_RPR_SRV_SCANNED_ITEMS >= 4 && MESHRPR_RPR_SRV_SCANNED_ITEMS <= 255,
                      "MaxScannedItems is 4..255 (MshPRTv1.1 §4.3.4.2)");

/** Room for the AD structures an Extended Scan collects (at most 378 - 19, the largest
 *  Extended Scan Report). 62 holds two full legacy AD structures, e.g. a name and a URI. */
#ifndef MESHRPR_RPR_SRV_AD_DATA_MAX
#define MESHRPR_RPR_SRV_AD_DATA_MAX 62
#endif
MESHRPR_STATIC_ASSERT(MESHRPR_RPR_SRV_AD_DATA_MAX >= 3 && MESHRPR_RPR_SRV_AD_DATA_MAX <= 359,
                      "Extended Scan AD data: 3..359 octets");

/** Reliable messages the server may have waiting or in flight at once (Link Reports, PDU
 *  Outbound Reports, PDU Reports, one Scan Report, Extended Scan Reports). */
#ifndef MESHRPR_RPR_SRV_TX_COUNT
#define MESHRPR_RPR_SRV_TX_COUNT 8
#endif
MESHRPR_STATIC_ASSERT(MESHRPR_RPR_SRV_TX_COUNT >= 4 && MESHRPR_RPR_SRV_TX_COUNT <= 64,
                      "Remote Provisioning Server message queue");

/* Largest queued message: a PDU Report (2-octet opcode, PDU number, a 66-octet Provisioning
 * PDU) or an Extended Scan Report (opcode, Status, UUID, OOB Information, AD structures). */
#define MESHRPR_RPR_SRV_PDU_REPORT_MAX (2 + 1 + 66)
#define MESHRPR_RPR_SRV_EXT_REPORT_MAX (2 + 1 + 16 + 2 + MESHRPR_RPR_SRV_AD_DATA_MAX)
#define MESHRPR_RPR_SRV_MSG_MAX                                                                    \
    (MESHRPR_RPR_SRV_EXT_REPORT_MAX > MESHRPR_RPR_SRV_PDU_REPORT_MAX                               \
         ? MESHRPR_RPR_SRV_EXT_REPORT_MAX                                                          \
         : MESHRPR_RPR_SRV_PDU_REPORT_MAX)

/* A client as the server sees it: where its reports go. */
struct meshrpr_rpr_srv_peer {
    uint16_t addr; /* BT_MESH_ADDR_UNASSIGNED: none */
    uint16_t net_idx;
};

/* One row of the Remote Provisioning Scanned Items table. */
struct meshrpr_rpr_srv_dev {
    uint8_t uuid[16];
    uint8_t flags; /* RPR_DEV_* in rpr_srv.c */
    int8_t rssi;
    uint16_t oob;
    uint8_t hash[4];
};

struct meshrpr_rpr_srv;

/* One reliable (segmented, acknowledged) message waiting for or in transmission. */
struct meshrpr_rpr_srv_tx {
    struct meshrpr_rpr_srv *srv;
    uint32_t seq; /* queue order */
    uint16_t dst;
    uint16_t net_idx;
    uint16_t opcode;
    uint8_t state; /* TX_* in rpr_srv.c */
    uint8_t retries;
    uint8_t report_tries;   /* Scan Report sent again after its transfer failed */
    uint64_t not_before_ms; /* ... not before this time */
    uint8_t gen;            /* link_gen when queued: a late completion never touches a newer link */
    bool nppi_pdu;          /* a PDU Report of the local provisionee: completes its send; the Link
                             * Report ending an NPPI link: hands the close to the provisionee */
    uint16_t len;
    uint8_t data[MESHRPR_RPR_SRV_MSG_MAX];
};

struct meshrpr_rpr_srv {
    const struct bt_mesh_model *model;
    struct meshrpr_node *node;

    /* ---- Regular scan (§4.4.5.5.1) ---- */
    uint8_t scan_state; /* enum bt_mesh_rpr_scan */
    uint8_t scan_max_devs;
    uint64_t scan_end_ms;
    struct meshrpr_rpr_srv_peer scan_cli;
    struct meshrpr_rpr_srv_dev devs[MESHRPR_RPR_SRV_SCANNED_ITEMS];
    struct meshrpr_timer scan_timer;   /* the scan's Timeout */
    struct meshrpr_timer report_timer; /* random delay before reporting a new device */
    bool report_go;                    /* the delay passed: report found devices in turn */

    /* ---- Extended scan (§4.4.5.5.1.7) ---- */
    bool ext_active;
    struct meshrpr_rpr_srv_peer ext_cli;
    uint8_t ext_uuid[16];
    uint8_t ext_types[16];
    uint8_t ext_count;
    uint32_t ext_collected; /* bit i: an AD structure of ext_types[i] is in ext_ad */
    bool ext_found;         /* the device's Unprovisioned Device beacon was heard */
    bool ext_has_addr;
    bool ext_has_hash;
    bool ext_uri_matched;
    bool ext_active_set; /* we switched the scanner to active scanning */
    uint8_t ext_addr[6];
    uint8_t ext_addr_type;
    uint16_t ext_oob;
    uint8_t ext_hash[4];
    uint16_t ext_ad_len;
    uint8_t ext_ad[MESHRPR_RPR_SRV_AD_DATA_MAX];
    struct meshrpr_timer ext_timer;

    /* ---- Link (§4.4.5.5.2) ---- */
    uint8_t link_state; /* enum bt_mesh_rpr_link_state */
    uint8_t link_status;
    bool link_nppi;
    uint8_t link_procedure;
    bool link_has_reason;
    uint8_t link_reason;
    bool link_closing_by_server; /* we closed the PB-ADV link (status already chosen) */
    struct meshrpr_rpr_srv_peer link_cli;
    uint8_t link_uuid[16];
    uint8_t tx_pdu;   /* RemoteProvisioningOutboundPDUCount */
    uint8_t rx_pdu;   /* RemoteProvisioningInboundPDUCount */
    uint8_t link_gen; /* counts links, to tell a late event of an old link */
    struct meshrpr_prov_link *adv_link;
    /* No Provisioning PDU either way for this long ends the link (neither side alive). */
    struct meshrpr_timer link_timer;
    /* The local provisionee's bearer (NPPI). */
    struct meshrpr_prov_link nppi_link;
    meshrpr_prov_send_complete_t nppi_complete;
    void *nppi_cb_data;
    bool nppi_close_pending;
    uint8_t nppi_close_reason;
    struct meshrpr_timer nppi_timer; /* runs the provisionee's link_closed outside its calls */
    const struct meshrpr_rpr_srv_nppi *nppi;
    void *nppi_ctx;

    /* ---- Reliable messages ---- */
    struct meshrpr_rpr_srv_tx tx[MESHRPR_RPR_SRV_TX_COUNT];
    uint32_t tx_seq;
    struct meshrpr_timer tx_timer; /* sends what is queued, outside the callers' stacks */
};

#endif /* MESHRPR_PRIVATE_RPR_SRV_H */
