/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the access layer: opcode decoding, model matching and the op tables'
 * length rules, on a provisioned node with the test model. Input: one octet choosing the key
 * the message was opened with, one choosing the destination, then the access message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "access/access.h"
#include "world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t keys[] = { BT_MESH_KEY_DEV_LOCAL, BT_MESH_KEY_DEV_REMOTE, 0x123, 0x456 };
static const uint16_t dsts[] = { 0x0001, 0x0002, 0xffff, 0xc001, 0xb529, 0x0000 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct world *w; /* one world for the whole run: test code, not the library */
    static const uint8_t net_key[16] = { 1, 2, 3 };
    struct bt_mesh_msg_ctx ctx = { 0 };

    if (w == NULL) {
        w = world_new(1);
        world_add(w, "F", 0, 0, NULL);
        world_provision(w, 0, 0, net_key, 0x0001);
        (void)meshrpr_node_app_key_add(&w->nodes[0].node, 0, 0x123, net_key);
        (void)meshrpr_node_model_app_bind(&w->nodes[0].node, &w->nodes[0].vnd_model, 0x123);
    }
    if (size < 2) {
        return 0;
    }
    ctx.app_idx = keys[data[0] % (sizeof(keys) / sizeof(keys[0]))];
    ctx.recv_dst = dsts[data[1] % (sizeof(dsts) / sizeof(dsts[0]))];
    ctx.addr = 0x0002;
    ctx.send_ttl = BT_MESH_TTL_DEFAULT;
    (void)meshrpr_access_recv(&w->nodes[0].node, &ctx, data + 2, size - 2);
    /* Let whatever an echo queued go out, so sends are exercised too. */
    world_run(w, 100);
    return 0;
}
