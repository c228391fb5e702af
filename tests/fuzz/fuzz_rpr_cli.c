/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the Remote Provisioning Client's message handlers (MshPRTv1.1 §4.3.4): Scan
 * Capabilities Status, Scan Status, Scan Report, Extended Scan Report, Link Status, Link Report,
 * PDU Outbound Report and PDU Report, fed with meshrpr_access_recv() to a provisioner node as
 * if the upper transport had opened them with a server's device key
 * (BT_MESH_KEY_DEV_REMOTE), and, through PDU Reports, the provisioner session on the PB-Remote
 * link.
 *
 * Input: one setup octet, then records [selector][length][parameters]. Setup bit 0: a
 * provisioning through server A is started first (Link Open sent); bit 1: A then reports the
 * link active; bit 2: a second provisioning through server B; bit 3: a shorter client timeout.
 * Selector bits 0-2 pick the opcode, bit 3 the sender (server A or B), bit 4 a sender the
 * client has no link with, bits 5-7 how long the clock runs before the message (0..7 x 700 ms).
 * At the end the clock runs ten minutes: every link, session and timer must be gone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <meshrpr/cdb.h>
#include <meshrpr/node.h>
#include <meshrpr/rpr_cli.h>

#include "access/access.h"
#include "fake_platform.h"
#include "models/rpr_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NODE_ADDR  0x0001
#define SRV_A_ADDR 0x0004
#define SRV_B_ADDR 0x0005
#define STRANGER   0x0033

static const uint8_t net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
                                     0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
static const uint8_t dev_key[16] = { 0x9d, 0x6d, 0xd0, 0xe9, 0x6e, 0xb2, 0x5d, 0xc1,
                                     0x9a, 0x40, 0xed, 0x99, 0x14, 0xf8, 0xf0, 0x3f };
static const uint8_t uuid_a[16] = { 0xa0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static const uint8_t uuid_b[16] = { 0xb0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static const uint32_t opcodes[8] = {
    RPR_OP_SCAN_CAPS_STATUS,     RPR_OP_SCAN_STATUS, RPR_OP_SCAN_REPORT,
    RPR_OP_EXTENDED_SCAN_REPORT, RPR_OP_LINK_STATUS, RPR_OP_LINK_REPORT,
    RPR_OP_PDU_OUTBOUND_REPORT,  RPR_OP_PDU_REPORT,
};

/* The callbacks read everything they are given, so that lengths get checked. */
static volatile unsigned sink;

static void on_scan_report(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                           struct bt_mesh_rpr_unprov *unprov, struct net_buf_simple *adv_data)
{
    (void)cli;
    sink += srv->addr + unprov->uuid[15] + (unsigned)unprov->rssi + unprov->oob;
    if (adv_data != NULL) {
        for (uint16_t i = 0; i < adv_data->len; i++) {
            sink += adv_data->data[i];
        }
    }
}

static void on_ext_failed(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                          const uint8_t uuid[16], enum bt_mesh_rpr_status status)
{
    (void)cli;
    sink += srv->addr + uuid[0] + (unsigned)status;
}

static void on_link_changed(struct bt_mesh_rpr_cli *cli, const struct bt_mesh_rpr_node *srv,
                            const struct bt_mesh_rpr_link *link, int reason)
{
    (void)cli;
    sink += srv->addr + (unsigned)link->state + (unsigned)link->status + (unsigned)reason;
}

static struct bt_mesh_rpr_cli cli = {
    .scan_report = on_scan_report,
    .ext_scan_failed = on_ext_failed,
    .link_changed = on_link_changed,
};

static const struct bt_mesh_model models[] = {
    BT_MESH_MODEL_RPR_CLI(&cli),
};
static const struct bt_mesh_elem elems[] = {
    BT_MESH_ELEM(0x0001, models, BT_MESH_MODEL_NONE),
};
static const struct bt_mesh_comp comp = {
    .cid = 0x05f1,
    .elem_count = 1,
    .elem = elems,
};

static struct fake_platform fp;
static struct meshrpr_node node;
static struct meshrpr_cdb cdb;
static const struct bt_mesh_prov prov = { 0 };

static void run_timers(uint32_t duration_ms)
{
    const uint64_t end = fp.now_ms + duration_ms;

    for (unsigned steps = 0; steps < 100000; steps++) {
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

static void deliver(uint16_t src, uint32_t op, const uint8_t *params, size_t len)
{
    struct bt_mesh_msg_ctx ctx = {
        .net_idx = 0,
        .app_idx = BT_MESH_KEY_DEV_REMOTE,
        .addr = src,
        .recv_dst = NODE_ADDR,
        .recv_ttl = 5,
        .send_ttl = BT_MESH_TTL_DEFAULT,
    };
    uint8_t msg[2 + 255];

    msg[0] = (uint8_t)(op >> 8);
    msg[1] = (uint8_t)op;
    memcpy(&msg[2], params, len);
    (void)meshrpr_access_recv(&node, &ctx, msg, 2 + len);
}

static void cdb_add(const uint8_t uuid[16], uint16_t addr)
{
    struct meshrpr_cdb_node *n = meshrpr_cdb_node_alloc(&cdb, uuid, addr, 1, 0);

    if (n == NULL) {
        abort();
    }
    memset(n->dev_key, (int)addr, 16);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t srv_uuid_a[16] = { 0x5a };
    static const uint8_t srv_uuid_b[16] = { 0x5b };
    static const uint8_t mesh_uuid[16] = { 0x11 };
    const struct meshrpr_node_config cfg = {
        .platform = &fp.platform,
        .comp = &comp,
        .dev_key_get = meshrpr_cdb_dev_key_get,
        .dev_key_ctx = &cdb,
        .prov = &prov,
        .cdb = &cdb,
    };
    const struct bt_mesh_rpr_node srv_a = { SRV_A_ADDR, 0, BT_MESH_TTL_DEFAULT };
    const struct bt_mesh_rpr_node srv_b = { SRV_B_ADDR, 0, BT_MESH_TTL_DEFAULT };
    uint8_t setup;

    if (size < 1) {
        return 0;
    }
    setup = data[0];
    data++;
    size--;

    fake_platform_init(&fp, 11);
    meshrpr_cdb_init(&cdb, mesh_uuid, "fuzz");
    (void)meshrpr_cdb_subnet_add(&cdb, 0, net_key);
    cdb_add(srv_uuid_a, SRV_A_ADDR);
    cdb_add(srv_uuid_b, SRV_B_ADDR);
    memset(&cli.priv, 0, sizeof(cli.priv));
    cli.mod = NULL;
    if (meshrpr_node_init(&node, &cfg) != 0 ||
        meshrpr_node_provision(&node, net_key, 0, 0, 0, NODE_ADDR, dev_key) != 0) {
        abort();
    }
    if (setup & 0x08) {
        meshrpr_rpr_cli_timeout_set(&cli, 300);
    }
    if ((setup & 0x01) && bt_mesh_provision_remote(&cli, &srv_a, uuid_a, 0, 0) == 0 &&
        (setup & 0x02)) {
        static const uint8_t active[2] = { BT_MESH_RPR_SUCCESS, BT_MESH_RPR_LINK_ACTIVE };
        deliver(SRV_A_ADDR, RPR_OP_LINK_REPORT, active, sizeof(active));
    }
    if (setup & 0x04) {
        (void)bt_mesh_provision_remote(&cli, &srv_b, uuid_b, 0, 0x0100);
    }

    while (size >= 2) {
        const uint8_t sel = data[0];
        size_t len = data[1];
        uint16_t src = (sel & 0x10) ? STRANGER : (sel & 0x08) ? SRV_B_ADDR : SRV_A_ADDR;

        data += 2;
        size -= 2;
        if (len > size) {
            len = size;
        }
        run_timers(700u * (sel >> 5));
        deliver(src, opcodes[sel & 0x07], data, len);
        data += len;
        size -= len;
    }
    run_timers(600000);
    if (!meshrpr_node_is_idle(&node) || meshrpr_rpr_cli_link_count(&cli) != 0 ||
        meshrpr_prov_is_busy(&node)) {
        abort(); /* a link, a session or a timer never ended */
    }
    meshrpr_node_deinit(&node);
    return 0;
}
