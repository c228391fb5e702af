/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Remote Provisioning Client state of one model instance (not API). Owned by
 * src/models/rpr_cli.c and embedded in struct bt_mesh_rpr_cli (include/meshrpr/rpr_cli.h): the
 * two request contexts (scanning, and the Link Get/Close calls) and the PB-Remote links, each
 * one a provisioning bearer link through a different Remote Provisioning Server. Complete types
 * so applications can allocate clients; treat every field as private. A zeroed struct is valid
 * before the model's init callback runs.
 */
#ifndef MESHRPR_PRIVATE_RPR_CLI_H
#define MESHRPR_PRIVATE_RPR_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include <meshrpr/config.h>

#include <meshrpr/rpr.h>
#include <meshrpr/timer.h>

#include <meshrpr/private/msg_ack.h>
#include <meshrpr/private/prov_bearer.h>

/** PB-Remote links one client runs at once, each through a different server (Zephyr allows
 *  one, ESP-IDF up to five). Every link also needs a provisioner session
 *  (MESHRPR_PROV_SESSION_COUNT). */
#ifndef MESHRPR_RPR_CLI_LINK_COUNT
#define MESHRPR_RPR_CLI_LINK_COUNT 4
#endif
MESHRPR_STATIC_ASSERT(MESHRPR_RPR_CLI_LINK_COUNT >= 1 && MESHRPR_RPR_CLI_LINK_COUNT <= 64,
                      "Remote Provisioning Client link count");

/** Most links a table given to meshrpr_rpr_cli_links_set() may hold. */
#define MESHRPR_RPR_CLI_LINKS_MAX 1024

/* Largest Provisioning PDU carried by PDU Send and PDU Report (type octet included). */
#define MESHRPR_RPR_CLI_PDU_MAX 66

struct bt_mesh_rpr_cli;
struct meshrpr_rpr_cli_open_wait;

/* One PB-Remote link (MshPRTv1.1 §5.2.3): the client end of the provisioning bearer whose far
 * end is a Remote Provisioning Server. The bearer-independent part comes first, so a
 * struct meshrpr_prov_link pointer converts back to this struct. */
struct meshrpr_rpr_cli_link {
    struct meshrpr_prov_link link;
    struct bt_mesh_rpr_cli *cli;
    struct bt_mesh_rpr_node srv;
    uint8_t state;      /* LINK_* in rpr_cli.c; 0: the slot is free */
    uint8_t srv_state;  /* enum bt_mesh_rpr_link_state last reported to the application */
    uint8_t srv_status; /* enum bt_mesh_rpr_status of the last Link Status / Link Report */
    bool nppi;          /* Link Open carried an NPPI procedure instead of a UUID */
    uint8_t procedure;  /* enum bt_mesh_rpr_node_refresh */
    uint16_t nppi_addr; /* NPPI: the node's primary address before the procedure */
    /* NPPI: what Provisioning Complete confirmed, committed to the node database when the
     * link ends (until then the server still answers with its old identity). */
    bool nppi_done;
    /* NPPI: the server confirmed our Link Close (Success) while in the link (Link Status
     * Closing, or Link Report Link Closed by Client): the node took the refresh. Only then does
     * the database change. */
    bool nppi_confirmed;
    /* The target's database entry is marked MESHRPR_CDB_PENDING_REFRESH (before the data). */
    bool nppi_marked;
    /* Link Open answered "Success, Active" without the Link Report a new link brings: the
     * server's link may be a stale one of ours from before a restart (§4.4.5). */
    bool active_unconfirmed;
    bool stale_reopen;  /* such a link was closed to open it again (done once at most) */
    bool stale_closing; /* ... and its Link Close is under way */
    bool saw_opening;   /* a Link Status or Report said Link Opening */
    bool srv_answered;  /* the server answered the Link Open (a Link Status or Report) */
    uint8_t nppi_elems;
    uint16_t nppi_new_addr;
    uint16_t nppi_net_idx;
    uint8_t nppi_dev_key[16];
    uint8_t uuid[16];
    uint8_t open_timeout_s; /* Link Open's LinkOpenTimeout (10: the default, not sent) */
    uint8_t open_tx;        /* Link Open transmissions so far */
    bool oob_io;            /* Input or Output OOB: the link timer is 120 s */

    /* Closing: the reason given to the session, Link Close transmissions so far. */
    uint8_t close_reason; /* enum meshrpr_prov_link_status */
    uint8_t close_tx;
    bool close_acked;  /* the server answered our Link Close */
    bool session_done; /* link_closed was delivered to the session */

    /* Outbound: one Provisioning PDU in flight, numbered from 1 (§4.4.5.5.2). */
    uint8_t tx_number;  /* OutboundPDUNumber of the PDU in flight, or of the next one */
    bool tx_busy;       /* a PDU waits for its PDU Outbound Report */
    bool tx_sent;       /* its PDU Send went to the lower transport at least once */
    bool sar_pending;   /* a PDU Send (this PDU's or the previous one's) is with the lower
                         * transport */
    uint8_t tx_resends; /* PDU Sends of this PDU after the first */
    uint8_t tx_len;
    uint8_t tx_pdu[MESHRPR_RPR_CLI_PDU_MAX];
    meshrpr_prov_send_complete_t tx_complete;
    void *tx_cb_data;

    /* Inbound: the last InboundPDUNumber delivered, and one PDU that arrived ahead of its
     * predecessor, held until the gap closes. */
    uint8_t rx_number;
    bool rx_held;
    uint8_t rx_held_len;
    uint8_t rx_held_pdu[MESHRPR_RPR_CLI_PDU_MAX];

    struct meshrpr_timer timer; /* link timer: 10 s to open, then 60 s / 120 s; closing */
    struct meshrpr_timer aux;   /* Link Open and PDU Send repeats, deferred release */

    struct meshrpr_rpr_cli_open_wait *waiter; /* a blocked bt_mesh_provision_remote() */
};

/* Everything a client instance keeps besides the application's callbacks. */
struct meshrpr_rpr_cli_priv {
    struct meshrpr_node *node;
    int32_t timeout_ms;                  /* how long a blocking request waits for its answer */
    bool timeout_set;                    /* timeout_ms was set before init */
    struct meshrpr_msg_ack_ctx scan_ack; /* Scan Capabilities Get, Scan Get/Start/Stop */
    struct meshrpr_msg_ack_ctx link_ack; /* Link Get, Link Close */
    struct meshrpr_rpr_cli_link links[MESHRPR_RPR_CLI_LINK_COUNT];
    /* The links in use: NULL for the built-in table above, or the application's
     * (meshrpr_rpr_cli_links_set()), kept across the model's init. */
    struct meshrpr_rpr_cli_link *link_tab;
    uint16_t link_tab_count;
};

#endif /* MESHRPR_PRIVATE_RPR_CLI_H */
