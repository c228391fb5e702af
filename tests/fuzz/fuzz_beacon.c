/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for beacons (MshPRTv1.1 §3.10). The input is decoded as a Secure Network
 * Beacon under the §8.4.3 sample keys, then fed as a Mesh Beacon AD to an unprovisioned node
 * and to a node provisioned with the sample NetKey and IV Index 0x12345678, which
 * authenticates it and may take its IV Index. The provisioned node then sends a beacon of its
 * own, which must authenticate under the same keys whatever IV state the input left.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_platform.h"
#include "net/beacon.h"
#include "net/keys.h"

#include <meshrpr/node.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_node {
    struct fake_platform fp;
    struct meshrpr_node node;
    struct bt_mesh_elem elem;
    struct bt_mesh_comp comp;
    struct meshrpr_node_config cfg;
};

static const uint8_t net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
                                     0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
static const uint8_t dev_key[16] = { 0x9d };

static struct meshrpr_subnet sample_subnet(void)
{
    static const uint8_t network_id[8] = { 0x3e, 0xca, 0xff, 0x67, 0x2f, 0x67, 0x33, 0x70 };
    static const uint8_t beacon_key[16] = { 0x54, 0x23, 0xd9, 0x67, 0xda, 0x63, 0x9a, 0x99,
                                            0xcb, 0x02, 0x23, 0x1a, 0x83, 0xf7, 0xd2, 0x54 };
    struct meshrpr_subnet sub = { .valid = true };

    memcpy(sub.net_key, net_key, 16);
    memcpy(sub.network_id, network_id, 8);
    memcpy(sub.beacon_key, beacon_key, 16);
    return sub;
}

static void node_boot(struct fuzz_node *f)
{
    fake_platform_init(&f->fp, 2);
    f->elem = (struct bt_mesh_elem)BT_MESH_ELEM(0, BT_MESH_MODEL_NONE, BT_MESH_MODEL_NONE);
    f->comp = (struct bt_mesh_comp){ .cid = 0xffff, .elem_count = 1, .elem = &f->elem };
    f->cfg = (struct meshrpr_node_config){ .platform = &f->fp.platform,
                                           .comp = &f->comp,
                                           .features = BT_MESH_FEAT_RELAY };
    if (meshrpr_node_init(&f->node, &f->cfg) != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct meshrpr_subnet sub = sample_subnet();
    struct fuzz_node *f = calloc(1, sizeof(*f));
    uint8_t flags;
    uint32_t iv_index;

    if (f == NULL) {
        return 0;
    }
    (void)meshrpr_beacon_secure_decode(&sub, data, size, &flags, &iv_index);

    node_boot(f);
    meshrpr_node_adv_recv(&f->node, 0x2b, data, size, -60);
    meshrpr_node_deinit(&f->node);

    node_boot(f);
    if (meshrpr_node_provision(&f->node, net_key, 0, 0, 0x12345678, 0x0100, dev_key) != 0) {
        abort();
    }
    meshrpr_node_adv_recv(&f->node, 0x2b, data, size, -60);
    /* Never a lower IV Index, never more than +42 (§3.10.5). */
    if (meshrpr_node_iv_index(&f->node) < 0x12345678 ||
        meshrpr_node_iv_index(&f->node) > 0x12345678 + 42) {
        abort();
    }
    if (meshrpr_beacon_send(&f->node, 0) != 0 || f->fp.last_adv_type != 0x2b ||
        meshrpr_beacon_secure_decode(&sub, f->fp.last_adv, f->fp.last_adv_len, &flags, &iv_index) !=
            0 ||
        iv_index != meshrpr_node_iv_index(&f->node)) {
        abort();
    }
    meshrpr_node_deinit(&f->node);
    free(f);
    return 0;
}
