/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small world of real meshrpr nodes in the simulator, for scenario tests: each node has one
 * element with a vendor test model (CID 0xFFFF, reserved for tests) that records what it
 * receives and answers ECHO requests, and the world acts as the provisioner's database for
 * device keys.
 */
#ifndef MESHRPR_TEST_WORLD_H
#define MESHRPR_TEST_WORLD_H

#include <meshrpr/node.h>

#include <meshrpr/sim.h>

#define WORLD_MAX_NODES   8
#define WORLD_TEST_CID    0xffff
#define WORLD_OP_ECHO     BT_MESH_MODEL_OP_3(0x01, WORLD_TEST_CID)
#define WORLD_OP_ECHO_RSP BT_MESH_MODEL_OP_3(0x02, WORLD_TEST_CID)
#define WORLD_OP_DATA     BT_MESH_MODEL_OP_3(0x03, WORLD_TEST_CID)

struct world;

struct world_node {
    struct meshrpr_node node;
    struct world *world;
    int sim_id;
    struct bt_mesh_comp comp;
    struct bt_mesh_elem elem;
    struct bt_mesh_model vnd_model;
    struct bt_mesh_model_rt_ctx rt;
    struct meshrpr_node_config cfg;
    struct meshrpr_storage_file storage;
    bool has_storage;
    uint8_t dev_key[16];

    /* What the test model saw. */
    unsigned data_count;
    unsigned echo_count;
    unsigned echo_rsp_count;
    uint8_t last[BT_MESH_RX_SDU_MAX];
    size_t last_len;
    struct bt_mesh_msg_ctx last_ctx;
};

struct world {
    struct meshrpr_sim sim;
    struct world_node nodes[WORLD_MAX_NODES];
    int count;
};

/* A new world (calloc'ed; free with world_free). */
struct world *world_new(uint64_t seed);
void world_free(struct world *w);

/* Add a node at (x, y); storage_dir may be NULL. Returns its index. */
int world_add(struct world *w, const char *name, double x_m, double y_m, const char *storage_dir);

/* Provision node i with a NetKey, IV Index 0 and address; its device key is derived from i. */
void world_provision(struct world *w, int i, uint16_t net_idx, const uint8_t net_key[16],
                     uint16_t addr);

/* Send from node i's test model. */
int world_send(struct world *w, int i, uint16_t net_idx, uint16_t app_idx, uint16_t dst,
               uint32_t opcode, const uint8_t *payload, size_t len);

/* Run the world for duration_ms of virtual time. */
void world_run(struct world *w, uint32_t duration_ms);

/* Whether every node is idle. */
bool world_idle(const struct world *w);

#endif /* MESHRPR_TEST_WORLD_H */
