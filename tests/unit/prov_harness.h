/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test harness for the Provisioning Protocol: one provisioner node and up to H_MAX_DEV device
 * nodes on fake platforms sharing one clock, joined pairwise by an in-memory provisioning
 * bearer. Each side's ops->send queues the PDU for the other side; h_pump() delivers queued
 * events (the sender's send completion, then the receiver's recv), so the test controls every
 * step. A tamper hook rewrites PDUs in flight (attacker devices), and PDUs can be dropped.
 */
#ifndef MESHRPR_TEST_PROV_HARNESS_H
#define MESHRPR_TEST_PROV_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fake_platform.h"
#include "prov/prov.h"

#include <meshrpr/cdb.h>
#include <meshrpr/node.h>
#include <meshrpr/prov.h>

#define H_MAX_DEV   3
#define H_MAX_SENT  16
#define H_MAX_EV    64
#define H_PDU_MAX   80
#define H_PROV_ADDR 0x0001

/* Sample values of MshPRTv1.1 §8.17 (spec-vectors.md §1). */
#define H_SAMPLE_NET_KEY  "efb2255e6422d330088e09bb015ed707"
#define H_SAMPLE_NET_IDX  0x0567
#define H_SAMPLE_IV_INDEX 0x01020304u
#define H_SAMPLE_ADDR     0x0b0c
#define H_PRIV_PROV       "06a516693c9aa31a6084545d0c5db641b48572b97203ddffb7ac73f7d0457663"
#define H_PRIV_DEV        "529aa0670d72cd6497502ed473502b037e8803b5c60829a5a3caa219505530ba"
#define H_PUB_PROV                                                                                 \
    "2c31a47b5779809ef44cb5eaaf5c3e43d5f8faad4a8794cb987e9b03745c78dd"                             \
    "919512183898dfbecd52e2408e43871fd021109117bd3ed4eaf8437743715d4f"
#define H_PUB_DEV                                                                                  \
    "f465e43ff23d3f1b9dc7dfc04da8758184dbc966204796eccf0d6cf5e16500cc"                             \
    "0201d048bcbbd899eeefc424164e33c201c2b010ca6b4d43a8a155cad8ecb279"

enum { H_PROV = 0, H_DEV = 1 }; /* sides of a pair */

struct h_link {
    struct meshrpr_prov_link link; /* first: the session sees this */
    struct harness *h;
    int pair;
    int side;
    bool pending; /* a send awaits completion */
    meshrpr_prov_send_complete_t complete;
    void *cb_data;
    bool closed; /* link_closed delivered */
    int close_calls;
    uint8_t close_reason; /* reason given to ops->close (first call) */
};

struct h_ev {
    uint8_t kind; /* H_EV_* in prov_harness.c */
    uint8_t pair;
    uint8_t to;
    uint8_t reason;
    uint8_t len;
    uint8_t pdu[H_PDU_MAX];
};

/* Rewrite a PDU from side `from` of `pair` before it is delivered (len may change, <= H_PDU_MAX);
 * return false to drop it. */
typedef bool (*h_tamper_t)(struct harness *h, int pair, int from, uint8_t *pdu, size_t *len);

struct harness {
    struct fake_platform fp[1 + H_MAX_DEV];
    struct meshrpr_node node[1 + H_MAX_DEV]; /* 0: provisioner; 1 + i: device of pair i */
    struct bt_mesh_elem elem[1 + H_MAX_DEV][4];
    struct bt_mesh_comp comp[1 + H_MAX_DEV];
    struct meshrpr_node_config cfg[1 + H_MAX_DEV];
    struct bt_mesh_prov prov[1 + H_MAX_DEV];
    uint8_t uuid[1 + H_MAX_DEV][16];
    struct meshrpr_cdb cdb;
    int dev_count;

    struct h_link link[H_MAX_DEV][2];
    bool closing[H_MAX_DEV];
    struct h_ev ev[H_MAX_EV];
    size_t ev_count;

    /* Every PDU each side sent, as handed to ops->send. */
    uint8_t sent[H_MAX_DEV][2][H_MAX_SENT][H_PDU_MAX];
    size_t sent_len[H_MAX_DEV][2][H_MAX_SENT];
    size_t sent_n[H_MAX_DEV][2];
    /* Every PDU each side received. */
    size_t recv_n[H_MAX_DEV][2];

    h_tamper_t tamper;
    bool silent[H_MAX_DEV][2]; /* this side's PDUs are lost (its sends still complete) */
    uint64_t now_ms;
};

/* Fresh nodes: the provisioner provisioned with the §8.17 NetKey, index 0x0567, IV Index
 * 0x01020304 at H_PROV_ADDR, with an empty node database; dev_count unprovisioned devices of
 * dev_elems elements (UUIDs 70cf7c97-32a3-45b6-9149-4810d2e9cbf4, then variants). The
 * bt_mesh_prov structs h->prov[] are zeroed except the devices' uuid: fill them before
 * h_start(). */
void h_init(struct harness *h, int dev_count, uint8_t dev_elems);

/* Start a provisioner session for pair (towards its device's UUID) and the device session, and
 * report the link open to the provisioner (delivered by the next h_pump()).
 * @return the provisioner start's result. */
int h_start(struct harness *h, int pair, uint16_t addr, uint8_t attention_s);
/* The sessions of a pair, for test injection (valid between h_start and the link close). */
struct meshrpr_prov_session *h_session(struct harness *h, int pair, int side);

/* Deliver queued events until none is left. */
void h_pump(struct harness *h);
/* Advance the shared clock by ms, firing timers in order and pumping after each. */
void h_run_for(struct harness *h, uint64_t ms);
/* Whether every node is idle and no link is open. */
bool h_idle(struct harness *h);

/* The n-th PDU of a given type sent by a side (n from 0), or NULL. */
const uint8_t *h_sent_type(struct harness *h, int pair, int side, uint8_t type, int n, size_t *len);
/* How many PDUs of a type a side sent. */
int h_sent_count(struct harness *h, int pair, int side, uint8_t type);

#endif /* MESHRPR_TEST_PROV_HARNESS_H */
