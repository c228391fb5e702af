/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the Remote Provisioning Server (MshPRTv1.1 §4.4.5): its message handlers,
 * its scanner (beacon parsing, extended scan matching) and its link state machine. The input
 * is a sequence of records [kind][length][payload] given to a provisioned node with the
 * Configuration Server and the Remote Provisioning Server:
 *  - kind 0x00..0x7f: a Remote Provisioning message, opcode 0x804F + kind % 17 (every client
 *    and server opcode), the payload as parameters, delivered with meshrpr_access_recv() as if
 *    opened with the node's device key;
 *  - kind 0x80..0xfe: an advertising report (HCI type kind % 5, advertiser kind / 5 % 2) whose
 *    data is the payload, through meshrpr_node_scan_recv();
 *  - kind 0xff: a Generic Provisioning PDU (Transaction Number first) for the server's open
 *    PB-ADV link, prefixed with that link's ID, so the fuzzer can answer Link Open and relay.
 * After each record the node's timers run for a while, and at the end for long enough that
 * every scan, link and report must have finished: the node must then be idle.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <meshrpr/cfg_srv.h>
#include <meshrpr/node.h>
#include <meshrpr/rpr_srv.h>

#include "access/access.h"
#include "fake_platform.h"
#include "models/rpr_srv.h"
#include "prov/pb_adv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NODE_ADDR 0x0004
#define PEER_ADDR 0x0001

static const uint8_t net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
                                     0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
static const uint8_t dev_key[16] = { 0x9d, 0x6d, 0xd0, 0xe9, 0x6e, 0xb2, 0x5d, 0xc1,
                                     0x9a, 0x40, 0xed, 0x99, 0x14, 0xf8, 0xf0, 0x3f };
static const uint8_t uuid[16] = { 0x70, 0xcf, 0x7c, 0x97, 0x32, 0xa3, 0x45, 0xb6,
                                  0x91, 0x49, 0x48, 0x10, 0xd2, 0xe9, 0xcb, 0xf4 };

static const struct bt_mesh_model models[] = {
    BT_MESH_MODEL_CFG_SRV,
    BT_MESH_MODEL_RPR_SRV,
};
static const struct bt_mesh_elem elems[] = {
    BT_MESH_ELEM(0x0001, models, BT_MESH_MODEL_NONE),
};
static const struct bt_mesh_comp comp = {
    .cid = 0x05f1,
    .elem_count = 1,
    .elem = elems,
};
static const struct bt_mesh_prov prov = {
    .uuid = uuid,
    .uri = "\x17//fuzz.example",
    .oob_info = BT_MESH_PROV_OOB_URI,
};

static struct fake_platform fp;
static struct meshrpr_node node;

static void run_timers(uint32_t duration_ms)
{
    const uint64_t end = fp.now_ms + duration_ms;

    for (unsigned steps = 0; steps < 200000; steps++) {
        uint64_t next = meshrpr_node_next_deadline_ms(&node);
        if (next > end) {
            break;
        }
        if (next > fp.now_ms) {
            fp.now_ms = next;
        }
        meshrpr_node_process(&node);
    }
    fp.now_ms = end;
}

static void pb_adv_for_link(const uint8_t *gp, size_t len)
{
    for (size_t i = 0; i < MESHRPR_PB_ADV_LINK_COUNT; i++) {
        const struct meshrpr_pb_adv_link *l = &node.pb_adv.links[i];
        uint8_t buf[5 + MESHRPR_PB_ADV_GP_MTU];
        if (l->state == 0 || len < 1 || len > 1 + MESHRPR_PB_ADV_GP_MTU) {
            continue;
        }
        buf[0] = (uint8_t)(l->link_id >> 24);
        buf[1] = (uint8_t)(l->link_id >> 16);
        buf[2] = (uint8_t)(l->link_id >> 8);
        buf[3] = (uint8_t)l->link_id;
        memcpy(&buf[4], gp, len);
        meshrpr_pb_adv_recv(&node, buf, 4 + len);
        return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct meshrpr_node_config cfg = {
        .platform = &fp.platform,
        .comp = &comp,
        .features = BT_MESH_FEAT_RELAY,
        .name = "fuzz",
        .prov = &prov,
    };

    fake_platform_init(&fp, 11);
    if (meshrpr_node_init(&node, &cfg) != 0 ||
        meshrpr_node_provision(&node, net_key, 0, 0, 0, NODE_ADDR, dev_key) != 0) {
        abort();
    }
    while (size >= 2) {
        const uint8_t kind = data[0];
        size_t len = data[1];

        data += 2;
        size -= 2;
        if (len > size) {
            len = size;
        }
        if (kind < 0x80) {
            uint8_t msg[2 + 255];
            const uint16_t op = (uint16_t)(0x804f + kind % 17);
            struct bt_mesh_msg_ctx ctx = {
                .net_idx = 0,
                .app_idx = BT_MESH_KEY_DEV_LOCAL,
                .addr = (kind & 0x40) != 0 ? PEER_ADDR + 1 : PEER_ADDR,
                .recv_dst = NODE_ADDR,
                .recv_ttl = 5,
                .send_ttl = BT_MESH_TTL_DEFAULT,
            };
            msg[0] = (uint8_t)(op >> 8);
            msg[1] = (uint8_t)op;
            memcpy(&msg[2], data, len);
            (void)meshrpr_access_recv(&node, &ctx, msg, 2 + len);
        } else if (kind < 0xff) {
            const struct meshrpr_adv_report report = {
                .addr = { (uint8_t)(kind / 5 % 2), 0x11, 0x22, 0x33, 0x44, 0xc5 },
                .addr_type = 1,
                .adv_type = (uint8_t)(kind % 5),
                .rssi = -60,
                .data = data,
                .len = len,
            };
            meshrpr_node_scan_recv(&node, &report);
        } else {
            pb_adv_for_link(data, len);
        }
        run_timers(200);
        data += len;
        size -= len;
    }
    /* Longest chain: a 255 s scan, a 60 s link establishment, the 60 s link timer, 30 s
     * transactions and the SAR retransmissions of the reports. */
    run_timers(600000);
    if (!meshrpr_node_is_idle(&node) || !meshrpr_rpr_srv_is_idle(meshrpr_rpr_srv_get(&node))) {
        abort(); /* something never finished */
    }
    meshrpr_node_deinit(&node);
    return 0;
}
