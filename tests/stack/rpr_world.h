/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A simulated mesh for the Remote Provisioning Client: real meshrpr nodes on the deterministic
 * simulator (<meshrpr/sim.h>), joined by explicit radio links with optional loss.
 *
 * Node kinds:
 *  - the provisioner: Configuration Server and Client and the Remote Provisioning Client on
 *    its primary element, a node database (which also holds the servers and relays), and the
 *    struct bt_mesh_prov callbacks recorded in the world;
 *  - servers: Configuration Server and the real Remote Provisioning Server;
 *  - relays: Configuration Server, relaying;
 *  - devices: unprovisioned nodes offered on PB-ADV (beacon with UUID, OOB and URI), optionally
 *    with scannable advertising and a scan response (their name), for Extended Scan;
 *  - fake servers: a test model that answers Remote Provisioning messages as a script says,
 *    records what it receives, and relays a PB-Remote link to a provisionee session running on
 *    its own node, so a whole provisioning runs through it with faults injected on purpose
 *    (duplicated or reordered PDU Reports, missing Outbound Reports, silence).
 *
 * The bt_mesh_prov callbacks have no context, so the world that runs them is found through
 * one test-only pointer (rw_new() sets it).
 */
#ifndef MESHRPR_TEST_RPR_WORLD_H
#define MESHRPR_TEST_RPR_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/mesh.h>

#include "prov/prov.h"
#include <meshrpr/sim.h>

#define RW_MAX_NODES 128
/* rw_new_sized(): the provisioner's run-time capacities (links, sessions, tables). */
#define RW_MAX_LINKS     16
#define RW_BIG_RPL       256
#define RW_BIG_MSG_CACHE 512
#define RW_BIG_CDB       256
#define RW_NET_IDX       0x0000
#define RW_PROV_ADDR     0x0001
#define RW_MAX_SCAN_REC  64
#define RW_MAX_LINK_REC  64
#define RW_MAX_ADDED     32
#define RW_MAX_FAKE_REC  96
#define RW_REC_DATA      80

enum rw_kind {
    RW_PROVISIONER,
    RW_SERVER,
    RW_RELAY,
    RW_DEVICE,
    RW_FAKE_SERVER,
};

/* What a scan_report / ext_scan_failed callback delivered. */
struct rw_scan_rec {
    uint16_t cli; /* the client's node address */
    uint16_t srv;
    bool ext;
    bool failed; /* ext_scan_failed */
    uint8_t status;
    struct bt_mesh_rpr_unprov unprov;
    size_t adv_len;
    uint8_t adv[RW_REC_DATA];
    uint64_t t_ms;
};

/* What link_changed delivered. */
struct rw_link_rec {
    uint16_t cli;
    uint16_t srv;
    struct bt_mesh_rpr_link link;
    int reason;
    uint64_t t_ms;
};

/* A node_added callback. */
struct rw_added {
    uint16_t net_idx;
    uint8_t uuid[16];
    uint16_t addr;
    uint8_t elems;
    uint64_t t_ms;
};

/* One message a fake server received. */
struct rw_fake_rec {
    uint32_t op;
    uint16_t src;
    uint64_t t_ms;
    uint16_t len;
    uint8_t data[RW_REC_DATA];
};

struct rw_node;

/* A PB-Remote link relayed by a fake server to the provisionee session on its own node. */
struct rw_fake_link {
    struct meshrpr_prov_link link; /* first: the session sees this */
    struct rw_node *rn;
};

/* One reliable message of a fake server waiting for (or in) transmission. */
struct rw_fake_tx {
    bool used;
    bool sending;
    bool completes_pdu; /* a PDU Report: its end completes the provisionee's send */
    uint32_t seq;
    uint16_t len;
    uint8_t data[2 + 1 + 66];
};

#define RW_FAKE_TXQ 12

/* A fake Remote Provisioning Server's script and state. */
struct rw_fake {
    /* Script. */
    bool mute;             /* answer nothing at all */
    uint8_t caps_max_devs; /* Scan Capabilities Status */
    bool caps_active;
    uint8_t scan_status;       /* Status of Scan Status */
    bool report_on_get;        /* answer Scan Get with a Scan Report (and no Scan Status) */
    uint8_t open_status;       /* Status of the Link Status answering Link Open */
    bool ignore_open;          /* the device never answers: Link Open Failed after 10 s */
    bool silent_after_open;    /* after the Link Report (Active), answer and report nothing
                                * (the node still acknowledges segments) */
    bool dup_pdu_reports;      /* every PDU Report is sent twice */
    uint8_t skip_outbound;     /* leave out the Outbound Report of this PDU number (0: none) */
    uint8_t silent_from;       /* ignore PDU Sends numbered from this one on (0: never) */
    uint8_t swap_at;           /* send PDU Report swap_at + 1 before swap_at (0: never) */
    bool device_out_of_order;  /* the device answers Invite with a Public Key */
    bool no_link_report_close; /* answer Link Close with Link Status only */

    /* State. */
    bool silenced;
    uint8_t link_state;
    uint16_t cli_addr;
    uint16_t cli_net_idx;
    uint8_t tx_pdu;
    uint8_t rx_pdu;
    struct rw_fake_link dlink; /* the device's link */
    bool dlink_up;
    meshrpr_prov_send_complete_t dcomplete;
    void *dcb_data;
    bool dclose_pending;
    uint8_t dclose_reason;
    bool dcomplete_pending; /* complete the device's send from dev_timer */
    bool held_report;       /* swap_pdu_reports: one PDU Report waits */
    uint8_t held_len;
    uint8_t held[2 + 1 + 66];
    struct rw_fake_tx txq[RW_FAKE_TXQ];
    uint32_t tx_seq;
    struct meshrpr_timer open_timer; /* device answers (or fails to) */
    struct meshrpr_timer dev_timer;  /* the device session's deferred link_closed */
    struct meshrpr_timer tx_timer;

    /* What it received. */
    struct rw_fake_rec recs[RW_MAX_FAKE_REC];
    size_t rec_count;
    unsigned pdu_send_count;
};

struct rw_node {
    struct meshrpr_node node;
    struct rpr_world *w;
    enum rw_kind kind;
    int index;
    int sim_id;
    uint16_t addr;
    uint8_t dev_key[16];
    uint8_t uuid[16];
    char uri[32];
    char name[16];

    struct bt_mesh_comp comp;
    struct bt_mesh_elem elem;
    /* Up to four models on the primary element: the kind's models, then (the provisioner of
     * rw_new_self_server()) a Remote Provisioning Server, or a test's extra model. */
    struct bt_mesh_model models[4];
    struct bt_mesh_model_rt_ctx rt[4];
    struct meshrpr_cfg_srv cfg_srv;
    struct bt_mesh_cfg_cli cfg_cli;
    struct bt_mesh_rpr_cli rpr_cli;
    struct meshrpr_rpr_srv rpr_srv;
    struct rw_fake fake;
    struct meshrpr_node_config cfg;
    struct bt_mesh_prov prov;
    bool nppi; /* offers NPPI (meshrpr_prov_enable(BT_MESH_PROV_REMOTE)) */

    /* Scannable advertising (devices): AdvData sent every adv_interval_ms. */
    uint8_t adv[31];
    uint8_t adv_len;
    uint8_t adv_type;
    uint32_t adv_interval_ms;
    uint64_t adv_next_ms;
};

/* A scripted PB-ADV device (not a mesh node, MshPRTv1.1 §5.3): it accepts a Link Open for its
 * UUID unless told to ignore it, and answers the first Provisioning PDU it gets (the Invite)
 * with `answer` instead of Capabilities. */
#define RW_MAX_SCRIPT 2

struct rw_script {
    struct rpr_world *w;
    int sim_id;
    uint8_t uuid[16];
    bool ignore_open;
    uint8_t answer[66];
    uint8_t answer_len;
    /* Link and transactions. */
    bool open;
    uint32_t link_id;
    bool rx_any;
    uint8_t rx_last;
    bool tx_busy;
    uint64_t tx_next_ms;
    /* What it heard. */
    unsigned link_open_rx;
    unsigned pdus_rx;
    unsigned link_close_rx;
};

struct rpr_world {
    struct meshrpr_sim sim;
    struct rw_script scripts[RW_MAX_SCRIPT];
    int script_count;
    /* The provisioner's client, when the test brings its own (the documentation's examples). */
    struct bt_mesh_rpr_cli *cli;
    /* The provisioner also hosts a Remote Provisioning Server (rw_new_self_server()). */
    bool prov_has_srv;
    struct meshrpr_cdb cdb;
    uint8_t net_key[16];
    struct rw_node nodes[RW_MAX_NODES];
    int count;
    /* rw_new_sized(): the simulator's node table and the provisioner's run-time capacities. */
    struct meshrpr_sim_node sim_nodes[RW_MAX_NODES];
    struct meshrpr_cdb_node cdb_nodes[RW_BIG_CDB];
    struct meshrpr_rpl_entry prov_rpl[RW_BIG_RPL];
    struct meshrpr_msg_cache_entry prov_msg_cache[RW_BIG_MSG_CACHE];
    struct meshrpr_prov_session prov_sessions[RW_MAX_LINKS];
    /* One outgoing segmented transfer per link (its PDU Send) and a few for configuration;
     * one incoming one per server reporting. */
    struct meshrpr_sar_tx_ctx prov_sar_tx[RW_MAX_LINKS + 4];
    struct meshrpr_sar_rx_ctx prov_sar_rx[RW_MAX_LINKS + 8];
    struct meshrpr_rpr_cli_link cli_links[RW_MAX_LINKS];
    struct meshrpr_node_capacity prov_cap;
    size_t sized_links; /* 0: a world of the built-in capacities */

    /* The provisioner's callbacks. */
    struct rw_scan_rec scans[RW_MAX_SCAN_REC];
    size_t scan_count;
    struct rw_link_rec links[RW_MAX_LINK_REC];
    size_t link_count;
    struct rw_added added[RW_MAX_ADDED];
    size_t added_count;
    unsigned link_open_count;
    unsigned link_close_count;
    uint8_t last_link_bearer;
    unsigned dev_reset_count;
    /* reprovisioned callbacks of NPPI servers (rw_add_nppi_server) and of a self-serving
     * provisioner, and the address the last one reported. */
    unsigned reprov_count;
    uint16_t reprov_addr;
    unsigned caps_count; /* capabilities callbacks, and the time of the last one */
    uint64_t caps_t_ms;
    /* Authentication the provisioner picks: Input OOB (the device enters a number) when set,
     * else none. The number shown, and the node that enters it. */
    bool auth_input;
    uint32_t oob_number;
    int input_node;
    /* Called from scan_report after recording (may be NULL). */
    void (*on_scan)(struct rpr_world *w, const struct bt_mesh_rpr_node *srv,
                    const struct bt_mesh_rpr_unprov *unprov);
    void *user;
};

/* A new world (calloc'ed; free with rw_free) with a provisioner at RW_PROV_ADDR (node 0). */
struct rpr_world *rw_new(uint64_t seed);
/* The same, with the provisioner's Remote Provisioning Client model running the caller's
 * instance (whose callbacks the world then does not record). */
struct rpr_world *rw_new_with_cli(uint64_t seed, struct bt_mesh_rpr_cli *cli);
/* A world for up to RW_MAX_NODES nodes whose provisioner runs `links` PB-Remote links at once
 * (1..RW_MAX_LINKS; meshrpr_rpr_cli_links_set() and as many provisioner sessions) with a
 * RW_BIG_RPL-entry replay list, a RW_BIG_MSG_CACHE-entry message cache and a RW_BIG_CDB-node
 * database, all run-time capacities. */
struct rpr_world *rw_new_sized(uint64_t seed, size_t links);
void rw_free(struct rpr_world *w);
/* A world whose provisioner also hosts a Remote Provisioning Server (as its fourth model) and
 * accepts NPPI on it, so its client can refresh the provisioner itself (Zephyr's same_dev). */
struct rpr_world *rw_new_self_server(uint64_t seed);

/* The provisioner, its client, and the node database entry helpers. */
struct rw_node *rw_prov(struct rpr_world *w);
struct bt_mesh_rpr_cli *rw_cli(struct rpr_world *w);

/* Add a provisioned Remote Provisioning Server, relay or fake server at addr (added to the
 * provisioner's database). Returns the node index. */
int rw_add_server(struct rpr_world *w, uint16_t addr);
int rw_add_relay(struct rpr_world *w, uint16_t addr);
/* Turn a server's relaying on or off (off by default: servers only relay when a test needs to
 * reach the devices behind them). */
void rw_relay(struct rpr_world *w, int i, bool enabled);
int rw_add_fake(struct rpr_world *w, uint16_t addr, const uint8_t dev_uuid[16]);
/* A Remote Provisioning Server that accepts NPPI (its bt_mesh_prov has a UUID and records the
 * reprovisioned callback in the world; meshrpr_prov_enable(BT_MESH_PROV_REMOTE) done), with
 * optional storage (NULL: none) given before it is provisioned. Returns the node index. */
int rw_add_nppi_server(struct rpr_world *w, uint16_t addr, const struct meshrpr_storage *storage);
/* Restart node i from its storage: meshrpr_node_deinit() then meshrpr_node_init() with the
 * node's configuration (w->nodes[i].cfg, which a test may change first, as a firmware update
 * would), and NPPI enabled again when the node offered it. @return meshrpr_node_init()'s. */
int rw_restart(struct rpr_world *w, int i);
/* Another Remote Provisioning Client node (Configuration Server + RPR Client) using the
 * world's database for device keys; its callbacks are recorded like the provisioner's. */
int rw_add_client(struct rpr_world *w, uint16_t addr);
/* A scripted PB-ADV device; returns its index in scripts[]. Link it with rw_link_script(). */
int rw_add_script(struct rpr_world *w, const uint8_t uuid[16]);
void rw_link_script(struct rpr_world *w, int node, int script, double loss);
/* Add an unprovisioned device offered on PB-ADV. uri may be NULL. Returns the node index. */
int rw_add_device(struct rpr_world *w, const uint8_t uuid[16], uint16_t oob, const char *uri);
/* Scannable advertising (MESHRPR_ADV_IND or MESHRPR_ADV_SCAN_IND) every interval_ms, with a
 * scan response (AD structures). */
void rw_device_adv(struct rpr_world *w, int d, uint8_t adv_type, const uint8_t *adv, size_t adv_len,
                   const uint8_t *rsp, size_t rsp_len, uint32_t interval_ms);

/* Node i (a device or a fake server) offers Input OOB (Enter Number, 4 digits) and the
 * provisioner picks it: the provisioner shows the number, the node's input callback types it. */
void rw_input_oob(struct rpr_world *w, int i);

/* Explicit radio links (a and b are node indexes); loss 0..1. */
void rw_link(struct rpr_world *w, int a, int b, double loss);

/* The bt_mesh_rpr_node of a server node, as the documentation writes it. */
struct bt_mesh_rpr_node rw_srv(const struct rpr_world *w, int i);

/* Run the world for ms; run until pred(w, arg) holds or max_ms passes (returns pred). */
void rw_run(struct rpr_world *w, uint64_t ms);
bool rw_run_until(struct rpr_world *w, bool (*pred)(struct rpr_world *w, void *arg), void *arg,
                  uint64_t max_ms);
uint64_t rw_now_ms(const struct rpr_world *w);

/* Stop the unprovisioned devices' offers, then whether every node is idle. */
bool rw_idle(struct rpr_world *w);
/* Run up to max_ms until every node is idle. */
bool rw_settle(struct rpr_world *w, uint64_t max_ms);

/* Number of node_added callbacks for a UUID. */
unsigned rw_added_count(const struct rpr_world *w, const uint8_t uuid[16]);
/* Radio packets sent so far by every node. */
uint64_t rw_packets(const struct rpr_world *w);

/* Fake server helpers: messages of opcode op it received (nth, 0-based), and their count. */
const struct rw_fake_rec *rw_fake_find(const struct rpr_world *w, int i, uint32_t op, size_t nth);
size_t rw_fake_count(const struct rpr_world *w, int i, uint32_t op);
/* Send a message from the fake server to the provisioner (reliable: segmented). */
int rw_fake_send(struct rpr_world *w, int i, uint32_t op, const uint8_t *params, size_t len,
                 bool rel);

#endif /* MESHRPR_TEST_RPR_WORLD_H */
