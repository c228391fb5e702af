/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for the lower transport layer (MshPRTv1.1 §3.5). Every input is first parsed
 * whole as an access and as a control PDU (and a successful parse must encode back to the
 * same octets). Then a freshly provisioned node (address 0x1201, the specification's sample
 * keys, subscribed to a group and two virtual addresses, with segmented transfers of its own
 * running so that acks can match) is fed the input as a sequence of TransportPDUs, as the
 * network layer would hand them over:
 *
 *   chunk := flags(1) seq(3, big-endian) len(1) pdu(len & 0x1f octets)
 *   flags: bit 0 CTL, bits 1-2 SRC, bits 3-5 DST, bit 6 TTL 0, bit 7 run the timers 100 ms
 *   len:   bit 7 previous IV Index
 *
 * At the end the node's timers run for a minute, after which it must be idle.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <meshrpr/node.h>

#include "fake_platform.h"
#include "net/keys.h"
#include "net/lower_transport.h"
#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IV_INDEX 0x12345678u

static const uint16_t srcs[] = { 0x0003, 0x1234, 0x0002, 0x8000 };
static const uint16_t dsts[] = { 0x1201, 0x9736, 0xb529, 0xffff, 0xc001, 0x0005, 0x0000, 0x1202 };

static const uint8_t net_key[16] = { 0x7d, 0xd7, 0x36, 0x4c, 0xd8, 0x42, 0xad, 0x18,
                                     0xc1, 0x7c, 0x2b, 0x82, 0x0c, 0x84, 0xc3, 0xd6 };
static const uint8_t app_key[16] = { 0x63, 0x96, 0x47, 0x71, 0x73, 0x4f, 0xbd, 0x76,
                                     0xe3, 0xb4, 0x05, 0x19, 0xd1, 0xd9, 0x4a, 0x48 };
static const uint8_t dev_key[16] = { 0x9d, 0x6d, 0xd0, 0xe9, 0x6e, 0xb2, 0x5d, 0xc1,
                                     0x9a, 0x40, 0xed, 0x99, 0x14, 0xf8, 0xf0, 0x3f };
static const uint8_t label_9736[16] = { 0xf4, 0xa0, 0x02, 0xc7, 0xfb, 0x1e, 0x4c, 0xa0,
                                        0xa4, 0x69, 0xa0, 0x21, 0xde, 0x0d, 0xb8, 0x75 };
static const uint8_t label_b529[16] = { 0x00, 0x73, 0xe7, 0xe4, 0xd8, 0xb9, 0x44, 0x0f,
                                        0xaf, 0x84, 0x15, 0xdf, 0x4c, 0x56, 0xc0, 0xe1 };

struct fuzz_node {
    struct fake_platform fp;
    struct meshrpr_node node;
    struct bt_mesh_comp comp;
    struct bt_mesh_elem elem;
    struct bt_mesh_model vnd[1];
    struct bt_mesh_model_rt_ctx rt;
    struct meshrpr_node_config cfg;
};

static int handle_any(const struct bt_mesh_model *model, struct bt_mesh_msg_ctx *ctx,
                      struct net_buf_simple *buf)
{
    (void)model, (void)ctx, (void)buf;
    return 0;
}

static const struct bt_mesh_model_op ops[] = {
    { BT_MESH_MODEL_OP_3(0x2a, 0x000a), BT_MESH_LEN_MIN(0), handle_any },
    { BT_MESH_MODEL_OP_3(0x15, 0x000a), BT_MESH_LEN_MIN(0), handle_any },
    BT_MESH_MODEL_OP_END,
};

static int dev_key_get(void *ctx, uint16_t addr, uint8_t key[16])
{
    (void)ctx, (void)addr;
    memcpy(key, dev_key, 16);
    return 0;
}

static void run_timers(struct fuzz_node *fn, uint64_t until_ms)
{
    for (int i = 0; i < 100000; i++) {
        uint64_t next = meshrpr_node_next_deadline_ms(&fn->node);
        if (next > until_ms) {
            break;
        }
        if (next > fn->fp.now_ms) {
            fn->fp.now_ms = next;
        }
        meshrpr_node_process(&fn->node);
    }
    fn->fp.now_ms = until_ms;
}

static void node_setup(struct fuzz_node *fn)
{
    memset(fn, 0, sizeof(*fn));
    fake_platform_init(&fn->fp, 7);
    fn->fp.now_ms = 1000;
    fn->vnd[0].vnd.company = 0x000a;
    fn->vnd[0].vnd.id = 0x0001;
    fn->vnd[0].rt = &fn->rt;
    fn->vnd[0].op = ops;
    fn->elem.vnd_model_count = 1;
    fn->elem.vnd_models = fn->vnd;
    fn->comp.elem = &fn->elem;
    fn->comp.elem_count = 1;
    fn->cfg.platform = &fn->fp.platform;
    fn->cfg.comp = &fn->comp;
    fn->cfg.dev_key_get = dev_key_get;
    if (meshrpr_node_init(&fn->node, &fn->cfg) != 0 ||
        meshrpr_node_provision(&fn->node, net_key, 0x000, 0, IV_INDEX, 0x1201, dev_key) != 0 ||
        meshrpr_node_app_key_add(&fn->node, 0x000, 0x123, app_key) != 0 ||
        meshrpr_node_model_app_bind(&fn->node, &fn->vnd[0], 0x123) != 0 ||
        meshrpr_keys_label_add(&fn->node, label_9736) == NULL ||
        meshrpr_keys_label_add(&fn->node, label_b529) == NULL ||
        meshrpr_node_model_sub_add(&fn->node, &fn->vnd[0], 0x9736) != 0 ||
        meshrpr_node_model_sub_add(&fn->node, &fn->vnd[0], 0xb529) != 0 ||
        meshrpr_node_model_sub_add(&fn->node, &fn->vnd[0], 0xc001) != 0) {
        abort();
    }
}

/* Transfers of the node's own, so that fuzzed Segment Acks can match: to 0x0003 (SeqAuth 0,
 * SeqZero 0), to the group, and a segmented control message to 0x1234. */
static void node_send(struct fuzz_node *fn)
{
    uint8_t upper[40];
    struct meshrpr_lower_tx tx = {
        .net_idx = 0x000,
        .src = 0x1201,
        .dst = 0x0003,
        .ttl = 5,
        .akf = true,
        .aid = 0x26,
        .force_seg = true,
    };

    memset(upper, 0x5a, sizeof(upper));
    if (meshrpr_net_seq_alloc(&fn->node, &tx.seq) != 0) {
        abort();
    }
    tx.iv_index = meshrpr_net_tx_iv_index(&fn->node);
    (void)meshrpr_lower_transport_send_access(&fn->node, &tx, upper, sizeof(upper));
    tx.dst = 0xc001;
    if (meshrpr_net_seq_alloc(&fn->node, &tx.seq) != 0) {
        abort();
    }
    (void)meshrpr_lower_transport_send_access(&fn->node, &tx, upper, 20);
    (void)meshrpr_lower_transport_send_control(&fn->node, 0x000, 0x1201, 0x1234, 5, 0x0a, upper,
                                               30);
}

/* A successful parse describes the input exactly (control segments' RFU bit aside). */
static void check_parse(bool ctl, const uint8_t *data, size_t size)
{
    struct meshrpr_lower_pdu pdu;
    uint8_t out[16];
    int len;

    if (meshrpr_lower_transport_parse(ctl, data, size, &pdu) != 0) {
        return;
    }
    if (pdu.payload < data || pdu.payload + pdu.payload_len != data + size) {
        abort();
    }
    len = meshrpr_lower_transport_encode(ctl, &pdu, out, sizeof(out));
    if (len != (int)size) {
        abort();
    }
    if (ctl && pdu.seg) {
        out[1] |= data[1] & 0x80;
    }
    if (memcmp(out, data, size) != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_node fn; /* large: kept out of the stack; test code, not the library */
    size_t pos = 0;

    check_parse(false, data, size);
    check_parse(true, data, size);
    if (size >= 7) {
        struct meshrpr_seg_ack ack;
        if (meshrpr_lower_transport_ack_parse(data + 1, 6, &ack) != 0) {
            abort();
        }
    }

    node_setup(&fn);
    node_send(&fn);
    while (size - pos >= 5) {
        const uint8_t flags = data[pos];
        const uint32_t seq =
            (uint32_t)data[pos + 1] << 16 | (uint32_t)data[pos + 2] << 8 | data[pos + 3];
        const uint8_t len_octet = data[pos + 4];
        size_t len = len_octet & 0x1f;
        pos += 5;
        if (len > size - pos) {
            len = size - pos;
        }
        const struct meshrpr_net_rx rx = {
            .net_idx = 0x000,
            .iv_index = (len_octet & 0x80) != 0 ? IV_INDEX - 1 : IV_INDEX,
            .seq = seq,
            .src = srcs[(flags >> 1) & 0x03],
            .dst = dsts[(flags >> 3) & 0x07],
            .ttl = (flags & 0x40) != 0 ? 0 : 5,
            .ctl = (flags & 0x01) != 0,
            .rssi = -40,
        };
        meshrpr_lower_transport_recv(&fn.node, &rx, len > 0 ? data + pos : NULL, len);
        pos += len;
        if ((flags & 0x80) != 0) {
            run_timers(&fn, fn.fp.now_ms + 100);
        }
    }
    run_timers(&fn, fn.fp.now_ms + 60000);
    if (!meshrpr_node_is_idle(&fn.node)) {
        abort();
    }
    meshrpr_node_deinit(&fn.node);
    return 0;
}
