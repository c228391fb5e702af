/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PB-ADV (MshPRTv1.1 §5.2.1, §5.3): the Generic Provisioning PDU codec, the FCS and
 * segmentation against the specification's §8.7 sample, and two nodes' bearers wired back to
 * back through a recording platform that can drop PDUs, driven by a shared fake clock. A tiny
 * fake session stands in for the Provisioning Protocol and records what the bearer reports.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_platform.h"
#include "test_util.h"

#include "prov/pb_adv.h"

#include <meshrpr/node.h>
#include <meshrpr/util.h>

/* §8.7 sample values (spec-vectors.md §1-§2, provisioning-facts.md §1). */
#define SAMPLE_UUID       "70cf7c9732a345b691494810d2e9cbf4"
#define SAMPLE_PROV_PUB_X "2c31a47b5779809ef44cb5eaaf5c3e43d5f8faad4a8794cb987e9b03745c78dd"
#define SAMPLE_PROV_PUB_Y "919512183898dfbecd52e2408e43871fd021109117bd3ed4eaf8437743715d4f"
#define SAMPLE_DEV_PUB_X  "f465e43ff23d3f1b9dc7dfc04da8758184dbc966204796eccf0d6cf5e16500cc"
#define SAMPLE_DEV_PUB_Y  "0201d048bcbbd899eeefc424164e33c201c2b010ca6b4d43a8a155cad8ecb279"
#define SAMPLE_INVITE     "0000"
#define SAMPLE_CAPS       "010100010000000000000000"
#define SAMPLE_START      "020000000000"
#define SAMPLE_PROV_PUB   "03" SAMPLE_PROV_PUB_X SAMPLE_PROV_PUB_Y
#define SAMPLE_DEV_PUB    "03" SAMPLE_DEV_PUB_X SAMPLE_DEV_PUB_Y
#define SAMPLE_CONF_P     "05b38a114dfdca1fe153bd2c1e0dc46ac2"
#define SAMPLE_CONF_D     "05eeba521c196b52cc2e37aa40329f554e"
#define SAMPLE_RAND_P     "068b19ac31d58b124c946209b5db1021b9"
#define SAMPLE_RAND_D     "0655a2a2bca04cd32ff6f346bd0a0c1a3a"
#define SAMPLE_DATA       "07d0bd7f4a89a2ff6222af59a90a60ad58acfe3123356f5cec2973e0ec50783b10c7"
#define SAMPLE_COMPLETE   "08"

/* ---- Harness: two nodes, a recording platform, a fake session ----------------------------- */

#define LOG_MAX   4096
#define QUEUE_MAX 256

struct rec {
    int from;
    uint8_t type;
    uint8_t data[31];
    size_t len;
    struct meshrpr_adv_params params;
    uint64_t t_ms;
};

struct sess {
    struct meshrpr_prov_link *link;
    unsigned opened, closed, rx_count, complete_count;
    enum meshrpr_prov_link_status reason;
    int complete_err;
    uint8_t rx[32][MESHRPR_PB_ADV_PDU_MAX];
    size_t rx_len[32];
    /* Ping-pong script: after receiving PDU i, send reply[i] from inside recv. */
    const uint8_t *reply[32];
    size_t reply_len[32];
    int reply_err;
    /* Close with this reason after receiving this many PDUs (0: never). */
    unsigned close_after;
    enum meshrpr_prov_link_status close_reason;
    unsigned accepts;
};

struct world;

struct tnode {
    struct fake_platform fp; /* the platform's ctx points here */
    struct meshrpr_node node;
    struct bt_mesh_elem elem;
    struct bt_mesh_comp comp;
    struct meshrpr_node_config cfg;
    struct world *w;
    int id;
    struct sess sess;
    uint8_t rand_prefix[4]; /* served by the random hook before the fake generator */
    size_t rand_prefix_left;
    int (*fake_random)(void *ctx, uint8_t *out, size_t len);
};

struct world {
    struct tnode n[2];
    uint64_t now_ms;
    struct rec log[LOG_MAX];
    size_t log_count;
    struct rec queue[QUEUE_MAX];
    size_t q_head, q_count;
    bool (*drop)(struct world *w, const struct rec *r);
    unsigned drop_count[4];
    uint64_t loss_rng;
    unsigned loss_percent;
};

static void sess_opened(struct meshrpr_prov_link *link)
{
    struct sess *s = link->session;

    s->link = link;
    s->opened++;
}

static void sess_complete(int err, void *cb_data)
{
    struct sess *s = cb_data;

    s->complete_count++;
    s->complete_err = err;
}

static void sess_recv(struct meshrpr_prov_link *link, const uint8_t *pdu, size_t len)
{
    struct sess *s = link->session;
    unsigned i = s->rx_count;

    assert_true(len >= 1 && len <= MESHRPR_PB_ADV_PDU_MAX);
    if (i < 32) {
        memcpy(s->rx[i], pdu, len);
        s->rx_len[i] = len;
    }
    s->rx_count++;
    if (i < 32 && s->reply[i] != NULL) {
        s->reply_err = link->ops->send(link, s->reply[i], s->reply_len[i], sess_complete, s);
    }
    if (s->close_after != 0 && s->rx_count == s->close_after) {
        link->ops->close(link, s->close_reason);
    }
}

static void sess_closed(struct meshrpr_prov_link *link, enum meshrpr_prov_link_status reason)
{
    struct sess *s = link->session;

    s->closed++;
    s->reason = reason;
    s->link = NULL;
}

static const struct meshrpr_prov_bearer_cb sess_cb = {
    .link_opened = sess_opened,
    .recv = sess_recv,
    .link_closed = sess_closed,
};

static void dev_accept(struct meshrpr_node *node, struct meshrpr_prov_link *link)
{
    struct tnode *t = MESHRPR_CONTAINER_OF(node, struct tnode, node);

    t->sess.accepts++;
    link->cb = &sess_cb;
    link->session = &t->sess;
}

static int rec_adv_send(void *ctx, uint8_t ad_type, const uint8_t *data, size_t len,
                        const struct meshrpr_adv_params *params)
{
    struct tnode *t = MESHRPR_CONTAINER_OF(ctx, struct tnode, fp);
    struct world *w = t->w;
    struct rec r = { .from = t->id, .type = ad_type, .len = len, .t_ms = w->now_ms };

    assert_true(len <= sizeof(r.data));
    assert_non_null(params);
    memcpy(r.data, data, len);
    r.params = *params;
    assert_true(w->log_count < LOG_MAX);
    w->log[w->log_count++] = r;
    assert_true(w->q_count < QUEUE_MAX);
    w->queue[(w->q_head + w->q_count) % QUEUE_MAX] = r;
    w->q_count++;
    return 0;
}

static int rec_random(void *ctx, uint8_t *out, size_t len)
{
    struct tnode *t = MESHRPR_CONTAINER_OF(ctx, struct tnode, fp);
    size_t i = 0;

    while (i < len && t->rand_prefix_left > 0) {
        out[i++] = t->rand_prefix[sizeof(t->rand_prefix) - t->rand_prefix_left--];
    }
    if (i == len) {
        return 0;
    }
    /* The rest from the fake platform's seeded generator. */
    return t->fake_random(ctx, &out[i], len - i);
}

static void tnode_init(struct world *w, int id, uint64_t seed)
{
    struct tnode *t = &w->n[id];

    fake_platform_init(&t->fp, seed);
    t->fp.platform.adv_send = rec_adv_send;
    t->fake_random = t->fp.platform.random;
    t->fp.platform.random = rec_random;
    t->w = w;
    t->id = id;
    t->elem = (struct bt_mesh_elem)BT_MESH_ELEM(0, BT_MESH_MODEL_NONE, BT_MESH_MODEL_NONE);
    t->comp = (struct bt_mesh_comp){ .cid = 0xffff, .elem_count = 1, .elem = &t->elem };
    t->cfg = (struct meshrpr_node_config){ .platform = &t->fp.platform, .comp = &t->comp };
    assert_int_equal(meshrpr_node_init(&t->node, &t->cfg), 0);
}

static struct world *world_new(void)
{
    struct world *w = calloc(1, sizeof(*w));

    assert_non_null(w);
    tnode_init(w, 0, 1); /* node 0: provisioner */
    tnode_init(w, 1, 2); /* node 1: device */
    return w;
}

static void set_time(struct world *w, uint64_t t)
{
    w->now_ms = t;
    w->n[0].fp.now_ms = t;
    w->n[1].fp.now_ms = t;
}

static uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void deliver_all(struct world *w)
{
    while (w->q_count > 0) {
        struct rec r = w->queue[w->q_head];
        w->q_head = (w->q_head + 1) % QUEUE_MAX;
        w->q_count--;
        /* On air and gone, lost or not: the sender hears of it (platform.h, adv_send). */
        meshrpr_node_adv_sent(&w->n[r.from].node, r.params.tx_id);
        if (w->drop != NULL && w->drop(w, &r)) {
            continue;
        }
        if (w->loss_percent != 0) {
            /* Each of the PDU's transmissions is lost on its own: the PDU is lost when all
             * of them are. */
            bool lost = true;
            for (unsigned k = 0; k < r.params.count && lost; k++) {
                lost = rng_next(&w->loss_rng) % 100 < w->loss_percent;
            }
            if (lost) {
                continue;
            }
        }
        if (r.type == MESHRPR_PB_ADV_AD_TYPE) {
            meshrpr_pb_adv_recv(&w->n[1 - r.from].node, r.data, r.len);
        }
    }
}

/* Deliver every PDU at once and run both nodes' timers up to t_end. */
static void run_until(struct world *w, uint64_t t_end)
{
    for (;;) {
        deliver_all(w);
        uint64_t d0 = meshrpr_node_next_deadline_ms(&w->n[0].node);
        uint64_t d1 = meshrpr_node_next_deadline_ms(&w->n[1].node);
        uint64_t d = d0 < d1 ? d0 : d1;
        if (d > t_end) {
            break;
        }
        set_time(w, d > w->now_ms ? d : w->now_ms);
        meshrpr_node_process(&w->n[0].node);
        meshrpr_node_process(&w->n[1].node);
    }
    set_time(w, t_end);
}

static void run_for(struct world *w, uint64_t ms)
{
    run_until(w, w->now_ms + ms);
}

static void world_free(struct world *w)
{
    /* Every test ends with both nodes idle, once a link we closed has stopped lingering. */
    run_for(w, MESHRPR_PB_ADV_LINGER_MS);
    assert_true(meshrpr_pb_adv_is_idle(&w->n[0].node));
    assert_true(meshrpr_pb_adv_is_idle(&w->n[1].node));
    assert_true(meshrpr_node_is_idle(&w->n[0].node));
    assert_true(meshrpr_node_is_idle(&w->n[1].node));
    meshrpr_node_deinit(&w->n[0].node);
    meshrpr_node_deinit(&w->n[1].node);
    free(w);
}

/* Generic Provisioning PDU kinds, for counting what went on the air. */
enum kind { K_START, K_ACK, K_CONT, K_OPEN, K_LINK_ACK, K_CLOSE, K_OTHER };

static enum kind rec_kind(const struct rec *r)
{
    if (r->type != MESHRPR_PB_ADV_AD_TYPE || r->len < 6) {
        return K_OTHER;
    }
    switch (r->data[5] & 3) {
    case 0:
        return K_START;
    case 1:
        return K_ACK;
    case 2:
        return K_CONT;
    default:
        switch (r->data[5] >> 2) {
        case 0:
            return K_OPEN;
        case 1:
            return K_LINK_ACK;
        case 2:
            return K_CLOSE;
        default:
            return K_OTHER;
        }
    }
}

static unsigned count_kind(const struct world *w, int from, enum kind k)
{
    unsigned n = 0;

    for (size_t i = 0; i < w->log_count; i++) {
        if (w->log[i].from == from && rec_kind(&w->log[i]) == k) {
            n++;
        }
    }
    return n;
}

/* Every retransmission of kind k by the provisioner follows the previous copy by min_ms to
 * max_ms, and not always by the same time (jitter). */
static void assert_retransmit_intervals(const struct world *w, enum kind k, uint64_t min_ms,
                                        uint64_t max_ms)
{
    const struct rec *prev = NULL;
    bool varied = false;
    uint64_t first_gap = 0;

    for (size_t i = 0; i < w->log_count; i++) {
        const struct rec *r = &w->log[i];
        if (r->from != 0 || rec_kind(r) != k) {
            continue;
        }
        if (prev != NULL && prev->data[4] == r->data[4]) {
            const uint64_t gap = r->t_ms - prev->t_ms;
            assert_in_range(gap, min_ms, max_ms);
            if (first_gap == 0) {
                first_gap = gap;
            } else if (gap != first_gap) {
                varied = true;
            }
        }
        prev = r;
    }
    assert_true(varied);
}

static void device_enable(struct world *w, const char *uuid_hex)
{
    uint8_t uuid[16];

    test_hex(uuid_hex, uuid, sizeof(uuid));
    assert_int_equal(meshrpr_pb_adv_device_enable(&w->n[1].node, uuid, dev_accept), 0);
}

/* Open a link from node 0 to node 1 and run until both sides see it open. */
static void open_link(struct world *w)
{
    uint8_t uuid[16];
    struct meshrpr_prov_link *link = NULL;

    device_enable(w, SAMPLE_UUID);
    test_hex(SAMPLE_UUID, uuid, sizeof(uuid));
    assert_int_equal(
        meshrpr_pb_adv_link_open(&w->n[0].node, uuid, 0, &sess_cb, &w->n[0].sess, &link), 0);
    assert_non_null(link);
    run_for(w, 10);
    assert_int_equal(w->n[0].sess.opened, 1);
    assert_int_equal(w->n[1].sess.opened, 1);
    assert_ptr_equal(w->n[0].sess.link, link);
}

/* Close from the provisioner with Success and run until both sides are idle. */
static void close_link(struct world *w)
{
    struct meshrpr_prov_link *link = w->n[0].sess.link;

    assert_non_null(link);
    link->ops->close(link, MESHRPR_PROV_LINK_SUCCESS);
    run_for(w, 1000);
    assert_int_equal(w->n[0].sess.closed, 1);
    assert_int_equal(w->n[0].sess.reason, MESHRPR_PROV_LINK_SUCCESS);
}

static int send_hex(struct tnode *t, const char *hex)
{
    uint8_t pdu[MESHRPR_PB_ADV_PDU_MAX + 1];
    size_t len = test_hex(hex, pdu, sizeof(pdu));

    return t->sess.link->ops->send(t->sess.link, pdu, len, sess_complete, &t->sess);
}

static void inject_hex(struct world *w, int to, const char *hex)
{
    uint8_t pdu[31];
    size_t len = test_hex(hex, pdu, sizeof(pdu));

    meshrpr_pb_adv_recv(&w->n[to].node, pdu, len);
}

/* ---- Codec ------------------------------------------------------------------------------------
 */

static void fcs_of(const char *hex, uint8_t expected)
{
    uint8_t buf[MESHRPR_PB_ADV_PDU_MAX];
    size_t len = test_hex(hex, buf, sizeof(buf));

    assert_int_equal(meshrpr_pb_adv_fcs(buf, len), expected);
}

static void test_fcs(void **state)
{
    (void)state;
    /* The CRC's check value (3GPP TS 27.010 FCS of "123456789"), then §8.7's FCS values
     * (provisioning-facts.md §1.3). */
    assert_int_equal(meshrpr_pb_adv_fcs((const uint8_t *)"123456789", 9), 0x2f);
    fcs_of(SAMPLE_INVITE, 0x14);
    fcs_of(SAMPLE_CAPS, 0xd6);
    fcs_of(SAMPLE_START, 0x64);
    fcs_of(SAMPLE_PROV_PUB, 0xd1);
    fcs_of(SAMPLE_DEV_PUB, 0x10);
    fcs_of(SAMPLE_CONF_P, 0xd1);
    fcs_of(SAMPLE_CONF_D, 0xec);
    fcs_of(SAMPLE_RAND_P, 0xd3);
    fcs_of(SAMPLE_RAND_D, 0x59);
    fcs_of(SAMPLE_DATA, 0x8b);
    fcs_of(SAMPLE_COMPLETE, 0x3e);
    /* Computed by three independent implementations in provisioning-facts.md §1.3 (not
     * printed in the specification): §8.17.2 Capabilities, Input Complete, Failed. */
    fcs_of("010100030001000000000000", 0xdf);
    fcs_of("04", 0x37);
    fcs_of("0904", 0x94);
    /* The receiver's check: the register run over PDU || FCS ends at 0xCF, so the FCS
     * function (which complements) gives 0x30 for it. */
    TEST_HEX(with_fcs, SAMPLE_INVITE "14");
    assert_int_equal(meshrpr_pb_adv_fcs(with_fcs, with_fcs_len), 0xcf ^ 0xff);
}

static void test_seg_n(void **state)
{
    (void)state;
    /* §5.3.1.2: 20 octets in the Start, 23 per Continuation. */
    assert_int_equal(meshrpr_pb_adv_seg_n(1), 0);
    assert_int_equal(meshrpr_pb_adv_seg_n(20), 0);
    assert_int_equal(meshrpr_pb_adv_seg_n(21), 1);
    assert_int_equal(meshrpr_pb_adv_seg_n(34), 1); /* Data: 20 + 14 */
    assert_int_equal(meshrpr_pb_adv_seg_n(43), 1); /* where Zephyr's sender says 2 */
    assert_int_equal(meshrpr_pb_adv_seg_n(44), 2);
    assert_int_equal(meshrpr_pb_adv_seg_n(65), 2); /* Public Key: 20 + 23 + 22 */
    assert_int_equal(meshrpr_pb_adv_seg_n(66), 2);
    assert_int_equal(meshrpr_pb_adv_seg_n(67), 3);
}

static void test_gp_decode_samples(void **state)
{
    struct meshrpr_pb_adv_gp gp;
    uint8_t out[MESHRPR_PB_ADV_GP_MTU];
    (void)state;

    /* §8.7 Link Open: 03 | UUID. */
    TEST_HEX(open, "03" SAMPLE_UUID);
    assert_int_equal(meshrpr_pb_adv_gp_decode(open, open_len, &gp), 0);
    assert_int_equal(gp.gpcf, MESHRPR_PB_ADV_GPCF_CTL);
    assert_int_equal(gp.opcode, MESHRPR_PB_ADV_LINK_OPEN);
    assert_hex_equal(gp.uuid, 16, SAMPLE_UUID);
    assert_int_equal(meshrpr_pb_adv_gp_encode(&gp, out), 17);
    assert_hex_equal(out, 17, "03" SAMPLE_UUID);

    /* Link ACK: 07. */
    TEST_HEX(lack, "07");
    assert_int_equal(meshrpr_pb_adv_gp_decode(lack, lack_len, &gp), 0);
    assert_int_equal(gp.gpcf, MESHRPR_PB_ADV_GPCF_CTL);
    assert_int_equal(gp.opcode, MESHRPR_PB_ADV_LINK_ACK);
    assert_int_equal(meshrpr_pb_adv_gp_encode(&gp, out), 1);
    assert_hex_equal(out, 1, "07");

    /* Link Close(Success): 0b 00; any reason is accepted (§5.3.1.4.3). */
    TEST_HEX(lclose, "0b00");
    assert_int_equal(meshrpr_pb_adv_gp_decode(lclose, lclose_len, &gp), 0);
    assert_int_equal(gp.opcode, MESHRPR_PB_ADV_LINK_CLOSE);
    assert_int_equal(gp.reason, 0);
    assert_int_equal(meshrpr_pb_adv_gp_encode(&gp, out), 2);
    assert_hex_equal(out, 2, "0b00");
    TEST_HEX(lclose_rfu, "0bff");
    assert_int_equal(meshrpr_pb_adv_gp_decode(lclose_rfu, lclose_rfu_len, &gp), 0);
    assert_int_equal(gp.reason, 0xff);

    /* Transaction Ack: 01. */
    TEST_HEX(ack, "01");
    assert_int_equal(meshrpr_pb_adv_gp_decode(ack, ack_len, &gp), 0);
    assert_int_equal(gp.gpcf, MESHRPR_PB_ADV_GPCF_ACK);
    assert_int_equal(meshrpr_pb_adv_gp_encode(&gp, out), 1);
    assert_hex_equal(out, 1, "01");

    /* §8.7.6 Provisioner Public Key, Transaction Start: SegN 2, TotalLength 0x41, FCS d1. */
    TEST_HEX(start, "080041d1032c31a47b5779809ef44cb5eaaf5c3e43d5f8fa");
    assert_int_equal(meshrpr_pb_adv_gp_decode(start, start_len, &gp), 0);
    assert_int_equal(gp.gpcf, MESHRPR_PB_ADV_GPCF_START);
    assert_int_equal(gp.seg, 2);
    assert_int_equal(gp.total_len, 65);
    assert_int_equal(gp.fcs, 0xd1);
    assert_int_equal(gp.data_len, 20);
    assert_int_equal(meshrpr_pb_adv_gp_encode(&gp, out), 24);
    assert_hex_equal(out, 24, "080041d1032c31a47b5779809ef44cb5eaaf5c3e43d5f8fa");

    /* Its Transaction Continuation with SegmentIndex 1: 06 | 23 octets. */
    TEST_HEX(cont, "06ad4a8794cb987e9b03745c78dd919512183898dfbecd52");
    assert_int_equal(meshrpr_pb_adv_gp_decode(cont, cont_len, &gp), 0);
    assert_int_equal(gp.gpcf, MESHRPR_PB_ADV_GPCF_CONT);
    assert_int_equal(gp.seg, 1);
    assert_int_equal(gp.data_len, 23);
    assert_int_equal(meshrpr_pb_adv_gp_encode(&gp, out), 24);
    assert_hex_equal(out, 24, "06ad4a8794cb987e9b03745c78dd919512183898dfbecd52");
}

static void test_gp_decode_malformed(void **state)
{
    struct meshrpr_pb_adv_gp gp;
    (void)state;

    assert_int_equal(meshrpr_pb_adv_gp_decode(NULL, 0, &gp), -EINVAL);
    TEST_HEX(empty, "00");
    assert_int_equal(meshrpr_pb_adv_gp_decode(empty, 0, &gp), -EINVAL);
    /* Link Open with a 15-octet UUID, and with 17. */
    TEST_HEX(open_short, "03"
                         "70cf7c9732a345b691494810d2e9cb");
    assert_int_equal(meshrpr_pb_adv_gp_decode(open_short, open_short_len, &gp), -EINVAL);
    TEST_HEX(open_long, "03" SAMPLE_UUID "00");
    assert_int_equal(meshrpr_pb_adv_gp_decode(open_long, open_long_len, &gp), -EINVAL);
    /* Link ACK and Transaction Ack with parameters; Link Close without its reason. */
    TEST_HEX(lack_long, "0700");
    assert_int_equal(meshrpr_pb_adv_gp_decode(lack_long, lack_long_len, &gp), -EINVAL);
    TEST_HEX(ack_long, "0100");
    assert_int_equal(meshrpr_pb_adv_gp_decode(ack_long, ack_long_len, &gp), -EINVAL);
    TEST_HEX(close_short, "0b");
    assert_int_equal(meshrpr_pb_adv_gp_decode(close_short, close_short_len, &gp), -EINVAL);
    TEST_HEX(close_long, "0b0000");
    assert_int_equal(meshrpr_pb_adv_gp_decode(close_long, close_long_len, &gp), -EINVAL);
    /* RFU Bearer Control opcode 0x03. */
    TEST_HEX(rfu, "0f");
    assert_int_equal(meshrpr_pb_adv_gp_decode(rfu, rfu_len, &gp), -ENOTSUP);
    /* Transaction Start without a segment; Continuation with index 0 or without data. */
    TEST_HEX(start_empty, "000001aa");
    assert_int_equal(meshrpr_pb_adv_gp_decode(start_empty, start_empty_len, &gp), -EINVAL);
    TEST_HEX(cont0, "02aa");
    assert_int_equal(meshrpr_pb_adv_gp_decode(cont0, cont0_len, &gp), -EINVAL);
    TEST_HEX(cont_empty, "06");
    assert_int_equal(meshrpr_pb_adv_gp_decode(cont_empty, cont_empty_len, &gp), -EINVAL);
    /* Longer than the 24-octet MTU. */
    uint8_t big[25] = { 0x06 };
    assert_int_equal(meshrpr_pb_adv_gp_decode(big, sizeof(big), &gp), -EINVAL);
    /* Encoder refuses what cannot be sent. */
    uint8_t out[MESHRPR_PB_ADV_GP_MTU];
    struct meshrpr_pb_adv_gp bad = {
        .gpcf = MESHRPR_PB_ADV_GPCF_CONT, .seg = 0, .data = big, .data_len = 1
    };
    assert_int_equal(meshrpr_pb_adv_gp_encode(&bad, out), -EINVAL);
    bad = (struct meshrpr_pb_adv_gp){ .gpcf = MESHRPR_PB_ADV_GPCF_START,
                                      .data = big,
                                      .data_len = 21 };
    assert_int_equal(meshrpr_pb_adv_gp_encode(&bad, out), -EINVAL);
    bad = (struct meshrpr_pb_adv_gp){ .gpcf = MESHRPR_PB_ADV_GPCF_CTL, .opcode = 3 };
    assert_int_equal(meshrpr_pb_adv_gp_encode(&bad, out), -EINVAL);
}

static void test_segment_samples(void **state)
{
    uint8_t out[MESHRPR_PB_ADV_GP_MTU];
    (void)state;

    /* §8.7.6: the Provisioner's Public Key in three segments of 20, 23 and 22 octets. */
    TEST_HEX(pub, SAMPLE_PROV_PUB);
    assert_int_equal(pub_len, 65);
    assert_int_equal(meshrpr_pb_adv_segment(pub, pub_len, 0, out), 24);
    assert_hex_equal(out, 24, "080041d1032c31a47b5779809ef44cb5eaaf5c3e43d5f8fa");
    assert_int_equal(meshrpr_pb_adv_segment(pub, pub_len, 1, out), 24);
    assert_hex_equal(out, 24, "06ad4a8794cb987e9b03745c78dd919512183898dfbecd52");
    assert_int_equal(meshrpr_pb_adv_segment(pub, pub_len, 2, out), 23);
    assert_hex_equal(out, 23, "0ae2408e43871fd021109117bd3ed4eaf8437743715d4f");
    assert_int_equal(meshrpr_pb_adv_segment(pub, pub_len, 3, out), -EINVAL);

    /* Single-segment PDUs: Invite, Capabilities, Start, Complete with their §8.7 FCS. */
    TEST_HEX(invite, SAMPLE_INVITE);
    assert_int_equal(meshrpr_pb_adv_segment(invite, invite_len, 0, out), 6);
    assert_hex_equal(out, 6, "000002140000");
    TEST_HEX(caps, SAMPLE_CAPS);
    assert_int_equal(meshrpr_pb_adv_segment(caps, caps_len, 0, out), 16);
    assert_hex_equal(out, 16, "00000cd6" SAMPLE_CAPS);
    TEST_HEX(complete, SAMPLE_COMPLETE);
    assert_int_equal(meshrpr_pb_adv_segment(complete, complete_len, 0, out), 5);
    assert_hex_equal(out, 5, "0000013e08");

    /* The Data PDU: 20 + 14. */
    TEST_HEX(data, SAMPLE_DATA);
    assert_int_equal(meshrpr_pb_adv_segment(data, data_len, 0, out), 24);
    assert_hex_equal(out, 4, "0400228b");
    assert_int_equal(meshrpr_pb_adv_segment(data, data_len, 1, out), 15);
    assert_int_equal(out[0], 0x06);

    assert_int_equal(meshrpr_pb_adv_segment(data, 0, 0, out), -EINVAL);
    assert_int_equal(meshrpr_pb_adv_segment(data, MESHRPR_PB_ADV_PDU_MAX + 1, 0, out), -EINVAL);
}

/* Segment a PDU and feed the segments to a reassembler in the given order. */
static int reassemble(const uint8_t *pdu, size_t len, const int *order, size_t n,
                      struct meshrpr_pb_adv_rx *rx)
{
    uint8_t out[MESHRPR_PB_ADV_GP_MTU];
    struct meshrpr_pb_adv_gp gp;
    int ret = 0;

    meshrpr_pb_adv_rx_reset(rx);
    for (size_t i = 0; i < n; i++) {
        int seg_len = meshrpr_pb_adv_segment(pdu, len, (uint8_t)order[i], out);
        assert_true(seg_len > 0);
        assert_int_equal(meshrpr_pb_adv_gp_decode(out, (size_t)seg_len, &gp), 0);
        ret = meshrpr_pb_adv_rx_add(rx, &gp);
        if (ret != 0) {
            return ret;
        }
    }
    return ret;
}

static void test_segmentation_round_trip(void **state)
{
    struct meshrpr_pb_adv_rx rx;
    uint8_t pdu[MESHRPR_PB_ADV_PDU_MAX];
    (void)state;

    for (size_t len = 1; len <= 66; len++) {
        const uint8_t seg_n = meshrpr_pb_adv_seg_n(len);
        uint8_t out[MESHRPR_PB_ADV_GP_MTU];
        size_t total = 0;
        int fwd[8], rev[8], dup[16];
        size_t ndup = 0;

        for (size_t i = 0; i < len; i++) {
            pdu[i] = (uint8_t)(i * 37 + len);
        }
        /* Segment sizes: every segment but the last is full. */
        for (uint8_t s = 0; s <= seg_n; s++) {
            int l = meshrpr_pb_adv_segment(pdu, len, s, out);
            size_t data = (size_t)l - (s == 0 ? 4 : 1);
            assert_true(l > 0 && l <= MESHRPR_PB_ADV_GP_MTU);
            if (s < seg_n) {
                assert_int_equal(data, s == 0 ? 20 : 23);
            }
            total += data;
            fwd[s] = s;
            rev[seg_n - s] = s;
            dup[ndup++] = s;
            dup[ndup++] = s;
        }
        assert_int_equal(total, len);
        assert_int_equal(meshrpr_pb_adv_segment(pdu, len, (uint8_t)(seg_n + 1), out), -EINVAL);

        /* In order, reversed (Continuations before the Start), and every segment twice. */
        assert_int_equal(reassemble(pdu, len, fwd, seg_n + 1u, &rx), 1);
        assert_int_equal(rx.total_len, len);
        assert_memory_equal(rx.buf, pdu, len);
        assert_int_equal(reassemble(pdu, len, rev, seg_n + 1u, &rx), 1);
        assert_memory_equal(rx.buf, pdu, len);
        assert_int_equal(reassemble(pdu, len, dup, ndup - 1, &rx), 1);
        assert_memory_equal(rx.buf, pdu, len);
    }
}

/* Senders of the Zephyr family announce SegN 2 for a 43-octet PDU and send two segments
 * (provisioning-facts.md §8): taken as SegN 1. */
static void test_reassembly_zephyr_seg_n(void **state)
{
    struct meshrpr_pb_adv_rx rx;
    struct meshrpr_pb_adv_gp gp;
    uint8_t pdu[43], out[MESHRPR_PB_ADV_GP_MTU];
    (void)state;

    for (size_t i = 0; i < sizeof(pdu); i++) {
        pdu[i] = (uint8_t)(0xa0 + i);
    }
    meshrpr_pb_adv_rx_reset(&rx);
    assert_int_equal(meshrpr_pb_adv_segment(pdu, sizeof(pdu), 0, out), 24);
    assert_int_equal(out[0], 0x04); /* SegN 1 from us */
    out[0] = 0x08;                  /* SegN 2, as Zephyr announces it */
    assert_int_equal(meshrpr_pb_adv_gp_decode(out, 24, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), 0); /* its retransmission */
    assert_int_equal(meshrpr_pb_adv_segment(pdu, sizeof(pdu), 1, out), 24);
    assert_int_equal(meshrpr_pb_adv_gp_decode(out, 24, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), 1);
    assert_memory_equal(rx.buf, pdu, sizeof(pdu));
}

static void test_reassembly_checks(void **state)
{
    struct meshrpr_pb_adv_rx rx;
    struct meshrpr_pb_adv_gp gp;
    (void)state;

    /* Wrong FCS: the whole transaction is dropped. */
    TEST_HEX(bad_fcs, "000002150000");
    meshrpr_pb_adv_rx_reset(&rx);
    assert_int_equal(meshrpr_pb_adv_gp_decode(bad_fcs, bad_fcs_len, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), -EBADMSG);
    assert_int_equal(rx.received, 0);

    /* SegN disagreeing with TotalLength (65 octets need SegN 2). */
    TEST_HEX(segn1, "040041d1032c31a47b5779809ef44cb5eaaf5c3e43d5f8fa");
    assert_int_equal(meshrpr_pb_adv_gp_decode(segn1, segn1_len, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), -EINVAL);
    TEST_HEX(segn3, "0c0041d1032c31a47b5779809ef44cb5eaaf5c3e43d5f8fa");
    assert_int_equal(meshrpr_pb_adv_gp_decode(segn3, segn3_len, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), -EINVAL);

    /* TotalLength 0, or beyond the largest PDU. */
    TEST_HEX(zero, "00000000aa");
    assert_int_equal(meshrpr_pb_adv_gp_decode(zero, zero_len, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), -EINVAL);
    uint8_t big[24] = { 0x0c, 0x00, MESHRPR_PB_ADV_PDU_MAX + 1, 0x00 };
    assert_int_equal(meshrpr_pb_adv_gp_decode(big, sizeof(big), &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), -EINVAL);

    /* A Start whose segment is shorter than TotalLength says (single segment). */
    TEST_HEX(short_start, "0000031400");
    assert_int_equal(meshrpr_pb_adv_gp_decode(short_start, short_start_len, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), -EINVAL);

    /* A Continuation beyond SegN, and a last segment of the wrong length. */
    TEST_HEX(start, "080041d1032c31a47b5779809ef44cb5eaaf5c3e43d5f8fa");
    assert_int_equal(meshrpr_pb_adv_gp_decode(start, start_len, &gp), 0);
    meshrpr_pb_adv_rx_reset(&rx);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), 0);
    TEST_HEX(cont3, "0eaa");
    assert_int_equal(meshrpr_pb_adv_gp_decode(cont3, cont3_len, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), -EINVAL);
    assert_int_equal(rx.received, 0);
    assert_int_equal(meshrpr_pb_adv_gp_decode(start, start_len, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), 0);
    TEST_HEX(last_short, "0ae2408e43871fd021109117bd3ed4eaf8437743715d");
    assert_int_equal(meshrpr_pb_adv_gp_decode(last_short, last_short_len, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), -EINVAL);

    /* A short middle Continuation received before the Start is caught by the Start. */
    meshrpr_pb_adv_rx_reset(&rx);
    TEST_HEX(mid_short, "06ad4a87");
    assert_int_equal(meshrpr_pb_adv_gp_decode(mid_short, mid_short_len, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_gp_decode(start, start_len, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), -EINVAL);

    /* A different Start in the middle of a transaction. */
    meshrpr_pb_adv_rx_reset(&rx);
    assert_int_equal(meshrpr_pb_adv_gp_decode(start, start_len, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), 0);
    TEST_HEX(other_start, "080041d2032c31a47b5779809ef44cb5eaaf5c3e43d5f8fa");
    assert_int_equal(meshrpr_pb_adv_gp_decode(other_start, other_start_len, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), -EINVAL);

    /* Acks and Bearer Control are not segments. */
    TEST_HEX(ack, "01");
    assert_int_equal(meshrpr_pb_adv_gp_decode(ack, ack_len, &gp), 0);
    assert_int_equal(meshrpr_pb_adv_rx_add(&rx, &gp), -EINVAL);
}

/* ---- Links ------------------------------------------------------------------------------------
 */

/* The §8.7 exchange's PB-ADV framing, byte for byte: Link ID 23af5850 injected through the
 * provisioner's random source. */
static void test_sample_exchange(void **state)
{
    struct world *w = world_new();
    uint8_t uuid[16];
    struct meshrpr_prov_link *link;
    (void)state;

    memcpy(w->n[0].rand_prefix, (const uint8_t[]){ 0x23, 0xaf, 0x58, 0x50 }, 4);
    w->n[0].rand_prefix_left = 4;
    device_enable(w, SAMPLE_UUID);
    test_hex(SAMPLE_UUID, uuid, sizeof(uuid));
    assert_int_equal(
        meshrpr_pb_adv_link_open(&w->n[0].node, uuid, 0, &sess_cb, &w->n[0].sess, &link), 0);
    run_for(w, 10);
    assert_int_equal(w->log_count, 2);
    assert_int_equal(w->log[0].type, 0x29);
    assert_hex_equal(w->log[0].data, w->log[0].len, "23af5850 00 03" SAMPLE_UUID);
    assert_int_equal(w->log[1].from, 1);
    assert_hex_equal(w->log[1].data, w->log[1].len, "23af5850 00 07");
    assert_int_equal(w->n[1].sess.accepts, 1);

    /* Invite (TN 00) and its Ack; Capabilities (TN 80) and its Ack. */
    TEST_HEX(caps, SAMPLE_CAPS);
    w->n[1].sess.reply[0] = caps;
    w->n[1].sess.reply_len[0] = caps_len;
    assert_int_equal(send_hex(&w->n[0], SAMPLE_INVITE), 0);
    run_for(w, 10);
    assert_int_equal(w->log_count, 6);
    assert_hex_equal(w->log[2].data, w->log[2].len, "23af5850 00 00000214 0000");
    assert_hex_equal(w->log[3].data, w->log[3].len, "23af5850 00 01");
    assert_hex_equal(w->log[4].data, w->log[4].len, "23af5850 80 00000cd6" SAMPLE_CAPS);
    assert_hex_equal(w->log[5].data, w->log[5].len, "23af5850 80 01");
    assert_int_equal(w->n[0].sess.complete_count, 1);
    assert_int_equal(w->n[0].sess.complete_err, 0);
    assert_int_equal(w->n[0].sess.rx_count, 1);
    assert_hex_equal(w->n[0].sess.rx[0], w->n[0].sess.rx_len[0], SAMPLE_CAPS);

    /* Start (TN 01), then the Public Key (TN 02) in three segments (§8.7.6). */
    assert_int_equal(send_hex(&w->n[0], SAMPLE_START), 0);
    run_for(w, 10);
    assert_hex_equal(w->log[6].data, w->log[6].len, "23af5850 01 00000664" SAMPLE_START);
    assert_hex_equal(w->log[7].data, w->log[7].len, "23af5850 01 01");
    assert_int_equal(send_hex(&w->n[0], SAMPLE_PROV_PUB), 0);
    run_for(w, 10);
    assert_int_equal(w->log_count, 12);
    assert_hex_equal(w->log[8].data, w->log[8].len,
                     "23af5850 02 080041d1032c31a47b5779809ef44cb5eaaf5c3e43d5f8fa");
    assert_hex_equal(w->log[9].data, w->log[9].len,
                     "23af5850 02 06ad4a8794cb987e9b03745c78dd919512183898dfbecd52");
    assert_hex_equal(w->log[10].data, w->log[10].len,
                     "23af5850 02 0ae2408e43871fd021109117bd3ed4eaf8437743715d4f");
    assert_hex_equal(w->log[11].data, w->log[11].len, "23af5850 02 01");
    assert_int_equal(w->n[1].sess.rx_count, 3);
    assert_hex_equal(w->n[1].sess.rx[2], w->n[1].sess.rx_len[2], SAMPLE_PROV_PUB);

    /* Link Close(Success): three transmissions (§5.3.1.4.3) a burst, the burst repeated. */
    close_link(w);
    assert_hex_equal(w->log[12].data, w->log[12].len, "23af5850 00 0b00");
    assert_int_equal(count_kind(w, 0, K_CLOSE), MESHRPR_PB_ADV_CLOSE_BURSTS);
    assert_int_equal(w->log[12].params.count, 3);
    assert_int_equal(w->n[1].sess.closed, 1);
    assert_int_equal(w->n[1].sess.reason, MESHRPR_PROV_LINK_SUCCESS);
    world_free(w);
}

static void test_open_close(void **state)
{
    struct world *w = world_new();
    (void)state;

    open_link(w);
    /* Link Open once, Link ACK once, three transmissions 20 ms apart for the ACK. */
    assert_int_equal(count_kind(w, 0, K_OPEN), 1);
    assert_int_equal(count_kind(w, 1, K_LINK_ACK), 1);
    assert_int_equal(w->log[1].params.count, 3);
    assert_int_equal(w->log[1].params.interval_ms, 20);
    assert_false(meshrpr_pb_adv_is_idle(&w->n[0].node));
    assert_false(meshrpr_pb_adv_is_idle(&w->n[1].node));
    assert_true(meshrpr_pb_adv_device_link_active(&w->n[1].node));

    /* Closing: a Link Close burst of three transmissions 20 ms apart (§5.3.1.4.3: at least
     * three); link_closed once, as soon as the host reports that burst sent, never from
     * inside close; the burst is repeated while the closed link lingers. */
    uint64_t t0 = w->now_ms;
    w->n[0].sess.link->ops->close(w->n[0].sess.link, MESHRPR_PROV_LINK_FAIL);
    assert_int_equal(w->n[0].sess.closed, 0); /* never from inside close */
    assert_int_equal(count_kind(w, 0, K_CLOSE), 1);
    const struct rec *close = &w->log[w->log_count - 1];
    assert_int_equal(rec_kind(close), K_CLOSE);
    assert_int_equal(close->t_ms, t0);
    assert_int_equal(close->params.count, 3);
    assert_int_equal(close->params.interval_ms, 20);
    assert_int_equal(close->data[6], MESHRPR_PROV_LINK_FAIL);
    run_for(w, 1);
    assert_int_equal(w->n[0].sess.closed, 1);
    assert_int_equal(w->n[0].sess.reason, MESHRPR_PROV_LINK_FAIL);
    assert_int_equal(w->n[1].sess.closed, 1);
    assert_int_equal(w->n[1].sess.reason, MESHRPR_PROV_LINK_FAIL);
    run_for(w, 1000);
    assert_int_equal(count_kind(w, 0, K_CLOSE), MESHRPR_PB_ADV_CLOSE_BURSTS);
    world_free(w);
}

/* Drop the first copy of segment 1 of the provisioner's transaction and the first two acks. */
static bool drop_seg_and_acks(struct world *w, const struct rec *r)
{
    if (r->from == 0 && rec_kind(r) == K_CONT && (r->data[5] >> 2) == 1 && w->drop_count[0] == 0) {
        w->drop_count[0]++;
        return true;
    }
    if (r->from == 1 && rec_kind(r) == K_ACK && w->drop_count[1] < 2) {
        w->drop_count[1]++;
        return true;
    }
    return false;
}

static void test_public_key_with_losses(void **state)
{
    struct world *w = world_new();
    (void)state;

    open_link(w);
    w->drop = drop_seg_and_acks;
    assert_int_equal(send_hex(&w->n[0], SAMPLE_PROV_PUB), 0);
    assert_int_equal(send_hex(&w->n[0], SAMPLE_START), -EBUSY); /* one PDU in flight */
    run_for(w, 5000);
    assert_int_equal(w->drop_count[0], 1);
    assert_int_equal(w->drop_count[1], 2);
    /* Delivered once, byte for byte; completed once; retransmitted every 500 ms meanwhile. */
    assert_int_equal(w->n[1].sess.rx_count, 1);
    assert_hex_equal(w->n[1].sess.rx[0], w->n[1].sess.rx_len[0], SAMPLE_PROV_PUB);
    assert_int_equal(w->n[0].sess.complete_count, 1);
    assert_int_equal(w->n[0].sess.complete_err, 0);
    assert_true(count_kind(w, 0, K_START) >= 3);
    assert_retransmit_intervals(w, K_START, 500, 550);
    for (size_t i = 0; i < w->log_count; i++) {
        if (w->log[i].from == 0 && rec_kind(&w->log[i]) == K_START) {
            assert_int_equal(w->log[i].params.count, 2);
        }
    }
    /* Retransmission stopped with the Ack. */
    size_t n = w->log_count;
    run_for(w, 2000);
    assert_int_equal(w->log_count, n);
    w->drop = NULL;
    close_link(w);
    world_free(w);
}

static bool drop_device_acks(struct world *w, const struct rec *r)
{
    if (r->from == 1 && rec_kind(r) == K_ACK) {
        w->drop_count[0]++;
        return true;
    }
    return false;
}

static void test_next_pdu_acknowledges(void **state)
{
    struct world *w = world_new();
    (void)state;

    open_link(w);
    /* The device never acknowledges but answers at once: its answer completes our send. */
    w->drop = drop_device_acks;
    TEST_HEX(caps, SAMPLE_CAPS);
    w->n[1].sess.reply[0] = caps;
    w->n[1].sess.reply_len[0] = caps_len;
    assert_int_equal(send_hex(&w->n[0], SAMPLE_INVITE), 0);
    run_for(w, 10);
    assert_true(w->drop_count[0] >= 1);
    assert_int_equal(w->n[0].sess.complete_count, 1);
    assert_int_equal(w->n[0].sess.complete_err, 0);
    assert_int_equal(w->n[0].sess.rx_count, 1);
    assert_hex_equal(w->n[0].sess.rx[0], w->n[0].sess.rx_len[0], SAMPLE_CAPS);
    /* No retransmission of the Invite afterwards. */
    unsigned starts = count_kind(w, 0, K_START);
    run_for(w, 3000);
    assert_int_equal(count_kind(w, 0, K_START), starts);

    /* The provisioner's own Ack of the Capabilities reached the device. */
    assert_int_equal(w->n[1].sess.complete_count, 1);
    assert_int_equal(w->n[1].sess.complete_err, 0);
    w->drop = NULL;
    close_link(w);
    world_free(w);
}

static bool drop_provisioner_acks(struct world *w, const struct rec *r)
{
    (void)w;
    return r->from == 0 && rec_kind(r) == K_ACK;
}

static void test_next_pdu_acknowledges_device(void **state)
{
    struct world *w = world_new();
    (void)state;

    open_link(w);
    w->drop = drop_provisioner_acks;
    TEST_HEX(caps, SAMPLE_CAPS);
    TEST_HEX(start, SAMPLE_START);
    w->n[1].sess.reply[0] = caps;
    w->n[1].sess.reply_len[0] = caps_len;
    w->n[0].sess.reply[0] = start;
    w->n[0].sess.reply_len[0] = start_len;
    assert_int_equal(send_hex(&w->n[0], SAMPLE_INVITE), 0);
    run_for(w, 10);
    /* The device's Capabilities were completed by the provisioner's Start. */
    assert_int_equal(w->n[1].sess.rx_count, 2);
    assert_int_equal(w->n[1].sess.complete_count, 1);
    assert_int_equal(w->n[1].sess.complete_err, 0);
    assert_int_equal(w->n[0].sess.rx_count, 1);
    w->drop = NULL;
    close_link(w);
    world_free(w);
}

static void test_duplicates(void **state)
{
    struct world *w = world_new();
    (void)state;

    memcpy(w->n[0].rand_prefix, (const uint8_t[]){ 0x23, 0xaf, 0x58, 0x50 }, 4);
    w->n[0].rand_prefix_left = 4;
    open_link(w);

    /* A duplicate Link ACK changes nothing. */
    inject_hex(w, 0, "23af5850 00 07");
    run_for(w, 10);
    assert_int_equal(w->n[0].sess.opened, 1);

    /* A repeated Link Open (same Link ID) is answered with Link ACK again, not re-accepted. */
    unsigned acks = count_kind(w, 1, K_LINK_ACK);
    inject_hex(w, 1, "23af5850 00 03" SAMPLE_UUID);
    run_for(w, 10);
    assert_int_equal(count_kind(w, 1, K_LINK_ACK), acks + 1);
    assert_int_equal(w->n[1].sess.accepts, 1);
    assert_int_equal(w->n[1].sess.opened, 1);
    /* A Link Open with another Link ID while the link is open is ignored. */
    inject_hex(w, 1, "11223344 00 03" SAMPLE_UUID);
    run_for(w, 10);
    assert_int_equal(count_kind(w, 1, K_LINK_ACK), acks + 1);

    /* The same transaction twice in one burst: delivered once, acknowledged once (the second
     * copy arrives while the Ack is still waiting to go out); a copy after the Ack has left
     * is acknowledged again. */
    inject_hex(w, 1, "23af5850 00 00000214 0000");
    inject_hex(w, 1, "23af5850 00 00000214 0000");
    run_for(w, 10);
    assert_int_equal(w->n[1].sess.rx_count, 1);
    assert_int_equal(count_kind(w, 1, K_ACK), 1);
    inject_hex(w, 1, "23af5850 00 00000214 0000");
    run_for(w, 10);
    assert_int_equal(w->n[1].sess.rx_count, 1);
    assert_int_equal(count_kind(w, 1, K_ACK), 2);
    /* A stale or skipped Transaction Number is ignored. */
    inject_hex(w, 1, "23af5850 05 00000664" SAMPLE_START);
    run_for(w, 10);
    assert_int_equal(w->n[1].sess.rx_count, 1);
    assert_int_equal(count_kind(w, 1, K_ACK), 2);
    /* A Continuation of the delivered transaction is a duplicate too. */
    inject_hex(w, 1, "23af5850 00 06aa");
    assert_int_equal(count_kind(w, 1, K_ACK), 3);
    run_for(w, 10);
    /* The next one is taken. */
    inject_hex(w, 1, "23af5850 01 00000664" SAMPLE_START);
    assert_int_equal(w->n[1].sess.rx_count, 2);
    assert_hex_equal(w->n[1].sess.rx[1], w->n[1].sess.rx_len[1], SAMPLE_START);
    /* A bad FCS is dropped silently: no Ack, no delivery. */
    unsigned n_acks = count_kind(w, 1, K_ACK);
    inject_hex(w, 1, "23af5850 02 00000665" SAMPLE_START);
    assert_int_equal(count_kind(w, 1, K_ACK), n_acks);
    assert_int_equal(w->n[1].sess.rx_count, 2);
    /* A stray Transaction Ack, and PDUs for an unknown link, are harmless. */
    inject_hex(w, 0, "23af5850 55 01");
    inject_hex(w, 1, "deadbeef 00 00000214 0000");
    assert_int_equal(w->n[1].sess.rx_count, 2);
    run_for(w, 10);
    close_link(w);
    world_free(w);
}

/* Transaction Numbers (§5.2.1): the provisioner counts 0x00..0x7F, the device 0x80..0xFF,
 * each wrapping within its half. */
static void test_transaction_number_wrap(void **state)
{
    struct world *w = world_new();
    (void)state;

    open_link(w);
    for (unsigned i = 0; i < 130; i++) {
        size_t before = w->log_count;
        assert_int_equal(send_hex(&w->n[0], SAMPLE_INVITE), 0);
        run_for(w, 10);
        assert_int_equal(w->n[0].sess.complete_count, i + 1);
        assert_int_equal(w->log[before].from, 0);
        assert_int_equal(w->log[before].data[4], i % 128);
    }
    assert_int_equal(w->n[1].sess.rx_count, 130);
    for (unsigned i = 0; i < 130; i++) {
        size_t before = w->log_count;
        assert_int_equal(send_hex(&w->n[1], SAMPLE_COMPLETE), 0);
        run_for(w, 10);
        assert_int_equal(w->n[1].sess.complete_count, i + 1);
        assert_int_equal(w->log[before].from, 1);
        assert_int_equal(w->log[before].data[4], 0x80 | (i % 128));
    }
    assert_int_equal(w->n[0].sess.rx_count, 130);
    close_link(w);
    world_free(w);
}

static void test_link_establishment_timeout(void **state)
{
    struct world *w = world_new();
    uint8_t uuid[16];
    struct meshrpr_prov_link *link;
    (void)state;

    /* Nobody answers: Link Open every 500 to 550 ms (the default interval and jitter) for
     * 60 s, then link_closed(Timeout). */
    test_hex(SAMPLE_UUID, uuid, sizeof(uuid));
    assert_int_equal(
        meshrpr_pb_adv_link_open(&w->n[0].node, uuid, 0, &sess_cb, &w->n[0].sess, &link), 0);
    run_for(w, 59999);
    assert_int_equal(w->n[0].sess.closed, 0);
    assert_retransmit_intervals(w, K_OPEN, 500, 550);
    assert_in_range(count_kind(w, 0, K_OPEN), 60000 / 550, 120);
    run_for(w, 1000);
    assert_int_equal(w->n[0].sess.opened, 0);
    assert_int_equal(w->n[0].sess.closed, 1);
    assert_int_equal(w->n[0].sess.reason, MESHRPR_PROV_LINK_TIMEOUT);
    assert_int_equal(count_kind(w, 0, K_CLOSE), MESHRPR_PB_ADV_CLOSE_BURSTS);

    /* A shorter timeout, as a Remote Provisioning Server's Link Open gives. */
    assert_int_equal(
        meshrpr_pb_adv_link_open(&w->n[0].node, uuid, 10, &sess_cb, &w->n[0].sess, &link), 0);
    uint64_t t0 = w->now_ms;
    run_for(w, 9999);
    assert_int_equal(w->n[0].sess.closed, 1);
    run_for(w, 1);
    assert_int_equal(w->n[0].sess.closed, 2);
    assert_int_equal(w->n[0].sess.reason, MESHRPR_PROV_LINK_TIMEOUT);
    assert_int_equal(w->now_ms - t0, 10000);
    world_free(w);
}

static bool drop_all_from_device(struct world *w, const struct rec *r)
{
    (void)w;
    return r->from == 1;
}

static void test_transaction_timeout(void **state)
{
    struct world *w = world_new();
    (void)state;

    open_link(w);
    w->drop = drop_all_from_device;
    uint64_t t0 = w->now_ms;
    assert_int_equal(send_hex(&w->n[0], SAMPLE_INVITE), 0);
    run_for(w, 29999);
    assert_int_equal(w->n[0].sess.complete_count, 0);
    assert_int_equal(w->n[0].sess.closed, 0);
    assert_retransmit_intervals(w, K_START, 500, 550);
    assert_in_range(count_kind(w, 0, K_START), 30000 / 550, 60);
    /* At 30 s the Link Close (one PDU, three transmissions); once it has left, the send gives
     * up and the link closes with Timeout. */
    run_for(w, 1);
    assert_int_equal(count_kind(w, 0, K_CLOSE), 1);
    assert_int_equal(w->now_ms - t0, 30000);
    assert_int_equal(w->n[0].sess.complete_count, 1);
    assert_int_equal(w->n[0].sess.complete_err, -ETIMEDOUT);
    assert_int_equal(w->n[0].sess.closed, 1);
    assert_int_equal(w->n[0].sess.reason, MESHRPR_PROV_LINK_TIMEOUT);
    /* The device got the Invite once and heard the Link Close. */
    assert_int_equal(w->n[1].sess.rx_count, 1);
    assert_int_equal(w->n[1].sess.closed, 1);
    assert_int_equal(w->n[1].sess.reason, MESHRPR_PROV_LINK_TIMEOUT);
    world_free(w);
}

static void test_device_link_timer(void **state)
{
    struct world *w = world_new();
    (void)state;

    /* The provisioner opens the link but never sends a PDU: the device closes after 60 s. */
    open_link(w);
    run_for(w, 59000);
    assert_int_equal(w->n[1].sess.closed, 0);
    run_for(w, 2000);
    assert_int_equal(w->n[1].sess.closed, 1);
    assert_int_equal(w->n[1].sess.reason, MESHRPR_PROV_LINK_TIMEOUT);
    assert_int_equal(w->n[0].sess.closed, 1);
    assert_int_equal(w->n[0].sess.reason, MESHRPR_PROV_LINK_TIMEOUT);
    world_free(w);
}

static void test_other_uuid_ignored(void **state)
{
    struct world *w = world_new();
    (void)state;

    device_enable(w, SAMPLE_UUID);
    inject_hex(w, 1, "23af5850 00 03 00112233445566778899aabbccddeeff");
    run_for(w, 100);
    assert_int_equal(w->log_count, 0);
    assert_int_equal(w->n[1].sess.accepts, 0);
    assert_true(meshrpr_pb_adv_is_idle(&w->n[1].node));

    /* Disabled: our own UUID is ignored too. */
    meshrpr_pb_adv_device_disable(&w->n[1].node);
    inject_hex(w, 1, "23af5850 00 03" SAMPLE_UUID);
    run_for(w, 100);
    assert_int_equal(w->log_count, 0);
    world_free(w);
}

static void test_peer_close_while_sending(void **state)
{
    struct world *w = world_new();
    (void)state;

    /* The provisioner closes with Fail while the device's PDU is in flight. */
    open_link(w);
    w->drop = drop_all_from_device;
    TEST_HEX(caps, SAMPLE_CAPS);
    w->n[1].sess.reply[0] = caps;
    w->n[1].sess.reply_len[0] = caps_len;
    assert_int_equal(send_hex(&w->n[0], SAMPLE_INVITE), 0);
    run_for(w, 10);
    assert_int_equal(w->n[1].sess.reply_err, 0);
    w->n[0].sess.link->ops->close(w->n[0].sess.link, MESHRPR_PROV_LINK_FAIL);
    run_for(w, 1000);
    assert_int_equal(w->n[1].sess.complete_count, 1);
    assert_int_equal(w->n[1].sess.complete_err, -ECONNRESET);
    assert_int_equal(w->n[1].sess.closed, 1);
    assert_int_equal(w->n[1].sess.reason, MESHRPR_PROV_LINK_FAIL);
    /* The provisioner's own Invite was still unacknowledged: cancelled by its close. */
    assert_int_equal(w->n[0].sess.complete_count, 1);
    assert_int_equal(w->n[0].sess.complete_err, -ECANCELED);
    assert_int_equal(w->n[0].sess.closed, 1);

    /* The device's Complete is completed by a Link Close(Success). */
    w->drop = NULL;
    memset(&w->n[0].sess, 0, sizeof(w->n[0].sess));
    memset(&w->n[1].sess, 0, sizeof(w->n[1].sess));
    open_link(w);
    w->drop = drop_all_from_device;
    TEST_HEX(complete, SAMPLE_COMPLETE);
    w->n[1].sess.reply[0] = complete;
    w->n[1].sess.reply_len[0] = complete_len;
    assert_int_equal(send_hex(&w->n[0], SAMPLE_DATA), 0);
    run_for(w, 10);
    w->n[0].sess.link->ops->close(w->n[0].sess.link, MESHRPR_PROV_LINK_SUCCESS);
    run_for(w, 1000);
    assert_int_equal(w->n[1].sess.complete_count, 1);
    assert_int_equal(w->n[1].sess.complete_err, 0);
    assert_int_equal(w->n[1].sess.reason, MESHRPR_PROV_LINK_SUCCESS);
    world_free(w);
}

static void test_send_errors(void **state)
{
    struct world *w = world_new();
    uint8_t uuid[16];
    uint8_t pdu[MESHRPR_PB_ADV_PDU_MAX + 1] = { 0 };
    struct meshrpr_prov_link *link;
    (void)state;

    test_hex(SAMPLE_UUID, uuid, sizeof(uuid));
    assert_int_equal(
        meshrpr_pb_adv_link_open(&w->n[0].node, uuid, 0, &sess_cb, &w->n[0].sess, &link), 0);
    assert_int_equal(link->ops->type, 0x01); /* BT_MESH_PROV_ADV */
    /* Not open yet. */
    assert_int_equal(link->ops->send(link, pdu, 2, sess_complete, &w->n[0].sess), -ENOTCONN);
    assert_int_equal(link->ops->send(link, pdu, 0, sess_complete, &w->n[0].sess), -EINVAL);
    assert_int_equal(link->ops->send(link, pdu, sizeof(pdu), sess_complete, &w->n[0].sess),
                     -EINVAL);
    assert_int_equal(
        meshrpr_pb_adv_link_open(&w->n[0].node, uuid, 0, &sess_cb, &w->n[0].sess, &link), -EBUSY);
    assert_int_equal(meshrpr_pb_adv_link_open(&w->n[0].node, NULL, 0, &sess_cb, NULL, &link),
                     -EINVAL);
    link->ops->close(link, MESHRPR_PROV_LINK_FAIL);
    link->ops->close(link, MESHRPR_PROV_LINK_FAIL); /* harmless */
    assert_int_equal(link->ops->send(link, pdu, 2, sess_complete, &w->n[0].sess), -ENOTCONN);
    run_for(w, 1000);
    assert_int_equal(w->n[0].sess.closed, 1);

    /* A failing random source: no Link ID, no link. */
    w->n[0].fp.random_result = -EIO;
    assert_int_equal(
        meshrpr_pb_adv_link_open(&w->n[0].node, uuid, 0, &sess_cb, &w->n[0].sess, &link), -EIO);
    w->n[0].fp.random_result = 0;
    world_free(w);
}

static void test_several_links(void **state)
{
    struct world *w = world_new();
    struct meshrpr_prov_link *links[MESHRPR_PB_ADV_LINK_COUNT + 1];
    struct sess sessions[MESHRPR_PB_ADV_LINK_COUNT];
    uint8_t uuid[16] = { 0 };
    (void)state;

    memset(sessions, 0, sizeof(sessions));
    for (unsigned i = 0; i < MESHRPR_PB_ADV_LINK_COUNT; i++) {
        uuid[0] = (uint8_t)i;
        assert_int_equal(
            meshrpr_pb_adv_link_open(&w->n[0].node, uuid, 0, &sess_cb, &sessions[i], &links[i]), 0);
        for (unsigned j = 0; j < i; j++) {
            assert_ptr_not_equal(links[i], links[j]);
        }
    }
    uuid[0] = 0xee;
    assert_int_equal(meshrpr_pb_adv_link_open(&w->n[0].node, uuid, 0, &sess_cb, NULL, &links[4]),
                     -ENOMEM);
    /* Link IDs are distinct and non-zero. */
    for (unsigned i = 0; i < MESHRPR_PB_ADV_LINK_COUNT; i++) {
        uint32_t id_i = MESHRPR_CONTAINER_OF(links[i], struct meshrpr_pb_adv_link, link)->link_id;
        assert_int_not_equal(id_i, 0);
        for (unsigned j = 0; j < i; j++) {
            assert_int_not_equal(
                id_i, MESHRPR_CONTAINER_OF(links[j], struct meshrpr_pb_adv_link, link)->link_id);
        }
    }
    for (unsigned i = 0; i < MESHRPR_PB_ADV_LINK_COUNT; i++) {
        links[i]->ops->close(links[i], MESHRPR_PROV_LINK_FAIL);
    }
    run_for(w, 1000);
    for (unsigned i = 0; i < MESHRPR_PB_ADV_LINK_COUNT; i++) {
        assert_int_equal(sessions[i].closed, 1);
        assert_int_equal(sessions[i].opened, 0);
    }
    world_free(w);
}

/* Ping-pong of full-size PDUs over a link that loses 30% of the PDUs each way. */
static void test_lossy_exchange(void **state)
{
    struct world *w = world_new();
    uint8_t p[8][65], d[8][65];
    (void)state;

    open_link(w);
    w->loss_percent = 30;
    w->loss_rng = 7;
    for (unsigned i = 0; i < 8; i++) {
        memset(p[i], 0x10 + (int)i, sizeof(p[i]));
        memset(d[i], 0x80 + (int)i, sizeof(d[i]));
        p[i][0] = 0x03;
        d[i][0] = 0x03;
        w->n[1].sess.reply[i] = d[i];
        w->n[1].sess.reply_len[i] = sizeof(d[i]);
        if (i + 1 < 8) {
            w->n[0].sess.reply[i] = p[i + 1];
            w->n[0].sess.reply_len[i] = sizeof(p[i + 1]);
        }
    }
    w->n[0].sess.close_after = 8;
    w->n[0].sess.close_reason = MESHRPR_PROV_LINK_SUCCESS;
    struct meshrpr_prov_link *link = w->n[0].sess.link;
    assert_int_equal(link->ops->send(link, p[0], sizeof(p[0]), sess_complete, &w->n[0].sess), 0);
    run_for(w, 120000);
    /* Every PDU delivered exactly once, in order. */
    assert_int_equal(w->n[1].sess.rx_count, 8);
    assert_int_equal(w->n[0].sess.rx_count, 8);
    for (unsigned i = 0; i < 8; i++) {
        assert_memory_equal(w->n[1].sess.rx[i], p[i], 65);
        assert_memory_equal(w->n[0].sess.rx[i], d[i], 65);
    }
    assert_int_equal(w->n[0].sess.closed, 1);
    assert_int_equal(w->n[0].sess.reason, MESHRPR_PROV_LINK_SUCCESS);
    assert_int_equal(w->n[1].sess.closed, 1);
    assert_int_equal(w->n[0].sess.complete_err, 0);
    world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fcs),
        cmocka_unit_test(test_seg_n),
        cmocka_unit_test(test_gp_decode_samples),
        cmocka_unit_test(test_gp_decode_malformed),
        cmocka_unit_test(test_segment_samples),
        cmocka_unit_test(test_segmentation_round_trip),
        cmocka_unit_test(test_reassembly_checks),
        cmocka_unit_test(test_reassembly_zephyr_seg_n),
        cmocka_unit_test(test_sample_exchange),
        cmocka_unit_test(test_open_close),
        cmocka_unit_test(test_public_key_with_losses),
        cmocka_unit_test(test_next_pdu_acknowledges),
        cmocka_unit_test(test_next_pdu_acknowledges_device),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_transaction_number_wrap),
        cmocka_unit_test(test_link_establishment_timeout),
        cmocka_unit_test(test_transaction_timeout),
        cmocka_unit_test(test_device_link_timer),
        cmocka_unit_test(test_other_uuid_ignored),
        cmocka_unit_test(test_peer_close_while_sending),
        cmocka_unit_test(test_send_errors),
        cmocka_unit_test(test_several_links),
        cmocka_unit_test(test_lossy_exchange),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
