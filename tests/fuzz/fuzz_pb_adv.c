/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target for PB-ADV (MshPRTv1.1 §5.2.1, §5.3). One input is a sequence of records fed to
 * two nodes at once: a device with its PB-ADV device side enabled for the §8.7 UUID, and a
 * provisioner with a link open under Link ID 23af5850. Each record starts with one octet:
 *   1xxxxxxx  advance the shared clock by xxxxxxx * 50 ms and run both nodes' timers;
 *   01nnnnnn  a PB-ADV PDU: Link ID 23af5850 followed by the next nnnnnn octets;
 *   00nnnnnn  a PB-ADV PDU made of the next nnnnnn octets.
 * The first octet of the input (bit 0) also pre-opens the device's link, so short random
 * inputs reach the transaction code. Fake sessions echo every PDU they receive (exercising
 * the sending side) and close the link on a Provisioning Failed PDU (type 0x09). Each record is
 * also run through the pure decoder and a standalone reassembler.
 *
 * Checked: no memory error; every link that opened is reported closed exactly once after the
 * sessions close what is left; both nodes end idle.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_platform.h"
#include "prov/pb_adv.h"
#include "prov/unprov_beacon.h"

#include <meshrpr/node.h>
#include <meshrpr/util.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t sample_uuid[16] = { 0x70, 0xcf, 0x7c, 0x97, 0x32, 0xa3, 0x45, 0xb6,
                                         0x91, 0x49, 0x48, 0x10, 0xd2, 0xe9, 0xcb, 0xf4 };
static const uint8_t link_id[4] = { 0x23, 0xaf, 0x58, 0x50 };

struct sess {
    struct meshrpr_prov_link *link;
    unsigned opened, closed;
};

struct fnode {
    struct fake_platform fp;
    struct meshrpr_node node;
    struct bt_mesh_elem elem;
    struct bt_mesh_comp comp;
    struct meshrpr_node_config cfg;
    struct sess sess;
    int (*fake_random)(void *ctx, uint8_t *out, size_t len);
    size_t prefix_left; /* octets of link_id still to serve from the random hook */
};

struct fuzz {
    struct fnode dev, prov;
    uint64_t now_ms;
};

static void check(bool ok)
{
    if (!ok) {
        abort();
    }
}

static void sess_complete(int err, void *cb_data)
{
    (void)err, (void)cb_data;
}

static void sess_opened(struct meshrpr_prov_link *link)
{
    struct sess *s = link->session;

    s->link = link;
    s->opened++;
}

static void sess_recv(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len)
{
    check(len >= 1 && len <= MESHRPR_PB_ADV_PDU_MAX);
    if (pdu[0] == 0x09) {
        link->ops->close(link, len > 1 ? (enum meshrpr_prov_link_status)(pdu[1] % 3)
                                       : MESHRPR_PROV_LINK_FAIL);
        return;
    }
    /* Echo: -EBUSY while our previous PDU is in flight is fine. */
    (void)link->ops->send(link, pdu, len, sess_complete, NULL);
}

static void sess_closed(struct meshrpr_prov_link *link, enum meshrpr_prov_link_status reason)
{
    struct sess *s = link->session;

    check(reason <= MESHRPR_PROV_LINK_FAIL);
    s->closed++;
    s->link = NULL;
}

static const struct meshrpr_prov_bearer_cb sess_cb = {
    .link_opened = sess_opened,
    .recv = sess_recv,
    .link_closed = sess_closed,
};

static void accept(struct meshrpr_node *node, struct meshrpr_prov_link *link)
{
    struct fnode *f = MESHRPR_CONTAINER_OF(node, struct fnode, node);

    link->cb = &sess_cb;
    link->session = &f->sess;
}

static int fuzz_adv_send(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len,
                         const struct meshrpr_adv_params *params)
{
    (void)ctx, (void)ad_type, (void)params;
    check(data != NULL && len <= 31);
    return 0;
}

static int fuzz_random(void *ctx, uint8_t *out, size_t len)
{
    struct fnode *f = MESHRPR_CONTAINER_OF(ctx, struct fnode, fp);
    size_t i = 0;

    while (i < len && f->prefix_left > 0) {
        out[i++] = link_id[sizeof(link_id) - f->prefix_left--];
    }
    return i == len ? 0 : f->fake_random(ctx, &out[i], len - i);
}

static void fnode_init(struct fnode *f, uint64_t seed)
{
    fake_platform_init(&f->fp, seed);
    f->fake_random = f->fp.platform.random;
    f->fp.platform.random = fuzz_random;
    f->fp.platform.adv_send = fuzz_adv_send;
    f->elem = (struct bt_mesh_elem)BT_MESH_ELEM(0, BT_MESH_MODEL_NONE, BT_MESH_MODEL_NONE);
    f->comp = (struct bt_mesh_comp){ .cid = 0xffff, .elem_count = 1, .elem = &f->elem };
    f->cfg = (struct meshrpr_node_config){ .platform = &f->fp.platform, .comp = &f->comp };
    check(meshrpr_node_init(&f->node, &f->cfg) == 0);
}

static void advance(struct fuzz *z, uint64_t ms)
{
    const uint64_t end = z->now_ms + ms;

    for (;;) {
        uint64_t d0 = meshrpr_node_next_deadline_ms(&z->dev.node);
        uint64_t d1 = meshrpr_node_next_deadline_ms(&z->prov.node);
        uint64_t d = d0 < d1 ? d0 : d1;
        if (d > end) {
            break;
        }
        z->now_ms = d > z->now_ms ? d : z->now_ms;
        z->dev.fp.now_ms = z->now_ms;
        z->prov.fp.now_ms = z->now_ms;
        meshrpr_node_process(&z->dev.node);
        meshrpr_node_process(&z->prov.node);
    }
    z->now_ms = end;
    z->dev.fp.now_ms = end;
    z->prov.fp.now_ms = end;
}

static void feed(struct fuzz *z, struct meshrpr_pb_adv_rx *rx, const uint8_t *pdu, size_t len)
{
    struct meshrpr_pb_adv_gp gp;
    uint8_t out[MESHRPR_PB_ADV_GP_MTU];

    meshrpr_pb_adv_recv(&z->dev.node, pdu, len);
    meshrpr_pb_adv_recv(&z->prov.node, pdu, len);
    (void)meshrpr_unprov_beacon_parse(pdu, len, NULL, NULL, NULL, NULL);
    if (len > 5 && meshrpr_pb_adv_gp_decode(&pdu[5], len - 5, &gp) == 0) {
        /* What decodes re-encodes to the same octets (but the Ack's padding bits). */
        int n = meshrpr_pb_adv_gp_encode(&gp, out);
        check(n == (int)(len - 5));
        check(gp.gpcf == MESHRPR_PB_ADV_GPCF_ACK || memcmp(out, &pdu[5], (size_t)n) == 0);
        int ret = meshrpr_pb_adv_rx_add(rx, &gp);
        if (ret == 1) {
            check(rx->total_len >= 1 && rx->total_len <= MESHRPR_PB_ADV_PDU_MAX);
            check(meshrpr_pb_adv_fcs(rx->buf, rx->total_len) == rx->fcs);
            meshrpr_pb_adv_rx_reset(rx);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz *z = calloc(1, sizeof(*z));
    struct meshrpr_pb_adv_rx rx;
    struct meshrpr_prov_link *link = NULL;
    size_t pos = 1;

    if (z == NULL) {
        return 0;
    }
    meshrpr_pb_adv_rx_reset(&rx);
    fnode_init(&z->dev, 1);
    fnode_init(&z->prov, 2);
    check(meshrpr_pb_adv_device_enable(&z->dev.node, sample_uuid, accept) == 0);

    /* The provisioner's link: Link ID 23af5850 from its random source, opened by a Link ACK. */
    z->prov.prefix_left = sizeof(link_id);
    check(meshrpr_pb_adv_link_open(&z->prov.node, sample_uuid, 0, &sess_cb, &z->prov.sess, &link) ==
          0);
    const uint8_t link_ack[] = { 0x23, 0xaf, 0x58, 0x50, 0x00, 0x07 };
    meshrpr_pb_adv_recv(&z->prov.node, link_ack, sizeof(link_ack));
    check(z->prov.sess.opened == 1);

    if (size > 0 && (data[0] & 1) != 0) {
        uint8_t open[22] = { 0x23, 0xaf, 0x58, 0x50, 0x00, 0x03 };
        memcpy(&open[6], sample_uuid, 16);
        meshrpr_pb_adv_recv(&z->dev.node, open, sizeof(open));
        check(z->dev.sess.opened == 1);
    }

    while (pos < size) {
        const uint8_t b = data[pos++];
        uint8_t pdu[4 + 63];
        size_t n = b & 0x3f;
        size_t len = 0;

        if (b & 0x80) {
            advance(z, (uint64_t)(b & 0x7f) * 50);
            continue;
        }
        if (n > size - pos) {
            n = size - pos;
        }
        if (b & 0x40) {
            memcpy(pdu, link_id, 4);
            len = 4;
        }
        memcpy(&pdu[len], &data[pos], n);
        len += n;
        pos += n;
        feed(z, &rx, pdu, len);
    }

    /* The sessions close what is still open; every link ends reported closed once. */
    struct fnode *nodes[2] = { &z->dev, &z->prov };
    for (int i = 0; i < 2; i++) {
        struct sess *s = &nodes[i]->sess;
        if (s->link != NULL) {
            s->link->ops->close(s->link, MESHRPR_PROV_LINK_FAIL);
        }
    }
    advance(z, 1000 + MESHRPR_PB_ADV_LINGER_MS); /* closed links linger */
    for (int i = 0; i < 2; i++) {
        struct sess *s = &nodes[i]->sess;
        check(s->closed == s->opened);
        check(meshrpr_pb_adv_is_idle(&nodes[i]->node));
        check(meshrpr_node_is_idle(&nodes[i]->node));
        meshrpr_node_deinit(&nodes[i]->node);
    }
    free(z);
    return 0;
}
