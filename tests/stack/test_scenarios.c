/* SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L
/*
 * Scenario tests of the mesh stack in the simulator: real nodes, one virtual clock, fixed
 * seeds. Each test checks what the application sees and ends with every node idle.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"
#include "world.h"

static const uint8_t net_key_0[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
                                       0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
static const uint8_t net_key_1[16] = { 0xf7, 0xa2, 0xa4, 0x4f, 0x8e, 0x8a, 0x80, 0x29,
                                       0x06, 0x4f, 0x17, 0x3d, 0xdc, 0x1e, 0x2b, 0x00 };

/* Settle: long enough for every SAR timer and loopback to finish. */
#define SETTLE_MS 60000

static void assert_world_idle(struct world *w)
{
    world_run(w, SETTLE_MS);
    assert_true(world_idle(w));
}

/* A device-key request and its response across three relays: A - R1 - R2 - R3 - B, each node
 * hearing only its neighbours. */
static void devkey_request_response_three_hops(void **state)
{
    (void)state;
    struct world *w = world_new(1);
    const uint8_t payload[] = { 0xca, 0xfe, 0x01 };
    int a, b;

    meshrpr_sim_set_range(&w->sim, 12.0);
    a = world_add(w, "A", 0, 0, NULL);
    for (int r = 1; r <= 3; r++) {
        char name[8];
        snprintf(name, sizeof(name), "R%d", r);
        world_add(w, name, 10.0 * r, 0, NULL);
    }
    b = world_add(w, "B", 40, 0, NULL);
    for (int i = 0; i < w->count; i++) {
        world_provision(w, i, 0, net_key_0, (uint16_t)(0x0100 + i));
    }

    assert_int_equal(world_send(w, a, 0, BT_MESH_KEY_DEV_REMOTE,
                                meshrpr_node_addr(&w->nodes[b].node), WORLD_OP_ECHO, payload,
                                sizeof(payload)),
                     0);
    world_run(w, 5000);

    assert_int_equal(w->nodes[b].echo_count, 1);
    assert_int_equal(w->nodes[b].last_ctx.app_idx, BT_MESH_KEY_DEV_LOCAL);
    assert_int_equal(w->nodes[b].last_ctx.addr, 0x0100);
    /* Sent with Default TTL 7, decremented by each of the three relays. */
    assert_int_equal(w->nodes[b].last_ctx.recv_ttl, 7 - 3);

    assert_int_equal(w->nodes[a].echo_rsp_count, 1);
    assert_int_equal(w->nodes[a].last_ctx.app_idx, BT_MESH_KEY_DEV_REMOTE);
    assert_int_equal(w->nodes[a].last_ctx.addr, meshrpr_node_addr(&w->nodes[b].node));
    assert_int_equal(w->nodes[a].last_len, sizeof(payload));
    assert_memory_equal(w->nodes[a].last, payload, sizeof(payload));
    /* The relays relayed but did not deliver. */
    for (int r = 1; r <= 3; r++) {
        assert_int_equal(w->nodes[r].echo_count + w->nodes[r].echo_rsp_count, 0);
        assert_true(w->nodes[r].node.net.relay_count > 0);
    }
    assert_world_idle(w);
    world_free(w);
}

/* The largest access message (380 octets: 32 segments) over a link losing 30% of the PDUs
 * arrives once and intact. */
static void max_segmented_message_over_lossy_link(void **state)
{
    (void)state;
    struct world *w = world_new(7);
    uint8_t payload[BT_MESH_TX_SDU_MAX - 3]; /* 3-octet vendor opcode */
    int a, b;

    for (size_t i = 0; i < sizeof(payload); i++) {
        payload[i] = (uint8_t)(i * 31 + 7);
    }
    a = world_add(w, "A", 0, 0, NULL);
    b = world_add(w, "B", 5, 0, NULL);
    meshrpr_sim_set_default_loss(&w->sim, 0.30);
    world_provision(w, a, 0, net_key_0, 0x0001);
    world_provision(w, b, 0, net_key_0, 0x0002);

    assert_int_equal(world_send(w, a, 0, BT_MESH_KEY_DEV_REMOTE, 0x0002, WORLD_OP_DATA, payload,
                                sizeof(payload)),
                     0);
    world_run(w, 30000);
    assert_int_equal(w->nodes[b].data_count, 1);
    assert_int_equal(w->nodes[b].last_len, sizeof(payload));
    assert_memory_equal(w->nodes[b].last, payload, sizeof(payload));
    assert_world_idle(w);
    assert_int_equal(w->nodes[b].data_count, 1);
    world_free(w);
}

/* Captures every Mesh Message PDU node "from" puts on air. */
struct capture {
    int from;
    unsigned count;
    uint8_t pdu[64][29];
    size_t len[64];
};

static void capture_observer(void *arg, const struct meshrpr_sim_radio_event *ev)
{
    struct capture *cap = arg;

    if (ev->kind == MESHRPR_SIM_RADIO_TX && ev->from == cap->from && ev->ad_type == 0x2a &&
        ev->repeat == 0 && cap->count < 64 && ev->len <= 29) {
        memcpy(cap->pdu[cap->count], ev->data, ev->len);
        cap->len[cap->count] = ev->len;
        cap->count++;
    }
}

/* A Network PDU heard again is dropped: at once by the network message cache, and after the
 * cache has forgotten it by the replay protection list. */
static void replayed_network_pdu_rejected(void **state)
{
    (void)state;
    struct world *w = world_new(3);
    struct capture cap = { 0 };
    const uint8_t payload[] = { 0x42 };
    int a, b;

    a = world_add(w, "A", 0, 0, NULL);
    b = world_add(w, "B", 5, 0, NULL);
    world_provision(w, a, 0, net_key_0, 0x0001);
    world_provision(w, b, 0, net_key_0, 0x0002);
    cap.from = w->nodes[a].sim_id;
    meshrpr_sim_set_observer(&w->sim, capture_observer, &cap);

    assert_int_equal(world_send(w, a, 0, BT_MESH_KEY_DEV_REMOTE, 0x0002, WORLD_OP_DATA, payload, 1),
                     0);
    world_run(w, 1000);
    assert_int_equal(w->nodes[b].data_count, 1);
    assert_true(cap.count >= 1);

    /* Heard again at once: the cache drops it. */
    meshrpr_node_adv_recv(&w->nodes[b].node, 0x2a, cap.pdu[0], cap.len[0], -50);
    world_run(w, 1000);
    assert_int_equal(w->nodes[b].data_count, 1);

    /* Push the PDU out of the cache with newer traffic, then replay it. */
    meshrpr_sim_set_observer(&w->sim, NULL, NULL);
    for (int i = 0; i < MESHRPR_MSG_CACHE_SIZE + 2; i++) {
        assert_int_equal(
            world_send(w, a, 0, BT_MESH_KEY_DEV_REMOTE, 0x0002, WORLD_OP_DATA, payload, 1), 0);
        world_run(w, 200);
    }
    assert_int_equal(w->nodes[b].data_count, 1 + MESHRPR_MSG_CACHE_SIZE + 2);
    meshrpr_node_adv_recv(&w->nodes[b].node, 0x2a, cap.pdu[0], cap.len[0], -50);
    world_run(w, 1000);
    assert_int_equal(w->nodes[b].data_count, 1 + MESHRPR_MSG_CACHE_SIZE + 2);
    assert_world_idle(w);
    world_free(w);
}

/* Two subnets share the air but not their traffic: a node on subnet 1 neither decodes nor
 * relays subnet 0 messages; a node holding both keys talks on each. */
static void two_subnets_isolated(void **state)
{
    (void)state;
    struct world *w = world_new(11);
    const uint8_t payload[] = { 1, 2, 3 };
    int a, b, c, d;

    a = world_add(w, "A", 0, 0, NULL); /* subnet 0 */
    b = world_add(w, "B", 5, 0, NULL); /* subnet 0 */
    c = world_add(w, "C", 0, 5, NULL); /* subnet 1 */
    d = world_add(w, "D", 5, 5, NULL); /* subnets 0 and 1 */
    world_provision(w, a, 0, net_key_0, 0x0001);
    world_provision(w, b, 0, net_key_0, 0x0002);
    world_provision(w, c, 1, net_key_1, 0x0003);
    world_provision(w, d, 0, net_key_0, 0x0004);
    assert_int_equal(meshrpr_node_net_key_add(&w->nodes[d].node, 1, net_key_1), 0);

    /* A to C on subnet 0: C has no subnet-0 key and must not see it. A has no subnet-1 key
     * and cannot even try. */
    assert_int_equal(world_send(w, a, 0, BT_MESH_KEY_DEV_REMOTE, 0x0003, WORLD_OP_DATA, payload, 3),
                     0);
    assert_int_equal(world_send(w, a, 1, BT_MESH_KEY_DEV_REMOTE, 0x0003, WORLD_OP_DATA, payload, 3),
                     -EINVAL);
    world_run(w, 2000);
    assert_int_equal(w->nodes[c].data_count, 0);
    assert_int_equal(w->nodes[c].node.net.relay_count, 0);

    /* Within each subnet traffic flows; D reaches both. */
    assert_int_equal(world_send(w, a, 0, BT_MESH_KEY_DEV_REMOTE, 0x0002, WORLD_OP_DATA, payload, 3),
                     0);
    assert_int_equal(world_send(w, d, 1, BT_MESH_KEY_DEV_REMOTE, 0x0003, WORLD_OP_DATA, payload, 3),
                     0);
    world_run(w, 2000);
    assert_int_equal(w->nodes[b].data_count, 1);
    assert_int_equal(w->nodes[c].data_count, 1);
    assert_int_equal(w->nodes[c].last_ctx.net_idx, 1);
    assert_int_equal(w->nodes[b].last_ctx.net_idx, 0);
    assert_world_idle(w);
    world_free(w);
}

/* A node restarted from storage keeps its identity and continues with a higher SEQ, so its
 * peers (whose replay lists remember the old SEQ) still accept it. */
static void node_restored_from_storage_continues(void **state)
{
    (void)state;
    char dir[] = "/tmp/meshrpr-restore-XXXXXX";
    struct world *w = world_new(5);
    const uint8_t payload[] = { 9 };
    uint32_t seq_before;
    int a, b;

    assert_non_null(mkdtemp(dir));
    a = world_add(w, "A", 0, 0, dir);
    b = world_add(w, "B", 5, 0, NULL);
    world_provision(w, a, 0, net_key_0, 0x0001);
    world_provision(w, b, 0, net_key_0, 0x0002);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(
            world_send(w, a, 0, BT_MESH_KEY_DEV_REMOTE, 0x0002, WORLD_OP_DATA, payload, 1), 0);
        world_run(w, 500);
    }
    assert_int_equal(w->nodes[b].data_count, 3);
    seq_before = meshrpr_node_seq(&w->nodes[a].node);

    /* Restart A from its storage only. */
    meshrpr_node_deinit(&w->nodes[a].node);
    assert_int_equal(meshrpr_node_init(&w->nodes[a].node, &w->nodes[a].cfg), 0);
    assert_true(meshrpr_node_is_provisioned(&w->nodes[a].node));
    assert_int_equal(meshrpr_node_addr(&w->nodes[a].node), 0x0001);
    assert_true(meshrpr_node_seq(&w->nodes[a].node) > seq_before);

    assert_int_equal(world_send(w, a, 0, BT_MESH_KEY_DEV_REMOTE, 0x0002, WORLD_OP_DATA, payload, 1),
                     0);
    world_run(w, 500);
    assert_int_equal(w->nodes[b].data_count, 4);
    assert_world_idle(w);
    world_free(w);

    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(devkey_request_response_three_hops),
        cmocka_unit_test(max_segmented_message_over_lossy_link),
        cmocka_unit_test(replayed_network_pdu_rejected),
        cmocka_unit_test(two_subnets_isolated),
        cmocka_unit_test(node_restored_from_storage_continues),
    };
    return cmocka_run_group_tests_name("scenarios", tests, NULL, NULL);
}
