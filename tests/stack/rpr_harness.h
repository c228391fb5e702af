/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Simulator harness for the Remote Provisioning Server tests: real meshrpr nodes on the
 * deterministic simulator (<meshrpr/sim.h>). Clients are provisioned nodes with a vendor test model
 * that sends raw Remote Provisioning messages with the server's device key
 * (BT_MESH_KEY_DEV_REMOTE) and records every server message it gets; servers run the
 * Configuration Server and the Remote Provisioning Server; devices are unprovisioned nodes
 * running the real device role (Unprovisioned Device beacon, PB-ADV, provisionee), optionally
 * with scannable advertising and a scan response; fake devices are scripted PB-ADV devices that
 * misbehave on purpose (no Link ACK, no Transaction Ack, their own Link Close).
 *
 * A test bearer (struct rh_bearer) lets a real provisioner session on a client run over the
 * server's relay (PDU Send / PDU Outbound Report / PDU Report), so a whole provisioning goes
 * through the server without the real Remote Provisioning Client.
 */
#ifndef MESHRPR_TEST_RPR_HARNESS_H
#define MESHRPR_TEST_RPR_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <meshrpr/node.h>
#include <meshrpr/prov.h>
#include <meshrpr/rpr_srv.h>

#include "prov/prov.h"
#include <meshrpr/sim.h>

#define RH_MAX_CLI   2
#define RH_MAX_SRV   2
#define RH_MAX_DEV   6
#define RH_MAX_FAKE  2
#define RH_REC_MAX   96
#define RH_REC_DATA  128
#define RH_TEST_CID  0xffff
#define RH_NET_IDX   0x0000
#define RH_NET_IDX_2 0x0001

/* Addresses: clients 0x0001.., servers 0x0004.. (the documentation's server). */
#define RH_CLI_ADDR(i) ((uint16_t)(0x0001 + (i)))
#define RH_SRV_ADDR(i) ((uint16_t)(0x0004 + (i)))

struct rh;

/* One message a client received. */
struct rh_rec {
    uint32_t op;
    uint16_t src;
    uint16_t net_idx;
    uint64_t t_ms;
    uint16_t len;
    uint8_t data[RH_REC_DATA];
};

struct rh_bearer;

struct rh_cli {
    struct meshrpr_node node;
    int sim_id;
    struct bt_mesh_comp comp;
    struct bt_mesh_elem elem;
    struct bt_mesh_model model;
    struct bt_mesh_model_rt_ctx rt;
    struct meshrpr_node_config cfg;
    struct rh *h;
    struct rh_rec recs[RH_REC_MAX];
    size_t rec_count;
    struct rh_bearer *bearer; /* a provisioner session relayed through a server, or NULL */
};

struct rh_srv {
    struct meshrpr_node node;
    int sim_id;
    struct bt_mesh_comp comp;
    struct bt_mesh_elem elem;
    struct meshrpr_node_config cfg;
    struct bt_mesh_prov prov;
    uint8_t uuid[16];
    uint8_t dev_key[16];
};

struct rh_dev {
    struct meshrpr_node node;
    int sim_id;
    struct bt_mesh_comp comp;
    struct bt_mesh_elem elem;
    struct meshrpr_node_config cfg;
    struct bt_mesh_prov prov;
    uint8_t uuid[16];
    char uri[32];
    /* Scannable advertising sent every raw_interval_ms (0: none). */
    uint8_t raw[31];
    uint8_t raw_len;
    uint8_t raw_type;
    uint32_t raw_interval_ms;
    uint64_t raw_next_ms;
};

/* A scripted PB-ADV device. */
struct rh_fake {
    struct rh *h;
    int sim_id;
    uint8_t uuid[16];
    bool ignore_link_open;
    bool no_ack;   /* never send Transaction Acks: answer with the next PDU at once */
    bool no_reply; /* never answer a PDU (and, with no_ack, never acknowledge it) */
    bool open;
    uint32_t link_id;
    uint8_t next_tn;
    bool rx_any;
    uint8_t rx_last;
    unsigned pdus_rx;
    uint8_t last_pdu[66];
    size_t last_pdu_len;
};

struct rh {
    struct meshrpr_sim sim;
    struct rh_cli cli[RH_MAX_CLI];
    struct rh_srv srv[RH_MAX_SRV];
    struct rh_dev dev[RH_MAX_DEV];
    struct rh_fake fake[RH_MAX_FAKE];
    int cli_count;
    int srv_count;
    int dev_count;
    int fake_count;
    uint8_t net_key[16];
    uint8_t net_key_2[16];
};

/* A world with cli_count clients and srv_count servers, all provisioned on RH_NET_IDX
 * (calloc'ed; free with rh_free). */
struct rh *rh_new(uint64_t seed, int cli_count, int srv_count);
void rh_free(struct rh *h);

/* An unprovisioned device offered on PB-ADV (beaconing). uri may be NULL. Returns its index. */
int rh_dev_add(struct rh *h, uint8_t uuid_seed, uint16_t oob, const char *uri);
/* Scannable advertising (adv_type MESHRPR_ADV_SCAN_IND or MESHRPR_ADV_IND) and a scan
 * response for device d. */
void rh_dev_set_adv(struct rh *h, int d, uint8_t adv_type, const uint8_t *adv, size_t adv_len,
                    const uint8_t *rsp, size_t rsp_len, uint32_t interval_ms);
/* A scripted device. Returns its index. */
int rh_fake_add(struct rh *h, uint8_t uuid_seed);

/* Send a raw Remote Provisioning message from client c to server s (reliable: segmented). */
int rh_send(struct rh *h, int c, int s, uint32_t op, const uint8_t *params, size_t len, bool rel);

/* Run the world for ms. */
void rh_run(struct rh *h, uint64_t ms);
/* Run until client c has received n messages with opcode op, or max_ms passed.
 * @return true if they arrived. */
bool rh_wait(struct rh *h, int c, uint32_t op, size_t n, uint64_t max_ms);

size_t rh_count(const struct rh *h, int c, uint32_t op);
/* The nth (0-based) message with opcode op client c received, or NULL. */
const struct rh_rec *rh_find(const struct rh *h, int c, uint32_t op, size_t nth);
/* Index in the record log of that message, or -1. */
int rh_index(const struct rh *h, int c, uint32_t op, size_t nth);
void rh_clear(struct rh *h, int c);

/* Every node idle (devices: with their PB-ADV offer withdrawn first). */
bool rh_all_idle(struct rh *h);
/* Stop the devices' beacons so they can become idle. */
void rh_devs_quiet(struct rh *h);

/* Full explicit connectivity (so single links can be cut afterwards). */
void rh_links_all(struct rh *h);
int rh_cli_sim(const struct rh *h, int c);
int rh_srv_sim(const struct rh *h, int s);

/* ---- Test bearer: a provisioner session on client c through server s -------------------- */

struct rh_bearer {
    struct meshrpr_prov_link link; /* first: the session sees this */
    struct rh *h;
    int c;
    int s;
    bool opening;
    bool open;
    bool closed;
    uint8_t tx_num; /* last Outbound Report number accepted */
    uint8_t rx_num; /* last PDU Report number delivered */
    bool tx_pending;
    meshrpr_prov_send_complete_t complete;
    void *cb_data;
    uint8_t close_reason;
    /* Provisioning outcome. */
    bool provisioned;
    uint8_t dev_key[16];
    uint16_t addr;
};

/* Start provisioning uuid at addr through server s: Link Open now, Invite once the server
 * reports the link active. @return 0 or a negative errno. */
int rh_bearer_provision(struct rh *h, struct rh_bearer *b, int c, int s, const uint8_t uuid[16],
                        uint16_t addr);

#endif /* MESHRPR_TEST_RPR_HARNESS_H */
