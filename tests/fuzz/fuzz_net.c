/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the network layer (MshPRTv1.1 §3.4). The input is decoded as one Network
 * PDU under the sample flooding and friendship credentials (§8.3) with both IV Indexes an
 * IVI bit can select, and fed as a Mesh Message AD to a fresh node provisioned with the
 * sample NetKey (IV Index 0x12345678, address 0x1201, the sample device key and AppKey),
 * which decodes, caches, relays and hands it to the lower transport. An input longer than a
 * Network PDU is then also read as a sequence of records (length octet, PDU) fed to the same
 * node, so that segmented messages can complete. The node's timers then run for a minute.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_platform.h"
#include "net/beacon.h"
#include "net/net.h"

#include <meshrpr/node.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_node {
    struct fake_platform fp;
    struct meshrpr_node node;
    struct bt_mesh_model_rt_ctx rt;
    struct bt_mesh_model model;
    struct bt_mesh_elem elem;
    struct bt_mesh_comp comp;
    struct meshrpr_node_config cfg;
};

static const struct bt_mesh_model_op no_ops[] = { BT_MESH_MODEL_OP_END };

/* §8.3 common inputs. */
static const uint8_t net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
                                     0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
static const uint8_t dev_key[16] = { 0x9d, 0x6d, 0xd0, 0xe9, 0x6e, 0xb2, 0x5d, 0xc1,
                                     0x9a, 0x40, 0xed, 0x99, 0x14, 0xf8, 0xf0, 0x3f };
static const uint8_t app_key[16] = { 0x63, 0x96, 0x47, 0x71, 0x73, 0x4f, 0xbd, 0x76,
                                     0xe3, 0xb4, 0x05, 0x19, 0xd1, 0xd9, 0x4a, 0x48 };
static const struct meshrpr_net_cred flooding = {
    .nid = 0x68,
    .encryption_key = { 0x09, 0x53, 0xfa, 0x93, 0xe7, 0xca, 0xac, 0x96, 0x38, 0xf5, 0x88, 0x20,
                        0x22, 0x0a, 0x39, 0x8e },
    .privacy_key = { 0x8b, 0x84, 0xee, 0xde, 0xc1, 0x00, 0x06, 0x7d, 0x67, 0x09, 0x71, 0xdd, 0x2a,
                     0xa7, 0x00, 0xcf },
};
static const struct meshrpr_net_cred friendship = {
    .nid = 0x5e,
    .encryption_key = { 0xbe, 0x63, 0x51, 0x05, 0x43, 0x48, 0x59, 0xf4, 0x84, 0xfc, 0x79, 0x8e,
                        0x04, 0x3c, 0xe4, 0x0e },
    .privacy_key = { 0x5d, 0x39, 0x6d, 0x4b, 0x54, 0xd3, 0xcb, 0xaf, 0xe9, 0x43, 0xe0, 0x51, 0xfe,
                     0x9a, 0x4e, 0xb8 },
};

static void decode_all(const uint8_t *data, size_t size)
{
    const struct meshrpr_net_cred *creds[] = { &flooding, &friendship };
    const uint32_t ivs[] = { 0x12345678, 0x12345677 };
    uint8_t scratch[MESHRPR_NET_PDU_MAX_LEN];
    struct meshrpr_net_pdu pdu;

    for (size_t c = 0; c < 2; c++) {
        for (size_t i = 0; i < 2; i++) {
            if (meshrpr_net_decode(creds[c], ivs[i], data, size, scratch, &pdu) == 0 &&
                (pdu.transport_len == 0 || pdu.transport_len > 16)) {
                abort(); /* the decoder promised a 1..16 octet TransportPDU */
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_node *f = calloc(1, sizeof(*f));

    if (f == NULL) {
        return 0;
    }
    decode_all(data, size);

    fake_platform_init(&f->fp, 1);
    f->rt.vnd = true;
    f->model =
        (struct bt_mesh_model){ .vnd = { .company = 0xffff, .id = 1 }, .rt = &f->rt, .op = no_ops };
    f->elem = (struct bt_mesh_elem){ .vnd_model_count = 1, .vnd_models = &f->model };
    f->comp = (struct bt_mesh_comp){ .cid = 0xffff, .elem_count = 1, .elem = &f->elem };
    f->cfg = (struct meshrpr_node_config){ .platform = &f->fp.platform,
                                           .comp = &f->comp,
                                           .features = BT_MESH_FEAT_RELAY };
    if (meshrpr_node_init(&f->node, &f->cfg) != 0 ||
        meshrpr_node_provision(&f->node, net_key, 0, 0, 0x12345678, 0x1201, dev_key) != 0) {
        abort();
    }
    meshrpr_beacon_set(&f->node, 0);
    (void)meshrpr_node_app_key_add(&f->node, 0, 0x456, app_key);
    (void)meshrpr_node_model_app_bind(&f->node, &f->model, 0x456);
    (void)meshrpr_node_model_sub_add(&f->node, &f->model, 0xc105);

    meshrpr_node_adv_recv(&f->node, 0x2a, data, size, -40);
    if (size > MESHRPR_NET_PDU_MAX_LEN) {
        size_t pos = 0;
        while (pos < size) {
            size_t len = data[pos++];
            if (len > size - pos) {
                len = size - pos;
            }
            meshrpr_node_adv_recv(&f->node, 0x2a, data + pos, len, -40);
            pos += len;
        }
    }
    /* Let acknowledgments, SAR timers and loopback run (bounded, whatever they do). */
    for (int i = 0; i < 1000 && meshrpr_node_next_deadline_ms(&f->node) <= 60000; i++) {
        f->fp.now_ms = meshrpr_node_next_deadline_ms(&f->node);
        meshrpr_node_process(&f->node);
    }
    meshrpr_node_deinit(&f->node);
    free(f);
    return 0;
}
